# SPDX-License-Identifier: BSD-3-Clause
"""A private Open vSwitch with DPDK (Debian's openvswitch-switch-dpdk, OVS 3.1
on DPDK 22.11), for tests, benchmarks and usertools/vhp-ovs.

Python 3 standard library only; no dependency on vhp_harness (the tests
combine both). Everything lives in one directory D: the database, the
ovsdb-server and ovs-vswitchd pidfiles, unixctl sockets and logs, the
OpenFlow management socket of the bridge, the vhost-user sockets of the
ports, and D/vhp-ovs.json (the configuration, so that another process can
stop, inspect or restart the instance from D alone). The system's Open
vSwitch service, database and /var/run/openvswitch are never touched.

  ovs = Ovs(ports=2, vhost_lib='vhostpath')   # or 'dpdk' (the stock library)
  ovs.start()            # prints nothing; ovs.dir, ovs.vswitchd_pid()
  ovs.sock(0)            # D/vhu0.sock: a virtio-user server=1 front-end here
  ovs.wait_link('vhu0')
  ovs.live_stats()       # {'vhu0': {'rx_packets': ..}, ..} (dpctl/show -s)
  ovs.iface_stats('vhu0')   # the Interface statistics column (5 s refresh)
  ovs.pmd_stats()        # parsed dpif-netdev/pmd-stats-show
  ovs.kill_vswitchd(); ovs.start_vswitchd()    # restart, database kept
  ovs.stop()

Memory: without hugepages by default (EAL --no-huge -m MB --legacy-mem:
OVS 3.1 adds --in-memory unless --legacy-mem is given, and --in-memory
refuses --no-huge), with per-port-memory=true (the shared 262144-mbuf pool
does not fit). mem='huge' uses hugepages (dpdk-socket-mem=MB).

Which librte_vhost.so.23: 'vhostpath' runs ovs-vswitchd with
LD_LIBRARY_PATH=lib_dir (default BUILD/lib/rte_vhost_compat, BUILD from
VHP_BUILD_DIR or <repo>/build; VHP_VHOST_LIB_DIR overrides), 'dpdk' with the
stock one (any LD_LIBRARY_PATH entry holding another librte_vhost.so.23 is
removed). After every start of ovs-vswitchd, /proc/PID/maps must show the
requested file, or start fails.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

VSWITCHD = '/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk'
SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'
VHOST_SONAME = 'librte_vhost.so.23'
STATE_FILE = 'vhp-ovs.json'
TOOLS = ('ovsdb-tool', 'ovsdb-server', 'ovs-vsctl', 'ovs-appctl', 'ovs-ofctl')
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))


class OvsError(Exception):
    pass


# --------------------------------------------------------------------------
# Installation and library checks

def vswitchd_path():
    return os.environ.get('VHP_OVS_VSWITCHD', VSWITCHD)


def ovs_missing():
    """None when OVS-DPDK is usable here, else a one-line reason."""
    exe = vswitchd_path()
    if not os.access(exe, os.X_OK):
        return '%s not found (apt-get install openvswitch-switch-dpdk, or usertools/vhp-deps)' % exe
    for t in TOOLS:
        if not shutil.which(t):
            return '%s not found (apt-get install openvswitch-switch)' % t
    if not os.path.exists(SCHEMA):
        return '%s not found' % SCHEMA
    return None


def build_dir():
    d = os.environ.get('VHP_BUILD_DIR') or os.path.join(REPO, 'build')
    return os.path.abspath(d)


def default_lib_dir():
    """Where our librte_vhost.so.23 is built (VHP_VHOST_LIB_DIR overrides)."""
    d = os.environ.get('VHP_VHOST_LIB_DIR')
    if d:
        return os.path.abspath(d)
    return os.path.join(build_dir(), 'lib', 'rte_vhost_compat')


def vhost_lib_kind():
    """VHP_VHOST_LIB: 'vhostpath' (default) or 'dpdk'."""
    k = os.environ.get('VHP_VHOST_LIB', 'vhostpath')
    if k not in ('vhostpath', 'dpdk'):
        raise OvsError('VHP_VHOST_LIB=%r: want vhostpath or dpdk' % k)
    return k


def ours_path(lib_dir):
    return os.path.join(lib_dir, VHOST_SONAME)


def ours_missing(lib_dir):
    p = ours_path(lib_dir)
    if not os.path.exists(p):
        return ('%s not built (ninja -C BUILD builds lib/rte_vhost_compat; '
                'or VHP_VHOST_LIB_DIR=DIR)' % p)
    return None


def stock_vhost_lib():
    """Real path of the system's librte_vhost.so.23 (what ld.so finds without
    LD_LIBRARY_PATH)."""
    try:
        out = subprocess.run(['ldconfig', '-p'], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=10).stdout.decode()
        for line in out.splitlines():
            m = re.match(r'\s*(\S+) \(([^)]*)\) => (\S+)', line)
            if m and m.group(1) == VHOST_SONAME and 'x86-64' in m.group(2):
                return os.path.realpath(m.group(3))
    except (OSError, subprocess.SubprocessError):
        pass
    for d in ('/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib'):
        p = os.path.join(d, VHOST_SONAME)
        if os.path.exists(p):
            return os.path.realpath(p)
    return None


def expected_vhost_lib(kind, lib_dir=None):
    if kind == 'dpdk':
        return stock_vhost_lib()
    return os.path.realpath(ours_path(lib_dir or default_lib_dir()))


def vhost_env(kind, lib_dir=None, base=None):
    """Environment for a process that must load the @kind librte_vhost."""
    env = dict(os.environ if base is None else base)
    stock = stock_vhost_lib()
    paths = [p for p in env.get('LD_LIBRARY_PATH', '').split(':') if p]
    if kind == 'dpdk':
        keep = []
        for p in paths:
            cand = os.path.join(p, VHOST_SONAME)
            if os.path.exists(cand) and os.path.realpath(cand) != stock:
                continue        # another librte_vhost.so.23 (ours): drop
            keep.append(p)
        paths = keep
    else:
        d = os.path.abspath(lib_dir or default_lib_dir())
        paths = [d] + [p for p in paths if os.path.abspath(p) != d]
    if paths:
        env['LD_LIBRARY_PATH'] = ':'.join(paths)
    else:
        env.pop('LD_LIBRARY_PATH', None)
    return env


def loaded_vhost_lib(pid):
    """The librte_vhost.so.23 file mapped by process @pid (None if none)."""
    try:
        with open('/proc/%d/maps' % pid) as f:
            for line in f:
                parts = line.split(None, 5)
                if len(parts) == 6:
                    path = parts[5].strip()
                    if os.path.basename(path).startswith(VHOST_SONAME):
                        return path
    except OSError:
        return None
    return None


def check_vhost_lib(pid, kind, lib_dir=None, what='process'):
    """Raise OvsError unless @pid mapped the requested library; return its path."""
    want = expected_vhost_lib(kind, lib_dir)
    got = loaded_vhost_lib(pid)
    if got is None:
        raise OvsError('%s %d has no %s mapped' % (what, pid, VHOST_SONAME))
    if want is None or os.path.realpath(got.replace(' (deleted)', '')) != want:
        raise OvsError('%s %d loaded %s, not the %s library %s'
                       % (what, pid, got, kind, want))
    return got


# --------------------------------------------------------------------------
# Processes

def pid_alive(pid):
    """True if @pid exists and is not a zombie (the daemons are detached:
    their parent may be an init that does not reap)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rfind(')') + 2:][:1] not in ('Z', 'X', '')


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def stop_pid(pid, grace=10.0, sig=signal.SIGTERM):
    """Signal @pid, wait for it to go, SIGKILL after @grace seconds."""
    if not pid or not pid_alive(pid):
        return True
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return True
    end = time.monotonic() + grace
    while time.monotonic() < end:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    end = time.monotonic() + 5
    while time.monotonic() < end:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


def _mask(cpu):
    return '0x%x' % (1 << int(cpu))


def parse_ovs_map(text):
    """'{a=1, b="x y"}' -> {'a': 1, 'b': 'x y'} (numbers as int)."""
    text = text.strip()
    if text.startswith('{'):
        text = text[1:-1]
    out = {}
    for m in re.finditer(r'("(?:[^"\\]|\\.)*"|[^=,\s]+)=("(?:[^"\\]|\\.)*"|[^,]*)', text):
        k = m.group(1).strip('"')
        v = m.group(2).strip().strip('"')
        out[k] = int(v) if re.fullmatch(r'-?\d+', v) else v
    return out


def parse_pmd_stats(text):
    """dpif-netdev/pmd-stats-show -> {'pmd c1': {...}, 'main': {...}}.
    Values: numbers; 'avg processing cycles per packet' etc. as floats;
    'idle cycles'/'processing cycles' as ints (their percentage under
    '<key> %')."""
    res = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r'pmd thread numa_id (\d+) core_id (\d+):', line)
        if m:
            cur = res.setdefault('pmd c%s' % m.group(2), {'numa': int(m.group(1)),
                                                          'core': int(m.group(2))})
            continue
        if re.match(r'main thread:', line):
            cur = res.setdefault('main', {})
            continue
        m = re.match(r'\s+([^:]+):\s+([-\d.]+)(?:\s+\(([\d.]+)%\))?', line)
        if m and cur is not None:
            v = m.group(2)
            cur[m.group(1).strip()] = float(v) if '.' in v else int(v)
            if m.group(3):
                cur[m.group(1).strip() + ' %'] = float(m.group(3))
    return res


def parse_dpctl_stats(text):
    """dpctl/show -s -> {port name: {'rx_packets', 'rx_bytes', 'rx_errors',
    'rx_dropped', 'tx_packets', 'tx_bytes', 'tx_errors', 'tx_dropped'}} for
    ports whose statistics could be read (vhost ports report none while no
    front-end is connected)."""
    res = {}
    blocks = re.split(r'\n\s*port (\d+): ', '\n' + text)
    for i in range(1, len(blocks) - 1, 2):
        body = blocks[i + 1]
        name = body.split()[0]
        if 'could not retrieve stats' in body.split('\n')[0] and 'RX packets' not in body:
            continue
        st = {}
        for d in ('RX', 'TX'):
            m = re.search(d + r' packets:(\d+) errors:(\S+) dropped:(\S+)', body)
            if m:
                num = [int(x) if x.isdigit() else None for x in m.groups()]
                st[d.lower() + '_packets'] = num[0]
                st[d.lower() + '_errors'] = num[1]       # None: '?' (not counted)
                st[d.lower() + '_dropped'] = num[2]
            m = re.search(d + r' bytes:(\d+)', body)
            if m:
                st[d.lower() + '_bytes'] = int(m.group(1))
        if st:
            res[name] = st
    return res


# --------------------------------------------------------------------------

class Ovs:
    """One private ovsdb-server + ovs-vswitchd-dpdk, everything under .dir."""

    def __init__(self, dir=None, ports=2, vhost_lib=None, lib_dir=None,
                 pmd_cpu=1, lcore_cpu=0, mem='nohuge', mem_mb=1024,
                 flows='pairs', bridge='br0', prefix=None, dbg=False,
                 vswitchd=None, other_config=None, extra_env=None):
        if vhost_lib is None:
            vhost_lib = vhost_lib_kind()
        if vhost_lib not in ('vhostpath', 'dpdk'):
            raise OvsError('vhost_lib %r: want vhostpath or dpdk' % vhost_lib)
        if mem not in ('nohuge', 'huge'):
            raise OvsError('mem %r: want nohuge or huge' % mem)
        if flows not in ('pairs', 'normal', 'none'):
            raise OvsError('flows %r: want pairs, normal or none' % flows)
        self.created = dir is None
        self.dir = os.path.abspath(dir) if dir else tempfile.mkdtemp(prefix='vhp-ovs-', dir='/tmp')
        self.cfg = {
            'ports': int(ports), 'vhost_lib': vhost_lib,
            'lib_dir': os.path.abspath(lib_dir or default_lib_dir()),
            'pmd_cpu': int(pmd_cpu), 'lcore_cpu': int(lcore_cpu),
            'mem': mem, 'mem_mb': int(mem_mb), 'flows': flows, 'bridge': bridge,
            'prefix': prefix or 'vhpovs%d_%s' % (os.getpid(), os.path.basename(self.dir)[-8:]),
            'dbg': bool(dbg), 'vswitchd': vswitchd or vswitchd_path(),
            'other_config': dict(other_config or {}),
            'extra_env': dict(extra_env or {}),
            'created': self.created, 'port_names': [],
        }
        self.log_lines = []

    # ---- persistence ----------------------------------------------------
    def save(self):
        with open(os.path.join(self.dir, STATE_FILE), 'w') as f:
            json.dump(self.cfg, f, indent=1)

    @classmethod
    def load(cls, dir):
        d = os.path.abspath(dir)
        try:
            with open(os.path.join(d, STATE_FILE)) as f:
                cfg = json.load(f)
        except (OSError, ValueError) as e:
            raise OvsError('%s: not a vhp-ovs directory (%s)' % (d, e))
        o = cls.__new__(cls)
        o.dir = d
        o.cfg = cfg
        o.created = cfg.get('created', False)
        o.log_lines = []
        return o

    # ---- paths ----------------------------------------------------------
    def path(self, name):
        return os.path.join(self.dir, name)

    @property
    def db(self):
        return 'unix:' + self.path('db.sock')

    @property
    def bridge(self):
        return self.cfg['bridge']

    @property
    def vhost_lib(self):
        return self.cfg['vhost_lib']

    @property
    def lib_dir(self):
        return self.cfg['lib_dir']

    @property
    def prefix(self):
        return self.cfg['prefix']

    def port_name(self, i):
        return 'vhu%d' % i

    def sock(self, i):
        return self.path('vhu%d.sock' % i)

    def vswitchd_pid(self):
        p = read_pid(self.path('vswitchd.pid'))
        return p if p and pid_alive(p) else None

    def ovsdb_pid(self):
        p = read_pid(self.path('ovsdb.pid'))
        return p if p and pid_alive(p) else None

    def env(self):
        e = vhost_env(self.vhost_lib, self.lib_dir)
        for k in ('OVS_RUNDIR', 'OVS_LOGDIR', 'OVS_DBDIR'):
            e[k] = self.dir
        return e

    def vswitchd_env(self):
        """env() plus extra_env (e.g. LD_AUDIT or LD_PRELOAD for tracing):
        for ovs-vswitchd only, not for the ovs-* tools."""
        e = self.env()
        e.update(self.cfg.get('extra_env', {}))
        return e

    # ---- command helpers ------------------------------------------------
    def _run(self, cmd, timeout=30, check=True, env=None):
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env or self.env(), timeout=timeout)
        out = r.stdout.decode('utf-8', 'replace')
        err = r.stderr.decode('utf-8', 'replace')
        if check and r.returncode != 0:
            raise OvsError('%s: rc %d: %s' % (' '.join(cmd), r.returncode,
                                              (err or out).strip()[-2000:]))
        return out

    def vsctl(self, *args, wait=True, timeout=20, check=True):
        cmd = ['ovs-vsctl', '--db=' + self.db, '--timeout=%d' % timeout]
        if not wait or not self.vswitchd_pid():
            cmd.append('--no-wait')
        return self._run(cmd + list(args), timeout=timeout + 5, check=check)

    def ofctl(self, *args, timeout=20):
        return self._run(['ovs-ofctl', '--timeout=%d' % timeout] + list(args),
                         timeout=timeout + 5)

    def mgmt(self):
        return 'unix:' + self.path(self.bridge + '.mgmt')

    def appctl(self, *args, timeout=20, target='vswitchd.ctl', check=True):
        return self._run(['ovs-appctl', '--timeout=%d' % timeout, '-t', self.path(target)]
                         + list(args), timeout=timeout + 5, check=check)

    # ---- lifecycle ------------------------------------------------------
    def start(self, quiet=True):
        miss = ovs_missing()
        if miss:
            raise OvsError(miss)
        if self.vhost_lib == 'vhostpath':
            miss = ours_missing(self.lib_dir)
            if miss:
                raise OvsError(miss)
        os.makedirs(self.dir, exist_ok=True)
        if self.ovsdb_pid() or self.vswitchd_pid():
            raise OvsError('%s: an instance is already running there' % self.dir)
        self.save()
        self.start_ovsdb()
        c = self.cfg
        extra = '--no-pci --file-prefix=%s' % c['prefix']
        conf = ['other_config:dpdk-init=true',
                'other_config:dpdk-lcore-mask=%s' % _mask(c['lcore_cpu']),
                'other_config:pmd-cpu-mask=%s' % _mask(c['pmd_cpu']),
                'other_config:per-port-memory=true',
                'other_config:stats-update-interval=5000']
        if c['mem'] == 'nohuge':
            extra += ' --no-huge -m %d --legacy-mem' % c['mem_mb']
        else:
            conf.append('other_config:dpdk-socket-mem=%d' % c['mem_mb'])
        conf.append('other_config:dpdk-extra=%s' % extra)
        conf += ['other_config:%s=%s' % kv for kv in c['other_config'].items()]
        self.vsctl('init', wait=False)
        self.vsctl('set', 'Open_vSwitch', '.', *conf, wait=False)
        self.start_vswitchd()
        self.vsctl('add-br', self.bridge, '--', 'set', 'bridge', self.bridge,
                   'datapath_type=netdev')
        for i in range(c['ports']):
            self.add_port(i, flows=False)
        self.set_flows()
        self.save()
        return self

    def start_ovsdb(self):
        for f in ('conf.db', '.conf.db.~lock~'):
            try:
                os.unlink(self.path(f))
            except OSError:
                pass
        self._run(['ovsdb-tool', 'create', self.path('conf.db'), SCHEMA])
        self._run(['ovsdb-server', '--remote=punix:' + self.path('db.sock'),
                   '--pidfile=' + self.path('ovsdb.pid'),
                   '--unixctl=' + self.path('ovsdb.ctl'), '--detach',
                   '--log-file=' + self.path('ovsdb.log'), '-vconsole:off',
                   self.path('conf.db')])
        end = time.monotonic() + 10
        while not os.path.exists(self.path('db.sock')):
            if time.monotonic() > end:
                raise OvsError('ovsdb-server did not create %s' % self.path('db.sock'))
            time.sleep(0.05)

    def start_vswitchd(self, timeout=60):
        """Start ovs-vswitchd-dpdk (the database is configured); return its
        pid once /proc/PID/maps shows the requested librte_vhost.so.23."""
        if self.vswitchd_pid():
            raise OvsError('ovs-vswitchd already running (pid %d)' % self.vswitchd_pid())
        c = self.cfg
        cmd = [c['vswitchd'], self.db, '--pidfile=' + self.path('vswitchd.pid'),
               '--unixctl=' + self.path('vswitchd.ctl'), '--detach',
               '--log-file=' + self.path('vswitchd.log'), '-vconsole:off']
        if c.get('dbg'):
            cmd += ['-vnetdev_dpdk:file:dbg', '-vdpdk:file:dbg']
        with open(self.path('vswitchd.out'), 'ab') as out:
            r = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                               env=self.vswitchd_env(), timeout=timeout)
        pid = self.vswitchd_pid()
        if r.returncode != 0 or not pid:
            raise OvsError('ovs-vswitchd did not start (rc %s); end of %s:\n%s'
                           % (r.returncode, self.path('vswitchd.log'),
                              self.log_tail(20)))
        end = time.monotonic() + 10
        while not os.path.exists(self.path('vswitchd.ctl')):
            if time.monotonic() > end:
                raise OvsError('ovs-vswitchd did not create its unixctl socket')
            time.sleep(0.05)
        self.loaded = check_vhost_lib(pid, self.vhost_lib, self.lib_dir, 'ovs-vswitchd')
        return pid

    def kill_vswitchd(self, sig=signal.SIGKILL, timeout=10):
        """Signal ovs-vswitchd (SIGKILL: no clean-up at all) and wait until
        it is gone."""
        pid = self.vswitchd_pid()
        if not pid:
            return None
        os.kill(pid, sig)
        end = time.monotonic() + timeout
        while pid_alive(pid):
            if time.monotonic() > end:
                raise OvsError('ovs-vswitchd %d still alive %ds after signal %d'
                               % (pid, timeout, sig))
            time.sleep(0.02)
        return pid

    def stop(self, remove=None):
        """Stop both daemons (by their pidfiles), remove the EAL runtime
        directory; remove the directory if we created it (or @remove)."""
        ok = stop_pid(read_pid(self.path('vswitchd.pid')), grace=15)
        ok = stop_pid(read_pid(self.path('ovsdb.pid')), grace=5) and ok
        for base in ('/var/run/dpdk', '/run/user/%d/dpdk' % os.getuid()):
            shutil.rmtree(os.path.join(base, self.prefix), ignore_errors=True)
        if remove is None:
            remove = self.cfg.get('created', False) and not os.environ.get('VHP_IT_KEEP')
        if remove:
            shutil.rmtree(self.dir, ignore_errors=True)
        return ok

    # ---- ports and flows ------------------------------------------------
    def add_port(self, i, flows=True):
        name = self.port_name(i)
        self.vsctl('add-port', self.bridge, name, '--', 'set', 'Interface', name,
                   'type=dpdkvhostuserclient', 'options:vhost-server-path=' + self.sock(i),
                   'ofport_request=%d' % (i + 1))
        if name not in self.cfg['port_names']:
            self.cfg['port_names'].append(name)
        self.cfg['ports'] = max(self.cfg['ports'], i + 1)
        if flows:
            self.set_flows()
        return name

    def del_port(self, i):
        self.vsctl('del-port', self.bridge, self.port_name(i))

    def flow_list(self):
        if self.cfg['flows'] != 'pairs':
            return []
        n = self.cfg['ports']
        out = []
        for a in range(1, n, 2):
            out.append('in_port=%d,actions=output:%d' % (a, a + 1))
            out.append('in_port=%d,actions=output:%d' % (a + 1, a))
        return out

    def set_flows(self):
        """pairs: OpenFlow port 1 <-> 2, 3 <-> 4, ... and nothing else;
        normal: the default NORMAL (learning switch); none: leave as is."""
        mode = self.cfg['flows']
        if mode == 'none':
            return
        self.ofctl('del-flows', self.mgmt())
        flows = self.flow_list() if mode == 'pairs' else ['priority=0,actions=NORMAL']
        for fl in flows:
            self.ofctl('add-flow', self.mgmt(), fl)

    def dump_flows(self):
        return self.ofctl('dump-flows', self.mgmt())

    # ---- state and statistics -------------------------------------------
    def iface(self, name, column):
        return self.vsctl('get', 'Interface', name, column, wait=False).strip()

    def link_state(self, name):
        return self.iface(name, 'link_state').strip('"')

    def iface_status(self, name):
        return parse_ovs_map(self.iface(name, 'status'))

    def iface_stats(self, name):
        """The Interface statistics column: OVS's counters and, while a
        front-end is connected, the library's per-queue counters
        (rx_q0_good_packets, ...). ovs-vswitchd refreshes it every 5 s."""
        return parse_ovs_map(self.iface(name, 'statistics'))

    def live_stats(self):
        """Port counters read now from the datapath (dpctl/show -s)."""
        return parse_dpctl_stats(self.appctl('dpctl/show', '-s'))

    def wait_link(self, name, state='up', timeout=30):
        """Wait for the port's link_state; for 'up' also for the running
        ovs-vswitchd to report the port's counters (dpctl/show -s: only
        while its vhost device is running), since after a restart the
        database still holds the killed process's link_state."""
        end = time.monotonic() + timeout
        while True:
            if not self.vswitchd_pid():
                raise OvsError('ovs-vswitchd died while waiting for %s link %s\n%s'
                               % (name, state, self.log_tail(30)))
            try:
                if self.link_state(name) == state and (
                        state != 'up' or name in self.live_stats()):
                    return
            except OvsError:
                pass
            if time.monotonic() > end:
                raise OvsError('%s: link_state not %s after %ds (status %s)'
                               % (name, state, timeout, self.iface(name, 'status')))
            time.sleep(0.1)

    def pmd_stats_text(self):
        return self.appctl('dpif-netdev/pmd-stats-show')

    def pmd_stats(self):
        return parse_pmd_stats(self.pmd_stats_text())

    def pmd_stats_clear(self):
        self.appctl('dpif-netdev/pmd-stats-clear')

    def pmd(self):
        """The stats of our one PMD thread."""
        st = self.pmd_stats()
        return st.get('pmd c%d' % self.cfg['pmd_cpu'], {})

    def log_tail(self, n=40, name='vswitchd.log'):
        try:
            with open(self.path(name), 'rb') as f:
                lines = f.read().decode('utf-8', 'replace').splitlines()
        except OSError:
            return ''
        return '\n'.join(lines[-n:])

    def status(self):
        """A dict for humans and tests: pids, library, ports and links."""
        vp = self.vswitchd_pid()
        st = {'dir': self.dir, 'ovsdb_pid': self.ovsdb_pid(), 'vswitchd_pid': vp,
              'vhost_lib': self.vhost_lib, 'file_prefix': self.prefix,
              'loaded': loaded_vhost_lib(vp) if vp else None,
              'expected': expected_vhost_lib(self.vhost_lib, self.lib_dir),
              'ports': {}}
        if st['ovsdb_pid']:
            try:
                names = self.vsctl('list-ports', self.bridge, wait=False).split()
            except OvsError:
                names = self.cfg.get('port_names', [])
            for name in names:
                try:
                    st['ports'][name] = {'link_state': self.link_state(name),
                                         'status': self.iface_status(name),
                                         'socket': self.iface(name, 'options:vhost-server-path').strip('"')}
                except OvsError as e:
                    st['ports'][name] = {'error': str(e).splitlines()[0]}
        return st

    def dump(self, tail=60):
        """Failure diagnostics (the test harness calls dump() on tracked objects)."""
        print('----- ovs-vswitchd log (last %d lines of %s) -----'
              % (tail, self.path('vswitchd.log')))
        for line in self.log_tail(tail).splitlines():
            print('  ' + line)
        print('-----', flush=True)
