#!/usr/bin/env python3
"""Independent decoder for the demo trainer's TensorBoard event files (Python 3 standard library only).

Parses the TFRecord framing, verifies both masked CRC32C checksums, decodes the protobuf wire
format of each tensorflow.Event and prints one line per scalar: step, tag, value.

    check_events.py logs/events.out.tfevents.1700000000.trainyard-demo

Exits 1 on any framing, checksum or wire-format error.
"""
import struct
import sys


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def fields(buf: bytes):
    """Yields (field number, wire type, value) for one protobuf message."""
    pos = 0

    def varint():
        nonlocal pos
        result = shift = 0
        while True:
            if pos >= len(buf):
                raise ValueError("truncated varint")
            b = buf[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
            if shift >= 70:
                raise ValueError("varint too long")

    while pos < len(buf):
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            yield field, wire, varint()
        elif wire == 1:
            if pos + 8 > len(buf):
                raise ValueError("truncated fixed64")
            yield field, wire, buf[pos:pos + 8]
            pos += 8
        elif wire == 2:
            n = varint()
            if pos + n > len(buf):
                raise ValueError("truncated length-delimited field")
            yield field, wire, buf[pos:pos + n]
            pos += n
        elif wire == 5:
            if pos + 4 > len(buf):
                raise ValueError("truncated fixed32")
            yield field, wire, buf[pos:pos + 4]
            pos += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")


def records(data: bytes):
    pos = 0
    while pos < len(data):
        if pos + 12 > len(data):
            raise ValueError(f"truncated record header at offset {pos}")
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (len_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if len_crc != masked(header):
            raise ValueError(f"length CRC mismatch at offset {pos}")
        body = data[pos + 12:pos + 12 + length]
        if len(body) != length or pos + 16 + length > len(data):
            raise ValueError(f"truncated record at offset {pos}")
        (data_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if data_crc != masked(body):
            raise ValueError(f"data CRC mismatch at offset {pos}")
        yield body
        pos += 16 + length


def decode_event(body: bytes):
    event = {"wall_time": None, "step": 0, "file_version": None, "scalars": []}
    for field, wire, value in fields(body):
        if field == 1 and wire == 1:
            event["wall_time"] = struct.unpack("<d", value)[0]
        elif field == 2 and wire == 0:
            event["step"] = value - (1 << 64) if value >= 1 << 63 else value
        elif field == 3 and wire == 2:
            event["file_version"] = value.decode()
        elif field == 5 and wire == 2:  # Summary
            for f, w, v in fields(value):
                if f == 1 and w == 2:  # Summary.Value
                    tag, simple = None, None
                    for vf, vw, vv in fields(v):
                        if vf == 1 and vw == 2:
                            tag = vv.decode()
                        elif vf == 2 and vw == 5:
                            simple = struct.unpack("<f", vv)[0]
                    event["scalars"].append((tag, simple))
    return event


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], "rb") as fh:
        data = fh.read()
    try:
        events = [decode_event(body) for body in records(data)]
    except ValueError as e:
        print(f"check_events: {argv[1]}: {e}", file=sys.stderr)
        return 1
    if not events or events[0]["file_version"] != "brain.Event:2":
        print("check_events: first record is not file_version brain.Event:2", file=sys.stderr)
        return 1
    count = 0
    for ev in events[1:]:
        for tag, value in ev["scalars"]:
            print(f"{ev['step']} {tag} {value:.6g}")
            count += 1
    first = events[0]
    print(f"# {len(events)} records, CRCs ok; file_version {first['file_version']} at step {first['step']}, "
          f"wall_time {first['wall_time']!r}; {count} scalars; last wall_time {events[-1]['wall_time']!r}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
