#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Traffic both ways: dpdk-testpmd (virtio-user, io fwd, start tx_first)
against vhp-testpmd reflecting the traffic back (io or macswap on one port).

After a few seconds the front-end stops forwarding, then counters are
compared: every packet the front-end sent was received by us (our rx ==
its tx, exactly, once we drained its TX ring), and everything we sent is
its rx plus at most what still sits in its RX ring (<= ring size).

Variant (argv[1]): <ring>-<case>, ring split|packed, case one of
  default, inorder0, inorder1, mrg0, vec (vectorized=1), jumbo (9000-byte
  frames as 5-segment chains, mrg_rxbuf=1, scattered RX on the front-end).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhp_harness as h  # noqa: E402

VARIANT = sys.argv[1] if len(sys.argv) > 1 else 'split-default'
SECONDS = float(os.environ.get('VHP_IT_SECONDS', '3'))
RING = 1024

ring, case = VARIANT.split('-', 1)
devargs = {}
if ring == 'packed':
    devargs['packed_vq'] = 1
fwd = 'macswap'
extra_app = []
txpkts = None
size = 64
if case == 'inorder0':
    devargs['in_order'] = 0
elif case == 'inorder1':
    devargs['in_order'] = 1
    fwd = 'io'
elif case == 'mrg0':
    devargs['mrg_rxbuf'] = 0
elif case == 'vec':
    devargs.update({'vectorized': 1, 'mrg_rxbuf': 0,
                    'in_order': 1 if ring == 'packed' else 0})
elif case == 'jumbo':
    devargs['mrg_rxbuf'] = 1
    extra_app = ['--max-pkt-len=9600', '--enable-scatter']
    txpkts = '2048,2048,2048,2048,808'
    size = 9000
    fwd = 'io'
elif case != 'default':
    raise SystemExit('unknown variant ' + VARIANT)


def main():
    path = h.sock_path()
    be = h.track(h.backend([path], fwd=fwd))
    be.wait_ready()
    pr = h.track(h.peer(path, devargs, extra_app=extra_app))
    pr.wait_prompt()
    p = be.wait_port(lambda p: p.get('connected') and p.get('status') == 15,
                     20, 'DRIVER_OK')
    feats = h.hex_int(p['features'])
    h.log('negotiated: %s' % ' '.join(h.feature_names(feats)))
    h.check(p['ring'] == ring, 'ring is %s' % ring)
    if 'mrg_rxbuf' in devargs:
        h.check(bool(feats >> h.F_MRG_RXBUF & 1) == bool(devargs['mrg_rxbuf']),
                'MRG_RXBUF as requested (%s)' % devargs['mrg_rxbuf'])
    if txpkts:
        out = pr.cmd('set txpkts %s' % txpkts)
        h.check('error' not in out.lower() and 'invalid' not in out.lower(),
                'front-end accepts txpkts %s' % txpkts)
    pr.cmd('start tx_first')
    time.sleep(SECONDS)
    pr.stop_fwd()
    time.sleep(0.5)          # let the back-end drain the front-end's TX ring
    ps = pr.port_stats()[0]
    rc, st = be.stop()       # counters read while the front-end is attached
    pr.quit()
    h.check(rc == 0, 'vhp-testpmd exits 0 on SIGTERM (rc=%s)' % rc)
    h.check(st is not None, 'final stats JSON')
    q = st['ports'][0]
    h.log('front-end: rx %d tx %d (rx bytes %d, tx bytes %d, missed %d, nombuf %d)' % (
        ps['rx'], ps['tx'], ps['rx_bytes'], ps['tx_bytes'], ps['rx_missed'], ps['rx_nombuf']))
    h.log('back-end:  rx %d tx %d (rx bytes %d, tx bytes %d, rx_dropped %s, tx_dropped %s, errors %s)' % (
        q['rx_packets'], q['tx_packets'], q['rx_bytes'], q['tx_bytes'],
        q.get('rx_dropped'), q.get('tx_dropped'), q.get('errors')))
    if st.get('cycles_per_packet'):
        h.log('back-end cycles/packet: %s' % st['cycles_per_packet'])
    h.check(ps['tx'] > 1000, 'front-end sent traffic (%d packets)' % ps['tx'])
    h.check(ps['rx'] > 1000, 'front-end received traffic back (%d packets)' % ps['rx'])
    h.check(q['rx_packets'] == ps['tx'],
            'back-end rx (%d) == front-end tx (%d)' % (q['rx_packets'], ps['tx']))
    d = q['tx_packets'] - ps['rx']
    h.check(0 <= d <= RING,
            'back-end tx (%d) == front-end rx (%d) + in flight (%d <= %d)'
            % (q['tx_packets'], ps['rx'], d, RING))
    h.check(q['rx_bytes'] == ps['tx_bytes'],
            'back-end rx bytes (%d) == front-end tx bytes (%d)' % (q['rx_bytes'], ps['tx_bytes']))
    avg = ps['rx_bytes'] / max(ps['rx'], 1)
    h.check(abs(avg - size) < 1, 'front-end received %d-byte frames (avg %.1f)' % (size, avg))
    h.check(not q.get('errors'), 'no back-end errors (%s)' % q.get('errors'))


h.run(main)
