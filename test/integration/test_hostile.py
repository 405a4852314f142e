#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hostile front-ends (issue #11, items 3 and 4 and the list "found by
reading the code"), played by vu_frontend.py (a vhost-user front-end in
Python) against port 0 of vhp-testpmd.

Layout, every mode: vhp-testpmd --forward-mode=txonly with two server
ports: port 0 for the hostile front-end, port 1 for a well-behaved
dpdk-testpmd virtio-user front-end in rxonly mode ("the other port"). In
txonly every port is sent generated frames, so the other port's counters
(our tx, its rx) grow as long as the polling core runs, and port 0's RX
ring gets frames whenever the hostile front-end posts buffers.

Every mode ends with: vhp-testpmd alive, the other port still
forwarding, the fd count of vhp-testpmd back to what it was before the
hostile front-end came (/proc/PID/fd), a good front-end working on port 0
afterwards, and SIGTERM exiting 0.

Modes (argv[1]):
  callfd       the front-end passes a pipe's write end as SET_VRING_CALL of
               ring 0 and never reads the pipe; it posts RX buffers one at a
               time and takes each back, CALL_ROUNDS times, so that many
               interrupts are due (a pipe takes 8192 of them). The ring must
               keep being served, the other port keep forwarding, telemetry
               answer, and the hostile port disconnect and tear down
               (before the fix the polling core blocked in write() after
               ~8,200 interrupts, and the teardown waited for it forever).
  packed-base  RING_PACKED and REPLY_ACK negotiated; SET_VRING_BASE of ring
               0 (size 256) with avail index 300, 0x8000|300, 256 and a used
               index (bits 16-30) of 300 must each get a non-zero REPLY_ACK;
               a base sent before SET_VRING_NUM may be acked but the ring
               must not run with it. After the rest of the set-up and
               DRIVER_OK ring 0 must not be ready and never at index >= 256.
               Then a dpdk-testpmd packed front-end works on the port.
  memreg       CONFIGURE_MEM_SLOTS: ADD_MEM_REG of the same region twice and
               REM_MEM_REG of it twice all succeed (idempotent, as QEMU
               sends each change once per queue pair); a REM_MEM_REG that
               carries an fd is accepted and the fd closed; then the
               region is added again and the ring set up on it carries
               traffic.
  reply        the front-end floods GET_FEATURES and reads no reply: the
               back-end cannot send its replies and must close the
               connection (not leave a half-written stream and read on).
  errfd        an eventfd as SET_VRING_ERR of ring 0; after some traffic
               the front-end publishes an avail index more than a ring
               ahead: the ring breaks (DEVICE_NEEDS_RESET) and the err
               eventfd must be signalled.
"""
import fcntl
import os
import struct
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhp_harness as h  # noqa: E402
import vu_frontend as vu  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else 'callfd'
CALL_ROUNDS = int(os.environ.get('VHP_IT_CALL_ROUNDS', '12000'))
PIPE_INTERRUPTS = 65536 // 8     # what a default pipe holds
STALL = 15.0                     # s without a returned buffer = not served
GROW = 1000                      # packets the other port must move per check


def up(p):
    return p.get('connected') and p.get('status') == 15 and p.get('running', True)


def other_grows(be, other, what, timeout=20, soft=False):
    """Our tx on port 1 and the other front-end's rx both grow by GROW.
    soft: return the reason instead of failing."""
    b0 = (be.port(1) or {}).get('tx_packets', 0)
    f0 = other.port_stats().get(0, {}).get('rx', 0)
    end = time.monotonic() + timeout
    while True:
        time.sleep(0.5)
        if not be.alive():
            raise h.TestFailure('vhp-testpmd died (rc=%s) %s' % (be.p.returncode, what))
        b1 = (be.port(1) or {}).get('tx_packets', 0)
        f1 = other.port_stats().get(0, {}).get('rx', 0)
        if b1 - b0 >= GROW and f1 - f0 >= GROW:
            msg = 'the other port forwards %s (our tx +%d, its rx +%d)' % (what, b1 - b0, f1 - f0)
            if soft:
                return msg
            h.check(True, msg)
            return msg
        if time.monotonic() > end:
            msg = ('the other port stopped forwarding %s: in %ds our tx +%d, its rx +%d '
                   '(need %d): the polling core is stuck' % (what, timeout, b1 - b0, f1 - f0, GROW))
            if soft:
                return msg
            raise h.TestFailure(msg)


class Setup:
    def __init__(self):
        self.path = h.sock_path('hostile')
        self.opath = h.sock_path('other')
        self.be = h.track(h.VhpBackend([self.path, self.opath], fwd='txonly', period=0.5))
        self.be.wait_ready(timeout=30)
        self.other = h.track(h.peer(self.opath, name='other'))
        self.other.wait_prompt(timeout=60)
        self.be.wait_port(up, 30, 'the other port up (DRIVER_OK)', i=1)
        self.other.cmd('set fwd rxonly')
        self.other.cmd('start')
        other_grows(self.be, self.other, 'before the hostile front-end')
        time.sleep(1.0)                   # the JSON writer settles
        self.fd_base = vu.fd_baseline(self.be.p.pid)
        h.log('vhp-testpmd pid %d: %d fds before the hostile front-end'
              % (self.be.p.pid, self.fd_base))

    def hostile_gone(self, what):
        """Port 0 disconnected, fds back to the baseline."""
        self.be.wait_port(lambda p: not p.get('connected'), 30,
                          'port 0 disconnected %s (the control thread tears it down)' % what)
        h.check(True, 'port 0 reports disconnected %s' % what)
        try:
            h.wait_for(lambda: vu.fd_count(self.be.p.pid) == self.fd_base, 15,
                       'fd count back to %d' % self.fd_base)
        except h.TestFailure:
            fds = vu.fd_count(self.be.p.pid)
            raise h.TestFailure('vhp-testpmd has %d fds %s, %d before the hostile front-end '
                                '(leak): %s' % (fds, what, self.fd_base, vu.fd_listing(self.be.p.pid)))
        h.check(True, 'vhp-testpmd fd count back to %d %s' % (self.fd_base, what))

    def good_frontend(self, devargs=None, ring='split'):
        """A dpdk-testpmd front-end on port 0 receives our txonly frames."""
        pr = h.track(h.peer(self.path, devargs or {}, name='good'))
        pr.wait_prompt(timeout=60)
        p = self.be.wait_port(up, 30, 'port 0 up with a good front-end')
        h.check(p['ring'] == ring, 'good front-end: %s ring' % p['ring'])
        pr.cmd('set fwd rxonly')
        pr.cmd('start')
        b0 = (self.be.port(0) or {}).get('tx_packets', 0)

        def moved():
            b = (self.be.port(0) or {}).get('tx_packets', 0) - b0
            f = pr.port_stats().get(0, {}).get('rx', 0)
            return (b, f) if b >= GROW and f >= GROW else None
        b, f = h.wait_for(moved, 20, 'traffic to the good front-end on port 0')
        h.check(True, 'a good front-end works on port 0 afterwards (our tx +%d, its rx %d)' % (b, f))
        q = self.be.port(0)
        h.check(not any(v.get('broken') for v in q.get('vrings', [])),
                'no broken ring on port 0 with the good front-end')
        return pr

    def finish(self, good):
        other_grows(self.be, self.other, 'at the end')
        for pr in (good, self.other):
            pr.stop_fwd()
            pr.quit()
        h.check(self.be.alive(), 'vhp-testpmd alive after its front-ends quit')
        rc, _ = self.be.stop(timeout=30)
        h.check(rc == 0, 'vhp-testpmd exits 0 on SIGTERM (rc=%s)' % rc)


class Later:
    """Checks whose failure should not hide the rest of the run: logged at
    once, raised together at the end."""

    def __init__(self):
        self.failed = []

    def check(self, cond, msg):
        if cond:
            h.log('ok:', msg)
        else:
            h.log('FAILED (going on, reported at the end):', msg)
            self.failed.append(msg)

    def done(self):
        if self.failed:
            raise h.TestFailure('; '.join(self.failed))


def rings_split(mem):
    return vu.SplitRing(mem, 256), vu.SplitRing(mem, 256)


def hostile_up(be, what):
    return be.wait_port(up, 20, what)


# --------------------------------------------------------------------------

def callfd():
    s = Setup()
    be = s.be
    fe = vu.Frontend(s.path)
    fe.negotiate(vu.F_VERSION_1 | vu.F_PROTOCOL_FEATURES, vu.PF_REPLY_ACK | vu.PF_STATUS)
    h.check(not fe.features & vu.F_EVENT_IDX, 'no EVENT_IDX: every used publication interrupts')
    mem = vu.GuestMemory(4 << 20)
    rx, tx = rings_split(mem)
    r, w = os.pipe()                      # blocking, like os.pipe() gives it
    try:
        fe.start_net(mem, [rx, tx], call={0: w})
    finally:
        os.close(w)                       # the back-end has its own copy
    hostile_up(be, 'hostile port up (pipe as ring 0 call fd)')
    h.log('posting %d RX buffers one at a time; the pipe holds %d interrupts'
          % (CALL_ROUNDS, PIPE_INTERRUPTS))
    done = 0
    last = time.monotonic()
    stalled = False
    outstanding = 0
    while done < CALL_ROUNDS:
        if outstanding == 0:             # one buffer at a time: one interrupt each
            outstanding = rx.post_rx(1)
        n = rx.reap()
        if n:
            done += n
            outstanding -= n
            last = time.monotonic()
        elif time.monotonic() - last > STALL:
            stalled = True
            break
    queued = struct.unpack('i', fcntl.ioctl(r, termios.FIONREAD, b'\0\0\0\0'))[0]
    try:
        v0 = h.telemetry(be.prefix, '/vhp/vhost/info,0', timeout=10).get('vring0', {})
    except Exception as e:                 # checked below; here only for the log
        v0 = {'telemetry': str(e)}
    h.log('%d RX buffers returned one by one; the pipe holds %d bytes (%d interrupts); '
          'back-end vring 0: packets %s, notifications %s, call_failed %s'
          % (done, queued, queued // 8, v0.get('packets'), v0.get('notifications'),
             v0.get('call_failed')))
    if stalled:
        why = other_grows(be, s.other, 'while ring 0 is stalled', timeout=10, soft=True)
        raise h.TestFailure(
            'port 0 stopped returning RX buffers after %d (no buffer for %.0fs) with its call pipe '
            'full (%d bytes = %d interrupts): the polling core is blocked writing the call fd; %s'
            % (done, STALL, queued, queued // 8, why))
    h.check(True, 'ring 0 served %d single-buffer rounds, %d more interrupts than the pipe holds'
            % (done, done - PIPE_INTERRUPTS))
    h.check(queued >= 65536 - 8, 'the call pipe is full (%d bytes) and nobody reads it' % queued)
    if 'call_failed' in v0 and 'notifications' in v0:
        h.check(v0['notifications'] + v0['call_failed'] >= done,
                'every interrupt was written or counted as failed (notifications %d + '
                'call_failed %d >= %d)' % (v0['notifications'], v0['call_failed'], done))
    other_grows(be, s.other, 'with the call pipe full')
    info = h.telemetry(be.prefix, '/vhp/vhost/info,0', timeout=10)
    h.check(isinstance(info, dict) and info.get('connected'),
            'telemetry answers /vhp/vhost/info,0 (connected %s)' % (info or {}).get('connected'))
    st = h.telemetry(be.prefix, '/vhp/port/stats,1', timeout=10)
    h.check(isinstance(st, dict), 'telemetry answers /vhp/port/stats,1')

    h.log('--- the hostile front-end hangs up')
    fe.close()
    s.hostile_gone('after the hostile front-end closed')
    os.close(r)
    mem.close()
    other_grows(be, s.other, 'after the hostile port was torn down')
    good = s.good_frontend()
    s.finish(good)


def packed_base():
    later = Later()
    s = Setup()
    be = s.be
    fe = vu.Frontend(s.path)
    fe.negotiate(vu.F_VERSION_1 | vu.F_PROTOCOL_FEATURES | vu.F_RING_PACKED,
                 vu.PF_REPLY_ACK | vu.PF_STATUS)
    h.check(fe.features & vu.F_RING_PACKED and fe.reply_ack(),
            'RING_PACKED and REPLY_ACK negotiated')
    mem = vu.GuestMemory(4 << 20)
    rx, tx = vu.PackedRing(mem, 256), vu.PackedRing(mem, 256)
    fe.check_ok(vu.SET_MEM_TABLE, struct.pack('<II', 1, 0) + mem.region(), [mem.fd])
    fe.check_ok(vu.SET_VRING_NUM, struct.pack('<II', 0, 256))
    for base, what in ((300, 'avail index 300'), (0x8000 | 300, 'wrap 1, avail index 300'),
                       (256, 'avail index 256 (= size)'),
                       ((300 << 16) | 0x8000, 'avail 0, used index 300 (bits 16-30)')):
        r = fe.vring_state(vu.SET_VRING_BASE, 0, base)
        h.check(r not in (None, 0), 'SET_VRING_BASE 0x%x (%s) on a 256-entry packed ring '
                'refused: REPLY_ACK %s' % (base, what, r))
    # the rest of a normal set-up, ring 0 without a valid base
    fe.vring_addr(0, rx)
    for req in (vu.SET_VRING_KICK, vu.SET_VRING_CALL):
        fe.vring_fd(req, 0, fe.eventfd())
    fe.setup_ring(1, tx, base=0x8000)
    fe.enable(0)
    fe.enable(1)
    fe.driver_ok()
    time.sleep(1.5)                        # JSON period
    p = be.port(0)
    v0 = p['vrings'][0]
    h.log('port 0 after DRIVER_OK: running %s status %s; vring 0: ready %s last_avail_idx %s '
          'avail_wrap %s; protocol_errors %s' % (p.get('running'), p.get('status'), v0.get('ready'),
                                                 v0.get('last_avail_idx'), v0.get('avail_wrap'),
                                                 p.get('protocol_errors')))
    h.check(v0.get('last_avail_idx', 0) < 256,
            'ring 0 index is not out of the ring (last_avail_idx %s)' % v0.get('last_avail_idx'))
    later.check(not v0.get('ready'), 'ring 0 does not run after its bases were refused and no '
                'valid one came (ready %s, running at index %s)' % (v0.get('ready'),
                                                                  v0.get('last_avail_idx')))
    h.check(be.alive(), 'vhp-testpmd alive')
    other_grows(be, s.other, 'after the refused bases')
    fe.close()
    s.hostile_gone('after the first hostile front-end')

    h.log('--- base before size: SET_VRING_BASE 300, then SET_VRING_NUM 256')
    fe = vu.Frontend(s.path)
    fe.negotiate(vu.F_VERSION_1 | vu.F_PROTOCOL_FEATURES | vu.F_RING_PACKED,
                 vu.PF_REPLY_ACK | vu.PF_STATUS)
    fe.check_ok(vu.SET_MEM_TABLE, struct.pack('<II', 1, 0) + mem.region(), [mem.fd])
    r1 = fe.vring_state(vu.SET_VRING_BASE, 0, 0x8000 | 300)
    r2 = fe.vring_state(vu.SET_VRING_NUM, 0, 256)
    r3 = fe.vring_addr(0, rx)
    r4 = fe.vring_fd(vu.SET_VRING_KICK, 0, fe.eventfd())
    r5 = fe.vring_fd(vu.SET_VRING_CALL, 0, fe.eventfd())
    h.log('acks: BASE %s NUM %s ADDR %s KICK %s CALL %s' % (r1, r2, r3, r4, r5))
    later.check(any(x not in (None, 0) for x in (r1, r2, r3, r4, r5)),
                'base 300 then size 256: one of BASE/NUM/ADDR/KICK/CALL refused (acks %s)'
                % ([r1, r2, r3, r4, r5],))
    fe.setup_ring(1, tx, base=0x8000)
    fe.enable(0)
    fe.enable(1)
    fe.driver_ok()
    time.sleep(1.5)
    v0 = be.port(0)['vrings'][0]
    h.log('vring 0: ready %s last_avail_idx %s' % (v0.get('ready'), v0.get('last_avail_idx')))
    h.check(not v0.get('ready'), 'ring 0 does not run with base 300 set before size 256 '
            '(ready %s; last_avail_idx %s is what was stored, not used)'
            % (v0.get('ready'), v0.get('last_avail_idx')))
    fe.close()
    s.hostile_gone('after the second hostile front-end')
    mem.close()
    other_grows(be, s.other, 'after both hostile front-ends')
    good = s.good_frontend({'packed_vq': 1}, ring='packed')
    s.finish(good)
    later.done()


def memreg():
    s = Setup()
    be = s.be
    fe = vu.Frontend(s.path)
    fe.negotiate(vu.F_VERSION_1 | vu.F_PROTOCOL_FEATURES,
                 vu.PF_REPLY_ACK | vu.PF_STATUS | vu.PF_CONFIGURE_MEM_SLOTS)
    h.check(fe.protocol_features & vu.PF_CONFIGURE_MEM_SLOTS, 'CONFIGURE_MEM_SLOTS negotiated')
    slots = fe.get_u64(vu.GET_MAX_MEM_SLOTS)
    h.log('GET_MAX_MEM_SLOTS: %d' % slots)
    mem = vu.GuestMemory(4 << 20)

    def regions():
        time.sleep(1.2)                    # JSON period
        return be.port(0).get('mem_regions')
    r = fe.mem_reg(vu.ADD_MEM_REG, mem)
    h.check(r == 0, 'ADD_MEM_REG succeeds (REPLY_ACK %s)' % r)
    r = fe.mem_reg(vu.ADD_MEM_REG, mem)
    h.check(r == 0, 'the same ADD_MEM_REG again succeeds (REPLY_ACK %s)' % r)
    n = regions()
    h.check(n == 1, 'one region mapped (mem_regions %s)' % n)
    r = fe.mem_reg(vu.REM_MEM_REG, mem)
    h.check(r == 0, 'REM_MEM_REG succeeds (REPLY_ACK %s)' % r)
    r = fe.mem_reg(vu.REM_MEM_REG, mem)
    h.check(r == 0, 'the same REM_MEM_REG again succeeds: idempotent like ADD_MEM_REG '
            '(QEMU sends it once per queue pair) (REPLY_ACK %s)' % r)
    n = regions()
    h.check(n == 0, 'no region mapped (mem_regions %s)' % n)
    r = fe.mem_reg(vu.ADD_MEM_REG, mem)
    h.check(r == 0, 'ADD_MEM_REG after the removals succeeds (REPLY_ACK %s)' % r)
    extra = os.eventfd(0)
    r = fe.mem_reg(vu.REM_MEM_REG, mem, fds=[extra])
    os.close(extra)
    h.check(r == 0, 'REM_MEM_REG carrying an fd succeeds (REPLY_ACK %s)' % r)
    r = fe.mem_reg(vu.ADD_MEM_REG, mem)
    h.check(r == 0, 'ADD_MEM_REG again (REPLY_ACK %s)' % r)
    rx, tx = rings_split(mem)
    for i, ring in enumerate((rx, tx)):
        fe.setup_ring(i, ring)
    fe.enable(0)
    fe.enable(1)
    fe.driver_ok()
    hostile_up(be, 'port 0 up on the re-added region')
    done, end = 0, time.monotonic() + 20
    while done < 1000 and time.monotonic() < end:
        rx.post_rx(32)
        done += rx.reap()
    h.check(done >= 1000, 'RX buffers in the re-added region filled and returned (%d)' % done)
    fe.close()
    s.hostile_gone('after the memory-slot front-end (the fd sent with REM_MEM_REG was closed)')
    mem.close()
    good = s.good_frontend()
    s.finish(good)


def reply():
    s = Setup()
    be = s.be
    c0 = be.port(0).get('connections', 0)
    fe = vu.Frontend(s.path)
    be.wait_port(lambda p: p.get('connected') and p.get('connections', 0) == c0 + 1, 20,
                 'port 0 connected')
    fe.sock.setblocking(False)
    msg = struct.pack('<III', vu.GET_FEATURES, vu.VERSION, 0)
    sent, end = 0, time.monotonic() + 10
    while sent < 100000 and time.monotonic() < end:
        try:
            fe.sock.send(msg)
            sent += 1
        except BlockingIOError:
            time.sleep(0.05)
            try:
                fe.sock.send(msg)
                sent += 1
            except BlockingIOError:
                break                      # both directions full: stop
    h.log('sent %d GET_FEATURES without reading a reply' % sent)
    try:
        be.wait_port(lambda p: not p.get('connected'), 30,
                     'the back-end to close the connection whose replies it cannot send')
    except h.TestFailure as e:
        raise h.TestFailure('%s: port 0 still connected; protocol_errors %s (a reply that '
                            'cannot be sent must close the connection)'
                            % (e, (be.port(0) or {}).get('protocol_errors')))
    h.check(True, 'the back-end closed the connection (protocol_errors %s)'
            % be.port(0).get('protocol_errors'))
    fe.sock.setblocking(True)
    got = fe.wait_closed(10)
    h.check(got, 'the front-end reads EOF after the replies that were sent')
    h.log('%d reply bytes left unparsed at EOF (a reply cut short by the close)' % len(fe.s.buf))
    fe.close()
    s.hostile_gone('after the flood')
    other_grows(be, s.other, 'after the flood')
    good = s.good_frontend()
    s.finish(good)



def errfd():
    s = Setup()
    be = s.be
    fe = vu.Frontend(s.path)
    fe.negotiate(vu.F_VERSION_1 | vu.F_PROTOCOL_FEATURES, vu.PF_REPLY_ACK | vu.PF_STATUS)
    mem = vu.GuestMemory(4 << 20)
    rx, tx = rings_split(mem)
    fe.start_net(mem, [rx, tx])
    err = fe.eventfd()
    r = fe.vring_fd(vu.SET_VRING_ERR, 0, err)
    h.check(r == 0, 'SET_VRING_ERR of ring 0 with an eventfd accepted (REPLY_ACK %s)' % r)
    hostile_up(be, 'port 0 up')
    done, end = 0, time.monotonic() + 20
    while done < 500 and time.monotonic() < end:
        rx.post_rx(32)
        done += rx.reap()
    h.check(done >= 500, 'ring 0 works first (%d buffers)' % done)
    h.log('breaking ring 0: avail index %d -> %d (more than a ring ahead)'
          % (rx.avail_idx, rx.avail_idx + 1000))
    rx.set_avail_idx(rx.avail_idx + 1000)
    p = be.wait_port(lambda p: p['vrings'][0].get('broken') or p.get('status', 0) & 0x40, 20,
                     'ring 0 marked broken')
    h.check(True, 'ring 0 broken, status 0x%02x' % p.get('status', 0))
    signalled = False
    end = time.monotonic() + 10
    while time.monotonic() < end and not signalled:
        try:
            signalled = os.eventfd_read(err) > 0
        except BlockingIOError:
            time.sleep(0.1)
    h.check(signalled, 'the SET_VRING_ERR eventfd was signalled when the ring broke')
    h.check(be.alive(), 'vhp-testpmd alive')
    other_grows(be, s.other, 'with ring 0 of port 0 broken')
    fe.close()
    s.hostile_gone('after the front-end whose ring broke')
    mem.close()
    good = s.good_frontend()
    s.finish(good)


if h.backend_kind() != 'vhp':
    # vhp-testpmd's own JSON, telemetry and fd count are what is checked
    print('SKIP: needs vhp-testpmd (VHP_IT_BACKEND=%s)' % h.backend_kind())
    sys.exit(h.SKIP)
h.run({'callfd': callfd, 'packed-base': packed_base, 'memreg': memreg,
       'reply': reply, 'errfd': errfd}[MODE])
