// EventDecoder: its tags, decode(), the scan of an Event's top level and the wire path that reads
// a Summary without building messages. Other records go through eventdecodermessage.cpp.
#include "eventdecoder.h"

#include "eventdecoderfields.h"
#include "metrics/event.pb.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

namespace trainyard::core {

// scanEvent is here, beside its one caller (decode), so it is inlined on the per-record path.
namespace {

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

constexpr int EventWallTimeField = 1;
constexpr int EventStepField = 2;

} // namespace

namespace eventdecoderfields {

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

} // namespace eventdecoderfields

using namespace eventdecoderfields;

namespace {

// ---- The wire path ----------------------------------------------------------------------------
//
// A Summary read field by field from the wire, into what the generated classes would hold after
// parsing it, as far as scalars need it: tags from libprotobuf's WireFormatLite and the field
// numbers of the generated classes, and protobuf's rules kept (a scalar field seen twice: the
// last wins; a message field: merged; a repeated field, packed or not: appended). The path gives
// up (returns false, and the generated classes parse the record) on anything it does not know:
// an unknown field or wire type, a tag longer than one byte, a length or varint that
// libprotobuf's parser would refuse, a packed array that does not divide into its elements. So
// whenever it answers, libprotobuf would have accepted the record and found the same values.
//
// Not through CodedInputStream: it was tried, with a stream per nested message, and its set-up
// (a constructor of fifteen fields, an out-of-line destructor, ExpectAtEnd() per field) made the
// whole read of bench_eventreader's file about 760 MB/s instead of about 1100 MB/s this way.

namespace pb = google::protobuf;
using Wire = pb::internal::WireFormatLite;
using tensorboard::SummaryMetadata;
using tensorboard::SummaryMetadata_PluginData;
using tensorboard::TensorProto;
using tensorboard::TensorShapeProto;
using tensorboard::TensorShapeProto_Dim;
using ValueProto = tensorboard::Summary_Value;

constexpr std::uint32_t varintTag(int field)
{
    return Wire::MakeTag(field, Wire::WIRETYPE_VARINT);
}
constexpr std::uint32_t fixed32Tag(int field)
{
    return Wire::MakeTag(field, Wire::WIRETYPE_FIXED32);
}
constexpr std::uint32_t fixed64Tag(int field)
{
    return Wire::MakeTag(field, Wire::WIRETYPE_FIXED64);
}
constexpr std::uint32_t bytesTag(int field)
{
    return Wire::MakeTag(field, Wire::WIRETYPE_LENGTH_DELIMITED);
}

// One message's bytes, read in place: every read is bounded by the message's end.
class WireReader
{
public:
    explicit WireReader(std::string_view bytes)
        : m_p(reinterpret_cast<const std::uint8_t *>(bytes.data()))
        , m_end(m_p + bytes.size())
    {}

    bool atEnd() const { return m_p == m_end; }
    /// The next tag when it takes one byte (every field of event.proto does), else 0.
    std::uint32_t tag()
    {
        if (*m_p >= 0x80) // not at the end: callers check atEnd() first
            return 0;
        return *m_p++;
    }
    /// A varint as libprotobuf's parser reads one: at most ten bytes, bits past 64 dropped.
    bool varint(std::uint64_t &value)
    {
        if (m_p < m_end && *m_p < 0x80) {
            value = *m_p++;
            return true;
        }
        value = 0;
        for (int shift = 0; shift < 64 && m_p < m_end; shift += 7) { // ten bytes at most
            const std::uint8_t byte = *m_p++;
            value |= std::uint64_t(byte & 0x7f) << shift;
            if (byte < 0x80)
                return true;
        }
        return false;
    }
    bool fixed32(std::uint32_t &value)
    {
        if (m_end - m_p < 4)
            return false;
        m_p = pb::io::CodedInputStream::ReadLittleEndian32FromArray(m_p, &value);
        return true;
    }
    bool fixed64(std::uint64_t &value)
    {
        if (m_end - m_p < 8)
            return false;
        m_p = pb::io::CodedInputStream::ReadLittleEndian64FromArray(m_p, &value);
        return true;
    }
    /// The bytes of a length-delimited field, in place. The length as libprotobuf's parser
    /// takes one (ReadSize): at most five bytes, below 2^31 less its 16 slop bytes.
    bool bytes(std::string_view &value)
    {
        std::uint64_t length = 0;
        const std::uint8_t *const start = m_p;
        if (!varint(length) || m_p - start > 5 || length > std::uint64_t(std::numeric_limits<int>::max() - 16) ||
            length > std::uint64_t(m_end - m_p))
            return false;
        value = std::string_view(reinterpret_cast<const char *>(m_p), size_t(length));
        m_p += length;
        return true;
    }
    bool skipBytes()
    {
        std::string_view ignored;
        return bytes(ignored);
    }

private:
    const std::uint8_t *m_p;
    const std::uint8_t *m_end;
};

// A packed array of fixed-size elements; false when its length does not divide (libprotobuf
// rejects such a record).
template <typename T> bool addPackedFixed(std::string_view packed, Repeated<T> &into)
{
    if (packed.size() % sizeof(T) != 0)
        return false;
    if (!packed.empty()) {
        if (into.count == 0)
            std::memcpy(&into.first, packed.data(), sizeof(T));
        into.count += int(packed.size() / sizeof(T));
    }
    return true;
}

template <typename T> bool addPackedVarints(std::string_view packed, Repeated<T> &into)
{
    WireReader in(packed);
    while (!in.atEnd()) {
        std::uint64_t v = 0;
        if (!in.varint(v))
            return false;
        into.add(static_cast<T>(v)); // int32: the low 32 bits, as libprotobuf keeps them
    }
    return true;
}

bool readDim(std::string_view bytes)
{
    WireReader in(bytes);
    while (!in.atEnd()) {
        std::uint64_t v = 0;
        switch (in.tag()) {
        case varintTag(TensorShapeProto_Dim::kSizeFieldNumber):
            if (!in.varint(v))
                return false;
            break;
        case bytesTag(TensorShapeProto_Dim::kNameFieldNumber):
            if (!in.skipBytes())
                return false;
            break;
        default:
            return false;
        }
    }
    return true;
}

bool readShape(std::string_view bytes, TensorFacts &t)
{
    t.hasShape = true;
    WireReader in(bytes);
    while (!in.atEnd()) {
        std::string_view dim;
        std::uint64_t v = 0;
        switch (in.tag()) {
        case bytesTag(TensorShapeProto::kDimFieldNumber):
            if (!in.bytes(dim) || !readDim(dim))
                return false;
            ++t.dims;
            break;
        case varintTag(TensorShapeProto::kUnknownRankFieldNumber):
            if (!in.varint(v))
                return false;
            t.unknownRank = v != 0;
            break;
        default:
            return false;
        }
    }
    return true;
}

bool readTensor(std::string_view bytes, TensorFacts &t)
{
    WireReader in(bytes);
    while (!in.atEnd()) {
        std::string_view field;
        std::uint64_t v = 0;
        std::uint32_t v32 = 0;
        switch (in.tag()) {
        case varintTag(TensorProto::kDtypeFieldNumber):
            if (!in.varint(v))
                return false;
            t.dtype = static_cast<std::int32_t>(v);
            break;
        case bytesTag(TensorProto::kTensorShapeFieldNumber):
            if (!in.bytes(field) || !readShape(field, t))
                return false;
            break;
        case varintTag(TensorProto::kVersionNumberFieldNumber):
            if (!in.varint(v))
                return false;
            break;
        case bytesTag(TensorProto::kTensorContentFieldNumber):
            if (!in.bytes(t.content))
                return false;
            break;
        case bytesTag(TensorProto::kFloatValFieldNumber):
            if (!in.bytes(field) || !addPackedFixed(field, t.floats))
                return false;
            break;
        case fixed32Tag(TensorProto::kFloatValFieldNumber): {
            if (!in.fixed32(v32))
                return false;
            float f;
            std::memcpy(&f, &v32, sizeof f);
            t.floats.add(f);
            break;
        }
        case bytesTag(TensorProto::kDoubleValFieldNumber):
            if (!in.bytes(field) || !addPackedFixed(field, t.doubles))
                return false;
            break;
        case fixed64Tag(TensorProto::kDoubleValFieldNumber): {
            if (!in.fixed64(v))
                return false;
            double d;
            std::memcpy(&d, &v, sizeof d);
            t.doubles.add(d);
            break;
        }
        case bytesTag(TensorProto::kIntValFieldNumber):
            if (!in.bytes(field) || !addPackedVarints(field, t.ints))
                return false;
            break;
        case varintTag(TensorProto::kIntValFieldNumber):
            if (!in.varint(v))
                return false;
            t.ints.add(static_cast<std::int32_t>(v));
            break;
        case bytesTag(TensorProto::kInt64ValFieldNumber):
            if (!in.bytes(field) || !addPackedVarints(field, t.int64s))
                return false;
            break;
        case varintTag(TensorProto::kInt64ValFieldNumber):
            if (!in.varint(v))
                return false;
            t.int64s.add(static_cast<std::int64_t>(v));
            break;
        case bytesTag(TensorProto::kStringValFieldNumber):
            if (!in.skipBytes())
                return false;
            break;
        default:
            return false;
        }
    }
    return true;
}

// SummaryMetadata: only plugin_data.plugin_name matters; `name` keeps the last one seen.
bool readPluginData(std::string_view bytes, std::string_view &name)
{
    WireReader in(bytes);
    while (!in.atEnd()) {
        switch (in.tag()) {
        case bytesTag(SummaryMetadata_PluginData::kPluginNameFieldNumber):
            if (!in.bytes(name))
                return false;
            break;
        case bytesTag(SummaryMetadata_PluginData::kContentFieldNumber):
            if (!in.skipBytes())
                return false;
            break;
        default:
            return false;
        }
    }
    return true;
}

bool readMetadata(std::string_view bytes, std::string_view &pluginName)
{
    WireReader in(bytes);
    while (!in.atEnd()) {
        std::string_view field;
        std::uint64_t v = 0;
        switch (in.tag()) {
        case bytesTag(SummaryMetadata::kPluginDataFieldNumber):
            if (!in.bytes(field) || !readPluginData(field, pluginName))
                return false;
            break;
        case bytesTag(SummaryMetadata::kDisplayNameFieldNumber):
        case bytesTag(SummaryMetadata::kSummaryDescriptionFieldNumber):
            if (!in.skipBytes())
                return false;
            break;
        case varintTag(SummaryMetadata::kDataClassFieldNumber):
            if (!in.varint(v))
                return false;
            break;
        default:
            return false;
        }
    }
    return true;
}

bool sameBytes(std::string_view a, std::string_view b)
{
    // memcmp must not see a null pointer, even for zero bytes: an empty tag has no data.
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

} // namespace

namespace {

template <typename Value> bool readValue(std::string_view bytes, Value &out)
{
    WireReader in(bytes);
    TensorFacts tensor;
    while (!in.atEnd()) {
        std::string_view field;
        std::uint32_t bits = 0;
        switch (in.tag()) {
        case bytesTag(ValueProto::kTagFieldNumber):
            if (!in.bytes(out.tag))
                return false;
            break;
        case fixed32Tag(ValueProto::kSimpleValueFieldNumber):
            if (!in.fixed32(bits))
                return false;
            std::memcpy(&out.simpleValue, &bits, sizeof bits);
            out.hasSimple = true;
            break;
        case bytesTag(ValueProto::kObsoleteOldStyleHistogramFieldNumber):
        case bytesTag(ValueProto::kImageFieldNumber):
        case bytesTag(ValueProto::kHistoFieldNumber):
        case bytesTag(ValueProto::kAudioFieldNumber):
        case bytesTag(ValueProto::kNodeNameFieldNumber):
            if (!in.skipBytes())
                return false;
            break;
        case bytesTag(ValueProto::kTensorFieldNumber):
            if (!in.bytes(field) || !readTensor(field, tensor))
                return false;
            out.hasTensor = true;
            break;
        case bytesTag(ValueProto::kMetadataFieldNumber):
            if (!in.bytes(field) || !readMetadata(field, out.pluginName))
                return false;
            out.hasMetadata = true;
            break;
        default:
            return false;
        }
    }
    if (out.hasTensor)
        out.tensorIsScalar = tensor.scalar(out.tensorValue);
    return true;
}

template <typename Value> bool readSummary(std::string_view bytes, std::vector<Value> &values)
{
    values.clear();
    if (bytes.size() > size_t(std::numeric_limits<int>::max()))
        return false;
    WireReader in(bytes);
    while (!in.atEnd()) {
        std::string_view value;
        if (in.tag() != bytesTag(tensorboard::Summary::kValueFieldNumber) || !in.bytes(value) ||
            !readValue(value, values.emplace_back()))
            return false;
    }
    return true;
}

} // namespace

EventDecoder::EventDecoder()
    : m_event(std::make_unique<tensorboard::Event>())
    , m_summary(std::make_unique<tensorboard::Summary>())
{}

EventDecoder::~EventDecoder() = default;

// Writers log their tags in the same order at every step, so the tag that followed the previous
// one last time is almost always the next one: one compare of the bytes instead of a hash lookup,
// and no string is built for a tag already known. Inline; the lookup is not.
inline int EventDecoder::tagId(std::string_view tag)
{
    const int predicted = m_lastTag >= 0 ? m_tags[size_t(m_lastTag)].next : -1;
    if (predicted >= 0 && sameBytes(m_tags[size_t(predicted)].name, tag))
        return m_lastTag = predicted;
    return lookUpTag(tag);
}

int EventDecoder::lookUpTag(std::string_view tag)
{
    int id;
    const auto it = m_ids.find(tag);
    if (it != m_ids.end()) {
        id = it->second;
    } else {
        id = int(m_tags.size());
        m_tags.push_back(TagInfo{std::string(tag), Kind::Unknown});
        m_ids.emplace(std::string(tag), id);
    }
    if (m_lastTag >= 0)
        m_tags[size_t(m_lastTag)].next = id;
    return m_lastTag = id;
}

bool EventDecoder::readValues(std::string_view record, EventFields &fields)
{
    static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "event files are little-endian; so is every host we build for");
    fields = scanEvent(record);
    if (!fields.valid)
        return false;
    m_values.clear();
    if (fields.summaries == 0)
        return true;
    return (m_wireFastPath && fields.summaries == 1 && readSummary(fields.summary, m_values)) ||
           parseSummary(record, fields.summary, fields.summaries);
}

bool EventDecoder::admit(int id, bool hasSimple, bool hasMetadata, bool scalarsPlugin, bool tensorIsScalar)
{
    TagInfo &info = m_tags[size_t(id)];
    if (info.kind == Kind::Unknown) {
        // TensorBoard turns a simple_value into a `scalars` tensor, metadata included.
        if (hasSimple)
            info.kind = Kind::Scalars;
        else if (hasMetadata)
            info.kind = scalarsPlugin ? Kind::Scalars : Kind::Other;
    }
    return hasSimple || (tensorIsScalar && info.kind == Kind::Scalars);
}

Result<int> EventDecoder::decode(std::string_view record, const Sink &sink)
{
    EventFields fields;
    if (!readValues(record, fields))
        return tl::make_unexpected(Error::error(QStringLiteral("not a valid Event protobuf")));
    ScalarPoint point;
    point.step = fields.step;
    point.wallTime = fields.wallTime;
    int count = 0;
    for (const ValueFields &v : m_values) {
        if (!v.matters())
            continue;
        const int id = tagId(v.tag);
        if (!admit(id, v.hasSimple, v.hasMetadata, v.scalarsPlugin(), v.scalarTensor()))
            continue;
        point.value = v.hasSimple ? double(v.simpleValue) : v.tensorValue;
        ++count;
        sink(id, point);
    }
    return count;
}

Result<int> EventDecoder::read(std::string_view record, PendingValues &out)
{
    EventFields fields;
    if (!readValues(record, fields))
        return tl::make_unexpected(Error::error(QStringLiteral("not a valid Event protobuf")));
    int count = 0;
    for (const ValueFields &v : m_values) {
        if (!v.matters())
            continue;
        out.push_back(
            PendingValue{ScalarPoint{fields.step, fields.wallTime, v.hasSimple ? double(v.simpleValue) : v.tensorValue},
                         PendingKind{tagId(v.tag), v.hasSimple, v.hasMetadata, v.scalarsPlugin(), v.scalarTensor()}});
        ++count;
    }
    return count;
}

int EventDecoder::apply(const EventDecoder &reader, const PendingValue &value, const Sink &sink)
{
    const int id = tagId(reader.tag(value.kind.tagId));
    if (!admit(id, value.kind.hasSimple, value.kind.hasMetadata, value.kind.scalarsPlugin, value.kind.tensorIsScalar))
        return 0;
    sink(id, value.point);
    return 1;
}

void EventDecoder::PendingTally::add(const PendingKind &kind)
{
    // As admit(): the first simple value or metadata fixes the kind, then the value is judged.
    if (fixes == 0 && (kind.hasSimple || kind.hasMetadata))
        fixes = kind.hasSimple || kind.scalarsPlugin ? 1 : -1;
    if (kind.hasSimple)
        ++simple;
    else if (kind.tensorIsScalar)
        ++(fixes == 0 ? tensorsBefore : tensorsAfter);
}

qint64 EventDecoder::settle(const EventDecoder &reader, int readerTagId, const PendingTally &tally)
{
    TagInfo &info = m_tags[size_t(tagId(reader.tag(readerTagId)))];
    qint64 points = tally.simple;
    if (info.kind != Kind::Unknown) {
        // Known before the tally's values: it judged them all.
        if (info.kind == Kind::Scalars)
            points += tally.tensorsBefore + tally.tensorsAfter;
        return points;
    }
    if (tally.fixes != 0)
        info.kind = tally.fixes > 0 ? Kind::Scalars : Kind::Other;
    if (info.kind == Kind::Scalars)
        points += tally.tensorsAfter;
    return points;
}

} // namespace trainyard::core
