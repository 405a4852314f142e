#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Guest reboots in a row and back-end restarts under a live guest: the
port must carry traffic again after each one (vhp-testpmd icmpecho; the
QEMU is $VHP_QEMU: 7.2 or 10, see guest_harness.py).

Cases (argv[1]):
  reboots-{server,client}-{split,packed}
      server: vhp-testpmd listens (--vhost=PATH), QEMU connects.
      client: QEMU listens (server=on), vhp-testpmd connects
      (--vhost=PATH,client=1).
      The guest boots and pings; then REBOOTS times: back-to-back pings
      (ping -A) run in the guest, which reboots (reboot -f: QEMU stops
      the device, SET_STATUS 0 and GET_VRING_BASE, QEMU >= 9.1 also
      RESET_DEVICE; the new kernel's driver negotiates again on the same
      connection). After each reboot: GET_VRING_BASE answered non-zero
      positions (traffic was flowing), the port runs again (the library
      logged one more "device ready"), and 5 pings are all answered.
      At the end: still one connection, no protocol errors.
  backend-restart-{split,packed}
      vhp-testpmd listens; QEMU connects with reconnect=1 (QEMU >= 9.2:
      reconnect-ms=1000). The guest boots and pings; then RESTARTS
      times, during ping -A: vhp-testpmd is killed (SIGKILL) and a new
      one is started on the same socket; QEMU reconnects and sets the
      device up again (the guest driver knows nothing), and 5 pings from
      the guest are all answered. QEMU's own console messages about the
      lost back-end are logged, not judged.
Every case: QEMU keeps running, the guest powers off at the end, the port
stops, vhp-testpmd exits 0 on SIGTERM.
"""

import os
import re
import signal
import sys

import guest_harness as G

H = G.H
check = G.check
log = G.log

# Two of each in CI: the first found every bug so far, the second checks
# that it repeats; VHP_REBOOTS / VHP_RESTARTS ask for more by hand.
REBOOTS = int(os.environ.get('VHP_REBOOTS', '2'))
RESTARTS = int(os.environ.get('VHP_RESTARTS', '2'))
PEER_IP = '10.0.0.1'

CASES = {}
for _mode in ('server', 'client'):
    for _ring in ('split', 'packed'):
        CASES['reboots-%s-%s' % (_mode, _ring)] = dict(
            kind='reboots', client=_mode == 'client', packed=_ring == 'packed')
for _ring in ('split', 'packed'):
    CASES['backend-restart-' + _ring] = dict(
        kind='restart', client=False, packed=_ring == 'packed')


def echoes(be):
    return (be.state() or {}).get('icmpecho', {}).get('echo_replies', 0)


def readies(be):
    return H.read_log(be.p).count('device ready (new_device)')


def ring_stops(be):
    """The positions GET_VRING_BASE answered so far, in order."""
    return [int(x) for x in re.findall(r'ring \d+ stopped at (\d+)',
                                       H.read_log(be.p))]


def start_traffic(be, g, what):
    """ping -A in the background of the guest until it is stopped or the
    guest reboots; wait until icmpecho answered 200 of them."""
    base = echoes(be)
    g.sh_ok('ping -A -q %s > /tmp/ping.log 2>&1 &' % PEER_IP)
    H.wait_for(lambda: echoes(be) >= base + 200, 60,
               '200 echo replies to the guest\'s ping -A (%s)' % what)
    log('%s: traffic flowing: %d echo replies' % (what, echoes(be)))


def stop_traffic(g):
    g.sh_ok('kill %1 2>/dev/null; wait; true', timeout=60)


def wait_device_ready(be, n, what, timeout=60):
    """The port runs and the library started the device at least @n times
    (so a port that never noticed the stop does not pass)."""
    def ok():
        if not be.alive():
            raise G.TestFailure('vhp-testpmd exited (rc=%s) while waiting '
                                'for %s' % (be.p.returncode, what))
        p = be.port(0)
        if p is None or not (p.get('running') and p.get('connected')):
            return None
        return p if readies(be) >= n else None
    p = H.wait_for(ok, timeout, '%s (device ready %d times; seen %d)'
                   % (what, n, readies(be)), interval=0.2)
    log('%s: running (device ready %d times, connections %s)'
        % (what, readies(be), p.get('connections')))
    return p


def check_port_clean(be, what):
    p = be.port(0) or {}
    check(p.get('protocol_errors', 0) == 0,
          '%s: no protocol errors (%s)' % (what, p.get('protocol_errors')))
    vr = p.get('vrings') or []
    broken = sum(v.get('times_broken', 0) for v in vr if isinstance(v, dict))
    check(broken == 0, '%s: no ring marked broken (%d)' % (what, broken))


def reboots(c):
    sock = H.sock_path('guest')
    be = G.backend([sock + (',client=1' if c['client'] else '')], 'icmpecho')
    g = G.Guest(sock, '10.0.0.2/24', name='guest', server=c['client'],
                packed=c['packed'])
    g.wait_boot(1, timeout=120)
    wait_device_ready(be, 1, 'port running after boot 1')
    g.ping(PEER_IP, count=5)
    for i in range(1, REBOOTS + 1):
        start_traffic(be, g, 'before reboot %d' % i)
        nstops = len(ring_stops(be))
        log('reboot %d of %d (reboot -f during ping -A)' % (i, REBOOTS))
        g.send('reboot -f')
        g.wait_boot(i + 1, timeout=120)
        p = wait_device_ready(be, i + 1, 'port running after reboot %d'
                              % i)
        new = ring_stops(be)[nstops:]
        check(new and max(new) > 0,
              'reboot %d: GET_VRING_BASE answered where the rings were %s'
              % (i, new))
        g.ping(PEER_IP, count=5)
        check(p.get('connections') == 1,
              'reboot %d kept the connection (connections %s)'
              % (i, p.get('connections')))
        check(p.get('ring') == ('packed' if c['packed'] else 'split'),
              'reboot %d: %s ring negotiated again (%s)'
              % (i, 'packed' if c['packed'] else 'split', p.get('ring')))
    log('GET_VRING_BASE answers over the run: %s' % ring_stops(be))
    check_port_clean(be, 'after %d reboots' % REBOOTS)
    g.poweroff()
    G.wait_stopped(be, 0, 20, 'port stopped after power-off')
    G.check_alive(be)
    G.stop_backend(be)


def kill9_backend(be):
    log('%s: kill -9 vhp-testpmd (pid %d)' % (be.name, be.p.pid))
    be.p.send_signal(signal.SIGKILL)
    be.p.wait(timeout=20)


def restarts(c):
    sock = H.sock_path('guest')
    be = G.backend([sock], 'icmpecho', name='vhp1')
    g = G.Guest(sock, '10.0.0.2/24', name='guest', packed=c['packed'],
                reconnect=1)
    g.wait_boot(1, timeout=120)
    wait_device_ready(be, 1, 'port running after boot')
    g.ping(PEER_IP, count=5)
    for i in range(1, RESTARTS + 1):
        start_traffic(be, g, 'before back-end restart %d' % i)
        with g.lock:
            mark = len(g.buf)
        kill9_backend(be)
        check(g.alive(), 'QEMU survives the back-end\'s death (restart %d)'
              % i)
        be = G.backend([sock], 'icmpecho', name='vhp%d' % (i + 1))
        wait_device_ready(be, 1, 'port running after back-end restart %d'
                          % i, timeout=90)
        stop_traffic(g)
        g.ping(PEER_IP, count=5)
        with g.lock:
            msgs = G.qemu_errors(g.buf[mark:])
        if msgs:
            log('QEMU said during restart %d:\n  %s' % (i, '\n  '.join(msgs)))
        p = be.port(0)
        check(p.get('ring') == ('packed' if c['packed'] else 'split'),
              'restart %d: %s ring (%s)'
              % (i, 'packed' if c['packed'] else 'split', p.get('ring')))
        check_port_clean(be, 'after back-end restart %d' % i)
    check(g.alive(), 'QEMU still running after %d back-end restarts'
          % RESTARTS)
    g.poweroff()
    G.wait_stopped(be, 0, 20, 'port stopped after power-off')
    G.check_alive(be)
    G.stop_backend(be)


def main(case):
    c = CASES[case]
    if c['kind'] == 'reboots':
        reboots(c)
    else:
        restarts(c)


if __name__ == '__main__':
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print('usage: test_restart.py {%s}' % '|'.join(CASES))
        sys.exit(2)
    G.run(lambda: main(sys.argv[1]))
