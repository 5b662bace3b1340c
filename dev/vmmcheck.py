#!/usr/bin/env python3
"""Compare what the guest asked its host with what the reference VMM saw.

  vmmcheck.py CONSOLE COUNTERS [--min-recompose N] [--source FILE]

CONSOLE is the guest's console log, where /init printed the guest's
x86/msi_compose debugfs file at the end ("msi-table-guest: msi_compose: ...":
calls that succeeded and refusals per operation, its entries: references
of allocated entries, activated or not). COUNTERS holds the VT-d model's
x-compose-* counters, read over QMP while the guest holds still after
printing its own (dev/qmp.py). Every call the guest made reached the VMM:
the VMM's calls per operation are the guest's successes plus its refusals,
its refusals are the guest's, and it holds messages only for entries the
guest holds, none of them issued by another QEMU (after a
migration). Prints PASS/FAIL lines.

With --source, the guest was migrated: FILE holds the first QEMU's
counters, read when the migration completed; the calls are the sum of
both QEMUs', the live entries the second one's.
"""

import re
import sys


def guest_counts(console):
    g, raw = {}, {}
    for line in open(console, errors='replace'):
        m = re.search(r'msi-table-guest: msi_compose: (\w+): (.*)$', line)
        if m:
            g[m.group(1)] = m.group(2).split()
        m = re.search(r'msi-table-guest: raw hypercalls: (\w+) (\d+) (\d+)', line)
        if m:
            raw[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return g, raw


def read_counters(path):
    return {k: int(n) for k, n in (l.split() for l in open(path) if l.strip())}


def main():
    console, counters = sys.argv[1:3]
    min_recompose = 0
    if '--min-recompose' in sys.argv:
        min_recompose = int(sys.argv[sys.argv.index('--min-recompose') + 1])
    source = None
    if '--source' in sys.argv:
        source = sys.argv[sys.argv.index('--source') + 1]
    try:
        v = read_counters(counters)
        if source:
            for k, n in read_counters(source).items():
                if k not in ('x-compose-live', 'x-compose-recompose', 'x-compose-stale'):
                    v[k] = v.get(k, 0) + n
    except FileNotFoundError as e:
        print('FAIL VMM counters read over QMP: no %s' % e.filename)
        return 1
    g, raw = guest_counts(console)
    if 'activate' not in g or 'refused' not in g:
        # No backend in the guest (the feature is off): the VMM saw nothing
        calls = sum(n for k, n in v.items() if k != 'x-compose-recompose')
        print('%s no backend in the guest, no call to the VMM (%d)' %
              ('PASS' if not calls else 'FAIL', calls))
        return 1 if calls else 0
    print('PASS guest and VMM counters read (guest backend %s)' % ' '.join(g.get('backend', ['?'])))
    fails = 0

    def check(name, ok, detail):
        nonlocal fails
        print('%s %s (%s)' % ('PASS' if ok else 'FAIL', name, detail))
        fails += not ok

    # The negative tests' raw calls (ims_hypercall_test) reached the VMM too
    refused = [int(x) for x in g['refused']]
    for i, op in enumerate(('activate', 'update', 'release')):
        ok_calls = int(g[op][0])
        rc, rr = raw.get(op, (0, 0))
        vc, vr = v['x-compose-%s' % op], v['x-compose-refused-%s' % op]
        check('VMM answered every %s the guest made' % op,
              vc == ok_calls + refused[i] + rc and vr == refused[i] + rr,
              'guest %d done + %d refused, raw %d (%d refused), VMM %d calls, %d refused' %
              (ok_calls, refused[i], rc, rr, vc, vr))
    # The guest's "entries" are its references: allocated entries, some
    # never activated (reservation mode), which hold no message
    check('VMM holds messages for entries the guest holds only',
          v['x-compose-live'] <= int(g['entries'][0]),
          'guest %s entries, VMM %d messages' % (g['entries'][0], v['x-compose-live']))
    check('no entry holds a message another QEMU issued', v.get('x-compose-stale', 0) == 0,
          '%d stale' % v.get('x-compose-stale', 0))
    rc, rr = raw.get('notify', (0, 0))
    check('guest registered its notification',
          v['x-compose-notify'] >= 1 + rc and v['x-compose-refused-notify'] == rr,
          '%d NOTIFY (%d raw), %d refused (%d raw)' %
          (v['x-compose-notify'], rc, v['x-compose-refused-notify'], rr))
    rc, rr = raw.get('invalid', (0, 0))
    check('no unknown operation but the raw ones', v['x-compose-invalid'] == rc == rr,
          'VMM %d, raw %d' % (v['x-compose-invalid'], rc))
    if min_recompose:
        check('VMM asked the guest to re-compose', v['x-compose-recompose'] >= min_recompose,
              '%d requests' % v['x-compose-recompose'])
    print('INFO VMM: %s' % ', '.join('%s %d' % (k[len('x-compose-'):], n) for k, n in v.items() if n))
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
