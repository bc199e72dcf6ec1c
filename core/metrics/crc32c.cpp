#include "crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define TRAINYARD_CRC32C_X86 1
#endif

namespace trainyard::core::crc32c {

namespace {

constexpr std::uint32_t Polynomial = 0x82f63b78u; // 0x1EDC6F41 bit-reversed

// Table k gives the CRC of a byte followed by k zero bytes, so eight bytes are folded per step.
using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Tables makeTables()
{
    Tables t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? (c >> 1) ^ Polynomial : c >> 1;
        t[0][i] = c;
    }
    for (std::size_t k = 1; k < 8; ++k) {
        for (std::size_t i = 0; i < 256; ++i)
            t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
    }
    return t;
}

constexpr Tables tables = makeTables();

std::uint64_t loadLittleEndian64(const unsigned char *p)
{
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

#ifdef TRAINYARD_CRC32C_X86
__attribute__((target("sse4.2"))) std::uint32_t extendSse42(std::uint32_t crc, const unsigned char *p, std::size_t size)
{
    std::uint64_t c = ~crc;
    while (size > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7) != 0) {
        c = _mm_crc32_u8(std::uint32_t(c), *p++);
        --size;
    }
    // Four independent 8-byte steps per iteration would need recombination; one stream already
    // runs at several GB/s, far above what parsing needs.
    while (size >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        c = _mm_crc32_u64(c, word);
        p += 8;
        size -= 8;
    }
    while (size > 0) {
        c = _mm_crc32_u8(std::uint32_t(c), *p++);
        --size;
    }
    return ~std::uint32_t(c);
}
#endif

using ExtendFunction = std::uint32_t (*)(std::uint32_t, const void *, std::size_t);

ExtendFunction chooseImplementation()
{
    return hardwareAvailable() ? &extendHardware : &extendPortable;
}

} // namespace

std::uint32_t extendPortable(std::uint32_t crc, const void *data, std::size_t size)
{
    const auto *p = static_cast<const unsigned char *>(data);
    std::uint32_t c = ~crc;
    while (size >= 8) {
        const std::uint64_t word = loadLittleEndian64(p) ^ c;
        c = tables[7][word & 0xff] ^ tables[6][(word >> 8) & 0xff] ^ tables[5][(word >> 16) & 0xff] ^
            tables[4][(word >> 24) & 0xff] ^ tables[3][(word >> 32) & 0xff] ^ tables[2][(word >> 40) & 0xff] ^
            tables[1][(word >> 48) & 0xff] ^ tables[0][word >> 56];
        p += 8;
        size -= 8;
    }
    while (size-- > 0)
        c = (c >> 8) ^ tables[0][(c ^ *p++) & 0xff];
    return ~c;
}

bool hardwareAvailable()
{
#ifdef TRAINYARD_CRC32C_X86
    static const bool available = __builtin_cpu_supports("sse4.2");
    return available;
#else
    return false;
#endif
}

std::uint32_t extendHardware(std::uint32_t crc, const void *data, std::size_t size)
{
#ifdef TRAINYARD_CRC32C_X86
    if (hardwareAvailable())
        return extendSse42(crc, static_cast<const unsigned char *>(data), size);
#endif
    return extendPortable(crc, data, size);
}

std::uint32_t extend(std::uint32_t crc, const void *data, std::size_t size)
{
    static const ExtendFunction implementation = chooseImplementation();
    return implementation(crc, data, size);
}

} // namespace trainyard::core::crc32c
