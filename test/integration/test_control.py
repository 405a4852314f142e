#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Control plane against dpdk-testpmd's virtio-user front-end.

Modes (argv[1]):
  server  vhp-testpmd is the socket server; the front-end connects, reaches
          DRIVER_OK (status 15) with VERSION_1 and PROTOCOL_FEATURES
          negotiated, quits; our port reports disconnected and accepts the
          next front-end: one connection plus three reconnections.
  client  the same with the front-end as server (server=1) and our port as
          client (client=1): we connect, and reconnect after each restart.
  packed  packed_vq=1: RING_PACKED negotiated, ring reported as "packed".
  mq      queues=2 on both sides: two queue pairs, and a short burst of
          traffic seen on both queues.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhp_harness as h  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else 'server'


def check_negotiated(p, packed=False, queues=1, mrg=True):
    feats = h.hex_int(p['features'])
    h.log('negotiated features %s: %s' % (p['features'], ' '.join(h.feature_names(feats))))
    h.log('protocol features %s, status %s, ring %s, queues %s' % (
        p.get('protocol_features'), p.get('status'), p.get('ring'), p.get('queues')))
    h.check(p['connected'] is True, 'port connected')
    h.check(p['status'] == 15, 'device status 15 (ACK|DRIVER|FEATURES_OK|DRIVER_OK)')
    h.check(feats >> h.F_VERSION_1 & 1, 'VERSION_1 negotiated')
    h.check(feats >> h.F_PROTOCOL_FEATURES & 1, 'PROTOCOL_FEATURES (bit 30) negotiated')
    if mrg:
        h.check(feats >> h.F_MRG_RXBUF & 1, 'MRG_RXBUF negotiated')
    h.check(h.hex_int(p['protocol_features']) != 0, 'protocol features negotiated')
    h.check(bool(feats >> h.F_RING_PACKED & 1) == packed,
            'RING_PACKED %s' % ('negotiated' if packed else 'not negotiated'))
    h.check(p['ring'] == ('packed' if packed else 'split'), 'ring is %s' % p['ring'])
    h.check(p['queues'] == queues, '%d queue pair(s)' % queues)
    if queues > 1:
        h.check(feats >> h.F_MQ & 1, 'MQ negotiated')


def up(be, what):
    return be.wait_port(lambda p: p.get('connected') and p.get('status') == 15,
                        20, what)


def down(be, what):
    return be.wait_port(lambda p: not p.get('connected'), 15, what)


def server_mode(rounds=4):
    path = h.sock_path()
    be = h.track(h.backend([path], fwd='io'))
    be.wait_ready()
    for r in range(rounds):
        h.log('--- connection %d of %d' % (r + 1, rounds))
        pr = h.track(h.peer(path))
        pr.wait_prompt()
        check_negotiated(up(be, 'DRIVER_OK after connection %d' % (r + 1)))
        rc = pr.quit()
        h.check(rc == 0, 'front-end quit cleanly (rc=%s)' % rc)
        down(be, 'disconnect %d' % (r + 1))
        h.check(True, 'port reports disconnected after the front-end quit')
    rc, st = be.stop()
    h.check(rc == 0, 'vhp-testpmd exits 0 on SIGTERM (rc=%s)' % rc)
    h.check(st is not None, 'stats JSON written at exit')
    if h.backend_kind() == 'vhp':
        h.check(not os.path.exists(path), 'server socket removed at exit')


def client_mode(rounds=4):
    path = h.sock_path()
    be = None
    for r in range(rounds):
        h.log('--- front-end (server=1) instance %d of %d' % (r + 1, rounds))
        pr = h.track(h.peer(path, {'server': 1}))
        h.wait_for(lambda: os.path.exists(path) or not pr.alive(), 20,
                   'front-end server socket')
        if be is None:
            be = h.track(h.backend([path + ',client=1'], fwd='io'))
            be.wait_ready()
        pr.wait_prompt()
        check_negotiated(up(be, 'DRIVER_OK with front-end instance %d' % (r + 1)))
        rc = pr.quit()
        h.check(rc == 0, 'front-end quit cleanly (rc=%s)' % rc)
        down(be, 'disconnect %d' % (r + 1))
        if os.path.exists(path):
            os.unlink(path)   # virtio-user's server socket (not ours)
    rc, st = be.stop()
    h.check(rc == 0, 'vhp-testpmd exits 0 on SIGTERM (rc=%s)' % rc)


def packed_mode():
    path = h.sock_path()
    be = h.track(h.backend([path], fwd='io'))
    be.wait_ready()
    for r in range(2):
        pr = h.track(h.peer(path, {'packed_vq': 1}))
        pr.wait_prompt()
        check_negotiated(up(be, 'DRIVER_OK (packed)'), packed=True)
        h.check(pr.quit() == 0, 'front-end quit cleanly')
        down(be, 'disconnect')
    rc, _ = be.stop()
    h.check(rc == 0, 'vhp-testpmd exits 0 on SIGTERM (rc=%s)' % rc)


def mq_mode():
    path = h.sock_path()
    be = h.track(h.backend([path + ',queues=2'], fwd='io'))
    be.wait_ready()
    pr = h.track(h.peer(path, queues=2))
    pr.wait_prompt()
    check_negotiated(up(be, 'DRIVER_OK (2 queue pairs)'), queues=2)
    pr.cmd('start tx_first')
    time.sleep(2)
    pr.stop_fwd()
    time.sleep(0.5)
    ps = pr.port_stats()[0]
    rc, st = be.stop()       # counters read while the front-end is attached
    pr.quit()
    h.check(rc == 0, 'vhp-testpmd exits 0 on SIGTERM (rc=%s)' % rc)
    p = st['ports'][0]
    h.log('front-end rx %d tx %d; back-end rx %d tx %d' % (
        ps['rx'], ps['tx'], p['rx_packets'], p['tx_packets']))
    qs = p.get('queue_stats', [])
    h.check(len(qs) >= 2, 'stats for 2 queues')
    for q in qs[:2]:
        h.log('queue %s: %s' % (q.get('queue'), q))
        h.check(q.get('rx_packets', 0) > 0 and q.get('tx_packets', 0) > 0,
                'traffic both ways on queue %s' % q.get('queue'))
    h.check(p['rx_packets'] == ps['tx'], 'back-end rx == front-end tx')


h.run({'server': server_mode, 'client': client_mode, 'packed': packed_mode,
       'mq': mq_mode}[MODE])
