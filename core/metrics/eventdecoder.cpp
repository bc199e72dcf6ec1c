#include "eventdecoder.h"

#include "metrics/event.pb.h"

#include <cstring>
#include <limits>

namespace trainyard::core {

namespace {

// tensorflow.DataType values of the dtypes a scalar can have.
enum DataType : int { DtFloat = 1, DtDouble = 2, DtInt32 = 3, DtInt64 = 9 };

constexpr int EventSummaryField = 5;

bool readVarint(const char *&p, const char *end, std::uint64_t &value)
{
    value = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
        const auto byte = static_cast<unsigned char>(*p++);
        value |= std::uint64_t(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

// The top level of an Event, read straight from the wire: wall_time, step, and where the
// summary is. Records without a summary (file version, graphs, session logs) are not parsed at
// all, and libprotobuf only parses the Summary of the others.
struct EventFields
{
    bool valid = false;
    double wallTime = 0;
    qint64 step = 0;
    int summaries = 0; ///< occurrences of field 5 (more than one are merged: left to libprotobuf)
    std::string_view summary;
};

constexpr int EventWallTimeField = 1;
constexpr int EventStepField = 2;

EventFields scanEvent(std::string_view record)
{
    EventFields e;
    const char *p = record.data();
    const char *const end = p + record.size();
    while (p < end) {
        std::uint64_t key = 0;
        if (!readVarint(p, end, key) || (key >> 3) == 0)
            return e;
        const std::uint64_t field = key >> 3;
        std::uint64_t value = 0;
        switch (key & 7) {
        case 0: // varint
            if (!readVarint(p, end, value))
                return e;
            if (field == EventStepField)
                e.step = qint64(value);
            break;
        case 1: // fixed64
            if (end - p < 8)
                return e;
            if (field == EventWallTimeField)
                std::memcpy(&e.wallTime, p, 8); // little-endian hosts, as the files
            p += 8;
            break;
        case 5: // fixed32
            if (end - p < 4)
                return e;
            p += 4;
            break;
        case 2: // length-delimited
            if (!readVarint(p, end, value) || std::uint64_t(end - p) < value)
                return e;
            if (field == EventSummaryField) {
                e.summary = std::string_view(p, size_t(value));
                ++e.summaries;
            }
            p += value;
            break;
        default: // groups (3, 4) are not in Event; 6 and 7 do not exist
            return e;
        }
    }
    e.valid = true;
    return e;
}

template <typename T> T loadLittleEndian(const std::string &bytes)
{
    T value;
    std::memcpy(&value, bytes.data(), sizeof(T));
    return value;
}

// The value of a rank-0 tensor of a numeric dtype, as TensorFlow's MakeNdarray reads it:
// tensor_content when present, else exactly one element of the typed field.
bool scalarOf(const tensorboard::TensorProto &t, double &value)
{
    if (t.has_tensor_shape() && (t.tensor_shape().dim_size() != 0 || t.tensor_shape().unknown_rank()))
        return false;
    const std::string &content = t.tensor_content();
    switch (t.dtype()) {
    case DtFloat:
        if (!content.empty()) {
            if (content.size() != sizeof(float))
                return false;
            value = loadLittleEndian<float>(content);
            return true;
        }
        if (t.float_val_size() != 1)
            return false;
        value = t.float_val(0);
        return true;
    case DtDouble:
        if (!content.empty()) {
            if (content.size() != sizeof(double))
                return false;
            value = loadLittleEndian<double>(content);
            return true;
        }
        if (t.double_val_size() != 1)
            return false;
        value = t.double_val(0);
        return true;
    case DtInt32:
        if (!content.empty()) {
            if (content.size() != sizeof(qint32))
                return false;
            value = loadLittleEndian<qint32>(content);
            return true;
        }
        if (t.int_val_size() != 1)
            return false;
        value = t.int_val(0);
        return true;
    case DtInt64:
        if (!content.empty()) {
            if (content.size() != sizeof(qint64))
                return false;
            value = double(loadLittleEndian<qint64>(content));
            return true;
        }
        if (t.int64_val_size() != 1)
            return false;
        value = double(t.int64_val(0));
        return true;
    default:
        return false;
    }
}

} // namespace

EventDecoder::EventDecoder()
    : m_event(std::make_unique<tensorboard::Event>())
    , m_summary(std::make_unique<tensorboard::Summary>())
{}

EventDecoder::~EventDecoder() = default;

// Writers log their tags in the same order at every step, so the tag that followed the previous
// one last time is almost always the next one: one string compare instead of a hash lookup.
int EventDecoder::tagId(const std::string &tag)
{
    const int predicted = m_lastTag >= 0 ? m_tags[size_t(m_lastTag)].next : -1;
    if (predicted >= 0 && m_tags[size_t(predicted)].name == tag)
        return m_lastTag = predicted;
    int id;
    const auto it = m_ids.find(std::string_view(tag));
    if (it != m_ids.end()) {
        id = it->second;
    } else {
        id = int(m_tags.size());
        m_tags.push_back(TagInfo{tag, Kind::Unknown});
        m_ids.emplace(tag, id);
    }
    if (m_lastTag >= 0)
        m_tags[size_t(m_lastTag)].next = id;
    return m_lastTag = id;
}

Result<int> EventDecoder::decode(std::string_view record, const Sink &sink)
{
    static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "event files are little-endian; so is every host we build for");
    const EventFields fields = scanEvent(record);
    if (!fields.valid)
        return tl::make_unexpected(Error::error(QStringLiteral("not a valid Event protobuf")));
    if (fields.summaries == 0)
        return 0;

    // ParseFromArray clears the reused message first, keeping its buffers: no allocation.
    const tensorboard::Summary *summary = m_summary.get();
    bool parsed = false;
    if (fields.summaries == 1) {
        parsed = fields.summary.size() <= size_t(std::numeric_limits<int>::max()) &&
                 m_summary->ParseFromArray(fields.summary.data(), int(fields.summary.size()));
    } else {
        parsed = record.size() <= size_t(std::numeric_limits<int>::max()) &&
                 m_event->ParseFromArray(record.data(), int(record.size()));
        summary = &m_event->summary();
    }
    if (!parsed)
        return tl::make_unexpected(Error::error(QStringLiteral("not a valid Event protobuf")));

    ScalarPoint point;
    point.step = fields.step;
    point.wallTime = fields.wallTime;
    int count = 0;
    for (const tensorboard::Summary::Value &v : summary->value()) {
        const bool simple = v.has_simple_value();
        if (!simple && !v.has_tensor() && !v.has_metadata())
            continue; // histograms, images, audio: nothing to learn about the tag
        const int id = tagId(v.tag());
        TagInfo &info = m_tags[size_t(id)];
        if (info.kind == Kind::Unknown) {
            // TensorBoard turns a simple_value into a `scalars` tensor, metadata included.
            if (simple)
                info.kind = Kind::Scalars;
            else if (v.has_metadata())
                info.kind = v.metadata().plugin_data().plugin_name() == "scalars" ? Kind::Scalars : Kind::Other;
        }
        if (simple) {
            point.value = double(v.simple_value());
        } else if (!v.has_tensor() || info.kind != Kind::Scalars || !scalarOf(v.tensor(), point.value)) {
            continue;
        }
        ++count;
        sink(id, point);
    }
    return count;
}

} // namespace trainyard::core
