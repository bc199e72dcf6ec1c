#pragma once

// Test support: writes TensorBoard event files byte by byte, with the protobuf wire format
// encoded here by hand from the public field numbers. It shares nothing with the reader's
// event.proto, so a wrong field number on either side shows up as a failing test.

#include "metrics/crc32c.h"
#include "support/files.h"

#include <QByteArray>
#include <QFile>
#include <QList>
#include <QString>

#include <cstring>

namespace trainyard::test {

/// One protobuf message, built field by field.
class ProtoMessage
{
public:
    ProtoMessage &varint(int field, quint64 value)
    {
        key(field, 0);
        putVarint(value);
        return *this;
    }
    ProtoMessage &fixed64(int field, double value)
    {
        key(field, 1);
        putRaw(&value, 8);
        return *this;
    }
    ProtoMessage &fixed32(int field, float value)
    {
        key(field, 5);
        putRaw(&value, 4);
        return *this;
    }
    ProtoMessage &bytes(int field, const QByteArray &value)
    {
        key(field, 2);
        putVarint(quint64(value.size()));
        m_data += value;
        return *this;
    }
    ProtoMessage &message(int field, const ProtoMessage &value) { return bytes(field, value.data()); }
    /// Appends already encoded fields.
    ProtoMessage &raw(const QByteArray &encoded)
    {
        m_data += encoded;
        return *this;
    }

    const QByteArray &data() const { return m_data; }

    static QByteArray encodeVarint(quint64 value)
    {
        ProtoMessage m;
        m.putVarint(value);
        return m.m_data;
    }

private:
    void key(int field, int wireType) { putVarint(quint64(field) << 3 | quint64(wireType)); }
    void putVarint(quint64 value)
    {
        while (value >= 0x80) {
            m_data += char((value & 0x7f) | 0x80);
            value >>= 7;
        }
        m_data += char(value);
    }
    void putRaw(const void *p, int n)
    {
        // Little-endian hosts only (x86-64, aarch64), like the files themselves.
        m_data += QByteArray(static_cast<const char *>(p), n);
    }

    QByteArray m_data;
};

// Field numbers, from TensorFlow's event.proto, summary.proto and tensor.proto.
namespace field {
constexpr int EventWallTime = 1, EventStep = 2, EventFileVersion = 3, EventGraphDef = 4, EventSummary = 5,
              EventSourceMetadata = 10;
constexpr int SummaryValue = 1;
constexpr int ValueTag = 1, ValueSimpleValue = 2, ValueHisto = 5, ValueTensor = 8, ValueMetadata = 9;
constexpr int MetadataPluginData = 1, PluginName = 1;
constexpr int TensorDtype = 1, TensorShape = 2, TensorContent = 4, FloatVal = 5, DoubleVal = 6, IntVal = 7,
              StringVal = 8, Int64Val = 10;
constexpr int ShapeDim = 2, DimSize = 1;
} // namespace field

enum class DType { Float = 1, Double = 2, Int32 = 3, String = 7, Int64 = 9 };
/// How a tensor's one value is stored: the typed field packed, unpacked, or raw tensor_content.
enum class Encoding { Packed, Unpacked, Content };

/// A TensorProto holding one value of `dtype` (`value` is cast to it), with the given shape
/// (none: rank 0).
inline ProtoMessage tensor(DType dtype, Encoding encoding, double value, qint64 intValue = 0, QList<qint64> shape = {})
{
    ProtoMessage t;
    t.varint(field::TensorDtype, quint64(dtype));
    if (!shape.isEmpty()) {
        ProtoMessage s;
        for (qint64 d : shape)
            s.message(field::ShapeDim, ProtoMessage().varint(field::DimSize, quint64(d)));
        t.message(field::TensorShape, s);
    } else {
        t.bytes(field::TensorShape, {}); // present and empty, as TensorFlow writes rank 0
    }
    QByteArray raw;
    int typedField = 0;
    int wireType = 0;
    switch (dtype) {
    case DType::Float: {
        const float f = float(value);
        raw = QByteArray(reinterpret_cast<const char *>(&f), 4);
        typedField = field::FloatVal;
        wireType = 5;
        break;
    }
    case DType::Double:
        raw = QByteArray(reinterpret_cast<const char *>(&value), 8);
        typedField = field::DoubleVal;
        wireType = 1;
        break;
    case DType::Int32: {
        const qint32 i = qint32(intValue);
        raw = QByteArray(reinterpret_cast<const char *>(&i), 4);
        typedField = field::IntVal;
        break;
    }
    case DType::Int64:
        raw = QByteArray(reinterpret_cast<const char *>(&intValue), 8);
        typedField = field::Int64Val;
        break;
    case DType::String:
        t.bytes(field::StringVal, QByteArray::number(value));
        return t;
    }
    if (encoding == Encoding::Content) {
        t.bytes(field::TensorContent, raw);
        return t;
    }
    // The value as its wire form: varint for the int types (int32 negatives sign-extended to
    // 64 bits, as protobuf does), fixed for float and double.
    const quint64 asVarint = dtype == DType::Int32 ? quint64(qint64(qint32(intValue))) : quint64(intValue);
    const QByteArray wire = wireType == 0 ? ProtoMessage::encodeVarint(asVarint) : raw;
    if (encoding == Encoding::Packed) {
        t.bytes(typedField, wire);
    } else {
        t.raw(ProtoMessage::encodeVarint(quint64(typedField) << 3 | quint64(wireType)));
        t.raw(wire);
    }
    return t;
}

inline ProtoMessage metadata(const QByteArray &pluginName)
{
    return ProtoMessage().message(field::MetadataPluginData, ProtoMessage().bytes(field::PluginName, pluginName));
}

/// A Summary.Value with a legacy simple_value.
inline ProtoMessage simpleValue(const QByteArray &tag, float value)
{
    return ProtoMessage().bytes(field::ValueTag, tag).fixed32(field::ValueSimpleValue, value);
}

/// A Summary.Value with a tensor, and the plugin's metadata when `plugin` is not empty.
inline ProtoMessage tensorValue(const QByteArray &tag, const ProtoMessage &tensorProto, const QByteArray &plugin = {})
{
    ProtoMessage v;
    v.bytes(field::ValueTag, tag);
    if (!plugin.isEmpty())
        v.message(field::ValueMetadata, metadata(plugin));
    v.message(field::ValueTensor, tensorProto);
    return v;
}

/// A Summary.Value holding a legacy histogram (HistogramProto: min, max, num, ...).
inline ProtoMessage histogramValue(const QByteArray &tag)
{
    ProtoMessage histo;
    histo.fixed64(1, -1.0).fixed64(2, 1.0).fixed64(3, 100.0);
    return ProtoMessage().bytes(field::ValueTag, tag).message(field::ValueHisto, histo);
}

/// An Event with a summary of `values`. wall_time and step are left out when 0, as proto3 does.
inline QByteArray summaryEvent(double wallTime, qint64 step, const QList<ProtoMessage> &values)
{
    ProtoMessage summary;
    for (const ProtoMessage &v : values)
        summary.message(field::SummaryValue, v);
    ProtoMessage e;
    if (wallTime != 0)
        e.fixed64(field::EventWallTime, wallTime);
    if (step != 0)
        e.varint(field::EventStep, quint64(step));
    e.message(field::EventSummary, summary);
    return e.data();
}

inline QByteArray fileVersionEvent(double wallTime)
{
    return ProtoMessage()
        .fixed64(field::EventWallTime, wallTime)
        .bytes(field::EventFileVersion, "brain.Event:2")
        .message(field::EventSourceMetadata, ProtoMessage().bytes(1, "trainyard.test"))
        .data();
}

inline QByteArray graphEvent(double wallTime, int bytes)
{
    return ProtoMessage()
        .fixed64(field::EventWallTime, wallTime)
        .bytes(field::EventGraphDef, QByteArray(bytes, 'g'))
        .data();
}

/// One TFRecord: length, masked CRC of the length, data, masked CRC of the data.
inline QByteArray record(const QByteArray &payload)
{
    QByteArray out;
    const quint64 length = quint64(payload.size());
    out.append(reinterpret_cast<const char *>(&length), 8);
    const quint32 lengthCrc = core::crc32c::mask(core::crc32c::value(out.constData(), 8));
    out.append(reinterpret_cast<const char *>(&lengthCrc), 4);
    out += payload;
    const quint32 dataCrc = core::crc32c::mask(core::crc32c::value(payload.constData(), size_t(payload.size())));
    out.append(reinterpret_cast<const char *>(&dataCrc), 4);
    return out;
}

inline QByteArray records(const QList<QByteArray> &payloads)
{
    QByteArray out;
    for (const QByteArray &p : payloads)
        out += record(p);
    return out;
}

/// Appends to a file (a writer adding records); false on failure.
inline bool appendFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::Append) && f.write(bytes) == bytes.size();
}

} // namespace trainyard::test
