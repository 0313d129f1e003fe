"""Resuming an estimator's fit after a kill: which phases finished, and their whole history.

An estimator trains in up to two phases (``train`` on the training part, then ``refit``
on all the data for the epoch count validation chose). Keras' ``BackupAndRestore``
resumes one ``model.fit`` at the epoch after the last one it saved, but it forgets the
epochs before the kill (their history) and it cannot tell a finished first phase from
one never started. :class:`FitState` keeps what it lacks under the estimator's
``backup_dir``, every name prefixed ``zoo-`` so that a user's own files there are
never touched:

* ``zoo-fit.json``: a fingerprint of the fit's parameters and training data, so that
  a backup is never restored into a different fit;
* ``zoo-<phase>/``: the phase's ``BackupAndRestore`` directory (Keras removes it when
  the phase ends);
* ``zoo-<phase>.history.jsonl``: one line per completed epoch, appended as each ends;
* ``zoo-<phase>.weights.h5`` and ``zoo-<phase>.done.json``: a finished phase's
  weights and history, so a kill during the refit does not train the first phase again.

Every file is written to a temporary name and renamed into place, so a kill leaves the
previous state or the new one, never half of one. Known limit: the early-stopping and
plateau callbacks restart their patience on resume (Keras keeps no state for them).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from pathlib import Path

import keras
import numpy as np

PHASES = ("train", "refit")
MARKER = "zoo-fit.json"


def _owned(phase: str) -> tuple:
    """The file names a phase's state uses (its Keras directory is ``zoo-<phase>``)."""
    return tuple(f"zoo-{phase}.{suffix}" for suffix in (
        "history.jsonl", "weights.h5", "done.json", "tmp.weights.h5", "done.json.tmp"))


def _replace(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _plain(value):
    """``value`` as plain JSON data, the same in every process (no memory addresses)."""
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    config = getattr(value, "get_config", None)
    if callable(config):  # a Keras optimizer, schedule or layer: its settings
        try:
            return {"class": type(value).__name__, "config": _plain(config())}
        except Exception:  # noqa: BLE001 - an object that cannot describe itself
            pass
    return type(value).__qualname__


def fingerprint(params: dict, *arrays) -> str:
    """A digest of parameters and training data, the same in every process.

    Args:
        params: The parameters that define the fit (numpy values, Keras objects ok).
        *arrays: The training data (their shapes, dtypes and bytes count).

    Example:
        >>> fingerprint({"units": np.int64(4)}) == fingerprint({"units": 4})
        True
        >>> fingerprint({"lr": 0.1}, np.zeros(3)) == fingerprint({"lr": 0.1}, np.ones(3))
        False
    """
    digest = hashlib.sha256(json.dumps(_plain(params), sort_keys=True).encode())
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes() if array.dtype != object else repr(array).encode())
    return digest.hexdigest()


def _ends_in_newline(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


class EpochLog(keras.callbacks.Callback):
    """Appends each finished epoch's logs to a JSON-lines file (flushed to disk).

    Example:
        >>> import tempfile, pathlib
        >>> log = EpochLog(pathlib.Path(tempfile.mkdtemp()) / "train.history.jsonl")
        >>> log.on_epoch_end(0, {"loss": 0.5})
        >>> log.path.read_text()
        '{"epoch": 0, "loss": 0.5}\\n'
    """

    def __init__(self, path):
        super().__init__()
        self.path = Path(path)

    def on_epoch_end(self, epoch, logs=None):
        line = json.dumps({"epoch": int(epoch),
                           **{k: float(v) for k, v in (logs or {}).items()}})
        torn = self.path.exists() and self.path.stat().st_size and not _ends_in_newline(self.path)
        with open(self.path, "a") as f:
            f.write(("\n" if torn else "") + line + "\n")  # a line cut by a kill stays alone
            f.flush()
            os.fsync(f.fileno())


class FitState:
    """The resumable state of one estimator fit under ``backup_dir``.

    Args:
        directory: The estimator's ``backup_dir``.
        fingerprint: :func:`fingerprint` of the parameters that define the fit.

    Raises:
        ValueError: ``directory`` holds the backup of a fit with other parameters.

    Example:
        >>> import tempfile
        >>> state = FitState(tempfile.mkdtemp() + "/backup", fingerprint({"units": 4}))
        >>> state.finished("train") is None
        True
        >>> state.clear()
    """

    def __init__(self, directory, fingerprint: str):
        self.dir = Path(directory)  # a directory, or none yet: zoo.training.check_paths
        marker = self.dir / MARKER
        progress = [p for p in self._paths() if p != marker and p.exists()]
        if progress and marker.exists():
            try:
                saved = json.loads(marker.read_text()).get("fingerprint")
            except (ValueError, AttributeError):
                saved = None
            if saved != fingerprint:
                raise ValueError(
                    f"backup_dir {str(directory)!r} holds the backup of a different fit (other "
                    "parameters or data); remove it or pass another backup_dir")
            return
        # no progress to resume (or the leftovers of a kill while clearing): start afresh
        self._remove(progress)
        self.dir.mkdir(parents=True, exist_ok=True)
        _replace(marker, json.dumps({"fingerprint": fingerprint}))

    def _paths(self) -> list:
        """Every path this state may write, the marker last."""
        names = [n for phase in PHASES for n in (f"zoo-{phase}", *_owned(phase))]
        return [self.dir / n for n in names + [MARKER + ".tmp", MARKER]]

    @staticmethod
    def _remove(paths) -> None:
        for path in paths:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists() or path.is_symlink():
                path.unlink()

    def phase_dir(self, phase: str) -> str:
        """The phase's ``BackupAndRestore`` directory."""
        return str(self.dir / f"zoo-{phase}")

    def epoch_log(self, phase: str) -> EpochLog:
        """The callback recording the phase's epochs (a fresh phase starts a fresh log)."""
        path = self.dir / f"zoo-{phase}.history.jsonl"
        if not os.path.exists(self.phase_dir(phase)) and path.exists():
            path.unlink()  # no Keras backup: the phase starts at epoch 0 again
        return EpochLog(path)

    def history(self, phase: str) -> dict:
        """Every epoch the phase completed, across kills (a lost epoch reads as NaN)."""
        path = self.dir / f"zoo-{phase}.history.jsonl"
        by_epoch = {}
        if path.exists():
            for line in path.read_text().splitlines():
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a kill
                by_epoch[record.pop("epoch")] = record
        keys = sorted({k for record in by_epoch.values() for k in record})
        n = max(by_epoch) + 1 if by_epoch else 0
        return {k: [by_epoch.get(e, {}).get(k, math.nan) for e in range(n)] for k in keys}

    def finished(self, phase: str):
        """The history of a phase that finished before a kill, or None."""
        path = self.dir / f"zoo-{phase}.done.json"
        if not (path.exists() and (self.dir / f"zoo-{phase}.weights.h5").exists()):
            return None
        return json.loads(path.read_text())["history"]

    def save_finished(self, phase: str, model, history: dict) -> None:
        """Stores a finished phase: its weights, then (as the commit) its history."""
        weights = self.dir / f"zoo-{phase}.weights.h5"
        tmp = self.dir / f"zoo-{phase}.tmp.weights.h5"
        model.save_weights(tmp)
        os.replace(tmp, weights)
        _replace(self.dir / f"zoo-{phase}.done.json", json.dumps({"history": history}))

    def load_weights(self, phase: str, model) -> None:
        """Loads a finished phase's weights into a freshly built model."""
        model.load_weights(self.dir / f"zoo-{phase}.weights.h5")

    def clear(self) -> None:
        """Removes what this state wrote (the marker last), and ``backup_dir`` once empty.

        Only the names listed above are touched: a user's own files in ``backup_dir``
        stay, and so does the directory then.
        """
        if not self.dir.exists():
            return
        self._remove(self._paths())
        try:
            self.dir.rmdir()
        except OSError:
            pass  # the directory holds something else: the user's, not ours to remove
