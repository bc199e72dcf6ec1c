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

// The CRC register is linear over GF(2): the register after A followed by B equals the register
// after A advanced over |B| zero bytes, xor the register of B alone started from zero. That lets
// three independent streams run side by side (the crc32 instruction has a latency of three
// cycles but a throughput of one per cycle) and be joined afterwards. "Advance over n zero bytes"
// is a 32x32 bit matrix; ShiftTable applies it a byte of the register at a time.
using Matrix = std::array<std::uint32_t, 32>; // column i: the image of bit i
using ShiftTable = std::array<std::array<std::uint32_t, 256>, 4>;

constexpr std::uint32_t times(const Matrix &m, std::uint32_t v)
{
    std::uint32_t sum = 0;
    for (int i = 0; v != 0; ++i, v >>= 1) {
        if (v & 1)
            sum ^= m[size_t(i)];
    }
    return sum;
}

constexpr Matrix squared(const Matrix &m)
{
    Matrix s{};
    for (size_t i = 0; i < 32; ++i)
        s[i] = times(m, m[i]);
    return s;
}

// Advance the (reflected) register over `bytes` zero bytes; `bytes` a power of two.
constexpr ShiftTable makeShiftTable(std::size_t bytes)
{
    Matrix op{}; // one zero bit: shift right, folding the polynomial in when bit 0 falls out
    op[0] = Polynomial;
    for (size_t i = 1; i < 32; ++i)
        op[i] = std::uint32_t(1) << (i - 1);
    for (std::size_t bits = 1; bits < 8 * bytes; bits *= 2)
        op = squared(op);
    ShiftTable t{};
    for (std::uint32_t b = 0; b < 256; ++b) {
        for (size_t k = 0; k < 4; ++k)
            t[k][b] = times(op, b << (8 * k));
    }
    return t;
}

// Long blocks for large records (graphs, images); short ones so that records of a few hundred
// bytes interleave too.
constexpr std::size_t LongBlock = 8192;
constexpr std::size_t ShortBlock = 64;
constexpr ShiftTable longShift = makeShiftTable(LongBlock);
constexpr ShiftTable shortShift = makeShiftTable(ShortBlock);

inline std::uint64_t shift(const ShiftTable &t, std::uint64_t crc)
{
    return t[0][crc & 0xff] ^ t[1][(crc >> 8) & 0xff] ^ t[2][(crc >> 16) & 0xff] ^ t[3][(crc >> 24) & 0xff];
}

__attribute__((target("sse4.2"))) inline std::uint64_t load64(const unsigned char *p)
{
    std::uint64_t word;
    std::memcpy(&word, p, 8); // unaligned loads cost nothing extra on x86-64
    return word;
}

// Three streams of `block` bytes each, as long as 3 * block bytes remain.
template <std::size_t block>
__attribute__((target("sse4.2"))) inline std::uint64_t interleaved(std::uint64_t c0, const unsigned char *&p,
                                                                   std::size_t &size, const ShiftTable &t)
{
    while (size >= 3 * block) {
        std::uint64_t c1 = 0;
        std::uint64_t c2 = 0;
        for (std::size_t i = 0; i < block; i += 8) {
            c0 = _mm_crc32_u64(c0, load64(p + i));
            c1 = _mm_crc32_u64(c1, load64(p + block + i));
            c2 = _mm_crc32_u64(c2, load64(p + 2 * block + i));
        }
        c0 = shift(t, c0) ^ c1;
        c0 = shift(t, c0) ^ c2;
        p += 3 * block;
        size -= 3 * block;
    }
    return c0;
}

__attribute__((target("sse4.2"))) std::uint32_t extendSse42(std::uint32_t crc, const void *data, std::size_t size)
{
    const auto *p = static_cast<const unsigned char *>(data);
    std::uint64_t c = ~crc;
    if (size >= 3 * ShortBlock) {
        c = interleaved<LongBlock>(c, p, size, longShift);
        c = interleaved<ShortBlock>(c, p, size, shortShift);
    }
    for (; size >= 8; size -= 8, p += 8)
        c = _mm_crc32_u64(c, load64(p));
    // At most three more instructions for the last seven bytes.
    std::uint32_t c32 = std::uint32_t(c);
    if (size & 4) {
        std::uint32_t word;
        std::memcpy(&word, p, 4);
        c32 = _mm_crc32_u32(c32, word);
        p += 4;
    }
    if (size & 2) {
        std::uint16_t half;
        std::memcpy(&half, p, 2);
        c32 = _mm_crc32_u16(c32, half);
        p += 2;
    }
    if (size & 1)
        c32 = _mm_crc32_u8(c32, *p);
    return ~c32;
}
#endif

using ExtendFunction = std::uint32_t (*)(std::uint32_t, const void *, std::size_t);

// Straight to the implementation: one indirect call per checksum, nothing checked per call.
ExtendFunction chooseImplementation()
{
#ifdef TRAINYARD_CRC32C_X86
    if (hardwareAvailable())
        return &extendSse42;
#endif
    return &extendPortable;
}

const ExtendFunction implementation = chooseImplementation();

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
    // cpu_init first: this may run from a static initialiser, before libgcc's own.
    static const bool available = (__builtin_cpu_init(), __builtin_cpu_supports("sse4.2"));
    return available;
#else
    return false;
#endif
}

std::uint32_t extendHardware(std::uint32_t crc, const void *data, std::size_t size)
{
#ifdef TRAINYARD_CRC32C_X86
    if (hardwareAvailable())
        return extendSse42(crc, data, size);
#endif
    return extendPortable(crc, data, size);
}

std::uint32_t extend(std::uint32_t crc, const void *data, std::size_t size)
{
    // A checksum asked for during static initialisation, before `implementation` is set.
    return implementation ? implementation(crc, data, size) : extendPortable(crc, data, size);
}

} // namespace trainyard::core::crc32c
