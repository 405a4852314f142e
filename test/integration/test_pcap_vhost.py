#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Our pcap driver round trip: a pcap written here is replayed by
vhp-testpmd's --pcap port (port 0) into its --vhost port (port 1), through a
dpdk-testpmd virtio-user front-end looping its single port back (io fwd), and
captured by the --pcap port's tx= file. The output file must hold the input
packets, same order, byte for byte, and tcpdump must read it.

vhp-testpmd runs with -i: the peer is started (and our vhost link is up)
before `start`, so the replay only begins once the guest is ready.

Variant (argv[1]): split | jumbo (9000-byte frames; front-end mrg_rxbuf=1,
--max-pkt-len=9600, 10 KB mbufs)
"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vhp_harness as h  # noqa: E402

VARIANT = sys.argv[1] if len(sys.argv) > 1 else 'split'


def tcpdump_check(path, pkts):
    """tcpdump reads the file: one line per frame (-q -e: no decoding of the
    UDP/4789 payload as VXLAN), the right count and frame lengths in order."""
    n = len(pkts)
    exe = shutil.which('tcpdump')
    if not exe:
        print('NOTE: tcpdump not installed (usertools/vhp-deps installs it): '
              'tcpdump sub-check skipped', flush=True)
        return
    r = subprocess.run([exe, '-r', path, '-nn', '-q', '-e'], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    lines = [ln for ln in r.stdout.decode('utf-8', 'replace').splitlines() if ln.strip()]
    err = r.stderr.decode('utf-8', 'replace').strip()
    h.log('tcpdump -q -e: rc %d, %d lines, stderr %r' % (r.returncode, len(lines), err[-300:]))
    h.check(r.returncode == 0, 'tcpdump -r reads the output file (rc=%d)' % r.returncode)
    h.check(len(lines) == n, 'tcpdump prints %d packets (got %d lines)' % (n, len(lines)))
    pat = re.compile(r'^\d\d:\d\d:\d\d\.\d+ 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4, '
                     r'length (\d+): 10\.0\.0\.1\.\d+ > 10\.0\.0\.2\.4789: UDP')
    lens = []
    for ln in lines:
        m = pat.match(ln)
        lens.append(int(m.group(1)) if m else None)
    h.check(lens == [len(p) for p in pkts],
            'tcpdump decodes every frame (Ethernet/IPv4/UDP) with its length, in order')
    r = subprocess.run([exe, '-r', path, '--count'], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    out = r.stdout.decode('utf-8', 'replace')
    m = re.search(r'(\d+) packets?', out)
    h.check(r.returncode == 0 and m and int(m.group(1)) == n,
            'tcpdump --count: %r (want %d)' % (out.strip(), n))


def main():
    devargs = {}
    extra = []
    if VARIANT == 'split':
        sizes = [60, 64, 65, 128, 255, 511, 512, 1000, 1500, 1514]
        n = 200
    elif VARIANT == 'jumbo':
        sizes = [9000, 9000, 4000, 2049, 60]
        n = 100
        devargs['mrg_rxbuf'] = 1
        # net_virtio_user does not need scatter with 10 KB mbufs
        extra = ['--max-pkt-len=9600', '--mbuf-size=10240']
    else:
        raise SystemExit('unknown variant ' + VARIANT)
    d = h.tmpdir()
    pin = os.path.join(d, h.unique('in') + '.pcap')
    pout = os.path.join(d, h.unique('out') + '.pcap')
    pkts = h.make_packets(n, sizes, seed=7)
    h.check(len(set(pkts)) == n, '%d distinct input frames' % n)
    h.write_pcap(pin, pkts)
    path = h.sock_path()

    be = h.track(h.VhpInteractive(['--pcap=rx=%s,tx=%s' % (pin, pout),
                                   '--vhost=' + path], fwd='io'))
    be.wait_prompt()
    h.wait_for(lambda: os.path.exists(path), 10, 'vhost socket')
    h.check(not be.link_up(1), 'vhost port 1 link down before the front-end')
    pr = h.track(h.peer(path, devargs, extra_app=extra))
    pr.wait_prompt()
    pr.cmd('start')
    h.wait_for(lambda: be.link_up(1), 20, 'vhost port 1 link up', interval=0.3)
    h.check(True, 'vhost port 1 link up with the front-end forwarding')
    vp = h.wait_for(lambda: next((x for x in (be.state() or {}).get('ports', [])
                                  if x.get('id') == 1 and x.get('status') == 15), None),
                    10, 'JSON: port 1 DRIVER_OK', interval=0.3)
    feats = h.hex_int(vp['features'])
    h.log('port 1 negotiated: %s' % ' '.join(h.feature_names(feats)))
    h.check(vp['driver'] == 'vhost' and vp['ring'] == 'split', 'port 1: vhost, split ring')
    if 'mrg_rxbuf' in devargs:
        h.check(bool(feats >> h.F_MRG_RXBUF & 1) == bool(devargs['mrg_rxbuf']),
                'MRG_RXBUF as requested (%s)' % devargs['mrg_rxbuf'])
    st = be.port_stats()
    h.check(st[0]['rx'] == 0 and st[0]['tx'] == 0,
            'nothing replayed before start (%s)' % st[0])
    be.cmd('start')
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        st = be.port_stats()
        if st.get(0, {}).get('tx', 0) >= n:
            break
        time.sleep(0.3)
    be.cmd('stop')
    st = be.port_stats()
    h.log('vhp-testpmd ports: %s' % st)
    pr.stop_fwd()
    ps = pr.port_stats()
    h.log('front-end ports: %s' % ps)
    rc = pr.quit()           # the front-end first: it dies of SIGPIPE
    h.check(rc == 0, 'front-end quit cleanly (rc=%s)' % rc)   # if we go first
    rc = be.quit()
    be.sanitizer_check()
    h.check(rc == 0, 'vhp-testpmd quit exits 0 (rc=%s)' % rc)
    js = be.state()
    h.check(js is not None, 'final stats JSON')
    pp = next(x for x in js['ports'] if x.get('id') == 0)
    h.log('pcap port JSON: %s' % {k: pp.get(k) for k in (
        'rx_packets_loaded', 'rx_next', 'rx_done', 'rx_truncated', 'rx_alloc_failed', 'tx_error')})
    h.check(pp.get('rx_packets_loaded') == n and pp.get('rx_done') is True
            and not pp.get('rx_truncated') and pp.get('tx_error') is None,
            'pcap port: %d loaded, replay done, nothing truncated, no TX error' % n)
    h.check(st[0]['rx'] == n, 'pcap port replayed %d packets (%d)' % (n, st[0]['rx']))
    h.check(st[1]['tx'] == n and st[1]['rx'] == n,
            'vhost port sent and got back %d packets (tx %d rx %d)' % (n, st[1]['tx'], st[1]['rx']))
    h.check(ps[0]['rx'] == n and ps[0]['tx'] == n,
            'front-end looped %d packets (rx %d tx %d)' % (n, ps[0]['rx'], ps[0]['tx']))
    out = h.read_pcap(pout)
    h.check(len(out) == n, 'all %d packets in the output pcap (got %d)' % (n, len(out)))
    bad = [i for i, (a, b) in enumerate(zip(pkts, out)) if a != b]
    if bad:
        i = bad[0]
        h.log('first mismatch at packet %d: sent %d bytes, got %d' % (i, len(pkts[i]), len(out[i])))
    h.check(not bad, 'packets identical, in order (%d mismatches)' % len(bad))
    tcpdump_check(pout, pkts)


h.run(main)
