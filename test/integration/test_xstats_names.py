#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""vhp-testpmd's counter names against DPDK's own net_vhost (issue #15).

DPDK's dpdk-testpmd runs a net_vhost port (DPDK's librte_vhost as
installed) with a dpdk-testpmd virtio-user front-end; its `show port
xstats 0` is the oracle. vhp-testpmd runs one vhost port with the same
front-end; its `show port xstats 0` must list every name net_vhost lists
(same spelling, per queue and direction) except the ones of features
vhostpath does not have (IOTLB, inflight tracking), for one and for two
queue pairs, and /vhp/port/xstats (telemetry) must give exactly the names
and values `show port xstats` prints.

Skips (77) when dpdk-testpmd is not installed.
"""
import os
import re
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
sys.path.insert(0, os.path.join(_HERE, '..', 'cli'))
import vhp_harness as h  # noqa: E402
import cli_common as c  # noqa: E402

# net_vhost counters of features vhostpath does not implement.
ABSENT = re.compile(r'^[rt]x_q\d+_(iotlb_hits|iotlb_misses|'
                    r'inflight_submitted|inflight_completed)$')


def names(text):
    return [m.group(1) for m in
            re.finditer(r'^\s*(\w+):\s+\d+\s*$', text, re.M)]


def values(text):
    return {m.group(1): int(m.group(2)) for m in
            re.finditer(r'^\s*(\w+):\s+(\d+)\s*$', text, re.M)}


def dpdk_names(queues):
    path = h.sock_path('netvhost')
    be = h.track(h.Testpmd(['net_vhost0,iface=%s,queues=%d' % (path, queues)],
                           name='netvhost', main_lcore=None, rxq=queues,
                           txq=queues))
    be.wait_prompt(60)
    h.wait_for(lambda: os.path.exists(path), 30, 'net_vhost socket')
    fe = h.track(h.peer(path, queues=queues))
    fe.wait_prompt(60)
    h.wait_for(lambda: re.search(r'Link status:\s*up',
                                 be.cmd('show port info 0')), 30,
               'net_vhost link up', interval=0.3)
    out = be.cmd('show port xstats 0')
    fe.quit()
    be.quit()
    return names(out)


def vhp_names(queues):
    path = h.sock_path()
    cli = c.Cli([path + ',queues=%d' % queues], name='xsnames')
    cli.wait_prompt()
    fe = h.track(h.peer(path, queues=queues))
    fe.wait_prompt(60)
    c.wait_connected(cli)
    out = cli.cmd('show port xstats 0')
    tel = c.Telemetry(cli.prefix)
    td = tel.query('/vhp/port/xstats,0')
    shown = values(cli.cmd('show port xstats 0'))
    tel.close()
    fe.quit()
    rc = cli.quit()
    h.check(rc == 0, 'vhp-testpmd quit (rc=%s)' % rc)
    return names(out), td, shown


def main():
    for q in (1, 2):
        theirs = dpdk_names(q)
        h.log('net_vhost, %d queue pair(s): %d names' % (q, len(theirs)))
        h.check(len(theirs) > 20 and 'rx_q0_good_packets' in theirs,
                'net_vhost lists its per-queue counters (%d names)'
                % len(theirs))
        ours, td, shown = vhp_names(q)
        want = [n for n in theirs if not ABSENT.match(n)]
        missing = [n for n in want if n not in ours]
        h.check(not missing, '%d queue pair(s): every net_vhost name with '
                'a vhostpath meaning is in show port xstats (missing: %s)'
                % (q, missing))
        h.check(len(set(ours)) == len(ours),
                '%d queue pair(s): no name twice' % q)
        h.check(sorted(td) == sorted(ours),
                '%d queue pair(s): /vhp/port/xstats has the names of show '
                'port xstats' % q)
        # Counters do not move without traffic: the same values.
        diff = [k for k in ours if td.get(k) != shown.get(k) and
                not k.startswith(('vring', 'q', 'connections'))]
        h.check(not diff, '%d queue pair(s): /vhp/port/xstats values equal '
                'show port xstats (differ: %s)' % (q, diff))


if __name__ == '__main__':
    h.run(main)
