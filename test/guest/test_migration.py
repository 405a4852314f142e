#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""QEMU-to-QEMU live migration of a guest between vhost-user ports of one
vhp-testpmd (switch engine) while a second guest streams TCP data to it and
pings it (doc/migration.md, issue 13).

Cases (argv[1]):
  split | packed  the ring layout of every VM (virtio-net-pci packed=on)
  baseline        no vhost-user traffic at all: one VM writing memory is
                  migrated to a paused destination and the two RAMs are
                  compared. Not a vhostpath test: it tells whether the QEMU
                  in use migrates guest memory right under TCG (QEMU 7.2
                  does not when a migration needs several passes: run it
                  with VHP_MIG_DOWNTIME_MS=300). Not registered in meson.

Ports of the one vhp-testpmd (switch, MAC learning):
  port 0 (A)  the source VM, 10.0.0.2, MAC 52:54:00:00:0a:02, QMP socket
  port 1 (B)  the destination QEMU: the same vhp-guest arguments (kernel,
              initramfs, command line, devices, MAC, shared memfd RAM) plus
              `-incoming defer`; it connects to port B when it starts and
              `migrate-incoming tcp:127.0.0.1:PORT` (QMP) makes it listen
  port 2 (C)  the peer VM, 10.0.0.3

The peer streams a deterministic pattern with busybox nc to the migrating
guest, which writes it to /tmp/r (nc's stdin a fifo nobody writes to):
chunk N is "chunk N\\n" and `seq 1 20000`,
one every 0.05 s until /tmp/stop exists; and pings it every 0.1 s.

1. Live migration A -> B in the middle of the stream (QMP migrate on the
   source, query-migrate polled; max-bandwidth raised, downtime limit:
   migration_harness.migrate_params). The destination runs at once.
   Checks: the migration completes; port A logged "dirty-page logging on"
   (LOG_ALL negotiated; the JSON's dirty_logging, sampled every 0.2 s, is
   logged); source 'postmigrate', destination 'running'; port A stops,
   and disconnects when the source QEMU quits; port B runs with the
   source's features (LOG_ALL aside) and ring layout; the guest's shell
   answers on the destination's console with its MAC; the stream goes on
   through port B. Logged: the pings the peer lost during the migration
   (the downtime the network saw), QEMU's downtime and total time.
2. Migration back B -> A onto a new QEMU on port A started paused (-S):
   once completed both QEMUs are stopped and their RAM is compared page for
   page (pmemsave): every page the back-end wrote during the migration must
   have been marked in the dirty log, so no page may differ (a failure
   names the pages and whether they are rings, RX buffers or other pages);
   then the new QEMU runs (cont), port A runs again on its second
   connection and the stream goes on through it.
3. The stream is stopped: the received file has the size and md5 of the
   pattern sent; pings both ways are all answered; port B carried packets
   both ways; no protocol errors on any port; vhp-testpmd exits 0.
"""

import re
import sys
import time

import guest_harness as G
import migration_harness as M

H = G.H
check = G.check
log = G.log

MAC_A = '52:54:00:00:0a:02'
MAC_C = '52:54:00:00:0a:03'
IP_A, IP_C = '10.0.0.2', '10.0.0.3'
MEM_MB = 256
TCP_PORT = 5001
PING_INTERVAL = 0.1
LOG_ALL = 26

# the peer's shell functions: stream (paced, until /tmp/stop exists; then
# the chunk count in /tmp/n) and pattern N (the same bytes, unpaced)
STREAM_FN = ('stream() { i=0; while [ ! -e /tmp/stop ]; do echo "chunk $i";'
             ' cat /tmp/chunk; i=$((i+1)); sleep 0.05; done; echo $i > /tmp/n;'
             ' }')
PATTERN_FN = ('pattern() { i=0; while [ $i -lt $1 ]; do echo "chunk $i";'
              ' cat /tmp/chunk; i=$((i+1)); done; }')


def port_bytes(be, i, key):
    p = be.port(i)
    return G.qstats(p).get(key, 0) if p else 0


def wait_stream(be, i, what, more=2 << 20, timeout=90):
    """Wait until port @i sent @more bytes more to its guest."""
    base = port_bytes(be, i, 'tx_bytes')
    H.wait_for(lambda: port_bytes(be, i, 'tx_bytes') >= base + more, timeout,
               'the stream going on through port %d (%s)' % (i, what))
    log('stream through port %d: %d bytes sent to the guest so far'
        % (i, port_bytes(be, i, 'tx_bytes')))


def logging_lines(be, sock):
    return [l.strip() for l in H.read_log(be.p).splitlines()
            if 'dirty-page logging on' in l and sock in l]


def guest_answers(g):
    out = g.sh_ok('echo migrated-$((6*7)); cat /sys/class/net/eth0/address',
                  timeout=60)
    check('migrated-42' in out and MAC_A in out,
          '%s: the migrated guest answers on this QEMU\'s console (eth0 %s)'
          % (g.name, MAC_A))


def start_pings(peer):
    peer.sh_ok('ping -i %s %s > /tmp/ping.log 2>&1 & echo $! > /tmp/ping.pid'
               % (PING_INTERVAL, IP_A))


def stop_pings(peer):
    """Stop the peer's ping; (sent, answered, lost, longest gap, seconds)."""
    peer.sh_ok('kill -INT $(cat /tmp/ping.pid); sleep 0.5')
    out = peer.sh_ok("grep -o 'seq=[0-9]*' /tmp/ping.log | tr '\\n' ' '; "
                     "echo; tail -n 3 /tmp/ping.log", timeout=60)
    return M.ping_losses(out, PING_INTERVAL)


def main(ring):
    packed = ring == 'packed'
    params = M.migrate_params(G.qemu_version())
    log('migration parameters for QEMU %s: %s' % (G.qemu_version_str(),
                                                  params))
    sa, sb, sc = H.sock_path('mA'), H.sock_path('mB'), H.sock_path('mC')
    be = H.VhpBackend([sa, sb, sc], fwd='switch', name='vhp', period=0.2,
                      mem=H.EAL_NOHUGE + ['--main-lcore', '0',
                                          '--log-level=lib.vhostpath:debug'])
    H.track(be)
    be.wait_ready()
    vm = dict(mac=MAC_A, packed=packed, mem='%dM' % MEM_MB)

    src = M.MigGuest(sa, IP_A + '/24', name='src', **vm)
    peer = G.Guest(sc, IP_C + '/24', name='peer', mac=MAC_C, packed=packed,
                   mem='%dM' % MEM_MB)
    src.wait_boot()
    peer.wait_boot()
    for i in (0, 2):
        p = G.wait_running(be, i, 30, 'port %d running' % i)
        check(p.get('ring') == ring, 'port %d: %s ring' % (i, ring))
    feat_a = H.hex_int(be.port(0)['features'])
    log('port 0 features: %s' % ' '.join(H.feature_names(feat_a)))
    check(not feat_a >> LOG_ALL & 1, 'port 0: no LOG_ALL before the migration')
    src.ping(IP_C)
    peer.ping(IP_A)

    # the destination: the same arguments, -incoming defer, on port B
    dst = M.MigGuest(sb, IP_A + '/24', name='dst', incoming=True, **vm)
    M.wait_run_state(dst, ('inmigrate',), 30, 'destination waiting')
    be.wait_port(lambda p: p.get('connected'), 30,
                 'the destination QEMU connected to port 1', i=1)
    check(not be.port(1).get('running'),
          'port 1: connected, not running before the migration')

    # the stream and the pings
    peer.sh_ok('seq 1 20000 > /tmp/chunk; rm -f /tmp/stop /tmp/n /tmp/nc.rc')
    peer.sh_ok(STREAM_FN)
    peer.sh_ok(PATTERN_FN)
    # the receiver's stdin: a fifo nobody writes to (the console would stop
    # it with SIGTTIN, /dev/null would half-close the connection at once)
    src.sh_ok('rm -f /tmp/r /tmp/ff; mkfifo /tmp/ff; '
              '(sleep 100000 > /tmp/ff &)')
    src.sh_ok('nc -l -p %d < /tmp/ff > /tmp/r &' % TCP_PORT)
    src.sh_ok('sleep 0.3')
    peer.sh_ok('(stream | nc %s %d; echo $? > /tmp/nc.rc) > /tmp/nc.log 2>&1 &'
               % (IP_A, TCP_PORT))
    start_pings(peer)
    wait_stream(be, 0, 'before the migration', timeout=60)

    # 1. live migration A -> B
    samples = {'logging': 0, 'n': 0}

    def sample(p):
        if p is not None:
            samples['n'] += 1
            samples['logging'] += bool(p.get('dirty_logging'))
    t0 = time.monotonic()
    info = M.migrate(src, dst, be=be, port=0, params=params,
                     on_sample=sample)
    log('port 0 JSON: dirty_logging true in %d of %d samples taken during '
        'the migration' % (samples['logging'], samples['n']))
    on = logging_lines(be, sa)
    check(on, 'port 0: the library logged "dirty-page logging on" (LOG_ALL '
          'negotiated for the migration): %s' % (on[:1] or '-'))
    M.wait_run_state(src, ('postmigrate',), 30, 'source stopped after the '
                     'migration')
    M.wait_run_state(dst, ('running',), 60, 'destination running')
    G.wait_stopped(be, 0, 30, 'port 0 stopped (the source VM stopped)')
    pb = G.wait_running(be, 1, 60, 'port 1 running (the destination started '
                        'the device)')
    log('the back-end saw the switchover %.1fs after the migrate command'
        % (time.monotonic() - t0))
    feat_b = H.hex_int(pb['features'])
    check(feat_b & ~(1 << LOG_ALL) == feat_a,
          'port 1 negotiated the source\'s features (port 0 %#x, port 1 %#x)'
          % (feat_a, feat_b))
    check(pb.get('ring') == ring, 'port 1: %s ring' % ring)
    # the source QEMU goes away, as a management layer would do it
    src.quit()
    be.wait_port(lambda p: not p.get('connected'), 30,
                 'port 0 disconnected after the source QEMU quit', i=0)
    log('ok: port 0 stopped and disconnected')
    dst.seq = src.seq
    guest_answers(dst)
    wait_stream(be, 1, 'after the migration')
    tx, rx, lost, run, secs = stop_pings(peer)
    downtime = ('DOWNTIME %s ring, QEMU %s: the peer pinged every %.1fs: %d '
                'sent, %d answered, %d lost, longest gap %d pings (~%.1fs); '
                'QEMU: downtime %s ms, total %s ms, %s dirty syncs' % (
                    ring, G.qemu_version_str(), PING_INTERVAL, tx, rx, lost,
                    run, secs, info.get('downtime'), info.get('total-time'),
                    info.get('ram', {}).get('dirty-sync-count')))
    log(downtime)
    qb = G.qstats(be.port(1))

    # 2. back to port A, onto a paused QEMU: compare the RAM
    back = M.MigGuest(sa, IP_A + '/24', name='back', incoming=True,
                      qemu_args=['-S'], **vm)
    M.wait_run_state(back, ('inmigrate',), 30, 'second destination waiting')
    be.wait_port(lambda p: p.get('connected'), 30,
                 'the second destination QEMU connected to port 0', i=0)
    M.migrate(dst, back, params=params)
    check(logging_lines(be, sb), 'port 1: the library logged "dirty-page '
          'logging on" for the migration back')
    M.wait_run_state(dst, ('postmigrate',), 30, 'port B\'s QEMU stopped')
    M.wait_run_state(back, ('paused', 'prelaunch'), 30,
                     'the paused destination loaded the state')
    G.wait_stopped(be, 1, 30, 'port 1 stopped (its VM stopped)')
    M.check_ram_equal(dst, back, MEM_MB, 'migration back (%s ring)' % ring)
    check(True, 'the destination\'s RAM equals the source\'s, page for page '
          '(every page the back-end wrote was marked)')
    back.connect_qmp().cmd('cont')
    M.wait_run_state(back, ('running',), 30, 'second destination running')
    pa = G.wait_running(be, 0, 60, 'port 0 running again (second '
                        'destination)', connections=2)
    check(pa.get('ring') == ring, 'port 0: %s ring again' % ring)
    dst.quit()
    be.wait_port(lambda p: not p.get('connected'), 30,
                 'port 1 disconnected after its QEMU quit', i=1)
    back.seq = dst.seq
    guest_answers(back)
    wait_stream(be, 0, 'after the migration back')

    # 3. stop the stream: what arrived must be what was sent
    peer.sh_ok('touch /tmp/stop')

    def nc_done():
        rc, out = peer.sh('cat /tmp/nc.rc 2>/dev/null', timeout=30)
        return out.strip() if rc == 0 and out.strip() else None
    try:
        rc = H.wait_for(nc_done, 120, 'the sending nc to finish', interval=1)
    except G.TestFailure:
        _, ncl = peer.sh('cat /tmp/nc.log; netstat -tn 2>/dev/null',
                         timeout=30)
        _, rl = back.sh('ls -l /tmp/r; netstat -tn 2>/dev/null', timeout=30)
        raise G.TestFailure('the stream did not finish after the migrations:'
                            '\npeer:\n%s\nmigrated guest:\n%s' % (ncl, rl))
    check(rc.splitlines()[-1].strip() == '0', 'the sending nc exited 0 (%s)'
          % rc.strip())
    back.sh_ok('wait', timeout=120)
    out = peer.sh_ok('n=$(cat /tmp/n); echo n=$n; pattern $n > /tmp/sent; '
                     'wc -c < /tmp/sent; md5sum /tmp/sent; rm /tmp/sent',
                     timeout=180)
    m = re.search(r'n=(\d+)\s+(\d+)\s+([0-9a-f]{32})', out)
    if not m:
        raise G.TestFailure('peer: no chunk count, size and md5 in:\n%s' % out)
    chunks, size, md5 = int(m.group(1)), int(m.group(2)), m.group(3)
    out = back.sh_ok('wc -c < /tmp/r; md5sum /tmp/r', timeout=120)
    m = re.search(r'(\d+)\s+([0-9a-f]{32})', out)
    if not m:
        raise G.TestFailure('migrated guest: no size and md5 in:\n%s' % out)
    check(int(m.group(1)) == size,
          'the migrated guest received the whole stream: %s bytes of %d (%d '
          'chunks)' % (m.group(1), size, chunks))
    check(m.group(2) == md5, 'md5 equal at both ends (%s)' % md5)

    back.ping(IP_C, count=5)
    peer.ping(IP_A, count=5)
    check(qb.get('rx_packets', 0) > 0 and qb.get('tx_packets', 0) > 0,
          'port 1 carried the migrated guest\'s traffic (rx %d, tx %d '
          'packets, %d bytes to the guest)' % (
              qb.get('rx_packets', 0), qb.get('tx_packets', 0),
              qb.get('tx_bytes', 0)))
    st = be.state()
    for i in (0, 1, 2):
        p = st['ports'][i]
        log('port %d: %s; protocol_errors %s, connections %s' % (
            i, G.qstats(p), p.get('protocol_errors'), p.get('connections')))
        check(p.get('protocol_errors', 0) == 0, 'port %d: no protocol errors'
              % i)
    rarp = [l for l in H.read_log(be.p).splitlines() if 'SEND_RARP 52' in l]
    log('SEND_RARP: %s' % (rarp[-1].strip() if rarp else 'none (the guest '
                           'announced itself: GUEST_ANNOUNCE)'))

    back.poweroff()
    peer.poweroff()
    for i in (0, 2):
        G.wait_stopped(be, i, 15, 'port %d stopped after power-off' % i)
    G.check_alive(be)
    G.stop_backend(be)
    log(downtime)


def baseline():
    """One VM writing memory (no network traffic), migrated onto a paused
    destination: are the two RAMs equal? Tells QEMU's own dirty tracking
    apart from the back-end's dirty log."""
    params = M.migrate_params(G.qemu_version())
    log('migration parameters for QEMU %s: %s' % (G.qemu_version_str(),
                                                  params))
    sa, sb = H.sock_path('mA'), H.sock_path('mB')
    be = G.backend([sa, sb], 'switch')
    vm = dict(mac=MAC_A, mem='%dM' % MEM_MB)
    src = M.MigGuest(sa, IP_A + '/24', name='src', **vm)
    src.wait_boot()
    dst = M.MigGuest(sb, IP_A + '/24', name='dst', incoming=True,
                     qemu_args=['-S'], **vm)
    M.wait_run_state(dst, ('inmigrate',), 30, 'destination waiting')
    src.sh_ok('(while true; do dd if=/dev/urandom of=/tmp/x bs=64k count=64 '
              '2>/dev/null; md5sum /tmp/x > /dev/null; done) &')
    time.sleep(2)
    M.migrate(src, dst, params=params)
    M.wait_run_state(dst, ('paused', 'prelaunch'), 30, 'destination loaded')
    M.check_ram_equal(src, dst, MEM_MB, 'baseline (no network traffic)')
    check(True, 'QEMU %s migrated the RAM of a busy guest intact'
          % G.qemu_version_str())
    src.quit()
    dst.quit()
    G.stop_backend(be)


if __name__ == '__main__':
    if len(sys.argv) != 2 or sys.argv[1] not in ('split', 'packed',
                                                 'baseline'):
        print('usage: test_migration.py split|packed|baseline')
        sys.exit(2)
    if sys.argv[1] == 'baseline':
        G.run(baseline)
    G.run(lambda: main(sys.argv[1]))
