#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Idle polling cores that sleep (issue #14): no packet lost across sleeps.

vhp-testpmd -i (io, ports 0 <-> 1, --idle-mode=MODE --idle-polls=256)
with two vhost ports; one dpdk-testpmd with two virtio-user ports
(io, its ports 0 <-> 1) is the front-end, so packets loop
FE0 -> BE0 -> BE1 -> FE1 -> FE0 -> ...

Phase 1, idle: nothing connected sends; the back-end's lcore must sleep
(JSON "idle": sleeps grow, kicks armed on 2 rings) and its thread
(rte-worker-1, /proc/PID/task/TID/stat) must use far less than a core
over 2 s (< 20%: a functional check that it sleeps, not a speed figure).

Phase 2, rounds: each round waits until the back-end slept, leaves it
idle for another second, then sends a burst right into the sleeping core:
  even rounds: front-end `start tx_first 8` (8 x 32 packets on each port
    at once, then io forwarding for 2.5 s: 512 packets circulate, fewer
    than any ring holds, so nothing may be dropped);
  odd rounds: front-end txonly for 0.2 s (the front-end does not read its
    RX rings, so the back-end's TX into them fills up and the rest is
    dropped and counted as fwd_dropped).
Each round a guest kick woke the sleeping lcore (telemetry /vhp/idle,
read before and after the burst), and during the 2.5 s of an io round at
most one sleep ended by the timeout (1 s; only the sleep under way when
the burst came may). After the burst the front-end stops; the back-end
must take every packet the front-end sent (its rx == front-end tx, per
port: it may not stay asleep with packets in a ring); then the
front-end's rxonly empties its RX rings. Then, exactly, per direction
p -> q (packets and bytes):
  FE tx(p) == BE rx(p)
  BE rx(p) == BE tx(q) + fwd_dropped(q) + tx_dropped(q)
  BE tx(q) == FE rx(q)
and io rounds add no drop at all.

Phase 3, the CLI: `stop`, `set idle-mode poll`, `start`: `show idle` says
poll and the lcore does not sleep for 1.5 s; one io round (exact counts,
no drop); `stop`, `set idle-mode MODE 64`, `start`: `show idle` says
MODE with a threshold of 64 loops, the lcore sleeps again, one more io
round. vhp-testpmd quits with 0, with no sanitizer report.

Phase 4, ping-pong: a new vhp-testpmd with one port (--idle-polls=16)
and a one-port front-end (io, `set burst 1`, then 4): one packet (then
4) goes round, sent back by the front-end as soon as it returns, so the
lcore goes to sleep on nearly every pass, often while the packet is on
its way. A ring not re-checked after arming kicks, or kicks armed too
late, leave the lcore asleep until the 1 s timeout and the loop stalls:
at most one sleep may end by the timeout in 4 s (with the re-check
removed from lib/vhost/idle.c, 4 of 9 sleeps did); exact counts.

Variants (argv[1]): split-sleep, packed-sleep, split-adaptive,
packed-adaptive (packed: virtio-user packed_vq=1 on both ports).

EVENT_IDX: DPDK 22.11's virtio-user does not negotiate it (its kicks
follow VRING_USED_F_NO_NOTIFY, or the packed device event flags), so
these tests cover the notification-flag path; EVENT_IDX (avail_event) is
covered by the guest test (test/guest/test_idle.py). The negotiated
features are logged.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhp_harness as h  # noqa: E402

VARIANT = sys.argv[1] if len(sys.argv) > 1 else 'split-sleep'
RING, MODE = VARIANT.split('-', 1)
if RING not in ('split', 'packed') or MODE not in ('sleep', 'adaptive'):
    raise SystemExit('unknown variant ' + VARIANT)
ROUNDS = 2           # one io round, one txonly round (and one io at the end)
TX_FIRST_BURSTS = 8
IO_SECONDS = 1.0
PINGPONG_SECONDS = 2.5
CPU_BOUND = 0.20
SETTLE = 15          # seconds for counters to reach their final values






def idle_lcore(st):
    """The forwarding lcore's entry of the JSON "idle" object."""
    lc = (st or {}).get('idle', {}).get('lcores', [])
    return lc[0] if lc else None


class Loop:
    def __init__(self):
        self.a = h.sock_path('a')
        self.b = h.sock_path('b')
        self.be = h.track(h.VhpInteractive(
            ['--vhost=' + self.a, '--vhost=' + self.b], fwd='io',
            extra_app=['--idle-mode=' + MODE, '--idle-polls=256']))
        self.be.wait_prompt()
        dev = {'packed_vq': 1} if RING == 'packed' else {}
        self.fe = h.track(h.Testpmd([h.virtio_user_vdev(self.a, 0, **dev),
                                     h.virtio_user_vdev(self.b, 1, **dev)],
                                    name='fe'))
        self.fe.wait_prompt()
        self.drop_offset = {0: 0, 1: 0}

    def state(self):
        st = self.be.state()
        if st is None or len(st.get('ports', [])) < 2:
            return None
        return st

    def wait_state(self, pred, what, timeout=SETTLE):
        return h.wait_backend(self.be, pred, what, timeout, 2)

    def be_counts(self, st):
        """Per port: rx, tx, bytes, drops on its TX side (since start)."""
        out = {}
        for p in st['ports'][:2]:
            i = p['id']
            out[i] = {'rx': p['rx_packets'], 'tx': p['tx_packets'],
                      'rx_bytes': p['rx_bytes'], 'tx_bytes': p['tx_bytes'],
                      'drops': p.get('fwd_dropped', 0) + p.get('tx_dropped', 0)
                      + self.drop_offset[i],
                      'rx_dropped': p.get('rx_dropped', 0),
                      'errors': p.get('errors', 0)}
        return out

    def fe_counts(self):
        s = self.fe.port_stats()
        if 0 not in s or 1 not in s:
            raise h.TestFailure('front-end stats without both ports: %s' % s)
        return s

    def settle(self, what):
        """After the front-end stopped: the back-end took every packet the
        front-end sent; then rxonly empties the front-end's RX rings and
        the counts are compared exactly. Returns the last back-end JSON."""
        fe = self.fe_counts()
        st = self.wait_state(
            lambda st: all(self.be_counts(st)[p]['rx'] == fe[p]['tx'] and
                           self.be_counts(st)[p ^ 1]['tx'] +
                           self.be_counts(st)[p ^ 1]['drops'] ==
                           self.be_counts(st)[p]['rx'] for p in (0, 1)),
            '%s: back-end rx == front-end tx and rx == tx + drops on both ports'
            % what)
        be = self.be_counts(st)
        self.fe.cmd('set fwd rxonly')
        self.fe.cmd('start')

        def drained():
            s = self.fe.port_stats()
            return s if all(s[p]['rx'] >= be[p]['tx'] for p in (0, 1)) else None
        try:
            h.wait_for(drained, SETTLE, '%s: front-end rxonly receives what '
                       'the back-end sent' % what, interval=0.3)
        finally:
            self.fe.stop_fwd()
            self.fe.cmd('set fwd io')
        fe = self.fe_counts()
        # the back-end's counters were final once the equalities above held
        for p, q in ((0, 1), (1, 0)):
            h.check(fe[p]['tx'] == be[p]['rx'] and fe[p]['tx_bytes'] == be[p]['rx_bytes'],
                    '%s: FE tx(%d) == BE rx(%d): %d == %d packets, %d == %d bytes'
                    % (what, p, p, fe[p]['tx'], be[p]['rx'], fe[p]['tx_bytes'],
                       be[p]['rx_bytes']))
            h.check(be[p]['rx'] == be[q]['tx'] + be[q]['drops'],
                    '%s: BE rx(%d) == BE tx(%d) + dropped: %d == %d + %d'
                    % (what, p, q, be[p]['rx'], be[q]['tx'], be[q]['drops']))
            h.check(be[q]['tx'] == fe[q]['rx'] and be[q]['tx_bytes'] == fe[q]['rx_bytes'],
                    '%s: BE tx(%d) == FE rx(%d): %d == %d packets, %d == %d bytes'
                    % (what, q, q, be[q]['tx'], fe[q]['rx'], be[q]['tx_bytes'],
                       fe[q]['rx_bytes']))
        for p in (0, 1):
            h.check(be[p]['rx_dropped'] == 0 and be[p]['errors'] == 0,
                    '%s: port %d: no library drop or error (%d, %d)'
                    % (what, p, be[p]['rx_dropped'], be[p]['errors']))
            h.check(fe[p]['rx_nombuf'] == 0 and fe[p]['rx_errors'] == 0,
                    '%s: front-end port %d: no RX error or mbuf shortage' % (what, p))
        return st

    def wait_slept(self, what, timeout=10):
        st0 = self.wait_state(lambda st: True, 'JSON')
        n0 = (idle_lcore(st0) or {}).get('sleeps', 0)
        st = self.wait_state(lambda st: (idle_lcore(st) or {}).get('sleeps', 0) > n0,
                             '%s: the lcore sleeps (sleeps > %d)' % (what, n0),
                             timeout=timeout)
        return idle_lcore(st)

    def tel_idle(self):
        """The lcore's idle counters, read now (telemetry /vhp/idle)."""
        d = h.telemetry(self.be.prefix, '/vhp/idle')
        lc = [v for k, v in d.items() if k.startswith('lcore')]
        if len(lc) != 1:
            raise h.TestFailure('/vhp/idle: expected one lcore: %s' % d)
        return lc[0]

    def round(self, r, kind):
        what = 'round %d (%s)' % (r, kind)
        self.wait_slept(what + ', idle')
        time.sleep(1.0)
        st = self.wait_state(lambda st: True, 'JSON')
        before = sum(v['drops'] for v in self.be_counts(st).values())
        t0 = self.tel_idle()
        if kind == 'io':
            self.fe.cmd('start tx_first %d' % TX_FIRST_BURSTS)
            time.sleep(IO_SECONDS)
            self.fe.stop_fwd()
        else:
            self.fe.cmd('set fwd txonly')
            self.fe.cmd('start')
            time.sleep(0.2)
            self.fe.stop_fwd()
        t1 = self.tel_idle()
        if kind != 'io':
            self.fe.cmd('set fwd io')
        h.check(t1['wake_kick'] > t0['wake_kick'],
                '%s: a guest kick woke the sleeping lcore (wake-ups by kick %d -> %d)'
                % (what, t0['wake_kick'], t1['wake_kick']))
        if kind == 'io':
            # A kick missed while the loop runs stalls it until the sleep's
            # timeout (1 s); only the sleep under way when the burst came
            # may end that way.
            h.check(t1['wake_timeout'] - t0['wake_timeout'] <= 1,
                    '%s: %.0f s of traffic, sleeps ended by kicks (%d), not '
                    'by the timeout (%d)' % (what, IO_SECONDS,
                                             t1['wake_kick'] - t0['wake_kick'],
                                             t1['wake_timeout'] - t0['wake_timeout']))
        st = self.settle(what)
        be = self.be_counts(st)
        drops = sum(v['drops'] for v in be.values())
        if kind == 'io':
            h.check(drops == before, '%s: no packet dropped (%d before, %d after)'
                    % (what, before, drops))
        else:
            h.log('%s: %d packets dropped on full front-end RX rings (counted)'
                  % (what, drops - before))
        h.check(be[0]['rx'] > 0 and be[1]['rx'] > 0, '%s: traffic on both ports' % what)
        return st

    def show_idle(self):
        out = self.be.cmd('show idle')
        h.log('show idle:\n' + out.strip())
        return out


def main():
    L = Loop()
    be, fe = L.be, L.fe
    st = L.wait_state(lambda st: all(p.get('running') for p in st['ports']),
                      'both vhost ports running', timeout=20)
    for p in st['ports']:
        f = h.hex_int(p['features'])
        h.log('port %d: %s ring, features %s' % (p['id'], p['ring'],
                                                  ' '.join(h.feature_names(f))))
        h.check(p['ring'] == RING, 'port %d ring is %s' % (p['id'], RING))
    be.cmd('start')
    out = L.show_idle()
    h.check(re.search(r'Idle mode: %s, 256 empty loops' % MODE, out) is not None,
            'show idle: mode %s, 256 empty loops' % MODE)

    # phase 1: idle
    lc = L.wait_slept('idle')
    h.check(lc['mode'] == MODE, 'JSON idle lcore mode %s (%s)' % (MODE, lc['mode']))
    h.check(lc['rings'] == 2 and lc['streams_running'] == 2,
            'lcore sleeps on 2 rings, 2 streams running (%s, %s)'
            % (lc['rings'], lc['streams_running']))
    h.check(lc['errors'] == 0 and lc['no_kick_fd'] == 0,
            'no epoll error, no ring without kick fd')
    tid = h.lcore_tid(be.p.pid)
    hz = os.sysconf('SC_CLK_TCK')
    t0, c0 = time.monotonic(), h.thread_cpu_ticks(be.p.pid, tid)
    time.sleep(2.0)
    t1, c1 = time.monotonic(), h.thread_cpu_ticks(be.p.pid, tid)
    share = (c1 - c0) / hz / (t1 - t0)
    h.check(share < CPU_BOUND, 'idle lcore thread used %.1f%% of a CPU over %.1f s '
            '(< %d%%)' % (100 * share, t1 - t0, 100 * CPU_BOUND))
    out = L.show_idle()
    m = re.search(r'sleeps (\d+) \(asleep ([\d.]+)%\)', out)
    h.check(m is not None and int(m.group(1)) > 0, 'show idle counts sleeps')

    # phase 2: bursts into a sleeping core
    st = None
    for r in range(ROUNDS):
        st = L.round(r, 'io' if r % 2 == 0 else 'txonly')
    lc = idle_lcore(st)
    h.log('idle counters: %s' % lc)
    h.check(lc['wake_kick'] > 0 and lc['kicks'] > 0,
            'guest kicks woke the lcore (%d wake-ups, %d kicks)'
            % (lc['wake_kick'], lc['kicks']))
    h.check(lc['errors'] == 0, 'no epoll error')

    # phase 3: the CLI; fwd_dropped restarts from 0 at each start
    for p in st['ports'][:2]:
        L.drop_offset[p['id']] += p.get('fwd_dropped', 0)
    be.cmd('stop')
    be.cmd('set idle-mode poll')
    be.cmd('start')
    out = L.show_idle()
    h.check(re.search(r'Idle mode: poll', out) is not None and
            re.search(r'lcore \d+: poll', out) is not None, 'show idle: poll')
    time.sleep(1.5)
    lc = L.tel_idle()
    h.check(lc['mode'] == 'poll' and lc['sleeps'] == 0,
            'poll mode: the lcore did not sleep (%s, sleeps %d)' % (lc['mode'], lc['sleeps']))
    fe.cmd('start tx_first %d' % TX_FIRST_BURSTS)
    time.sleep(0.5)
    fe.stop_fwd()
    st = L.settle('poll round')
    h.check(sum(p.get('fwd_dropped', 0) for p in st['ports'][:2]) == 0,
            'poll round: no packet dropped')
    for p in st['ports'][:2]:
        L.drop_offset[p['id']] += p.get('fwd_dropped', 0)
    be.cmd('stop')
    be.cmd('set idle-mode %s 64' % MODE)
    be.cmd('start')
    out = L.show_idle()
    h.check(re.search(r'Idle mode: %s, 64 empty loops' % MODE, out) is not None,
            'show idle: %s, 64 empty loops' % MODE)
    lc = L.wait_slept('after set idle-mode %s 64' % MODE)
    h.check(lc['mode'] == MODE, 'JSON idle mode back to %s' % MODE)
    st = L.round(ROUNDS, 'io')
    h.check(sum(p.get('fwd_dropped', 0) for p in st['ports'][:2]) == 0,
            'last round: no packet dropped')

    fe.quit()
    rc = be.quit()
    be.sanitizer_check()
    h.check(rc == 0, 'vhp-testpmd quits with 0 (rc %s)' % rc)
    pingpong()


def pingpong():
    """Phase 4: one port, one packet (then 4) going round: the front-end
    (io, one port, `set burst 1`) sends it back as soon as it returns, so
    the back-end (--idle-polls=16) goes to sleep on nearly every pass,
    often while the packet is on its way: a kick armed too late or a ring
    not re-checked after arming leaves it asleep until the 1 s timeout
    (the loop stalls). Exact counts, and no more than one sleep ended by
    the timeout per PINGPONG_SECONDS of traffic."""
    a = h.sock_path('pp')
    be = h.track(h.VhpInteractive(['--vhost=' + a], fwd='io', name='vhp-pp',
                                  extra_app=['--idle-mode=' + MODE, '--idle-polls=16']))
    be.wait_prompt()
    dev = {'packed_vq': 1} if RING == 'packed' else {}
    fe = h.track(h.Testpmd([h.virtio_user_vdev(a, 0, **dev)], name='fe-pp'))
    fe.wait_prompt()
    h.wait_for(lambda: (be.state() or {}).get('ports') and
               be.state()['ports'][0].get('running'), 20, 'ping-pong port running')
    be.cmd('start')

    def tel():
        d = h.telemetry(be.prefix, '/vhp/idle')
        return [v for k, v in d.items() if k.startswith('lcore')][0]

    def port(st):
        p = st['ports'][0]
        return p['rx_packets'], p['tx_packets'], p.get('fwd_dropped', 0) + p.get('tx_dropped', 0)
    for burst in (1, 4):
        what = 'ping-pong, %d packet%s' % (burst, 's' if burst > 1 else '')
        h.wait_for(lambda: tel()['sleeps'] > 0, 10, what + ': the lcore sleeps')
        fe.cmd('set burst %d' % burst)
        t0 = tel()
        fe.cmd('start tx_first 1')
        time.sleep(PINGPONG_SECONDS)
        fe.stop_fwd()
        t1 = tel()
        d = {k: t1[k] - t0[k] for k in ('sleeps', 'wake_kick', 'wake_timeout')}
        h.log('%s: %s' % (what, d))
        h.check(d['wake_kick'] > 0 and d['wake_timeout'] <= 1,
                '%s: %.0f s, the lcore slept %d times, woken by kicks %d times, '
                'by the timeout %d times (<= 1)' % (what, PINGPONG_SECONDS, d['sleeps'],
                                                     d['wake_kick'], d['wake_timeout']))
        s = fe.port_stats()[0]
        st = h.wait_for(lambda: (be.state() or {}).get('ports') and
                        port(be.state())[0] == s['tx'] and be.state(), SETTLE,
                        '%s: back-end rx == front-end tx (%d)' % (what, s['tx']))
        rx, tx, drops = port(st)
        h.check(rx == tx + drops and drops == 0, '%s: back-end rx %d == tx %d, no drop'
                % (what, rx, tx))
        fe.cmd('set fwd rxonly')
        fe.cmd('start')
        try:
            h.wait_for(lambda: fe.port_stats()[0]['rx'] >= tx, SETTLE,
                       what + ': front-end drains its RX ring', interval=0.3)
        finally:
            fe.stop_fwd()
            fe.cmd('set fwd io')
        s = fe.port_stats()[0]
        h.check(s['tx'] == rx and s['rx'] == tx, '%s: FE tx %d == BE rx %d, BE tx %d == '
                'FE rx %d' % (what, s['tx'], rx, tx, s['rx']))
    fe.quit()
    rc = be.quit()
    be.sanitizer_check()
    h.check(rc == 0, 'ping-pong vhp-testpmd quits with 0 (rc %s)' % rc)


h.run(main)
