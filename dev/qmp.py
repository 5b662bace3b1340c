#!/usr/bin/env python3
"""QMP for the boots under the reference VMM (dev/boot).

  qmp.py counters SOCKET OUT [CONSOLE MARKER]
      Read the VT-d model's KVM_HC_MSI_COMPOSE counters (qom-get on
      /machine/peripheral/iommu, x-compose-*) into OUT as "name value" lines:
      when CONSOLE shows MARKER (the guest printed its own counters and
      holds still: the guest is stopped while they are read), else once the
      guest has powered off (QEMU runs with -no-shutdown). Then quit QEMU
      when the guest has powered off.

  qmp.py migrate SOCKET CONSOLE MARKER FILE COUNTERS
      When CONSOLE (the guest's console log) shows MARKER, migrate the guest
      to FILE (live: it stops at the end), read this QEMU's counters into
      COUNTERS and quit: the second half runs in another QEMU started with
      -incoming, whose counters start from zero.

  qmp.py props SOCKET OUT NAME...
      Read the named x-compose-* counters now (QEMU keeps running).
"""

import json
import os
import socket
import sys
import time

IOMMU = '/machine/peripheral/iommu'
COUNTERS = ['x-compose-%s' % op for op in
            ('invalid', 'activate', 'update', 'release', 'notify')] + \
           ['x-compose-refused-%s' % op for op in
            ('invalid', 'activate', 'update', 'release', 'notify')] + \
           ['x-compose-live', 'x-compose-undelivered', 'x-compose-recompose',
            'x-compose-stale']


class QMP:
    def __init__(self, path, timeout=60):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    raise SystemExit('qmp.py: cannot connect to %s' % path)
                time.sleep(0.2)
        self.buf = b''
        self.events = []
        self.read()                      # greeting
        self.cmd('qmp_capabilities')

    def read(self):
        while b'\n' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError('QEMU closed the QMP socket')
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.sock.sendall(json.dumps(msg).encode() + b'\n')
        while True:
            r = self.read()
            if 'event' in r:
                self.events.append(r)
                continue
            if 'error' in r:
                raise RuntimeError('%s: %s' % (name, r['error'].get('desc')))
            return r.get('return')

    def status(self):
        return self.cmd('query-status')['status']

    def counters(self):
        # No vIOMMU (make bench's vmm-noir): nothing to count
        try:
            self.cmd('qom-list', path=IOMMU)
        except RuntimeError:
            return {}
        return {name: self.cmd('qom-get', path=IOMMU, property=name)
                for name in COUNTERS}


def seen(console, marker):
    try:
        with open(console, errors='replace') as f:
            return marker in f.read()
    except FileNotFoundError:
        return False


def write_counters(out, values):
    with open(out, 'w') as f:
        for name, value in values.items():
            f.write('%s %s\n' % (name, value))


def main():
    mode = sys.argv[1]
    if mode == 'counters':
        path, out = sys.argv[2:4]
        console, marker = (sys.argv[4:6] + [None, None])[:2]
        done = ('shutdown', 'guest-panicked', 'internal-error')
        try:
            q = QMP(path)
            read = False
            while q.status() not in done:
                if marker and not read and seen(console, marker):
                    q.cmd('stop')
                    write_counters(out, q.counters())
                    q.cmd('cont')
                    read = True
                time.sleep(0.1)
            if not read:
                write_counters(out, q.counters())
            q.cmd('quit')
        except (EOFError, OSError) as e:
            print('qmp.py: %s' % e, file=sys.stderr)
            return 1
        return 0
    if mode == 'props':
        path, out = sys.argv[2:4]
        q = QMP(path)
        write_counters(out, q.counters())
        return 0
    if mode == 'migrate':
        path, console, marker, target, out = sys.argv[2:7]
        q = QMP(path)
        while True:
            try:
                with open(console, errors='replace') as f:
                    if marker in f.read():
                        break
            except FileNotFoundError:
                pass
            if q.status() in ('shutdown', 'guest-panicked', 'internal-error'):
                print('qmp.py: the guest stopped before "%s"' % marker, file=sys.stderr)
                q.cmd('quit')
                return 1
            time.sleep(0.2)
        # Live: the source stops at the end, and the destination, which
        # takes the source's run state, resumes
        q.cmd('migrate', uri='file:' + target)
        while True:
            st = q.cmd('query-migrate').get('status')
            if st == 'completed':
                break
            if st in ('failed', 'cancelled'):
                print('qmp.py: migration %s' % st, file=sys.stderr)
                q.cmd('quit')
                return 1
            time.sleep(0.2)
        write_counters(out, q.counters())
        q.cmd('quit')
        return 0
    raise SystemExit(__doc__)


if __name__ == '__main__':
    sys.exit(main())
