#!/usr/bin/env python3
"""Scan a guest console log for kernel splats and required messages.

Usage: logscan.py LOG [NAME=REGEX ...] [--require-file FILE] [--no-splat-scan]

FILE holds "NAME = REGEX" lines ("#" comments); "NAME != REGEX" requires
that the expression does not occur.

Prints "PASS name" / "FAIL name: reason" lines:
  - "no kernel splat": no WARNING, BUG, Oops, panic, lockdep, KASAN,
    KFENCE, hung task or soft lockup report outside a bracket that a test
    opened on purpose (a kernel log line ending in ": expect-warn begin",
    such as "msi-table-test: expect-warn begin", up to one ending in
    ": expect-warn end");
  - one line per NAME=REGEX: the regular expression occurs in the log.
--no-splat-scan leaves out the splat scan, for logs which are not the
kernel's (QEMU's own stderr).
"""

import re
import sys

SPLATS = [
    r'WARNING: .* at ',
    r'WARNING: (possible|inconsistent|suspicious|bad unlock|held lock|lock held)',
    r'BUG: ',
    r'Oops: ',
    r'Kernel panic',
    r'general protection fault',
    r'possible (recursive|circular) locking',
    r'INFO: task .* blocked for more than',
    r'watchdog: BUG: soft lockup',
    r'(KASAN|KFENCE|UBSAN): ',
    r'unreferenced object 0x',
    r'list_(add|del) corruption',
]
SPLAT = re.compile('|'.join('(?:%s)' % s for s in SPLATS))
BEGIN = ': expect-warn begin'
END = ': expect-warn end'


def main():
    path = sys.argv[1]
    args = sys.argv[2:]
    requires = []
    scan = '--no-splat-scan' not in args
    if not scan:
        args.remove('--no-splat-scan')
    if '--require-file' in args:
        i = args.index('--require-file')
        with open(args[i + 1]) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith('#'):
                    if ' != ' in line:
                        name, rx = line.split(' != ', 1)
                        requires.append((name.strip(), '!' + rx.strip()))
                    else:
                        name, rx = line.split(' = ', 1)
                        requires.append((name.strip(), rx.strip()))
        del args[i:i + 2]
    requires = [a.split('=', 1) for a in args] + requires
    try:
        with open(path, errors='replace') as f:
            lines = f.read().split('\n')
    except OSError as e:
        print('FAIL console log: %s' % e)
        return 0
    splats, expected = [], 0
    bracket = False
    for i, line in enumerate(lines if scan else []):
        if line.rstrip().endswith(BEGIN):
            bracket = True
        elif line.rstrip().endswith(END):
            bracket = False
        elif SPLAT.search(line):
            if bracket:
                expected += 1
            else:
                splats.append((i, line.strip()))
    if not scan:
        pass
    elif splats:
        i, first = splats[0]
        print('FAIL no kernel splat: %d unexpected report(s), first: %s' %
              (len(splats), first))
        sys.stderr.write('\n'.join(lines[max(0, i - 5):i + 30]) + '\n')
    else:
        print('PASS no kernel splat%s' %
              (' (%d expected inside brackets)' % expected if expected else ''))
    if bracket:
        print('FAIL expect-warn brackets closed: "...%s" without "...%s"' % (BEGIN, END))
    text = '\n'.join(lines)
    for name, rx in requires:
        if rx.startswith('!'):
            m = re.search(rx[1:], text, re.M)
            if m:
                print('FAIL %s: /%s/ occurs: %s' % (name, rx[1:], m.group(0)))
            else:
                print('PASS %s' % name)
        elif re.search(rx, text, re.M):
            print('PASS %s' % name)
        else:
            print('FAIL %s: /%s/ not in %s' % (name, rx, path))
    return 0


if __name__ == '__main__':
    sys.exit(main())
