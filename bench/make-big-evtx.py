#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# A big EVTX log for the bench: a real log's chunks copied over and over, each copy's record numbers moved past the
# last (chunk headers and record headers, checksums recomputed), so every record is distinct.
# Usage: make-big-evtx.py SOURCE.evtx TARGET.evtx MEGABYTES
import struct
import sys
import zlib

src, dst, megabytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src, "rb").read()
chunks = [data[o:o + 65536] for o in range(4096, len(data) - 65535, 65536) if data[o:o + 8] == b"ElfChnk\0"]
top = max(struct.unpack_from("<Q", c, 32)[0] for c in chunks)
with open(dst, "wb") as out:
    out.write(data[:4096])
    written, copy = 0, 0
    while written < megabytes * 1024 * 1024:
        shift = copy * top
        for c in chunks:
            c = bytearray(c)
            for off in (8, 16, 24, 32):
                struct.pack_into("<Q", c, off, struct.unpack_from("<Q", c, off)[0] + shift)
            off = 512
            while off + 24 <= len(c) and c[off:off + 4] == b"**\0\0":
                size = struct.unpack_from("<I", c, off + 4)[0]
                struct.pack_into("<Q", c, off + 8, struct.unpack_from("<Q", c, off + 8)[0] + shift)
                if size < 24:
                    break
                off += size
            free = struct.unpack_from("<I", c, 48)[0]
            struct.pack_into("<I", c, 52, zlib.crc32(bytes(c[512:free])) & 0xFFFFFFFF)
            struct.pack_into("<I", c, 124, zlib.crc32(bytes(c[:120] + c[128:512])) & 0xFFFFFFFF)
            out.write(c)
            written += 65536
        copy += 1
