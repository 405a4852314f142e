#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Two Linux guests (QEMU 7.2 or 10, TCG, busybox initramfs, Linux
virtio-net driver) on two ports of Debian's unmodified Open vSwitch with
DPDK, which runs on our librte_vhost.so.23 (the NFV switch case end to
end); VHP_VHOST_LIB=dpdk runs the same test on DPDK's own library, to
check the test itself.

Set-up: a private OVS (test/integration/ovs_harness.py: its own database,
directory and EAL file prefix; PMD thread on CPU 1, EAL main lcore on
CPU 0) with a netdev bridge, two dpdkvhostuserclient ports vhu0 and vhu1
(OVS is the vhost-user client) and the OpenFlow flows port 1 <-> port 2
and nothing else. /proc/PID/maps of ovs-vswitchd must show the library
asked for (ours: BUILD/lib/rte_vhost_compat/librte_vhost.so.23.*). Then
two QEMUs on CPU 0, each owning the socket of one port
(`-chardev socket,...,server=on,wait=off`, vhp-guest --server): guestA
10.0.0.2/24 on vhu0, guestB 10.0.0.3/24 on vhu1.

Checks:
- both guests boot with eth0 configured, both OVS links come up;
- ping both ways (ARP and ICMP through OVS), every reply arrives;
- TCP (busybox nc): guestA writes deterministic data (14 numbered
  copies of `seq 1 100000`, 8244731 bytes, whose size and md5 the test
  computes itself), sends it to guestB;
  the md5 and size on both ends equal the expected ones; then the same
  the other way (guestB's received file back to guestA), so each port
  carries the bulk once in each direction;
- OVS and the guests agree: OVS's live port counters (dpctl/show -s),
  once still, have vhu0 rx == guestA's eth0 tx_packets, vhu1 rx ==
  guestB's, every frame OVS sent was received (guest rx_packets == OVS
  tx_packets), and since both links were up vhu1 tx + tx_dropped == vhu0
  rx and the reverse (the flows send everything across; a frame sent
  before the other port is up counts in that port's tx_dropped, which
  OVS zeroes when the port comes up);
- the Interface statistics column (refreshed every 5 s) of both ports
  shows the transfers: rx_bytes and tx_bytes >= the data, and the
  library's per-queue counters (rx_q0_good_*, tx_q0_good_*) equal OVS's
  own rx_* / tx_*;
- ovs-vswitchd is the same process throughout (no crash), still maps the
  library asked for; both guests power off, both links go down;
- clean-up: OVS stopped (pidfiles' processes gone), the QEMUs gone, the
  sockets and the EAL runtime directory removed.
The OVS log's warnings and errors, and the vhost lines of the library,
are printed (not judged) for the report.

Cases (argv[1]): split (registered in test/guest/meson.build as
guest-q72-ovs-guests and guest-q10-ovs-guests), packed (the guests'
virtio-net with packed=on; run by hand).

Skips (77) when QEMU or a guest kernel is missing (guest_harness), when
OVS-DPDK is not installed, or (VHP_VHOST_LIB=vhostpath, the default) our
library is not built (VHP_BUILD_DIR/lib/rte_vhost_compat). One OVS with a
netdev datapath per host: while another has the tap ovs-netdev open, the
test waits up to 120 s, then fails saying so.
"""

import hashlib
import os
import re
import sys
import time

import guest_harness as G

H = G.H
check = G.check
log = G.log

import ovs_harness as oh  # noqa: E402  (test/integration, on sys.path via G)

PORTS = ('vhu0', 'vhu1')
# The data: BLOCKS blocks, each a header line 'block I of BLOCKS' and the
# output of `seq 1 SEQ_N` (588895 bytes): 8244731 bytes. Busybox's seq
# writes about 25000 lines/s under TCG, cat is fast: one seq, many cats.
SEQ_N = 100000
BLOCKS = 14
GEN = ('seq 1 %d > /tmp/base && i=1 && while [ $i -le %d ]; do '
       'echo "block $i of %d"; cat /tmp/base; i=$((i + 1)); done > /tmp/f; '
       'rc=$?; rm -f /tmp/base; [ $rc = 0 ] && echo written'
       % (SEQ_N, BLOCKS, BLOCKS))
TCP_PORT = 5001
BOOT_TIMEOUT = 240      # two TCG guests booting at once on one shared CPU
XFER_TIMEOUT = 300
F_RING_PACKED = 34
# names for the log (vhp_harness.FEATURE_NAMES has the common ones)
MORE_NAMES = {9: 'GUEST_ECN', 10: 'GUEST_UFO', 13: 'HOST_ECN',
              14: 'HOST_UFO', 21: 'GUEST_ANNOUNCE'}
OURS_RE = re.compile(r'/build[^/]*/lib/rte_vhost_compat/librte_vhost\.so\.23(\.\d+)*$')


def expected_data():
    base = ''.join('%d\n' % i for i in range(1, SEQ_N + 1))
    data = ''.join('block %d of %d\n%s' % (i, BLOCKS, base)
                   for i in range(1, BLOCKS + 1)).encode()
    return len(data), hashlib.md5(data).hexdigest()


def netdev_tap_holders():
    """Pids of the processes that have the tap ovs-netdev open."""
    pids = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            fds = os.listdir('/proc/%s/fdinfo' % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                with open('/proc/%s/fdinfo/%s' % (pid, fd)) as f:
                    if 'iff:\tovs-netdev\n' in f.read():
                        pids.append(int(pid))
                        break
            except OSError:
                continue
    return pids


def wait_other_ovs(timeout=120):
    """The userspace (netdev) datapath of every OVS opens the (persistent)
    tap ovs-netdev; while one OVS has it open, a second one cannot
    ('ovs-netdev: creating tap device failed: Device or resource busy',
    'failed to create bridge br0'). Wait a while for another instance (a
    benchmark, a test of another build) to go, then fail with that
    reason."""
    pids = netdev_tap_holders()
    if not pids:
        return
    log('another OVS with a netdev datapath runs on this host (pid %s has '
        'the tap ovs-netdev open): waiting up to %ds for it to stop'
        % (', '.join(map(str, pids)), timeout))
    end = time.monotonic() + timeout
    while pids:
        if time.monotonic() > end:
            raise G.TestFailure('pid %s still has the tap ovs-netdev open '
                                'after %ds: a second OVS with a netdev '
                                'datapath cannot create its bridge'
                                % (', '.join(map(str, pids)), timeout))
        time.sleep(1)
        pids = netdev_tap_holders()
    log('the other OVS is gone')


def skip_if_missing(kind):
    miss = oh.ovs_missing()
    if not miss and kind == 'vhostpath':
        miss = oh.ours_missing(oh.default_lib_dir())
    if miss:
        print('SKIP: ' + miss, flush=True)
        sys.exit(H.SKIP)


def md5_size(g, path):
    """(size, md5) of @path in guest @g."""
    out = g.sh_ok('wc -c < %s; md5sum %s' % (path, path), timeout=120)
    m = re.search(r'^\s*(\d+)\s*$', out, re.M)
    h = re.search(r'\b([0-9a-f]{32})\s+' + re.escape(path), out)
    if not m or not h:
        raise G.TestFailure('%s: no size/md5 of %s in:\n%s' % (g.name, path,
                                                              out[-1000:]))
    return int(m.group(1)), h.group(1)


def eth0_stats(g):
    out = g.sh_ok('cd /sys/class/net/eth0/statistics && '
                  'for f in rx_packets tx_packets rx_bytes tx_bytes '
                  'rx_dropped tx_dropped rx_errors tx_errors; do '
                  'echo "$f=$(cat $f)"; done; cd /root')
    return {k: int(v) for k, v in re.findall(r'^(\w+)=(\d+)\s*$', out, re.M)}


def transfer(src, dst, src_file, dst_ip, size, md5, what):
    """nc @src_file of @src to @dst (into /tmp/rx): size and md5 checked at
    both ends against the expected ones; returns the seconds it took."""
    s_size, s_md5 = md5_size(src, src_file)
    check(s_size == size and s_md5 == md5,
          '%s: sender %s has the expected data in %s (%d bytes, md5 %s)'
          % (what, src.name, src_file, s_size, s_md5))
    dst.sh_ok('rm -f /tmp/rx; nc -l -p %d > /tmp/rx &' % TCP_PORT)
    dst.sh_ok('sleep 0.5')
    t0 = time.monotonic()
    src.sh_ok('nc %s %d < %s' % (dst_ip, TCP_PORT, src_file),
              timeout=XFER_TIMEOUT)
    dst.sh_ok('wait', timeout=120)
    dt = time.monotonic() - t0
    r_size, r_md5 = md5_size(dst, '/tmp/rx')
    log('%s: %d bytes in %.1fs (%.2f MB/s)' % (what, r_size, dt,
                                               r_size / dt / 1e6))
    check(r_size == size,
          '%s: receiver %s got %d bytes (sent %d)' % (what, dst.name, r_size,
                                                     size))
    check(r_md5 == md5,
          '%s: md5 equal at both ends and as expected (%s)' % (what, r_md5))
    return dt


def tcp_snmp(g):
    rows = [l.split()[1:] for l in g.sh_ok('grep ^Tcp: /proc/net/snmp')
            .splitlines() if l.startswith('Tcp:')]
    return dict(zip(rows[0], rows[1])) if len(rows) == 2 else {}


def live_still(ovs, timeout=30.0):
    """OVS's live port counters once two reads 0.5 s apart are equal (the
    guests are idle; the CPUs are shared, frames may still be in flight)."""
    prev = None
    end = time.monotonic() + timeout
    while True:
        cur = ovs.live_stats()
        if all(p in cur for p in PORTS) and cur == prev:
            return cur
        if time.monotonic() > end:
            log('OVS live counters still moving after %.0fs' % timeout)
            return cur
        prev = cur
        time.sleep(0.5)


def counters_agree(ovs, ga, gb, moved, base):
    """Guests' eth0 counters and OVS's live counters, then the Interface
    statistics column (OVS's and the library's counters)."""
    guests = {'vhu0': ga, 'vhu1': gb}
    # the guests are idle now; a frame sent meanwhile (IPv6 MLD/ND) moves
    # the counters: read until guests and OVS agree on two rounds
    end = time.monotonic() + 40
    while True:
        live = live_still(ovs)
        gst = {p: eth0_stats(g) for p, g in guests.items()}
        live2 = ovs.live_stats()
        if live2 == live and all(
                gst[p]['tx_packets'] == live[p]['rx_packets'] and
                gst[p]['rx_packets'] == live[p]['tx_packets'] for p in PORTS):
            break
        if time.monotonic() > end:
            break
        time.sleep(1)
    for p in PORTS:
        log('%s: OVS live %s' % (p, live[p]))
        log('%s: guest %s eth0 %s' % (p, guests[p].name, gst[p]))
    for p in PORTS:
        g = guests[p]
        check(gst[p]['tx_packets'] == live[p]['rx_packets'],
              'OVS %s rx_packets %d == %s eth0 tx_packets %d'
              % (p, live[p]['rx_packets'], g.name, gst[p]['tx_packets']))
        check(gst[p]['rx_packets'] == live[p]['tx_packets'],
              '%s eth0 rx_packets %d == OVS %s tx_packets %d'
              % (g.name, gst[p]['rx_packets'], p, live[p]['tx_packets']))
    # since both ports were up (before, a frame to a port not up yet is
    # counted in its tx_dropped, which OVS zeroes when the port comes up)
    d = {p: {k: (live[p][k] or 0) - (base[p].get(k) or 0)
             for k in ('rx_packets', 'tx_packets', 'tx_dropped')}
         for p in PORTS}
    for a, b in (('vhu0', 'vhu1'), ('vhu1', 'vhu0')):
        check(d[b]['tx_packets'] + d[b]['tx_dropped'] == d[a]['rx_packets'],
              'flows 1 <-> 2, since both links were up: OVS %s tx %d + '
              'dropped %d == %s rx %d' % (b, d[b]['tx_packets'],
                                          d[b]['tx_dropped'], a,
                                          d[a]['rx_packets']))
    for p in PORTS:
        check(live[p]['rx_bytes'] >= moved and live[p]['tx_bytes'] >= moved,
              'OVS %s live counters carry the data both ways (rx %d, tx %d '
              'bytes >= %d)' % (p, live[p]['rx_bytes'], live[p]['tx_bytes'],
                                moved))

    # the database column: refreshed every stats-update-interval (5 s)
    def fresh():
        snaps = {p: ovs.iface_stats(p) for p in PORTS}
        if all(snaps[p].get('rx_packets') == live[p]['rx_packets'] and
               snaps[p].get('tx_packets') == live[p]['tx_packets']
               for p in PORTS):
            return snaps
        return None
    try:
        snaps = H.wait_for(fresh, 20, 'the Interface statistics to show the '
                           'live counters', interval=0.5)
    except G.TestFailure:
        snaps = {p: ovs.iface_stats(p) for p in PORTS}
        raise G.TestFailure('Interface statistics not refreshed (live %s, '
                            'db %s)' % (live, snaps))
    for p in PORTS:
        st = snaps[p]
        log('%s Interface statistics: %s' % (p, {
            k: v for k, v in sorted(st.items())
            if not re.match(r'(rx|tx)_q0_(size|undersize|iotlb|inflight)', k)}))
        check(st['rx_bytes'] >= moved and st['tx_bytes'] >= moved,
              '%s Interface statistics show the transfer (rx %d, tx %d bytes)'
              % (p, st['rx_bytes'], st['tx_bytes']))
        check('rx_q0_good_packets' in st and 'tx_q0_good_packets' in st,
              '%s statistics have the library per-queue counters' % p)
        for dr in ('rx', 'tx'):
            for u in ('packets', 'bytes'):
                lib, own = st['%s_q0_good_%s' % (dr, u)], st['%s_%s' % (dr, u)]
                check(lib == own, '%s library %s_q0_good_%s %d == OVS %s_%s %d'
                      % (p, dr, u, lib, dr, u, own))
        check((st.get('rx_errors') or 0) == 0,
              '%s: no rx errors (%s)' % (p, st.get('rx_errors')))


def ovs_log_report(ovs):
    """Warnings/errors of ovs-vswitchd and the vhost lines, for the report."""
    try:
        with open(ovs.path('vswitchd.log'), 'rb') as f:
            lines = f.read().decode('utf-8', 'replace').splitlines()
    except OSError:
        return
    bad = [l for l in lines if re.search(r'\|(WARN|ERR|EMER)\|', l)]
    vh = [l for l in lines if re.search(r'vhost|VHOST', l)]
    log('ovs-vswitchd log: %d lines, %d WARN/ERR, %d vhost lines'
        % (len(lines), len(bad), len(vh)))
    for l in bad[-40:]:
        print('  [warn/err] ' + l)
    for l in vh[-40:]:
        print('  [vhost] ' + l)


def main(case):
    if case not in ('split', 'packed'):
        raise G.TestFailure('bad case %r (split|packed)' % case)
    packed = case == 'packed'
    kind = oh.vhost_lib_kind()
    skip_if_missing(kind)
    size, md5 = expected_data()
    wait_other_ovs()
    t_start = time.monotonic()

    ovs = oh.Ovs(dir=os.path.join(H.tmpdir(), 'ovs'), ports=2,
                 vhost_lib=kind, pmd_cpu=1, lcore_cpu=0, flows='pairs',
                 prefix=H.file_prefix('ovs'))
    H.on_cleanup(ovs.stop)
    H.track(ovs)
    try:
        ovs.start()
    except oh.OvsError as e:
        raise G.TestFailure('OVS start: %s' % e)
    vpid = ovs.vswitchd_pid()
    log('OVS up in %.1fs in %s; ovs-vswitchd %d maps %s (%s library)'
        % (time.monotonic() - t_start, ovs.dir, vpid, ovs.loaded, kind))
    check(os.path.realpath(ovs.loaded) == oh.expected_vhost_lib(kind, ovs.lib_dir),
          'ovs-vswitchd maps the %s library (%s)' % (kind, ovs.loaded))
    if kind == 'vhostpath':
        check(OURS_RE.search(ovs.loaded) is not None,
              'it is ours: build*/lib/rte_vhost_compat/librte_vhost.so.23 (%s)'
              % ovs.loaded)
    log('flows:\n' + ovs.dump_flows().strip())

    # OVS is the client: each QEMU listens on its port's socket
    ga = G.Guest(ovs.sock(0), '10.0.0.2/24', name='guestA', server=True,
                 packed=packed, mac='52:54:00:00:0b:02')
    gb = G.Guest(ovs.sock(1), '10.0.0.3/24', name='guestB', server=True,
                 packed=packed, mac='52:54:00:00:0b:03')
    t0 = time.monotonic()
    ga.wait_boot(timeout=BOOT_TIMEOUT)
    gb.wait_boot(timeout=BOOT_TIMEOUT)
    for p in PORTS:
        try:
            ovs.wait_link(p, 'up', timeout=60)
        except oh.OvsError as e:
            raise G.TestFailure(str(e))
        st = ovs.iface_status(p)
        log('%s status: %s' % (p, st))
        check(st.get('status') == 'connected' and st.get('mode') == 'client',
              '%s: OVS connected as the vhost-user client' % p)
        if 'features' in st:
            f = H.hex_int(st['features'])
            names = [MORE_NAMES.get(b, H.FEATURE_NAMES.get(b, 'bit%d' % b))
                     for b in range(64) if f >> b & 1]
            log('%s negotiated: %s' % (p, ' '.join(names)))
            check(bool(f >> F_RING_PACKED & 1) == packed,
                  '%s: %s ring negotiated' % (p, 'packed' if packed else 'split'))
    log('guests booted and links up in %.1fs' % (time.monotonic() - t0))
    base = live_still(ovs, timeout=10)
    log('OVS live counters with both links up: %s' % base)

    ga.ping('10.0.0.3', count=5, timeout=90)
    gb.ping('10.0.0.2', count=5, timeout=90)

    t0 = time.monotonic()
    out = ga.sh_ok(GEN, timeout=180)
    check('written' in out, 'guestA: deterministic data written (%.1fs)'
          % (time.monotonic() - t0))
    xfer = []
    xfer.append(transfer(ga, gb, '/tmp/f', '10.0.0.3', size, md5,
                         'TCP guestA -> guestB'))
    xfer.append(transfer(gb, ga, '/tmp/rx', '10.0.0.2', size, md5,
                         'TCP guestB -> guestA'))
    for g in (ga, gb):
        t = tcp_snmp(g)
        log('%s TCP: OutSegs %s RetransSegs %s InErrs %s' % (
            g.name, t.get('OutSegs'), t.get('RetransSegs'), t.get('InErrs')))

    counters_agree(ovs, ga, gb, size, base)
    log('OVS PMD: %s' % {k: v for k, v in ovs.pmd().items()
                         if k in ('packets received', 'packet recirculations',
                                  'avg. datapath passes per packet',
                                  'avg processing cycles per packet',
                                  'processing cycles %')})
    log('flows after:\n' + ovs.dump_flows().strip())

    check(ovs.vswitchd_pid() == vpid,
          'ovs-vswitchd %d ran throughout (now %s)' % (vpid, ovs.vswitchd_pid()))
    check(oh.loaded_vhost_lib(vpid) == ovs.loaded,
          'ovs-vswitchd still maps %s' % ovs.loaded)

    ga.poweroff(timeout=60)
    gb.poweroff(timeout=60)
    for p in PORTS:
        try:
            ovs.wait_link(p, 'down', timeout=30)
        except oh.OvsError as e:
            raise G.TestFailure(str(e))
        log('%s: link down after its guest powered off (%s)'
            % (p, ovs.iface_status(p).get('status')))
    check(ovs.vswitchd_pid() == vpid,
          'ovs-vswitchd %d survived both disconnections' % vpid)
    ovs_log_report(ovs)

    # clean-up, checked (the harness repeats it on failure)
    dbpid = ovs.ovsdb_pid()
    check(ovs.stop(remove=False), 'OVS stopped')
    check(not oh.pid_alive(vpid) and not oh.pid_alive(dbpid),
          'ovs-vswitchd %d and ovsdb-server %d gone' % (vpid, dbpid))
    for g in (ga, gb):
        check(g.p.poll() is not None, '%s: QEMU %d gone' % (g.name, g.p.pid))
    left = [s for s in (ovs.sock(0), ovs.sock(1)) if os.path.exists(s)]
    if left:
        log('sockets left by QEMU: %s (removed)' % left)
        for s in left:
            os.unlink(s)
    check(not os.path.exists('/var/run/dpdk/' + ovs.prefix),
          'EAL runtime directory /var/run/dpdk/%s removed' % ovs.prefix)
    log('transfers %s s; whole test %.1fs (QEMU %s, %s library)'
        % (', '.join('%.1f' % t for t in xfer), time.monotonic() - t_start,
           G.qemu_version_str(), kind))


if __name__ == '__main__':
    if len(sys.argv) != 2:
        print('usage: test_ovs_guests.py split|packed')
        sys.exit(2)
    G.run(lambda: main(sys.argv[1]))
