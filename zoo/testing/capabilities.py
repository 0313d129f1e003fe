"""The registry's capability flags, checked both ways for one builder and task.

A :class:`zoo.registry.ModelSpec` promises what its builder can do; the
estimators rely on those promises (a variable-length classifier needs
``masking`` and ``dynamic_time``, known-ahead covariates need
``future_covariates``). :func:`check_capabilities` holds each flag to its word:

* ``dynamic_time``: with ``input_shape=(None, F)`` the model runs at two lengths;
  without the flag, the builder refuses ``None`` with a ``ValueError``;
* ``masking``: with ``mask_value``, a right-padded sequence gives the output of the
  same sequence unpadded (at a length the model accepts); without the flag,
  ``mask_value`` is refused with a ``ValueError``;
* ``future_covariates`` (forecast only): with ``n_future=2`` the model takes a
  ``future`` input ``[batch, horizon, 2]`` whose values change the forecast;
  without the flag, ``n_future`` is refused with a ``ValueError``.
"""

from __future__ import annotations

import numpy as np

PAD = -999.0
RTOL = 1e-5
ATOL = 1e-5


def _refused(build, where, what):
    try:
        build()
    except ValueError:
        return
    raise AssertionError(f"{where}: registered without {what}, but the builder accepted it "
                         "instead of raising ValueError")


def _call(model, x, future=None):
    return np.asarray(model(x if future is None else [x, future], training=False))


def check_capabilities(spec, task, params, seed=0) -> None:
    """Checks ``spec``'s flags for ``task`` with the builder arguments ``params``.

    Args:
        spec: The model's :class:`zoo.registry.ModelSpec`.
        task: ``"forecast"`` or ``"classify"``.
        params: Small builder arguments for the task (``task`` and ``api`` included).
        seed: Seed for the random inputs.

    Raises:
        AssertionError: Naming the model, the task and the flag that does not hold.
    """
    import zoo

    where = f"check_builder({spec.name!r}, task={task!r})"
    base = {k: v for k, v in params.items() if k not in ("mask_value", "n_future")}
    base["api"] = "functional"
    steps, n_features = base.get("input_shape", (None, 1))
    steps = steps or 12
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, steps, n_features)).astype("float32")

    def build(**extra):
        return zoo.build(spec.name, **dict(base, **extra))

    dynamic = {"input_shape": (None, n_features)}
    if spec.dynamic_time:
        model = build(**dynamic)
        for length in (7, 13):
            out = _call(model, rng.normal(size=(2, length, n_features)).astype("float32"))
            if out.shape[0] != 2 or not np.all(np.isfinite(out)):
                raise AssertionError(f"{where}: dynamic_time=True but length {length} gives "
                                     f"output {out.shape}")
    else:
        _refused(lambda: build(**dynamic), where, "dynamic_time (input_shape=(None, F))")

    if spec.masking:
        shape = dynamic["input_shape"] if spec.dynamic_time else (steps, n_features)
        model = build(input_shape=shape, mask_value=PAD)
        valid = max(2, steps - 3)
        padded = x.copy()
        padded[0, valid:] = PAD
        got = _call(model, padded)[0]
        if not np.all(np.isfinite(got)):
            raise AssertionError(f"{where}: a padded sequence gives NaN or inf")
        if spec.dynamic_time:
            want = _call(model, x[:1, :valid])[0]
            if task == "label":  # one output per step: compare the valid steps
                got = got[:valid]
            if not np.allclose(got, want, rtol=RTOL, atol=ATOL):
                raise AssertionError(
                    f"{where}: masking=True but a right-padded sequence gives another output "
                    f"than the same sequence unpadded (max diff {np.abs(got - want).max():.3g})")
    else:
        _refused(lambda: build(mask_value=PAD), where, "masking (mask_value)")

    if task != "forecast":
        return
    if spec.future_covariates:
        horizon = base.get("horizon", 1)
        model = build(n_future=2)
        future = rng.normal(size=(3, horizon, 2)).astype("float32")
        out = _call(model, x, future)
        if out.shape[:2] != (3, horizon):
            raise AssertionError(f"{where}: n_future=2 gives output {out.shape}")
        if np.allclose(out, _call(model, x, future + 1.0)):
            raise AssertionError(f"{where}: future_covariates=True but the future input does "
                                 "not change the forecast")
    else:
        _refused(lambda: build(n_future=2), where, "future_covariates (n_future)")
