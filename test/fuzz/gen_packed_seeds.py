#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_packed (test/fuzz/corpus/packed/).

The input layout is documented at the top of fuzz_packed.c. Each seed is a
small, valid scenario the fuzzer mutates from: single, chained and indirect
buffers, both directions, wrap-around starts, split memory, event
suppression modes, and a few broken rings.

Usage: gen_packed_seeds.py [output-dir]
"""
import os
import struct
import sys

GPA_BASE = 0x10000000    # FUZZ_GPA_BASE: table entries are real gpas
MEM_SIZE = 1 << 20
DATA_OFF = 0x40000
ROUNDS = 8

NEXT, WRITE, INDIRECT = 1, 2, 4
AUTO = 1 << 14          # "make available for the current lap"
RAW = 1 << 63           # address used as is (outside guest memory)

EVENT_IDX, MRG, IN_ORDER, INDIR, HDR12, OL, GUEST_OL = 1, 2, 4, 8, 16, 32, 64


def tcp4_frame(payload):
    """Ethernet + IPv4 + TCP + payload bytes (checksum field: 0)."""
    l4 = struct.pack('!HHIIBBHHH', 1234, 80, 1, 0, 5 << 4, 0x18, 65535, 0, 0)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4) + payload, 1, 0, 64,
                     6, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return bytes(12) + b'\x08\x00' + ip + l4 + bytes(i & 0xff for i in range(payload))


def net_hdr(flags, gso, gso_size, cstart, coff):
    return struct.pack('<BBHHHHH', flags, gso, 0, gso_size, cstart, coff, 0)


def desc(addr, length, did, flags):
    return struct.pack('<QIHH', addr, length, did, flags)


def seed(size, cfg, descs, ops, start=0, wrap=1, split=0, ev_flags=0,
         ev_off_wrap=0, mem=b''):
    """Build one input: header, ring, rounds, guest memory bytes."""
    assert len(descs) <= size
    hdr = struct.pack('<BBHBBHB7x', (size - 1) % 64, cfg,
                      (start % size) | (wrap << 15), split, ev_flags,
                      ev_off_wrap, len(ops) - 1)
    ring = b''.join(descs) + bytes(16 * (size - len(descs)))
    rounds = b''
    for op, count, lseed in ops + [(0, 0, 0)] * (ROUNDS - len(ops)):
        rounds += struct.pack('<BBH', op, count - 1 if count else 0, lseed)
    return hdr + ring + rounds + mem


def buf(i):
    """Offset of a 2 KiB buffer in guest memory (inside the data area)."""
    return DATA_OFF + 0x1000 + i * 0x800


def table(entries):
    """An indirect table; entries are (offset in memory, len, flags)."""
    return b''.join(desc(GPA_BASE + a, n, 0, f) for a, n, f in entries)


def seeds():
    out = {}
    enq = [(1, 8, 64), (1, 4, 1500)]
    deq = [(0, 8, 0), (0, 4, 0)]

    # RX: 8 single writable buffers, batches of 4
    out['rx_single'] = seed(8, HDR12, [desc(buf(i), 2048, i, WRITE | AUTO)
                                       for i in range(8)], enq)
    # TX: 8 single buffers of 76 bytes
    out['tx_single'] = seed(8, HDR12, [desc(buf(i), 76, i, AUTO)
                                       for i in range(8)], deq)
    # RX chains of two, starting near the end of the ring (wraps)
    out['rx_chain_wrap'] = seed(16, HDR12, [
        desc(buf(i), 1024, i // 2, (NEXT if i % 2 == 0 else 0) |
             WRITE | AUTO) for i in range(16)], enq * 3, start=13, wrap=0)
    # TX chain with the header split
    out['tx_chain'] = seed(4, HDR12, [
        desc(buf(0), 5, 0, NEXT | AUTO), desc(buf(0) + 5, 7, 0, NEXT | AUTO),
        desc(buf(0) + 12, 1000, 0, AUTO), desc(buf(1), 100, 1, AUTO)], deq)
    # indirect both ways (tables in the data area)
    mem = bytearray(0x1000)
    mem[0:48] = table([(DATA_OFF + 0x1000, 12, 0),
                       (DATA_OFF + 0x1000 + 12, 500, 0),
                       (DATA_OFF + 0x1800, 64, 0)])
    mem[0x100:0x120] = table([(DATA_OFF + 0x2000, 1024, WRITE),
                              (DATA_OFF + 0x2400, 1024, WRITE)])
    out['tx_indirect'] = seed(4, HDR12 | INDIR, [
        desc(DATA_OFF, 48, 0, INDIRECT | AUTO),
        desc(DATA_OFF, 48, 1, INDIRECT | AUTO)], deq, mem=bytes(mem))
    out['rx_indirect'] = seed(4, HDR12 | INDIR, [
        desc(DATA_OFF + 0x100, 32, 0, INDIRECT | AUTO),
        desc(DATA_OFF + 0x100, 32, 1, INDIRECT | AUTO)], enq,
        mem=bytes(mem))
    # mergeable with small buffers, jumbo frames
    out['rx_mrg_jumbo'] = seed(32, HDR12 | MRG, [
        desc(buf(i % 16), 1024, i, WRITE | AUTO) for i in range(32)],
        [(1, 3, 3000), (1, 2, 9000 % 65536)])
    # IN_ORDER TX, event idx
    out['tx_in_order_evidx'] = seed(16, HDR12 | IN_ORDER | EVENT_IDX, [
        desc(buf(i), 60 + i, i, AUTO) for i in range(16)], deq * 4,
        ev_flags=2, ev_off_wrap=(1 << 15) | 5)
    # split memory: buffers across the boundary
    split_page = (DATA_OFF + 0x2000) // 4096
    out['split_memory'] = seed(8, HDR12, [
        desc(split_page * 4096 - 40, 2048, i, WRITE | AUTO)
        for i in range(4)] + [desc(split_page * 4096 - 40, 200, 4 + i, AUTO)
                              for i in range(4)],
        [(1, 4, 100), (0, 4, 0)], split=split_page - 1)
    # bad input: ids out of range, addresses outside, overflow, loops
    out['bad_mix'] = seed(8, 0, [
        desc(buf(0), 2048, 99, WRITE | AUTO),
        desc(RAW | 0x7fff_ffff_ffff_0000, 64, 1, WRITE | AUTO),
        desc(buf(1), 4, 2, WRITE | AUTO),
        desc(buf(2), 2048, 3, AUTO)], enq)
    out['bad_loop'] = seed(4, 0, [desc(buf(0), 64, 0, NEXT | AUTO)
                                  for _ in range(4)], deq)
    out['bad_indirect'] = seed(4, INDIR, [
        desc(DATA_OFF, 24, 0, INDIRECT | AUTO),
        desc(DATA_OFF, 48, 1, INDIRECT | NEXT | AUTO),
        desc(buf(0), 64, 1, AUTO),
        desc(RAW | 0xffff_ffff_ffff_fff0, 32, 3, INDIRECT | AUTO)],
        deq, mem=bytes(mem))
    out['non_pow2_size'] = seed(7, HDR12, [desc(buf(i), 2048, i,
                                                WRITE | AUTO)
                                           for i in range(7)], enq * 4)
    # offloads: guest TX headers (valid, GSO, DATA_VALID, bad) and RX
    # packets marked with offload requests, GUEST_CSUM or not
    mem = bytearray(0x8000)
    hdrs = [net_hdr(1, 0, 0, 34, 16), net_hdr(1, 1, 1000, 34, 16),
            net_hdr(2, 0, 0, 0, 0), net_hdr(1, 0, 0, 34, 3000),
            net_hdr(1, 1, 0, 34, 16), net_hdr(1, 4, 1000, 34, 16),
            net_hdr(1, 0, 0, 14, 2), net_hdr(0x81, 0, 0, 34, 16)]
    tx = []
    for i, hdr in enumerate(hdrs):
        f = hdr + tcp4_frame(100 + 600 * (i % 3))
        mem[0x1000 * i:0x1000 * i + len(f)] = f
        tx.append(desc(DATA_OFF + 0x1000 * i, len(f), i, AUTO))
    for cfg, name in ((OL | GUEST_OL, 'offload'), (OL, 'offload_sw')):
        out[name + '_tx'] = seed(8, HDR12 | cfg, tx, deq, mem=bytes(mem))
        out[name + '_rx'] = seed(16, HDR12 | MRG | cfg, [
            desc(buf(i), 2048, i, WRITE | AUTO) for i in range(16)],
            [(1, 8, 1514), (1, 4, 3001), (1, 8, 77)])
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, 'corpus', 'packed')
    os.makedirs(outdir, exist_ok=True)
    for name, blob in sorted(seeds().items()):
        with open(os.path.join(outdir, name), 'wb') as f:
            f.write(blob)
    print('wrote %d seeds to %s' % (len(seeds()), outdir))


if __name__ == '__main__':
    main()
