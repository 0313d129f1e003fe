"""Putting a finished directory in place: the temporary sibling it is built in, the swap.

A writer builds its directory in a hidden sibling named after ``path`` and its own
process id (:func:`temp_sibling`), moves it into place (:func:`swap_in`), and removes
the siblings a crashed writer left (:func:`clean_stale`; a live writer's are kept).
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import uuid
from pathlib import Path

_TMP_TAG = ".zoo-tmp-"
_OLD_TAG = ".zoo-old-"


def temp_sibling(path: Path) -> Path:
    """A fresh hidden sibling of ``path`` tagged with this process id (not created)."""
    path = Path(path)
    return path.parent / f".{path.name}{_TMP_TAG}{os.getpid()}-{uuid.uuid4().hex[:8]}"


def clean_stale(parent: Path, name: str):
    """Removes the temporary siblings of ``parent / name`` left by a writer that crashed.

    A sibling whose process is alive is another writer's, and stays; a tree moved
    aside by :func:`swap_in`'s portable path goes back when ``name`` is missing.

    Args:
        parent: The directory holding ``name``.
        name: The written directory's name.
    """
    for tag in (_TMP_TAG, _OLD_TAG):
        for stale in parent.glob(f".{name}{tag}*"):
            try:
                pid = int(stale.name.rsplit("-", 2)[-2])
            except (ValueError, IndexError):
                pid = None
            if pid is not None and pid != os.getpid() and _pid_alive(pid):
                continue  # another process is exporting right now
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
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.renameat2  # Linux (glibc >= 2.28, musl)
    except (OSError, AttributeError):
        return None


_RENAMEAT2 = _renameat2()
_AT_FDCWD, _NOREPLACE, _EXCHANGE = -100, 1, 2


def _rename2(src: Path, dst: Path, flags: int) -> None:
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), str(dst))


def swap_in(tmp: Path, path: Path):
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

    Returns:
        The directory now holding the replaced tree (to remove), or None.

    Example:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> for name in ("a", "new"):
        ...     (root / name).mkdir(); _ = (root / name / "who").write_text(name)
        >>> old = swap_in(root / "new", root / "a")
        >>> (root / "a" / "who").read_text(), (old / "who").read_text()
        ('new', 'a')
    """
    tmp, path = Path(tmp), Path(path)
    if _RENAMEAT2 is not None:
        for _ in range(100):  # a rival may create or remove path between two tries
            try:
                _rename2(tmp, path, _NOREPLACE)
                return None
            except OSError as err:
                if err.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    if err.errno in (errno.EINVAL, errno.ENOSYS, errno.EPERM):
                        break  # this file system lacks the flags: the portable way
                    raise
            try:
                _rename2(tmp, path, _EXCHANGE)
                return tmp
            except OSError as err:
                if err.errno != errno.ENOENT:
                    if err.errno in (errno.EINVAL, errno.ENOSYS, errno.EPERM):
                        break
                    raise
    if path.exists():
        old = path.parent / f".{path.name}{_OLD_TAG}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        os.rename(path, old)
        os.rename(tmp, path)
        return old
    os.rename(tmp, path)
    return None
