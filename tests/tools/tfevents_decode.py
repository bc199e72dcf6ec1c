#!/usr/bin/env python3
"""Prints the scalars of TensorBoard event files as JSON lines, like `trainyard scalars --json`.

An independent second reader for the tests: Python 3 standard library only, the TFRecord
framing, CRC-32C and protobuf wire format decoded by hand from the public field numbers
(tensorflow/core/util/event.proto, framework/summary.proto, tensor.proto). It shares no code
with the C++ reader.

Usage: tfevents_decode.py [--run NAME] [--bits] [--no-crc] FILE...
  The FILEs are one run's files, read in the order given, with one per-tag memory of metadata.
  --bits adds "wall_time_bits" and "value_bits": the IEEE-754 bits of the double (float32
  values widened exactly) in hex, for bit-exact comparison.
  --no-crc skips the CRC-32C checks (the framing is still checked).
Exit status: 0 when everything was read, 3 when some records were damaged (reported on stderr).
"""

import json
import math
import struct
import sys

# --- CRC-32C (Castagnoli), reflected polynomial 0x82F63B78 ---------------------------------

_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    table = _TABLE
    for b in data:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


# --- protobuf wire format --------------------------------------------------------------------


class Malformed(Exception):
    pass


def read_varint(buf, pos):
    result = 0
    shift = 0
    while True:
        if pos >= len(buf) or shift >= 64:
            raise Malformed("bad varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result & 0xFFFFFFFFFFFFFFFF, pos
        shift += 7


def fields(buf):
    """Yields (field number, wire type, value): int for varints, bytes otherwise."""
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise Malformed("field number 0")
        if wire == 0:
            value, pos = read_varint(buf, pos)
        elif wire == 1:
            if pos + 8 > len(buf):
                raise Malformed("fixed64 past the end")
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 5:
            if pos + 4 > len(buf):
                raise Malformed("fixed32 past the end")
            value, pos = buf[pos:pos + 4], pos + 4
        elif wire == 2:
            length, pos = read_varint(buf, pos)
            if pos + length > len(buf):
                raise Malformed("length past the end")
            value, pos = buf[pos:pos + length], pos + length
        else:
            raise Malformed("wire type %d" % wire)
        yield number, wire, value


def signed64(v):
    return v - (1 << 64) if v >= (1 << 63) else v


def signed32(v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= (1 << 31) else v


def repeated(buf, number, packed_wire, item_size, unpack):
    """Values of a repeated scalar field, packed or not. item_size None means varints."""
    out = []
    for n, wire, value in fields(buf):
        if n != number:
            continue
        if wire == 2:  # packed
            if item_size is None:
                pos = 0
                while pos < len(value):
                    v, pos = read_varint(value, pos)
                    out.append(unpack(v))
            else:
                if len(value) % item_size:
                    raise Malformed("packed field of a wrong size")
                for i in range(0, len(value), item_size):
                    out.append(unpack(value[i:i + item_size]))
        elif wire == packed_wire:
            out.append(unpack(value))
    return out


def message(buf, number):
    """A sub-message field: all occurrences merged (concatenated), or None if absent."""
    parts = [v for n, w, v in fields(buf) if n == number and w == 2]
    return b"".join(parts) if parts else None


def last(buf, number, wire):
    found = None
    for n, w, v in fields(buf):
        if n == number and w == wire:
            found = v
    return found


# --- TensorFlow messages ---------------------------------------------------------------------

DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64 = 1, 2, 3, 9


def tensor_scalar(tensor):
    """The value of a rank-0 float/double/int32/int64 TensorProto, or None."""
    shape = message(tensor, 2)
    if shape is not None:
        if any(n == 2 for n, _, _ in fields(shape)):
            return None  # has dims: not rank 0
        unknown_rank = last(shape, 3, 0)
        if unknown_rank:
            return None
    dtype = signed32(last(tensor, 1, 0) or 0)
    content = last(tensor, 4, 2)
    formats = {
        DT_FLOAT: ("<f", 5, 5, 4, lambda b: struct.unpack("<f", b)[0]),
        DT_DOUBLE: ("<d", 6, 1, 8, lambda b: struct.unpack("<d", b)[0]),
        DT_INT32: ("<i", 7, 0, None, signed32),
        DT_INT64: ("<q", 10, 0, None, signed64),
    }
    if dtype not in formats:
        return None
    fmt, number, wire, size, unpack = formats[dtype]
    if content:
        if len(content) != struct.calcsize(fmt):
            return None
        return float(struct.unpack(fmt, content)[0])
    values = repeated(tensor, number, wire, size, unpack)
    if len(values) != 1:
        return None
    return float(values[0])


class RunDecoder:
    def __init__(self):
        self.kind = {}  # tag -> "scalars" or "other", from the first metadata seen

    def decode(self, event):
        """Yields (tag, step, wall_time, value) for each scalar of a serialized Event."""
        wall_time = 0.0
        step = 0
        summary_parts = []
        for n, w, v in fields(event):
            if n == 1 and w == 1:
                wall_time = struct.unpack("<d", v)[0]
            elif n == 2 and w == 0:
                step = signed64(v)
            elif n == 5 and w == 2:
                summary_parts.append(v)
        if not summary_parts:
            return
        summary = b"".join(summary_parts)
        for n, w, value in list(fields(summary)):
            if n != 1 or w != 2:
                continue
            tag = last(value, 1, 2) or b""
            simple = last(value, 2, 5)
            tensor = message(value, 8)
            metadata = message(value, 9)
            if simple is None and tensor is None and metadata is None:
                continue
            if tag not in self.kind:
                if simple is not None:
                    self.kind[tag] = "scalars"
                elif metadata is not None:
                    plugin_data = message(metadata, 1)
                    name = (last(plugin_data, 1, 2) if plugin_data is not None else None) or b""
                    self.kind[tag] = "scalars" if name == b"scalars" else "other"
            if simple is not None:
                yield tag, step, wall_time, struct.unpack("<f", simple)[0]
            elif tensor is not None and self.kind.get(tag) == "scalars":
                v = tensor_scalar(tensor)
                if v is not None:
                    yield tag, step, wall_time, v


# --- TFRecord --------------------------------------------------------------------------------


def records(path, check_crc, damage):
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    while True:
        if len(data) - pos < 12:
            if pos != len(data):
                print("%s: note: unfinished record at offset %d" % (path, pos), file=sys.stderr)
            return
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if check_crc and masked(crc32c(header)) != length_crc:
            damage.append("%s: error: record at offset %d: length field fails its CRC" % (path, pos))
            return
        if len(data) - pos < 16 + length:
            print("%s: note: unfinished record at offset %d" % (path, pos), file=sys.stderr)
            return
        payload = data[pos + 12:pos + 12 + length]
        (data_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if check_crc and masked(crc32c(payload)) != data_crc:
            damage.append("%s: error: record at offset %d: data fails its CRC" % (path, pos))
        else:
            yield pos, payload
        pos += 16 + length


def number(v):
    if math.isnan(v):
        return None
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def bits(v):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]


def main(argv):
    run = ""
    with_bits = False
    check_crc = True
    files = []
    args = iter(argv)
    for a in args:
        if a == "--run":
            run = next(args)
        elif a == "--bits":
            with_bits = True
        elif a == "--no-crc":
            check_crc = False
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            files.append(a)
    if not files:
        print(__doc__, file=sys.stderr)
        return 2
    decoder = RunDecoder()
    damage = []
    out = sys.stdout
    for path in files:
        for offset, payload in records(path, check_crc, damage):
            try:
                scalars = list(decoder.decode(payload))
            except Malformed as e:
                damage.append("%s: error: record at offset %d: not a valid Event protobuf (%s)" % (path, offset, e))
                continue
            for tag, step, wall_time, value in scalars:
                line = {
                    "run": run,
                    "tag": tag.decode("utf-8", errors="replace"),
                    "step": step,
                    "wall_time": number(wall_time),
                    "value": number(value),
                }
                if with_bits:
                    line["wall_time_bits"] = bits(wall_time)
                    line["value_bits"] = bits(value)
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    for d in damage:
        print(d, file=sys.stderr)
    return 3 if damage else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
