#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""icmpecho through a real front-end: a pcap of ARP requests, ICMP echo
requests (several sizes, one VLAN-tagged, one all-zero echo) and frames
that must not be answered feeds dpdk-testpmd's net_pcap port; io fwd
sends it through virtio-user to vhp-testpmd --forward-mode=icmpecho, and
the replies come back into net_pcap's TX file. The file must hold exactly
the expected replies, in order, with valid checksums (computed here), and
the JSON counters must agree. Exit 77 (skip) only when dpdk-testpmd is not
installed.
"""
import os
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'integration'))
import vhp_harness as h  # noqa: E402

PEER = bytes.fromhex('020000000a01')
OURS_GUESS = bytes.fromhex('020000000b02')   # dst MAC of the echo requests


def csum(data, init=0):
    if len(data) & 1:
        data += b'\0'
    s = init + sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def ip4(a):
    return bytes(int(x) for x in a.split('.'))


def pad(f):
    return f + b'\0' * max(0, 60 - len(f))


def arp_request(sip, tip, vlan=None):
    eth = b'\xff' * 6 + PEER
    if vlan is not None:
        eth += struct.pack('!HH', 0x8100, vlan)
    eth += b'\x08\x06'
    arp = struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + PEER + ip4(sip) + \
        b'\0' * 6 + ip4(tip)
    return pad(eth + arp)


def echo(src, dst, ident, seq, payload, vlan=None, icmp_type=8, proto=1):
    eth = OURS_GUESS + PEER
    if vlan is not None:
        eth += struct.pack('!HH', 0x8100, vlan)
    eth += b'\x08\x00'
    icmp = struct.pack('!BBHHH', icmp_type, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack('!H', ~csum(icmp) & 0xffff) + icmp[4:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), seq, 0, 64,
                     proto, 0, ip4(src), ip4(dst))
    ip = ip[:10] + struct.pack('!H', ~csum(ip) & 0xffff) + ip[12:]
    return pad(eth + ip + icmp)


def main():
    reqs = [
        ('arp', arp_request('10.0.0.1', '10.0.0.99')),
        ('echo', echo('10.0.0.1', '10.0.0.2', 0x1234, 1, b'')),
        ('echo', echo('10.0.0.1', '10.0.0.2', 0x1234, 2, bytes(range(56)))),
        ('drop', echo('10.0.0.1', '10.0.0.2', 0x1234, 3, b'x' * 8, icmp_type=0)),
        ('echo', echo('10.0.0.1', '10.0.0.2', 0, 0, b'')),   # all-zero ICMP
        ('drop', echo('10.0.0.1', '10.0.0.2', 1, 4, b'udp', proto=17)),
        ('echo', echo('10.0.0.1', '10.0.0.3', 7, 5, bytes(1400 * [0xa5]))),
        ('arp', arp_request('10.0.0.1', '172.16.0.1', vlan=42)),
        ('echo', echo('10.0.0.1', '10.0.0.2', 9, 6, b'vlan', vlan=42)),
        ('drop', echo('10.0.0.1', '224.0.0.1', 9, 7, b'mcast')),
        ('drop', pad(OURS_GUESS + PEER + b'\x86\xdd' + b'\0' * 40)),
    ]
    d = h.tmpdir()
    pin = os.path.join(d, h.unique('req') + '.pcap')
    pout = os.path.join(d, h.unique('rep') + '.pcap')
    h.write_pcap(pin, [f for _, f in reqs])
    path = h.sock_path()
    be = h.track(h.VhpBackend([path], fwd='icmpecho', period=0.5))
    be.wait_ready()
    pr = h.track(h.peer(path, {}, extra_app=['--no-flush-rx'],
                        vdevs_first=['net_pcap0,rx_pcap=%s,tx_pcap=%s'
                                     % (pin, pout)]))
    pr.wait_prompt()
    port = be.wait_port(lambda p: p.get('connected') and p.get('status') == 15,
                        20, 'DRIVER_OK')
    ours = bytes.fromhex(port['mac'].replace(':', ''))
    pr.cmd('set fwd io')
    pr.cmd('start')
    want = sum(1 for k, _ in reqs if k != 'drop')
    h.wait_for(lambda: pr.port_stats().get(0, {}).get('tx', 0) >= want, 15,
               '%d replies' % want, interval=0.3)
    time.sleep(0.5)
    pr.stop_fwd()
    h.check(pr.quit() == 0, 'peer quit cleanly')
    time.sleep(0.6)
    js = be.state()
    rc, final = be.stop()
    h.check(rc == 0, 'vhp-testpmd exits 0 (rc=%s)' % rc)
    st = (final or js).get('icmpecho', {})
    h.log('icmpecho counters: %s' % st)
    h.check(st.get('arp_replies') == 2 and st.get('echo_replies') == 5 and
            st.get('dropped') == 4, 'JSON counts 2 ARP, 5 echo replies, 4 dropped')

    out = h.read_pcap(pout)
    exp = [(k, f) for k, f in reqs if k != 'drop']
    h.check(len(out) == len(exp), '%d replies, one per request (got %d)'
            % (len(exp), len(out)))
    for i, ((kind, req), rep) in enumerate(zip(exp, out)):
        off = 18 if req[12:14] == b'\x81\x00' else 14
        h.check(len(rep) == len(req) and rep[12:off] == req[12:off],
                'reply %d: same length and VLAN/ethertype' % i)
        if kind == 'arp':
            a = rep[off:off + 28]
            h.check(rep[0:6] == PEER and rep[6:12] == ours,
                    'ARP reply %d: to the asker, from our MAC' % i)
            h.check(a[6:8] == b'\0\x02' and a[8:14] == ours and
                    a[14:18] == req[off + 24:off + 28] and a[18:24] == PEER and
                    a[24:28] == req[off + 14:off + 18],
                    'ARP reply %d: op 2, our MAC for the asked IP, to the asker' % i)
            continue
        ip, rip = rep[off:off + 20], req[off:off + 20]
        tot = struct.unpack('!H', ip[2:4])[0]
        icmp, ricmp = rep[off + 20:off + tot], req[off + 20:off + tot]
        h.check(rep[0:6] == req[6:12] and rep[6:12] == req[0:6],
                'echo reply %d: MACs swapped' % i)
        h.check(ip[12:16] == rip[16:20] and ip[16:20] == rip[12:16] and
                csum(ip) == 0xffff, 'echo reply %d: IPs swapped, IPv4 checksum '
                'valid' % i)
        h.check(icmp[0] == 0 and icmp[1] == 0 and csum(icmp) == 0xffff and
                icmp[4:] == ricmp[4:], 'echo reply %d: type 0, ICMP checksum '
                'valid, id/seq/payload kept (%d bytes)' % (i, len(icmp)))


h.run(main)
