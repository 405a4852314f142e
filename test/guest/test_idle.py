#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A Linux guest pings through a vhp-testpmd whose polling lcore sleeps
between the pings (issue #14: --idle-mode sleep and adaptive).

One guest (QEMU 7.2 or 10, TCG) with two virtio-net NICs on two ports of
one vhp-testpmd -i (icmpecho engine, one polling lcore):
  eth0 10.0.0.2 -> port 0, EVENT_IDX negotiated (Linux's driver asks for
       it): kicks follow avail_event (split) / the device event area's
       DESC mode (packed);
  eth1 10.0.1.2 -> port 1, --vhost=...,features-off=EVENT_IDX: kicks
       follow VRING_USED_F_NO_NOTIFY (split) / ENABLE-DISABLE (packed).
The ring layout is the case: split, or packed (QEMU packed=on on both).

For idle mode sleep, then adaptive (`stop`, `set idle-mode adaptive`,
`start` in the same run), and for each NIC in turn:
  - the lcore sleeps (telemetry /vhp/idle: sleeps grow) and over a 2 s
    idle gap its thread (rte-worker-1) uses well under a CPU (< 20%: a
    functional check that it sleeps, not a speed figure);
  - 3 pings (0.2 s apart), a 2 s gap in which the lcore sleeps again,
    3 more pings, then 200 back-to-back pings (ping -A) right after
    another idle gap: every echo answered, and each batch of pings woke
    the sleeping lcore by guest kicks (wake-ups by kick grow by at least
    the number of pings of the 0.2 s-apart batches: a kick the back-end
    failed to arm would leave it asleep until its 1 s timeout).
At the end icmpecho answered exactly as many echo requests as the guest
sent, no datapath or protocol error, epoll errors 0; the guest powers off
and vhp-testpmd quits with 0.
"""

import os
import re
import sys
import time

import guest_harness as G

H = G.H
check = G.check
log = G.log
TestFailure = G.TestFailure

CASES = ('split', 'packed')
F_EVENT_IDX = 29
MODES = ('sleep', 'adaptive')
NICS = (('eth0', '10.0.0.1', 0), ('eth1', '10.0.1.1', 1))
GAP = 0.8            # s asleep before each ping (the epoll timeout is 1 s)
CPU_BOUND = 0.20
BURST = 200


class TwoNicGuest(G.Guest):
    """G.Guest with a second vhost-user NIC (QEMU arguments passed through
    vhp-guest --qemu-arg) on @sock2."""

    def __init__(self, sock, sock2, packed, **kw):
        dev = 'virtio-net-pci,netdev=net1,mac=52:54:00:00:01:02'
        if packed:
            dev += ',packed=on'
        # as vhp-guest sets them for eth0: MSI-X with QEMU >= 10 only
        v = G.qemu_version()
        dev += ',vectors=%d' % (4 if v is not None and v >= (10, 0) else 0)
        self.extra = ['--qemu-arg=-chardev', '--qemu-arg=socket,id=vhu1,path=%s' % sock2,
                      '--qemu-arg=-netdev', '--qemu-arg=vhost-user,id=net1,chardev=vhu1',
                      '--qemu-arg=-device', '--qemu-arg=' + dev]
        G.Guest.__init__(self, sock, '10.0.0.2/24', packed=packed, **kw)

    def _spawn(self, name, cmd):
        G.Guest._spawn(self, name, cmd + self.extra)






def replies(out):
    m = re.search(r'(\d+) packets transmitted, (\d+) (?:packets )?received', out)
    if not m:
        raise TestFailure('ping printed no statistics:\n%s' % out[-1500:])
    return int(m.group(1)), int(m.group(2))


class Run:
    def __init__(self, case):
        self.case = case
        self.s0 = H.sock_path('g0')
        self.s1 = H.sock_path('g1')
        self.be = H.track(H.VhpInteractive(
            ['--vhost=' + self.s0, '--vhost=' + self.s1 + ',features-off=EVENT_IDX'],
            fwd='icmpecho', name='vhp',
            extra_app=['--idle-mode=sleep', '--idle-polls=256'],
            mem=H.EAL_NOHUGE + ['--log-level=lib.vhostpath:info']))
        self.be.wait_prompt()
        self.be.cmd('start')
        self.sent = 0

    def idle(self):
        d = H.telemetry(self.be.prefix, '/vhp/idle')
        lc = [v for k, v in d.items() if k.startswith('lcore')]
        if len(lc) != 1:
            raise TestFailure('/vhp/idle: expected one lcore: %s' % d)
        return lc[0]

    def wait_sleep(self, what):
        n = self.idle()['sleeps']
        H.wait_for(lambda: self.idle()['sleeps'] > n, 10,
                   '%s: the lcore sleeps (sleeps > %d)' % (what, n), interval=0.2)

    def gap(self, what, cpu=False):
        """The lcore goes to sleep, then GAP more seconds without traffic."""
        self.wait_sleep(what)
        pid = self.be.p.pid
        tid = H.lcore_tid(pid)
        hz = os.sysconf('SC_CLK_TCK')
        t0, c0 = time.monotonic(), H.thread_cpu_ticks(pid, tid)
        time.sleep(GAP)
        t1, c1 = time.monotonic(), H.thread_cpu_ticks(pid, tid)
        if cpu:
            share = (c1 - c0) / hz / (t1 - t0)
            check(share < CPU_BOUND, '%s: the idle lcore used %.1f%% of a CPU over '
                  '%.1f s (< %d%%)' % (what, 100 * share, t1 - t0, 100 * CPU_BOUND))

    def check_echoes(self, what):
        """icmpecho answered exactly the echo requests the guest sent since
        the last start (its counters restart with forwarding)."""
        def done():
            st = self.be.state()
            n = ((st or {}).get('icmpecho') or {}).get('echo_replies', -1)
            return st if n >= self.sent else None
        st = H.wait_for(done, 10, '%s: icmpecho counters in the JSON' % what)
        n = st['icmpecho']['echo_replies']
        check(n == self.sent, '%s: icmpecho answered exactly the %d echo requests '
              'sent (%d)' % (what, self.sent, n))
        self.sent = 0

    def ping(self, guest, ip, what, count, flood=False):
        i0 = self.idle()
        if flood:
            cmd = 'ping -A -q -c %d -W 5 %s' % (count, ip)
        else:
            cmd = 'ping -c %d -i 0.2 -W 5 %s' % (count, ip)
        rc, out = guest.sh(cmd, timeout=120)
        i1 = self.idle()
        tx, rx = replies(out)
        self.sent += tx
        check(rc == 0 and tx == count and rx == count,
              '%s: %d/%d echoes answered' % (what, rx, tx))
        woke = i1['wake_kick'] - i0['wake_kick']
        need = 1 if flood else count
        check(woke >= need, '%s: guest kicks woke the sleeping lcore %d times '
              '(>= %d; timeouts %d)' % (what, woke, need,
                                         i1['wake_timeout'] - i0['wake_timeout']))


def main(case):
    R = Run(case)
    be = R.be
    guest = TwoNicGuest(R.s0, R.s1, packed=(case == 'packed'), name='guest')
    guest.wait_boot(timeout=120)
    guest.sh_ok('ip addr add 10.0.1.2/24 dev eth1 && ip link set eth1 up')

    def both_running():
        st = be.state()
        if not st or len(st.get('ports', [])) != 2:
            return None
        return st if all(p.get('running') for p in st['ports']) else None
    st = H.wait_for(both_running, 30, 'both ports running')
    for p in st['ports']:
        f = H.hex_int(p['features'])
        log('port %d: %s ring, features %s' % (p['id'], p['ring'],
                                               ' '.join(H.feature_names(f))))
        check(p['ring'] == case, 'port %d: %s ring' % (p['id'], case))
        want = p['id'] == 0
        check(bool(f >> F_EVENT_IDX & 1) == want, 'port %d: EVENT_IDX %s'
              % (p['id'], 'negotiated' if want else 'not negotiated (features-off)'))

    for n, mode in enumerate(MODES):
        if n:
            be.cmd('stop')
            be.cmd('set idle-mode %s' % mode)
            be.cmd('start')
        out = be.cmd('show idle')
        log('show idle:\n' + out.strip())
        check(re.search(r'lcore \d+: %s, 2/2 streams running' % mode, out) is not None,
              'show idle: lcore in %s mode, 2 streams running' % mode)
        for nic, ip, port in NICS:
            what = '%s, %s (port %d)' % (mode, nic, port)
            R.gap(what + ' idle', cpu=True)
            R.ping(guest, ip, what + ' after idle', 3)
            R.gap(what + ' gap')
            R.ping(guest, ip, what + ' after a %.0f s gap' % GAP, 3)
            R.gap(what + ' gap before the burst')
            R.ping(guest, ip, what + ' burst after idle', BURST, flood=True)
        lc = R.idle()
        log('%s: idle counters %s' % (mode, lc))
        check(lc['mode'] == mode, 'telemetry: lcore mode %s' % mode)
        R.check_echoes(mode)

    out = be.cmd('show idle')
    m = re.search(r'errors (\d+)', out)
    check(m is not None and m.group(1) == '0', 'show idle: no epoll error')
    guest.poweroff()
    H.wait_for(lambda: (be.state() or {}).get('ports') and not any(
        p.get('connected') for p in be.state()['ports']), 20,
        'both ports disconnected after the power-off')

    st = be.state()
    for p in st['ports']:
        check(p.get('errors', 0) == 0 and p.get('protocol_errors', 0) == 0,
              'port %d: no datapath or protocol error' % p['id'])
    rc = be.quit(timeout=30)
    be.sanitizer_check()
    check(rc == 0, 'vhp-testpmd quits with 0 (rc %s)' % rc)


if __name__ == '__main__':
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print('usage: test_idle.py {%s}' % '|'.join(CASES))
        sys.exit(2)
    G.run(lambda: main(sys.argv[1]))
