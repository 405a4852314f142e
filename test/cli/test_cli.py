#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""vhp-testpmd's interactive command line (-i) and telemetry commands.

Modes (argv[1]):
  basic      through a pipe, no front-end: help lists every command,
             show config fwd / port info / vhost, set fwd, start/stop with
             "please stop forwarding first", bad commands keep the prompt,
             port stop/start removes and recreates the socket, quit exits 0
             and removes the socket.
  eof        end of piped input quits cleanly (exit 0, JSON written).
  file       --cmdline-file without -i: the file's commands run, then
             forwarding starts and runs until --duration.
  pty-ctrl-c Ctrl-C typed on the terminal quits with exit 0.
  pty        through a pseudo-terminal: tab completion of a command and of
             a forwarding mode, history (up arrow), SIGINT quits with exit
             0, JSON written and socket removed.
  traffic    dpdk-testpmd virtio-user front-end: show vhost before and
             after it connects, set fwd macswap + start, the peer's
             start tx_first, show port stats/xstats count packets, stop
             prints the forward statistics.
  telemetry  /vhp/ports, /vhp/port/stats,0, /vhp/port/xstats,0 and
             /vhp/vhost/info,0 read from the EAL telemetry socket of a
             running instance, with a front-end connected.
  testpmd    (issue #15) testpmd commands: show|clear fwd stats all, show
             port summary all, show config rxtx, set verbose, set log,
             set xstats-hide-zero, "not supported by vhp-testpmd" + why,
             port stop 7 says invalid port first, --help before "--"
             prints EAL's and our options.
  counting   one counting base: after clear port stats (forwarding on),
             stop's port RX, the accumulated RX and the cycles line's
             total count the same packets; txonly reports Mpps TX; DPDK's
             per-queue names count broadcast 64-byte frames.
  switch     io mode: show mac table says ageing 300 s, clear mac table
             works, static entries (mac table add/del) survive clear and
             refuse while switch runs; switch with a lone port: stop's
             RX-dropped equals the switch's dropped + filtered.
  events     pty: a connect is one "link up" line, no protocol trace, the
             prompt redrawn after it; a disconnect "link down"; set verbose
             1 brings the vring lines and the trace back; TAB on a port
             argument offers all and the ids; quit prints no new prompt.
  runtime    port attach/detach while the other port forwards, mac_addr
             set, set eth-peer.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_common as c  # noqa: E402
from cli_common import h  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else 'basic'


def num(text, key):
    m = re.search(re.escape(key) + r':?\s+(\d+)', text)
    if not m:
        raise h.TestFailure('%r not found in:\n%s' % (key, text))
    return int(m.group(1))



def expect(cli, command, text, what, **kw):
    """Run @command at the prompt (cli.cmd's keywords), check that its
    output holds @text; return the output."""
    out = cli.cmd(command, **kw)
    h.check(text in out, what)
    return out

def mode_basic():
    path = h.sock_path()
    cli = c.Cli([path])
    cli.wait_prompt()
    h.check(os.path.exists(path), 'server socket created at launch')
    st = h.wait_for(cli.state, 10, 'stats JSON')
    h.check(st['running'] is False,
            'with -i forwarding does not start before "start"')

    out = cli.cmd('help')
    missing = [x for x in c.list_commands() if x not in out]
    h.check(not missing, 'help lists every command (missing: %s)' % missing)
    h.check('Forwarding modes: io mac macswap rxonly txonly' in out or
            re.search(r'Forwarding modes: .*\bmacswap\b', out),
            'help lists the forwarding modes from the engine table')

    out = expect(cli, 'show config fwd', 'io packet forwarding - ports=1 - cores=1 - streams=1', 'show config fwd: mode, ports, cores, streams')
    h.check('RX P=0/Q=0' in out and 'TX P=0/Q=0' in out,
            'show config fwd: stream 0/0 -> 0/0')
    h.check('forwarding=stopped' in out, 'show config fwd: stopped')

    out = cli.cmd('show mac table')
    h.check('MAC address' in out and '0 entries' in out,
            'show mac table: header and an empty table')
    out = expect(cli, 'clear mac table', 'MAC table cleared', 'clear mac table while stopped')

    out = expect(cli, 'show port info 0', 'Infos for port 0', 'show port info: testpmd header')
    h.check('Driver name: vhost' in out and 'Device name: %s' % path in out,
            'show port info: driver and socket path')
    h.check('Link status: down' in out, 'show port info: link down')

    out = cli.cmd('show vhost 0')
    h.check('Socket path: %s' % path in out, 'show vhost: socket path')
    h.check('Mode: server' in out and 'Connected: no' in out,
            'show vhost: server mode, not connected')
    h.check(re.search(r'Features offered: 0x[0-9a-f]+ .*VERSION_1', out),
            'show vhost: offered features by name')

    # Errors keep the prompt.
    out = expect(cli, 'frobnicate now', 'Command not found', 'unknown command: "Command not found"')
    out = expect(cli, 'show port stats 9', "Invalid port id '9'", 'bad port id: message')
    out = expect(cli, 'show port info x1', "Invalid port id 'x1'", 'non-numeric port id: message')
    out = expect(cli, 'set burst 0', 'Invalid burst 0', 'set burst 0 refused')
    out = expect(cli, 'set fwd nosuchmode', 'Bad arguments', 'unknown forwarding mode refused')
    out = expect(cli, 'set txpkts 10', 'Invalid txpkts total 10', 'set txpkts 10 refused')
    out = expect(cli, 'set nbcore 5', 'Invalid number of forwarding cores 5', 'set nbcore beyond the worker lcores refused')
    h.check(cli.alive(), 'still running after the bad commands')

    out = expect(cli, 'set fwd macswap', 'Set macswap packet forwarding mode', 'set fwd macswap')
    out = expect(cli, 'set burst 64', 'set to 64', 'set burst 64')
    out = expect(cli, 'set txpkts 60,4', 'txpkts set to 64 bytes', 'set txpkts 60,4 sums segments')
    out = expect(cli, 'set promisc all off', 'promiscuous mode is always on', 'set promisc accepted')
    out = cli.cmd('show config fwd')
    h.check('macswap packet forwarding' in out and 'burst=64' in out,
            'show config fwd reflects set fwd/burst')

    out = expect(cli, 'start', 'macswap packet forwarding', 'start prints the config')
    h.wait_for(lambda: (cli.state() or {}).get('running') is not None, 5,
               'JSON')
    for line, what in (('set fwd io', 'set fwd'), ('set burst 8', 'set burst'),
                       ('set txpkts 64', 'set txpkts'),
                       ('set nbcore 1', 'set nbcore'),
                       ('port stop 0', 'port stop')):
        out = expect(cli, line, 'please stop forwarding first', '%s while forwarding: "please stop forwarding first"' % what)
    out = expect(cli, 'start', 'already started', 'second start: already started')
    out = cli.cmd('stop')
    h.check('Forward statistics for port 0' in out and
            'Accumulated forward statistics for all ports' in out,
            'stop prints the forward statistics')
    out = expect(cli, 'stop', 'Packet forwarding not started', 'second stop: not started')

    out = expect(cli, 'port stop 0', 'Done', 'port stop 0')
    h.wait_for(lambda: not os.path.exists(path), 5, 'socket removed')
    h.check(True, 'port stop removes the server socket')
    out = expect(cli, 'start', 'port 0 is stopped', 'start refused while a port is stopped')
    out = expect(cli, 'show vhost 0', 'stopped', 'show vhost of a stopped port')
    out = cli.cmd('port start 0')
    h.check('Done' in out and os.path.exists(path),
            'port start 0 recreates the socket')

    rc = cli.quit()
    h.check(rc == 0, 'quit exits 0 (rc=%s)' % rc)
    h.check('Bye.' in cli.output(), 'quit closes the ports ("Bye.")')
    h.check(not os.path.exists(path), 'socket removed at exit')
    h.check(cli.state() is not None, 'stats JSON written')


def mode_eof():
    path = h.sock_path()
    cli = c.Cli([path], extra_app=['--auto-start'])
    cli.wait_prompt()
    out = expect(cli, 'show config fwd', 'io packet forwarding', 'command before EOF runs')
    h.check('forwarding=started' in out, '--auto-start with -i: forwarding '
            'started at launch')
    cli.write('show port info 0')     # no newline: runs at end of input
    cli.close_stdin()
    rc = cli.wait_exit()
    h.check(rc == 0, 'end of input quits with exit 0 (rc=%s)' % rc)
    h.check('Infos for port 0' in cli.output(),
            'unterminated last line runs at end of input')
    h.check(not os.path.exists(path), 'socket removed at exit')
    h.check('Accumulated forward statistics' in cli.output(),
            'forwarding stopped with statistics at end of input')


def mode_file():
    path = h.sock_path()
    cmds = os.path.join(h.tmpdir(), 'cmds.txt')
    with open(cmds, 'w') as f:
        f.write('set fwd rxonly\nset burst 16\nbogus command\n'
                'show config fwd\n')
    cli = c.Cli([path], extra_app=['--cmdline-file=' + cmds,
                                   '--duration=2'], interactive=False)
    rc = cli.wait_exit(40)
    out = cli.output()
    h.check(rc == 0, 'exits 0 after --duration (rc=%s)' % rc)
    h.check('Read CLI commands from %s' % cmds in out, 'file announced')
    h.check('Set rxonly packet forwarding mode' in out, 'set fwd from file')
    h.check('Command not found' in out, 'bad line in the file reported')
    h.check(re.search(r'rxonly packet forwarding .*\n(.*\n)*burst=16', out),
            'show config fwd from the file sees the settings')
    h.check('Forwarding started (rxonly mode, burst 16)' in out,
            'without -i forwarding starts after the file')
    h.check('Accumulated forward statistics' in out,
            'forward statistics at the end of --duration')


def mode_pty():
    path = h.sock_path()
    cli = c.Cli([path], use_pty=True)
    cli.wait_prompt()
    out = cli.cmd('hel\t', eol='\r')
    h.check('show vhost stats all|P' in out, 'TAB completes "hel" to help')
    out = expect(cli, 'set fwd macs\t', 'Set macswap packet forwarding mode', 'TAB completes a forwarding mode from the engine table', eol='\r')
    out = expect(cli, 'show config fwd', 'macswap packet forwarding', 'mode set', eol='\r')
    out = expect(cli, 'set fwd io', 'Set io packet forwarding mode', 'set fwd io', eol='\r')
    # Up twice recalls "show config fwd" (the line is redrawn with the
    # prompt on each key, so wait for the command's output instead).
    start = len(cli.output())
    cli.write('\x1b[A\x1b[A\r')
    cli.wait_text('io packet forwarding', 10, start)
    h.check(True, 'history: up arrow recalls an earlier command')
    cli.cmd('start', eol='\r')
    h.wait_for(lambda: (cli.state() or {}).get('running') is True, 10,
               'running in JSON')
    cli.interrupt()
    rc = cli.wait_exit()
    h.check('Bye.' in cli.output(), 'ports closed after SIGINT ("Bye.")')
    h.check(rc == 0, 'SIGINT at the prompt: exit 0 (rc=%s)' % rc)
    out = cli.output()
    h.check('Signal 2 received' in out, 'SIGINT reported')
    h.check('Accumulated forward statistics' in out,
            'forwarding stopped with statistics on SIGINT')
    h.check(not os.path.exists(path), 'socket removed after SIGINT')
    st = cli.state()
    h.check(st is not None and st['running'] is False,
            'final JSON written (running false)')


def mode_traffic():
    path = h.sock_path()
    cli = c.Cli([path])
    cli.wait_prompt()
    out = expect(cli, 'show vhost 0', 'Connected: no', 'show vhost before the peer: not connected')
    peer = h.track(h.peer(path))
    peer.wait_prompt()
    out = c.wait_connected(cli)
    h.check('Device status: 0x0f ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK'
            in out, 'show vhost: status 0x0f by name')
    h.check(re.search(r'Features: 0x[0-9a-f]+ .*VERSION_1', out) and
            'PROTOCOL_FEATURES' in out, 'show vhost: negotiated features '
            'by name')
    h.check(re.search(r'Protocol features: 0x0*[1-9a-f][0-9a-f]* \w', out),
            'show vhost: protocol features by name')
    h.check('Ring format: split' in out, 'show vhost: split ring')
    h.check(re.search(r'vring 0 .*size 1024', out) and
            re.search(r'vring 1 .*size 1024', out),
            'show vhost: both vrings with their size')
    h.check('avail idx' in out and 'last_used' in out and 'kicks' in out,
            'show vhost: ring indexes and notification counters')

    h.check('Set macswap' in cli.cmd('set fwd macswap'), 'set fwd macswap')
    cli.cmd('start')
    cli.cmd('show port stats all')     # rates start from here
    peer.cmd('set fwd io')
    peer.cmd('start tx_first')
    c.sleep(2)
    out = cli.cmd('show port stats all')
    rx, tx = num(out, 'RX-packets'), num(out, 'TX-packets')
    h.log('show port stats: RX %d TX %d' % (rx, tx))
    h.check(rx > 1000 and tx > 1000, 'show port stats: packets both ways')
    h.check('Throughput (since last show)' in out and
            num(out, 'Rx-pps') > 0, 'show port stats: Rx-pps since last show')
    out = cli.cmd('show port xstats 0')
    h.check(num(out, 'rx_q0_packets') > 0 and num(out, 'vring1_packets') > 0,
            'show port xstats: per-queue and per-vring counters')
    out = cli.cmd('show vhost stats 0')
    h.check(re.search(r'packets [1-9]', out), 'show vhost stats: packets')
    out = expect(cli, 'stop', 'Forward statistics for port 0', 'stop prints statistics')
    h.check(num(out.split('Accumulated')[1], 'RX-packets') > 0,
            'accumulated forward statistics count packets')
    peer.stop_fwd()
    rc = peer.quit()
    h.check(rc == 0, 'peer quit')
    out = cli.cmd('clear port stats all')
    out = cli.cmd('show port stats 0')
    h.check(num(out, 'RX-packets') == 0, 'clear port stats zeroes counters')
    rc = cli.quit()
    h.check(rc == 0, 'quit exits 0 (rc=%s)' % rc)


def mode_telemetry():
    path = h.sock_path()
    cli = c.Cli([path])
    cli.wait_prompt()
    tel = c.Telemetry(cli.prefix)
    h.check(tel.query('/vhp/ports') == [0], '/vhp/ports is [0]')
    info = tel.query('/vhp/vhost/info,0')
    h.check(info['path'] == path and info['connected'] == 0 and
            info['client'] == 0, '/vhp/vhost/info before a peer: path, '
            'server, not connected')
    h.check(tel.query('/vhp/vhost/info,7') is None,
            '/vhp/vhost/info of a bad port id: null')
    peer = h.track(h.peer(path))
    peer.wait_prompt()
    c.wait_connected(cli)
    info = tel.query('/vhp/vhost/info,0')
    h.log('vhost info: %r' % info)
    h.check(info['connected'] == 1 and info['status'] == 15 and
            info['status_names'] ==
            'ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK',
            '/vhp/vhost/info: connected, status 15 by name')
    feats = int(info['features'], 16)
    h.check(feats >> h.F_VERSION_1 & 1 and int(info['protocol_features'], 16),
            '/vhp/vhost/info: features and protocol features (hex)')
    h.check(info['ring'] == 'split' and info['queues'] == 1 and
            info['nr_vrings'] == 2, '/vhp/vhost/info: ring, queues, vrings')
    h.check(info['vring0']['size'] == 1024 and
            info['vring1']['size'] == 1024 and
            'last_avail_idx' in info['vring1'],
            '/vhp/vhost/info: per-vring dicts')
    cli.cmd('start')
    peer.cmd('start tx_first')
    c.sleep(1)
    st = tel.query('/vhp/port/stats,0')
    h.log('port stats: %r' % {k: st[k] for k in ('rx_packets', 'tx_packets')})
    h.check(st['rx_packets'] > 0 and st['rx_q0_packets'] > 0,
            '/vhp/port/stats: counters, per queue named as xstats')
    xs = tel.query('/vhp/port/xstats,0')
    h.check(xs['rx_good_packets'] > 0 and xs['rx_q0_good_packets'] > 0 and
            'rx_q0_size_64_packets' in xs and 'vring1_packets' in xs,
            '/vhp/port/xstats: DPDK names and ours')
    h.check(all(xs.get(k) is not None for k in st
                if k.startswith(('rx_q', 'tx_q'))),
            '/vhp/port/stats per-queue names are xstats names')
    # dpdk-telemetry.py, the client a user would run.
    tool = '/usr/bin/dpdk-telemetry.py'
    if os.access(tool, os.X_OK):
        import subprocess
        out = subprocess.run([tool, '-f', cli.prefix],
                             input=b'/vhp/ports\n', stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=30
                             ).stdout.decode()
        h.check('"/vhp/ports": [0]' in out.replace('\n', '').replace(
            '  ', ' ').replace('[ ', '[').replace(' ]', ']') or
            re.search(r'"/vhp/ports":\s*\[\s*0\s*\]', out),
            'dpdk-telemetry.py -f PREFIX reads /vhp/ports')
    tel.close()
    cli.cmd('stop')
    peer.stop_fwd()
    peer.quit()
    rc = cli.quit()
    h.check(rc == 0, 'quit exits 0 (rc=%s)' % rc)


def mode_pty_ctrl_c():
    path = h.sock_path()
    cli = c.Cli([path], use_pty=True)
    cli.wait_prompt()
    expect(cli, 'show port info 0', 'Infos for port 0', 'command on the terminal', eol='\r')
    cli.write('\x03')
    rc = cli.wait_exit()
    h.check(rc == 0, 'Ctrl-C on the terminal: exit 0 (rc=%s)' % rc)
    h.check(not os.path.exists(path), 'socket removed after Ctrl-C')


def mode_testpmd():
    path = h.sock_path()
    # --help before "--": EAL's options, then ours; exit 0.
    r = __import__('subprocess').run(
        [c.exe(), '--no-huge', '-m', '512', '--no-pci',
         '--file-prefix=' + h.file_prefix('help'), '--help'],
        stdout=__import__('subprocess').PIPE,
        stderr=__import__('subprocess').STDOUT, timeout=30)
    out = r.stdout.decode()
    h.check(r.returncode == 0 and 'EAL common options' in out and
            '--vhost=PATH' in out and '--mac-age=SEC' in out,
            '--help before "--" prints EAL\'s and the app\'s options '
            '(rc=%s)' % r.returncode)
    cli = c.Cli([path])
    cli.wait_prompt()
    out = cli.cmd('show port summary all')
    h.check('Number of available ports: 1' in out and
            re.search(r'^0\s+56:48:50:00:00:00\s+vhost\s+started\s+down\s+'
                      + re.escape(path), out, re.M),
            'show port summary all: one line per port')
    out = cli.cmd('show config rxtx')
    h.check('io packet forwarding packets/burst=32' in out and
            'port 0 (vhost): RX queue number: 1 Tx queue number: 1' in out,
            'show config rxtx: burst and queues')
    out = expect(cli, 'show fwd stats all', 'Accumulated forward statistics for all ports', 'show fwd stats all while stopped')
    out = expect(cli, 'clear fwd stats all', 'Forward statistics cleared', 'clear fwd stats all')
    out = expect(cli, 'set verbose 1', 'Change verbose level from 0 to 1', 'set verbose 1')
    out = expect(cli, 'set verbose 0', 'Change verbose level from 1 to 0', 'set verbose 0')
    out = expect(cli, 'set log lib.vhostpath debug', "Log level of 'lib.vhostpath' set to debug", 'set log TYPE LEVEL')
    out = expect(cli, 'set log lib.vhostpath loud', "Invalid log level 'loud'", 'set log: bad level refused')
    out = expect(cli, 'set log global notice', 'Global log level set to notice', 'set log global')
    out = cli.cmd('show port xstats 0')
    h.check(re.search(r'^rx_missed_errors: 0$', out, re.M) and
            re.search(r'^rx_q0_size_1519_max_packets: 0$', out, re.M),
            'xstats: DPDK\'s names, zeros listed')
    out = expect(cli, 'set xstats-hide-zero on', 'xstats-hide-zero on', 'set xstats-hide-zero on')
    out = cli.cmd('show port xstats 0')
    h.check('###### NIC extended statistics for port 0' in out and
            not re.search(r': 0$', out, re.M),
            'xstats-hide-zero: no zero counter listed')
    cli.cmd('set xstats-hide-zero off')
    h.check(re.search(r'^rx_errors: 0$', cli.cmd('show port xstats 0'),
                      re.M), 'xstats-hide-zero off: zeros again')
    for line, word in (('flow create 0 ingress pattern eth / end', 'flow'),
                       ('csum set ip hw 0', 'csum'),
                       ('set link-up port 0', 'set link-up'),
                       ('set allmulti all on', 'set allmulti'),
                       ('port config all rxq 2', 'port config'),
                       ('show port rss-hash 0', 'show port rss-hash'),
                       ('show rxq info 0 0', 'show rxq')):
        out = cli.cmd(line)
        h.check(re.search(r"'%s' is not supported by vhp-testpmd: \S" %
                          re.escape(word), out),
                '%r: not supported by vhp-testpmd, with the reason' % line)
    out = cli.cmd('set fwd nosuchmode')
    h.check('Bad arguments' in out, 'a bad argument of a known command is '
            'still "Bad arguments"')
    cli.cmd('start')
    out = cli.cmd('port stop 7')
    h.check("Invalid port id '7'" in out and
            'stop forwarding first' not in out,
            'port stop 7 while forwarding: the port is invalid, first')
    out = expect(cli, 'show fwd stats all', 'Forward statistics for port 0', 'show fwd stats all while forwarding')
    cli.cmd('stop')
    rc = cli.quit()
    h.check(rc == 0, 'quit exits 0 (rc=%s)' % rc)


def settle(cli, key='RX-packets', timeout=20):
    """Wait until port 0's counters stop moving; return show port stats."""
    last = {'v': None, 'out': ''}

    def stable():
        out = cli.cmd('show port stats 0')
        v = (num(out, 'RX-packets'), num(out, 'TX-packets'))
        ok = v == last['v']
        last['v'], last['out'] = v, out
        return ok
    h.wait_for(stable, timeout, 'port counters settle', interval=0.5)
    return last['out']


def fwd_port_block(out, port=0):
    m = re.search(r'Forward statistics for port %d\s.*\n(.*\n.*\n)' % port,
                  out)
    if not m:
        raise h.TestFailure('no forward statistics for port %d in:\n%s'
                            % (port, out))
    return m.group(1)


def mode_counting():
    path = h.sock_path()
    cli = c.Cli([path])
    cli.wait_prompt()
    peer = h.track(h.peer(path))
    peer.wait_prompt()
    c.wait_connected(cli)
    cli.cmd('set fwd io')
    cli.cmd('start')
    # First round, then clear while forwarding runs (idle).
    peer.cmd('start tx_first')
    c.sleep(1)
    peer.stop_fwd()
    settle(cli)
    out = expect(cli, 'clear port stats all', 'NIC statistics for port 0 cleared', 'clear port stats')
    # Second round: a known number of frames crosses after the clear.
    peer.cmd('start tx_first')
    c.sleep(1)
    peer.stop_fwd()
    st = settle(cli)
    rx = num(st, 'RX-packets')
    out = cli.cmd('stop')
    blk = fwd_port_block(out)
    acc = out.split('Accumulated')[1]
    m = re.search(r'total RX packets=(\d+)', out)
    h.log('after clear: port RX %d, fwd port RX %d, accumulated %d, '
          'cycles line %s' % (rx, num(blk, 'RX-packets'),
                              num(acc, 'RX-packets'),
                              m.group(1) if m else None))
    h.check(rx > 0 and num(blk, 'RX-packets') == rx and
            num(acc, 'RX-packets') == rx,
            'stop: port and accumulated RX count from the clear')
    h.check(m is not None and int(m.group(1)) == rx,
            'stop: the cycles line counts from the clear too')
    # txonly: the summary gives the TX rate; the front-end only receives.
    peer.cmd('set fwd rxonly')
    peer.cmd('start')
    cli.cmd('set fwd txonly')
    cli.cmd('set eth-peer 0 ff:ff:ff:ff:ff:ff')
    cli.cmd('clear port stats all')
    cli.cmd('start')
    c.sleep(1)
    out = cli.cmd('stop')
    m = re.search(r'Forwarded for ([\d.]+) s: ([\d.]+) Mpps (\w+)', out)
    h.check(m is not None and m.group(3) == 'TX' and float(m.group(2)) > 0,
            'txonly: stop reports the TX rate (%s)' %
            (m.group(0) if m else None))
    h.check(re.search(r'total TX packets=[1-9]', out),
            'txonly: cycles per TX packet')
    xs = {k: int(v) for k, v in re.findall(r'^(\w+): (\d+)$',
                                            cli.cmd('show port xstats 0'),
                                            re.M)}
    good = xs.get('tx_q0_good_packets', 0)
    h.log('txonly xstats: %r' % {k: v for k, v in xs.items()
                                  if k.startswith('tx_q0') and v})
    h.check(good > 0 and xs['tx_q0_broadcast_packets'] == good and
            xs['tx_q0_size_64_packets'] == good and
            xs['tx_q0_multicast_packets'] == 0 and
            xs['tx_q0_good_bytes'] == 64 * good,
            'xstats: broadcast 64-byte frames counted under DPDK\'s names')
    h.check(xs['tx_good_packets'] == good and xs['tx_q0_packets'] == good,
            'xstats: port, ethdev and net_vhost queue totals agree')
    peer.stop_fwd()
    peer.quit()
    rc = cli.quit()
    h.check(rc == 0, 'quit exits 0 (rc=%s)' % rc)


def mode_switch():
    path = h.sock_path()
    cli = c.Cli([path])
    cli.wait_prompt()
    out = cli.cmd('show mac table')
    h.check('ageing 300 s' in out and '(off)' not in out,
            'io mode: show mac table shows the default ageing, 300 s')
    cli.cmd('start')
    out = expect(cli, 'clear mac table', 'MAC table cleared', 'io mode: clear mac table while io forwarding runs')
    cli.cmd('stop')
    out = cli.cmd('mac table add 02:00:00:00:00:aa 0')
    h.check('Static MAC entry 02:00:00:00:00:AA -> port 0 added' in out
            or 'Static MAC entry 02:00:00:00:00:aa -> port 0 added' in out,
            'mac table add')
    out = expect(cli, 'mac table add 01:00:5e:00:00:01 0', 'must be unicast', 'a group address is refused')
    out = cli.cmd('show mac table')
    h.check(re.search(r'02:00:00:00:00:AA\s+0\s+static', out, re.I),
            'show mac table: the static entry')
    cli.cmd('clear mac table')
    out = cli.cmd('show mac table')
    h.check(re.search(r'02:00:00:00:00:AA\s+0\s+static', out, re.I),
            'the static entry survives clear mac table')
    cli.cmd('set fwd switch')
    out = cli.cmd('show mac table')
    h.check(re.search(r'02:00:00:00:00:AA\s+0\s+static', out, re.I),
            'the static entry survives set fwd')
    cli.cmd('start')
    out = expect(cli, 'mac table add 02:00:00:00:00:bb 0', 'Please stop forwarding first', 'mac table add refused while the switch runs')
    out = expect(cli, 'clear mac table', 'Please stop forwarding first', 'clear mac table refused while the switch runs')
    peer = h.track(h.peer(path))
    peer.wait_prompt()
    c.wait_connected(cli)
    # A lone port: unknown destinations have nowhere to go: dropped.
    peer.cmd('start tx_first')
    c.sleep(1)
    peer.stop_fwd()
    settle(cli)
    out = cli.cmd('stop')
    blk = fwd_port_block(out)
    m = re.search(r'port 0\s+RX (\d+) .*filtered (\d+)\s+dropped (\d+)', out)
    h.check(m is not None, 'switch line printed')
    sw_drop = int(m.group(2)) + int(m.group(3))
    h.log('stop: RX-dropped %d, switch filtered+dropped %d' %
          (num(blk, 'RX-dropped'), sw_drop))
    h.check(sw_drop > 0 and num(blk, 'RX-dropped') == sw_drop,
            'stop: RX-dropped includes what the switch dropped')
    # Again, with clear port stats between two rounds: the switch's
    # counters count from the clear like the rest.
    cli.cmd('start')
    peer.cmd('start tx_first')
    c.sleep(1)
    peer.stop_fwd()
    settle(cli)
    cli.cmd('clear port stats all')
    peer.cmd('start tx_first')
    c.sleep(1)
    peer.stop_fwd()
    st = settle(cli)
    out = cli.cmd('stop')
    blk = fwd_port_block(out)
    m = re.search(r'port 0\s+RX (\d+) .*filtered (\d+)\s+dropped (\d+)', out)
    h.check(m is not None and int(m.group(1)) == num(st, 'RX-packets') and
            int(m.group(2)) + int(m.group(3)) == num(blk, 'RX-dropped'),
            'after clear port stats: the switch line and RX-dropped count '
            'from the clear (switch RX %s, port RX %d)' %
            (m.group(1) if m else None, num(st, 'RX-packets')))
    out = expect(cli, 'mac table del 02:00:00:00:00:aa', 'removed', 'mac table del')
    h.check('02:00:00:00:00:AA' not in cli.cmd('show mac table').upper(),
            'static entry gone')
    peer.quit()
    rc = cli.quit()
    h.check(rc == 0, 'quit exits 0 (rc=%s)' % rc)


def mode_events():
    path = h.sock_path()
    cli = c.Cli([path], use_pty=True)
    cli.wait_prompt()
    out = expect(cli, 'show port stats a\t', 'NIC statistics for port 0', 'TAB on a port argument completes "a" to "all"', eol='\r')
    start = len(cli.output())
    cli.write('show port info \t\t')
    cli.wait_text(' 0 [', 10, start)
    h.check(re.search(r'^ all \[', cli.output()[start:], re.M) and
            re.search(r'^ 0 \[', cli.output()[start:], re.M),
            'TAB TAB on a port argument lists all and the port ids')
    cli.cmd('\x15', eol='\r')       # Ctrl-U: drop the typed line
    start = len(cli.output())
    cli.write('set \t\t')
    cli.wait_text('eth-peer', 10, start)
    h.check('allmulti' not in cli.output()[start:],
            'TAB does not offer testpmd commands we have not')
    cli.cmd('\x15', eol='\r')
    out = cli.cmd('set allmulti all on', eol='\r')
    h.check("'set allmulti' is not supported by vhp-testpmd: vhost ports "
            "are always promiscuous" in out,
            'on a terminal: not supported, and why')
    start = len(cli.output())
    cli.write('\x1b[A\r')         # up: the same line again
    cli.wait_text("'set allmulti' is not supported", 10, start)
    h.check(True, 'the refused line is in the history')
    start = len(cli.output())
    peer = h.track(h.peer(path))
    peer.wait_prompt()
    cli.wait_text('link up', 30, start)
    c.sleep(1)
    ev = cli.output()[start:]
    h.log('connect output: %r' % ev)
    h.check(len(re.findall(r'Port 0: link up \(split ring, 1 queue pair, '
                           r'features 0x[0-9a-f]+ .*VERSION_1.*\)', ev)) == 1,
            'connect: one "Port 0: link up (split ring, ...)" line')
    h.check('VHOSTPATH' not in ev and 'vring 0' not in ev,
            'connect: no protocol trace, no vring lines by default')
    h.check(re.sub(r'\x1b\[[0-9;]*K', '', ev).endswith(
        'link up' in ev and c.PROMPT),
            'the prompt is redrawn after the event')
    h.check(ev.startswith('\r\x1b[K'),
            'the event is printed over the prompt line, not after it')
    start = len(cli.output())
    peer.quit()
    cli.wait_text('Port 0: link down', 30, start)
    h.check(True, 'disconnect: "Port 0: link down"')
    out = expect(cli, 'set verbose 1', 'Change verbose level from 0 to 1', 'set verbose 1', eol='\r')
    start = len(cli.output())
    peer = h.track(h.peer(path))
    peer.wait_prompt()
    cli.wait_text('link up', 30, start)
    c.sleep(1)
    ev = cli.output()[start:]
    h.check('vring 0 (queue 0 guest RX) enabled' in ev and
            'VHOSTPATH' in ev, 'verbose 1: vring lines and the trace')
    peer.quit()
    start = len(cli.output())
    cli.write('quit\r')
    rc = cli.wait_exit()
    after = cli.output()[start:]
    h.check(rc == 0, 'quit exits 0 (rc=%s)' % rc)
    h.check(c.PROMPT not in after.split('quit', 1)[-1],
            'quit prints no new prompt (%r)' % after[:200])


def mode_runtime():
    path, path2 = h.sock_path(), h.sock_path()
    cli = c.Cli([path])
    cli.wait_prompt()
    cli.cmd('start')
    out = cli.cmd('port attach vhost:%s,queues=2' % path2)
    h.check('Port 1 is attached' in out and os.path.exists(path2),
            'port attach while forwarding: the socket listens')
    out = expect(cli, 'show config fwd', 'forwarding=started', 'the forwarding port goes on while a port is attached')
    out = cli.cmd('show port summary all')
    h.check('Number of available ports: 2' in out and
            re.search(r'^1\s.*vhost\s+started', out, re.M),
            'show port summary lists the attached port')
    out = cli.cmd('port attach nosuch:/tmp/x')
    h.check('Invalid port attach' in out and 'vhost' in out,
            'port attach of an unknown driver: message lists the drivers')
    out = expect(cli, 'port attach vhost:%s' % path, 'Failed to attach', 'port attach of a socket in use')
    out = expect(cli, 'port detach 1', 'Please stop port 1 first', 'detach of a started port')
    out = expect(cli, 'port detach 0', 'only the last port', 'detach of a port that is not last')
    out = cli.cmd('port stop 1')
    h.check('Done' in out, 'port stop of a port not forwarded, while '
            'forwarding')
    out = cli.cmd('port detach 1')
    h.check('Port 1 is detached' in out and not os.path.exists(path2),
            'port detach 1: detached, socket removed')
    out = expect(cli, 'mac_addr set 0 02:00:00:00:00:99', 'please stop forwarding first', 'mac_addr set while forwarding refused')
    cli.cmd('stop')
    out = expect(cli, 'port attach vhost:%s' % path2, 'Port 1 is attached. Now total ports is 2', 'port attach while stopped')
    out = cli.cmd('show config fwd')
    h.check('ports=2' in out and 'RX P=1/Q=0' in out,
            'the attached port is in the forwarding configuration')
    out = expect(cli, 'mac_addr set 0 02:00:00:00:00:99', 'MAC address set to 02:00:00:00:00:99', 'mac_addr set')
    h.check('MAC address: 02:00:00:00:00:99' in cli.cmd('show port info 0'),
            'show port info: the new MAC')
    out = expect(cli, 'mac_addr set 0 01:00:00:00:00:01', 'must be unicast', 'mac_addr set of a group address')
    out = expect(cli, 'set eth-peer 1 02:00:00:00:00:77', 'peer MAC address set', 'set eth-peer')
    h.check(re.search(r'TX P=1/Q=0 .*peer=02:00:00:00:00:77',
                      cli.cmd('show config fwd')),
            'show config fwd: the new peer')
    cli.cmd('port stop 1')
    out = expect(cli, 'port detach 1', 'Port 1 is detached', 'port detach while stopped')
    h.check('ports=1' in cli.cmd('show config fwd'),
            'the detached port left the forwarding configuration')
    rc = cli.quit()
    h.check(rc == 0, 'quit exits 0 (rc=%s)' % rc)


MODES = {'basic': mode_basic, 'eof': mode_eof, 'file': mode_file,
         'pty': mode_pty, 'pty-ctrl-c': mode_pty_ctrl_c, 'traffic': mode_traffic,
         'telemetry': mode_telemetry, 'testpmd': mode_testpmd,
         'counting': mode_counting, 'switch': mode_switch,
         'events': mode_events, 'runtime': mode_runtime}

if __name__ == '__main__':
    if MODE not in MODES:
        print('unknown mode %r (%s)' % (MODE, ', '.join(MODES)))
        sys.exit(1)
    h.run(MODES[MODE])
