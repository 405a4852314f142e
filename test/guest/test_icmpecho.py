#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A Linux guest (QEMU 7.2 or 10, virtio-net driver) pings through vhp-testpmd's
icmpecho engine, booted with `vhp-guest --run` (the one-command path).

Cases: server-split, server-packed (vhp-testpmd listens), client-split,
client-packed (QEMU listens, vhp-testpmd --vhost=PATH,client=1).

Per case, on one vhp-testpmd:
  guest 1: 5 pings, then 1000 back-to-back pings (ping -A: the next one
  leaves when the reply arrives, so a lost interrupt stalls it and loses
  replies); every reply must come. Our JSON: the port ran with the ring
  layout asked for, EVENT_IDX negotiated, the guest's RX queue was
  notified (notifications > 0), icmpecho answered >= 1005 echoes. The
  guest powers off (SET_STATUS 0, GET_VRING_BASE, disconnect): the port
  stops and reports disconnected.
  guest 2 on the same socket: 3 pings; connections counted 2.
  vhp-testpmd exits 0 on SIGTERM.
"""

import re
import sys

import guest_harness as G

H = G.H
check = G.check
log = G.log

CASES = {
    'server-split': dict(server=False, packed=False),
    'server-packed': dict(server=False, packed=True),
    'client-split': dict(server=True, packed=False),
    'client-packed': dict(server=True, packed=True),
}

F_EVENT_IDX = 29


def all_replies(out, what):
    m = re.findall(r'(\d+) packets transmitted, (\d+) packets received', out)
    check(len(m) >= 1, '%s: ping printed its statistics' % what)
    for sent, got in m:
        check(int(sent) > 0 and sent == got,
              '%s: every echo answered (%s sent, %s received)' % (what, sent, got))


def main(case):
    c = CASES[case]
    sock = H.sock_path('guest')
    spec = sock + (',client=1' if c['server'] else '')
    be = G.backend([spec], 'icmpecho')

    # guest 1
    rc, out = G.run_guest_command(
        sock, '10.0.0.2/24',
        'ping -c 5 -W 5 10.0.0.1 && ping -A -q -c 1000 -W 5 10.0.0.1',
        name='guest1', server=c['server'], packed=c['packed'])
    if rc != 0:
        print(out[-3000:])
    check(rc == 0, 'guest 1: pings exit 0 (vhp-guest rc %d)' % rc)
    check('VHP-GUEST: ready eth0 10.0.0.2/24' in out, 'guest 1: eth0 configured')
    G.check_qemu_clean(out, 'guest 1')
    all_replies(out, 'guest 1')

    G.wait_stopped(be, 0, 10, 'port stopped after the guest powered off')
    be.wait_port(lambda p: not p.get('connected'), 10,
                 'port disconnected after QEMU exited')
    check(True, 'guest 1 power-off: port stopped and disconnected')
    # the JSON is rewritten every second: wait for the final counters
    H.wait_for(lambda: (be.state() or {}).get('icmpecho', {}).get(
        'echo_replies', 0) >= 1005, 5, 'icmpecho counters in the JSON')
    st = be.state()
    p = st['ports'][0]
    q = G.qstats(p)
    log('port after guest 1: connections %s; %s' % (p.get('connections'), q))
    check(p.get('connections') == 1, 'one connection so far')
    icmp = st.get('icmpecho', {})
    check(icmp.get('echo_replies', 0) >= 1005,
          'icmpecho answered every echo (%s)' % icmp.get('echo_replies'))
    check(q.get('notifications', 0) > 0,
          'guest interrupts sent (notifications %d, suppressed %d)' % (
              q.get('notifications', 0), q.get('notifications_suppressed', 0)))
    check(q.get('rx_packets', 0) >= 1005 and q.get('tx_packets', 0) >= 1005,
          'port counters: rx %d tx %d' % (q.get('rx_packets', 0),
                                          q.get('tx_packets', 0)))
    check(q.get('errors', 0) == 0 and p.get('protocol_errors', 0) == 0,
          'no datapath or protocol errors')

    # the features are kept in the JSON only while connected: read them
    # from the log line of the first device
    text = H.read_log(be.p)
    m = re.search(r'link up \((\w+) ring, .*features (0x[0-9a-f]+)', text)
    check(m is not None, 'vhp-testpmd logged the device it ran')
    f = int(m.group(2), 16)
    check(m.group(1) == ('packed' if c['packed'] else 'split'),
          'ring layout %s' % m.group(1))
    check(f >> F_EVENT_IDX & 1, 'EVENT_IDX negotiated by the Linux driver')

    # guest 2, same socket
    rc, out = G.run_guest_command(sock, '10.0.0.3/24', 'ping -c 3 -W 5 10.0.0.1',
                                  name='guest2', server=c['server'],
                                  packed=c['packed'])
    if rc != 0:
        print(out[-3000:])
    check(rc == 0, 'guest 2: ping exits 0')
    G.check_qemu_clean(out, 'guest 2')
    all_replies(out, 'guest 2')
    p = be.port(0)
    check(p.get('connections') == 2, 'connections: 2 (%s)' % p.get('connections'))
    G.check_alive(be)
    G.stop_backend(be)


if __name__ == '__main__':
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print('usage: test_icmpecho.py {%s}' % '|'.join(CASES))
        sys.exit(2)
    G.run(lambda: main(sys.argv[1]))
