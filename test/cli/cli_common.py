# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of the CLI tests: vhp-testpmd -i driven through a pipe or a pty,
and a client of DPDK's telemetry socket. Python 3 standard library only.

Processes, sockets and EAL runtime directories are tracked by the
integration harness (test/integration/vhp_harness.py, imported by path) and
removed at exit, whatever the outcome.
"""
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, '..', 'integration'))
import vhp_harness as h  # noqa: E402

PROMPT = 'vhp-testpmd> '
EAL = ['-l', '0,1', '-n', '1', '--no-huge', '-m', '512',
       '--single-file-segments', '--no-pci']


def exe():
    path = os.path.join(h.build_dir(), 'app', 'vhp-testpmd', 'vhp-testpmd')
    if not os.access(path, os.X_OK):
        raise h.TestFailure('vhp-testpmd not built: %s' % path)
    return path


def source_dir():
    d = os.environ.get('VHP_SOURCE_DIR')
    return os.path.abspath(d) if d else os.path.abspath(
        os.path.join(_HERE, '..', '..'))


def list_commands():
    """Command syntaxes from the hidden --list-commands option."""
    out = subprocess.run([exe(), '--', '--list-commands'], check=True,
                         stdout=subprocess.PIPE, timeout=30).stdout.decode()
    cmds = [line.strip() for line in out.splitlines() if line.strip()]
    if len(cmds) < 10:
        raise h.TestFailure('--list-commands printed only %r' % cmds)
    return cmds


class Cli:
    """vhp-testpmd with -i; commands are written to its stdin (a pipe, or
    the master side of a pty with pty=True), output is collected by a
    reader thread and copied to a log file."""

    def __init__(self, ports, extra_app=(), name='cli', use_pty=False,
                 interactive=True):
        self.prefix = h.file_prefix(name)
        self.json_path = os.path.join(h.tmpdir(), h.unique('stats') + '.json')
        self.paths = [p.split(',')[0] for p in ports]
        cmd = [exe()] + EAL + ['--file-prefix=' + self.prefix, '--']
        cmd += ['--vhost=' + p for p in ports]
        if interactive:
            cmd.append('-i')
        cmd += ['--nb-cores=1', '--total-num-mbufs=16384',
                '--stats-json=' + self.json_path] + list(extra_app)
        self.name = name
        self.buf = ''
        self.lock = threading.Lock()
        self.logf = open(os.path.join(h.tmpdir(), h.unique(name) + '.log'),
                         'w')
        h.log('run:', ' '.join(cmd))
        self.master = None
        if use_pty:
            import pty
            self.master, slave = pty.openpty()
            self.p = subprocess.Popen(cmd, stdin=slave, stdout=slave,
                                      stderr=subprocess.STDOUT,
                                      start_new_session=True)
            os.close(slave)
            self.rfd = self.master
        else:
            self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT,
                                      start_new_session=True)
            self.rfd = self.p.stdout.fileno()
        self.p.logpath = self.logf.name
        h._procs.append(self.p)
        h.track(self)
        self.t = threading.Thread(target=self._reader, daemon=True)
        self.t.start()

    def _reader(self):
        while True:
            try:
                data = os.read(self.rfd, 65536)
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

    def write(self, data):
        if self.master is not None:
            os.write(self.master, data.encode())
        else:
            self.p.stdin.write(data.encode())
            self.p.stdin.flush()

    def wait_text(self, text, timeout=30, start=0):
        def seen():
            with self.lock:
                if self.buf.find(text, start) >= 0:
                    return True
            if not self.alive():
                raise h.TestFailure('%s exited (rc=%s) while waiting for %r'
                                    % (self.name, self.p.returncode, text))
            return False
        h.wait_for(seen, timeout, '%s: %r' % (self.name, text))

    def wait_prompt(self, timeout=30):
        self.wait_text(PROMPT, timeout)

    def cmd(self, line, timeout=30, eol='\n'):
        """Send one command; return its output up to the next prompt
        (without the echoed command line)."""
        with self.lock:
            start = len(self.buf)
        self.write(line + eol)

        def done():
            with self.lock:
                if self.buf.find(PROMPT, start) >= 0:
                    return True
            if not self.alive():
                raise h.TestFailure('%s exited (rc=%s) after %r:\n%s' % (
                    self.name, self.p.returncode, line,
                    self.output()[start:][-3000:]))
            return False
        h.wait_for(done, timeout, '%s: %r' % (self.name, line))
        with self.lock:
            i = self.buf.find(PROMPT, start)
            out = self.buf[start:i]
        nl = out.find('\n')
        return out[nl + 1:] if nl >= 0 else ''

    def close_stdin(self):
        if self.master is None:
            self.p.stdin.close()

    def wait_exit(self, timeout=30):
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise h.TestFailure('%s did not exit in %ds' % (self.name,
                                                           timeout))
        self.t.join(timeout=5)
        text = self.output()
        for pat in h.SANITIZER_PATTERNS:
            if pat in text:
                raise h.TestFailure('sanitizer report in %s output (%r)'
                                    % (self.name, pat))
        return self.p.returncode

    def quit(self, timeout=30):
        self.write('quit\n')
        return self.wait_exit(timeout)

    def interrupt(self):
        self.p.send_signal(signal.SIGINT)

    def state(self):
        try:
            with open(self.json_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def dump(self, tail=80):
        lines = self.output().splitlines()
        print('----- %s output (last %d lines) -----' % (self.name, tail))
        for line in lines[-tail:]:
            print('  ' + line)
        print('-----', flush=True)


def telemetry_path(prefix):
    for base in ('/var/run/dpdk', '/run/user/%d/dpdk' % os.getuid()):
        p = os.path.join(base, prefix, 'dpdk_telemetry.v2')
        if os.path.exists(p):
            return p
    return None


class Telemetry:
    """Client of DPDK's telemetry v2 socket (SOCK_SEQPACKET, JSON)."""

    def __init__(self, prefix, timeout=20):
        path = h.wait_for(lambda: telemetry_path(prefix), timeout,
                          'telemetry socket of %s' % prefix)
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.settimeout(10)
        self.s.connect(path)
        hello = json.loads(self._recv())
        self.max_len = hello.get('max_output_len', 16384)

    def _recv(self):
        data = self.s.recv(65536)
        if not data:
            raise h.TestFailure('telemetry socket closed')
        return data.decode()

    def query(self, cmd):
        self.s.send(cmd.encode())
        reply = json.loads(self._recv())
        key = cmd.split(',')[0]
        if key not in reply:
            raise h.TestFailure('telemetry %s: unexpected reply %r' % (
                cmd, reply))
        return reply[key]

    def close(self):
        self.s.close()


def wait_connected(cli, timeout=30):
    """Wait until 'show vhost 0' says DRIVER_OK; return its output."""
    res = {}

    def ok():
        out = cli.cmd('show vhost 0')
        res['out'] = out
        return 'Connected: yes' in out and 'DRIVER_OK' in out
    h.wait_for(ok, timeout, 'port 0 connected (DRIVER_OK)', interval=0.5)
    return res['out']


def poll_readable(fd, timeout):
    r, _, _ = select.select([fd], [], [], timeout)
    return bool(r)


def sleep(s):
    time.sleep(s)
