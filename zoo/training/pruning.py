"""Magnitude pruning during training (Zhu & Gupta 2017), for Keras 3 models.

``tensorflow-model-optimization`` is built on tf-keras and refuses Keras 3 models, so
zoo prunes with a small callback: from ``begin_step`` to ``end_step`` the target
sparsity of every kernel rises along the polynomial schedule

    s(t) = s_f + (s_0 - s_f) * (1 - (t - begin) / (end - begin)) ** 3,   s_0 = 0,

which prunes fast while many weights are redundant and slowly as few remain. Every
``frequency`` optimizer steps each kernel's mask is recomputed: the fraction s(t) of
its weights with the smallest magnitude is zeroed. After every optimizer step the
masks are applied again (the optimizer's momentum would otherwise regrow pruned
weights), and at the end of training every kernel is pruned to the target exactly,
after early stopping has restored its best weights; early stopping itself starts
watching once the target is reached, so the weights it keeps are pruned ones. The zeros
are ordinary weights:
they stay in ``model.keras``, the SavedModel and the ONNX file, and compress well.

"Every kernel" is every weight matrix named ``kernel`` or ``recurrent_kernel``: the
input and recurrent kernels of the RNN, LSTM and GRU cells (bidirectional ones
included), convolution kernels and the dense head. Biases and normalisation
parameters are left alone.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from zoo._checks import check_int, is_number

PRUNING_KEYS = ("target_sparsity", "begin_step", "end_step", "frequency")
# Where the schedule starts and ends, as shares of the run's optimizer steps, when
# begin_step / end_step are None (benchmarks/pruning_design.py compares choices of them).
BEGIN_FRACTION = 0.15
END_FRACTION = 0.5
UNKNOWN_LENGTH_STEPS = 1000
# Early stopping starts watching once the target is reached, so the weights it restores are
# pruned ones (benchmarks/pruning_design.py compares it with watching from the start).
WAIT_FOR_PRUNING = True
# An estimator's pruned fit with early stopping may train this many times its ``epochs``: the
# network learns on at the target sparsity while validation improves
# (benchmarks/pruning_design.py compares budgets).
EPOCH_FACTOR = 2


def check_pruning(pruning):
    """``pruning`` (None or a dict) checked: the dict with its defaults, or None.

    Args:
        pruning: None (off) or ``{"target_sparsity": s}`` with ``0 <= s < 1`` and,
            optionally, ``begin_step`` and ``end_step`` (optimizer steps; default
            ``BEGIN_FRACTION`` and ``END_FRACTION`` of the run's steps) and
            ``frequency`` (default 10 steps).

    Returns:
        None, or a dict with every key of ``PRUNING_KEYS``.

    Example:
        >>> check_pruning({"target_sparsity": 0.8})
        {'target_sparsity': 0.8, 'begin_step': None, 'end_step': None, 'frequency': 10}
    """
    if pruning is None:
        return None
    if not isinstance(pruning, dict):
        raise ValueError(f"pruning must be None or a dict such as {{'target_sparsity': 0.8}}; "
                         f"got {pruning!r}")
    unknown = sorted(set(pruning) - set(PRUNING_KEYS))
    if unknown:
        raise ValueError(f"pruning: unknown key(s) {unknown}; accepted: {list(PRUNING_KEYS)}")
    if "target_sparsity" not in pruning:
        raise ValueError("pruning needs 'target_sparsity', the fraction of every kernel's "
                         "weights to zero, in [0, 1)")
    target = pruning["target_sparsity"]
    if not (is_number(target) and 0 <= target < 1):
        raise ValueError(f"pruning['target_sparsity'] must be a number in [0, 1); got {target!r}")
    begin = pruning.get("begin_step")
    if begin is not None:
        begin = check_int(begin, "pruning['begin_step']", minimum=0)
    end = pruning.get("end_step")
    if end is not None:
        end = check_int(end, "pruning['end_step']", minimum=(begin or 0) + 1)
    frequency = check_int(pruning.get("frequency", 10), "pruning['frequency']")
    return {"target_sparsity": float(target), "begin_step": begin, "end_step": end,
            "frequency": frequency}


def prunable_weights(model) -> list:
    """The kernels of ``model`` (nested models and wrappers included), each once."""
    seen, out = set(), []
    for weight in model.trainable_weights:
        if weight.name in ("kernel", "recurrent_kernel") and id(weight) not in seen:
            seen.add(id(weight))
            out.append(weight)
    return out


def sparsity(model) -> float:
    """The fraction of zeros over every kernel of ``model``.

    Example:
        >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, kernel_initializer="zeros")])
        >>> sparsity(m)
        1.0
    """
    kernels = [np.asarray(w) for w in prunable_weights(model)]
    total = sum(k.size for k in kernels)
    return float(sum((k == 0).sum() for k in kernels) / total) if total else 0.0


class MagnitudePruning(keras.callbacks.Callback):
    """Prunes every kernel to ``target_sparsity`` by magnitude, on a polynomial schedule.

    Args:
        target_sparsity: The fraction of each kernel's weights zeroed at the end.
        begin_step: The optimizer step at which pruning starts.
        end_step: The step at which the target is reached (then kept).
        frequency: Steps between mask updates.

    Example:
        >>> cb = MagnitudePruning(0.5, begin_step=0, end_step=100)
        >>> round(cb.sparsity_at(50), 4), cb.sparsity_at(100)
        (0.4375, 0.5)
    """

    def __init__(self, target_sparsity, begin_step=0, end_step=100, frequency=10):
        super().__init__()
        self.target = float(target_sparsity)
        self.begin, self.end, self.frequency = int(begin_step), int(end_step), int(frequency)
        self.step = 0
        self._masks = None

    def end_epoch(self, steps_per_epoch) -> int:
        """The epoch in which the target is reached (0 when pruning waits for nothing)."""
        if not WAIT_FOR_PRUNING or not steps_per_epoch:
            return 0
        return int(math.ceil(self.end / steps_per_epoch))

    def sparsity_at(self, step) -> float:
        if step <= self.begin:
            return 0.0
        if step >= self.end:
            return self.target
        done = (step - self.begin) / (self.end - self.begin)
        return self.target * (1.0 - (1.0 - done) ** 3)

    def on_train_begin(self, logs=None):
        self._weights = prunable_weights(self.model)
        self._masks = [np.ones(w.shape, "float32") for w in self._weights]
        self.step = 0

    def _update_masks(self, fraction):
        for i, w in enumerate(self._weights):
            values = np.abs(np.asarray(w))
            k = int(math.ceil(fraction * values.size - 1e-9))  # at least the fraction asked
            mask = np.ones(values.size, "float32")
            if k:
                # the k smallest magnitudes go (ties broken by position: exactly k zeros)
                mask[np.argsort(values, axis=None, kind="stable")[:k]] = 0.0
            self._masks[i] = mask.reshape(values.shape)

    def _apply(self):
        for w, mask in zip(self._weights, self._masks):
            w.assign(np.asarray(w) * mask)

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.begin < self.step <= self.end and \
                ((self.step - self.begin) % self.frequency == 0 or self.step == self.end):
            self._update_masks(self.sparsity_at(self.step))
        if self.step > self.begin:
            self._apply()

    def on_epoch_end(self, epoch, logs=None):
        # in the history: the estimators choose the refit's epoch count among the epochs
        # at the target sparsity (zoo.base.ZooEstimator._train)
        if logs is not None:
            logs["sparsity"] = self.sparsity_at(self.step)

    def on_train_end(self, logs=None):
        # after EarlyStopping restored the best weights: every kernel at the target exactly
        self._update_masks(self.target)
        self._apply()


def make_pruning(pruning, total_steps):
    """The :class:`MagnitudePruning` callback for a checked ``pruning`` dict, or None.

    Args:
        pruning: The output of :func:`check_pruning` (None: no pruning).
        total_steps: The run's optimizer steps (epochs x steps per epoch), or None when
            unknown; it places the default ``end_step``.

    Returns:
        The callback, or None.
    """
    if pruning is None or pruning["target_sparsity"] == 0:
        return None
    # a dataset of unknown length: the run counts as UNKNOWN_LENGTH_STEPS steps
    total = total_steps or UNKNOWN_LENGTH_STEPS
    begin = pruning["begin_step"]
    begin = int(BEGIN_FRACTION * total) if begin is None else begin
    end = pruning["end_step"]
    end = max(begin + 1, int(END_FRACTION * total)) if end is None else end
    return MagnitudePruning(pruning["target_sparsity"], begin, end, pruning["frequency"])
