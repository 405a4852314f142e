#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""DPDK's own net_vhost PMD (dpdk-testpmd --vdev net_vhost0,...) on a
librte_vhost.so.23: ours (VHP_VHOST_LIB=vhostpath, the default:
LD_LIBRARY_PATH=BUILD/lib/rte_vhost_compat) or DPDK's (VHP_VHOST_LIB=dpdk,
to check the test itself). /proc/PID/maps of the net_vhost process must
show the requested library.

Two dpdk-testpmd processes, each with a net_pcap port (port 0) and a vhost
port (port 1), io forwarding 0 <-> 1, two queue pairs everywhere:

  back-end  B: net_pcap(rx_pcap=IN_B0,IN_B1 tx_pcap=OUT_B0,OUT_B1)
               + net_vhost0,iface=S,queues=2[,client=1]      forwarding CPU 1
  front-end F: net_pcap(rx_pcap=IN_F0,IN_F1 tx_pcap=OUT_F0,OUT_F1)
               + net_virtio_user0,path=S,queues=2,mrg_rxbuf=M,packed_vq=P
                 [,server=1]                                  forwarding CPU 0

IN_Fq -> virtio-user txq q -> net_vhost rxq q -> OUT_Bq and
IN_Bq -> net_vhost txq q -> virtio-user rxq q -> OUT_Fq: every output file
must hold its input, same order, byte for byte (guest to host and host to
guest, on both queues). The frames mix sizes across every statistics bucket
(60 to 1518 bytes) and unicast, multicast and broadcast destinations.

`show port xstats 1` on B must list, per queue and direction, exactly the
per-queue counter names DPDK 22.11's library gives (rx_q0_good_packets,
..., tx_q1_inflight_completed; see QUEUE_STATS), with the right values for
packets, bytes, multicast, broadcast and each size bucket.

Variant (argv[1]): split-mrg1 (B server) | split-mrg0 (B client=1) |
packed-mrg1 (B client=1) | packed-mrg0 (B server)

Skips (77) only when dpdk-testpmd is not installed or
(VHP_VHOST_LIB=vhostpath) our library is not built.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhp_harness as h  # noqa: E402
import ovs_harness as oh  # noqa: E402

VARIANTS = {
    'split-mrg1': {'packed': 0, 'mrg': 1, 'client': 0},
    'split-mrg0': {'packed': 0, 'mrg': 0, 'client': 1},
    'packed-mrg1': {'packed': 1, 'mrg': 1, 'client': 1},
    'packed-mrg0': {'packed': 1, 'mrg': 0, 'client': 0},
}
VARIANT = sys.argv[1] if len(sys.argv) > 1 else 'split-mrg1'
Q = 2
N = {('F', 0): 300, ('F', 1): 257, ('B', 0): 211, ('B', 1): 280}
# frames per side and queue (below the 1024 ring size; all different)
SIZES = [60, 64, 65, 127, 128, 255, 256, 511, 512, 1023, 1024, 1514, 1518]

# DPDK 22.11 lib/vhost: the per-virtqueue statistics names, in order; each
# as "<rx|tx>_q<N>_<name>" (rx: the guest's TX virtqueues, tx: its RX ones)
QUEUE_STATS = ['good_packets', 'good_bytes', 'multicast_packets', 'broadcast_packets',
               'undersize_packets', 'size_64_packets', 'size_65_127_packets',
               'size_128_255_packets', 'size_256_511_packets', 'size_512_1023_packets',
               'size_1024_1518_packets', 'size_1519_max_packets', 'guest_notifications',
               'iotlb_hits', 'iotlb_misses', 'inflight_submitted', 'inflight_completed']

DST = {'ucast': bytes.fromhex('020000000002'), 'bcast': b'\xff' * 6,
       'mcast': bytes.fromhex('01005e000001')}


def frames(seed, n):
    """n frames of mixed sizes (the size list rotated by the seed); every
    (5 + seed % 4)th broadcast, every (3 + seed % 3)th (else) multicast;
    distinct contents per seed, so each queue and direction has its own
    counts."""
    r = seed % len(SIZES)
    pkts = h.make_packets(n, SIZES[r:] + SIZES[:r], seed=seed)
    out = []
    for i, p in enumerate(pkts):
        dst = (DST['bcast'] if i % (5 + seed % 4) == 3 else
               DST['mcast'] if i % (3 + seed % 3) == 1 else DST['ucast'])
        # source MAC carries the seed: frames of different streams differ
        out.append(dst + bytes([2, 0, 0, 0, seed & 0xff, 1]) + p[12:])
    return out


def bucket(n):
    """lib/vhost's size bins."""
    if n < 64:
        return 'undersize_packets'
    if n == 64:
        return 'size_64_packets'
    for lo, hi in ((65, 127), (128, 255), (256, 511), (512, 1023), (1024, 1518)):
        if lo <= n <= hi:
            return 'size_%d_%d_packets' % (lo, hi)
    return 'size_1519_max_packets'


def expected_stats(pkts):
    e = {k: 0 for k in QUEUE_STATS}
    e['good_packets'] = len(pkts)
    e['good_bytes'] = sum(len(p) for p in pkts)
    for p in pkts:
        e[bucket(len(p))] += 1
        if p[:6] == DST['bcast']:
            e['broadcast_packets'] += 1
        elif p[0] & 1:
            e['multicast_packets'] += 1
    return e


def lib_testpmd(vdevs, kind, **kw):
    """dpdk-testpmd whose librte_vhost.so.23 is the @kind one."""
    env = oh.vhost_env(kind)
    if env.get('LD_LIBRARY_PATH'):
        pre = ['env', 'LD_LIBRARY_PATH=' + env['LD_LIBRARY_PATH']]
    else:
        pre = ['env', '-u', 'LD_LIBRARY_PATH']

    class T(h.Testpmd):
        def _spawn(self, name, cmd):
            h.Testpmd._spawn(self, name, pre + cmd)
    return T(vdevs, **kw)


def pcap_vdev(name, ins, outs):
    return name + ''.join(',rx_pcap=' + p for p in ins) + ''.join(',tx_pcap=' + p for p in outs)


def parse_xstats(text):
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r'^\s*(\S+):\s+(\d+)\s*$', text, re.M)}


def main():
    v = VARIANTS.get(VARIANT)
    if v is None:
        raise SystemExit('unknown variant %s (want %s)' % (VARIANT, ', '.join(VARIANTS)))
    kind = oh.vhost_lib_kind()
    want_lib = oh.expected_vhost_lib(kind)
    d = h.tmpdir()
    path = h.sock_path('netvhost')
    f = {}
    for side, seed0 in (('F', 10), ('B', 20)):
        f['in' + side] = [os.path.join(d, h.unique('in%s%d' % (side, q)) + '.pcap') for q in range(Q)]
        f['out' + side] = [os.path.join(d, h.unique('out%s%d' % (side, q)) + '.pcap') for q in range(Q)]
        f['pk' + side] = [frames(seed0 + q, N[side, q]) for q in range(Q)]
        for q in range(Q):
            h.write_pcap(f['in' + side][q], f['pk' + side][q])
    h.log('variant %s: %s ring, mrg_rxbuf=%d, net_vhost %s; library %s (%s)'
          % (VARIANT, 'packed' if v['packed'] else 'split', v['mrg'],
             'client' if v['client'] else 'server', kind, want_lib))

    vhost = 'net_vhost0,iface=%s,queues=%d' % (path, Q)
    if v['client']:
        vhost += ',client=1'
    devargs = {'queues': Q, 'mrg_rxbuf': v['mrg'], 'packed_vq': v['packed']}
    if v['client']:
        devargs['server'] = 1
    common = dict(rxq=Q, txq=Q, extra_app=['--no-flush-rx'])

    def start_backend():
        return h.track(lib_testpmd([pcap_vdev('net_pcap0', f['inB'], f['outB']), vhost], kind,
                                   name='netvhost', main_lcore=None, **common))

    def start_frontend():
        return h.track(h.Testpmd([pcap_vdev('net_pcap0', f['inF'], f['outF']),
                                  h.virtio_user_vdev(path, 0, **devargs)],
                                 name='virtio', main_lcore=1, **common))

    if v['client']:
        # virtio-user server=1 owns the socket and waits for net_vhost
        fe = start_frontend()
        h.wait_for(lambda: os.path.exists(path), 30, 'virtio-user server socket')
        be = start_backend()
    else:
        be = start_backend()
        be.wait_prompt(timeout=60)
        h.wait_for(lambda: os.path.exists(path), 30, 'net_vhost server socket')
        fe = start_frontend()
    be.wait_prompt(timeout=60)
    fe.wait_prompt(timeout=60)

    got = oh.loaded_vhost_lib(be.p.pid)
    h.check(got is not None and os.path.realpath(got.replace(' (deleted)', '')) == want_lib,
            'net_vhost process maps the %s library (%s)' % (kind, got))

    def link_up():
        return re.search(r'Link status:\s*up', be.cmd('show port info 1')) is not None
    h.wait_for(link_up, 30, 'net_vhost link up', interval=0.3)
    h.log('net_vhost link up')

    # front-end first: its frames wait in the virtio TX rings until the
    # back-end polls; then the back-end (its pcap frames go to the guest)
    for tp in (fe, be):
        tp.cmd('set fwd io retry')
    fe.cmd('start')
    time.sleep(0.3)
    be.cmd('start')

    n_f = sum(len(x) for x in f['pkF'])      # guest -> host
    n_b = sum(len(x) for x in f['pkB'])      # host -> guest

    def done():
        sf = fe.port_stats()
        sb = be.port_stats()
        return sf.get(0, {}).get('tx', 0) >= n_b and sb.get(0, {}).get('tx', 0) >= n_f
    try:
        h.wait_for(done, 30, 'all frames through both ways', interval=0.3)
    except h.TestFailure:
        h.log('front-end: %s' % fe.port_stats())
        h.log('back-end: %s' % be.port_stats())
        raise
    time.sleep(0.3)
    fe.stop_fwd()
    be.stop_fwd()
    sf = fe.port_stats()
    sb = be.port_stats()
    h.log('front-end ports: %s' % sf)
    h.log('back-end ports: %s' % sb)
    h.check(sb[1]['rx'] == n_f and sb[1]['tx'] == n_b,
            'net_vhost port: rx %d tx %d (want %d, %d)' % (sb[1]['rx'], sb[1]['tx'], n_f, n_b))
    h.check(sf[1]['rx'] == n_b and sf[1]['tx'] == n_f,
            'virtio-user port: rx %d tx %d (want %d, %d)' % (sf[1]['rx'], sf[1]['tx'], n_b, n_f))

    xs = parse_xstats(be.cmd('show port xstats 1'))
    names = [k for k in xs if re.match(r'(rx|tx)_q\d+_', k)]
    lib_names = [k for k in names if k.split('_', 2)[2] in QUEUE_STATS]
    want_names = ['%s_q%d_%s' % (d_, q, s) for d_ in ('rx', 'tx') for q in range(Q)
                  for s in QUEUE_STATS]
    missing = sorted(set(want_names) - set(xs))
    h.check(not missing, 'xstats has every per-queue counter of DPDK\'s library (%d names; '
            'missing %s)' % (len(want_names), missing[:6]))
    h.check(lib_names == want_names,
            'per-queue library counters in DPDK\'s order (rx q0, rx q1, tx q0, tx q1)')
    extra = sorted(set(names) - set(want_names) -
                   {'%s_q%d_%s' % (d_, q, s) for d_ in ('rx', 'tx') for q in range(Q)
                    for s in ('packets', 'bytes', 'errors')})
    h.check(not extra, 'no per-queue counter beyond DPDK\'s (extra: %s)' % extra[:6])
    for q in range(Q):
        for d_, pk in (('rx', f['pkF'][q]), ('tx', f['pkB'][q])):
            e = expected_stats(pk)
            got = {s: xs.get('%s_q%d_%s' % (d_, q, s)) for s in e
                   if s not in ('guest_notifications', 'iotlb_hits', 'iotlb_misses',
                                'inflight_submitted', 'inflight_completed')}
            bad = {s: (got[s], e[s]) for s in got if got[s] != e[s]}
            h.check(not bad, '%s_q%d_*: packets %d, bytes %d, mcast %d, bcast %d, size bins '
                    'as sent (mismatches (got, want): %s)'
                    % (d_, q, e['good_packets'], e['good_bytes'], e['multicast_packets'],
                       e['broadcast_packets'], bad))
            h.check(xs.get('%s_q%d_packets' % (d_, q)) == e['good_packets'],
                    'ethdev %s_q%d_packets %s == %d' % (d_, q, xs.get('%s_q%d_packets' % (d_, q)),
                                                        e['good_packets']))

    rc = fe.quit()
    h.check(rc == 0, 'front-end quit cleanly (rc=%s)' % rc)
    rc = be.quit()
    h.check(rc == 0, 'net_vhost testpmd quit cleanly (rc=%s)' % rc)

    for label, ins, outs in (('guest -> host', f['pkF'], f['outB']),
                             ('host -> guest', f['pkB'], f['outF'])):
        for q in range(Q):
            out = h.read_pcap(outs[q])
            sent = ins[q]
            bad = [i for i, (a, b) in enumerate(zip(sent, out)) if a != b]
            if bad:
                i = bad[0]
                h.log('%s q%d: first mismatch at frame %d: sent %d bytes, got %d'
                      % (label, q, i, len(sent[i]), len(out[i])))
            h.check(len(out) == len(sent) and not bad,
                    '%s queue %d: %d frames byte-exact, in order (got %d, %d differ)'
                    % (label, q, len(sent), len(out), len(bad)))


if __name__ == '__main__':
    kind = oh.vhost_lib_kind()
    if kind == 'vhostpath':
        miss = oh.ours_missing(oh.default_lib_dir())
        if miss:
            print('SKIP: ' + miss, flush=True)
            sys.exit(h.SKIP)
    h.run(main)
