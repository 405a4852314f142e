#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""flowgen against a dpdk-testpmd virtio-user peer that writes what it
receives to a pcap file (io forwarding from virtio-user to net_pcap):
every frame is --txpkts long, has valid IPv4 and UDP checksums, and the
frames cycle through exactly --flowgen-flows distinct flows in order.
The JSON reports the flow count and TX packets. Exit 77 (skip) only when
dpdk-testpmd is not installed.
"""
import os
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'integration'))
import vhp_harness as h  # noqa: E402

FLOWS = 128
LEN = 128


def csum(data, init=0):
    if len(data) & 1:
        data += b'\0'
    s = init + sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def main():
    d = h.tmpdir()
    pin = os.path.join(d, h.unique('empty') + '.pcap')
    pout = os.path.join(d, h.unique('out') + '.pcap')
    h.write_pcap(pin, [])
    path = h.sock_path()
    be = h.track(h.VhpBackend([path], fwd='flowgen', period=0.5,
                              extra_app=['--flowgen-flows=%d' % FLOWS,
                                         '--txpkts=%d' % LEN,
                                         '--eth-peer=0,02:00:00:00:00:99']))
    be.wait_ready()
    # port 0: net_pcap (TX to the file), port 1: virtio-user; io fwd
    # forwards port 1's RX to port 0.
    pr = h.track(h.peer(path, {}, mbufs=8192, extra_app=['--no-flush-rx'],
                        vdevs_first=['net_pcap0,rx_pcap=%s,tx_pcap=%s'
                                     % (pin, pout)]))
    pr.wait_prompt()
    be.wait_port(lambda p: p.get('connected') and p.get('status') == 15, 20,
                 'DRIVER_OK')
    pr.cmd('set fwd io')
    pr.cmd('start')
    time.sleep(0.4)
    pr.stop_fwd()
    st = pr.port_stats()
    h.log('peer ports: %s' % st)
    h.check(pr.quit() == 0, 'peer quit cleanly')
    time.sleep(0.6)
    js = be.state()
    h.check(js is not None and js.get('flowgen', {}).get('flows') == FLOWS,
            'JSON reports %d flows' % FLOWS)
    h.check(js['fwd_tx_packets'] > 0, 'flowgen transmitted (%d)'
            % js['fwd_tx_packets'])
    rc, _ = be.stop()
    h.check(rc == 0, 'vhp-testpmd exits 0 (rc=%s)' % rc)

    pkts = h.read_pcap(pout)
    h.log('%d frames captured' % len(pkts))
    h.check(len(pkts) >= 2 * FLOWS, 'at least %d frames captured' % (2 * FLOWS))
    pkts = pkts[:20000]
    bad = []
    flows = []
    for i, p in enumerate(pkts):
        ok = len(p) == LEN and p[0:6] == bytes.fromhex('020000000099') \
            and p[12:14] == b'\x08\x00'
        ip = p[14:34]
        ok = ok and ip[0] == 0x45 and ip[9] == 17 and csum(ip) == 0xffff
        ulen = struct.unpack('!H', p[38:40])[0]
        ok = ok and ulen == LEN - 34
        src, dst = ip[12:16], ip[16:20]
        pseudo = csum(src + dst + struct.pack('!BBH', 0, 17, ulen))
        ok = ok and p[40:42] != b'\0\0' and csum(p[34:34 + ulen], pseudo) == 0xffff
        if not ok:
            bad.append(i)
        flows.append((src, dst, p[34:38]))
    if bad:
        h.log('first bad frame %d: %s' % (bad[0], pkts[bad[0]].hex()))
    h.check(not bad, 'every frame %d bytes with valid IPv4/UDP checksums '
            '(%d bad of %d)' % (LEN, len(bad), len(pkts)))
    h.check(len(set(flows)) == FLOWS, 'exactly %d distinct flows (%d)'
            % (FLOWS, len(set(flows))))
    # Frame k of the stream is flow k mod FLOWS with IPv4 id k mod 65536;
    # FLOWS divides 65536, so the id names each frame's flow even where
    # the virtio ring dropped frames: check the tuple against it.
    wrong = 0
    for p, (src, dst, ports) in zip(pkts, flows):
        f = struct.unpack('!H', p[18:20])[0] % FLOWS
        want = (bytes([198, 18, f >> 8, f & 0xff]), bytes([198, 19, 0, f & 0xff]),
                struct.pack('!HH', 1024 + (f >> 8), 9))
        if (src, dst, ports) != want:
            wrong += 1
    h.check(wrong == 0, 'every frame carries the flow of its place in the '
            'cycle (%d wrong)' % wrong)


h.run(main)
