#!/usr/bin/env python3
"""Figures of make bench's reference-VMM part (dev/vmmbench).

  vmmbench.py DIR TURNS PATH...

DIR/PATH.TURN/ holds a boot's console.log (the guest's times per step, its
x86/msi_compose counters before and after) and QEMU's trace.log. The test
driver marks each step with a write of 0xa1-0xa5 (0xaf: done) to e1000e's
cache line size register; every hypercall (vtd_compose), trapped e1000e
MSI-X table write (msix_table_write) and interrupt entry cache invalidation
(vtd_inv_desc_iec) after a mark belongs to that step. Counts must be the
same in every turn; times are shown as median [min-max] over the turns.
Exits non-zero when a check fails (counts differ between turns, the VMM's
hypercalls differ from the guest's, a call was refused, a path without the
feature made one).
"""

import re
import statistics
import sys

STEPS = ['alloc', 'request_irq', 'affinity', 'free_irq', 'free']
OPS = {1: 'activate', 2: 'update', 3: 'release', 4: 'notify'}
LABEL = {'vmm': 'VT-d IR, compose on',
         'vmm-off': 'VT-d IR, compose off',
         'vmm-noir': 'no IOMMU'}
MARK = re.compile(r'pci_cfg_write e1000e \S+ @0xc <- 0x(a[1-5]|af)$')
TIMES = re.compile(r'e1000e lifecycle, (\d+) vectors: alloc (\d+), request_irq (\d+), '
                   r'affinity (\d+), free_irq (\d+), free (\d+) ns/vector')
GUEST = re.compile(r'msi-table-guest: (before|after) lifecycle: msi_compose: '
                   r'(activate|update|release): (\d+)')
errors = []


def parse(d):
    counts = {s: {'calls': 0, 'refused': 0, 'writes': 0, 'iec': 0} for s in STEPS}
    ops = {}
    step = None
    with open(d + '/trace.log', errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            m = MARK.search(line)
            if m:
                v = int(m.group(1), 16)
                step = None if v == 0xaf else STEPS[v - 0xa1]
                continue
            if step is None:
                continue
            c = counts[step]
            if line.startswith('vtd_compose '):
                op = int(re.search(r' op (\d+)', line).group(1))
                ret = int(re.search(r' ret (-?\d+)', line).group(1))
                c['calls'] += 1
                c['refused'] += ret != 0
                ops[OPS.get(op, op)] = ops.get(OPS.get(op, op), 0) + 1
            elif line.startswith('msix_table_write dev e1000e '):
                c['writes'] += 1
            elif line.startswith('vtd_inv_desc_iec '):
                c['iec'] += 1
    times = None
    guest = {}
    with open(d + '/console.log', errors='replace') as f:
        for line in f:
            m = TIMES.search(line)
            if m:
                times = [int(x) for x in m.groups()]
            m = GUEST.search(line)
            if m:
                k = m.group(2)
                guest[k] = guest.get(k, 0) + (int(m.group(3)) if m.group(1) == 'after'
                                              else -int(m.group(3)))
    if times is None:
        errors.append('%s: no lifecycle figures in the console' % d)
        return None
    return {'n': times[0], 'ns': dict(zip(STEPS, times[1:])), 'counts': counts,
            'ops': ops, 'guest': guest}


def per_vector(x, n):
    q = x / n
    return ('%d' % q) if q == int(q) else ('%.2f' % q)


def main():
    top, turns, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    runs = {p: [r for r in (parse('%s/%s.%d' % (top, p, t)) for t in range(1, turns + 1)) if r]
            for p in paths}
    if errors:
        print('\n'.join('ERROR ' + e for e in errors))
        return 1
    for p in paths:
        first = runs[p][0]
        for r in runs[p][1:]:
            if r['counts'] != first['counts'] or r['n'] != first['n']:
                errors.append('%s: the counts differ between turns' % p)
                break
        refused = sum(c['refused'] for c in first['counts'].values())
        if refused:
            errors.append('%s: %d calls refused' % (p, refused))
        calls = sum(c['calls'] for c in first['counts'].values())
        if p != 'vmm' and calls:
            errors.append('%s: %d hypercalls without the feature' % (p, calls))
        if p == 'vmm':
            for op in ('activate', 'update', 'release'):
                if first['ops'].get(op, 0) != first['guest'].get(op, 0):
                    errors.append('vmm: the VMM answered %d %s calls, the guest counted %d'
                                  % (first['ops'].get(op, 0), op, first['guest'].get(op, 0)))
            if not calls:
                errors.append('vmm: no hypercall at all (is kvm-msi-compose on?)')

    n = runs[paths[0]][0]['n']
    print('INFO bench (reference VMM, e1000e MSI-X table, entries 1-4, %d vectors per turn, '
          '%d interleaved turns; counts per vector, identical in every turn; time per vector '
          'in us under TCG, median [min-max])' % (n, turns))
    print('INFO   %-12s %s' % ('step', ' | '.join('%-40s' % LABEL.get(p, p) for p in paths)))
    print('INFO   %-12s %s' % ('', ' | '.join('%-40s' % 'calls writes IEC  time' if p == 'vmm'
                                               else '%-40s' % '      writes IEC  time'
                                               for p in paths)))
    total = {p: {'calls': 0, 'writes': 0, 'iec': 0, 'ns': [0] * turns} for p in paths}
    for s in STEPS:
        cells = []
        for p in paths:
            r = runs[p][0]
            c = r['counts'][s]
            ns = [x['ns'][s] for x in runs[p]]
            for i, v in enumerate(ns):
                total[p]['ns'][i] += v
            for k in ('calls', 'writes', 'iec'):
                total[p][k] += c[k]
            cells.append('%5s %6s %4s %6.0f [%.0f-%.0f]' % (
                per_vector(c['calls'], r['n']) if p == 'vmm' else '',
                per_vector(c['writes'], r['n']), per_vector(c['iec'], r['n']),
                statistics.median(ns) / 1000, min(ns) / 1000, max(ns) / 1000))
        print('INFO   %-12s %s' % (s, ' | '.join('%-40s' % c for c in cells)))
    cells = []
    for p in paths:
        t = total[p]
        cells.append('%5s %6s %4s %6.0f [%.0f-%.0f]' % (
            per_vector(t['calls'], n) if p == 'vmm' else '', per_vector(t['writes'], n),
            per_vector(t['iec'], n), statistics.median(t['ns']) / 1000,
            min(t['ns']) / 1000, max(t['ns']) / 1000))
    print('INFO   %-12s %s' % ('lifecycle', ' | '.join('%-40s' % c for c in cells)))
    if 'vmm' in paths:
        ops = runs['vmm'][0]['ops']
        print('INFO   hypercalls with compose on, per vector: %s' % ', '.join(
            '%s %s' % (op, per_vector(ops[op], n)) for op in sorted(ops)))
        on = [r['ns']['request_irq'] for r in runs['vmm']]
        for p in paths:
            if p == 'vmm':
                continue
            off = [r['ns']['request_irq'] for r in runs[p]]
            ratios = [a / b for a, b in zip(on, off)]
            print('INFO   activation (request_irq) cost, compose on / %s: %.2f [%.2f-%.2f] '
                  '(%.0f vs %.0f us median)' % (LABEL.get(p, p), statistics.median(ratios),
                                                min(ratios), max(ratios),
                                                statistics.median(on) / 1000,
                                                statistics.median(off) / 1000))
    if errors:
        print('\n'.join('ERROR ' + e for e in errors))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
