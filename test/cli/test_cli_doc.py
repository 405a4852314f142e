#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""doc/cli.md against the real command list: every command syntax that
vhp-testpmd's hidden --list-commands prints (the same table 'help' prints)
must appear in doc/cli.md as a `code` span, every forwarding mode of the
engine table (--help's --forward-mode line) must be documented, and the
page must have its "Differences from dpdk-testpmd" section.
Needs no EAL and no peer."""
import os
import re
import subprocess
import sys


def main():
    build = os.environ.get('VHP_BUILD_DIR')
    src = os.environ.get('VHP_SOURCE_DIR')
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.abspath(src or os.path.join(here, '..', '..'))
    build = os.path.abspath(build or os.path.join(src, 'build'))
    exe = os.path.join(build, 'app', 'vhp-testpmd', 'vhp-testpmd')
    doc_path = os.path.join(src, 'doc', 'cli.md')
    with open(doc_path) as f:
        doc = f.read()
    out = subprocess.run([exe, '--', '--list-commands'], check=True,
                         stdout=subprocess.PIPE, timeout=30).stdout.decode()
    cmds = [line.strip() for line in out.splitlines() if line.strip()]
    failures = []
    if len(cmds) < 10:
        failures.append('--list-commands printed only %r' % cmds)
    spans = set(re.findall(r'`([^`\n]+)`', doc))
    for c in cmds:
        if c not in spans:
            failures.append('command `%s` is not documented in doc/cli.md'
                            % c)
    usage = subprocess.run([exe, '--', '--help'], check=True,
                           stdout=subprocess.PIPE, timeout=30
                           ).stdout.decode()
    m = re.search(r'--forward-mode=MODE\s+(\S+)', usage)
    modes = m.group(1).split('|') if m else []
    if not modes:
        failures.append('no mode list in --help')
    for mode in modes:
        if '`%s`' % mode not in doc:
            failures.append('forwarding mode `%s` is not documented' % mode)
    for opt in ('-i', '--auto-start', '--cmdline-file=FILE'):
        if '`%s`' % opt not in doc:
            failures.append('option `%s` is not documented' % opt)
    if not re.search(r'^#+ Differences from dpdk-testpmd', doc, re.M):
        failures.append('no "Differences from dpdk-testpmd" section')
    for f in failures:
        print('FAIL:', f)
    if failures:
        return 1
    print('ok: %d commands and %d modes documented in %s' % (
        len(cmds), len(modes), doc_path))
    return 0


if __name__ == '__main__':
    sys.exit(main())
