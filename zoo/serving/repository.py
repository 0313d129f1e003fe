"""Which models a server holds: artifacts and TF Serving model base directories.

A directory given to ``zoo serve`` is either an artifact (a ``zoo.json`` at its root:
served as version 1 under the directory's name) or a TensorFlow Serving model base
directory whose numbered subdirectories are artifacts (``BASE/NAME/1``, ``BASE/NAME/2``
...): like TF Serving's default version policy, the highest version is loaded and
served. Everything is verified and loaded before the server starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from zoo.export import MANIFEST

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


@dataclass
class Servable:
    """One loaded model version.

    Attributes:
        name: The model name in URLs.
        version: Its version number.
        path: The artifact directory.
        predictor: The loaded :class:`zoo.predictor.Predictor`.
    """

    name: str
    version: int
    path: Path
    predictor: object


def versions_in(base: Path) -> dict:
    """The numbered artifact subdirectories of a model base directory: version -> path."""
    found = {}
    for child in base.iterdir() if base.is_dir() else []:
        if child.is_dir() and child.name.isdigit() and (child / MANIFEST).is_file():
            found[int(child.name)] = child
    return found


def resolve(directory, name=None) -> tuple[str, int, Path]:
    """The (name, version, artifact path) a directory serves.

    Args:
        directory: An artifact, or a model base directory of numbered artifacts.
        name: The model name; default the directory's name.

    Returns:
        ``(name, version, path)``: version 1 for a bare artifact, else the highest.

    Raises:
        FileNotFoundError: If ``directory`` does not exist.
        ValueError: If it holds neither an artifact nor numbered artifacts, or the
            name is not a valid URL segment.
    """
    path = Path(directory)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist (expected a zoo artifact or a "
                                "model base directory of numbered versions)")
    name = name or path.resolve().name
    if not _NAME.match(name):
        raise ValueError(f"model name {name!r} must be letters, digits, '_', '.' or '-' "
                         "(it is part of the URL)")
    if (path / MANIFEST).is_file():
        return name, 1, path
    found = versions_in(path)
    if not found:
        raise ValueError(f"{path} is neither a zoo artifact ({MANIFEST} at its root) nor a "
                         "model base directory holding numbered artifact versions (1/, 2/ ...)")
    version = max(found)
    return name, version, found[version]


def load_all(directories, names=None, backend="auto", threads=1) -> dict:
    """Loads every served model: ``{name: Servable}``.

    Args:
        directories: Directories as in :func:`resolve`.
        names: Optional ``{name: directory}`` pairs (``--name NAME=DIR``).
        backend: The Predictor backend (default the fastest available).
        threads: ONNX Runtime threads per model call: 1 by default, since the server
            batches concurrent requests and the other cores parse them (measured:
            64-window requests 369 -> 527 per second on 2 cores).

    Returns:
        Name -> :class:`Servable`.

    Raises:
        ValueError: If two directories would be served under one name.
    """
    from zoo.predictor import load

    wanted = [(None, d) for d in directories] + list((names or {}).items())
    if not wanted:
        raise ValueError("give at least one artifact or model base directory to serve")
    served = {}
    for name, directory in wanted:
        name, version, path = resolve(directory, name)
        if name in served:
            raise ValueError(f"two directories would be served as {name!r}: name one with "
                             "--name NAME=DIR")
        served[name] = Servable(name, version, path, load(path, backend=backend, threads=threads))
    return served
