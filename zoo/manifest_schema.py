"""The manifest's shape, checked before anything else in an artifact is read.

A manifest comes from disk and may have been edited: its field types are checked,
and its ``files`` entries may only name regular files inside the artifact (no
absolute paths, no ``..``, no symlink, and no symlinked directory on the way, that
resolves outside the artifact). Unknown extra keys stay accepted, so manifests of
newer zoo versions of the same format, and format 1, still read.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

_HEX64 = re.compile(r"^[0-9a-f]{64}$")

# key -> accepted types (when the key is present; None is accepted where listed)
_TYPES = {
    "format_version": (int,),
    "task": (str,),
    "model": (str,),
    "files": (dict,),
    "endpoints": (list,),
    "signature": (dict,),
    "params": (dict, type(None)),
    "model_kwargs": (dict, type(None)),
    "metrics": (dict, type(None)),
    "lookback": (int, type(None)),
    "horizon": (int, type(None)),
    "inputs": (list, type(None)),
    "targets": (list, type(None)),
    "classes": (list, type(None)),
    "quantiles": (list, type(None)),
    "edge": (dict, type(None)),
    "search": (dict, type(None)),
    "ensemble": (dict, type(None)),
}


def check_manifest(manifest, root) -> None:
    """Refuses a manifest whose fields have the wrong types or whose files escape ``root``.

    Args:
        manifest: The parsed ``zoo.json``.
        root: The artifact directory.

    Raises:
        ValueError: Naming the field or the file entry.

    Example:
        >>> check_manifest({"format_version": 2, "files": {"../x": "0" * 64}}, ".")
        Traceback (most recent call last):
        ...
        ValueError: manifest files entry '../x' points outside the artifact (absolute or '..')
    """
    if not isinstance(manifest, dict):
        raise ValueError("the manifest must be a JSON object")
    for key, types in _TYPES.items():
        if key in manifest and (not isinstance(manifest[key], types)
                                or isinstance(manifest[key], bool)):
            names = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            raise ValueError(f"manifest field {key!r} must be {names}, got "
                             f"{type(manifest[key]).__name__}")
    root = Path(root)
    real_root = root.resolve()
    for rel, digest in manifest.get("files", {}).items():
        if not isinstance(digest, str) or not _HEX64.match(digest):
            raise ValueError(f"manifest files entry {rel!r} must map to a SHA-256 hex digest")
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or "\\" in rel or ":" in rel or not rel:
            raise ValueError(f"manifest files entry {rel!r} points outside the artifact "
                             "(absolute or '..')")
        here = root
        for part in pure.parts:  # every step on the way must stay inside
            here = here / part
            if here.is_symlink() and not _inside(here.resolve(), real_root):
                raise ValueError(f"manifest files entry {rel!r} goes through the symlink "
                                 f"{here.relative_to(root)} to outside the artifact")
    for link in _symlinks(root):  # directories holding symlinks that escape
        if not _inside(link.resolve(), real_root):
            raise ValueError(f"artifact {root} holds the symlink {link.relative_to(root)} "
                             "pointing outside it")


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _symlinks(root: Path):
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            children = list(d.iterdir())
        except OSError:
            continue
        for child in children:
            if child.is_symlink():
                yield child
            elif child.is_dir():
                stack.append(child)
