#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Two Linux guests on two vhost ports of one vhp-testpmd in `switch` mode
ping each other and move an 8 MB file over TCP (busybox nc); the file's
md5 must match at both ends.

Cases (argv[1]):
  on          every offload the guests and the port negotiate
  off=NAME[+NAME...]
              the port started with --vhost=...,features-off=NAME|...
              (both ports): no NAME may be negotiated. The names come from
              test/guest/meson.build (guest_offloads), so the list follows
              what the library offers. TSO6 cases move the file over IPv6,
              TSO4 cases over IPv4 (both when both are off), the others
              over IPv4.

Checks: both guests boot and ping each other (ARP and ICMP through the MAC
learning switch); the receiver's file has the sender's size and md5; our
JSON: both ports ran, every byte of the file crossed both ports
(rx/tx bytes >= the file), the guests were interrupted (notifications > 0
on both ports), no datapath or protocol errors; both guests power off;
vhp-testpmd exits 0.
"""

import re
import sys

import guest_harness as G

H = G.H
check = G.check
log = G.log

SIZE_MB = 8          # thousands of 64 KB TSO frames each way, in CI's time
PORT = 5001
NAME_TO_BIT = {v.lower(): k for k, v in H.FEATURE_NAMES.items()}
NAME_TO_BIT.update({'guest_ecn': 9, 'guest_ufo': 10, 'host_ecn': 13,
                    'host_ufo': 14})


def md5_of(out, what):
    m = re.search(r'\b([0-9a-f]{32})\s+/tmp/f', out)
    if not m:
        raise G.TestFailure('%s: no md5sum in:\n%s' % (what, out[-1000:]))
    return m.group(1)


def main(case):
    offs = []
    if case.startswith('off='):
        offs = case[4:].split('+')
        for off in offs:
            if off.lower() not in NAME_TO_BIT:
                raise G.TestFailure('unknown feature name %r (known: %s)' % (
                    off, ', '.join(sorted(NAME_TO_BIT))))
    elif case != 'on':
        raise G.TestFailure('bad case %r' % case)
    sa, sb = H.sock_path('ga'), H.sock_path('gb')
    suffix = ',features-off=%s' % '|'.join(offs) if offs else ''
    be = G.backend([sa + suffix, sb + suffix], 'switch')

    ga = G.Guest(sa, '10.0.0.2/24', name='guestA', mac='52:54:00:00:0a:02',
                 ip6='fd00::2/64')
    gb = G.Guest(sb, '10.0.0.3/24', name='guestB', mac='52:54:00:00:0a:03',
                 ip6='fd00::3/64')
    ga.wait_boot()
    gb.wait_boot()
    for i in (0, 1):
        p = G.wait_running(be, i, 20, 'port %d running' % i)
        f = H.hex_int(p['features'])
        log('port %d features: %s' % (i, ' '.join(H.feature_names(f))))
        for off in offs:
            check(not f >> NAME_TO_BIT[off.lower()] & 1,
                  'port %d: %s not negotiated' % (i, off.upper()))

    ga.ping('10.0.0.3')
    gb.ping('10.0.0.2')

    out = ga.sh_ok('dd if=/dev/urandom of=/tmp/f bs=1M count=%d 2>/dev/null'
                   ' && wc -c < /tmp/f && md5sum /tmp/f' % SIZE_MB, timeout=90)
    md5a = md5_of(out, 'guestA')
    check(str(SIZE_MB << 20) in out, 'guestA: %d MB file written' % SIZE_MB)
    # IPv4 and IPv6 with every offload on; the TSO6 cases over IPv6 (the
    # path they change), the others over IPv4.
    tso6 = any('tso6' in o.lower() for o in offs)
    tso4 = any('tso4' in o.lower() for o in offs)
    if not offs or (tso4 and tso6):
        families = ['10.0.0.3', 'fd00::3']
    elif tso6:
        families = ['fd00::3']
    else:
        families = ['10.0.0.3']
    for dst in families:
        gb.sh_ok('rm -f /tmp/f; nc -l -p %d > /tmp/f &' % PORT)
        gb.sh_ok('sleep 0.3')
        ga.sh_ok('nc %s %d < /tmp/f' % (dst, PORT), timeout=150)
        out = gb.sh_ok('wait; wc -c < /tmp/f; md5sum /tmp/f', timeout=60)
        md5b = md5_of(out, 'guestB')
        size_b = re.search(r'^\s*(\d+)\s*$', out, re.M)
        check(size_b is not None and int(size_b.group(1)) == SIZE_MB << 20,
              'to %s: guestB received %s bytes' % (
                  dst, size_b.group(1) if size_b else '?'))
        check(md5a == md5b, 'to %s: md5 equal at both ends (%s)' % (dst, md5a))
    moved = (SIZE_MB << 20) * len(families)
    # for the log: a slow transfer shows up as retransmitted segments
    tcp = [l.split()[1:] for l in
           ga.sh_ok('grep ^Tcp: /proc/net/snmp').splitlines() if l.startswith('Tcp:')]
    if len(tcp) == 2:
        t = dict(zip(tcp[0], tcp[1]))
        log('guestA TCP: OutSegs %s RetransSegs %s' % (t.get('OutSegs'),
                                                      t.get('RetransSegs')))

    # counters (the JSON is rewritten every second)
    def counted():
        st = be.state()
        if not st:
            return None
        qa, qb = (G.qstats(st['ports'][i]) for i in (0, 1))
        if qa.get('rx_bytes', 0) >= moved and qb.get('tx_bytes', 0) >= moved:
            return st
        return None
    st = H.wait_for(counted, 5, 'the transfer in the port counters')
    for i in (0, 1):
        p = st['ports'][i]
        q = G.qstats(p)
        log('port %d: %s' % (i, q))
        check(q.get('notifications', 0) > 0,
              'port %d: guest interrupts sent (%d, suppressed %d)' % (
                  i, q.get('notifications', 0),
                  q.get('notifications_suppressed', 0)))
        check(q.get('errors', 0) == 0 and p.get('protocol_errors', 0) == 0,
              'port %d: no datapath or protocol errors' % i)
    log('switch: %s' % {k: v for k, v in st.items()
                        if k.startswith('switch') or k == 'fwd_dropped'})

    ga.poweroff()
    gb.poweroff()
    for i in (0, 1):
        G.wait_stopped(be, i, 10, 'port %d stopped after power-off' % i)
    G.check_alive(be)
    G.stop_backend(be)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        print('usage: test_switch.py on|off=FEATURE[+FEATURE...]')
        sys.exit(2)
    G.run(lambda: main(sys.argv[1]))
