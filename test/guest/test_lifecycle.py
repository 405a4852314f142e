#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""VM pause and QEMU kill -9 while traffic flows; vhp-testpmd
(icmpecho) must keep running and the next guest must work. (Guest reboots,
several in a row, and back-end restarts: test_restart.py.)

Cases (argv[1]):
  stop-cont     the VM is paused (monitor `stop`: SET_STATUS 0,
      GET_VRING_BASE) during ping -A and resumed (`cont`: the rings are set
      up again from the indexes we returned): the device runs again on the
      same connection and the guest, which kept its ring positions, pings.
  kill9-server  vhp-testpmd listens; QEMU is killed with SIGKILL mid-
      traffic: the port stops and reports disconnected, a new QEMU on the
      same socket pings; connections 2.
  kill9-client  QEMU listens (packed ring), vhp-testpmd connects
      (client=1): after SIGKILL, vhp-testpmd reconnects to the next QEMU
      on the same path, which pings.
Every case: no protocol errors, vhp-testpmd exits 0 on SIGTERM.
"""

import re
import sys

import guest_harness as G

H = G.H
check = G.check
log = G.log

CASES = {
    'stop-cont': dict(server=False, packed=False, kill=False, stop=True),
    'kill9-server': dict(server=False, packed=False, kill=True),
    'kill9-client': dict(server=True, packed=True, kill=True),
}


def echoes(be):
    return (be.state() or {}).get('icmpecho', {}).get('echo_replies', 0)


def start_traffic(be, g):
    base = echoes(be)
    g.sh_ok('ping -A -q 10.0.0.1 > /tmp/ping.log 2>&1 &')
    H.wait_for(lambda: echoes(be) >= base + 200, 30,
               'guest traffic through vhp-testpmd')
    log('traffic flowing: %d echo replies' % echoes(be))


def main(case):
    c = CASES[case]
    sock = H.sock_path('guest')
    be = G.backend([sock + (',client=1' if c['server'] else '')], 'icmpecho')

    g = G.Guest(sock, '10.0.0.2/24', name='guest1', server=c['server'],
                packed=c['packed'], monitor=c.get('stop', False))
    g.wait_boot()
    G.wait_running(be, 0, 20, 'port running')
    g.ping('10.0.0.1')
    start_traffic(be, g)

    if c.get('stop'):
        g.hmp('stop')
        G.wait_stopped(be, 0, 10, 'port stopped while the VM is paused')
        g.hmp('cont')
        p = G.wait_running(be, 0, 20, 'port running after cont')
        g.sh_ok('kill %1; wait; true', timeout=30)
        g.ping('10.0.0.1', count=5)
        check(p.get('connections') == 1, 'one connection (%s)'
              % p.get('connections'))
        text = H.read_log(be.p)
        stops = [int(x) for x in re.findall(r'ring \d+ stopped at (\d+)', text)]
        check(stops and min(stops) > 0,
              'GET_VRING_BASE answered where the rings were (%s), so they '
              'resume there' % stops)
        check(text.count('device ready (new_device)') == 2,
              'the device ran again after cont')
        g.poweroff()
    else:
        g.kill9()
        be.wait_port(lambda p: not p.get('connected'), 15,
                     'port disconnected after kill -9')
        G.check_alive(be)
        g2 = G.Guest(sock, '10.0.0.3/24', name='guest2', server=c['server'],
                     packed=c['packed'])
        g2.wait_boot()
        p = G.wait_running(be, 0, 30, 'port running with the next QEMU',
                           connections=2)
        g2.ping('10.0.0.1', count=5)
        check(p.get('connections') == 2, 'connections: 2')
        g2.poweroff()

    G.wait_stopped(be, 0, 10, 'port stopped after power-off')
    p = be.port(0)
    check(p.get('protocol_errors', 0) == 0, 'no protocol errors')
    G.check_alive(be)
    G.stop_backend(be)


if __name__ == '__main__':
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print('usage: test_lifecycle.py {%s}' % '|'.join(CASES))
        sys.exit(2)
    G.run(lambda: main(sys.argv[1]))
