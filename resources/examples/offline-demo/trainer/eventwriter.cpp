#include "eventwriter.h"

#include <array>
#include <bit>
#include <cstring>
#include <fstream>

namespace demo {

namespace {

constexpr std::array<std::uint32_t, 256> makeCrcTable()
{
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
    return table;
}
constexpr auto kCrcTable = makeCrcTable();

void putLe(std::string &out, std::uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}

std::uint64_t getLe(std::string_view in, std::size_t pos, int bytes)
{
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= std::uint64_t(static_cast<unsigned char>(in[pos + std::size_t(i)])) << (8 * i);
    return v;
}

} // namespace

std::uint32_t crc32c(std::string_view data, std::uint32_t crc)
{
    crc = ~crc;
    for (char ch : data)
        crc = kCrcTable[(crc ^ static_cast<unsigned char>(ch)) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

std::uint32_t maskedCrc32c(std::string_view data)
{
    const std::uint32_t crc = crc32c(data);
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

namespace pb {
void putVarint(std::string &out, std::uint64_t v)
{
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}
void putTag(std::string &out, std::uint32_t field, std::uint32_t wireType)
{
    putVarint(out, (std::uint64_t(field) << 3) | wireType);
}
void putFixed64(std::string &out, std::uint64_t v)
{
    putLe(out, v, 8);
}
void putFixed32(std::string &out, std::uint32_t v)
{
    putLe(out, v, 4);
}
void putDouble(std::string &out, std::uint32_t field, double v)
{
    putTag(out, field, 1);
    putFixed64(out, std::bit_cast<std::uint64_t>(v));
}
void putFloat(std::string &out, std::uint32_t field, float v)
{
    putTag(out, field, 5);
    putFixed32(out, std::bit_cast<std::uint32_t>(v));
}
void putInt64(std::string &out, std::uint32_t field, std::int64_t v)
{
    putTag(out, field, 0);
    putVarint(out, static_cast<std::uint64_t>(v)); // int64: negative values take 10 bytes
}
void putBytes(std::string &out, std::uint32_t field, std::string_view bytes)
{
    putTag(out, field, 2);
    putVarint(out, bytes.size());
    out.append(bytes);
}
} // namespace pb

std::string encodeFileVersionEvent(double wallTime, std::int64_t step)
{
    std::string ev;
    pb::putDouble(ev, 1, wallTime);
    pb::putInt64(ev, 2, step);
    pb::putBytes(ev, 3, "brain.Event:2");
    return ev;
}

std::string encodeScalarEvent(double wallTime, std::int64_t step, std::string_view tag, float value)
{
    std::string val; // Summary.Value
    pb::putBytes(val, 1, tag);
    pb::putFloat(val, 2, value);
    std::string summary; // Summary
    pb::putBytes(summary, 1, val);
    std::string ev; // Event
    pb::putDouble(ev, 1, wallTime);
    pb::putInt64(ev, 2, step);
    pb::putBytes(ev, 5, summary);
    return ev;
}

std::string frameRecord(std::string_view data)
{
    std::string out;
    std::string len;
    putLe(len, data.size(), 8);
    out += len;
    putLe(out, maskedCrc32c(len), 4);
    out.append(data);
    putLe(out, maskedCrc32c(data), 4);
    return out;
}

EventWriter::EventWriter(double wallTimeBase, double wallTimePerStep)
    : m_base(wallTimeBase)
    , m_perStep(wallTimePerStep)
{
    m_bytes += frameRecord(encodeFileVersionEvent(wallTime(0), 0));
}

double EventWriter::wallTime(std::int64_t step) const
{
    return m_base + double(step) * m_perStep;
}

void EventWriter::addScalar(std::int64_t step, std::string_view tag, float value)
{
    m_bytes += frameRecord(encodeScalarEvent(wallTime(step), step, tag, value));
}

std::string EventWriter::writeTo(const std::string &path) const
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        return "cannot create event file '" + path + "': " + std::strerror(errno);
    out.write(m_bytes.data(), std::streamsize(m_bytes.size()));
    out.close();
    if (!out)
        return "cannot write event file '" + path + "'";
    return {};
}

// ---- decoding -------------------------------------------------------------------------------

namespace {

struct Reader
{
    std::string_view in;
    std::size_t pos = 0;
    bool ok = true;

    bool atEnd() const { return pos >= in.size(); }
    std::uint64_t varint()
    {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= in.size()) {
                ok = false;
                return 0;
            }
            const auto b = static_cast<unsigned char>(in[pos++]);
            v |= std::uint64_t(b & 0x7F) << shift;
            if (!(b & 0x80))
                return v;
        }
        ok = false;
        return 0;
    }
    std::uint64_t fixed(int bytes)
    {
        if (in.size() - pos < std::size_t(bytes)) {
            ok = false;
            return 0;
        }
        const auto v = getLe(in, pos, bytes);
        pos += std::size_t(bytes);
        return v;
    }
    std::string_view bytes()
    {
        const auto n = varint();
        if (!ok || in.size() - pos < n) {
            ok = false;
            return {};
        }
        const auto s = in.substr(pos, n);
        pos += n;
        return s;
    }
    // Skips a field of an unknown number.
    void skip(std::uint32_t wireType)
    {
        switch (wireType) {
        case 0:
            varint();
            break;
        case 1:
            fixed(8);
            break;
        case 2:
            bytes();
            break;
        case 5:
            fixed(4);
            break;
        default:
            ok = false;
        }
    }
};

bool decodeValue(std::string_view msg, std::pair<std::string, float> &out)
{
    Reader r{msg};
    bool haveValue = false;
    while (r.ok && !r.atEnd()) {
        const auto key = r.varint();
        const auto field = std::uint32_t(key >> 3), wt = std::uint32_t(key & 7);
        if (field == 1 && wt == 2)
            out.first = std::string(r.bytes());
        else if (field == 2 && wt == 5) {
            out.second = std::bit_cast<float>(std::uint32_t(r.fixed(4)));
            haveValue = true;
        } else
            r.skip(wt);
    }
    return r.ok && haveValue;
}

bool decodeEvent(std::string_view msg, DecodedEvent &ev)
{
    Reader r{msg};
    while (r.ok && !r.atEnd()) {
        const auto key = r.varint();
        const auto field = std::uint32_t(key >> 3), wt = std::uint32_t(key & 7);
        if (field == 1 && wt == 1)
            ev.wallTime = std::bit_cast<double>(r.fixed(8));
        else if (field == 2 && wt == 0)
            ev.step = static_cast<std::int64_t>(r.varint());
        else if (field == 3 && wt == 2)
            ev.fileVersion = std::string(r.bytes());
        else if (field == 5 && wt == 2) {
            Reader s{r.bytes()};
            while (r.ok && s.ok && !s.atEnd()) {
                const auto k = s.varint();
                if ((k >> 3) == 1 && (k & 7) == 2) {
                    std::pair<std::string, float> v;
                    if (!decodeValue(s.bytes(), v))
                        return false;
                    ev.scalars.push_back(std::move(v));
                } else
                    s.skip(std::uint32_t(k & 7));
            }
            if (!s.ok)
                return false;
        } else
            r.skip(wt);
    }
    return r.ok;
}

} // namespace

std::optional<std::vector<DecodedEvent>> decodeEventFile(std::string_view bytes, std::string &error)
{
    std::vector<DecodedEvent> events;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::string at = " (record " + std::to_string(events.size()) + ", offset " + std::to_string(pos) + ")";
        if (bytes.size() - pos < 12) {
            error = "truncated record header" + at;
            return std::nullopt;
        }
        const std::uint64_t len = getLe(bytes, pos, 8);
        if (std::uint32_t(getLe(bytes, pos + 8, 4)) != maskedCrc32c(bytes.substr(pos, 8))) {
            error = "length CRC mismatch" + at;
            return std::nullopt;
        }
        pos += 12;
        if (bytes.size() - pos < len + 4) {
            error = "truncated record data" + at;
            return std::nullopt;
        }
        const auto data = bytes.substr(pos, len);
        if (std::uint32_t(getLe(bytes, pos + len, 4)) != maskedCrc32c(data)) {
            error = "data CRC mismatch" + at;
            return std::nullopt;
        }
        pos += len + 4;
        DecodedEvent ev;
        if (!decodeEvent(data, ev)) {
            error = "malformed Event protobuf" + at;
            return std::nullopt;
        }
        events.push_back(std::move(ev));
    }
    return events;
}

} // namespace demo
