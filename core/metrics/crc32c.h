#pragma once

#include <cstddef>
#include <cstdint>

namespace trainyard::core {

/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41 reflected), as TFRecord files use it.
///
/// `crc32c()` uses the SSE4.2 `crc32` instruction when the CPU has it (checked once, at run
/// time) and a portable table otherwise; both are exposed so tests can check each on its own.
namespace crc32c {

/// CRC-32C of `size` bytes, continuing from `crc` (0 for a new checksum).
std::uint32_t extend(std::uint32_t crc, const void *data, std::size_t size);
inline std::uint32_t value(const void *data, std::size_t size)
{
    return extend(0, data, size);
}

/// The portable implementation (slicing-by-8 tables).
std::uint32_t extendPortable(std::uint32_t crc, const void *data, std::size_t size);
/// True when this CPU has SSE4.2 and `extendHardware()` may be called.
bool hardwareAvailable();
/// The SSE4.2 implementation; only call it when `hardwareAvailable()` (else it returns the portable result).
std::uint32_t extendHardware(std::uint32_t crc, const void *data, std::size_t size);

/// TFRecord's masked CRC: rotated right by 15 bits plus a constant, so that a CRC stored
/// inside checksummed data does not checksum to a fixed value.
constexpr std::uint32_t mask(std::uint32_t crc)
{
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
constexpr std::uint32_t unmask(std::uint32_t masked)
{
    const std::uint32_t rotated = masked - 0xa282ead8u;
    return (rotated >> 17) | (rotated << 15);
}

} // namespace crc32c
} // namespace trainyard::core
