#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_protocol (test/fuzz/corpus/protocol/).

Record format (see fuzz_protocol.c): u8 fdspec (low nibble: fd count,
high nibble: memfd size in 64 KiB units), then the 12-byte vhost-user
header (request, flags, size; little-endian), then the payload.
Run: python3 test/fuzz/gen_protocol_seeds.py [outdir]
"""
import os
import struct
import sys

NEED_REPLY = 1 << 3
V1 = 1

GET_FEATURES, SET_FEATURES, SET_OWNER, RESET_OWNER, SET_MEM_TABLE = 1, 2, 3, 4, 5
SET_LOG_BASE, SET_LOG_FD, SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE = 6, 7, 8, 9, 10
GET_VRING_BASE, SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR = 11, 12, 13, 14
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, GET_QUEUE_NUM = 15, 16, 17
SET_VRING_ENABLE, GET_CONFIG, SET_CONFIG, RESET_DEVICE = 18, 24, 25, 34
GET_MAX_MEM_SLOTS, ADD_MEM_REG, REM_MEM_REG, SET_STATUS, GET_STATUS = 36, 37, 38, 39, 40

PROTO = (1 << 0) | (1 << 3) | (1 << 13) | (1 << 15) | (1 << 16)
F_VERSION_1, F_PACKED, F_PROTOCOL, F_MRG, F_EVENT_IDX = 32, 34, 30, 15, 29
FEATURES = (1 << F_VERSION_1) | (1 << F_PROTOCOL) | (1 << F_MRG) | (1 << F_EVENT_IDX)

UADDR = 0x10000000
MEMSIZE = 2 * 65536


def rec(req, payload=b'', nfds=0, fdsize_units=0, flags=V1 | NEED_REPLY, size=None):
    spec = (fdsize_units << 4) | nfds
    return (bytes([spec]) + struct.pack('<III', req, flags,
                                         len(payload) if size is None else size)
            + payload)


def u64(v):
    return struct.pack('<Q', v)


def state(i, n):
    return struct.pack('<II', i, n)


def region(gpa, size, uaddr, off):
    return struct.pack('<QQQQ', gpa, size, uaddr, off)


def mem_table(regions):
    return struct.pack('<II', len(regions), 0) + b''.join(regions)


def addr(i, desc, avail, used):
    return struct.pack('<IIQQQQ', i, 0, desc, used, avail, 0)


def ring_setup(i, qsize=64, packed=False):
    base = UADDR + 0x4000 * i
    return [
        rec(SET_VRING_NUM, state(i, qsize)),
        rec(SET_VRING_BASE, state(i, 0x8000 if packed else 0)),
        rec(SET_VRING_ADDR, addr(i, base, base + 0x1000, base + 0x2000)),
        rec(SET_VRING_CALL, u64(i), nfds=1),
        rec(SET_VRING_KICK, u64(i), nfds=1),
        rec(SET_VRING_ENABLE, state(i, 1)),
    ]


def happy(features):
    packed = bool(features >> F_PACKED & 1)
    out = [
        rec(GET_FEATURES, flags=V1),
        rec(GET_PROTOCOL_FEATURES, flags=V1),
        rec(SET_PROTOCOL_FEATURES, u64(PROTO)),
        rec(GET_QUEUE_NUM, flags=V1),
        rec(SET_OWNER),
        rec(SET_FEATURES, u64(features)),
        rec(SET_STATUS, u64(11)),
        rec(SET_MEM_TABLE, mem_table([region(0, MEMSIZE, UADDR, 0)]), nfds=1,
            fdsize_units=2),
    ]
    for i in range(4):
        out += ring_setup(i, packed=packed)
    out += [
        rec(SET_STATUS, u64(15)),
        rec(GET_STATUS, flags=V1),
        rec(GET_VRING_BASE, state(1, 0), flags=V1),
        rec(SET_VRING_KICK, u64(1), nfds=1),
        rec(SET_VRING_CALL, u64(0 | 0x100)),
        rec(SET_STATUS, u64(0)),
    ]
    return b''.join(out)


def bad():
    return b''.join([
        rec(SET_PROTOCOL_FEATURES, u64(PROTO)),
        rec(SET_VRING_ADDR, addr(0, UADDR, UADDR + 0x1000, UADDR + 0x2000)),
        rec(SET_VRING_NUM, state(0, 100)),
        rec(SET_VRING_NUM, state(9, 64)),
        rec(SET_VRING_NUM, state(0, 64)[:4]),
        rec(99),
        rec(SET_FEATURES, u64(FEATURES), nfds=3),
        rec(SET_VRING_KICK, u64(0x100), nfds=1),
        rec(SET_MEM_TABLE, mem_table([region(0, MEMSIZE, UADDR, 0)] * 2), nfds=2,
            fdsize_units=2),
        rec(SET_MEM_TABLE, mem_table([region(0, MEMSIZE, UADDR, 4096)]), nfds=1,
            fdsize_units=2),
        rec(SET_MEM_TABLE, mem_table([region(0, 0, UADDR, 0)]), nfds=1,
            fdsize_units=1),
        rec(SET_LOG_BASE, u64(0) * 2, nfds=1),
        rec(SET_LOG_FD, nfds=1),
        rec(GET_CONFIG, b'\0' * 12, flags=V1),
        rec(SET_CONFIG, b'\0' * 16),
        rec(GET_FEATURES, flags=V1, size=100000),
    ])


def mem_slots():
    return b''.join([
        rec(SET_PROTOCOL_FEATURES, u64(PROTO)),
        rec(GET_MAX_MEM_SLOTS, flags=V1),
        rec(ADD_MEM_REG, u64(0) + region(0, 65536, UADDR, 0), nfds=1,
            fdsize_units=1),
        rec(ADD_MEM_REG, u64(0) + region(65536, 65536, UADDR + 65536, 0), nfds=1,
            fdsize_units=1),
        rec(SET_VRING_NUM, state(0, 64)),
        rec(SET_VRING_ADDR, addr(0, UADDR, UADDR + 0x1000, UADDR + 0x2000)),
        rec(REM_MEM_REG, u64(0) + region(0, 65536, UADDR, 0), nfds=1),
        rec(RESET_DEVICE),
        rec(RESET_OWNER),
    ])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'corpus', 'protocol')
    os.makedirs(out, exist_ok=True)
    seeds = {
        'happy_split': happy(FEATURES),
        'happy_packed': happy(FEATURES | (1 << F_PACKED)),
        'bad_inputs': bad(),
        'mem_slots': mem_slots(),
    }
    for name, blob in seeds.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(blob)


if __name__ == '__main__':
    main()
