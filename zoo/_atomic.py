"""Putting a finished directory in place: the temporary sibling it is built in, the swap.

A writer builds its directory in a hidden sibling named after ``path``, its process
id and a random tag (:func:`building`), moves it into place (:func:`swap_in`), and
removes the siblings a crashed writer left (:func:`clean_stale`; a live writer's,
in this process or another, are kept).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import os
import re
import shutil
import sys
import threading
import uuid
from pathlib import Path

_TMP_TAG = ".zoo-tmp-"
_OLD_TAG = ".zoo-old-"
# the temporary siblings this process is writing now (threads too: they share its pid)
_LIVE: set = set()
_LIVE_LOCK = threading.Lock()


def temp_sibling(path: Path, tag: str = _TMP_TAG) -> Path:
    """A fresh hidden sibling of ``path`` tagged with this process id (not created)."""
    path = Path(path)
    return path.parent / f".{path.name}{tag}{os.getpid()}-{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def building(path: Path):
    """A new temporary sibling of ``path`` to build in, removed on exit if still there.

    While the block runs the sibling counts as live, so no :func:`clean_stale` (of
    this process's threads or of another process) removes it.

    Example:
        >>> import tempfile
        >>> with building(Path(tempfile.mkdtemp()) / "model") as tmp:
        ...     tmp.is_dir() and tmp.name.startswith(".model.zoo-tmp-")
        True
        >>> tmp.exists()
        False
    """
    tmp = temp_sibling(path)
    with _LIVE_LOCK:
        _LIVE.add(tmp)
    try:
        tmp.mkdir()
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        with _LIVE_LOCK:
            _LIVE.discard(tmp)


def clean_stale(parent: Path, name: str):
    """Removes the temporary siblings of ``parent / name`` left by a writer that crashed.

    A sibling whose writer is alive (a thread of this process, or a running process)
    stays; a tree moved aside by :func:`swap_in`'s portable path goes back when
    ``name`` is missing.

    Args:
        parent: The directory holding ``name``.
        name: The written directory's name.
    """
    parent = Path(parent)
    for tag in (_TMP_TAG, _OLD_TAG):
        pattern = re.compile(re.escape(f".{name}{tag}") + r"(\d+)-[0-9a-f]{8}")
        for stale in parent.glob(glob.escape(f".{name}{tag}") + "*"):
            match = pattern.fullmatch(stale.name)
            if match is None:
                continue  # another name's sibling, or not one of ours
            with _LIVE_LOCK:
                live = stale in _LIVE
            pid = int(match.group(1))
            if live or (pid != os.getpid() and _pid_alive(pid)):
                continue  # another writer is working in it right now
            if tag == _OLD_TAG and not (parent / name).exists():
                os.rename(stale, parent / name)  # a crash between the portable renames
                continue
            shutil.rmtree(stale, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _renameat2():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2  # glibc >= 2.28, musl
    except (OSError, AttributeError):
        return None


_RENAMEAT2 = _renameat2()
_AT_FDCWD, _NOREPLACE, _EXCHANGE = -100, 1, 2
# the kernel or file system lacks the flags (NFS, CIFS, some FUSE): the portable way
_UNSUPPORTED = (errno.EINVAL, errno.ENOSYS, errno.EPERM)


def _rename2(src: Path, dst: Path, flags: int) -> int:
    """``renameat2``; returns 0 or the errno."""
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) != 0:
        return ctypes.get_errno()
    return 0


def _exists_error(path: Path) -> FileExistsError:
    return FileExistsError(errno.EEXIST, f"{path} exists; pass overwrite=True to replace it",
                           str(path))


def swap_in(tmp: Path, path: Path, replace: bool = True):
    """Moves the finished directory ``tmp`` to ``path`` in one step.

    Where the kernel offers it (Linux ``renameat2``) the move is one atomic rename:
    with no ``path``, it refuses to land on one a rival created meanwhile; with a
    ``path``, it exchanges the two, so ``path`` holds the old tree or the new one at
    every instant, never none, whoever else is writing it. Elsewhere the old tree is
    moved aside first (a crash between the two renames leaves it as a sibling, which
    :func:`clean_stale` puts back).

    Args:
        tmp: The finished directory, a sibling of ``path``.
        path: Where it goes.
        replace: Replace a tree at ``path``; False raises ``FileExistsError`` instead,
            also when a rival created ``path`` a moment ago.

    Returns:
        The directory now holding the replaced tree (pass it to :func:`remove`), or None.

    Example:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> for name in ("a", "new"):
        ...     (root / name).mkdir(); _ = (root / name / "who").write_text(name)
        >>> old = swap_in(root / "new", root / "a")
        >>> (root / "a" / "who").read_text(), (old / "who").read_text()
        ('new', 'a')
        >>> remove(old); shutil.rmtree(root)
    """
    tmp, path = Path(tmp), Path(path)
    if _RENAMEAT2 is not None:
        for _ in range(100):  # a rival may create or remove path between two tries
            err = _rename2(tmp, path, _NOREPLACE)
            if err == 0:
                return None
            if err in (errno.EEXIST, errno.ENOTEMPTY):
                if not replace:
                    raise _exists_error(path)
                err = _rename2(tmp, path, _EXCHANGE)
                if err == 0:
                    return tmp
                if err == errno.ENOENT:
                    continue  # the rival's path went away: land with NOREPLACE again
            if err in _UNSUPPORTED:
                break
            raise OSError(err, os.strerror(err), str(path))
        else:
            raise OSError(errno.EBUSY, f"{path} kept changing under rival writers", str(path))
    if not path.exists():
        os.rename(tmp, path)
        return None
    if not replace:
        raise _exists_error(path)
    old = temp_sibling(path, _OLD_TAG)
    with _LIVE_LOCK:
        _LIVE.add(old)  # until remove(old): no thread's clean_stale may put it back
    os.rename(path, old)
    try:
        os.rename(tmp, path)
    except BaseException:
        os.rename(old, path)  # put the old tree back before reporting the failure
        raise
    return old


def remove(old: Path | None) -> None:
    """Removes the replaced tree :func:`swap_in` returned (None: nothing to do)."""
    if old is None:
        return
    shutil.rmtree(old, ignore_errors=True)
    with _LIVE_LOCK:
        _LIVE.discard(Path(old))
