#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checksum and TSO offloads through a real virtio front-end.

    peer A (dpdk-testpmd, csum fwd)    vhp-testpmd (io)   peer B (dpdk-testpmd, io)
    net_pcap rx=IN -> virtio-user  --> vhost A -> vhost B --> virtio-user -> net_pcap tx=OUT
                      (hw TCP/UDP checksum, TSO 1400)

Peer A's virtio-user negotiates CSUM and HOST_TSO4/6 and sends NEEDS_CSUM
and GSO headers; our dequeue turns them into mbuf TX offload requests, our
enqueue towards peer B turns them back into headers or finishes them:

- variant sw: peer B negotiates no offload: TSO frames are segmented in our
  vhost driver (rte_gso), every checksum is computed in software. OUT must
  hold valid IPv4/TCP/UDP checksums, and the TSO frames as segments of at
  most 1400 bytes of payload whose concatenation is the original payload.
- variant csum: peer B negotiates GUEST_CSUM (--enable-rx-cksum): packets
  arrive with NEEDS_CSUM, the L4 field holding the pseudo-header sum (with
  the length), which virtio-user leaves as it is: checked in OUT.
- variant tso: peer B negotiates GUEST_CSUM and GUEST_TSO4/6 (LRO on):
  the TSO frames reach it whole, with a GSO header; OUT holds them as
  sent, the L4 field holding the pseudo-header sum.
- variant off: our port A offers no offload (offloads=0): peer A computes
  the checksums itself (no TSO); OUT is checked as in sw.

IN holds TCP/IPv4 and TCP/IPv6 frames with 100..1460 bytes of payload
(those above 1400 are TSO'd by peer A; our vhost port segments IPv4 with
rte_gso, IPv6 by itself) and UDP/IPv4 frames.
"""
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhp_harness as h  # noqa: E402
from offload_frames import phdr, parse, l4_ok, ip4_ok, build, l4_payload  # noqa: E402

VARIANT = sys.argv[1] if len(sys.argv) > 1 else 'sw'
MSS = 1400

F_CSUM, F_GUEST_CSUM, F_HOST_TSO4, F_GUEST_TSO4 = 0, 1, 11, 7


def inputs():
    pkts = []
    seq = 1000
    sizes = [100, 1460, 700, 1401, 1460, 64, 1200, 1460]
    for i in range(48):
        kind = ('tcp4', 'tcp4', 'udp4', 'tcp6')[i % 4]
        n = sizes[i % len(sizes)]
        pay = bytes((i * 31 + j * 7 + (j >> 8)) & 0xff for j in range(n))
        pkts.append((kind, build(kind, pay, seq, i + 1)))
        seq += n
    return pkts


def check_output(pkts, out, csum_partial, tso):
    """Every input packet, in order, as one frame or as TSO segments."""
    i = 0
    bad = []
    segmented = 0
    for kind, frame in pkts:
        pay = l4_payload(frame)
        v, off, proto, co = parse(frame)
        need = 1 if (proto != 6 or len(pay) <= MSS or not tso) else 2
        if i + need > len(out):
            bad.append('packet %d (%s, %d bytes): missing' % (len(bad), kind, len(frame)))
            break
        segs = out[i:i + need]
        i += need
        if need > 1:
            segmented += 1
        got = b''.join(l4_payload(s) for s in segs)
        if got != pay:
            bad.append('%s: payload differs (%d vs %d bytes over %d frames)'
                       % (kind, len(got), len(pay), need))
            continue
        for k, s in enumerate(segs):
            if tso and proto == 6 and len(l4_payload(s)) > MSS:
                bad.append('%s: segment of %d bytes > MSS' % (kind, len(l4_payload(s))))
            if v == 4 and not ip4_ok(s):
                bad.append('%s: bad IPv4 header checksum' % kind)
            if v == 4 and struct.unpack('!H', s[16:18])[0] != len(s) - 14:
                bad.append('%s: IPv4 total length wrong' % kind)
            if v == 6 and struct.unpack('!H', s[18:20])[0] != len(s) - 54:
                bad.append('%s: IPv6 payload length wrong' % kind)
            if proto == 6 and k > 0:
                want = struct.unpack('!I', frame[off + 4:off + 8])[0] + MSS * k
                if struct.unpack('!I', s[off + 4:off + 8])[0] != want:
                    bad.append('%s: segment %d seq wrong' % (kind, k))
            if csum_partial:
                field = struct.unpack('!H', s[co:co + 2])[0]
                if field != phdr(s, len(s) - off):
                    bad.append('%s: NEEDS_CSUM field 0x%04x is not the pseudo-header '
                               'sum 0x%04x' % (kind, field, phdr(s, len(s) - off)))
            elif not l4_ok(s):
                bad.append('%s (%d bytes, seg %d): bad L4 checksum' % (kind, len(s), k))
        # (peer A's csum engine rewrites the MAC addresses)
        if need == 1 and not csum_partial and segs[0][12:] != frame[12:]:
            bad.append('%s (%d bytes): frame differs' % (kind, len(frame)))
        if need == 1 and csum_partial and (segs[0][12:co] != frame[12:co] or
                                           segs[0][co + 2:] != frame[co + 2:]):
            bad.append('%s (%d bytes): frame differs' % (kind, len(frame)))
    h.check(i == len(out), 'no extra frames in OUT (%d used of %d)' % (i, len(out)))
    for b in bad[:10]:
        h.log('  ' + b)
    h.check(not bad, 'all %d packets arrive right (%d problems)' % (len(pkts), len(bad)))
    return segmented


def main():
    d = h.tmpdir()
    pin = os.path.join(d, h.unique('in') + '.pcap')
    pempty = os.path.join(d, h.unique('empty') + '.pcap')
    pout = os.path.join(d, h.unique('out') + '.pcap')
    pdummy = os.path.join(d, h.unique('dummy') + '.pcap')
    pkts = inputs()
    h.write_pcap(pin, [f for _, f in pkts])
    h.write_pcap(pempty, [])
    nseg = sum(1 for k, f in pkts if k != 'udp4' and len(l4_payload(f)) > MSS)
    n_out = len(pkts) + (nseg if VARIANT in ('sw', 'csum') else 0)
    sa, sb = h.sock_path('a'), h.sock_path('b')

    a_opts = ',offloads=0' if VARIANT == 'off' else ''
    be = h.track(h.VhpInteractive(['--vhost=' + sa + a_opts, '--vhost=' + sb], fwd='io'))
    be.wait_prompt()
    h.wait_for(lambda: os.path.exists(sa) and os.path.exists(sb), 10, 'vhost sockets')

    pb = h.track(h.Testpmd([h.virtio_user_vdev(sb),
                            'net_pcap0,rx_pcap=%s,tx_pcap=%s' % (pempty, pout)],
                           name='peerb', extra_app=['--no-flush-rx',
                                                    '--disable-device-start']))
    pb.wait_prompt()
    if VARIANT in ('csum', 'tso'):
        # virtio-user asks for GUEST_CSUM when RX L4 checksum offload is on,
        # for GUEST_TSO4/6 with LRO
        lines = ['port config 0 rx_offload tcp_cksum on',
                 'port config 0 rx_offload udp_cksum on']
        if VARIANT == 'tso':
            lines.append('port config 0 rx_offload tcp_lro on')
        for line in lines:
            out = pb.cmd(line)
            h.log('peer B: %s -> %s' % (line, out.strip().splitlines()[-1:] if out else ''))
    pb.cmd('port start all')
    pb.cmd('set fwd io')
    pb.cmd('start')

    pa = h.track(h.Testpmd(['net_pcap0,rx_pcap=%s,tx_pcap=%s' % (pin, pdummy),
                            h.virtio_user_vdev(sa)],
                           name='peera', extra_app=['--no-flush-rx', '--disable-device-start']))
    pa.wait_prompt()
    pa.cmd('set fwd csum')
    lines = ['csum set ip sw 1', 'csum set tcp hw 1', 'csum set udp hw 1']
    if VARIANT != 'off':
        # (without HOST_TSO the peer would mark frames TSO all the same)
        lines.append('tso set %d 1' % MSS)
    for line in lines:
        out = pa.cmd(line)
        h.log('peer A: %s -> %s' % (line, out.strip().splitlines()[-1:] if out else ''))
    pa.cmd('port start all')
    h.wait_for(lambda: be.link_up(0) and be.link_up(1), 30, 'both vhost links up',
               interval=0.3)
    be.cmd('start')
    js = h.wait_for(lambda: (lambda s: s if s and all(
        p.get('status') == 15 for p in s.get('ports', [])) else None)(be.state()),
        10, 'JSON: both ports DRIVER_OK', interval=0.3)
    fa = h.hex_int(js['ports'][0]['features'])
    fb = h.hex_int(js['ports'][1]['features'])
    h.log('port A negotiated: %s' % ' '.join(h.feature_names(fa)))
    h.log('port B negotiated: %s' % ' '.join(h.feature_names(fb)))
    if VARIANT == 'off':
        h.check(not (fa >> F_CSUM & 1) and not (fa >> F_HOST_TSO4 & 1),
                'port A (offloads=0): no CSUM, no HOST_TSO4')
    else:
        h.check(fa >> F_CSUM & 1 and fa >> F_HOST_TSO4 & 1,
                'port A: front-end took CSUM and HOST_TSO4')
    want_csum, want_tso = VARIANT in ('csum', 'tso'), VARIANT == 'tso'
    h.check(bool(fb >> F_GUEST_CSUM & 1) == want_csum and
            bool(fb >> F_GUEST_TSO4 & 1) == want_tso,
            'port B: GUEST_CSUM %s, GUEST_TSO4 %s' % (want_csum, want_tso))

    pa.cmd('start')
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        st = pb.port_stats()
        if st.get(1, {}).get('tx', 0) >= n_out:
            break
        time.sleep(0.3)
    pa.stop_fwd()
    pb.stop_fwd()
    be.cmd('stop')
    h.log('peer A ports: %s' % pa.port_stats())
    h.log('peer B ports: %s' % pb.port_stats())
    h.log('vhp ports: %s' % be.port_stats())
    js = be.state()
    rca = pa.quit()
    rcb = pb.quit()
    h.check(rca == 0 and rcb == 0, 'front-ends quit cleanly (%s %s)' % (rca, rcb))
    rc = be.quit()
    be.sanitizer_check()
    h.check(rc == 0, 'vhp-testpmd quit exits 0 (rc=%s)' % rc)

    out = h.read_pcap(pout)
    h.log('OUT: %d frames (want %d: %d inputs, %d of them over the MSS)'
          % (len(out), n_out, len(pkts), nseg))
    segmented = check_output(pkts, out, VARIANT in ('csum', 'tso'),
                             VARIANT in ('sw', 'csum'))
    if VARIANT == 'off':
        nseg = 0     # peer A cannot TSO: it sends 1460-byte segments
    elif VARIANT == 'tso':
        nseg = 0     # TSO frames go to peer B whole (GSO header)
    h.check(segmented == nseg, '%d TSO frames came out as segments' % segmented)
    js = be.state() or js
    for p in js['ports']:
        for vr in p.get('vrings', []):
            h.check(vr.get('bad_offload', 0) == 0 and vr.get('errors', 0) == 0,
                    'port %d vring %d: no bad_offload / errors' % (p['id'], vr['vring']))
    gso = js['ports'][1].get('gso', [{}])[0]
    h.log('port B software segmentation: %s' % gso)
    if VARIANT in ('sw', 'csum'):
        h.check(gso.get('packets') == nseg and gso.get('segments') == 2 * nseg
                and gso.get('dropped') == 0,
                'port B segmented %d TSO frames in software' % nseg)
    else:
        h.check(gso.get('packets', 0) == 0,
                'no software segmentation (%s)' % ('offloads=0 on port A' if VARIANT == 'off'
                                                   else 'peer B takes TSO frames'))


h.run(main)
