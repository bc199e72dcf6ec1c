#pragma once

#include "common/error.h"
#include "hugepageallocator.h"

#include <QtGlobal>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace trainyard::tensorboard {
class Event;
class Summary;
} // namespace trainyard::tensorboard

namespace trainyard::core {

namespace eventdecoderfields {
struct EventFields;
}

/// One scalar of a series: TensorBoard's step, wall time (seconds since the epoch) and value.
struct ScalarPoint
{
    qint64 step = 0;
    double wallTime = 0;
    double value = 0; ///< float32, int32 and int64 values widened; NaN and ±Inf kept
};

/// Turns the records of event files (serialized `Event` protobufs) into scalar points.
///
/// Scalars are legacy `simple_value`s and TF2 rank-0 `tensor`s of the `scalars` plugin, in
/// float, double, int32 or int64, from the typed value fields (packed or not) or raw
/// `tensor_content`. As in TensorBoard, a tag's plugin is fixed by the first metadata seen for
/// it, and TF2 writers send that metadata only with a tag's first value: the decoder remembers
/// it per tag, so one decoder must see a run's records in order (all its files, in name order).
/// Events without a summary (graphs, file version, session logs) are skipped before parsing.
///
/// Records are read straight from the wire into the points, without building messages (tags
/// from libprotobuf's WireFormatLite, field numbers from the classes generated from
/// event.proto), for the shapes writers produce: known fields, libprotobuf's own limits on
/// varints and lengths. Any other record (a second Summary to merge, an unknown field, an odd
/// encoding) is parsed by the generated `Summary`/`Event` classes, so both paths give exactly
/// what libprotobuf gives (setWireFastPath(false) lets a test or a fuzzer compare the two).
class EventDecoder final
{
public:
    /// Receives each scalar: the tag's id (see tag()) and the point.
    using Sink = std::function<void(int tagId, const ScalarPoint &point)>;

    EventDecoder();
    ~EventDecoder();
    EventDecoder(const EventDecoder &) = delete;
    EventDecoder &operator=(const EventDecoder &) = delete;

    /// Decodes one record and hands its scalars to `sink`; returns how many. Fails, with a
    /// message and no location (the caller knows file and offset), when the record is not an Event.
    Result<int> decode(std::string_view record, const Sink &sink);

    /// What decides whether one value of a record as read() is a scalar, once the tag's kind
    /// (the state of the decoder that applies it) is known.
    struct PendingKind
    {
        int tagId = -1; ///< the reading decoder's
        bool hasSimple = false;
        bool hasMetadata = false;
        bool scalarsPlugin = false; ///< the metadata names the `scalars` plugin
        bool tensorIsScalar = false;
    };
    /// One value of a record as read(): its point (the simple value, else the tensor's).
    struct PendingValue
    {
        ScalarPoint point;
        PendingKind kind;
    };
    using PendingValues = std::vector<PendingValue, HugePageAllocator<PendingValue>>;
    /// decode() in two steps, for a later part of a run read ahead on another thread: read()
    /// appends a record's values to `out` and returns how many (failing as decode() fails),
    /// deciding nothing; later, in order, apply() gives each value to a decoder that has seen
    /// everything before, which hands it to `sink` as its decode() would have (1) or not (0).
    Result<int> read(std::string_view record, PendingValues &out);
    int apply(const EventDecoder &reader, const PendingValue &value, const Sink &sink);

    /// The values of one tag whose points nobody keeps, read() and tallied in order instead of
    /// kept: enough for settle() to learn the tag's kind and count its points as apply() would
    /// have, value by value.
    struct PendingTally
    {
        qint64 simple = 0;        ///< simple values: always points
        qint64 tensorsBefore = 0; ///< scalar tensors before the first value that fixes a kind
        qint64 tensorsAfter = 0;  ///< from that value on
        signed char fixes = 0;    ///< the kind that value fixes: 0 none yet, 1 scalars, -1 another
        void add(const PendingKind &kind);
    };
    /// Returns how many points the tally holds.
    qint64 settle(const EventDecoder &reader, int readerTagId, const PendingTally &tally);

    /// The tag (UTF-8 bytes as written) of an id given to a sink.
    const std::string &tag(int tagId) const { return m_tags[size_t(tagId)].name; }
    /// True when the tag's series is TensorBoard `scalars` (known once a value or metadata was seen).
    bool isScalarTag(int tagId) const { return m_tags[size_t(tagId)].kind == Kind::Scalars; }
    int tagCount() const { return int(m_tags.size()); }

    /// Off: every record with a summary goes through the generated message classes, so that a
    /// test or a fuzzer can compare both paths; the results are the same either way.
    void setWireFastPath(bool enabled) { m_wireFastPath = enabled; }
    bool wireFastPath() const { return m_wireFastPath; }
    /// Records with a summary that went through the generated classes (the wire path did not
    /// take their shape, or was off).
    qint64 messageParses() const { return m_messageParses; }
    /// Adds those of a decoder that read() a part of this one's run.
    void countMessageParsesOf(const EventDecoder &reader) { m_messageParses += reader.m_messageParses; }

private:
    enum class Kind : quint8 { Unknown, Scalars, Other };
    struct TagInfo
    {
        std::string name;
        Kind kind = Kind::Unknown;
        int next = -1; ///< the tag that followed this one last time
    };
    struct StringHash
    {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    struct ValueFields; ///< one Summary.Value, as far as scalars need it

    int tagId(std::string_view tag);
    int lookUpTag(std::string_view tag);
    bool parseSummary(std::string_view record, std::string_view summaryBytes, int summaries);
    /// Reads the record's Event into `fields` and its values into m_values; false when it is not one.
    bool readValues(std::string_view record, eventdecoderfields::EventFields &fields);
    /// Learns a tag's kind from a value (the first simple value or metadata fixes it) and says
    /// whether the value is one of its scalars.
    bool admit(int id, bool hasSimple, bool hasMetadata, bool scalarsPlugin, bool tensorIsScalar);

    // Reused for every record: no allocation once warm.
    std::unique_ptr<tensorboard::Event> m_event;
    std::unique_ptr<tensorboard::Summary> m_summary;
    std::vector<ValueFields> m_values;
    std::unordered_map<std::string, int, StringHash, std::equal_to<>> m_ids;
    std::vector<TagInfo> m_tags;
    int m_lastTag = -1;
    bool m_wireFastPath = true;
    qint64 m_messageParses = 0;
};

} // namespace trainyard::core
