#!/usr/bin/env python3
"""Parse kselftest TAP (run_kselftest.sh output) into one result per test.

Usage: tap.py TAPFILE [--expect-skip NAME ...]  (NAME may be a glob)

Prints one line per test: "PASS name", "FAIL name: reason" or, for a test
that skipped although the boot variant expects it to run, "FAIL name:
skipped: reason". A skip the variant expects prints "SKIP ..." and counts
neither as a pass nor as a failure. Nested harness results ("# ok 3 fixture.test") are the
tests; a collection with no nested results counts as one test. A plan that
does not match the results, or TAP that ends early, is a failure too.
"""

import fnmatch
import re
import sys

# "ok 3 name", "ok 3 name # SKIP reason", "not ok 2 name # exit=1" (a comment)
RESULT = re.compile(r'^(not ok|ok) (\d+) ?(?:- )?([^#]*?)\s*(?:#\s*(?:(SKIP|TODO|XFAIL)\b)?\s*(.*))?$')
PLAN = re.compile(r'^1\.\.(\d+)')


def parse(lines):
    """Return (results, errors); results are (name, status, reason)."""
    results, errors = [], []
    top_plan = None
    top_seen = 0
    sub, sub_plan = [], None
    for raw in lines:
        line = raw.rstrip('\r\n')
        if line.startswith('# '):
            inner = line[2:]
            m = PLAN.match(inner)
            if m:
                sub_plan = int(m.group(1))
                continue
            m = RESULT.match(inner)
            if m:
                sub.append(m)
            continue
        m = PLAN.match(line)
        if m:
            top_plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if not m:
            continue
        top_seen += 1
        coll = m.group(3).strip()
        if sub:
            if sub_plan is not None and sub_plan != len(sub):
                errors.append('%s: planned %d tests, ran %d' % (coll, sub_plan, len(sub)))
            for s in sub:
                results.append(status_of(coll.split(': ')[-1] + '.' + s.group(3).strip(), s))
        else:
            results.append(status_of(coll, m))
        sub, sub_plan = [], None
    if top_plan is None:
        errors.append('no TAP plan: the test runner did not start or its output is lost')
    elif top_seen != top_plan:
        errors.append('planned %d test programs, %d reported (crash or timeout?)' %
                      (top_plan, top_seen))
    return results, errors


def status_of(name, m):
    ok = m.group(1) == 'ok'
    directive = m.group(4)
    if directive == 'SKIP':
        return name, 'SKIP', (m.group(5) or '').strip()
    if directive == 'XFAIL':
        return name, 'PASS' if ok else 'FAIL', 'xfail'
    return name, 'PASS' if ok else 'FAIL', '' if ok else (m.group(5) or '').strip()


def main():
    path = sys.argv[1]
    expect_skip = set(sys.argv[sys.argv.index('--expect-skip') + 1:]) \
        if '--expect-skip' in sys.argv else set()
    try:
        with open(path, errors='replace') as f:
            results, errors = parse(f)
    except OSError as e:
        print('FAIL kselftest TAP: %s' % e)
        return 1
    for name, status, reason in results:
        if status == 'SKIP':
            if any(fnmatch.fnmatchcase(name, p) for p in expect_skip):
                print('SKIP %s: %s (expected in this boot, not counted)' % (name, reason))
            else:
                print('FAIL %s: skipped: %s' % (name, reason))
        elif status == 'PASS':
            print('PASS %s' % name)
        else:
            print('FAIL %s: %s' % (name, reason or 'not ok'))
    for e in errors:
        print('FAIL kselftest TAP: %s' % e)
    return 0


if __name__ == '__main__':
    sys.exit(main())
