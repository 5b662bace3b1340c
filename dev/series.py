#!/usr/bin/env python3
"""Turn the repository into git commits on the pristine base, and back.

The repository holds the series in three parts:

  * new files, at their kernel paths from the repository root (the overlay);
  * patches/series: the exported patches in order, one file each in patches/,
    holding the changelog ("Subject: ..." line, blank line, body) followed by
    the diff of the files that already exist upstream (possibly none);
  * patches/manifest: which patch adds which new file, whole.  The root
    MAINTAINERS holds only the series' entry; listing "MAINTAINERS" under a
    patch makes that patch insert the entry at its sorted place.

"assemble" builds one commit per patch with git plumbing (a private index, no
checkout), so nothing in the assembled tree is touched unless it changed.
"refresh" does the reverse from the commits (and uncommitted edits) of the
assembled tree.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATCHES = os.path.join(TOP, 'patches')
SERIES = os.path.join(PATCHES, 'series')
MANIFEST = os.path.join(PATCHES, 'manifest')
MAINT = 'MAINTAINERS'
SERIES_REF = 'refs/msi-table/series'
ASSEMBLED_REF = 'refs/msi-table/assembled'
# --patches DIR --no-overlay: a series of diffs only (the QEMU series in
# qemu/patches/): no manifest, no overlay, no MAINTAINERS entry.
NO_OVERLAY = False


def set_patches(path, no_overlay, ref_prefix):
    global PATCHES, SERIES, MANIFEST, NO_OVERLAY, SERIES_REF, ASSEMBLED_REF
    PATCHES = os.path.abspath(path)
    SERIES = os.path.join(PATCHES, 'series')
    MANIFEST = os.path.join(PATCHES, 'manifest')
    NO_OVERLAY = no_overlay
    SERIES_REF = ref_prefix + '/series'
    ASSEMBLED_REF = ref_prefix + '/assembled'


class SeriesError(Exception):
    pass


def git(repo, *args, env=None, stdin=None, check=True):
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run(['git', '-C', repo] + list(args), input=stdin,
                       capture_output=True, env=e)
    if check and p.returncode:
        raise SeriesError('git %s: %s' % (' '.join(args[:3]),
                                          p.stderr.decode(errors='replace').strip()))
    return p.stdout.decode(errors='replace')


# ---------------------------------------------------------------- the model

def read_series():
    names = []
    with open(SERIES) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                names.append(line.split()[0])
    return names


def read_manifest():
    """Return {patch: [new files]} and the list of (file, patch) pairs."""
    owners = {}
    pairs = []
    if NO_OVERLAY:
        return owners, pairs
    with open(MANIFEST) as f:
        for n, line in enumerate(f, 1):
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if ':' not in line:
                raise SeriesError('patches/manifest:%d: expected "patch: files"' % n)
            patch, files = line.split(':', 1)
            patch = patch.strip()
            for path in files.split():
                owners.setdefault(patch, []).append(path)
                pairs.append((path, patch))
    return owners, pairs


def parse_patch(name):
    """Split patches/<name> into (subject, body, diff)."""
    with open(os.path.join(PATCHES, name)) as f:
        text = f.read()
    m = re.search(r'^diff --git ', text, re.M)
    head, diff = (text[:m.start()], text[m.start():]) if m else (text, '')
    lines = head.split('\n')
    if not lines or not lines[0].startswith('Subject: '):
        raise SeriesError('patches/%s: first line must be "Subject: ..."' % name)
    subject = lines[0][len('Subject: '):].strip()
    body = []
    for line in lines[1:]:
        if line == '---':
            break
        body.append(line)
    return subject, '\n'.join(body).strip('\n'), diff


def maint_title(block):
    return block.split('\n', 1)[0].strip()


def maint_key(title):
    return title.upper().replace('THE REST', 'ZZZZZZ')


def insert_maintainers(upstream, entry):
    """Insert the series' entry into the upstream MAINTAINERS, sorted."""
    entry = entry.strip('\n')
    key = maint_key(maint_title(entry))
    lines = upstream.split('\n')
    try:
        start = lines.index('Maintainers List') + 2
    except ValueError:
        raise SeriesError('upstream MAINTAINERS has no "Maintainers List"')
    for i in range(start, len(lines) - 1):
        if (lines[i - 1] == '' and lines[i] and
                re.match(r'^[A-Z]:\t', lines[i + 1]) and
                maint_key(lines[i]) > key):
            return '\n'.join(lines[:i] + entry.split('\n') + [''] + lines[i:])
    raise SeriesError('no place for the MAINTAINERS entry "%s"' % maint_title(entry))


# ------------------------------------------------------------------ assemble

def file_mode(path):
    return '100755' if os.access(path, os.X_OK) else '100644'


def assemble(repo, parent, verbose=False):
    """Build the series as commits on parent; return the list of commits."""
    names = read_series()
    owners, pairs = read_manifest()
    check_model(names, owners, pairs)
    maint_entry = ''
    if not NO_OVERLAY:
        with open(os.path.join(TOP, MAINT)) as f:
            maint_entry = f.read()
    date = git(TOP, 'log', '-1', '--format=%cI', check=False).strip() or \
        '2026-01-01T00:00:00Z'
    name = git(TOP, 'config', 'user.name', check=False).strip() or 'MSI table series'
    email = git(TOP, 'config', 'user.email', check=False).strip() or \
        'msi-table@example.invalid'
    env_id = {'GIT_AUTHOR_NAME': name, 'GIT_AUTHOR_EMAIL': email,
              'GIT_COMMITTER_NAME': name, 'GIT_COMMITTER_EMAIL': email,
              'GIT_AUTHOR_DATE': date, 'GIT_COMMITTER_DATE': date}
    commits = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(env_id, GIT_INDEX_FILE=os.path.join(tmp, 'index'))
        git(repo, 'read-tree', parent, env=env)
        for patch in names:
            subject, body, diff = parse_patch(patch)
            if diff:
                pfile = os.path.join(tmp, 'p.diff')
                with open(pfile, 'w') as f:
                    f.write(diff)
                p = subprocess.run(['git', '-C', repo, 'apply', '--cached',
                                    '--whitespace=nowarn', pfile],
                                   capture_output=True, env=dict(os.environ, **env))
                if p.returncode:
                    raise SeriesError('patches/%s does not apply:\n%s' %
                                      (patch, p.stderr.decode().strip()))
            for path in owners.get(patch, []):
                if path == MAINT:
                    old = git(repo, 'cat-file', 'blob', ':' + MAINT, env=env)
                    blob = git(repo, 'hash-object', '-w', '--stdin',
                               stdin=insert_maintainers(old, maint_entry).encode()).strip()
                    git(repo, 'update-index', '--cacheinfo',
                        '100644,%s,%s' % (blob, MAINT), env=env)
                    continue
                src = os.path.join(TOP, path)
                blob = git(repo, 'hash-object', '-w', src).strip()
                git(repo, 'update-index', '--add', '--cacheinfo',
                    '%s,%s,%s' % (file_mode(src), blob, path), env=env)
            tree = git(repo, 'write-tree', env=env).strip()
            msg = subject + '\n\n' + body + '\n' if body else subject + '\n'
            parent = git(repo, 'commit-tree', tree, '-p', parent, env=env_id,
                         stdin=msg.encode()).strip()
            commits.append(parent)
            if verbose:
                print('  %s %s' % (parent[:12], subject))
    return commits


def check_model(names, owners, pairs):
    errors = []
    if len(set(names)) != len(names):
        errors.append('patches/series lists a patch twice')
    for n in names:
        if not os.path.isfile(os.path.join(PATCHES, n)):
            errors.append('patches/series: %s does not exist' % n)
    for p in owners:
        if p not in names:
            errors.append('patches/manifest: %s is not in patches/series' % p)
    seen = {}
    for path, patch in pairs:
        if path in seen:
            errors.append('patches/manifest: %s is added by both %s and %s' %
                          (path, seen[path], patch))
        seen[path] = patch
        if not os.path.isfile(os.path.join(TOP, path)):
            errors.append('patches/manifest: %s does not exist' % path)
    for f in os.listdir(PATCHES):
        if f not in names and f not in ('series', 'manifest', 'cover-letter'):
            errors.append('patches/%s is not in patches/series' % f)
    for path in overlay_files():
        if path not in seen:
            errors.append('%s is in the overlay but not in patches/manifest' % path)
    if errors:
        raise SeriesError('\n'.join(errors))


OVERLAY_DIRS = ('arch', 'drivers', 'include', 'kernel', 'lib', 'tools',
                'Documentation', 'virt', 'samples', 'scripts', 'mm')


def overlay_files():
    if NO_OVERLAY:
        return []
    out = git(TOP, 'ls-files', '--cached', '--others', '--exclude-standard',
              '--', *OVERLAY_DIRS, MAINT)
    return [line for line in out.split('\n') if line]


# ------------------------------------------------------------------- refresh

def slug(subject):
    s = re.sub(r'[^A-Za-z0-9]+', '-', subject).strip('-')
    return s[:52].rstrip('-')


def chain(repo, base, tip):
    """The (tree, message) of each commit in base..tip."""
    out = []
    for c in git(repo, 'rev-list', '--reverse', '%s..%s' % (base, tip)).split():
        out.append((git(repo, 'rev-parse', c + '^{tree}').strip(),
                    git(repo, 'log', '-1', '--format=%B', c).strip()))
    return out


def check_repo_unchanged(repo, base):
    """Refuse to overwrite edits made in the repository since the last assembly."""
    last = git(repo, 'rev-parse', '-q', '--verify', ASSEMBLED_REF, check=False).strip()
    if not last or not os.path.exists(SERIES):
        return
    now = assemble(repo, git(repo, 'rev-parse', base).strip())
    if chain(repo, base, now[-1] if now else base) != chain(repo, base, last):
        raise SeriesError('patches/ or the overlay changed since the tree was last '
                          'assembled, and refresh would overwrite that: commit or '
                          'stash the tree\'s edits, run "make tree", then redo them')


def refresh(repo, base):
    """Write the commits base..HEAD of the assembled tree back to the repo."""
    check_repo_unchanged(repo, base)
    # Fold uncommitted edits into the last commit that touched each file.
    status = git(repo, 'status', '--porcelain', '--untracked-files=no')
    if status.strip():
        fold_uncommitted(repo, base)
    commits = git(repo, 'rev-list', '--reverse', '%s..HEAD' % base).split()
    if not commits:
        raise SeriesError('the assembled tree has no commits on the base')
    base_files = set(git(repo, 'ls-tree', '-r', '--name-only', base).split('\n'))
    old_names = read_series() if os.path.exists(SERIES) else []
    old_owners, _ = read_manifest() if os.path.exists(MANIFEST) else ({}, [])
    old_overlay = {p for files in old_owners.values() for p in files}

    names, manifest, added, folded = [], [], {}, []
    for i, c in enumerate(commits, 1):
        subject = git(repo, 'log', '-1', '--format=%s', c).strip()
        body = git(repo, 'log', '-1', '--format=%b', c).strip('\n')
        name = '%04d-%s.patch' % (i, slug(subject))
        changed = git(repo, 'diff-tree', '--no-commit-id', '-r', '--no-renames',
                      '--name-status', c).split('\n')
        upstream, new = [], []
        for line in filter(None, changed):
            st, path = line.split('\t', 1)
            if NO_OVERLAY:
                upstream.append(path)
            elif path == MAINT:
                new.append(MAINT)
            elif path in base_files:
                upstream.append(path)
            elif path in added:
                folded.append('%s: changes to %s folded into %s' %
                              (name, path, added[path]))
            elif st == 'A':
                added[path] = name
                new.append(path)
        diff = git(repo, 'diff-tree', '-p', '--no-renames', '--full-index',
                   '--no-commit-id', c, '--', *upstream) if upstream else ''
        text = 'Subject: ' + subject + '\n\n' + (body + '\n' if body else '')
        if diff:
            text += '---\n' + diff
        with open(os.path.join(PATCHES, name), 'w') as f:
            f.write(text)
        names.append(name)
        if new:
            manifest.append((name, new))

    head = git(repo, 'rev-parse', 'HEAD').strip()
    final_files = set(git(repo, 'ls-tree', '-r', '--name-only', head).split('\n'))
    # New files: the overlay holds their final content.
    for path in added:
        if path not in final_files:
            continue
        dst = os.path.join(TOP, path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        data = subprocess.run(['git', '-C', repo, 'cat-file', 'blob',
                               '%s:%s' % (head, path)],
                              capture_output=True, check=True).stdout
        with open(dst, 'wb') as f:
            f.write(data)
        mode = git(repo, 'ls-tree', head, '--', path).split()[0]
        os.chmod(dst, 0o755 if mode == '100755' else 0o644)
    for path in old_overlay - set(added) - {MAINT}:
        if os.path.exists(os.path.join(TOP, path)):
            os.unlink(os.path.join(TOP, path))
            print('removed %s (no longer added by the series)' % path, file=sys.stderr)
    # MAINTAINERS: the lines the series adds are the entry.
    mdiff = '' if NO_OVERLAY else git(repo, 'diff', '-U0', base, head, '--', MAINT)
    entry = [l[1:] for l in mdiff.split('\n')
             if l.startswith('+') and not l.startswith('+++')]
    if [l for l in mdiff.split('\n') if l.startswith('-') and not l.startswith('---')]:
        raise SeriesError('the series removes MAINTAINERS lines; only its own entry may change')
    if entry and not NO_OVERLAY:
        with open(os.path.join(TOP, MAINT), 'w') as f:
            f.write('\n'.join(l for l in entry).strip('\n') + '\n')
    manifest = [(n, [p for p in files if p in final_files or p == MAINT])
                for n, files in manifest]

    for f in old_names:
        if f not in names and os.path.exists(os.path.join(PATCHES, f)):
            os.unlink(os.path.join(PATCHES, f))
    with open(SERIES, 'w') as f:
        f.write('# The exported series, in order (quilt series file).\n')
        f.write(''.join(n + '\n' for n in names))
    if not NO_OVERLAY:
        write_manifest(manifest)
    for line in folded:
        print(line, file=sys.stderr)
    return head


def write_manifest(manifest):
    with open(MANIFEST, 'w') as f:
        f.write('# patch: the new files it adds, whole ("MAINTAINERS": the series\' entry)\n')
        for n, files in manifest:
            if files:
                f.write('%s: %s\n' % (n, ' '.join(files)))


def fold_uncommitted(repo, base):
    """Commit each edited file as a fixup of the last commit touching it."""
    changed = git(repo, 'diff', '--name-only', 'HEAD').split()
    groups = {}
    for path in changed:
        last = git(repo, 'log', '-1', '--format=%H', '%s..HEAD' % base,
                   '--', path).strip()
        if not last:
            last = git(repo, 'rev-parse', 'HEAD').strip()
            print('%s: not touched by the series yet; folded into the last patch' % path, file=sys.stderr)
        groups.setdefault(last, []).append(path)
    env = {'GIT_EDITOR': 'true', 'GIT_SEQUENCE_EDITOR': 'true'}
    for target, paths in groups.items():
        git(repo, 'add', '-f', '--', *paths)
        git(repo, 'commit', '-q', '--fixup=' + target, '--no-verify', env=env)
    git(repo, 'rebase', '-q', '-i', '--autosquash', base, env=env)


# ------------------------------------------------------------------ commands

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('command', choices=['assemble', 'refresh', 'check', 'new-files'])
    ap.add_argument('--repo', help='the git repository holding the base')
    ap.add_argument('--base', default='base')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('--patches', help='the series directory (default: patches/)')
    ap.add_argument('--no-overlay', action='store_true',
                    help='diffs only: no manifest, overlay or MAINTAINERS entry')
    ap.add_argument('--ref-prefix', default='refs/msi-table')
    a = ap.parse_args()
    if a.patches or a.no_overlay or a.ref_prefix != 'refs/msi-table':
        set_patches(a.patches or PATCHES, a.no_overlay, a.ref_prefix)
    try:
        if a.command == 'check':
            _, pairs = read_manifest()
            check_model(read_series(), *read_manifest())
        elif a.command == 'new-files':
            for path, _ in read_manifest()[1]:
                print(path)
        elif a.command == 'assemble':
            commits = assemble(a.repo, git(a.repo, 'rev-parse', a.base).strip(),
                               a.verbose)
            tip = commits[-1] if commits else git(a.repo, 'rev-parse', a.base).strip()
            git(a.repo, 'update-ref', SERIES_REF, tip)
            print(tip)
        elif a.command == 'refresh':
            head = refresh(a.repo, a.base)
            commits = assemble(a.repo, git(a.repo, 'rev-parse', a.base).strip())
            tip = commits[-1]
            want = git(a.repo, 'rev-parse', head + '^{tree}').strip()
            got = git(a.repo, 'rev-parse', tip + '^{tree}').strip()
            if want != got:
                raise SeriesError('refresh is incomplete: the reassembled tree %s '
                                  'differs from the assembled tree %s' % (got, want))
            git(a.repo, 'update-ref', SERIES_REF, tip)
            print(tip)
    except SeriesError as e:
        print('ERROR: %s' % e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
