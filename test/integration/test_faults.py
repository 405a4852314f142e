#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The front-end dies during the handshake, after each message type in turn
(issue #11, "front-end fault tests").

A Python proxy sits between a dpdk-testpmd virtio-user front-end and port 2
of vhp-testpmd: it relays vhost-user messages both ways (header u32
request, u32 flags, u32 size, payload; fds passed on as SCM_RIGHTS) and
records the front-end's requests. First a normal handshake is recorded
through it; then, for each distinct request type of that handshake in the
order it first appears, a new front-end is started through the proxy,
which SIGKILLs it right after relaying the first message of that type and
then hangs up on vhp-testpmd as the dead front-end's socket would; one
more front-end is killed after the last message of the handshake, when
the device runs.

After each kill: vhp-testpmd is alive, port 2 reports disconnected (its
connection count says the connection was seen), vhp-testpmd's fd count
(/proc/PID/fd) is back to what it was before any front-end came to port
2, and ports 0 and 1 (one dpdk-testpmd with two virtio-user ports, io
forwarding looped through them) keep forwarding: their counters grow
between checks. At the end a good front-end connects to port 2 directly
and traffic flows (port 2 forwards to itself), and SIGTERM exits 0.

The dying front-end runs without hugepages, small rings and a small mbuf
pool, so that a kill cycle costs about a second.
"""
import os
import select
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhp_harness as h  # noqa: E402
import vu_frontend as vu  # noqa: E402

GROW = 1000
FAULT_PORT = 2
SMALL = {'queue_size': 256}
SMALL_KW = {'desc': 256, 'mbufs': 2048}


class KillProxy:
    """Relays one vhost-user connection from listen_path to upstream. With
    kill_type (a request code) or kill_at (a message count), it SIGKILLs
    self.pid right after relaying the first message of that type, or the
    kill_at-th message, relays nothing more from then on, and closes both
    sides when the front-end's socket closes."""

    def __init__(self, listen_path, upstream, kill_type=None, kill_at=None):
        self.path, self.upstream = listen_path, upstream
        self.kill_type, self.kill_at = kill_type, kill_at
        self.pid = None
        self.seq = []                      # request codes relayed, in order
        self.killed = False
        self.error = None
        self.done = threading.Event()
        self.stop = False
        self.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.lsock.bind(listen_path)
        self.lsock.listen(1)
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _kill(self):
        end = time.monotonic() + 10
        while self.pid is None and time.monotonic() < end:
            time.sleep(0.01)
        if self.pid is None:
            raise RuntimeError('no front-end pid to kill')
        os.kill(self.pid, signal.SIGKILL)
        self.killed = True

    def _run(self):
        cs = us = None
        fa = ba = None
        try:
            while not self.stop:
                r, _, _ = select.select([self.lsock], [], [], 0.2)
                if r:
                    cs, _ = self.lsock.accept()
                    break
            if cs is None:
                return
            us = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            us.connect(self.upstream)
            fa, ba = vu.MsgStream(cs), vu.MsgStream(us)
            while not self.stop:
                r, _, _ = select.select([cs, us], [], [], 0.2)
                if cs in r:
                    try:
                        alive = fa.fill()
                    except OSError:
                        alive = False
                    while True:
                        m = fa.parse()
                        if m is None:
                            break
                        if not self.killed:
                            ba.send_raw(m.raw, m.fds)
                            self.seq.append(m.req)
                            if m.req == self.kill_type or len(self.seq) == self.kill_at:
                                self._kill()
                        m.close_fds()
                    if not alive:
                        break              # the front-end's socket closed
                if us in r:
                    try:
                        alive = ba.fill()
                    except OSError:
                        alive = False
                    while True:
                        m = ba.parse()
                        if m is None:
                            break
                        if not self.killed:
                            try:
                                fa.send_raw(m.raw, m.fds)
                            except OSError:
                                pass
                        m.close_fds()
                    if not alive:
                        break              # the back-end hung up
        except Exception as e:             # reported by the test
            self.error = repr(e)
        finally:
            for s in (fa, ba):
                if s is not None:
                    s.close()
            for s in (cs, us):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass
            self.close_listener()
            self.done.set()

    def close_listener(self):
        try:
            self.lsock.close()
        except OSError:
            pass
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def shutdown(self):
        self.stop = True
        self.t.join(timeout=5)
        self.close_listener()


_proxies = []


def names(seq):
    return [vu.REQ_NAME.get(r, str(r)) for r in seq]


class Other:
    """Ports 0 and 1 with their dpdk-testpmd front-end: growth checks."""

    def __init__(self, be, pr):
        self.be, self.pr = be, pr
        self.last = self.sample()

    def sample(self):
        b = [self.be.port(i) or {} for i in (0, 1)]
        f = self.pr.port_stats()
        return (sum(x.get('rx_packets', 0) for x in b), sum(x.get('tx_packets', 0) for x in b),
                sum(x.get('rx', 0) for x in f.values()), sum(x.get('tx', 0) for x in f.values()))

    def grew(self, what, timeout=20):
        start = self.last
        end = time.monotonic() + timeout
        while True:
            cur = self.sample()
            d = [c - s for c, s in zip(cur, start)]
            if all(x >= GROW for x in d):
                self.last = cur
                h.check(True, 'ports 0/1 keep forwarding %s (our rx +%d tx +%d, theirs rx +%d tx +%d)'
                        % (what, d[0], d[1], d[2], d[3]))
                return
            if time.monotonic() > end:
                raise h.TestFailure('ports 0/1 stopped forwarding %s: in %ds our rx +%d tx +%d, '
                                    'their front-end rx +%d tx +%d (need %d each)'
                                    % (what, timeout, d[0], d[1], d[2], d[3], GROW))
            time.sleep(0.3)


def main():
    pa, pb0, pb1 = h.sock_path('fault'), h.sock_path('b0'), h.sock_path('b1')
    be = h.track(h.VhpBackend([pb0, pb1, pa], fwd='io', period=0.5))
    be.wait_ready(timeout=30)
    other = h.track(h.peer(pb0, name='other',
                           extra_vdevs=[h.virtio_user_vdev(pb1, idx=1)]))
    other.wait_prompt(timeout=60)
    for i in (0, 1):
        be.wait_port(lambda p: p.get('connected') and p.get('status') == 15, 30,
                     'port %d up' % i, i=i)
    other.cmd('start tx_first 32')
    oth = Other(be, other)
    oth.grew('before any fault')
    time.sleep(0.6)
    base = vu.fd_baseline(be.p.pid)
    h.log('vhp-testpmd pid %d: %d fds with port %d idle' % (be.p.pid, base, FAULT_PORT))

    def port2():
        return be.port(FAULT_PORT) or {}

    def fault_frontend(proxy_path, name):
        return h.Testpmd([h.virtio_user_vdev(proxy_path, **SMALL)], name=name, **SMALL_KW)

    def after(what, conns):
        h.check(be.alive(), 'vhp-testpmd alive %s' % what)
        be.wait_port(lambda p: p.get('connections', 0) >= conns and not p.get('connected'), 20,
                     'port %d disconnected after connection %d (%s)' % (FAULT_PORT, conns, what),
                     i=FAULT_PORT)
        h.check(True, 'port %d reports disconnected %s' % (FAULT_PORT, what))
        try:
            h.wait_for(lambda: vu.fd_count(be.p.pid) == base, 15, 'fd count back to %d' % base)
        except h.TestFailure:
            raise h.TestFailure('vhp-testpmd holds %d fds %s, %d before (leak): %s'
                                % (vu.fd_count(be.p.pid), what, base, vu.fd_listing(be.p.pid)))
        h.check(True, 'vhp-testpmd fd count back to %d %s' % (base, what))
        oth.grew(what)

    # 1. a normal handshake, recorded
    conns = port2().get('connections', 0)
    ppath = h.sock_path('proxy')
    px = KillProxy(ppath, pa)
    _proxies.append(px)
    fe = h.track(fault_frontend(ppath, 'recorded'))
    px.pid = fe.p.pid
    fe.wait_prompt(timeout=60)
    be.wait_port(lambda p: p.get('connected') and p.get('status') == 15, 30,
                 'port %d up through the proxy' % FAULT_PORT, i=FAULT_PORT)
    seq = list(px.seq)
    h.log('normal handshake, %d messages: %s' % (len(seq), ' '.join(names(seq))))
    h.check(px.error is None, 'proxy relayed the handshake (%s)' % px.error)
    h.check(len(seq) > 5, 'handshake recorded (%d messages)' % len(seq))
    fe.quit()
    px.done.wait(10)
    conns += 1
    after('after the recorded front-end quit', conns)
    h._objects.remove(fe)

    types = []
    for r in seq:
        if r not in types:
            types.append(r)
    h.log('%d message types to kill after: %s' % (len(types), ' '.join(names(types))))

    # 2. kill after the first message of each type, and after the last
    # message (the device runs)
    points = [(seq.index(t) + 1, t, vu.REQ_NAME.get(t, str(t))) for t in types]
    points.append((len(seq), None, 'the last message (%s, the device runs)'
                   % vu.REQ_NAME.get(seq[-1], seq[-1])))
    for n, (k, t, tn) in enumerate(points, 1):
        h.log('--- %d/%d: SIGKILL after %s (message %d of the handshake)' % (n, len(points), tn, k))
        ppath = h.sock_path('proxy')
        px = KillProxy(ppath, pa, kill_type=t, kill_at=None if t else k)
        _proxies.append(px)
        fe = fault_frontend(ppath, 'kill%d' % k)
        px.pid = fe.p.pid
        try:
            fe.p.wait(timeout=60)
        except Exception:
            raise h.TestFailure('front-end not killed after %s within 60s (proxy relayed %s)'
                                % (tn, ' '.join(names(px.seq))))
        px.done.wait(10)
        if not px.killed:
            fe.dump(30)
            raise h.TestFailure('front-end exited (rc %s) before sending %s; relayed: %s; proxy '
                                'error %s' % (fe.p.returncode, tn, ' '.join(names(px.seq)), px.error))
        h.check(px.seq[-1] == seq[k - 1],
                'front-end SIGKILLed right after %s (message %d); the last relayed: %s'
                % (tn, len(px.seq), ' '.join(names(px.seq[-3:]))))
        if px.seq != seq[:k]:
            h.log('note: this handshake differed from the recorded one: %s'
                  % ' '.join(names(px.seq)))
        conns += 1
        after('after a kill after %s' % tn, conns)

    # 3. a good front-end, directly
    h.log('--- a good front-end on port %d, directly' % FAULT_PORT)
    good = h.track(h.peer(pa, name='good'))
    good.wait_prompt(timeout=60)
    p = be.wait_port(lambda p: p.get('connected') and p.get('status') == 15, 30,
                     'port %d up with a good front-end' % FAULT_PORT, i=FAULT_PORT)
    b0, f0 = p.get('rx_packets', 0), good.port_stats()[0]
    good.cmd('start tx_first 32')

    def flows():
        q = port2()
        f = good.port_stats()[0]
        d = (q.get('rx_packets', 0) - b0, q.get('tx_packets', 0) - p.get('tx_packets', 0),
             f['rx'] - f0['rx'], f['tx'] - f0['tx'])
        return d if all(x >= GROW for x in d) else None
    d = h.wait_for(flows, 20, 'traffic both ways on port %d' % FAULT_PORT)
    h.check(True, 'a good front-end runs traffic on port %d (our rx +%d tx +%d, its rx +%d tx +%d)'
            % ((FAULT_PORT,) + d))
    q = port2()
    h.check(not any(v.get('broken') for v in q.get('vrings', [])), 'no broken ring on port %d'
            % FAULT_PORT)
    oth.grew('with the good front-end on port %d' % FAULT_PORT)
    good.stop_fwd()
    good.quit()
    conns += 1
    after('after the good front-end quit', conns)
    other.stop_fwd()
    other.quit()
    rc, _ = be.stop(timeout=30)
    h.check(rc == 0, 'vhp-testpmd exits 0 on SIGTERM (rc=%s)' % rc)


def cleanup_proxies():
    for px in _proxies:
        px.shutdown()


if h.backend_kind() != 'vhp':
    # vhp-testpmd's own JSON, telemetry and fd count are what is checked
    print('SKIP: needs vhp-testpmd (VHP_IT_BACKEND=%s)' % h.backend_kind())
    sys.exit(h.SKIP)
try:
    h.run(main)
finally:
    cleanup_proxies()
