# SPDX-License-Identifier: BSD-3-Clause
"""Ethernet/IPv4/IPv6 + TCP/UDP frames for the offload tests: building
frames with correct checksums, parsing them, checking checksums."""

import struct


def csum16(data, s=0):
    if len(data) & 1:
        data += b'\0'
    s += sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def phdr(frame, l4len):
    et = struct.unpack('!H', frame[12:14])[0]
    if et == 0x0800:
        return csum16(frame[26:34] + struct.pack('!BBH', 0, frame[23], l4len))
    return csum16(frame[22:54] + struct.pack('!IxxxB', l4len, frame[20]))


def parse(frame):
    """(ip version, l4 offset, proto, l4 checksum offset)"""
    et = struct.unpack('!H', frame[12:14])[0]
    if et == 0x0800:
        off, proto = 14 + (frame[14] & 15) * 4, frame[23]
        return 4, off, proto, off + (16 if proto == 6 else 6)
    return 6, 54, frame[20], 54 + (16 if frame[20] == 6 else 6)


def l4_ok(frame):
    v, off, proto, _ = parse(frame)
    return csum16(frame[off:], phdr(frame, len(frame) - off)) == 0xffff


def ip4_ok(frame):
    return csum16(frame[14:34]) == 0xffff


def build(kind, payload, seq, ident):
    """Ethernet + IPv4/IPv6 + TCP/UDP with correct checksums."""
    eth = b'\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01'
    if kind in ('tcp4', 'tcp6'):
        l4 = struct.pack('!HHIIBBHHH', 40000 + ident % 1000, 5001, seq, 1, 5 << 4,
                         0x18, 65535, 0, 0) + payload
        proto = 6
    else:
        l4 = struct.pack('!HHHH', 40000 + ident % 1000, 5001, 8 + len(payload), 0) + payload
        proto = 17
    if kind == 'tcp6':
        ip = struct.pack('!IHBB', 0x60000000, len(l4), proto, 64) + \
            bytes(range(1, 17)) + bytes(range(17, 33))
        frame = eth + b'\x86\xdd' + ip + l4
    else:
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), ident, 0x4000, 64, proto,
                         0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        ip = ip[:10] + struct.pack('!H', 0xffff ^ csum16(ip)) + ip[12:]
        frame = eth + b'\x08\x00' + ip + l4
    v, off, proto, co = parse(frame)
    c = 0xffff ^ csum16(frame[off:], phdr(frame, len(frame) - off))
    if proto == 17 and c == 0:
        c = 0xffff
    return frame[:co] + struct.pack('!H', c) + frame[co + 2:]


def l4_payload(frame):
    """TCP or UDP payload of a frame."""
    v, off, proto, _ = parse(frame)
    if proto == 6:
        return frame[off + (frame[off + 12] >> 4) * 4:]
    return frame[off + 8:]
