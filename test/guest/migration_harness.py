# SPDX-License-Identifier: BSD-3-Clause
"""Live-migration helpers for the guest tests (test_migration.py): a QMP
client, VMs with a QMP socket (and, for a destination, `-incoming defer`),
and a migration driven over QMP with the back-end's state sampled while it
runs.

Built on guest_harness.py: the VMs are vhp-guest shell-mode VMs (Guest),
with the extra QEMU arguments passed through `vhp-guest --qemu-arg`, so
vhp-guest itself needs nothing for migration. Python 3 standard library
only.
"""

import json
import os
import re
import socket
import struct
import time

import guest_harness as G

H = G.H
log = G.log
check = G.check
TestFailure = G.TestFailure

# still moving: keep polling query-migrate
MIGRATION_ACTIVE = ('none', 'setup', 'active', 'pre-switchover', 'device',
                    'wait-unplug', 'colo')


class Qmp:
    """A QMP connection on a unix socket: the greeting is read and
    qmp_capabilities sent; cmd() returns a command's "return" value, and
    the asynchronous events received meanwhile are kept in .events."""

    def __init__(self, path, name, proc=None, timeout=30):
        self.path = path
        self.name = name
        self.events = []
        self.buf = b''
        end = time.monotonic() + timeout
        last = None
        while True:
            if proc is not None and proc.poll() is not None:
                raise TestFailure('%s: QEMU exited (rc=%s) before its QMP '
                                  'socket %s answered' % (
                                      name, proc.returncode, path))
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                break
            except OSError as e:
                last = e
                s.close()
            if time.monotonic() > end:
                raise TestFailure('%s: no QMP socket at %s after %ds (%s)' % (
                    name, path, timeout, last))
            time.sleep(0.1)
        self.s = s
        self.s.settimeout(timeout)
        greeting = self._read()
        if 'QMP' not in greeting:
            raise TestFailure('%s: not a QMP greeting: %r' % (name, greeting))
        v = greeting['QMP'].get('version', {}).get('qemu', {})
        self.version = (v.get('major'), v.get('minor'), v.get('micro'))
        self.cmd('qmp_capabilities')

    def _read(self):
        while b'\n' not in self.buf:
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                raise TestFailure('%s: QMP: no answer in time' % self.name)
            if not d:
                raise TestFailure('%s: QMP: QEMU closed the connection'
                                  % self.name)
            self.buf += d
        line, _, self.buf = self.buf.partition(b'\n')
        try:
            return json.loads(line.decode('utf-8', 'replace'))
        except ValueError:
            raise TestFailure('%s: QMP: bad JSON %r' % (self.name, line[:200]))

    def cmd(self, command, args=None, quiet=False):
        """Execute @command; raise TestFailure with QEMU's error text when it
        answers with an error."""
        msg = {'execute': command}
        if args:
            msg['arguments'] = args
        if not quiet:
            log('%s: QMP %s %s' % (self.name, command,
                                   json.dumps(args) if args else ''))
        self.s.sendall(json.dumps(msg).encode() + b'\n')
        while True:
            r = self._read()
            if 'event' in r:
                self.events.append(r)
                continue
            if 'error' in r:
                raise TestFailure('%s: QMP %s failed: %s: %s' % (
                    self.name, command, r['error'].get('class'),
                    r['error'].get('desc')))
            if 'return' in r:
                return r['return']

    def status(self):
        """query-status: the run state ('running', 'inmigrate',
        'postmigrate', 'paused', ...)."""
        return self.cmd('query-status', quiet=True).get('status')

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class MigGuest(G.Guest):
    """A Guest (vhp-guest, shell on the serial console) with a QMP socket.
    incoming=True: a migration destination, started with `-incoming defer`
    (listen with listen_incoming()); it does not boot but waits for the
    source's state, and its console carries on the source's shell once the
    migration is over. Every other argument is Guest's, and a destination
    must get the same ones as its source (same devices, MAC, memory).
    @qemu_args: more QEMU arguments (e.g. ['-S'] to keep a destination
    paused after the migration)."""

    def __init__(self, sock, ip, name='guest', incoming=False, qemu_args=(),
                 **kw):
        self.qmp_path = os.path.join(H.tmpdir(), H.unique('qmp') + '.sock')
        self.incoming = incoming
        self.qemu_args = list(qemu_args)
        self.qmp = None
        super().__init__(sock, ip, name=name, **kw)

    def _spawn(self, name, cmd):
        # appended to vhp-guest's own command line: its --qemu-arg options
        extra = ['-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path]
        if self.incoming:
            extra += ['-incoming', 'defer']
        extra += self.qemu_args
        cmd = list(cmd) + ['--qemu-arg=' + a for a in extra]
        super()._spawn(name, cmd)

    def connect_qmp(self, timeout=30):
        if self.qmp is None:
            self.qmp = Qmp(self.qmp_path, self.name, self.p, timeout)
        return self.qmp

    def listen_incoming(self, tries=5):
        """migrate-incoming on a free TCP port of 127.0.0.1; return the
        URI the source migrates to."""
        q = self.connect_qmp()
        for attempt in range(tries):
            uri = 'tcp:127.0.0.1:%d' % free_port()
            try:
                q.cmd('migrate-incoming', {'uri': uri})
                return uri
            except TestFailure as e:
                # the port taken between free_port() and QEMU's bind
                if attempt + 1 == tries or 'in use' not in str(e).lower():
                    raise
        raise TestFailure('%s: no port to listen on' % self.name)

    def quit(self, timeout=30):
        """QMP quit; wait for QEMU to exit."""
        q = self.connect_qmp()
        try:
            q.cmd('quit')
        except TestFailure as e:
            # QEMU may close the socket before it answers
            if 'closed' not in str(e):
                raise
        q.close()
        self.qmp = None
        try:
            self.p.wait(timeout=timeout)
        except Exception:
            raise TestFailure('%s: QEMU still running %ds after QMP quit'
                              % (self.name, timeout))
        self.t.join(timeout=5)
        log('%s: QEMU quit (rc %s)' % (self.name, self.p.returncode))

    def close(self):
        if self.qmp is not None:
            self.qmp.close()
            self.qmp = None


def free_port():
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]
    finally:
        s.close()


def migrate(src, dst, be=None, port=None, params=None, timeout=300,
            on_sample=None):
    """Migrate @src to @dst (a MigGuest started with incoming=True) over
    TCP on 127.0.0.1, driven over QMP: migrate-incoming on @dst,
    migrate-set-parameters @params and migrate on @src, then query-migrate
    every 0.1 s until the status leaves the active states. While it runs,
    @on_sample(be.port(port)) is called with the back-end's JSON entry for
    the source port (when @be is given). Returns the final query-migrate
    answer of the source; raises TestFailure unless it completed."""
    uri = dst.listen_incoming()
    qs = src.connect_qmp()
    qd = dst.connect_qmp()
    if params:
        qs.cmd('migrate-set-parameters', params)
    t0 = time.monotonic()
    qs.cmd('migrate', {'uri': uri})
    last_status = None
    last_sample = 0.0
    info = {}
    while True:
        if not src.alive():
            raise TestFailure('%s: source QEMU exited (rc=%s) during the '
                              'migration' % (src.name, src.p.returncode))
        if not dst.alive():
            raise TestFailure('%s: destination QEMU exited (rc=%s) during the '
                              'migration:\n%s' % (dst.name, dst.p.returncode,
                                                  dst.output()[-2000:]))
        info = qs.cmd('query-migrate', quiet=True)
        st = info.get('status')
        if st != last_status:
            log('%s: migration %s after %.1fs' % (src.name, st,
                                                   time.monotonic() - t0))
            last_status = st
        if be is not None and on_sample is not None and \
                time.monotonic() - last_sample >= 0.2:
            last_sample = time.monotonic()
            on_sample(be.port(port))
        if st not in MIGRATION_ACTIVE:
            break
        if time.monotonic() - t0 > timeout:
            ram = info.get('ram', {})
            raise TestFailure(
                '%s: migration still %s after %ds (ram: transferred %s, '
                'remaining %s, dirty-pages-rate %s, dirty-sync-count %s)' % (
                    src.name, st, timeout, ram.get('transferred'),
                    ram.get('remaining'), ram.get('dirty-pages-rate'),
                    ram.get('dirty-sync-count')))
        time.sleep(0.1)
    if info.get('status') != 'completed':
        derr = ''
        try:
            dinfo = qd.cmd('query-migrate', quiet=True)
            derr = ' (destination: %s %s)' % (dinfo.get('status'),
                                               dinfo.get('error-desc', ''))
        except TestFailure as e:
            derr = ' (destination: %s)' % e
        raise TestFailure('%s: migration %s: %s%s' % (
            src.name, info.get('status'), info.get('error-desc', '?'), derr))
    ram = info.get('ram', {})
    log('%s: migration completed in %.1fs: QEMU total-time %s ms, downtime '
        '%s ms, setup-time %s ms; RAM transferred %.1f MB (%s pages, %s zero '
        'pages), %s dirty syncs, dirty-pages-rate %s/s, %s Mbit/s' % (
            src.name, time.monotonic() - t0, info.get('total-time'),
            info.get('downtime'), info.get('setup-time'),
            ram.get('transferred', 0) / 1e6, ram.get('normal'),
            ram.get('duplicate'), ram.get('dirty-sync-count'),
            ram.get('dirty-pages-rate'), ram.get('mbps')))
    return info


def wait_run_state(guest, states, timeout, what):
    """Wait until query-status of @guest says one of @states."""
    q = guest.connect_qmp()
    seen = []

    def ok():
        if not guest.alive():
            raise TestFailure('%s: QEMU exited (rc=%s) waiting for %s' % (
                guest.name, guest.p.returncode, what))
        s = q.status()
        if not seen or seen[-1] != s:
            seen.append(s)
        return s in states
    try:
        H.wait_for(ok, timeout, what, interval=0.2)
    except TestFailure:
        raise TestFailure('%s: run state %s, not %s, after %ds (%s)' % (
            guest.name, ' -> '.join(seen), '/'.join(states), timeout, what))
    log('%s: %s' % (guest.name, seen[-1]))


PING_LINE = re.compile(r'seq=(\d+)\b')


def ping_losses(text, interval):
    """From a ping log (busybox, killed with SIGINT): (transmitted,
    received, lost, the longest run of consecutive lost replies, that run
    in seconds at @interval)."""
    m = re.search(r'(\d+) packets transmitted, (\d+) packets received', text)
    seqs = sorted({int(s) for s in PING_LINE.findall(text)})
    if m:
        tx, rx = int(m.group(1)), int(m.group(2))
    else:
        tx = (seqs[-1] + 1) if seqs else 0
        rx = len(seqs)
    longest = 0
    prev = -1
    for s in seqs + [tx]:
        longest = max(longest, s - prev - 1)
        prev = s
    return tx, rx, tx - rx, longest, longest * interval


# ---------------------------------------------------------------------------
# RAM comparison: the destination's memory against the source's, page for
# page, once both are stopped (source 'postmigrate', destination started
# with -S so nothing runs before the comparison). A page that differs was
# written on the source after it was last copied and nobody marked it: the
# guest CPU (QEMU's own dirty tracking) or the back-end (its dirty log).

PAGE = 4096
VRING_DESC_F_WRITE = 2
VRING_DESC_F_INDIRECT = 4


def virtio_rings(guest):
    """[(queue, desc, avail, used, num)] of the guest's virtio-net device
    (QMP x-query-virtio-queue-status; split: the three rings, packed: the
    descriptor ring and the driver/device event areas), [] when this QEMU
    cannot tell."""
    q = guest.connect_qmp()
    try:
        devs = q.cmd('x-query-virtio', quiet=True)
    except TestFailure:
        return []
    rings = []
    for d in devs:
        if 'net' not in d.get('name', ''):
            continue
        for i in range(64):
            try:
                s = q.cmd('x-query-virtio-queue-status',
                          {'path': d['path'], 'queue': i}, quiet=True)
            except TestFailure:
                break
            if not s.get('vring-num'):
                continue
            rings.append((i, s['vring-desc'], s['vring-avail'],
                          s['vring-used'], s['vring-num']))
    return rings


def ram_dump(guest, path, size_mb):
    """The guest's RAM (guest-physical 0 .. size_mb MiB) into @path."""
    guest.connect_qmp().cmd('pmemsave', {'val': 0, 'size': size_mb << 20,
                                         'filename': path})
    if os.path.getsize(path) != size_mb << 20:
        raise TestFailure('%s: pmemsave wrote %d bytes, not %d' % (
            guest.name, os.path.getsize(path), size_mb << 20))


def differing_pages(a_path, b_path):
    """Offsets of the 4 KiB pages that differ between two RAM dumps."""
    diffs = []
    chunk = 1 << 20
    with open(a_path, 'rb') as fa, open(b_path, 'rb') as fb:
        off = 0
        while True:
            ca, cb = fa.read(chunk), fb.read(chunk)
            if not ca and not cb:
                break
            if ca != cb:
                for i in range(0, max(len(ca), len(cb)), PAGE):
                    if ca[i:i + PAGE] != cb[i:i + PAGE]:
                        diffs.append(off + i)
            off += chunk
    return diffs


def _pages(addr, length):
    if length <= 0:
        return range(0)
    return range(addr // PAGE, (addr + length - 1) // PAGE + 1)


def classify_pages(dump_path, rings, pages):
    """{page offset: 'ring' | 'rx-buffer' | 'other'}: 'ring' for the
    queues' rings (the back-end writes the used ring / the descriptors),
    'rx-buffer' for pages a device-writable descriptor of an even queue
    (RX) points to in the source's final descriptor table (the back-end
    writes packets there), 'other' for the rest (the guest CPU's). Split
    and packed descriptors are both {u64 addr, u32 len, u16, u16 flags}."""
    ring_pages, rx_pages = set(), set()
    with open(dump_path, 'rb') as f:
        dump = f.read()
    # virtio-net: RX/TX pairs, then the control queue (QEMU's) when the
    # count is odd
    data_queues = len(rings) - (len(rings) % 2)
    for (q, desc, avail, used, num) in rings:
        ring_pages.update(_pages(desc, 16 * num))
        ring_pages.update(_pages(avail, 6 + 2 * num))
        ring_pages.update(_pages(used, 6 + 8 * num))
        if q % 2 or q >= data_queues:
            continue
        for i in range(num):
            o = desc + 16 * i
            if o + 16 > len(dump):
                break
            addr, length, _, flags = struct.unpack_from('<QIHH', dump, o)
            if flags & VRING_DESC_F_INDIRECT:
                for j in range(min(length // 16, 256)):
                    p = addr + 16 * j
                    if p + 16 > len(dump):
                        break
                    a2, l2, _, f2 = struct.unpack_from('<QIHH', dump, p)
                    if f2 & VRING_DESC_F_WRITE:
                        rx_pages.update(_pages(a2, min(l2, 1 << 20)))
            elif flags & VRING_DESC_F_WRITE:
                rx_pages.update(_pages(addr, min(length, 1 << 20)))
    out = {}
    for off in pages:
        pg = off // PAGE
        out[off] = ('ring' if pg in ring_pages else
                    'rx-buffer' if pg in rx_pages else 'other')
    return out


def page_diff_text(a_path, b_path, off, n=32):
    """The first differing bytes of one page: 'at +X: src .. dst ..'."""
    with open(a_path, 'rb') as fa, open(b_path, 'rb') as fb:
        fa.seek(off)
        fb.seek(off)
        a, b = fa.read(PAGE), fb.read(PAGE)
    idx = [i for i in range(min(len(a), len(b))) if a[i] != b[i]]
    if not idx:
        return 'identical'
    i = idx[0]
    return '%d bytes differ, first at +%#x: source %s, destination %s' % (
        len(idx), i, a[i:i + n].hex(), b[i:i + n].hex())


def check_ram_equal(src, dst, size_mb, what):
    """Dump both guests' RAM (both must be stopped), compare it page for
    page; raise TestFailure naming the differing pages and who wrote them
    (see classify_pages)."""
    d = H.tmpdir()
    a = os.path.join(d, H.unique('ram-src') + '.bin')
    b = os.path.join(d, H.unique('ram-dst') + '.bin')
    t0 = time.monotonic()
    rings = virtio_rings(src)
    try:
        ram_dump(src, a, size_mb)
        ram_dump(dst, b, size_mb)
        diffs = differing_pages(a, b)
        log('%s: RAM compared (%d MiB, %.1fs): %d pages differ; rings %s' % (
            what, size_mb, time.monotonic() - t0, len(diffs),
            ', '.join('q%d desc %#x avail %#x used %#x num %d' % r
                      for r in rings) or 'unknown'))
        if not diffs:
            return
        kinds = classify_pages(a, rings, diffs)
        count = {}
        for k in kinds.values():
            count[k] = count.get(k, 0) + 1
        lines = ['%#x %s: %s' % (off, kinds[off], page_diff_text(a, b, off))
                 for off in diffs[:20]]
        raise TestFailure(
            '%s: %d pages of the destination\'s RAM differ from the '
            'source\'s after the migration (%s) -- ring / rx-buffer pages '
            'are written by the back-end (its dirty log missed them), '
            '"other" pages by the guest CPU (QEMU\'s own dirty tracking):'
            '\n  %s%s' % (what, len(diffs), ', '.join(
                '%d %s' % (v, k) for k, v in sorted(count.items())),
                '\n  '.join(lines), '\n  ...' if len(diffs) > 20 else ''))
    finally:
        if not os.environ.get('VHP_IT_KEEP'):
            for p in (a, b):
                try:
                    os.unlink(p)
                except OSError:
                    pass


# QEMU 7.2 under TCG loses guest-CPU writes when a precopy migration needs
# more than one dirty-bitmap pass after the bulk pass: pages the guest wrote
# after such a pass differ on the destination (reproduced with no network
# traffic at all: test_migration.py baseline, VHP_MIG_DOWNTIME_MS=300).
# QEMU 10.0 does not. With a 2 s downtime limit the first pass after the
# bulk one is the last (the guest is stopped for it), which 7.2 gets right.
QEMU72_DOWNTIME_MS = 2000


def migrate_params(version):
    """migrate-set-parameters for a QEMU @version ((major, minor, micro)):
    no bandwidth cap (the VMs share one CPU under TCG); the downtime limit
    QEMU's default (300 ms) from QEMU 10 on, QEMU72_DOWNTIME_MS before
    (not tried between 7.2 and 10.0). $VHP_MIG_DOWNTIME_MS overrides it."""
    p = {'max-bandwidth': 4 << 30}
    if version is not None and version < (10, 0):
        p['downtime-limit'] = QEMU72_DOWNTIME_MS
    if os.environ.get('VHP_MIG_DOWNTIME_MS'):
        p['downtime-limit'] = int(os.environ['VHP_MIG_DOWNTIME_MS'])
    return p
