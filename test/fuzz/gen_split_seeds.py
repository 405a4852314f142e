#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Generate the seed corpus of fuzz_split (test/fuzz/corpus/split/).

Each seed is a well-formed scenario in the input format documented at the
top of fuzz_split.c: valid traffic of every kind (single buffers, chains,
split headers, indirect tables, mergeable buffers, IN_ORDER, index wrap,
two regions, a hole, jumbo frames) and each kind of bad input. Run:
    test/fuzz/gen_split_seeds.py [OUTDIR]
"""
import os
import struct
import sys

GPA_BASE = 0x100000
MEM = 256 << 10
DATA_OFF = 64 << 10
SPLIT_OFF = 128 << 10

EVENT_IDX, MRG, IN_ORDER, INDIRECT, HDR12, TWO, HOLE, NO_INT = \
    (1 << i for i in range(8))
NEXT, WRITE, IND = 1, 2, 4


def u16(v):
    return struct.pack('<H', v & 0xffff)


def u64(v):
    return struct.pack('<Q', v & 0xffffffffffffffff)


class D:
    """One descriptor: where (kind, value), len, flags, next."""

    def __init__(self, off=0, length=0, flags=0, nxt=0, kind='data'):
        self.kind, self.val, self.len = kind, off, length
        self.flags, self.next = flags, nxt

    def encode(self, q):
        out = bytearray()
        if self.kind == 'data':
            assert self.val % 2 == 0 and self.val // 2 <= 0xffff
            out += bytes([0]) + u16(self.val // 2)
        elif self.kind == 'end':
            out += bytes([224]) + u16(self.val)
        elif self.kind == 'split':
            out += bytes([240]) + u16(self.val)
        else:
            out += bytes([248]) + u64(self.val)
        fl = self.flags & 7
        if self.len > 0xffff:
            fl |= 0x80
        out += u16(self.len) + bytes([fl])
        if fl & 0x80:
            out += u16(self.len >> 16)
        assert 0 <= self.next <= q
        out += bytes([self.next])
        return out

    def table_bytes(self):
        """As an entry of an indirect table in guest memory."""
        if self.kind == 'data':
            addr = GPA_BASE + DATA_OFF + self.val
        elif self.kind == 'raw':
            addr = self.val
        else:
            raise ValueError(self.kind)
        return struct.pack('<QIHH', addr, self.len, self.flags, self.next)


def ring(q, heads, descs, delta=None, raw_delta=None):
    out = bytearray()
    if raw_delta is None and delta is None and len(heads) >= 0x80:
        raw_delta = len(heads)
    if raw_delta is not None:
        out += bytes([0x80]) + u16(raw_delta)
        n = min(raw_delta, q)
    else:
        d = len(heads) if delta is None else delta
        assert d <= q
        out += bytes([d])
        n = d
    heads = list(heads) + [0] * (n - len(heads))
    for h in heads[:n]:
        if h < q and h < 0xff:
            out += bytes([h])
        else:
            out += bytes([0xff]) + u16(h)
    descs = list(descs) + [D() for _ in range(q - len(descs))]
    for d in descs[:q]:
        out += d.encode(q)
    return out


def seed(qlog, cfg, base, rx, tx, pkts, ntx, mem):
    q = 2 << (qlog % 8)
    out = bytearray([qlog, cfg]) + u16(base)
    out += ring(q, *rx[:2], **(rx[2] if len(rx) > 2 else {}))
    out += ring(q, *tx[:2], **(tx[2] if len(tx) > 2 else {}))
    assert len(pkts) <= 32
    out += bytes([len(pkts)]) + b''.join(u16(p) for p in pkts)
    out += bytes([ntx - 1])
    out += bytes(mem)
    return bytes(out)


class Mem:
    """Guest memory contents at DATA (the input's tail)."""

    def __init__(self):
        self.b = bytearray()

    def put(self, off, data):
        if len(self.b) < off + len(data):
            self.b += bytes(off + len(data) - len(self.b))
        self.b[off:off + len(data)] = data

    def tx_pkt(self, off, hdr_len, n, seed_byte=1):
        self.put(off, bytes(hdr_len) +
                 bytes((seed_byte + 7 * i) & 0xff for i in range(n)))

    def table(self, off, descs):
        self.put(off, b''.join(d.table_bytes() for d in descs))

    def __bytes__(self):
        return bytes(self.b)


def tcp4_frame(payload):
    """Ethernet + IPv4 + TCP (checksum field: anything) + payload bytes."""
    l4 = struct.pack('!HHIIBBHHH', 1234, 80, 1, 0, 5 << 4, 0x18, 65535, 0, 0)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4) + payload, 1, 0, 64,
                     6, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return bytes(12) + b'\x08\x00' + ip + l4 + bytes(i & 0xff for i in range(payload))


def net_hdr(flags, gso, gso_size, cstart, coff, hdr_len=0):
    return struct.pack('<BBHHHHH', flags, gso, hdr_len, gso_size, cstart, coff, 0)


def seeds():
    s = {}
    rxbuf = 0x8000   # RX buffers live past the TX data

    # 1. simple single-descriptor traffic, 12-byte header
    m = Mem()
    txd = []
    for i in range(4):
        m.tx_pkt(i * 0x200, 12, 100 + i)
        txd.append(D(i * 0x200, 12 + 100 + i))
    rxd = [D(rxbuf + i * 0x1000, 2048, WRITE) for i in range(4)]
    s['simple'] = seed(2, HDR12, 0, ([0, 1, 2, 3], rxd), ([0, 1, 2, 3], txd),
                       [60, 1000, 1514, 3000], 8, m)

    # 1b. offloads (qlog bit 3: NET_F_CSUM+TSO, bit 4: GUEST_CSUM+TSO):
    # guest TX headers valid and not, RX packets marked for offloads
    m = Mem()
    txd = []
    hdrs = [net_hdr(1, 0, 0, 34, 16), net_hdr(1, 1, 1000, 34, 16, 54),
            net_hdr(2, 0, 0, 0, 0), net_hdr(1, 0, 0, 34, 2000),
            net_hdr(1, 1, 0, 34, 16), net_hdr(0, 1, 1000, 34, 16),
            net_hdr(1, 4, 1000, 34, 16), net_hdr(1, 0, 0, 14, 2)]
    for i, hdr in enumerate(hdrs):
        f = tcp4_frame(100 + 700 * (i % 3))
        m.put(i * 0x800, hdr + f)
        txd.append(D(i * 0x800, 12 + len(f)))
    rxd = [D(rxbuf + i * 0x1000, 4096, WRITE) for i in range(8)]
    s['offload'] = seed(2 | 8 | 16, HDR12 | MRG, 0,
                        (list(range(8)), rxd), (list(range(8)), txd),
                        [1514, 3001, 1000, 60, 1515, 4000, 2000, 100], 8, m)
    s['offload_sw'] = seed(2 | 8, HDR12, 0,
                           (list(range(8)), rxd), (list(range(8)), txd),
                           [1514, 3001, 1000, 60, 1515, 4000, 2000, 100], 8, m)

    # 2. 10-byte header, same shape
    m = Mem()
    m.tx_pkt(0, 10, 64)
    s['hdr10'] = seed(2, 0, 0, ([0], [D(rxbuf, 1600, WRITE)]),
                      ([0], [D(0, 74)]), [1514], 4, m)

    # 3. chains with split headers
    m = Mem()
    m.tx_pkt(0, 12, 1000)
    txd = [D(0, 4, NEXT, 1), D(4, 20, NEXT, 2), D(24, 988)]
    rxd = [D(rxbuf, 5, WRITE | NEXT, 1), D(rxbuf + 0x10, 9, WRITE | NEXT, 2),
           D(rxbuf + 0x100, 3000, WRITE)]
    s['chains'] = seed(2, HDR12, 0, ([0], rxd), ([0], txd), [1500], 4, m)

    # 4. indirect tables on both rings
    m = Mem()
    m.tx_pkt(0x2000, 12, 600)
    m.table(0x1000, [D(rxbuf, 12, WRITE | NEXT, 1),
                     D(rxbuf + 0x40, 64, WRITE | NEXT, 2),
                     D(rxbuf + 0x100, 4000, WRITE)])
    m.table(0x1100, [D(0x2000, 12, NEXT, 1), D(0x200c, 600)])
    s['indirect'] = seed(2, HDR12 | INDIRECT, 0,
                         ([0], [D(0x1000, 48, IND)]),
                         ([0], [D(0x1100, 32, IND)]), [3000], 4, m)

    # 5. mergeable RX buffers
    m = Mem()
    rxd = [D(rxbuf + i * 0x400, 1024, WRITE) for i in range(8)]
    s['mrg'] = seed(3, HDR12 | MRG, 0, (list(range(8)), rxd), ([], []),
                    [4000, 100, 3000], 1, m)

    # 6. IN_ORDER + EVENT_IDX, full ring
    m = Mem()
    txd = []
    for i in range(8):
        m.tx_pkt(i * 0x100, 12, 60)
        txd.append(D(i * 0x100, 72))
    rxd = [D(rxbuf + i * 0x800, 2048, WRITE) for i in range(8)]
    s['in_order'] = seed(2, HDR12 | IN_ORDER | EVENT_IDX, 0,
                         (list(range(8)), rxd), (list(range(8)), txd),
                         [64] * 8, 8, m)

    # 7. 16-bit index wrap
    m = Mem()
    txd = []
    for i in range(6):
        m.tx_pkt(i * 0x100, 12, 80)
        txd.append(D(i * 0x100, 92))
    rxd = [D(rxbuf + i * 0x800, 2048, WRITE) for i in range(6)]
    s['wrap'] = seed(2, HDR12 | NO_INT, 65530, (list(range(6)), rxd),
                     (list(range(6)), txd), [100] * 6, 8, m)

    # 8. buffers straddling two regions, and a hole between them
    m = Mem()
    split_tx = SPLIT_OFF - 64 + 10 - DATA_OFF
    m.tx_pkt(split_tx, 12, 1000)
    for cfg, name in ((TWO, 'two_regions'), (TWO | HOLE, 'hole')):
        s[name] = seed(2, HDR12 | cfg, 0, ([0], [D(0, 2000, WRITE,
                                                   kind='split')]),
                       ([0], [D(10, 1012, kind='split')]), [1500], 4, m)

    # 9. jumbo frames: chained mbufs both ways, one big buffer / MRG
    m = Mem()
    m.tx_pkt(0, 12, 9000)
    s['jumbo'] = seed(2, HDR12, 0, ([0], [D(0x10000, 9100, WRITE)]),
                      ([0], [D(0, 9012)]), [9000], 1, m)
    rxd = [D(0x10000 + i * 0x1000, 4096, WRITE) for i in range(3)]
    s['jumbo_mrg'] = seed(2, HDR12 | MRG, 0, ([0, 1, 2], rxd),
                          ([0], [D(0, 9012)]), [9000], 1, m)

    # 10. bad descriptors, one per ring slot (Q = 16)
    m = Mem()
    for i in range(16):
        m.tx_pkt(i * 0x100, 12, 40)
    bad = [
        D(0xffffffffffffff00, 0x200, kind='raw'),          # addr overflow
        D(0x40, 200, kind='end'),                          # crosses end
        D(0, 0x100, kind='raw'),                           # below memory
        D(0, 12, NEXT, 4), D(0x100, 12, NEXT, 3),          # loop 3 <-> 4
        D(0x200, 12, NEXT, 16),                            # next beyond
        D(0x3000, 24, IND),                                # misaligned ind
        D(0x3000, 32, IND | NEXT, 1),                      # ind + NEXT
        D(0x3100, 32, IND),                                # nested ind
        D(0x3000, 16 * 17, IND),                           # oversized ind
        D(0x300, 8),                                       # short header
        D(0x400, 52, WRITE),                               # wrong direction
        D(0x500, 52), D(0x600, 52), D(0x700, 52), D(0x800, 52),
    ]
    m.table(0x3000, [D(0x900, 52), D(0xa00, 52)])
    m.table(0x3100, [D(0x900, 12, NEXT, 1), D(0x3000, 32, IND)])
    rxbad = []
    for d in bad:
        e = D(d.val, d.len, d.flags ^ (WRITE if d.kind != 'raw' else 0),
              d.next, d.kind)
        rxbad.append(e)
    heads = list(range(16))
    s['bad_desc'] = seed(3, HDR12 | INDIRECT, 0, (heads, rxbad),
                         (heads, bad), [100] * 16, 32, m)
    s['bad_desc_mrg'] = seed(3, HDR12 | INDIRECT | MRG, 7, (heads, rxbad),
                             (heads, bad), [3000] * 8, 32, m)

    # 11. bad heads and corrupt avail indexes
    m = Mem()
    m.tx_pkt(0, 12, 40)
    s['bad_head'] = seed(2, HDR12, 0, ([0x1234, 8, 0], [D(rxbuf, 2048,
                                                            WRITE)]),
                         ([0xffff, 0], [D(0, 52)]), [100, 100], 4, m)
    s['avail_jump'] = seed(2, HDR12, 100, ([], [], {'raw_delta': 9}),
                           ([], [], {'raw_delta': 0x8000}), [100], 4, m)

    # 12. big ring, many small packets
    m = Mem()
    txd, rxd = [], []
    for i in range(256):
        m.tx_pkt(i * 0x80, 12, 64)
        txd.append(D(i * 0x80, 76))
        rxd.append(D(0x10000 + i * 0x100, 256, WRITE))
    s['q256'] = seed(7, HDR12 | EVENT_IDX, 1000, (list(range(256)), rxd),
                     (list(range(256)), txd), [64] * 32, 64, m)

    # 13. TX packet beyond the largest frame
    m = Mem()
    s['tx_too_long'] = seed(2, HDR12, 0, ([], []),
                            ([0], [D(0, 40000, NEXT, 1),
                                   D(40000, 40000)]), [], 1, m)
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, 'corpus', 'split')
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(seeds().items()):
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
    print('%d seeds written to %s' % (len(seeds()), out))


if __name__ == '__main__':
    main()
