#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Byte-exact loop: a pcap file feeds dpdk-testpmd's net_pcap port, io fwd
sends it through virtio-user into vhp-testpmd (io, reflecting on one port),
back through virtio-user into net_pcap's TX file. The output file must hold
the input packets, same order, byte for byte.

Variant (argv[1]): split | packed | split-mrg0 | split-jumbo (9000-byte
frames, front-end mbufs of 10 KB) | packed-jumbo
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhp_harness as h  # noqa: E402

VARIANT = sys.argv[1] if len(sys.argv) > 1 else 'split'
N = 500          # below the ring size (1024): io fwd does not retry
SIZES = [60, 64, 65, 128, 255, 511, 512, 1000, 1500, 1514]


def main():
    devargs = {}
    extra = ['--no-flush-rx']
    sizes = SIZES
    n = N
    if VARIANT.startswith('packed'):
        devargs['packed_vq'] = 1
    if VARIANT.endswith('mrg0'):
        devargs['mrg_rxbuf'] = 0
    if VARIANT.endswith('jumbo'):
        sizes = [9000, 4000, 2049, 60]
        n = 200
        # net_pcap refuses the scatter offload: big front-end mbufs instead
        # (the back-end still chains its own 2 KB mbufs)
        extra += ['--max-pkt-len=9600', '--mbuf-size=10240']
    d = h.tmpdir()
    pin = os.path.join(d, h.unique('in') + '.pcap')
    pout = os.path.join(d, h.unique('out') + '.pcap')
    pkts = h.make_packets(n, sizes)
    h.write_pcap(pin, pkts)
    path = h.sock_path()
    be = h.track(h.backend([path], fwd='io'))
    be.wait_ready()
    pr = h.track(h.peer(path, devargs, extra_app=extra,
                        vdevs_first=['net_pcap0,rx_pcap=%s,tx_pcap=%s' % (pin, pout)]))
    pr.wait_prompt()
    be.wait_port(lambda p: p.get('connected') and p.get('status') == 15, 20, 'DRIVER_OK')
    pr.cmd('start')
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.5)
        st = pr.port_stats()
        if st.get(0, {}).get('tx', 0) >= n:
            break
    pr.stop_fwd()
    st = pr.port_stats()
    h.log('front-end ports: %s' % st)
    rc = pr.quit()
    h.check(rc == 0, 'front-end quit cleanly (rc=%s)' % rc)
    rc, js = be.stop()
    h.check(rc == 0, 'vhp-testpmd exits 0 (rc=%s)' % rc)
    q = js['ports'][0]
    h.log('back-end rx %s tx %s dropped %s/%s' % (q['rx_packets'], q['tx_packets'],
                                                   q.get('rx_dropped'), q.get('tx_dropped')))
    out = h.read_pcap(pout)
    h.check(len(out) == len(pkts), 'all %d packets came back (got %d)' % (len(pkts), len(out)))
    bad = [i for i, (a, b) in enumerate(zip(pkts, out)) if a != b]
    if bad:
        i = bad[0]
        h.log('first mismatch at packet %d: sent %d bytes, got %d' % (i, len(pkts[i]), len(out[i])))
    h.check(not bad, 'packets identical, in order (%d mismatches)' % len(bad))


h.run(main)
