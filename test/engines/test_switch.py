#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""switch forwarding with three vhost ports on one vhp-testpmd and three
dpdk-testpmd virtio-user peers (A, B, C, each with its own MAC):

1. A sends 32 frames to B's MAC before B has sent anything: unknown
   unicast, flooded to B and C.
2. B sends 32 frames to A: A is known (learned in 1), so only A gets them,
   and B is learned on port 1.
3. A sends 32 more frames to B: only B gets them (C's RX counter stays).
4. The JSON's mac_table lists A on port 0 and B on port 1; the per-port
   switch counters agree; vhp-testpmd exits cleanly.

The peers are in rxonly and send with 'start tx_first' (one txonly burst
of 32 frames from the port's MAC to 'set eth-peer'), so nothing else is
sent. Exit 77 (skip) only when dpdk-testpmd is not installed.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'integration'))
import vhp_harness as h  # noqa: E402

MACS = ['02:00:00:00:0a:01', '02:00:00:00:0b:02', '02:00:00:00:0c:03']
BURST = 32


def rx(pr):
    return pr.port_stats().get(0, {}).get('rx', 0)


def tx(pr):
    return pr.port_stats().get(0, {}).get('tx', 0)


def wait_rx(pr, n, what):
    h.wait_for(lambda: rx(pr) >= n, 20, what, interval=0.3)


def send(pr, dst_mac):
    """One burst of BURST frames from pr's MAC to dst_mac."""
    before = tx(pr)
    pr.cmd('stop')
    pr.cmd('set eth-peer 0 %s' % dst_mac)
    pr.cmd('start tx_first 1')
    h.wait_for(lambda: tx(pr) >= before + BURST, 20,
               '%s sent %d frames' % (pr.name, BURST), interval=0.3)


def main():
    paths = [h.sock_path('sw%d' % i) for i in range(3)]
    be = h.track(h.VhpBackend(paths, fwd='switch', period=0.5,
                              extra_app=['--mac-age=300']))
    be.wait_ready()
    peers = []
    for i, name in enumerate('ABC'):
        pr = h.track(h.peer(paths[i], {'mac': MACS[i]}, name='peer' + name,
                            mbufs=4096))
        pr.wait_prompt()
        peers.append(pr)
    for i in range(3):
        be.wait_port(lambda p: p.get('connected') and p.get('status') == 15,
                     30, 'port %d DRIVER_OK' % i, i=i)
    a, b, c = peers
    for pr in peers:
        pr.cmd('set fwd rxonly')
        pr.cmd('start')
    time.sleep(0.5)
    base = [rx(pr) for pr in peers]
    h.check(base == [0, 0, 0], 'nothing received before sending (%s)' % base)

    # 1. A -> B, B unknown: flooded to B and C, not back to A.
    send(a, MACS[1])
    wait_rx(b, BURST, 'B got the flood')
    wait_rx(c, BURST, 'C got the flood')
    time.sleep(0.5)
    r = [rx(pr) for pr in peers]
    h.check(r == [0, BURST, BURST], 'unknown unicast flooded to B and C only '
            '(rx %s)' % r)

    # 2. B -> A, A known: A only.
    send(b, MACS[0])
    wait_rx(a, BURST, 'A got B\'s frames')
    time.sleep(0.5)
    r = [rx(pr) for pr in peers]
    h.check(r == [BURST, BURST, BURST], 'known unicast to A only (rx %s)' % r)

    # 3. A -> B, B learned: B only, C stays flat.
    send(a, MACS[1])
    wait_rx(b, 2 * BURST, 'B got A\'s second burst')
    time.sleep(0.5)
    r = [rx(pr) for pr in peers]
    h.check(r == [BURST, 2 * BURST, BURST], 'learned unicast to B only, C '
            'flat (rx %s)' % r)

    # 4. The table and counters in the JSON.
    time.sleep(1.0)
    st = be.state()
    h.check(st is not None and st.get('forward_mode') == 'switch',
            'JSON says switch mode')
    table = {e['mac'].lower(): e for e in st.get('mac_table', [])}
    h.log('mac_table: %s' % st.get('mac_table'))
    h.check(MACS[0] in table and table[MACS[0]]['port'] == 0,
            'A learned on port 0')
    h.check(MACS[1] in table and table[MACS[1]]['port'] == 1,
            'B learned on port 1')
    h.check(MACS[2] not in table, 'C (never sent) not in the table')
    h.check(all(0 <= e['age_s'] < 60 for e in table.values()),
            'ages are recent')
    sw = {p['port']: p for p in st['switch']['ports']}
    h.log('switch ports: %s' % sw)
    h.check(sw[0]['flooded'] == BURST and sw[0]['forwarded'] == BURST,
            'port 0: %d flooded then %d forwarded' % (BURST, BURST))
    h.check(sw[1]['forwarded'] == BURST and sw[1]['flooded'] == 0,
            'port 1: %d forwarded' % BURST)
    h.check(sw[2]['rx'] == 0 and sw[2]['tx'] == BURST,
            'port 2: received nothing, sent only the flood')
    for pr in peers:
        pr.cmd('stop')
        h.check(pr.quit() == 0, '%s quit cleanly' % pr.name)
    rc, _ = be.stop()
    h.check(rc == 0, 'vhp-testpmd exits 0 (rc=%s)' % rc)


h.run(main)
