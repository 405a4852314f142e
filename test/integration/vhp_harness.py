# SPDX-License-Identifier: BSD-3-Clause
"""Integration-test harness: vhp-testpmd (our back-end) against dpdk-testpmd
with net_virtio_user (the front-end), both without hugepages.

Python 3 standard library only. Every process started here is tracked and
killed, and every socket/temporary file removed, at exit (normal exit,
exception, failed assertion, or SIGTERM/SIGINT from meson's timeout).

Exit codes: 0 pass, 1 fail, 77 skip (meson's convention). A test is skipped
only when dpdk-testpmd is not installed.

Environment:
  VHP_BUILD_DIR      build directory (set by meson's test_env)
  VHP_IT_BACKEND     'vhp' (default) or 'dpdk': run the same test against
                     dpdk-testpmd's net_vhost instead of vhp-testpmd, to check
                     the tests themselves.
  VHP_IT_KEEP        keep the temporary directory (logs) after the run.
"""

import atexit
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77

# Virtio feature bits
F_CSUM = 0
F_MRG_RXBUF = 15
F_STATUS = 16
F_MQ = 22
F_INDIRECT_DESC = 28
F_EVENT_IDX = 29
F_PROTOCOL_FEATURES = 30
F_VERSION_1 = 32
F_RING_PACKED = 34
F_IN_ORDER = 35

FEATURE_NAMES = {
    0: 'CSUM', 1: 'GUEST_CSUM', 3: 'MTU', 5: 'MAC', 7: 'GUEST_TSO4',
    8: 'GUEST_TSO6', 11: 'HOST_TSO4', 12: 'HOST_TSO6', 15: 'MRG_RXBUF',
    16: 'STATUS', 17: 'CTRL_VQ', 22: 'MQ', 28: 'INDIRECT_DESC',
    29: 'EVENT_IDX', 30: 'PROTOCOL_FEATURES', 32: 'VERSION_1',
    33: 'ACCESS_PLATFORM', 34: 'RING_PACKED', 35: 'IN_ORDER',
    38: 'NOTIFICATION_DATA',
}

EAL_NOHUGE = ['-n', '1', '--no-huge', '-m', '512', '--single-file-segments',
              '--no-pci']
EAL_HUGE = ['-n', '1', '--single-file-segments', '--no-pci']


def feature_names(bits):
    bits = int(bits, 16) if isinstance(bits, str) else int(bits)
    out = []
    for b in range(64):
        if bits >> b & 1:
            out.append(FEATURE_NAMES.get(b, 'bit%d' % b))
    return out


def log(*args):
    print('[%s]' % time.strftime('%H:%M:%S'), *args, flush=True)


class TestFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)
    log('ok:', msg)


# --------------------------------------------------------------------------
# Process and file bookkeeping

_procs = []
_tmpdir = None
_prefixes = []
_seq = 0


def tmpdir():
    global _tmpdir
    if _tmpdir is None:
        _tmpdir = tempfile.mkdtemp(prefix='vhp-it-', dir='/tmp')
    return _tmpdir


def unique(name):
    """A unique name for this test process (file-prefix, socket name)."""
    global _seq
    _seq += 1
    return 'vhpit%d_%s%d' % (os.getpid(), name, _seq)


def sock_path(name='vhost'):
    return os.path.join(tmpdir(), unique(name) + '.sock')


def file_prefix(name):
    p = unique(name)
    _prefixes.append(p)
    return p


def _kill(p, grace=5.0):
    if p.poll() is not None:
        return
    try:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        p.kill()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    except ProcessLookupError:
        pass


def cleanup_procs():
    for p in list(_procs):
        try:
            _kill(p, grace=3.0)
        except Exception:
            pass
    _procs.clear()
    _objects.clear()


_cleanup_hooks = []


def on_cleanup(fn):
    """Run fn() at clean-up (exit, failure, SIGTERM/SIGINT), after the
    tracked processes are killed and before the temporary directory goes:
    for daemons the harness did not spawn itself (e.g. ovs_harness.Ovs.stop)."""
    _cleanup_hooks.append(fn)


def cleanup():
    global _tmpdir
    cleanup_procs()
    while _cleanup_hooks:
        fn = _cleanup_hooks.pop()
        try:
            fn()
        except Exception as e:
            log('clean-up hook %r failed: %s' % (fn, e))
    for pre in _prefixes:
        # EAL runtime directory of each process we started (ours only)
        shutil.rmtree('/var/run/dpdk/' + pre, ignore_errors=True)
        shutil.rmtree('/run/user/%d/dpdk/%s' % (os.getuid(), pre),
                      ignore_errors=True)
        # hugepage files of a killed process (normally unlinked at exit)
        for d in ('/dev/hugepages', '/mnt/huge'):
            try:
                for f in os.listdir(d):
                    if f.startswith(pre + 'map_'):
                        os.unlink(os.path.join(d, f))
            except OSError:
                pass
    if _tmpdir and os.path.isdir(_tmpdir):
        if os.environ.get('VHP_IT_KEEP'):
            log('logs kept in', _tmpdir)
        else:
            shutil.rmtree(_tmpdir, ignore_errors=True)
        _tmpdir = None


atexit.register(cleanup)


def _on_signal(signum, frame):
    log('signal %d: cleaning up' % signum)
    cleanup()
    os._exit(1)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def spawn(cmd, logname, stdin=None):
    path = os.path.join(tmpdir(), logname)
    f = open(path, 'wb')
    log('run:', ' '.join(cmd))
    p = subprocess.Popen(cmd, stdin=stdin, stdout=f, stderr=subprocess.STDOUT,
                         start_new_session=True)
    p.logpath = path
    _procs.append(p)
    return p


def read_log(p):
    try:
        with open(p.logpath, 'rb') as f:
            return f.read().decode('utf-8', 'replace')
    except OSError:
        return ''


def dump_log(p, title, tail=60):
    text = read_log(p).splitlines()
    print('----- %s (last %d lines of %s) -----' % (title, tail, p.logpath))
    for line in text[-tail:]:
        print('  ' + line)
    print('-----', flush=True)


def wait_for(pred, timeout, what, interval=0.1):
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            raise TestFailure('timed out (%.0fs) waiting for %s' % (timeout, what))
        time.sleep(interval)


def build_dir():
    d = os.environ.get('VHP_BUILD_DIR')
    if not d:
        d = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'build')
    return os.path.abspath(d)


def require_peer():
    exe = shutil.which('dpdk-testpmd')
    if not exe:
        print('SKIP: dpdk-testpmd not installed (apt-get install dpdk)')
        sys.exit(SKIP)
    return exe


def backend_kind():
    return os.environ.get('VHP_IT_BACKEND', 'vhp')


# --------------------------------------------------------------------------
# dpdk-testpmd driven through stdin

class Testpmd:
    """dpdk-testpmd in interactive mode; commands go to stdin, output is
    collected by a reader thread (and copied to a log file)."""

    PROMPT = 'testpmd> '

    def __init__(self, vdevs, name='peer', main_lcore=1, nb_cores=1, rxq=1,
                 txq=1, desc=1024, mbufs=16384, extra_eal=(), extra_app=(),
                 mem=None):
        self.exe = require_peer()
        self.prefix = file_prefix(name)
        eal = ['-l', '0,1']
        if main_lcore is not None:
            eal += ['--main-lcore', str(main_lcore)]
        eal += list(EAL_NOHUGE if mem is None else mem)
        eal += ['--file-prefix=' + self.prefix]
        for v in vdevs:
            eal += ['--vdev', v]
        eal += list(extra_eal)
        app = ['-i', '--nb-cores=%d' % nb_cores, '--rxq=%d' % rxq,
               '--txq=%d' % txq, '--rxd=%d' % desc, '--txd=%d' % desc,
               '--total-num-mbufs=%d' % mbufs] + list(extra_app)
        cmd = ['stdbuf', '-oL', '-eL', self.exe] + eal + ['--'] + app
        self._spawn(name, cmd)

    def _spawn(self, name, cmd):
        """Start @cmd with a piped stdin and a thread collecting its
        output (also logged to a file kept for failure dumps)."""
        self.name = name
        self.buf = ''
        self.lock = threading.Lock()
        path = os.path.join(tmpdir(), unique(name) + '.log')
        self.logf = open(path, 'w')
        log('run:', ' '.join(cmd))
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT,
                                  start_new_session=True)
        self.p.logpath = path
        _procs.append(self.p)
        self.t = threading.Thread(target=self._reader, daemon=True)
        self.t.start()

    def _reader(self):
        fd = self.p.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            s = data.decode('utf-8', 'replace')
            with self.lock:
                self.buf += s
            self.logf.write(s)
            self.logf.flush()

    def output(self):
        with self.lock:
            return self.buf

    def alive(self):
        return self.p.poll() is None

    def wait_prompt(self, timeout=30):
        def ready():
            if not self.alive():
                raise TestFailure('%s exited early (rc=%s):\n%s' % (
                    self.name, self.p.returncode, self.output()[-3000:]))
            return self.PROMPT in self.output()
        wait_for(ready, timeout, '%s prompt' % self.name)

    def cmd(self, line, timeout=30):
        """Send one command; return its output (up to the next prompt)."""
        with self.lock:
            start = len(self.buf)
        self.p.stdin.write((line + '\n').encode())
        self.p.stdin.flush()

        def done():
            if not self.alive():
                return True
            with self.lock:
                i = self.buf.find(self.PROMPT, start)
            return i >= 0
        wait_for(done, timeout, '%s: %r' % (self.name, line))
        with self.lock:
            i = self.buf.find(self.PROMPT, start)
            out = self.buf[start:i if i >= 0 else len(self.buf)]
        return out

    def port_stats(self):
        """{port: {'rx': n, 'tx': n, 'rx_bytes': n, 'tx_bytes': n, ...}}"""
        out = self.cmd('show port stats all')
        res = {}
        for m in re.finditer(r'NIC statistics for port (\d+)\s*#+(.*?)\n\s*#{20,}', out, re.S):
            body = m.group(2)

            def num(key):
                mm = re.search(key + r':\s+(\d+)', body)
                return int(mm.group(1)) if mm else 0
            res[int(m.group(1))] = {
                'rx': num('RX-packets'), 'tx': num('TX-packets'),
                'rx_bytes': num('RX-bytes'), 'tx_bytes': num('TX-bytes'),
                'rx_missed': num('RX-missed'), 'rx_errors': num('RX-errors'),
                'tx_errors': num('TX-errors'), 'rx_nombuf': num('RX-nombuf'),
            }
        return res

    def stop_fwd(self):
        """'stop'; returns (output, cycles_per_packet or None)."""
        out = self.cmd('stop')
        m = re.search(r'CPU cycles/packet=([\d.]+)', out)
        return out, (float(m.group(1)) if m else None)

    def quit(self, timeout=20):
        if not self.alive():
            return self.p.returncode
        try:
            self.p.stdin.write(b'quit\n')
            self.p.stdin.flush()
            self.p.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log('%s did not quit in %ds; killing' % (self.name, timeout))
            _kill(self.p)
        self.t.join(timeout=5)
        return self.p.returncode

    def dump(self, tail=80):
        lines = self.output().splitlines()
        print('----- %s output (last %d lines) -----' % (self.name, tail))
        for line in lines[-tail:]:
            print('  ' + line)
        print('-----', flush=True)


def virtio_user_vdev(path, idx=0, **devargs):
    s = 'net_virtio_user%d,path=%s' % (idx, path)
    devargs.setdefault('queue_size', 1024)
    for k, v in devargs.items():
        s += ',%s=%s' % (k, v)
    return s


def peer(path, devargs=None, queues=1, extra_vdevs=(), vdevs_first=(), **kw):
    """A dpdk-testpmd virtio-user front-end (forwarding core: CPU 0)."""
    devargs = dict(devargs or {})
    if queues > 1:
        devargs['queues'] = queues
    vdevs = list(vdevs_first) + [virtio_user_vdev(path, **devargs)] + list(extra_vdevs)
    return Testpmd(vdevs, rxq=queues, txq=queues, **kw)


# --------------------------------------------------------------------------
# Our back-end: vhp-testpmd

def hex_int(v):
    if isinstance(v, int):
        return v
    return int(str(v), 16) if str(v).startswith('0x') else int(v)


SANITIZER_PATTERNS = ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer',
                      'runtime error:', 'WARNING: ThreadSanitizer')


class VhpBackend:
    """vhp-testpmd with one or more --vhost ports (forwarding core: CPU 1).
    state() reads the --stats-json file (rewritten every --stats-period)."""

    def __init__(self, ports, fwd='io', duration=None, period=1, mbufs=16384,
                 extra_app=(), name='vhp', mem=None, exe=None):
        self.exe = exe or os.path.join(build_dir(), 'app', 'vhp-testpmd', 'vhp-testpmd')
        if not os.access(self.exe, os.X_OK):
            raise TestFailure('vhp-testpmd not built: %s' % self.exe)
        self.prefix = file_prefix(name)
        self.json_path = os.path.join(tmpdir(), unique('stats') + '.json')
        self.ports = ports
        self.paths = [p.split(',')[0] for p in ports]
        cmd = [self.exe, '-l', '0,1'] + list(EAL_NOHUGE if mem is None else mem)
        cmd += ['--file-prefix=' + self.prefix, '--']
        for p in ports:
            cmd.append('--vhost=' + p)
        cmd += ['--forward-mode=' + fwd, '--nb-cores=1',
                '--stats-json=' + self.json_path, '--stats-period=%s' % period,
                '--total-num-mbufs=%d' % mbufs]
        if duration:
            cmd.append('--duration=%s' % duration)
        cmd += list(extra_app)
        self.p = spawn(cmd, unique(name) + '.log')
        self.client = any('client=1' in p for p in ports)
        self.name = name

    def alive(self):
        return self.p.poll() is None

    def wait_ready(self, timeout=20):
        """Server mode: the sockets exist. Client mode: the JSON exists."""
        def ready():
            if not self.alive():
                raise TestFailure('vhp-testpmd exited early (rc=%s)' % self.p.returncode)
            if self.client:
                return os.path.exists(self.json_path)
            return all(os.path.exists(x) for x in self.paths)
        wait_for(ready, timeout, 'vhp-testpmd ready')

    def state(self):
        try:
            with open(self.json_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def port(self, i=0):
        s = self.state()
        if not s:
            return None
        for p in s.get('ports', []):
            if p.get('id') == i:
                return p
        return None

    def wait_port(self, pred, timeout, what, i=0):
        def ok():
            if not self.alive():
                raise TestFailure('vhp-testpmd exited (rc=%s) while waiting for %s'
                                  % (self.p.returncode, what))
            p = self.port(i)
            return p if (p is not None and pred(p)) else None
        return wait_for(ok, timeout, what, interval=0.2)

    def stop(self, timeout=20):
        """SIGTERM; returns (exit code, final JSON). Fails on any sanitizer
        report in the log, whatever the exit code."""
        if self.alive():
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill(self.p)
                raise TestFailure('vhp-testpmd ignored SIGTERM for %ds' % timeout)
        text = read_log(self.p)
        for pat in SANITIZER_PATTERNS:
            if pat in text:
                raise TestFailure('vhp-testpmd log has a sanitizer report (%r)' % pat)
        return self.p.returncode, self.state()

    def dump(self, tail=80):
        dump_log(self.p, 'vhp-testpmd', tail)


class DpdkVhostBackend:
    """Stand-in with the same interface, on dpdk-testpmd's net_vhost: lets the
    tests be checked without vhp-testpmd (VHP_IT_BACKEND=dpdk). The JSON state
    is reconstructed from net_vhost's log lines and 'show port stats'."""

    def __init__(self, ports, fwd='io', duration=None, period=1, mbufs=16384,
                 extra_app=(), name='dpdkvhost'):
        vdevs = []
        self.paths = []
        self.qs = 1
        for i, spec in enumerate(ports):
            parts = spec.split(',')
            self.paths.append(parts[0])
            extra = ''
            for kv in parts[1:]:
                k, _, v = kv.partition('=')
                if k in ('queues', 'client'):
                    extra += ',%s=%s' % (k, v)
                if k == 'queues':
                    self.qs = int(v)
            vdevs.append('net_vhost%d,iface=%s%s' % (i, parts[0], extra))
        self.client = any('client=1' in p for p in ports)
        self.tp = Testpmd(vdevs, name=name, main_lcore=None, rxq=self.qs,
                          txq=self.qs, mbufs=mbufs)
        self.p = self.tp.p
        self.tp.wait_prompt()
        self.tp.cmd('set fwd %s' % fwd)
        self.tp.cmd('start')
        self.fwd = fwd
        self.final = None

    def alive(self):
        return self.tp.alive()

    def wait_ready(self, timeout=20):
        if not self.client:
            wait_for(lambda: all(os.path.exists(x) for x in self.paths),
                     timeout, 'net_vhost sockets')

    def _port_from_log(self, stats=None):
        out = self.tp.output()
        feats = re.findall(r'negotiated Virtio features: (0x[0-9a-f]+)', out)
        pfeats = re.findall(r'negotiated Vhost-user protocol features: (0x[0-9a-f]+)', out)
        status = re.findall(r'new device status\((0x[0-9a-f]+)\)', out)
        events = [m.group(0) for m in re.finditer(
            r'virtio is now ready for processing|vhost peer closed', out)]
        connected = bool(events) and events[-1].startswith('virtio')
        f = int(feats[-1], 16) if feats else 0
        p = {'id': 0, 'driver': 'vhost', 'path': self.paths[0],
             'connected': connected,
             'status': int(status[-1], 16) if status else 0,
             'features': hex(f), 'protocol_features': pfeats[-1] if pfeats else '0x0',
             'ring': 'packed' if f >> F_RING_PACKED & 1 else 'split',
             'queues': self.qs, 'queue_stats': []}
        if stats is not None:
            s = stats.get(0, {})
            p.update({'rx_packets': s.get('rx', 0), 'tx_packets': s.get('tx', 0),
                      'rx_bytes': s.get('rx_bytes', 0), 'tx_bytes': s.get('tx_bytes', 0),
                      'rx_dropped': 0, 'tx_dropped': 0, 'errors': 0})
            xs = self.tp.cmd('show port xstats 0')
            for q in range(self.qs):
                def xv(name):
                    m = re.search(r'%s:\s+(\d+)' % name, xs)
                    return int(m.group(1)) if m else 0
                p['queue_stats'].append({'queue': q,
                                         'rx_packets': xv('rx_q%d_good_packets' % q),
                                         'tx_packets': xv('tx_q%d_good_packets' % q)})
        return p

    def port(self, i=0):
        if self.final is not None:
            return self.final['ports'][0]
        return self._port_from_log()

    def state(self):
        if self.final is not None:
            return self.final
        return {'ports': [self._port_from_log()]}

    def wait_port(self, pred, timeout, what, i=0):
        def ok():
            p = self.port(i)
            return p if pred(p) else None
        return wait_for(ok, timeout, what, interval=0.2)

    def stop(self, timeout=20):
        time.sleep(0.5)
        out, cpp = self.tp.stop_fwd()
        st = self.tp.port_stats()
        self.final = {'ports': [self._port_from_log(st)], 'forward_mode': self.fwd,
                      'cycles_per_packet': cpp or 0}
        rc = self.tp.quit()
        return rc, self.final

    def dump(self, tail=80):
        self.tp.dump(tail)


def backend(ports, **kw):
    if backend_kind() == 'dpdk':
        return DpdkVhostBackend(ports, **kw)
    return VhpBackend(ports, **kw)


# --------------------------------------------------------------------------
# pcap files (classic libpcap format, Ethernet link type)

def write_pcap(path, packets):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, pkt in enumerate(packets):
            f.write(struct.pack('<IIII', 1700000000 + i, 0, len(pkt), len(pkt)))
            f.write(pkt)


def read_pcap(path):
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        raise TestFailure('%s: short pcap (%d bytes)' % (path, len(data)))
    magic = struct.unpack('<I', data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = '<'
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        e = '>'
    else:
        raise TestFailure('%s: not a pcap file' % path)
    off = 24
    pkts = []
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(e + 'IIII', data[off:off + 16])
        off += 16
        pkts.append(data[off:off + incl])
        off += incl
    return pkts


def make_packets(n, sizes, seed=1):
    """n distinct Ethernet/IPv4/UDP frames; payload carries the index and a
    pseudo-random pattern so reordering, truncation or corruption shows."""
    import random
    rnd = random.Random(seed)
    pkts = []
    for i in range(n):
        size = sizes[i % len(sizes)]
        eth = bytes.fromhex('020000000002' '020000000001' '0800')
        payload_len = size - 14 - 20 - 8
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + 8 + payload_len, i & 0xffff,
                         0, 64, 17, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        csum = 0
        for j in range(0, 20, 2):
            csum += (ip[j] << 8) | ip[j + 1]
        csum = (csum & 0xffff) + (csum >> 16)
        csum = (csum & 0xffff) + (csum >> 16)
        ip = ip[:10] + struct.pack('!H', ~csum & 0xffff) + ip[12:]
        udp = struct.pack('!HHHH', 1024 + (i % 64), 4789, 8 + payload_len, 0)
        body = struct.pack('!I', i) + bytes(rnd.getrandbits(8) for _ in range(payload_len - 4))
        pkts.append(eth + ip + udp + body)
    return pkts


# --------------------------------------------------------------------------

def _status():
    for o in _objects:
        p = getattr(o, 'p', None)
        if p is None:
            continue
        rc = p.poll()
        desc = 'running' if rc is None else 'exited rc=%s' % rc
        if rc is not None and rc < 0:
            desc += ' (signal %d%s)' % (-rc, ', SIGPIPE: its vhost-user peer went away'
                                        if rc == -13 else '')
        print('process %s: %s' % (getattr(o, 'name', type(o).__name__), desc))


def run(main):
    """Run a test body: exit 0 on success, 1 with logs on failure."""
    require_peer()
    try:
        main()
    except TestFailure as e:
        print('FAIL:', e, flush=True)
        _status()
        for p in list(_objects):
            try:
                p.dump()
            except Exception:
                pass
        cleanup()
        sys.exit(1)
    except Exception:
        import traceback
        traceback.print_exc()
        _status()
        for p in list(_objects):
            try:
                p.dump()
            except Exception:
                pass
        cleanup()
        sys.exit(1)
    log('PASS')
    cleanup()
    sys.exit(0)


_objects = []


def track(obj):
    """Register an object with a dump() method for failure diagnostics."""
    _objects.append(obj)
    return obj


# --------------------------------------------------------------------------
# vhp-testpmd in interactive mode (-i), with any port drivers

class VhpInteractive(Testpmd):
    """vhp-testpmd -i driven through stdin like Testpmd (same reader thread,
    cmd(), port_stats(), quit()). port_args are the app's port options in
    order (e.g. ['--pcap=rx=IN,tx=OUT', '--vhost=SOCK']); port ids follow
    that order. Forwarding core: CPU 1 (the peer's main lcore is 1)."""

    PROMPT = 'vhp-testpmd> '

    def __init__(self, port_args, fwd='io', name='vhpi', mbufs=16384,
                 period=1, extra_app=(), mem=None, exe=None):
        self.exe = exe or os.path.join(build_dir(), 'app', 'vhp-testpmd', 'vhp-testpmd')
        if not os.access(self.exe, os.X_OK):
            raise TestFailure('vhp-testpmd not built: %s' % self.exe)
        self.prefix = file_prefix(name)
        self.json_path = os.path.join(tmpdir(), unique('stats') + '.json')
        cmd = [self.exe, '-l', '0,1'] + list(EAL_NOHUGE if mem is None else mem)
        cmd += ['--file-prefix=' + self.prefix, '--', '-i'] + list(port_args)
        cmd += ['--forward-mode=' + fwd, '--nb-cores=1',
                '--stats-json=' + self.json_path, '--stats-period=%s' % period,
                '--total-num-mbufs=%d' % mbufs] + list(extra_app)
        self._spawn(name, cmd)

    def link_up(self, port):
        out = self.cmd('show port info %d' % port)
        return re.search(r'Link status:\s*up', out) is not None

    def state(self):
        try:
            with open(self.json_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def sanitizer_check(self):
        text = self.output()
        for pat in SANITIZER_PATTERNS:
            if pat in text:
                raise TestFailure('%s output has a sanitizer report (%r)' % (self.name, pat))


def telemetry(prefix, command, timeout=5.0):
    """One command on the EAL telemetry socket (v2) of the process started
    with --file-prefix=prefix; returns the decoded JSON reply (its value)."""
    cands = ['/var/run/dpdk/%s/dpdk_telemetry.v2' % prefix,
             '/run/user/%d/dpdk/%s/dpdk_telemetry.v2' % (os.getuid(), prefix),
             '/tmp/dpdk/%s/dpdk_telemetry.v2' % prefix]   # non-root, no XDG
    if os.environ.get('XDG_RUNTIME_DIR'):
        cands.append(os.path.join(os.environ['XDG_RUNTIME_DIR'], 'dpdk', prefix,
                                  'dpdk_telemetry.v2'))
    path = next((c for c in cands if os.path.exists(c)), None)
    if path is None:
        raise TestFailure('no telemetry socket for %s (looked in %s)' % (prefix, cands))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(timeout)
    try:
        s.connect(path)
        s.recv(16384)                     # greeting
        s.send(command.encode())
        reply = json.loads(s.recv(1 << 20).decode())
    finally:
        s.close()
    key = command.split(',')[0]
    return reply.get(key, reply)


def lcore_tid(pid, name='rte-worker-1'):
    """Thread id of a DPDK lcore thread of process @pid (EAL names the
    first worker rte-worker-1)."""
    for t in os.listdir('/proc/%d/task' % pid):
        try:
            with open('/proc/%d/task/%s/comm' % (pid, t)) as f:
                if f.read().strip() == name:
                    return int(t)
        except OSError:
            pass
    raise TestFailure('no %s thread in process %d' % (name, pid))


def thread_cpu_ticks(pid, tid):
    """utime + stime of one thread, in clock ticks."""
    with open('/proc/%d/task/%d/stat' % (pid, tid)) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_backend(be, pred, what, timeout, nports, interval=0.2):
    """Wait until vhp-testpmd @be's JSON state lists @nports ports and
    satisfies @pred; fails at once if it exited. Returns the state."""
    def ok():
        if not be.alive():
            raise TestFailure('vhp-testpmd exited (rc %s)' % be.p.returncode)
        st = be.state()
        if st is None or len(st.get('ports', [])) != nports:
            return None
        return st if pred(st) else None
    return wait_for(ok, timeout, what, interval=interval)
