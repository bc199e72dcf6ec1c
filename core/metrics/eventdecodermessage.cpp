// EventDecoder's message path: the Summary of a record the wire path does not take, read by the
// classes generated from event.proto (parseSummary).
#include "eventdecoder.h"

#include "eventdecoderfields.h"
#include "metrics/event.pb.h"

#include <google/protobuf/repeated_field.h>

#include <limits>

namespace trainyard::core {

using namespace eventdecoderfields;

namespace {

template <typename T> Repeated<T> firstOf(const google::protobuf::RepeatedField<T> &field)
{
    return {field.size(), field.empty() ? T(0) : field.Get(0)};
}

bool scalarOf(const tensorboard::TensorProto &t, double &value)
{
    TensorFacts facts;
    facts.dtype = t.dtype();
    facts.hasShape = t.has_tensor_shape();
    facts.dims = t.tensor_shape().dim_size();
    facts.unknownRank = t.tensor_shape().unknown_rank();
    facts.content = t.tensor_content();
    facts.floats = firstOf(t.float_val());
    facts.doubles = firstOf(t.double_val());
    facts.ints = firstOf(t.int_val());
    facts.int64s = firstOf(t.int64_val());
    return facts.scalar(value);
}

} // namespace

// The Summary of a record the wire path does not take, through the generated classes, into
// m_values (whose views then point into the reused messages). ParseFromArray clears a reused
// message first, keeping its buffers, so this allocates nothing once warm either.
bool EventDecoder::parseSummary(std::string_view record, std::string_view summaryBytes, int summaries)
{
    ++m_messageParses;
    m_values.clear();
    const tensorboard::Summary *summary = m_summary.get();
    if (summaries == 1) {
        if (summaryBytes.size() > size_t(std::numeric_limits<int>::max()) ||
            !m_summary->ParseFromArray(summaryBytes.data(), int(summaryBytes.size())))
            return false;
    } else { // protobuf merges the occurrences of a message field: left to libprotobuf
        if (record.size() > size_t(std::numeric_limits<int>::max()) ||
            !m_event->ParseFromArray(record.data(), int(record.size())))
            return false;
        summary = &m_event->summary();
    }
    for (const tensorboard::Summary::Value &v : summary->value()) {
        ValueFields &out = m_values.emplace_back();
        out.tag = v.tag();
        out.pluginName = v.metadata().plugin_data().plugin_name();
        out.simpleValue = v.simple_value();
        out.hasSimple = v.has_simple_value();
        out.hasTensor = v.has_tensor();
        out.hasMetadata = v.has_metadata();
        out.tensorIsScalar = out.hasTensor && scalarOf(v.tensor(), out.tensorValue);
    }
    return true;
}

} // namespace trainyard::core
