"""Faults survived: a SIGKILL during fit or export, rival exports, a full disk, a diverged loss.

The killed and racing processes start together in the background when this module
begins (tests/_fault_helpers/fault_worker.py), so they overlap each other and the
in-process tests; each ``test_proc_*`` waits for its own.
"""

from __future__ import annotations

import doctest
import errno
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import zoo
from zoo import _atomic
from zoo import export as zoo_export
from zoo.base import NotFittedError
from zoo.export import read_manifest
from zoo.training import TrainingDivergedError, resume

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_fault_helpers" / "fault_worker.py"
TIMEOUT = 240  # seconds per process; they share 2 cores with each other and pytest

_spec = importlib.util.spec_from_file_location("_zoo_fault_worker", WORKER)
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)

# (estimator, phase killed, epoch killed after): the rerun must pick up right there
# (both phases share zoo.base's code; the classifier's first phase is left to the forecaster)
KILLS = [("forecaster", "train", 1), ("forecaster", "refit", 0), ("classifier", "refit", 0)]


def _env():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH")]))
    return env


def _start(tmp, name, *args):
    log = open(tmp / f"{name}.out", "w")
    return subprocess.Popen([sys.executable, str(WORKER), *map(str, args)], stdout=log,
                            stderr=subprocess.STDOUT, env=_env(), cwd=str(tmp))


def _wait(proc, tmp, name):
    try:
        proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"{name} ran past {TIMEOUT} s:\n" + (tmp / f"{name}.out").read_text()[-3000:])
    return proc.returncode, (tmp / f"{name}.out").read_text(errors="replace")[-3000:]


def _siblings(path: Path):
    return sorted(p.name for p in path.parent.glob(f".{path.name}.zoo-*"))


def _small_forecaster(**kwargs):
    params = dict(model="gru", lookback=12, horizon=3, units=2, epochs=1, batch_size=32,
                  validation_size=0, seed=0)
    return zoo.Forecaster(**dict(params, **kwargs)).fit(zoo.datasets.load("airline"))


@pytest.fixture(scope="module")
def procs(tmp_path_factory):
    """Starts every background process: the fit kills first, the exports once a source exists."""
    tmp = tmp_path_factory.mktemp("faults")
    running = {}
    for mode, phase, epoch in KILLS:
        name = f"{mode}-{phase}"
        running[name] = _start(tmp, name, "fit", mode, tmp / f"{name}.backup", phase, epoch,
                               tmp / f"{name}.epochs")
    # one small artifact is the source every export process re-exports from its model.keras
    source = _small_forecaster().export(tmp / "source", formats=["keras"])
    for name in ("outside", "after-swap"):
        target = tmp / f"{name}.target"
        _small_forecaster().export(target, formats=["keras"])  # the artifact to replace
        running[name] = _start(tmp, name, "export", source, target,
                               "none" if name == "outside" else name,
                               tmp / "go-outside" if name == "outside" else "-")
    for i in range(2):
        running[f"race{i}"] = _start(tmp, f"race{i}", "race", source, tmp / "raced",
                                     tmp / "go", 3)
    yield tmp, running
    for proc in running.values():
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------- fit resumes


def _epochs(path):
    lines = path.read_text().split("\n") if path.exists() else []
    return [(p, int(e)) for p, e in (line.split() for line in lines if line)]


@pytest.mark.parametrize("mode,phase,epoch", KILLS, ids=[f"{m}-{p}" for m, p, _ in KILLS])
def test_proc_a_fit_killed_midway_resumes_at_the_next_epoch(procs, monkeypatch, mode, phase,
                                                            epoch):
    tmp, running = procs
    name = f"{mode}-{phase}"
    code, out = _wait(running[name], tmp, name)
    assert code == -signal.SIGKILL, out
    killed = _epochs(tmp / f"{name}.epochs")
    assert killed[-1] == (phase, epoch)
    backup = tmp / f"{name}.backup"
    assert (backup / f"zoo-{phase}").is_dir()  # Keras' backup of the killed phase

    # the same call again, in another process (this one): it resumes where the kill struck
    rerun = tmp / f"{name}.rerun"
    monkeypatch.setattr(resume.EpochLog, "on_epoch_end", worker.recorder(rerun))
    est = getattr(worker, mode)(backup).fit(*worker.fit_data(mode))
    resumed = _epochs(rerun)
    if phase == "train":
        assert [e for p, e in resumed if p == "train"] == list(range(epoch + 1, 4))
    else:
        assert [p for p, _ in resumed] == ["refit"] * len(resumed)  # no first phase again
    refit = [e for p, e in resumed if p == "refit"]
    assert refit == list(range(epoch + 1 if phase == "refit" else 0, est.best_epoch_))
    # the whole first phase's history survives the kill: best_epoch_ saw every epoch
    assert len(est.history_["loss"]) == 4 and np.isfinite(est.history_["val_loss"]).all()
    assert est.best_epoch_ == int(np.argmin(est.history_["val_loss"])) + 1
    assert len(est.refit_history_["loss"]) == est.best_epoch_
    assert est.validation_metrics_
    assert not backup.exists()  # a finished fit removes its backup


def test_a_backup_of_another_fit_is_refused_before_training(tmp_path, monkeypatch):
    backup = tmp_path / "backup"
    resume.FitState(backup, resume.fingerprint({"other": "fit"}))
    (backup / "zoo-train.history.jsonl").write_text('{"epoch": 0, "loss": 1.0}\n')  # progress
    monkeypatch.setattr("zoo.training.fit", lambda *a, **k: pytest.fail("training started"))
    with pytest.raises(ValueError, match="backup_dir .* holds the backup of a different fit"):
        worker.classifier(backup).fit(*worker.fit_data("classifier"))
    # the same parameters on other data are another fit too
    X, y = worker.fit_data("classifier")
    assert (resume.fingerprint({"units": 4}, X, y)
            != resume.fingerprint({"units": 4}, X[::-1], y[::-1]))


def test_a_backup_without_progress_does_not_block_a_changed_fit(tmp_path):
    # a fit that failed before its first epoch (say, out of memory) leaves only the marker:
    # rerunning with another batch_size is the usual fix, and must not be refused
    resume.FitState(tmp_path / "b", resume.fingerprint({"batch_size": 64}))
    resume.FitState(tmp_path / "b", resume.fingerprint({"batch_size": 8})).clear()
    assert not (tmp_path / "b").exists()


def test_a_fit_leaves_the_users_own_files_in_backup_dir(tmp_path):
    backup = tmp_path / "runs"
    (backup / "train").mkdir(parents=True)
    (backup / "train" / "data.csv").write_text("mine")
    (backup / "notes.tmp").write_text("mine")
    est = worker.classifier(backup).set_params(epochs=1, class_weight={"down": 1.0, "up": 2.0})
    est.fit(*worker.fit_data("classifier"))
    assert sorted(p.name for p in backup.rglob("*")) == ["data.csv", "notes.tmp", "train"]
    assert resume.fingerprint({"w": {np.int64(0): np.float32(1.0)}}) == resume.fingerprint(
        {"w": {0: 1.0}})  # numpy keys and values, as dict(zip(np.unique(y), w)) makes them


def test_the_resume_helpers_examples_run():
    for module in (resume, _atomic):
        result = doctest.testmod(module)
        assert result.attempted and not result.failed, module.__name__


# --------------------------------------------------------------------------- export faults


def _whole(path: Path):
    """The artifact's files, after it verifies and loads (a half-written one fails here)."""
    manifest = read_manifest(path)
    assert zoo.load(path).predict(zoo.datasets.load("airline")).notna().all().all()
    return sorted(manifest["files"])


def test_proc_a_sigkill_in_the_middle_of_export_leaves_the_old_artifact(procs):
    tmp, running = procs
    target = tmp / "outside.target"
    proc = running["outside"]
    old_files = _whole(target)
    (tmp / "go-outside").touch()
    deadline = time.monotonic() + TIMEOUT
    while not _siblings(target) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert _siblings(target), "the export never started writing"
    time.sleep(0.3)  # well inside the SavedModel, model.keras and ONNX writes
    proc.send_signal(signal.SIGKILL)
    code, out = _wait(proc, tmp, "outside")
    assert code == -signal.SIGKILL, f"the export finished before the kill:\n{out}"
    assert _whole(target) == old_files  # the old artifact, whole
    # the next export clears what the killed one left and writes the new artifact
    zoo.Forecaster.load(tmp / "source").export(target, overwrite=True)
    assert "model.onnx" in _whole(target) and _siblings(target) == []


def test_proc_a_sigkill_right_after_the_swap_leaves_the_new_artifact(procs):
    tmp, running = procs
    target = tmp / "after-swap.target"
    code, out = _wait(running["after-swap"], tmp, "after-swap")
    assert code == -signal.SIGKILL, out
    assert "model.onnx" in _whole(target)  # the new one (the old had no ONNX file)
    assert len(_siblings(target)) == 1  # the old tree, left for the next export to remove
    zoo.Forecaster.load(tmp / "source").export(target, overwrite=True)
    assert _siblings(target) == []


@pytest.mark.skipif(_atomic._RENAMEAT2 is None, reason="no renameat2: the portable swap")
def test_proc_two_processes_exporting_to_one_path_leave_one_whole_artifact(procs):
    tmp, running = procs
    target = tmp / "raced"
    (tmp / "go").touch()
    seen_missing = 0
    seen_once = False
    while any(running[f"race{i}"].poll() is None for i in range(2)):
        if target.exists():
            seen_once = True
        elif seen_once:
            seen_missing += 1  # once written, the path is never without an artifact
        time.sleep(0.002)
    for i in range(2):
        code, out = _wait(running[f"race{i}"], tmp, f"race{i}")
        assert code == 0, out
    assert seen_missing == 0
    assert "model.keras" in _whole(target) and _siblings(target) == []


def test_the_portable_swap_and_its_crash_recovery(exported, tmp_path, monkeypatch):
    # where renameat2 is missing (not Linux, or NFS / CIFS), the old tree moves aside first
    est, _ = exported
    monkeypatch.setattr(_atomic, "_RENAMEAT2", None)
    path = est.export(tmp_path / "model", formats=["keras"])
    est.export(path, overwrite=True, formats=["keras"])
    assert _siblings(path) == [] and read_manifest(path)
    with pytest.raises(FileExistsError):
        est.export(path, formats=["keras"])
    # a crash between the two renames: the old tree is a sibling and path is missing
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    os.rename(path, path.parent / f".model.zoo-old-{dead}-0123abcd")
    _atomic.clean_stale(tmp_path, "model")
    assert read_manifest(path) and _siblings(path) == []
    # a name with glob characters cleans its own siblings only, never model1's
    other = tmp_path / f".model1.zoo-old-{dead}-0123abcd"
    other.mkdir()
    _atomic.clean_stale(tmp_path, "model[1]")
    assert other.exists() and not (tmp_path / "model[1]").exists()


def test_a_rival_creating_the_path_is_not_overwritten_without_overwrite(exported, tmp_path):
    _, path = exported
    tmp = _atomic.temp_sibling(tmp_path / "model")
    shutil.copytree(path, tmp)
    shutil.copytree(path, tmp_path / "model")  # the rival's artifact lands first
    with pytest.raises(FileExistsError):
        _atomic.swap_in(tmp, tmp_path / "model", replace=False)
    assert tmp.exists() and read_manifest(tmp_path / "model")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    est = _small_forecaster()
    path = est.export(tmp_path_factory.mktemp("enospc") / "model", formats=["keras"])
    return est, path


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("writer", ["saved_model", "keras", "manifest"])
def test_a_full_disk_during_export_keeps_the_previous_artifact(exported, monkeypatch, writer):
    est, path = exported
    before = {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}
    if writer == "saved_model":
        real = zoo_export.write_saved_model

        def half_then_full(model, directory, *args, **kwargs):
            real(model, directory, *args, **kwargs)  # written in full, then the disk fills
            _disk_full()

        monkeypatch.setattr(zoo_export, "write_saved_model", half_then_full)
    elif writer == "keras":
        monkeypatch.setattr(type(est.model_), "save", _disk_full)
    else:
        monkeypatch.setattr(zoo_export, "sha256", _disk_full)  # while the manifest is made
    with pytest.raises(OSError) as err:
        est.export(path, overwrite=True)
    assert err.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()} == before
    assert _siblings(path) == []
    read_manifest(path)


# --------------------------------------------------------------------------- a diverged loss


def test_a_loss_that_turns_nan_stops_fit_with_the_likely_causes(tmp_path):
    est = zoo.Forecaster(model="gru", lookback=12, horizon=3, units=4, epochs=3,
                         optimizer="sgd", learning_rate=1e12, clipnorm=None,
                         validation_size=0, backup_dir=tmp_path / "backup")
    with pytest.raises(TrainingDivergedError, match="lower learning_rate.*clipnorm"):
        est.fit(zoo.datasets.load("airline"))
    with pytest.raises(NotFittedError):
        est.export(tmp_path / "model")
    assert sorted(os.listdir(tmp_path)) == []  # no artifact, and no backup to resume from


def test_nan_weights_are_never_exported_and_never_predicted_silently(exported, tmp_path):
    _, path = exported
    broken = zoo.Forecaster.load(path)
    weight = broken.model_.trainable_weights[0]
    weight.assign(np.full(weight.shape, np.nan, dtype="float32"))
    with pytest.raises(ValueError, match="NaN or infinite.*training diverged"):
        broken.export(tmp_path / "nan")
    assert not (tmp_path / "nan").exists() and _siblings(tmp_path / "nan") == []
    with pytest.raises(ValueError, match="answered NaN or inf for 1 of 1"):
        broken.predict()
    shutil.rmtree(tmp_path, ignore_errors=True)
