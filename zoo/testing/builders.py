"""The conformance harness every registered builder must pass.

:func:`check_builder` (one name) and :func:`check_builders` (many names, one
export subprocess for all of them) run, for each task the builder supports and
both APIs:

1. output shape and dtype (probabilities that sum to one for classifiers);
2. the Sequential and functional versions hold the same layers, in the same
   order, with the same parameter count;
3. a few training steps on a small learnable synthetic problem lower the loss (the
   functional model; its Sequential twin holds the same layers and weights);
4. ``get_config`` / ``from_config`` round trip gives identical outputs;
5. ``.keras`` save + load with ``safe_mode=True`` gives identical outputs;
6. ``model.export()`` reloaded with ``tf.saved_model.load`` in a fresh Python
   process that cannot import zoo gives outputs allclose (rtol=1e-5,
   atol=1e-5) to the in-memory model at batch sizes 1 and 7, and at a second
   sequence length when the time dimension is ``None``;
7. every capability flag of the registry holds both ways
   (:mod:`zoo.testing.capabilities`), reported as ``"name/task/capabilities"``.

Without arguments the harness uses the small ``example_kwargs`` the builder
registered with, so a plugin's builder is checked exactly as the built-ins are.

A builder registered with ``sequential=False`` (a branching model) is checked
with the functional API only, plus one check that ``api="sequential"`` raises a
``ValueError`` that points to ``api='functional'``; that check is reported as
``"name/task/sequential (refused)"``.

Failures raise ``AssertionError`` with the model, task and API in the message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

RTOL = 1e-5
ATOL = 1e-5

# Runs in a process where `import zoo` fails: plain TensorFlow only.
_LOADER = textwrap.dedent(
    """
    import json, sys
    sys.modules["zoo"] = None  # any attempt to import zoo now raises ImportError
    import numpy as np
    import tensorflow as tf
    jobs = json.load(open(sys.argv[1]))
    for job in jobs:
        try:
            loaded = tf.saved_model.load(job["path"])
            data = np.load(job["inputs"])
            outs = {}
            for key in sorted({k.split("__")[0] for k in data.files}):
                args = [data[f"{key}__{i}"] for i in range(job["n_inputs"])]
                x = args[0] if len(args) == 1 else args
                outs[key] = np.asarray(loaded.serve(x))
            np.savez(job["outputs"], **outs)
        except Exception as err:  # one broken export must not hide the others' results
            open(job["outputs"] + ".error", "w").write(f"{type(err).__name__}: {err}")
    print("ok", len(jobs))
    """
)


def _small_problem(task, input_shape, horizon, n_targets, n_classes, n_future, n, seed):
    """A learnable synthetic problem shaped for the model."""
    rng = np.random.default_rng(seed)
    steps = input_shape[0] or 12
    n_features = input_shape[1]
    t = np.arange(steps + horizon, dtype="float32")
    if task == "forecast":
        phase = rng.uniform(0, 2 * np.pi, size=(n, 1, 1))
        freq = rng.uniform(0.3, 0.6, size=(n, 1, 1))
        waves = np.sin(freq * t[None, :, None] + phase).astype("float32")
        x = np.repeat(waves[:, :steps], n_features, axis=2)
        y = np.repeat(waves[:, steps:], n_targets, axis=2)
    elif task == "label":
        # two or three segments per sequence, each a class that sets the level of its steps
        cuts = np.sort(rng.integers(1, steps, size=(n, 2)), axis=1)
        step = np.arange(steps)[None, :]
        segment = (step >= cuts[:, :1]).astype(int) + (step >= cuts[:, 1:]).astype(int)
        classes = rng.integers(0, n_classes, size=(n, 3))
        y = np.take_along_axis(classes, segment, axis=1)
        level = y / max(n_classes - 1, 1) * 2.0 - 1.0
        x = np.repeat(level[:, :, None], n_features, axis=2)
        x = x + rng.normal(scale=0.1, size=x.shape)
    else:
        # the class sets the level of a noisy wave: learnable in a few steps
        labels = rng.integers(0, n_classes, size=n)
        phase = rng.uniform(0, 2 * np.pi, size=(n, 1, 1))
        level = (labels / max(n_classes - 1, 1) * 2.0 - 1.0)[:, None, None]
        x = 0.3 * np.sin(0.5 * t[None, :steps, None] + phase) + level
        x = np.repeat(x, n_features, axis=2)
        x = x + rng.normal(scale=0.1, size=x.shape)
        y = labels
    inputs = [x.astype("float32")]
    if n_future:
        inputs.append(rng.normal(size=(n, horizon, n_future)).astype("float32"))
    return inputs, y


def _model_inputs(arrays):
    return arrays[0] if len(arrays) == 1 else arrays


def _fail(where, message):
    raise AssertionError(f"{where}: {message}")


def _task_params(kwargs, task, api):
    params = dict(kwargs)
    params.update(task=task, api=api)
    if task in ("classify", "label"):
        params.setdefault("n_classes", 3)
        params.pop("horizon", None)
        params.pop("n_targets", None)
        params.pop("quantiles", None)
        params.pop("n_future", None)
    return params


def _check_refuses_sequential(name, task, kwargs):
    import zoo

    where = f"check_builder({name!r}, task={task!r}, api='sequential')"
    params = _task_params(kwargs, task, "sequential")
    try:
        zoo.build(name, **params)
    except ValueError as err:
        if "functional" not in str(err):
            _fail(where, f"the ValueError does not point to api='functional': {err}")
        return
    _fail(where, "registered with sequential=False but api='sequential' did not raise ValueError")


def _check_one(name, task, api, kwargs, workdir, jobs, seed, sequential=True):
    import keras

    import zoo

    where = f"check_builder({name!r}, task={task!r}, api={api!r})"
    params = _task_params(kwargs, task, api)
    if params.get("n_future") and api == "sequential":
        params.pop("n_future")
    keras.utils.set_random_seed(seed)
    model = zoo.build(name, **params)
    other_api = "functional" if api == "sequential" else "sequential"
    other_params = dict(params, api=other_api)
    if not sequential or other_params.get("n_future") or other_params.get("residual"):
        other = None  # no Sequential twin for branching, two-input or skip-connection models
    else:
        other = zoo.build(name, **other_params)

    input_shape = params.get("input_shape", (None, 1))
    horizon = params.get("horizon", 1)
    n_targets = params.get("n_targets", 1)
    n_classes = params.get("n_classes")
    quantiles = params.get("quantiles")
    n_future = params.get("n_future", 0)

    # 1. shapes and dtypes
    inputs, y = _small_problem(task, input_shape, horizon, n_targets, n_classes, n_future, 7, seed)
    out = np.asarray(model(_model_inputs(inputs)))
    if task == "forecast":
        expected = (7, horizon, n_targets) + ((len(quantiles),) if quantiles else ())
    elif task == "label":
        expected = (7, input_shape[0] or 12, n_classes)
    else:
        expected = (7, n_classes)
    if out.shape != expected:
        _fail(where, f"output shape {out.shape}, expected {expected}")
    if out.dtype != np.float32:
        _fail(where, f"output dtype {out.dtype}, expected float32")
    if not np.all(np.isfinite(out)):
        _fail(where, "output holds NaN or inf")
    if task != "forecast" and not np.allclose(out.sum(axis=-1), 1.0, atol=1e-5):
        _fail(where, "class probabilities do not sum to 1")
    if quantiles and np.any(np.diff(out, axis=-1) < 0):
        _fail(where, "quantile outputs are not sorted")

    # 2. same architecture in both APIs
    if other is not None:
        names = [type(l).__name__ for l in model.layers if type(l).__name__ != "InputLayer"]
        other_names = [type(l).__name__ for l in other.layers if type(l).__name__ != "InputLayer"]
        if names != other_names:
            _fail(where, f"layers differ between APIs: {names} vs {other_names}")
        if model.count_params() != other.count_params():
            _fail(where, f"parameter counts differ between APIs: "
                         f"{model.count_params()} vs {other.count_params()}")

    # 3. training lowers the loss on a learnable problem
    train_x, train_y = _small_problem(task, input_shape, horizon, n_targets, n_classes,
                                      n_future, 64, seed + 1)
    if task == "forecast":
        if quantiles:
            loss = zoo.builders.PinballLoss(quantiles)
        else:
            loss = "mse"
    else:
        loss = "sparse_categorical_crossentropy"
    loss_fn = keras.losses.get(loss) if isinstance(loss, str) else loss

    def current_loss():
        # an eager forward pass: cheaper than tracing an evaluate() function
        return float(np.mean(loss_fn(train_y, model(_model_inputs(train_x), training=False))))

    # the Sequential twin holds the same layers and weights (check 2): it trains alike, so
    # only the functional model pays for tracing a training step
    if api == "functional":
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss, jit_compile=False)
        before = current_loss()
        model.fit(_model_inputs(train_x), train_y, epochs=5, batch_size=16, verbose=0,
                  shuffle=False)
        after = current_loss()
        if not after < 0.95 * before:
            _fail(where, f"training did not lower the loss: {before:.4f} -> {after:.4f}")

    reference = np.asarray(model(_model_inputs(inputs)))

    # 4. get_config / from_config round trip
    clone = type(model).from_config(model.get_config())
    clone.set_weights(model.get_weights())
    if not np.array_equal(np.asarray(clone(_model_inputs(inputs))), reference):
        _fail(where, "from_config(get_config()) with the same weights gives other outputs")

    # 5. .keras round trip with safe_mode
    tag = f"{name}_{task}_{api}"
    keras_path = Path(workdir) / f"{tag}.keras"
    model.save(keras_path)
    reloaded = keras.saving.load_model(keras_path, safe_mode=True)
    if not np.array_equal(np.asarray(reloaded(_model_inputs(inputs))), reference):
        _fail(where, ".keras save/load (safe_mode=True) gives other outputs")

    # 6. SavedModel export, checked later in one zoo-free subprocess
    export_path = Path(workdir) / f"{tag}_savedmodel"
    model.export(str(export_path), verbose=False)
    feeds, expected_out = {}, {}
    cases = [("b1", 1, None), ("b7", 7, None)]
    if input_shape[0] is None:
        cases.append(("t2", 7, 17))
    for key, batch, steps in cases:
        shape = (steps or input_shape[0] or 12, input_shape[1])
        case_x, _ = _small_problem(task, shape, horizon, n_targets, n_classes, n_future, batch,
                                   seed + 2)
        for i, arr in enumerate(case_x):
            feeds[f"{key}__{i}"] = arr
        expected_out[key] = np.asarray(model(_model_inputs(case_x)))
    np.savez(Path(workdir) / f"{tag}_in.npz", **feeds)
    jobs.append({
        "name": name,
        "where": where,
        "path": str(export_path),
        "inputs": str(Path(workdir) / f"{tag}_in.npz"),
        "outputs": str(Path(workdir) / f"{tag}_out.npz"),
        "n_inputs": len(inputs),
        "expected": expected_out,
    })


def check_builders(table, *, tasks=None, apis=("functional", "sequential"), seed=0,
                   workdir=None, collect=False):
    """Runs the conformance checks for every builder in ``table``.

    All SavedModel exports are checked together in a single subprocess that
    cannot import zoo (one TensorFlow start instead of one per model).

    Args:
        table: Model name -> small builder kwargs (e.g. ``{"units": 4}``), or a list
            of names (each checked with its registered ``example_kwargs``); the
            harness adds ``task`` and ``api`` (and ``n_classes=3`` for classify).
        tasks: Restrict to these tasks (default: every task the model supports).
        apis: The APIs to check.
        seed: Random seed for weights and synthetic data.
        workdir: Directory for the saved files (default: a temporary directory).
        collect: Check every builder even when one fails, and return a dict name ->
            the list of passed checks or the ``AssertionError`` it failed with (a test
            suite can then report each builder on its own, with one zoo-free subprocess).

    Returns:
        A list of the ``"name/task/api"`` combinations that passed (for builders
        registered with ``sequential=False``: ``"name/task/sequential (refused)"``),
        and ``"name/task/capabilities"`` for each task.

    Raises:
        AssertionError: On the first failed check, naming model, task and API.

    Example:
        >>> from zoo.testing import check_builders
        >>> check_builders({"gru": {"units": 4, "input_shape": (None, 1)}},
        ...                tasks=["forecast"], apis=["functional"])
        ['gru/forecast/functional', 'gru/forecast/capabilities']
    """
    from zoo.registry import get_spec
    from zoo.testing.capabilities import check_capabilities

    if not isinstance(table, dict):
        table = {name: get_spec(name).example_kwargs for name in table}

    own_tmp = None
    if workdir is None:
        own_tmp = tempfile.TemporaryDirectory(prefix="zoo-check-")
        workdir = own_tmp.name
    try:
        jobs: list[dict] = []
        results = {}
        for name, kwargs in table.items():
            spec = get_spec(name)
            passed, own_jobs = [], []
            try:
                for task in spec.tasks:
                    if tasks is not None and task not in tasks:
                        continue
                    for api in apis:
                        if api == "sequential" and not spec.sequential:
                            _check_refuses_sequential(spec.name, task, kwargs)
                            passed.append(f"{spec.name}/{task}/sequential (refused)")
                            continue
                        _check_one(spec.name, task, api, kwargs, workdir, own_jobs, seed,
                                   sequential=spec.sequential)
                        passed.append(f"{spec.name}/{task}/{api}")
                    check_capabilities(spec, task, _task_params(kwargs, task, "functional"),
                                       seed)
                    passed.append(f"{spec.name}/{task}/capabilities")
            except AssertionError as err:
                if not collect:
                    raise
                results[name] = err
                continue
            results[name] = passed
            jobs += own_jobs
        for name, err in (_check_exports_without_zoo(jobs, workdir) if jobs else {}).items():
            if not collect:
                raise err
            results[name] = err
        if collect:
            return results
        return [check for passed in results.values() for check in passed]
    finally:
        if own_tmp is not None:
            own_tmp.cleanup()


def check_builder(name: str, **small_kwargs) -> list[str]:
    """Runs every conformance check on one registered builder.

    Args:
        name: A registered model name.
        **small_kwargs: Small builder kwargs (e.g. ``units=4``) so the checks are fast;
            none given: the ``example_kwargs`` the builder registered with.

    Returns:
        The ``"name/task/api"`` (and ``"name/task/capabilities"``) checks that passed.

    Example:
        >>> from zoo.testing import check_builder
        >>> len(check_builder("lstm"))  # 2 tasks x (2 APIs + capabilities)
        6
    """
    from zoo.registry import get_spec

    return check_builders({name: small_kwargs or get_spec(name).example_kwargs})


def _check_exports_without_zoo(jobs, workdir) -> dict:
    """Loads every job's export in one zoo-free process; returns name -> AssertionError."""
    job_file = Path(workdir) / "jobs.json"
    job_file.write_text(json.dumps([{k: v for k, v in j.items() if k != "expected"} for j in jobs]))
    script = Path(workdir) / "load_without_zoo.py"
    script.write_text(_LOADER)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    proc = subprocess.run([sys.executable, str(script), str(job_file)], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        err = AssertionError(f"loading the exports without zoo failed:\n{proc.stderr[-3000:]}")
        return {job["name"]: err for job in jobs}
    failures = {}
    for job in jobs:
        if job["name"] in failures:
            continue
        error_file = Path(job["outputs"] + ".error")
        if error_file.exists():
            failures[job["name"]] = AssertionError(
                f"{job['where']}: the SavedModel does not load or run without zoo: "
                f"{error_file.read_text()}")
            continue
        got = np.load(job["outputs"])
        for key, expected in job["expected"].items():
            try:
                np.testing.assert_allclose(got[key], expected, rtol=RTOL, atol=ATOL)
            except AssertionError as err:
                failures[job["name"]] = AssertionError(
                    f"{job['where']}: SavedModel loaded without zoo differs ({key}): {err}")
                break
    return failures
