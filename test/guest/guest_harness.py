# SPDX-License-Identifier: BSD-3-Clause
"""Guest-test harness: vhp-testpmd (our back-end) against QEMU VMs with
the Linux virtio-net driver, booted by usertools/vhp-guest (TCG).

The QEMU binary is $VHP_QEMU (a path or a command name; default
qemu-system-x86_64, Debian 12's QEMU 7.2). test/guest/meson.build runs the
guest tests twice: guest-q72-* with the system's QEMU and guest-q10-* with
QEMU 10 from bookworm-backports, which usertools/vhp-deps unpacks into
/var/cache/vhostpath/qemu-10 (the offload matrix with QEMU 10 only). Each
test logs the QEMU version it runs.

Reuses test/integration/vhp_harness.py for process bookkeeping, cleanup,
the vhp-testpmd wrapper and the stdin-driven console reader. A test is
skipped (exit 77) only when the QEMU binary or a guest kernel
(/boot/vmlinuz-* with virtio_net modules) is missing.

CPU layout (2 CPUs): vhp-testpmd's forwarding lcore polls CPU 1, its main
lcore and every QEMU share CPU 0.
"""

import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'integration'))
import vhp_harness as H  # noqa: E402

log = H.log
check = H.check
TestFailure = H.TestFailure

QEMU_CPU = '0'


def source_dir():
    d = os.environ.get('VHP_SOURCE_DIR')
    if not d:
        d = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
    return os.path.abspath(d)


def vhp_guest_exe():
    return os.path.join(source_dir(), 'usertools', 'vhp-guest')


def qemu_binary():
    """The QEMU the guests run: $VHP_QEMU, else qemu-system-x86_64."""
    return os.environ.get('VHP_QEMU') or 'qemu-system-x86_64'


_vhp_guest_mod = None


def _vhp_guest():
    """usertools/vhp-guest as a module (its QEMU version logic)."""
    global _vhp_guest_mod
    if _vhp_guest_mod is None:
        import importlib.machinery
        import importlib.util
        loader = importlib.machinery.SourceFileLoader('vhp_guest',
                                                      vhp_guest_exe())
        spec = importlib.util.spec_from_loader('vhp_guest', loader)
        mod = importlib.util.module_from_spec(spec)
        loader.exec_module(mod)
        _vhp_guest_mod = mod
    return _vhp_guest_mod


_qemu_ver = False


def qemu_version():
    """(major, minor, micro) of the QEMU the guests run, None if unknown."""
    global _qemu_ver
    if _qemu_ver is False:
        _qemu_ver = _vhp_guest().qemu_version(qemu_binary())
    return _qemu_ver


def qemu_version_str():
    v = qemu_version()
    return '.'.join(str(x) for x in v) if v else 'unknown version'


def require_guest():
    """Skip (77) when QEMU or a guest kernel is missing."""
    q = qemu_binary()
    if not shutil.which(q):
        if os.environ.get('VHP_QEMU'):
            print('SKIP: QEMU %s ($VHP_QEMU) not found (usertools/vhp-deps '
                  'unpacks QEMU 10 into /var/cache/vhostpath/qemu-10)' % q)
        else:
            print('SKIP: qemu-system-x86_64 not installed '
                  '(apt-get install qemu-system-x86)')
        sys.exit(H.SKIP)
    kernels = [k for k in glob.glob('/boot/vmlinuz-*')
               if glob.glob('/lib/modules/%s/kernel/drivers/net/virtio_net.ko*'
                            % os.path.basename(k)[len('vmlinuz-'):])]
    if not kernels:
        print('SKIP: no guest kernel with virtio_net modules '
              '(apt-get install linux-image-cloud-amd64)')
        sys.exit(H.SKIP)


def run(main):
    """Like vhp_harness.run, with the guest prerequisites instead of
    dpdk-testpmd's."""
    require_guest()
    log('QEMU %s: %s' % (qemu_version_str(), shutil.which(qemu_binary())))
    H.require_peer = lambda: None
    H.run(main)


def backend(ports, fwd, name='vhp', extra_app=()):
    """vhp-testpmd with @ports (--vhost specs), forwarding on CPU 1, main
    lcore on CPU 0 (next to the QEMUs), debug logs of the library."""
    be = H.VhpBackend(ports, fwd=fwd, name=name,
                      mem=H.EAL_NOHUGE + ['--main-lcore', '0',
                                          '--log-level=lib.vhostpath:debug'],
                      extra_app=extra_app)
    H.track(be)
    be.wait_ready()
    return be


def qstats(port):
    """Sum of the per-queue counters of a JSON port entry."""
    tot = {}
    for q in port.get('queue_stats', []):
        for k, v in q.items():
            if k != 'queue' and isinstance(v, int):
                tot[k] = tot.get(k, 0) + v
    return tot


class Guest(H.Testpmd):
    """A VM booted by vhp-guest in shell mode; commands are typed on its
    serial console (stdin) and their output and exit status read back."""

    PROMPT = 'guest# '

    def __init__(self, sock, ip, name='guest', server=False, packed=False,
                 queues=1, mac=None, smp=None, mem='256M', ip6=None,
                 monitor=False, reconnect=0):
        cmd = ['taskset', '-c', QEMU_CPU, sys.executable, vhp_guest_exe(),
               '--qemu', qemu_binary(),
               '--socket', sock, '--ip', ip, '--mem', mem,
               '--queues', str(queues)]
        if server:
            cmd.append('--server')
        if reconnect:
            cmd += ['--reconnect', str(reconnect)]
        if packed:
            cmd.append('--packed')
        if mac:
            cmd += ['--mac', mac]
        if smp:
            cmd += ['--smp', str(smp)]
        if ip6:
            cmd += ['--ip6', ip6]
        self.monitor_path = None
        if monitor:
            self.monitor_path = os.path.join(H.tmpdir(), H.unique('mon'))
            cmd += ['--monitor', self.monitor_path]
        self.ip = ip.split('/')[0]
        self.seq = 0
        self.boots_seen = 0
        self._spawn(name, cmd)
        H.track(self)

    def boots(self):
        return self.output().count('VHP-GUEST: ready')

    def wait_boot(self, n=1, timeout=60):
        """Wait for the @n-th boot to reach its shell prompt."""
        def up():
            if not self.alive():
                raise TestFailure('%s: QEMU exited (rc=%s) before boot %d:\n%s'
                                  % (self.name, self.p.returncode, n,
                                     self.output()[-3000:]))
            out = self.output()
            if out.count('VHP-GUEST: ready') < n:
                return False
            tail = out[out.rfind('VHP-GUEST: ready'):]
            return self.PROMPT in tail
        t0 = time.monotonic()
        H.wait_for(up, timeout, '%s boot %d' % (self.name, n))
        out = self.output()
        line = out[out.rfind('VHP-GUEST: ready'):].splitlines()[0]
        log('%s: boot %d up in %.1fs: %s' % (self.name, n,
                                             time.monotonic() - t0, line))
        if 'no-address' in line or 'eth0' not in line:
            raise TestFailure('%s: eth0 not configured: %s' % (self.name, line))
        check_qemu_clean(out, self.name)

    def sh(self, command, timeout=60):
        """Run @command in the guest shell; return (status, output)."""
        self.seq += 1
        tag = '@@%d:' % self.seq
        with self.lock:
            start = len(self.buf)
        sep = ' ' if command.rstrip().endswith('&') else '; '
        line = '%s%secho "%s$?@@"\n' % (command.rstrip(), sep, tag)
        self.p.stdin.write(line.encode())
        self.p.stdin.flush()
        pat = re.compile(re.escape(tag) + r'(\d+)@@')

        def done():
            if not self.alive():
                raise TestFailure('%s: QEMU exited (rc=%s) during %r' % (
                    self.name, self.p.returncode, command))
            with self.lock:
                return pat.search(self.buf, start)
        m = H.wait_for(done, timeout, '%s: %r' % (self.name, command))
        with self.lock:
            out = self.buf[start:m.start()]
        # drop the echoed command line (the shell may have wrapped it)
        e = out.find(tag + '$?@@"')
        nl = out.find('\n', e if e >= 0 else 0)
        out = out[nl + 1:] if nl >= 0 else ''
        return int(m.group(1)), out

    def sh_ok(self, command, timeout=60):
        rc, out = self.sh(command, timeout)
        if rc != 0:
            raise TestFailure('%s: %r exited %d:\n%s' % (self.name, command,
                                                         rc, out[-2000:]))
        return out

    def send(self, command):
        """Type @command without waiting (reboot, poweroff)."""
        self.p.stdin.write((command + '\n').encode())
        self.p.stdin.flush()

    def ping(self, ip, count=3, timeout=40):
        """ping @count times; the test fails unless every reply comes."""
        rc, out = self.sh('ping -c %d -i 0.2 -W 5 %s' % (count, ip), timeout)
        m = re.search(r'(\d+) packets transmitted, (\d+) packets received', out)
        if rc != 0 or not m or m.group(1) != m.group(2):
            raise TestFailure('%s: ping %s failed (rc %d):\n%s' % (
                self.name, ip, rc, out[-1500:]))
        log('%s: ping %s: %s/%s replies' % (self.name, ip, m.group(2),
                                            m.group(1)))
        return out

    def hmp(self, command, timeout=20):
        """One QEMU human-monitor command; returns its output."""
        import socket
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(self.monitor_path)
            buf = b''
            while not buf.endswith(b'(qemu) '):
                d = s.recv(4096)
                if not d:
                    break
                buf += d
            s.sendall(command.encode() + b'\n')
            buf = b''
            while buf.count(b'(qemu) ') < 1:
                d = s.recv(4096)
                if not d:
                    break
                buf += d
        finally:
            s.close()
        out = buf.decode('utf-8', 'replace')
        log('%s: monitor %r' % (self.name, command))
        return out

    def kill9(self):
        """SIGKILL QEMU (vhp-guest execs it: same pid)."""
        log('%s: kill -9 QEMU (pid %d)' % (self.name, self.p.pid))
        os.kill(self.p.pid, signal.SIGKILL)
        self.p.wait(timeout=10)

    def poweroff(self, timeout=30):
        self.send('poweroff -f')
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TestFailure('%s: QEMU still running %ds after poweroff'
                              % (self.name, timeout))
        self.t.join(timeout=5)
        log('%s: powered off (QEMU rc %s)' % (self.name, self.p.returncode))

    def dump(self, tail=60):
        lines = self.output().splitlines()
        print('----- %s console (last %d lines) -----' % (self.name, tail))
        for line in lines[-tail:]:
            print('  ' + line)
        print('-----', flush=True)


def qemu_errors(text):
    """QEMU's complaints on the console: a vhost-user failure makes QEMU
    fall back to its own virtio-net silently (the NIC goes nowhere)."""
    return [l for l in text.splitlines()
            if l.startswith('qemu-system') and ' info: ' not in l]


def check_qemu_clean(text, what):
    errs = qemu_errors(text)
    if errs:
        raise TestFailure('%s: QEMU reported:\n  %s' % (what, '\n  '.join(errs)))


def run_guest_command(sock, ip, command, name='guest', server=False,
                      packed=False, queues=1, timeout=120):
    """Boot a VM with vhp-guest --run @command (the one-command path users
    take); return (exit status, console output)."""
    cmd = ['taskset', '-c', QEMU_CPU, sys.executable, vhp_guest_exe(),
           '--qemu', qemu_binary(),
           '--socket', sock, '--ip', ip, '--mem', '256M',
           '--queues', str(queues), '--run', command,
           '--timeout', str(timeout)]
    if server:
        cmd.append('--server')
    if packed:
        cmd.append('--packed')
    p = H.spawn(cmd, H.unique(name) + '.log')
    try:
        p.wait(timeout=timeout + 20)
    except subprocess.TimeoutExpired:
        H._kill(p)
        raise TestFailure('%s: vhp-guest did not finish in %ds:\n%s' % (
            name, timeout + 20, H.read_log(p)[-3000:]))
    return p.returncode, H.read_log(p)


def wait_running(be, port, timeout, what, connections=None):
    """Wait until vhp-testpmd's @port is running (DRIVER_OK, rings up)."""
    def ok(p):
        if connections is not None and p.get('connections', 0) < connections:
            return False
        return p.get('running') and p.get('connected')
    return be.wait_port(ok, timeout, what, i=port)


def wait_stopped(be, port, timeout, what):
    return be.wait_port(lambda p: not p.get('running'), timeout, what, i=port)


def check_alive(be):
    check(be.alive(), 'vhp-testpmd still running')


def stop_backend(be):
    rc, st = be.stop()
    check(rc == 0, 'vhp-testpmd exits 0 on SIGTERM (rc %s)' % rc)
    return st
