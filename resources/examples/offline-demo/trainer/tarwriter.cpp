#include "tarwriter.h"

#include <cstdio>
#include <cstring>

namespace demo {

namespace {

constexpr std::size_t kBlock = 512;
constexpr std::size_t kRecord = 20 * kBlock;

// An octal field of width w: w-1 zero-padded digits and a NUL.
void octal(char *field, std::size_t width, unsigned long long v)
{
    std::snprintf(field, width, "%0*llo", int(width - 1), v);
}

unsigned headerSum(const char *h)
{
    unsigned sum = 0;
    for (std::size_t i = 0; i < kBlock; ++i)
        sum += (i >= 148 && i < 156) ? unsigned(' ') : static_cast<unsigned char>(h[i]);
    return sum;
}

} // namespace

std::optional<std::string> makeTar(const std::vector<TarEntry> &entries, std::string &error)
{
    std::string out;
    for (const auto &e : entries) {
        if (e.name.empty() || e.name.size() > 100 || e.name.find('/') != std::string::npos) {
            error = "tar: unsupported member name '" + e.name + "'";
            return std::nullopt;
        }
        char h[kBlock] = {};
        std::memcpy(h, e.name.data(), e.name.size());    // name[100]
        octal(h + 100, 8, 0644);                         // mode
        octal(h + 108, 8, 0);                            // uid
        octal(h + 116, 8, 0);                            // gid
        octal(h + 124, 12, e.data.size());               // size
        octal(h + 136, 12, 0);                           // mtime: fixed, for reproducible bytes
        h[156] = '0';                                    // typeflag: regular file
        std::memcpy(h + 257, "ustar", 6);                // magic "ustar\0"
        std::memcpy(h + 263, "00", 2);                   // version
        std::memcpy(h + 265, "root", 4);                 // uname
        std::memcpy(h + 297, "root", 4);                 // gname
        octal(h + 329, 8, 0);                            // devmajor
        octal(h + 337, 8, 0);                            // devminor
        std::snprintf(h + 148, 8, "%06o", headerSum(h)); // chksum: 6 digits, NUL, space
        h[155] = ' ';
        out.append(h, kBlock);
        out += e.data;
        out.append((kBlock - e.data.size() % kBlock) % kBlock, '\0');
    }
    out.append(2 * kBlock, '\0');
    out.append((kRecord - out.size() % kRecord) % kRecord, '\0');
    return out;
}

std::optional<std::vector<TarEntry>> readTar(std::string_view bytes, std::string &error)
{
    std::vector<TarEntry> out;
    std::size_t pos = 0;
    while (pos + kBlock <= bytes.size()) {
        const char *h = bytes.data() + pos;
        if (h[0] == '\0')
            return out; // end-of-archive block
        if (std::memcmp(h + 257, "ustar", 6) != 0) {
            error = "tar: bad magic at offset " + std::to_string(pos);
            return std::nullopt;
        }
        if (std::strtoul(std::string(h + 148, 7).c_str(), nullptr, 8) != headerSum(h)) {
            error = "tar: header checksum mismatch at offset " + std::to_string(pos);
            return std::nullopt;
        }
        const auto size = std::strtoull(std::string(h + 124, 11).c_str(), nullptr, 8);
        pos += kBlock;
        if (bytes.size() - pos < size) {
            error = "tar: truncated member";
            return std::nullopt;
        }
        out.push_back({std::string(h, strnlen(h, 100)), std::string(bytes.substr(pos, size))});
        pos += (size + kBlock - 1) / kBlock * kBlock;
    }
    error = "tar: missing end-of-archive blocks";
    return std::nullopt;
}

} // namespace demo
