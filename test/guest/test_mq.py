#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Two queue pairs with a Linux guest: QEMU mq=on, queues=2, 2 vCPUs,
vhp-testpmd --vhost=PATH,queues=2 (icmpecho).

The guest image has no ethtool, so `ethtool -L` cannot be used; Linux's
virtio-net enables min(vCPUs, queue pairs) pairs by itself (through the
control queue, which QEMU handles: it sends SET_VRING_ENABLE for the second
pair). The guest then sends pings from each vCPU (taskset), and XPS maps
vCPU n to TX queue n; icmpecho answers on the queue it received on.

Checks: MQ negotiated, the guest shows rx-0/rx-1 and tx-0/tx-1; every
ping answered from both vCPUs; our per-queue counters show traffic on
both queue pairs in both directions and interrupts on both; after
power-off the port stops; vhp-testpmd exits 0.
"""


import guest_harness as G

H = G.H
check = G.check
log = G.log

F_MQ = 22


def main():
    sock = H.sock_path('guest')
    be = G.backend([sock + ',queues=2'], 'icmpecho')
    g = G.Guest(sock, '10.0.0.2/24', name='guest', queues=2, smp=2)
    g.wait_boot()
    p = G.wait_running(be, 0, 20, 'port running')
    f = H.hex_int(p['features'])
    check(f >> F_MQ & 1, 'MQ negotiated')
    check(p.get('queues') == 2, 'port has 2 queue pairs')
    out = g.sh_ok('ls /sys/class/net/eth0/queues')
    qs = sorted(out.split())
    check(qs == ['rx-0', 'rx-1', 'tx-0', 'tx-1'],
          'guest uses 2 queue pairs (%s)' % ' '.join(qs))
    for cpu in (0, 1):
        out = g.sh_ok('taskset %d ping -A -q -c 200 -W 5 10.0.0.1' % (1 << cpu),
                      timeout=90)
        check('200 packets transmitted, 200 packets received' in out,
              'vCPU %d: every ping answered' % cpu)

    def counted():
        st = be.state()
        qs = st['ports'][0].get('queue_stats', []) if st else []
        if len(qs) == 2 and all(q['rx_packets'] >= 150 and
                                q['tx_packets'] >= 150 for q in qs):
            return qs
        return None
    try:
        qs = H.wait_for(counted, 5, 'traffic on both queue pairs')
    except G.TestFailure:
        log('queue_stats: %s' % (be.port(0) or {}).get('queue_stats'))
        raise
    for q in qs:
        log('queue %d: %s' % (q['queue'], q))
        check(q['notifications'] > 0,
              'queue %d: guest interrupts sent (%d)' % (q['queue'],
                                                        q['notifications']))
    g.poweroff()
    G.wait_stopped(be, 0, 10, 'port stopped after power-off')
    check(be.port(0).get('protocol_errors', 0) == 0, 'no protocol errors')
    G.check_alive(be)
    G.stop_backend(be)


if __name__ == '__main__':
    G.run(main)
