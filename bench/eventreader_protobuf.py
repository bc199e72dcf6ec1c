#!/usr/bin/env python3
"""The Python side of bench_eventreader: reads one TensorBoard event file the way a Python tool
would with Debian's python3-protobuf, and prints {"points": N, "seconds": S} as JSON.

It reads the TFRecord framing with struct, parses each record into an Event message generated
by protoc from core/metrics/event.proto (the same schema the C++ reader uses), and keeps the
scalars per tag in compact arrays: legacy simple_value, and rank-0 float/double/int32/int64
tensors of tags whose first metadata names the "scalars" plugin.

CRCs are checked only with --crc, in pure Python, as TensorBoard's own reader does when
TensorFlow is not installed (tensorboard/compat/tensorflow_stub). Without --crc the Python side
does less work than the C++ reader, so the ratio it gives is a lower bound.

Usage: eventreader_protobuf.py [--crc] PROTO_FILE EVENT_FILE
"""

import array
import atexit
import importlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time


def load_module(proto):
    out = tempfile.mkdtemp(prefix="trainyard-bench-pb-")
    atexit.register(shutil.rmtree, out, True)
    subprocess.run(["protoc", "-I", os.path.dirname(proto), "--python_out", out, proto], check=True)
    sys.path.insert(0, out)
    return importlib.import_module(os.path.splitext(os.path.basename(proto))[0] + "_pb2")


_CRC_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def masked_crc32c(data):
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read(pb, path, check_crc):
    event = pb.Event()
    kinds = {}
    series = {}
    unpack_header = struct.Struct("<QI").unpack_from
    formats = {1: "<f", 2: "<d", 3: "<i", 9: "<q"}
    typed = {1: "float_val", 2: "double_val", 3: "int_val", 9: "int64_val"}
    points = 0
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    end = len(data)
    unpack_crc = struct.Struct("<I").unpack_from
    while end - pos >= 12:
        length, length_crc = unpack_header(data, pos)
        if end - pos < 16 + length:
            break
        payload = data[pos + 12:pos + 12 + length]
        if check_crc and (masked_crc32c(data[pos:pos + 8]) != length_crc
                          or masked_crc32c(payload) != unpack_crc(data, pos + 12 + length)[0]):
            raise ValueError("CRC mismatch at offset %d" % pos)
        event.ParseFromString(payload)
        pos += 16 + length
        if not event.HasField("summary"):
            continue
        for v in event.summary.value:
            simple = v.HasField("simple_value")
            tensor = v.HasField("tensor")
            if not simple and not tensor and not v.HasField("metadata"):
                continue
            tag = v.tag
            if tag not in kinds:
                if simple:
                    kinds[tag] = True
                elif v.HasField("metadata"):
                    kinds[tag] = v.metadata.plugin_data.plugin_name == b"scalars"
            if simple:
                value = v.simple_value
            elif tensor and kinds.get(tag):
                t = v.tensor
                if len(t.tensor_shape.dim) or t.dtype not in formats:
                    continue
                if t.tensor_content:
                    if len(t.tensor_content) != struct.calcsize(formats[t.dtype]):
                        continue
                    value = float(struct.unpack(formats[t.dtype], t.tensor_content)[0])
                else:
                    values = getattr(t, typed[t.dtype])
                    if len(values) != 1:
                        continue
                    value = float(values[0])
            else:
                continue
            s = series.get(tag)
            if s is None:
                s = series[tag] = (array.array("q"), array.array("d"), array.array("d"))
            s[0].append(event.step)
            s[1].append(event.wall_time)
            s[2].append(value)
            points += 1
    return points


def main():
    args = sys.argv[1:]
    check_crc = "--crc" in args
    proto, path = [a for a in args if a != "--crc"]
    pb = load_module(proto)
    start = time.perf_counter()
    points = read(pb, path, check_crc)
    seconds = time.perf_counter() - start
    from google.protobuf.internal import api_implementation

    print(json.dumps({"points": points, "seconds": seconds, "protobuf": api_implementation.Type()}))


if __name__ == "__main__":
    main()
