#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Ring formats and ring life cycle against dpdk-testpmd's virtio-user.

Modes (argv[1]):
  packed-mq       packed_vq=1, queues=2 on both sides: traffic both ways on
                  both queue pairs (our per-queue counters in queue_stats
                  against the front-end's per-queue xstats); once the rings
                  are still, each vring's index and wrap counters (telemetry
                  /vhp/vhost/info) follow from its packet count, and the JSON
                  vrings entries carry the same wrap counters as booleans.
  restart-split   ring stop/restart: the front-end forwards (tx_first), quits
  restart-packed  while traffic flows (GET_VRING_BASE, disconnect), a new
                  front-end connects to the same socket and forwards again:
                  our counters keep increasing, and for the second session
                  they agree with the new front-end's, and the new rings'
                  positions follow from the second session's packets alone
                  (they restarted at 0); vhp-testpmd stays up and exits 0.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhp_harness as h  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else 'packed-mq'
SECONDS = float(os.environ.get('VHP_IT_SECONDS', '2'))
RING = 1024


def up(be, what):
    return be.wait_port(lambda p: p.get('connected') and p.get('status') == 15,
                        20, what)


def xstats(pr, port=0):
    out = pr.cmd('show port xstats %d' % port)
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r'^\s*(\w+):\s+(\d+)\s*$', out, re.M)}


def vring_state(be, nr_vrings):
    """{vring: telemetry dict} from /vhp/vhost/info,0."""
    info = h.telemetry(be.prefix, '/vhp/vhost/info,0')
    h.check(isinstance(info, dict), 'telemetry /vhp/vhost/info,0 answers')
    out = {}
    for v in range(nr_vrings):
        vr = info.get('vring%d' % v)
        h.check(isinstance(vr, dict), 'telemetry has vring%d' % v)
        out[v] = vr
    return info, out


def check_ring_positions(be, ring, nr_vrings, base=None, size=RING, zero=False):
    """With the front-end stopped and its rings drained, every vring's
    position must follow from the packets it moved (64-byte frames: one
    descriptor, one chain per packet): split last_avail == last_used ==
    packets mod 2^16; packed last_avail == last_used == packets mod size and
    both wrap counters == 1 ^ (packets // size) & 1 (they start at 1).
    base: per-vring packet counts at the start of this ring's life;
    zero: the ring has just been set up (no packet yet on it)."""
    info, vs = vring_state(be, nr_vrings)
    h.check(info.get('ring') == ring, 'telemetry: ring %s (%s)' % (ring, info.get('ring')))
    for v, vr in vs.items():
        n = 0 if zero else vr['packets'] - (base[v] if base else 0)
        if ring == 'packed':
            want = (n % size, n % size, 1 ^ (n // size) & 1, 1 ^ (n // size) & 1)
            got = (vr.get('last_avail_idx'), vr.get('last_used_idx'),
                   vr.get('avail_wrap'), vr.get('used_wrap'))
            h.check(got == want, 'vring%d after %d packets: last_avail/last_used/'
                    'avail_wrap/used_wrap %s (want %s)' % (v, n, got, want))
        else:
            want = (n % 65536, n % 65536)
            got = (vr.get('last_avail_idx'), vr.get('last_used_idx'))
            h.check(got == want, 'vring%d after %d packets: last_avail/last_used %s (want %s)'
                    % (v, n, got, want))
    return vs


def check_json_wrap(be, vs):
    """The JSON vrings entries: packed wrap counters as booleans, equal to
    telemetry's (read while the rings are still)."""
    p = be.wait_port(lambda p: len(p.get('vrings', [])) == len(vs), 5, 'JSON vrings')
    vrings = p['vrings']
    missing = [v.get('vring') for v in vrings if 'avail_wrap' not in v or 'used_wrap' not in v]
    h.check(not missing, 'JSON vrings %s have avail_wrap/used_wrap' % missing)
    if missing:
        return
    for v in vrings:
        t = vs[v['vring']]
        h.check(isinstance(v['avail_wrap'], bool) and isinstance(v['used_wrap'], bool),
                'JSON vring %s avail_wrap/used_wrap are booleans (%r/%r)'
                % (v['vring'], v['avail_wrap'], v['used_wrap']))
        h.check((int(v['avail_wrap']), int(v['used_wrap']), v['last_avail_idx'])
                == (t['avail_wrap'], t['used_wrap'], t['last_avail_idx']),
                'JSON vring %s wrap counters and index agree with telemetry' % v['vring'])


def packed_mq():
    path = h.sock_path()
    be = h.track(h.backend([path + ',queues=2'], fwd='io'))
    be.wait_ready()
    pr = h.track(h.peer(path, {'packed_vq': 1}, queues=2))
    pr.wait_prompt()
    p = up(be, 'DRIVER_OK (packed, 2 queue pairs)')
    feats = h.hex_int(p['features'])
    h.log('negotiated: %s' % ' '.join(h.feature_names(feats)))
    h.check(p['ring'] == 'packed' and feats >> h.F_RING_PACKED & 1, 'RING_PACKED negotiated')
    h.check(feats >> h.F_MQ & 1 and p['queues'] == 2, 'MQ negotiated, 2 queue pairs')
    pr.cmd('start tx_first')
    time.sleep(SECONDS / 2)
    p1 = be.wait_port(lambda p: p.get('rx_packets', 0) > 0, 10, 'traffic')
    time.sleep(SECONDS / 2)
    p2 = be.wait_port(lambda p: p.get('rx_packets', 0) > p1['rx_packets'], 10,
                      'traffic still flowing')
    h.check(p2['nr_vrings'] == 4, '4 vrings set up (%s)' % p2['nr_vrings'])
    pr.stop_fwd()
    time.sleep(1.2)          # drain the front-end's TX rings; a JSON period
    vs = check_ring_positions(be, 'packed', 4)
    check_json_wrap(be, vs)
    ps = pr.port_stats()[0]
    xs = xstats(pr)
    rc, st = be.stop()       # counters read while the front-end is attached
    pr.quit()
    h.check(rc == 0, 'vhp-testpmd exits 0 on SIGTERM (rc=%s)' % rc)
    q = st['ports'][0]
    h.log('front-end rx %d tx %d; back-end rx %d tx %d' % (
        ps['rx'], ps['tx'], q['rx_packets'], q['tx_packets']))
    qs = q.get('queue_stats', [])
    h.check(len(qs) == 2, 'stats for 2 queues (%d)' % len(qs))
    for i, qq in enumerate(qs):
        frx = xs.get('rx_q%d_good_packets' % i)
        ftx = xs.get('tx_q%d_good_packets' % i)
        h.log('queue %d: back-end rx %d tx %d; front-end rx_q%d %s tx_q%d %s' % (
            i, qq['rx_packets'], qq['tx_packets'], i, frx, i, ftx))
        h.check(qq['rx_packets'] > 1000 and qq['tx_packets'] > 1000,
                'traffic both ways on queue %d (rx %d tx %d)' % (i, qq['rx_packets'], qq['tx_packets']))
        h.check(ftx is not None and frx is not None, 'front-end xstats for queue %d' % i)
        h.check(qq['rx_packets'] == ftx,
                'queue %d: back-end rx (%d) == front-end tx_q%d (%d)' % (i, qq['rx_packets'], i, ftx))
        d = qq['tx_packets'] - frx
        h.check(0 <= d <= RING, 'queue %d: back-end tx (%d) == front-end rx_q%d (%d) + in flight (%d)'
                % (i, qq['tx_packets'], i, frx, d))
    h.check(q['rx_packets'] == ps['tx'], 'back-end rx (%d) == front-end tx (%d)'
            % (q['rx_packets'], ps['tx']))
    h.check(sum(x['rx_packets'] for x in qs) == q['rx_packets'], 'queue rx sums to the port rx')
    h.check(not q.get('errors'), 'no back-end errors (%s)' % q.get('errors'))


def restart(ring):
    devargs = {'packed_vq': 1} if ring == 'packed' else {}
    path = h.sock_path()
    be = h.track(h.backend([path], fwd='io'))
    be.wait_ready()

    h.log('--- session 1')
    pr = h.track(h.peer(path, devargs, name='peer1'))
    pr.wait_prompt()
    p = up(be, 'DRIVER_OK (session 1)')
    h.check(p['ring'] == ring, 'ring is %s' % ring)
    conns = p.get('connections')
    pr.cmd('start tx_first')
    time.sleep(SECONDS / 2)
    a = be.wait_port(lambda p: p['rx_packets'] > 1000 and p['tx_packets'] > 1000, 10,
                     'traffic in session 1')
    h.check(True, 'session 1 traffic (rx %d tx %d)' % (a['rx_packets'], a['tx_packets']))
    rc = pr.quit()           # while forwarding: GET_VRING_BASE, disconnect
    h.check(rc == 0, 'front-end 1 quit while forwarding, cleanly (rc=%s)' % rc)
    s1 = be.wait_port(lambda p: not p.get('connected'), 15, 'disconnect')
    h.check(be.alive(), 'vhp-testpmd still running after the disconnect')
    h.check(s1['rx_packets'] >= a['rx_packets'] and s1['tx_packets'] >= a['tx_packets'],
            'counters kept after the disconnect (rx %d tx %d)' % (s1['rx_packets'], s1['tx_packets']))
    h.check(not s1.get('errors'), 'no errors in session 1 (%s)' % s1.get('errors'))
    time.sleep(1.2)          # a JSON period: nothing moves while disconnected
    s1 = be.port(0)
    h.log('after session 1: %s' % {k: s1.get(k) for k in (
        'rx_packets', 'tx_packets', 'rx_dropped', 'tx_dropped', 'fwd_dropped', 'errors')})
    h.check(not s1.get('connected'), 'still disconnected')
    lost = s1['rx_packets'] - s1['tx_packets']
    h.check(lost == s1.get('fwd_dropped', 0) + s1.get('tx_dropped', 0),
            'session 1: every packet received was sent or counted dropped '
            '(rx - tx = %d, fwd_dropped %s, tx_dropped %s)'
            % (lost, s1.get('fwd_dropped'), s1.get('tx_dropped')))

    h.log('--- session 2 (same socket)')
    pr = h.track(h.peer(path, devargs, name='peer2'))
    pr.wait_prompt()
    p = up(be, 'DRIVER_OK (session 2)')
    h.check(p['ring'] == ring, 'ring is %s again' % ring)
    if conns is not None:
        h.check(p.get('connections') == conns + 1,
                'connections %s -> %s' % (conns, p.get('connections')))
    h.check(p['rx_packets'] == s1['rx_packets'] and p['tx_packets'] == s1['tx_packets'],
            'no traffic before tx_first (rx %d tx %d)' % (p['rx_packets'], p['tx_packets']))
    # the new rings start at index 0 (packed: wrap counters 1)
    base = check_ring_positions(be, ring, 2, base=None, zero=True)
    base = {v: vr['packets'] for v, vr in base.items()}
    pr.cmd('start tx_first')
    time.sleep(SECONDS / 2)
    b = be.wait_port(lambda p: p['rx_packets'] > s1['rx_packets'] + 1000 and
                     p['tx_packets'] > s1['tx_packets'] + 1000, 10,
                     'counters increasing after the reconnect')
    h.check(True, 'counters increase after the reconnect (rx +%d tx +%d)' % (
        b['rx_packets'] - s1['rx_packets'], b['tx_packets'] - s1['tx_packets']))
    time.sleep(SECONDS / 2)
    pr.stop_fwd()
    time.sleep(0.5)          # let the back-end drain the front-end's TX ring
    ps = pr.port_stats()[0]
    # the new rings started at index 0 (wrap 1): positions follow from the
    # packets of session 2 alone
    check_ring_positions(be, ring, 2, base=base)
    rc, st = be.stop()       # counters read while the front-end is attached
    pr.quit()                # (SIGPIPE now that we are gone: not checked)
    h.check(rc == 0, 'vhp-testpmd exits 0 on SIGTERM (rc=%s)' % rc)
    q = st['ports'][0]
    rx2 = q['rx_packets'] - s1['rx_packets']
    tx2 = q['tx_packets'] - s1['tx_packets']
    h.log('session 2: front-end rx %d tx %d; back-end rx %d tx %d' % (ps['rx'], ps['tx'], rx2, tx2))
    h.check(rx2 > b['rx_packets'] - s1['rx_packets'], 'back-end rx kept increasing')
    h.check(ps['tx'] > 1000 and ps['rx'] > 1000,
            'front-end 2 traffic both ways (tx %d rx %d)' % (ps['tx'], ps['rx']))
    h.check(rx2 == ps['tx'], 'session 2: back-end rx (%d) == front-end tx (%d)' % (rx2, ps['tx']))
    d = tx2 - ps['rx']
    h.check(0 <= d <= RING, 'session 2: back-end tx (%d) == front-end rx (%d) + in flight (%d <= %d)'
            % (tx2, ps['rx'], d, RING))
    h.check(q['rx_bytes'] - s1['rx_bytes'] == ps['tx_bytes'],
            'session 2: back-end rx bytes == front-end tx bytes (%d)' % ps['tx_bytes'])
    h.check(q.get('fwd_dropped', 0) == s1.get('fwd_dropped', 0),
            'no forwarding drops in session 2 (%s -> %s)' % (s1.get('fwd_dropped'), q.get('fwd_dropped')))
    h.check(not q.get('errors'), 'no back-end errors (%s)' % q.get('errors'))


if h.backend_kind() != 'vhp':
    # these read our live counters and per-vring state from the JSON while
    # the front-end runs, which the net_vhost stand-in cannot provide
    print('SKIP: needs vhp-testpmd (VHP_IT_BACKEND=%s)' % h.backend_kind())
    sys.exit(h.SKIP)
h.run({'packed-mq': packed_mq,
       'restart-split': lambda: restart('split'),
       'restart-packed': lambda: restart('packed')}[MODE])
