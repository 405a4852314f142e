#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""64 vhost ports in one vhp-testpmd (issue #14), one polling lcore.

vhp-testpmd -i, io, 64 --vhost ports (forwarded in pairs 0<->1, 2<->3,
...), --idle-mode=MODE. The front-ends are 8 dpdk-testpmd processes with
8 virtio-user ports each (Debian's DPDK allows 32 ports per process),
started one after the other, each small (--no-huge -m 64, 8192 mbufs,
256-entry rings). Front-end k holds ports 8k..8k+7, so its io forwarding
(its ports 2j <-> 2j+1) closes the loop through our pairs.

Checked:
- after each front-end starts, its 8 ports run and every port of the
  front-ends before it still runs; the JSON "idle" entry of the lcore
  counts as many running streams as running ports (the loop visits only
  those); in sleep mode the lcore sleeps with all 64 ports idle, its 64
  RX rings armed;
- traffic on front-ends 0 and 7 (ports 0-7, 56-63): `start tx_first`, 1 s
  of io forwarding, stop, rxonly to empty the RX rings; exact counts per
  port and direction p -> q (q = p ^ 1): FE tx(p) == BE rx(p) ==
  BE tx(q) (no drop: 8 x 32 packets circulate in 256-entry rings) ==
  FE rx(q), packets and bytes;
- front-ends 2 and 5 are SIGKILLed: their 16 ports report not connected
  and not running, `show port info` says link down, the others still
  run, streams running drop to 48, traffic on front-end 0 again exact;
  vhp-testpmd's fd count (/proc/PID/fd) goes down by exactly what those
  two front-ends added (each front-end adds the same number);
- they are started again on the same sockets: the 16 ports run again
  (2 connections each), link up, exact traffic on the restarted
  front-end 2, fd count back to its value with 8 front-ends;
- all front-ends quit: every port disconnected, fd count back to the
  baseline (vhp-testpmd forwarding, nothing connected); vhp-testpmd quits
  with 0 and no sanitizer report.

Variants (argv[1]): sleep, poll (--idle-mode). Ring: split.
"""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhp_harness as h  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else 'sleep'
if MODE not in ('sleep', 'poll'):
    raise SystemExit('unknown variant ' + MODE)
NPORTS = 64
PER_FE = 8
NFE = NPORTS // PER_FE
KILLED = (2, 5)
TRAFFIC = (0, NFE - 1)
FE_MEM = ['-n', '1', '--no-huge', '-m', '64', '--single-file-segments',
          '--no-pci']
SETTLE = 20


def fd_count(pid):
    return len(os.listdir('/proc/%d/fd' % pid))


def wait_fds(pid, want, what, timeout=10):
    """Wait until the process has @want fds; fail with the count it has."""
    try:
        h.wait_for(lambda: fd_count(pid) == want, timeout, what)
    except h.TestFailure:
        raise h.TestFailure('%s: %d fds expected, %d open' % (what, want, fd_count(pid)))
    h.check(True, '%s: %d fds' % (what, want))


class Bench:
    def __init__(self):
        self.socks = [h.sock_path('p%d' % i) for i in range(NPORTS)]
        self.be = h.track(h.VhpInteractive(
            ['--vhost=' + s for s in self.socks], fwd='io',
            extra_app=['--idle-mode=' + MODE, '--idle-polls=256']))
        self.be.wait_prompt(60)
        self.fes = [None] * NFE
        self.starts = [0] * NFE

    def state(self):
        st = self.be.state()
        if st is None or len(st.get('ports', [])) != NPORTS:
            return None
        return st

    def wait_state(self, pred, what, timeout=SETTLE):
        return h.wait_backend(self.be, pred, what, timeout, NPORTS,
                              interval=0.3)

    def running(self, st):
        return {p['id'] for p in st['ports'] if p.get('running') and p.get('connected')}

    def lcore(self, st):
        lc = st.get('idle', {}).get('lcores', [])
        if len(lc) != 1:
            raise h.TestFailure('JSON idle: expected one lcore: %s' % st.get('idle'))
        return lc[0]

    def fe_ports(self, k):
        return set(range(k * PER_FE, (k + 1) * PER_FE))

    def start_fe(self, k):
        self.starts[k] += 1
        vdevs = [h.virtio_user_vdev(self.socks[k * PER_FE + i], i, queue_size=256)
                 for i in range(PER_FE)]
        fe = h.track(h.Testpmd(vdevs, name='fe%d_%d' % (k, self.starts[k]),
                               desc=256, mbufs=8192, mem=FE_MEM))
        fe.wait_prompt(60)
        self.fes[k] = fe
        return fe

    def expect_running(self, want, what):
        return self.wait_state(lambda st: self.running(st) == want, what)

    def counts(self, st, ports):
        out = {}
        for p in st['ports']:
            if p['id'] in ports:
                out[p['id']] = p
        return out

    def traffic(self, k, what):
        """Exact loop traffic through front-end k (see the docstring)."""
        fe = self.fes[k]
        base = list(self.fe_ports(k))
        st0 = self.wait_state(lambda st: True, 'JSON')
        drops0 = {i: c.get('fwd_dropped', 0) + c.get('tx_dropped', 0)
                  for i, c in self.counts(st0, set(base)).items()}
        fe.cmd('start tx_first')
        time.sleep(1.0)
        fe.stop_fwd()
        s = fe.port_stats()
        if len(s) != PER_FE:
            raise h.TestFailure('%s: front-end stats for %d ports' % (what, len(s)))

        def taken(st):
            c = self.counts(st, set(base))
            return all(c[base[i]]['rx_packets'] == s[i]['tx'] and
                       c[base[i]]['rx_packets'] == c[base[i ^ 1]]['tx_packets']
                       for i in range(PER_FE))
        st = self.wait_state(taken, '%s: back-end took every packet sent on '
                             'ports %d-%d and forwarded it' % (what, base[0], base[-1]))
        c = self.counts(st, set(base))
        fe.cmd('set fwd rxonly')
        fe.cmd('start')
        try:
            h.wait_for(lambda: all(fe.port_stats()[i]['rx'] >= c[base[i]]['tx_packets']
                                   for i in range(PER_FE)), SETTLE,
                       '%s: front-end rxonly drains its RX rings' % what, interval=0.3)
        finally:
            fe.stop_fwd()
            fe.cmd('set fwd io')
        s = fe.port_stats()
        total = 0
        for i in range(PER_FE):
            p, q = base[i], base[i ^ 1]
            h.check(s[i]['tx'] == c[p]['rx_packets'] and s[i]['tx_bytes'] == c[p]['rx_bytes'] and
                    c[p]['rx_packets'] == c[q]['tx_packets'] and
                    c[p]['rx_bytes'] == c[q]['tx_bytes'] and
                    c[q]['tx_packets'] == s[i ^ 1]['rx'] and
                    c[q]['tx_bytes'] == s[i ^ 1]['rx_bytes'],
                    '%s: port %d -> %d: FE tx %d == BE rx %d == BE tx %d == FE rx %d '
                    '(bytes %d %d %d %d)' % (
                        what, p, q, s[i]['tx'], c[p]['rx_packets'], c[q]['tx_packets'],
                        s[i ^ 1]['rx'], s[i]['tx_bytes'], c[p]['rx_bytes'],
                        c[q]['tx_bytes'], s[i ^ 1]['rx_bytes']))
            total += s[i]['tx']
        h.check(all(c[p].get('fwd_dropped', 0) + c[p].get('tx_dropped', 0) == drops0[p]
                    and c[p].get('errors', 0) == 0 and c[p].get('rx_dropped', 0) == 0
                    for p in base), '%s: no drop, no error on ports %d-%d'
                % (what, base[0], base[-1]))
        h.check(total > 0 and all(s[i]['tx'] > 0 for i in range(PER_FE)),
                '%s: %d packets sent, on every port' % (what, total))

    def link_up(self, port):
        out = self.be.cmd('show port info %d' % port)
        m = re.search(r'Link status:\s*(\w+)', out)
        if m is None:
            raise h.TestFailure('show port info %d: no link status:\n%s' % (port, out))
        return m.group(1) == 'up'


def main():
    B = Bench()
    be = B.be
    be.cmd('start')
    st = B.wait_state(lambda st: st.get('running') and not B.running(st),
                      'forwarding, nothing connected')
    if MODE == 'sleep':
        B.wait_state(lambda st: B.lcore(st)['sleeps'] > 0,
                     'the lcore sleeps with no port running')
    time.sleep(1.5)
    fd_base = fd_count(be.p.pid)
    h.log('vhp-testpmd: %d fds with %d ports, none connected' % (fd_base, NPORTS))

    want = set()
    for k in range(NFE):
        t0 = time.monotonic()
        B.start_fe(k)
        want |= B.fe_ports(k)
        B.expect_running(want, 'front-end %d: ports 0-%d running' % (k, max(want)))
        h.log('front-end %d up, its ports running after %.1f s'
              % (k, time.monotonic() - t0))
    h.check(True, 'all %d ports running, one connection each' % NPORTS)
    st = B.wait_state(lambda st: B.lcore(st)['streams_running'] == NPORTS,
                      'the lcore visits %d running streams' % NPORTS)
    h.check(all(p.get('connections') == 1 for p in st['ports']),
            'one connection per port')
    if MODE == 'sleep':
        n = B.lcore(st)['sleeps']
        st = B.wait_state(lambda st: B.lcore(st)['sleeps'] > n,
                          'the lcore sleeps with %d idle ports' % NPORTS)
        lc = B.lcore(st)
        h.check(lc['rings'] == NPORTS and lc['errors'] == 0 and lc['no_kick_fd'] == 0,
                'sleeping on %d rings (%d), no error' % (NPORTS, lc['rings']))
    fd_all = fd_count(be.p.pid)
    per_fe = (fd_all - fd_base) // NFE
    h.log('vhp-testpmd: %d fds with %d front-ends (%d more, %d per front-end)'
          % (fd_all, NFE, fd_all - fd_base, per_fe))
    h.check((fd_all - fd_base) % NFE == 0 and per_fe > 0,
            'each front-end adds the same number of fds (%d)' % per_fe)

    for k in TRAFFIC:
        B.traffic(k, 'front-end %d' % k)

    # ports going away
    for k in KILLED:
        fe = B.fes[k]
        h.log('SIGKILL front-end %d (pid %d)' % (k, fe.p.pid))
        os.kill(fe.p.pid, signal.SIGKILL)
        fe.p.wait(timeout=10)
    gone = set()
    for k in KILLED:
        gone |= B.fe_ports(k)
    want -= gone
    st = B.wait_state(lambda st: B.running(st) == want and
                      not any(p.get('connected') for p in st['ports'] if p['id'] in gone),
                      'ports of the killed front-ends disconnected, the others running')
    h.check(be.alive(), 'vhp-testpmd alive after %d front-ends were killed' % len(KILLED))
    st = B.wait_state(lambda st: B.lcore(st)['streams_running'] == len(want),
                      'the lcore visits %d running streams' % len(want))
    for p in (min(gone), max(gone)):
        h.check(not B.link_up(p), 'show port info %d: link down' % p)
    h.check(B.link_up(0), 'show port info 0: link up')
    B.traffic(0, 'front-end 0 with %d ports gone' % len(gone))
    wait_fds(be.p.pid, fd_all - len(KILLED) * per_fe,
             'the fds of the killed front-ends closed')

    # and coming back
    for k in KILLED:
        B.start_fe(k)
        want |= B.fe_ports(k)
    st = B.expect_running(want, 'restarted front-ends: all %d ports running' % NPORTS)
    h.check(all(p.get('connections') == (2 if p['id'] in gone else 1) for p in st['ports']),
            'two connections on the ports that came back, one elsewhere')
    for p in (min(gone), max(gone)):
        h.check(B.link_up(p), 'show port info %d: link up again' % p)
    B.wait_state(lambda st: B.lcore(st)['streams_running'] == NPORTS,
                 'the lcore visits %d running streams again' % NPORTS)
    B.traffic(KILLED[0], 'restarted front-end %d' % KILLED[0])
    wait_fds(be.p.pid, fd_all, 'fd count back with %d front-ends' % NFE)

    for k in range(NFE):
        rc = B.fes[k].quit()
        h.check(rc == 0, 'front-end %d quits (rc %s)' % (k, rc))
    B.wait_state(lambda st: not any(p.get('connected') for p in st['ports']),
                 'every port disconnected')
    wait_fds(be.p.pid, fd_base, 'fd count back to the baseline')
    rc = be.quit(timeout=60)
    be.sanitizer_check()
    h.check(rc == 0, 'vhp-testpmd quits with 0 (rc %s)' % rc)


h.run(main)
