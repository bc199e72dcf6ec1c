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

With --json-tag TAG it then prints that tag's points as JSON Lines, as `trainyard scalars --json
--tag` does ({"run", "tag", "step", "wall_time", "value"}), for the end-to-end comparison; the
summary line goes to stderr then. --pb-dir DIR keeps the module protoc generates in DIR (made on
the first call), as an installed tool would have it, so that later calls do not run protoc.

Usage: eventreader_protobuf.py [--crc] [--json-tag TAG] [--pb-dir DIR] PROTO_FILE EVENT_FILE
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


def load_module(proto, pb_dir):
    name = os.path.splitext(os.path.basename(proto))[0] + "_pb2"
    if pb_dir is None:
        out = tempfile.mkdtemp(prefix="trainyard-bench-pb-")
        atexit.register(shutil.rmtree, out, True)
    else:
        out = pb_dir
    if not os.path.exists(os.path.join(out, name + ".py")):
        subprocess.run(["protoc", "-I", os.path.dirname(proto), "--python_out", out, proto], check=True)
    sys.path.insert(0, out)
    return importlib.import_module(name)


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
    return points, series


def json_number(v):
    """As trainyard writes numbers in JSON: null for NaN, the strings "inf" and "-inf"."""
    if v != v:
        return "null"
    if v in (float("inf"), float("-inf")):
        return '"inf"' if v > 0 else '"-inf"'
    return repr(v)


def print_tag(tag, s):
    prefix = '{"run":"","tag":' + json.dumps(tag) + ',"step":'
    out = sys.stdout
    lines = []
    for step, wall_time, value in zip(s[0], s[1], s[2]):
        lines.append("%s%d,\"wall_time\":%s,\"value\":%s}\n"
                     % (prefix, step, json_number(wall_time), json_number(value)))
        if len(lines) >= 4096:
            out.write("".join(lines))
            lines.clear()
    out.write("".join(lines))


def main():
    args = sys.argv[1:]
    check_crc = "--crc" in args
    if check_crc:
        args.remove("--crc")
    json_tag = pb_dir = None
    if "--json-tag" in args:
        i = args.index("--json-tag")
        json_tag = args[i + 1]
        del args[i:i + 2]
    if "--pb-dir" in args:
        i = args.index("--pb-dir")
        pb_dir = args[i + 1]
        del args[i:i + 2]
    proto, path = args
    pb = load_module(proto, pb_dir)
    start = time.perf_counter()
    points, series = read(pb, path, check_crc)
    # event.proto declares tags as bytes (a damaged tag must not stop the reader): keys are bytes.
    if json_tag is not None and json_tag.encode() in series:
        print_tag(json_tag, series[json_tag.encode()])
    seconds = time.perf_counter() - start
    from google.protobuf.internal import api_implementation

    summary = json.dumps({"points": points, "seconds": seconds, "protobuf": api_implementation.Type()})
    print(summary, file=sys.stderr if json_tag is not None else sys.stdout)


if __name__ == "__main__":
    main()
