"""``zoo.export_serving``: an artifact copied into TensorFlow Serving's version layout.

TF Serving started with ``--model_base_path=BASE/NAME`` loads the SavedModel in the
highest numbered subdirectory ``BASE/NAME/V/``. A zoo artifact has its SavedModel at
its root (signature ``serving_default``), so the version directory is a plain copy of
the artifact; the copy is built in a temporary sibling and renamed into place, so TF
Serving (which polls the base path) never sees half a version.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from zoo._atomic import building, swap_in
from zoo._checks import check_int, check_out_path
from zoo.export import read_manifest
from zoo.serving.repository import _NAME


def export_serving(artifact, base, name=None, version=None) -> Path:
    """Copies ``artifact`` to ``base/name/version/`` for TensorFlow Serving.

    Args:
        artifact: A zoo artifact directory (verified first).
        base: The model repository root (created when missing).
        name: The model name; default the artifact directory's name.
        version: The version number; default the highest existing one + 1 (1 if none).

    Returns:
        The version directory written.

    Raises:
        ValueError: If the artifact does not verify, the name is not a URL segment,
            or the version exists already.

    Example:
        >>> import zoo, tempfile, os
        >>> base = tempfile.mkdtemp()
        >>> v = zoo.export_serving("saved_models/golden", base, name="airline")
        >>> os.path.relpath(v, base), os.path.isfile(os.path.join(v, "saved_model.pb"))
        ('airline/1', True)
    """
    artifact = Path(artifact)
    read_manifest(artifact)  # verified before anything is written
    name = name if name is not None else artifact.resolve().name
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name must be letters, digits, '_', '.' or '-', got {name!r}")
    model_dir = Path(check_out_path(base, "base")) / name
    if Path(base).exists() and not Path(base).is_dir():
        raise ValueError(f"base {str(base)!r} is a file; give the model repository's directory")
    if model_dir.exists() and not model_dir.is_dir():
        raise ValueError(f"{model_dir} exists and is not a directory")
    # every numbered directory counts (TF Serving serves the highest, zoo artifact or not)
    existing = [int(d.name) for d in model_dir.iterdir() if d.is_dir() and d.name.isdigit()] \
        if model_dir.is_dir() else []
    if version is None:
        version = max(existing, default=0) + 1
    version = check_int(version, "version", minimum=1)
    target = model_dir / str(version)
    if target.exists():
        raise ValueError(f"version {version} exists already at {target}; pick another "
                         "--version (or leave it out for the next one)")
    model_dir.mkdir(parents=True, exist_ok=True)
    with building(target) as tmp:
        shutil.copytree(artifact, tmp, symlinks=False, dirs_exist_ok=True)  # copies, never links
        try:
            swap_in(tmp, target, replace=False)
        except FileExistsError:
            raise ValueError(f"version {version} exists already at {target} (written "
                             "meanwhile); pick another --version") from None
    return target
