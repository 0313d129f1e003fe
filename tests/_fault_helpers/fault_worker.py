"""Fault-test worker: fits or exports, and is SIGKILLed (by itself or by the test) midway.

    fault_worker.py fit MODE BACKUP PHASE EPOCH LOG   # MODE forecaster|classifier; kill
                                                      # after epoch EPOCH of PHASE
    fault_worker.py export SOURCE TARGET KILL GO      # KILL: none | after-swap; GO: start
                                                      # once this file exists (- for now)
    fault_worker.py race SOURCE TARGET GO N           # export N times once GO exists

The fit mode records every epoch it completes to LOG (``phase epoch`` lines) so the
test can see where the rerun resumed.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import numpy as np

import zoo
from zoo.training import resume


def forecaster(backup):
    return zoo.Forecaster(model="gru", lookback=12, horizon=3, units=4, epochs=4,
                          batch_size=16, early_stopping=False, reduce_lr_on_plateau=False,
                          validation_size=0.2, refit=True, seed=0, backup_dir=backup)


def classifier(backup):
    return zoo.Classifier(model="gru", units=4, epochs=4, batch_size=8, early_stopping=False,
                          reduce_lr_on_plateau=False, validation_size=0.25, refit=True, seed=0,
                          backup_dir=backup)


def fit_data(mode):
    if mode == "forecaster":
        return (zoo.datasets.load("airline"),)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 10, 2)).astype("float32")
    y = np.where(X[:, :, 0].mean(1) > 0, "up", "down")
    X[y == "up"] += 0.5
    return X, y


def recorder(log, kill_phase=None, kill_epoch=None):
    """An ``EpochLog.on_epoch_end`` that also logs ``phase epoch`` lines to ``log`` and
    SIGKILLs this process after the chosen epoch (once Keras' backup of it is saved)."""
    original = resume.EpochLog.on_epoch_end

    def on_epoch_end(self, epoch, logs=None):
        original(self, epoch, logs)
        phase = self.path.name.split(".")[0].removeprefix("zoo-")
        with open(log, "a") as f:
            f.write(f"{phase} {epoch}\n")
        if phase == kill_phase and epoch == kill_epoch:
            os.kill(os.getpid(), signal.SIGKILL)

    return on_epoch_end


def main(argv):
    if argv[0] == "fit":
        mode, backup, phase, epoch, log = argv[1:]
        resume.EpochLog.on_epoch_end = recorder(log, phase, int(epoch))
        est = (forecaster if mode == "forecaster" else classifier)(backup)
        est.fit(*fit_data(mode))
        print("finished without the kill")
        return 1
    if argv[0] == "export":
        source, target, kill, go = argv[1:]
        est = zoo.Forecaster.load(source)
        while go != "-" and not Path(go).exists():
            time.sleep(0.01)
        if kill == "after-swap":
            from zoo import export

            real = export.swap_in

            def swap_then_die(tmp, path, **kwargs):
                real(tmp, path, **kwargs)
                os.kill(os.getpid(), signal.SIGKILL)  # before the old tree is removed

            export.swap_in = swap_then_die
        print("exporting", flush=True)
        est.export(target, overwrite=True)
        return 0
    if argv[0] == "race":
        source, target, go, n = argv[1:]
        est = zoo.Forecaster.load(source)
        while not Path(go).exists():
            time.sleep(0.01)
        for _ in range(int(n)):
            est.export(target, overwrite=True)
        return 0
    raise SystemExit(f"unknown mode {argv[0]!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
