// TensorBoard event files, written by hand: CRC32C, TFRecord framing and the few protobuf
// fields of tensorflow.Event that scalars need. Standard library only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace demo {

// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), computed in software.
std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0);
// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
std::uint32_t maskedCrc32c(std::string_view data);

// Protobuf wire-format encoding helpers.
namespace pb {
void putVarint(std::string &out, std::uint64_t v);
void putTag(std::string &out, std::uint32_t field, std::uint32_t wireType);
void putFixed64(std::string &out, std::uint64_t v);
void putFixed32(std::string &out, std::uint32_t v);
void putDouble(std::string &out, std::uint32_t field, double v);
void putFloat(std::string &out, std::uint32_t field, float v);
void putInt64(std::string &out, std::uint32_t field, std::int64_t v);
void putBytes(std::string &out, std::uint32_t field, std::string_view bytes);
} // namespace pb

// Serialised tensorflow.Event messages.
std::string encodeFileVersionEvent(double wallTime, std::int64_t step);
std::string encodeScalarEvent(double wallTime, std::int64_t step, std::string_view tag, float value);

// One TFRecord: uint64 LE length, masked CRC of the length, data, masked CRC of the data.
std::string frameRecord(std::string_view data);

// Collects an event file in memory (so the bytes are testable) and writes it in one go.
class EventWriter
{
public:
    EventWriter(double wallTimeBase, double wallTimePerStep);
    void addScalar(std::int64_t step, std::string_view tag, float value);
    const std::string &bytes() const { return m_bytes; }
    // Writes the bytes to path; returns an error message, empty on success.
    std::string writeTo(const std::string &path) const;

private:
    double wallTime(std::int64_t step) const;
    double m_base;
    double m_perStep;
    std::string m_bytes;
};

// The reading side, used by the self-test to round-trip what the writer produced.
struct DecodedEvent
{
    double wallTime = 0;
    std::int64_t step = 0;
    std::string fileVersion; // set on the first event only
    std::vector<std::pair<std::string, float>> scalars;
};
// Parses a whole event file; on a framing, CRC or wire-format error returns nullopt and sets error.
std::optional<std::vector<DecodedEvent>> decodeEventFile(std::string_view bytes, std::string &error);

} // namespace demo
