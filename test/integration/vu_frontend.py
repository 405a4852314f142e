# SPDX-License-Identifier: BSD-3-Clause
"""A minimal vhost-user front-end in Python (standard library only), for
tests that need a front-end that misbehaves on purpose.

It does what a driver does, one step at a time, so a test can stop, skip
or replace any step or send arbitrary messages:

  fe = Frontend(path)                          # connect to a back-end socket
  fe.negotiate(F_VERSION_1 | F_PROTOCOL_FEATURES, PF_REPLY_ACK | PF_STATUS)
  mem = GuestMemory(4 << 20)                   # memfd guest memory
  fe.set_mem_table(mem)
  rx = SplitRing(mem, 256); tx = SplitRing(mem, 256)
  fe.setup_ring(0, rx); fe.setup_ring(1, tx)   # NUM, BASE, ADDR, KICK, CALL
  fe.enable(0); fe.enable(1); fe.driver_ok()
  rx.post_rx(1); ... rx.reap()

A back-end in client mode connects to us: ls = Frontend.listen(path);
fe = Frontend.accept(ls). PackedRing does the same as SplitRing for a
packed ring.

Guest memory is one memfd region: guest-physical addresses (descriptors)
start at GPA_BASE, the front-end "user" addresses (ring addresses) at
UADDR_BASE; the back-end maps the memfd itself, so neither has to be this
process's real address.

Message layout (QEMU docs/interop/vhost-user.rst): u32 request, u32 flags,
u32 size, then size bytes of payload; fds as SCM_RIGHTS.
"""
import array
import ctypes
import mmap
import os
import select
import socket
import struct
import time

# requests (front-end -> back-end)
GET_FEATURES = 1
SET_FEATURES = 2
SET_OWNER = 3
RESET_OWNER = 4
SET_MEM_TABLE = 5
SET_LOG_BASE = 6
SET_LOG_FD = 7
SET_VRING_NUM = 8
SET_VRING_ADDR = 9
SET_VRING_BASE = 10
GET_VRING_BASE = 11
SET_VRING_KICK = 12
SET_VRING_CALL = 13
SET_VRING_ERR = 14
GET_PROTOCOL_FEATURES = 15
SET_PROTOCOL_FEATURES = 16
GET_QUEUE_NUM = 17
SET_VRING_ENABLE = 18
SEND_RARP = 19
NET_SET_MTU = 20
SET_BACKEND_REQ_FD = 21
IOTLB_MSG = 22
SET_VRING_ENDIAN = 23
GET_CONFIG = 24
SET_CONFIG = 25
GET_INFLIGHT_FD = 31
SET_INFLIGHT_FD = 32
RESET_DEVICE = 34
VRING_KICK = 35
GET_MAX_MEM_SLOTS = 36
ADD_MEM_REG = 37
REM_MEM_REG = 38
SET_STATUS = 39
GET_STATUS = 40
REQ_NAME = {v: k for k, v in globals().copy().items()
            if k.isupper() and isinstance(v, int) and 1 <= v <= 40}

# requests that always have a reply of their own
HAS_REPLY = {GET_FEATURES, GET_PROTOCOL_FEATURES, GET_VRING_BASE, GET_QUEUE_NUM,
             GET_MAX_MEM_SLOTS, GET_STATUS, GET_CONFIG, GET_INFLIGHT_FD}

# header flags
VERSION = 0x1
FLAG_REPLY = 0x4
FLAG_NEED_REPLY = 0x8

# KICK/CALL/ERR payload: bit 8 = no fd
VRING_NOFD = 0x100

# virtio feature bits (as masks)
F_MRG_RXBUF = 1 << 15
F_STATUS = 1 << 16
F_EVENT_IDX = 1 << 29
F_PROTOCOL_FEATURES = 1 << 30
F_VERSION_1 = 1 << 32
F_RING_PACKED = 1 << 34
F_IN_ORDER = 1 << 35

# protocol feature bits (as masks)
PF_MQ = 1 << 0
PF_REPLY_ACK = 1 << 3
PF_RESET_DEVICE = 1 << 13
PF_CONFIGURE_MEM_SLOTS = 1 << 15
PF_STATUS = 1 << 16

# device status
S_ACKNOWLEDGE, S_DRIVER, S_DRIVER_OK, S_FEATURES_OK = 1, 2, 4, 8
S_NEEDS_RESET, S_FAILED = 0x40, 0x80

# descriptor flags
D_NEXT, D_WRITE, D_INDIRECT = 1, 2, 4
D_AVAIL, D_USED = 1 << 7, 1 << 15

GPA_BASE = 0x40000000
UADDR_BASE = 0x7f5a00000000
HDR = struct.Struct('<III')


class VuError(Exception):
    pass


class Msg:
    def __init__(self, req, flags, payload, fds):
        self.req, self.flags, self.payload, self.fds = req, flags, payload, fds

    def u64(self):
        if len(self.payload) < 8:
            raise VuError('%s reply: payload of %d bytes, expected 8'
                          % (REQ_NAME.get(self.req, self.req), len(self.payload)))
        return struct.unpack_from('<Q', self.payload)[0]

    def close_fds(self):
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = []

    def __repr__(self):
        return '<%s flags 0x%x size %d fds %d>' % (
            REQ_NAME.get(self.req, self.req), self.flags, len(self.payload), len(self.fds))


def _fds_from_anc(anc):
    fds = []
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            a = array.array('i')
            a.frombytes(data[:len(data) - len(data) % a.itemsize])
            fds.extend(a)
    return fds


class MsgStream:
    """Message framing over a unix stream socket, fds included. Senders
    write a message and its fds with one sendmsg(); a recvmsg() may return
    several messages, and stops after the first one carrying fds (Linux
    glues earlier fd-less data to it, never later data), so the fds of a
    chunk belong to the message holding the chunk's last byte."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b''
        self.pending = []        # (stream offset, [fds])
        self.offset = 0          # stream offset of buf[0]
        self.eof = False

    def fileno(self):
        return self.sock.fileno()

    def send_raw(self, data, fds=()):
        anc = []
        if fds:
            anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', fds))]
        n = self.sock.sendmsg([data], anc)
        if n != len(data):       # fds went with the first part
            self.sock.sendall(data[n:])

    def send(self, req, payload=b'', fds=(), flags=VERSION):
        self.send_raw(HDR.pack(req, flags, len(payload)) + payload, fds)

    def fill(self):
        """One recvmsg(); False at EOF."""
        data, anc, _, _ = self.sock.recvmsg(1 << 16, socket.CMSG_SPACE(64 * 4))
        fds = _fds_from_anc(anc)
        if not data:
            for fd in fds:
                os.close(fd)
            self.eof = True
            return False
        self.buf += data
        if fds:
            self.pending.append((self.offset + len(self.buf) - 1, fds))
        return True

    def parse(self):
        """A complete message from the buffer, or None."""
        if len(self.buf) < HDR.size:
            return None
        req, flags, size = HDR.unpack_from(self.buf)
        end = HDR.size + size
        if len(self.buf) < end:
            return None
        payload = self.buf[HDR.size:end]
        raw = self.buf[:end]
        fds = []
        keep = []
        for off, f in self.pending:
            (fds if off < self.offset + end else keep).extend([(off, f)])
        self.pending = keep
        fds = [fd for _, f in fds for fd in f]
        self.buf = self.buf[end:]
        self.offset += end
        m = Msg(req, flags, payload, fds)
        m.raw = raw
        return m

    def recv(self, timeout=10.0):
        end = time.monotonic() + timeout
        while True:
            m = self.parse()
            if m is not None:
                return m
            if self.eof:
                raise EOFError('back-end closed the connection')
            left = end - time.monotonic()
            if left <= 0:
                raise VuError('no complete message within %.0fs' % timeout)
            r, _, _ = select.select([self.sock], [], [], left)
            if r:
                self.fill()

    def close(self):
        for _, f in self.pending:
            for fd in f:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.pending = []
        try:
            self.sock.close()
        except OSError:
            pass


# --------------------------------------------------------------------------
# Guest memory and rings

class GuestMemory:
    """One memfd region, shared with the back-end; a bump allocator."""

    def __init__(self, size=4 << 20, gpa=GPA_BASE, uaddr=UADDR_BASE, name='vu-guest'):
        flags = os.MFD_CLOEXEC | getattr(os, 'MFD_ALLOW_SEALING', 0)
        self.fd = os.memfd_create(name, flags)
        os.ftruncate(self.fd, size)
        self.mm = mmap.mmap(self.fd, size, mmap.MAP_SHARED,
                            mmap.PROT_READ | mmap.PROT_WRITE)
        self.size, self.gpa, self.uaddr = size, gpa, uaddr
        self.next = 0
        self.views = []          # ctypes views into mm (released at close)

    def alloc(self, size, align=64):
        off = (self.next + align - 1) & ~(align - 1)
        if off + size > self.size:
            raise VuError('guest memory exhausted (%d + %d > %d)' % (off, size, self.size))
        self.next = off + size
        return off

    def region(self):
        """struct vhost_user_mem_region for the whole memfd."""
        return struct.pack('<QQQQ', self.gpa, self.size, self.uaddr, 0)

    def close(self):
        self.views = []
        try:
            self.mm.close()
        except (BufferError, ValueError):
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass


class SplitRing:
    """A split virtqueue in guest memory, with one buffer per descriptor."""

    packed = False

    def __init__(self, mem, num=256, buf_len=2048):
        self.mem, self.num, self.buf_len = mem, num, buf_len
        self.desc = mem.alloc(16 * num, 16)
        self.avail = mem.alloc(6 + 2 * num, 2)
        self.used = mem.alloc(6 + 8 * num, 4)
        self.bufs = mem.alloc(buf_len * num, 64)
        # The two indexes are shared with the back-end while it runs: one
        # 16-bit load or store each (struct.pack_into zeroes its target
        # before writing it, and both pack and unpack go byte by byte).
        self._avail_idx = ctypes.c_uint16.from_buffer(mem.mm, self.avail + 2)
        self._used_idx = ctypes.c_uint16.from_buffer(mem.mm, self.used + 2)
        mem.views += [self._avail_idx, self._used_idx]
        self.free = list(range(num))
        self.avail_idx = 0          # next avail index (free running, 16 bits)
        self.last_used = 0          # next used index we read
        self.reaped = 0             # total used entries read

    def addrs(self):
        """(desc, used, avail) front-end user addresses."""
        u = self.mem.uaddr
        return u + self.desc, u + self.used, u + self.avail

    def used_idx(self):
        return self._used_idx.value

    def set_avail_flags(self, flags):
        struct.pack_into('<H', self.mem.mm, self.avail, flags)

    def post_rx(self, n=1):
        """Make n device-writable buffers available; returns how many."""
        mm = self.mem.mm
        k = 0
        while k < n and self.free:
            d = self.free.pop()
            struct.pack_into('<QIHH', mm, self.desc + 16 * d,
                             self.mem.gpa + self.bufs + d * self.buf_len,
                             self.buf_len, D_WRITE, 0)
            struct.pack_into('<H', mm, self.avail + 4 + 2 * (self.avail_idx % self.num), d)
            self.avail_idx = (self.avail_idx + 1) & 0xffff
            k += 1
        # descriptors and ring entries before the index (x86: stores in order)
        self._avail_idx.value = self.avail_idx
        return k

    def set_avail_idx(self, idx):
        """Publish any avail index (a hostile driver)."""
        self._avail_idx.value = idx & 0xffff

    def reap(self):
        """Take back the used buffers; returns how many."""
        mm = self.mem.mm
        u = self.used_idx()
        n = 0
        while self.last_used != u:
            d, _ = struct.unpack_from('<II', mm, self.used + 4 + 8 * (self.last_used % self.num))
            if d >= self.num:
                raise VuError('used ring entry with id %d >= ring size %d' % (d, self.num))
            self.free.append(d)
            self.last_used = (self.last_used + 1) & 0xffff
            n += 1
        self.reaped += n
        return n


class PackedRing:
    """A packed virtqueue in guest memory (descriptor ring and the two event
    suppression areas), one buffer per descriptor, driver side: post
    device-writable buffers and take back the used ones."""

    packed = True

    def __init__(self, mem, num=256, buf_len=2048):
        self.mem, self.num, self.buf_len = mem, num, buf_len
        self.desc = mem.alloc(16 * num, 16)
        self.driver_event = mem.alloc(4, 4)
        self.device_event = mem.alloc(4, 4)
        self.bufs = mem.alloc(buf_len * num, 64)
        # descriptor flags as 16-bit words, one load or store each
        self._w = (ctypes.c_uint16 * (8 * num)).from_buffer(mem.mm, self.desc)
        mem.views.append(self._w)
        self.free = list(range(num))
        self.next_avail, self.avail_wrap = 0, 1    # both wrap counters start at 1
        self.next_used, self.used_wrap = 0, 1
        self.reaped = 0
        self.used_no_write = 0     # used RX descriptors without F_WRITE
        self.used_zero_len = 0     # used RX descriptors with length 0

    def addrs(self):
        """(desc, used = device event area, avail = driver event area)."""
        u = self.mem.uaddr
        return u + self.desc, u + self.device_event, u + self.driver_event

    def position(self):
        """(next avail index, avail wrap counter): the driver's position."""
        return self.next_avail, self.avail_wrap

    def post_rx(self, n=1):
        mm = self.mem.mm
        k = 0
        while k < n and self.free:
            b = self.free.pop()
            i = self.next_avail
            struct.pack_into('<QIH', mm, self.desc + 16 * i,
                             self.mem.gpa + self.bufs + b * self.buf_len, self.buf_len, b)
            # flags last: AVAIL = wrap, USED = !wrap makes it available
            self._w[8 * i + 7] = D_WRITE | (D_AVAIL if self.avail_wrap else D_USED)
            self.next_avail += 1
            if self.next_avail == self.num:
                self.next_avail, self.avail_wrap = 0, self.avail_wrap ^ 1
            k += 1
        return k

    def reap(self):
        mm = self.mem.mm
        n = 0
        while len(self.free) < self.num:
            i = self.next_used
            f = self._w[8 * i + 7]
            w = bool(self.used_wrap)
            if bool(f & D_AVAIL) != w or bool(f & D_USED) != w:
                break
            ln, b = struct.unpack_from('<IH', mm, self.desc + 16 * i + 8)
            if not f & D_WRITE:
                self.used_no_write += 1
            if ln == 0:
                self.used_zero_len += 1
            if b >= self.num:
                raise VuError('used descriptor %d carries id %d >= ring size %d' % (i, b, self.num))
            self.free.append(b)
            self.next_used += 1
            if self.next_used == self.num:
                self.next_used, self.used_wrap = 0, self.used_wrap ^ 1
            n += 1
        self.reaped += n
        return n


# --------------------------------------------------------------------------

class Frontend:
    """One vhost-user connection driven step by step."""

    def __init__(self, path=None, timeout=20.0, sock=None):
        """Connect to the back-end's socket at path, or take a connected
        sock (see accept())."""
        self.path = path
        if sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            end = time.monotonic() + timeout
            while True:
                try:
                    sock.connect(path)
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if time.monotonic() > end:
                        sock.close()
                        raise
                    time.sleep(0.1)
        self.sock = sock
        self.s = MsgStream(self.sock)
        self.features = 0
        self.protocol_features = 0
        self.offered = 0
        self.protocol_offered = 0
        self.own_fds = []            # eventfds / pipe ends we created

    @classmethod
    def listen(cls, path):
        """A listening socket for a back-end in client mode."""
        ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ls.bind(path)
        ls.listen(1)
        return ls

    @classmethod
    def accept(cls, listener, timeout=30.0):
        """The front-end side of the next back-end connecting to listener."""
        r, _, _ = select.select([listener], [], [], timeout)
        if not r:
            raise VuError('no back-end connected within %.0fs' % timeout)
        sock, _ = listener.accept()
        return cls(sock=sock)

    # -- raw messages

    def send(self, req, payload=b'', fds=(), flags=VERSION):
        self.s.send(req, payload, fds, flags)

    def recv_reply(self, req, timeout=10.0):
        m = self.s.recv(timeout)
        m.close_fds()
        if m.req != req or not (m.flags & FLAG_REPLY):
            raise VuError('expected a reply to %s, got %r' % (REQ_NAME.get(req, req), m))
        return m

    def reply_ack(self):
        return bool(self.protocol_features & PF_REPLY_ACK)

    def request(self, req, payload=b'', fds=(), ack=None, timeout=10.0):
        """Send a request without a reply of its own. With REPLY_ACK
        negotiated (or ack=True) NEED_REPLY is set and the u64 answer is
        returned (0 = success); otherwise None."""
        if ack is None:
            ack = self.reply_ack()
        flags = VERSION | (FLAG_NEED_REPLY if ack else 0)
        self.send(req, payload, fds, flags)
        if not ack:
            return None
        return self.recv_reply(req, timeout).u64()

    def get_u64(self, req, payload=b'', timeout=10.0):
        self.send(req, payload)
        return self.recv_reply(req, timeout).u64()

    # -- the usual steps

    def negotiate(self, want, want_proto=PF_REPLY_ACK | PF_STATUS, owner=True):
        """GET_FEATURES, GET/SET_PROTOCOL_FEATURES, SET_OWNER, SET_FEATURES,
        and status ACKNOWLEDGE|DRIVER|FEATURES_OK if STATUS was negotiated."""
        self.offered = self.get_u64(GET_FEATURES)
        if self.offered & F_PROTOCOL_FEATURES:
            self.protocol_offered = self.get_u64(GET_PROTOCOL_FEATURES)
            pf = self.protocol_offered & want_proto
            # before SET_PROTOCOL_FEATURES nothing is negotiated: no ack
            self.request(SET_PROTOCOL_FEATURES, struct.pack('<Q', pf), ack=False)
            self.protocol_features = pf
        if owner:
            self.check_ok(SET_OWNER)
        self.features = self.offered & want
        self.check_ok(SET_FEATURES, struct.pack('<Q', self.features))
        if self.protocol_features & PF_STATUS:
            self.set_status(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK)
        return self.features

    def check_ok(self, req, payload=b'', fds=()):
        r = self.request(req, payload, fds)
        if r not in (None, 0):
            raise VuError('%s refused (reply %d)' % (REQ_NAME.get(req, req), r))
        return r

    def set_status(self, st):
        return self.check_ok(SET_STATUS, struct.pack('<Q', st))

    def set_mem_table(self, *mems, ack=None):
        payload = struct.pack('<II', len(mems), 0) + b''.join(m.region() for m in mems)
        return self.request(SET_MEM_TABLE, payload, [m.fd for m in mems], ack=ack)

    def mem_reg(self, req, mem, fds=None, ack=None):
        """ADD_MEM_REG (with the memfd) or REM_MEM_REG (no fd) of @mem."""
        if fds is None:
            fds = [mem.fd] if req == ADD_MEM_REG else []
        return self.request(req, struct.pack('<Q', 0) + mem.region(), fds, ack=ack)

    def vring_state(self, req, idx, num, ack=None):
        return self.request(req, struct.pack('<II', idx, num), ack=ack)

    def vring_addr(self, idx, ring, ack=None):
        desc, used, avail = ring.addrs()
        return self.request(SET_VRING_ADDR, struct.pack('<IIQQQQ', idx, 0, desc, used,
                                                        avail, 0), ack=ack)

    def vring_fd(self, req, idx, fd, ack=None):
        if fd is None:
            return self.request(req, struct.pack('<Q', idx | VRING_NOFD), ack=ack)
        return self.request(req, struct.pack('<Q', idx), [fd], ack=ack)

    def eventfd(self):
        fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        self.own_fds.append(fd)
        return fd

    def setup_ring(self, idx, ring, call=None, kick=None, base=0):
        """SET_VRING_NUM, _BASE, _ADDR, _KICK, _CALL (new eventfds unless
        given; pass VRING_NOFD-style polling with kick=False / call=False)."""
        self.check_ok(SET_VRING_NUM, struct.pack('<II', idx, ring.num))
        self.check_ok(SET_VRING_BASE, struct.pack('<II', idx, base))
        desc, used, avail = ring.addrs()
        self.check_ok(SET_VRING_ADDR, struct.pack('<IIQQQQ', idx, 0, desc, used, avail, 0))
        k = self.eventfd() if kick is None else (None if kick is False else kick)
        c = self.eventfd() if call is None else (None if call is False else call)
        r = self.vring_fd(SET_VRING_KICK, idx, k)
        if r not in (None, 0):
            raise VuError('SET_VRING_KICK refused (reply %d)' % r)
        r = self.vring_fd(SET_VRING_CALL, idx, c)
        if r not in (None, 0):
            raise VuError('SET_VRING_CALL refused (reply %d)' % r)

    def enable(self, idx, on=True):
        if self.features & F_PROTOCOL_FEATURES:
            self.check_ok(SET_VRING_ENABLE, struct.pack('<II', idx, 1 if on else 0))

    def driver_ok(self):
        if self.protocol_features & PF_STATUS:
            self.set_status(S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)

    def start_net(self, mem, rings, call=None):
        """Memory table, every ring set up and enabled, DRIVER_OK. call:
        {ring index: fd} to pass instead of a fresh eventfd."""
        call = call or {}
        self.set_mem_table(mem)
        for i, r in enumerate(rings):
            self.setup_ring(i, r, call=call.get(i))
        for i in range(len(rings)):
            self.enable(i)
        self.driver_ok()

    def wait_closed(self, timeout):
        """True when the back-end closed the connection within timeout
        (replies still queued are read and dropped)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r, _, _ = select.select([self.sock], [], [], max(0.0, end - time.monotonic()))
            if not r:
                continue
            try:
                if not self.s.fill():
                    return True
            except (ConnectionResetError, OSError):
                return True
            while True:
                m = self.s.parse()
                if m is None:
                    break
                m.close_fds()
        return False

    def close(self):
        self.s.close()
        for fd in self.own_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.own_fds = []


# --------------------------------------------------------------------------
# Process helpers

def fd_count(pid):
    """Open fds of a process (/proc/PID/fd), -1 if it is gone."""
    try:
        return len(os.listdir('/proc/%d/fd' % pid))
    except OSError:
        return -1


def fd_baseline(pid, samples=8, interval=0.15):
    """The fewest fds seen over a short while: a process may hold a
    transient one (a statistics file being rewritten)."""
    n = []
    for _ in range(samples):
        n.append(fd_count(pid))
        time.sleep(interval)
    return min(n)


def fd_listing(pid):
    d = '/proc/%d/fd' % pid
    out = []
    try:
        names = sorted(os.listdir(d), key=int)
    except OSError:
        return ''
    for f in names:
        try:
            out.append('%s->%s' % (f, os.readlink(os.path.join(d, f))))
        except OSError:
            pass
    return ' '.join(out)
