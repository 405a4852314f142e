#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Software TX offloads of the pcap and ethdev port drivers (sw_offload.c).

    peer A (dpdk-testpmd, csum fwd)        vhp-testpmd (io)
    net_pcap rx=IN -> virtio-user  -->  --vhost (port 0) --> port 1 --> OUT
                      (hw TCP/UDP checksum, TSO 1400)

Peer A's virtio-user negotiates CSUM and HOST_TSO4/6 with our vhost port
and sends partial checksums and TSO frames (TCP/IPv4 and TCP/IPv6 of up to
1460 bytes of payload, MSS 1400; UDP/IPv4): our dequeue turns them into
mbuf TX offload requests, forwarded to port 1, which cannot do them and must
finish them in software before they leave:

- variant pcap: port 1 is `--pcap=tx=OUT` (our pcap driver);
- variant ethdev: port 1 is `--ethdev=net_pcap...,tx_pcap=OUT` (DPDK's
  pcap PMD through our ethdev driver: no TX offload capability, so all in
  software; the start-up line must say so);
- variant ethdev-off: the same with `;tx-offloads=0`.
- variant ethdev-hw: port 1 is `--ethdev=net_virtio_user...` connected to
  a second vhp-testpmd (vhost port 0 -> io -> `--pcap=tx=OUT`): virtio-user
  has checksum and TSO offloads (the second vhost port offers them), so our
  ethdev port enables them (TCP/UDP checksum, TSO in hardware, IPv4 header
  checksum in software, as it prints), sends the TSO frames whole with GSO
  headers and segments nothing itself; the second process's pcap port
  finishes them. This is the ethdev hardware path; net_null/net_ring have
  no TX offload to exercise it.
- variant ethdev-hwcsum: the same, the second vhost port not offering
  HOST_TSO4/6: virtio-user has checksum offload but no TSO, so our ethdev
  port segments the TSO frames in software, computes the IPv4 header
  checksums of the IPv4 segments and leaves the TCP/UDP checksums to the
  device (pseudo-header sum in the field); the second pcap port finishes
  those.
- variant flood: `switch` forwarding to two `--pcap=tx=` ports: the engine
  floods the frames (unknown destination) as shared mbufs (refcnt 2), whose
  data must not be written: each is copied before its checksums are
  finished (JSON `copied`) or segmented; both files must be valid and hold
  the same frames.

Every frame of OUT must be a real frame: IPv4 header checksum and TCP/UDP
checksum valid, no TCP frame longer than MSS + headers, IPv4 total length /
IPv6 payload length right, the segments of each TSO frame with continuous
sequence numbers whose payloads concatenate to the original payload. The
port's JSON `gso` entry must count the segmented packets, the segments, the
checksums finished and no drop.
"""
import os
import re
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhp_harness as h  # noqa: E402
from offload_frames import csum16, phdr, parse, build, l4_payload  # noqa: E402

VARIANT = sys.argv[1] if len(sys.argv) > 1 else 'pcap'
MSS = 1400
F_CSUM, F_HOST_TSO4, F_HOST_TSO6 = 0, 11, 12


def inputs():
    """TCP/IPv4, TCP/IPv6 (both sometimes over the MSS) and UDP/IPv4."""
    pkts = []
    seq = 5000
    sizes = [1460, 100, 1401, 700, 1460, 1200, 64, 1430]
    for i in range(60):
        kind = ('tcp4', 'tcp6', 'udp4', 'tcp6', 'tcp4')[i % 5]
        n = sizes[i % len(sizes)]
        pay = bytes((i * 37 + j * 11 + (j >> 7)) & 0xff for j in range(n))
        pkts.append((kind, build(kind, pay, seq, i + 1)))
        seq += n
    return pkts


def frame_problems(s):
    """What is wrong with frame s as it would be on a wire."""
    bad = []
    v, off, proto, co = parse(s)
    if v == 4:
        if csum16(s[14:off]) != 0xffff:
            bad.append('bad IPv4 header checksum')
        if struct.unpack('!H', s[16:18])[0] != len(s) - 14:
            bad.append('IPv4 total length %d for a %d-byte frame'
                       % (struct.unpack('!H', s[16:18])[0], len(s)))
    elif struct.unpack('!H', s[18:20])[0] != len(s) - 54:
        bad.append('IPv6 payload length wrong')
    if csum16(s[off:], phdr(s, len(s) - off)) != 0xffff:
        bad.append('bad %s checksum' % ('TCP' if proto == 6 else 'UDP'))
    if proto == 17 and struct.unpack('!H', s[co:co + 2])[0] == 0:
        bad.append('UDP checksum 0 (none)')
    if proto == 6:
        hl = (s[off + 12] >> 4) * 4
        if len(s) - off - hl > MSS:
            bad.append('TCP frame of %d bytes: %d bytes of payload > MSS %d'
                       % (len(s), len(s) - off - hl, MSS))
    return bad


def check_output(pkts, out):
    """Every input, in order, as one frame or as its TSO segments."""
    i = 0
    bad = []
    segmented = 0
    for kind, frame in pkts:
        pay = l4_payload(frame)
        v, off, proto, co = parse(frame)
        need = 1 if (proto != 6 or len(pay) <= MSS) else (len(pay) + MSS - 1) // MSS
        if i + need > len(out):
            bad.append('%s (%d bytes): missing' % (kind, len(frame)))
            break
        segs = out[i:i + need]
        i += need
        segmented += need > 1
        seq0 = struct.unpack('!I', frame[off + 4:off + 8])[0] if proto == 6 else 0
        pos = 0
        for k, s in enumerate(segs):
            for p in frame_problems(s):
                bad.append('%s (%d bytes) frame %d/%d: %s' % (kind, len(frame), k + 1, need, p))
            if proto == 6:
                sq = struct.unpack('!I', s[off + 4:off + 8])[0]
                if sq != seq0 + pos:
                    bad.append('%s frame %d/%d: seq %d, want %d (payload not continuous)'
                               % (kind, k + 1, need, sq, seq0 + pos))
                fl = s[off + 13]
                if k + 1 < need and fl & 0x09:
                    bad.append('%s frame %d/%d: FIN/PSH before the last segment'
                               % (kind, k + 1, need))
            # (peer A's csum engine rewrites the MAC addresses)
            if s[12:14] != frame[12:14]:
                bad.append('%s frame %d/%d: ethertype changed' % (kind, k + 1, need))
            pos += len(l4_payload(s))
        got = b''.join(l4_payload(s) for s in segs)
        if got != pay:
            bad.append('%s: payload differs (%d vs %d bytes over %d frames)'
                       % (kind, len(got), len(pay), need))
    h.check(i == len(out), 'no extra frames in OUT (%d used of %d)' % (i, len(out)))
    for b in bad[:12]:
        h.log('  ' + b)
    h.check(not bad, 'all %d packets arrive as valid frames (%d problems)' % (len(pkts), len(bad)))
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
    big = [(k, f) for k, f in pkts if k != 'udp4' and len(l4_payload(f)) > MSS]
    nseg = len(big)
    nseg4 = sum(1 for k, _ in big if k == 'tcp4')
    n_out = len(pkts) + nseg
    n_csum = len(pkts) - nseg + 2 * nseg
    sa = h.sock_path('a')

    be2 = None
    ports, fwd = None, 'io'
    pout2 = os.path.join(d, h.unique('out2') + '.pcap')
    if VARIANT == 'pcap':
        p1 = '--pcap=tx=' + pout
    elif VARIANT == 'flood':
        p1 = '--pcap=tx=' + pout
        ports, fwd = ['--vhost=' + sa, p1, '--pcap=tx=' + pout2], 'switch'
    elif VARIANT in ('ethdev-hw', 'ethdev-hwcsum'):
        sb = h.sock_path('b')
        opts = ',features-off=host_tso4|host_tso6' if VARIANT == 'ethdev-hwcsum' else ''
        be2 = h.track(h.VhpInteractive(['--vhost=' + sb + opts, '--pcap=tx=' + pout],
                                       fwd='io', name='vhp2'))
        be2.wait_prompt()
        h.wait_for(lambda: os.path.exists(sb), 10, 'second vhost socket')
        p1 = '--ethdev=net_virtio_user_swol0,path=%s,queue_size=1024' % sb
    elif VARIANT in ('ethdev', 'ethdev-off'):
        p1 = '--ethdev=net_pcap_swol0,rx_pcap=%s,tx_pcap=%s' % (pempty, pout)
        if VARIANT == 'ethdev-off':
            p1 += ';tx-offloads=0'
    else:
        raise SystemExit('unknown variant ' + VARIANT)
    be = h.track(h.VhpInteractive(ports or ['--vhost=' + sa, p1], fwd=fwd))
    be.wait_prompt()
    h.wait_for(lambda: os.path.exists(sa), 10, 'vhost socket')
    if be2 is not None:
        m = re.search(r'Port 1: ethdev \S+: TX offloads in hardware: ([^;]*); '
                      r'in software: ([^\n]*)', be.output())
        h.log('ethdev offload line: %s' % (m.group(0) if m else None))
        if VARIANT == 'ethdev-hw':
            h.check(m is not None and 'tcp_cksum udp_cksum tso4 tso6' in m.group(1),
                    'ethdev virtio-user port: TCP/UDP checksum and TSO in hardware')
        else:
            h.check(m is not None and m.group(1) == 'tcp_cksum udp_cksum' and
                    m.group(2) == 'ipv4_cksum tso4 tso6',
                    'ethdev virtio-user port: TCP/UDP checksum in hardware, TSO in software')
        h.wait_for(lambda: be2.link_up(0), 30, 'second vhost link up', interval=0.3)
        be2.cmd('start')
    elif VARIANT.startswith('ethdev'):
        m = re.search(r'Port 1: ethdev \S+: TX offloads in hardware: ([^;]*); '
                      r'in software: ([^\n]*)', be.output())
        h.log('ethdev offload line: %s' % (m.group(0) if m else None))
        h.check(m is not None and m.group(1) == 'none' and
                m.group(2).startswith('ipv4_cksum tcp_cksum udp_cksum tso4 tso6') and
                (('(tx-offloads=0)' in m.group(2)) == (VARIANT == 'ethdev-off')),
                'ethdev port says: no TX offload in hardware (net_pcap has none), '
                'all in software')

    pa = h.track(h.Testpmd(['net_pcap0,rx_pcap=%s,tx_pcap=%s' % (pin, pdummy),
                            h.virtio_user_vdev(sa)],
                           name='peera', extra_app=['--no-flush-rx', '--disable-device-start']))
    pa.wait_prompt()
    pa.cmd('set fwd csum')
    for line in ['csum set ip sw 1', 'csum set tcp hw 1', 'csum set udp hw 1',
                 'tso set %d 1' % MSS]:
        out = pa.cmd(line)
        h.log('peer A: %s -> %s' % (line, out.strip().splitlines()[-1:] if out else ''))
    pa.cmd('port start all')
    h.wait_for(lambda: be.link_up(0), 30, 'vhost link up', interval=0.3)
    be.cmd('start')
    js = h.wait_for(lambda: (lambda s: s if s and s.get('ports') and
                             s['ports'][0].get('status') == 15 else None)(be.state()),
                    10, 'JSON: vhost port DRIVER_OK', interval=0.3)
    fa = h.hex_int(js['ports'][0]['features'])
    h.log('vhost port negotiated: %s' % ' '.join(h.feature_names(fa)))
    h.check(fa >> F_CSUM & 1 and fa >> F_HOST_TSO4 & 1,
            'front-end took CSUM and HOST_TSO4')
    tso6 = bool(fa >> F_HOST_TSO6 & 1)
    h.log('IPv6 TSO %s' % ('negotiated (HOST_TSO6): checked too' if tso6 else
                           'NOT negotiated: IPv6 frames arrive pre-segmented'))

    pa.cmd('start')
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        st = be.port_stats()
        # (ethdev-hw: port 1 sends the TSO frames whole)
        if st.get(1, {}).get('tx', 0) >= (len(pkts) if VARIANT == 'ethdev-hw' else n_out):
            break
        time.sleep(0.3)
    pa.stop_fwd()
    be.cmd('stop')
    h.log('peer A ports: %s' % pa.port_stats())
    st = be.port_stats()
    h.log('vhp ports: %s' % st)
    if be2 is not None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            st2 = be2.port_stats()
            if st2.get(1, {}).get('tx', 0) >= n_out:
                break
            time.sleep(0.3)
        be2.cmd('stop')
        h.log('second vhp ports: %s' % be2.port_stats())
        js2 = be2.state()       # (written at stop, while still connected)
    rca = pa.quit()
    h.check(rca == 0, 'front-end quits cleanly (%s)' % rca)
    rc = be.quit()
    be.sanitizer_check()
    h.check(rc == 0, 'vhp-testpmd quit exits 0 (rc=%s)' % rc)
    js = be.state() or js
    if be2 is not None:
        rc = be2.quit()
        be2.sanitizer_check()
        h.check(rc == 0, 'second vhp-testpmd quit exits 0 (rc=%s)' % rc)
        js2['ports'][1] = (be2.state() or js2)['ports'][1]
        f2 = h.hex_int(js2['ports'][0]['features'])
        h.log('second vhost port negotiated: %s' % ' '.join(h.feature_names(f2)))
        tso = VARIANT == 'ethdev-hw'
        h.check(f2 >> F_CSUM & 1 and bool(f2 >> F_HOST_TSO4 & 1) == tso and
                bool(f2 >> F_HOST_TSO6 & 1) == tso,
                'our ethdev virtio-user negotiated CSUM%s (hardware offloads on)'
                % (', HOST_TSO4/6' if tso else ', no TSO'))
        for vr in js2['ports'][0].get('vrings', []):
            h.check(vr.get('bad_offload', 0) == 0 and vr.get('errors', 0) == 0,
                    'second vhost vring %d: no bad_offload / errors' % vr['vring'])

    out = h.read_pcap(pout)
    h.log('OUT: %d frames (want %d: %d inputs, %d of them over the MSS, %d IPv4 %d IPv6)'
          % (len(out), n_out, len(pkts), nseg, nseg4, nseg - nseg4))
    h.check(len(out) == n_out, 'OUT has %d frames (%d)' % (n_out, len(out)))
    if VARIANT == 'flood':
        out2 = h.read_pcap(pout2)
        h.check(out2 == out, 'both flooded ports wrote the same %d frames (%d)'
                % (len(out), len(out2)))
        copied = [(p.get('gso') or [{}])[0].get('copied') for p in js['ports'][1:3]]
        h.log('copied per pcap port: %s' % copied)
        h.check(sum(copied) == len(pkts) - nseg,
                'the %d shared packets not segmented were copied once before their '
                'checksums were written (%s)' % (len(pkts) - nseg, copied))
        p2 = (js['ports'][2].get('gso') or [{}])[0]
        h.check(p2.get('packets') == nseg and p2.get('dropped') == 0,
                'port 2 segmented %d TSO frames too, dropped nothing' % nseg)
    segmented = check_output(pkts, out)
    h.check(segmented == nseg, '%d TSO frames came out as segments (%d: %d IPv4, %d IPv6)'
            % (nseg, segmented, nseg4, nseg - nseg4))
    p1j = js['ports'][1]
    gso = (p1j.get('gso') or [{}])[0]
    h.log('port 1 (%s) software offloads: %s' % (p1j.get('driver'), gso))
    if VARIANT == 'ethdev-hw':
        h.check(gso.get('packets') == 0 and gso.get('csum') == 0 and gso.get('dropped') == 0,
                'ethdev port: nothing done in software (the device did it)')
    elif VARIANT == 'ethdev-hwcsum':
        h.check(gso.get('packets') == nseg and gso.get('segments') == 2 * nseg and
                gso.get('csum') == 2 * nseg4 and gso.get('dropped') == 0,
                'ethdev port: %d TSO frames segmented in software, IPv4 header checksum '
                'of their %d IPv4 segments' % (nseg, 2 * nseg4))
    if be2 is not None:
        h.log('ethdev JSON: tx_offload_capa %s tx_offloads %s'
              % (p1j.get('tx_offload_capa'), p1j.get('tx_offloads')))
        # the segmentation and checksums happened at the second pcap port
        p1j = js2['ports'][1]
        gso = (p1j.get('gso') or [{}])[0]
        h.log('second pcap port software offloads: %s' % gso)
        if VARIANT == 'ethdev-hwcsum':
            nseg = 0    # (already segments when they reach it)
    h.check(gso.get('packets') == nseg and gso.get('segments') == 2 * nseg,
            'port 1 JSON gso: %d packets segmented into %d segments' % (nseg, 2 * nseg))
    h.check(gso.get('csum') == n_csum,
            'port 1 JSON gso: checksums finished for %d packets (%s)' % (n_csum, gso.get('csum')))
    h.check(gso.get('dropped') == 0 and (VARIANT == 'flood' or gso.get('copied') == 0),
            'port 1 JSON gso: nothing dropped%s' % ('' if VARIANT == 'flood' else
                                                   ', nothing copied'))
    if VARIANT in ('ethdev', 'ethdev-off'):
        h.check(p1j.get('tx_offloads') in ('0x0', 0) and
                p1j.get('tx_hw_offloads') == (VARIANT == 'ethdev'),
                'ethdev JSON: tx_offloads 0, tx_hw_offloads %s' % (VARIANT == 'ethdev'))
    for vr in js['ports'][0].get('vrings', []):
        h.check(vr.get('bad_offload', 0) == 0 and vr.get('errors', 0) == 0,
                'vhost vring %d: no bad_offload / errors' % vr['vring'])


h.run(main)
