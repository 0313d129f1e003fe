"""Putting a finished directory in place: the temporary sibling it is built in, the swap.

A writer builds its directory in a hidden sibling named after ``path`` and its own
process id (:func:`temp_sibling`), moves it into place (:func:`swap_in`), and removes
the siblings a crashed writer left (:func:`clean_stale`; a live writer's are kept).
"""

from __future__ import annotations

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
    """Removes temporary siblings left by a writer that crashed."""
    for tag in (_TMP_TAG, _OLD_TAG):
        for stale in parent.glob(f".{name}{tag}*"):
            try:
                pid = int(stale.name.rsplit("-", 2)[-2])
            except (ValueError, IndexError):
                pid = None
            if pid is not None and pid != os.getpid() and _pid_alive(pid):
                continue  # another process is exporting right now
            shutil.rmtree(stale, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap_in(tmp: Path, path: Path):
    # os.replace cannot replace a non-empty directory: move the old one aside first
    if path.exists():
        old = path.parent / f".{path.name}{_OLD_TAG}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        os.rename(path, old)
        os.rename(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, path)
