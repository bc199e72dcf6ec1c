#pragma once

// Internal to EventDecoder: what its .cpp files read out of a record and share: an Event's top
// level, the facts of a TensorProto that tell a scalar, and one Summary.Value.

#include "eventdecoder.h"

#include <QtGlobal>

#include <cstdint>
#include <cstring>
#include <string_view>

namespace trainyard::core::eventdecoderfields {

// tensorflow.DataType values of the dtypes a scalar can have.
enum DataType : int { DtFloat = 1, DtDouble = 2, DtInt32 = 3, DtInt64 = 9 };

// The top level of an Event, read straight from the wire: wall_time, step, and where the
// summary is. Records without a summary (file version, graphs, session logs) are not parsed
// further; the Summary of the others is read by the wire path (eventdecoder.cpp), or by libprotobuf.
struct EventFields
{
    bool valid = false;
    double wallTime = 0;
    qint64 step = 0;
    int summaries = 0; ///< occurrences of field 5 (more than one are merged: left to libprotobuf)
    std::string_view summary;
};

/// The top level of `record`, read straight from the wire; not `valid` when it cannot be an Event.
EventFields scanEvent(std::string_view record);

template <typename T> T loadLittleEndian(std::string_view bytes)
{
    T value;
    std::memcpy(&value, bytes.data(), sizeof(T));
    return value;
}

// A repeated numeric field, packed or not: how many elements, and the first one.
template <typename T> struct Repeated
{
    int count = 0;
    T first = 0;

    void add(T value)
    {
        if (count++ == 0)
            first = value;
    }
};

// What a TensorProto holds, as far as telling a scalar needs: filled from the wire by the wire
// path, from the parsed message otherwise, and judged by the same function for both.
struct TensorFacts
{
    std::int32_t dtype = 0;
    bool hasShape = false;
    int dims = 0;
    bool unknownRank = false;
    std::string_view content;
    Repeated<float> floats;
    Repeated<double> doubles;
    Repeated<std::int32_t> ints;
    Repeated<std::int64_t> int64s;

    // The value of a rank-0 tensor of a numeric dtype, as TensorFlow's MakeNdarray reads it:
    // tensor_content when present, else exactly one element of the typed field.
    bool scalar(double &value) const
    {
        if (hasShape && (dims != 0 || unknownRank))
            return false;
        switch (dtype) {
        case DtFloat:
            return pick(floats, value);
        case DtDouble:
            return pick(doubles, value);
        case DtInt32:
            return pick(ints, value);
        case DtInt64:
            return pick(int64s, value);
        default:
            return false;
        }
    }

private:
    template <typename T> bool pick(const Repeated<T> &typed, double &value) const
    {
        if (!content.empty()) {
            if (content.size() != sizeof(T))
                return false;
            value = double(loadLittleEndian<T>(content));
            return true;
        }
        value = double(typed.first);
        return typed.count == 1;
    }
};

} // namespace trainyard::core::eventdecoderfields

namespace trainyard::core {

// One Summary.Value, as far as scalars need it, from the wire or from a parsed message.
struct EventDecoder::ValueFields
{
    std::string_view tag;
    std::string_view pluginName; ///< metadata.plugin_data.plugin_name
    float simpleValue = 0;
    double tensorValue = 0;
    bool hasSimple = false;
    bool hasTensor = false;
    bool hasMetadata = false;
    bool tensorIsScalar = false; ///< a rank-0 number, in tensorValue

    bool scalarTensor() const { return hasTensor && tensorIsScalar; }
    bool scalarsPlugin() const { return pluginName == "scalars"; }
    /// Whether the value can be a point or fix its tag's kind: histograms, images, audio and
    /// other tensors without metadata cannot (their tags are not even looked up).
    bool matters() const { return hasSimple || hasMetadata || scalarTensor(); }
};

} // namespace trainyard::core
