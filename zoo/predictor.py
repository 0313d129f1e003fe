"""``zoo.load(path) -> Predictor``: inference from an artifact, fastest backend first.

The Predictor verifies the manifest and checksums, then answers with ONNX
Runtime (when installed and ``model.onnx`` is present), else the XLA endpoint,
else ``serve``. ``backend="openvino"`` runs the artifact's OpenVINO IR (exported
with ``formats=[..., "openvino"]``) on OpenVINO's CPU runtime, in float32. DataFrame input gets the same features as training (calendar
covariates included): the estimator class of the artifact's task, rebuilt from
the manifest with no Keras model behind it, builds the inputs and formats the
outputs, and the Predictor's backend runs the model in between.
"""

from __future__ import annotations

import operator
import threading
from pathlib import Path

import numpy as np

from zoo._checks import check_finite_float32, check_finite_output, check_path
from zoo.classifier import Classifier
from zoo.export import read_manifest
from zoo.forecaster import Forecaster
from zoo.labeler import SequenceLabeler

BACKENDS = ("auto", "onnx", "xla", "serve", "openvino")
_OUTPUTS = ["outputs"]
# The artifact's task -> the estimator class that reads its manifest.
ESTIMATORS = {"forecast": Forecaster, "classify": Classifier, "label": SequenceLabeler}


def _dims(at):
    """``shape -> tuple(shape[i] for i in at)``, as one C call where it can be."""
    if not at:
        return lambda shape: ()
    if len(at) == 1:
        return lambda shape, i=at[0]: (shape[i],)
    return operator.itemgetter(*at)


class Predictor:
    """A loaded artifact. Thread-safe: calls only read shared state.

    Args:
        path: The artifact directory.
        backend: ``"auto"``, ``"onnx"``, ``"xla"``, ``"serve"`` or ``"openvino"``.
        threads: ONNX Runtime's threads per call (and no spin-waiting), or None for its
            default (all cores). A server that batches concurrent requests runs best
            with 1: the other cores parse requests.

    Attributes:
        path: The artifact directory.
        manifest: The verified manifest (dict).
        backend: The backend in use.
        task: ``"forecast"``, ``"classify"`` or ``"label"``.
        input_names: The SavedModel's inputs, in signature order (``inputs`` [, ``future``]).
        targets: Forecasters: the target columns (None for classifiers).
        season: Forecasters: the seasonal period of the data's frequency.
        lookback: Forecasters: input steps.
        horizon: Forecasters: steps forecast.
        classes: Classifiers and labellers: the class labels, in the order of the
            probabilities.

    Example:
        >>> import zoo, tempfile, os
        >>> f = zoo.Forecaster(lookback=12, horizon=3, units=4, epochs=1).fit(zoo.datasets.load("airline"))
        >>> p = zoo.load(f.export(os.path.join(tempfile.mkdtemp(), "art")))
        >>> p.predict(zoo.datasets.load("airline")).shape
        (3, 1)
    """

    def __init__(self, path, backend="auto", threads=None):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
        if threads is not None:
            from zoo._checks import check_int

            threads = check_int(threads, "threads", minimum=1)
        self._threads = threads
        self.path = Path(check_path(path, "path"))
        self.manifest = read_manifest(self.path)
        self.task = self.manifest["task"]
        if self.task not in ESTIMATORS:
            raise ValueError(f"{self.path} holds a {self.task!r} model; this zoo reads "
                             f"{sorted(ESTIMATORS)}")
        self._est = ESTIMATORS[self.task].from_manifest(self.manifest)
        self._specs = self._est._input_specs()
        self.input_names = list(self._specs)
        # per input, made once: what check_inputs compares on every call (it runs per
        # request, so the fixed dimensions are read with one itemgetter)
        self._checks = []
        for name, want in self._specs.items():
            at = [i for i, w in enumerate(want) if w is not None]
            self._checks.append((name, f"input {name!r}", len(want), _dims(at),
                                 tuple(want[i] for i in at)))
        forecasting = self.task == "forecast"
        self.targets = list(self._est.targets_) if forecasting else None
        self.season = self._est.season_ if forecasting else None
        self.lookback = int(self.manifest["lookback"]) if forecasting else None
        self.horizon = int(self.manifest["horizon"]) if forecasting else None
        self.classes = None if forecasting else self._est.classes_
        self.backend = self._open(backend)

    def _open(self, backend):
        files = self.manifest.get("files", {})
        if backend == "openvino":
            return self._open_openvino(files)
        if backend in ("auto", "onnx") and "model.onnx" in files:
            try:
                import onnxruntime as ort

                options = ort.SessionOptions()
                if self._threads is not None:
                    options.intra_op_num_threads = self._threads
                    options.inter_op_num_threads = self._threads
                    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                self._session = ort.InferenceSession(str(self.path / "model.onnx"), options,
                                                     providers=["CPUExecutionProvider"])
                return "onnx"
            except ImportError:
                if backend == "onnx":
                    raise ValueError("backend='onnx' needs onnxruntime: pip install zoo-ts[onnx]") from None
        elif backend == "onnx":
            raise ValueError(f"{self.path} has no model.onnx (export with the onnx extra installed)")
        import tensorflow as tf

        self._loaded = tf.saved_model.load(str(self.path))
        if backend in ("auto", "xla") and "serve_xla" in self.manifest.get("endpoints", []):
            self._fn = self._loaded.serve_xla
            return "xla"
        if backend == "xla":
            raise ValueError(f"{self.path} has no serve_xla endpoint")
        self._fn = self._loaded.serve
        return "serve"

    def _open_openvino(self, files):
        if "model.xml" not in files:
            raise ValueError(f"{self.path} has no model.xml: export with "
                             "formats=[..., 'openvino'] for backend='openvino'")
        edge = self.manifest["edge"]
        if any(list(edge["inputs"][n]) != list(self._specs[n]) for n in self.input_names):
            raise ValueError("backend='openvino' runs models of a fixed input length; this "
                             "artifact takes variable-length input (use 'onnx' or 'serve')")
        try:
            import openvino as ov
        except ImportError:
            raise ValueError("backend='openvino' needs openvino: pip install 'zoo-ts[edge]'") from None
        self._compiled = ov.Core().compile_model(str(self.path / "model.xml"), "CPU",
                                                 edge["openvino"]["compile_config"])
        self._ov_output = self._compiled.output("outputs")
        self._ov_local = threading.local()
        return "openvino"

    def check_inputs(self, *arrays) -> list:
        """The arrays as float32 feeds, checked against the signature (count and shapes).

        Args:
            *arrays: float arrays in the signature's order (``inputs`` [, ``future``]).

        Returns:
            The float32 arrays, ready for :meth:`compute`.

        Raises:
            ValueError: Naming the input whose shape does not match or that holds
                NaN, infinity, values beyond float32's range or non-numbers, or when the
                inputs' batch sizes differ.
        """
        if len(arrays) != len(self.input_names):
            raise ValueError(f"expected {len(self.input_names)} array(s) {self.input_names}, "
                             f"got {len(arrays)}")
        feeds = []
        for (name, label, ndim, fixed, sizes), arr in zip(self._checks, arrays):
            a = check_finite_float32(arr, label)
            shape = a.shape
            if len(shape) != ndim or fixed(shape) != sizes:
                want = self._specs[name]
                raise ValueError(f"{name} must be shaped {['batch' if w is None else w for w in want]}, "
                                 f"got {list(shape)}")
            feeds.append(a)
        if len(feeds) > 1 and any(len(a) != len(feeds[0]) for a in feeds):
            raise ValueError(f"the inputs {self.input_names} must hold the same number of "
                             f"windows (batch size), got {[len(a) for a in feeds]}")
        return feeds

    def compute(self, feeds) -> np.ndarray:
        """The backend's ``outputs`` for feeds already checked by :meth:`check_inputs`."""
        if self.backend == "onnx":
            return self._session.run(_OUTPUTS, dict(zip(self.input_names, feeds)))[0]
        if self.backend == "openvino":
            # one infer request per thread: the compiled model is shared, a request is not
            request = getattr(self._ov_local, "request", None)
            if request is None:
                request = self._ov_local.request = self._compiled.create_infer_request()
            return request.infer(dict(zip(self.input_names, feeds)))[self._ov_output].copy()
        return self._fn(*feeds)["outputs"].numpy()

    def run(self, *arrays) -> np.ndarray:
        """Runs the model on raw arrays in the signature's order (``inputs`` [, ``future``]).

        Args:
            *arrays: float arrays shaped as the manifest's signature.

        Returns:
            The ``outputs`` array.
        """
        return self.compute(self.check_inputs(*arrays))

    def _run_forecast(self, x, future=None):
        return self.run(x) if future is None else self.run(x, future)

    def make_inputs(self, history, future_df=None) -> dict:
        """The raw arrays the SavedModel takes for forecasting after ``history``.

        Useful to call the SavedModel yourself (plain TensorFlow, TF Serving's
        REST ``{"inputs": ...}``) with exactly the features training built.

        Args:
            history: A DataFrame of history, as for :meth:`predict`.
            future_df: Known-ahead covariates over the horizon, when the model has them.

        Returns:
            ``{"inputs": [S, lookback, n_inputs]}`` (+ ``"future"``
            ``[S, horizon, n_future]``), float32, one row per series.

        Example:
            >>> import zoo
            >>> p = zoo.load("saved_models/golden")
            >>> {k: v.shape for k, v in p.make_inputs(zoo.datasets.load("airline")).items()}
            {'inputs': (1, 12, 3), 'future': (1, 6, 2)}
        """
        if self.task != "forecast":
            raise ValueError("make_inputs is for forecasters; a classifier takes X as it is")
        series, kind = self._est._history(history)
        x, fut, _ = self._est.make_inputs(series, future_df, kind)
        return {"inputs": x} if fut is None else {"inputs": x, "future": fut}

    def predict(self, history=None, future_df=None):
        """Forecasts, class labels or per-step labels from raw data.

        Args:
            history: Forecasters: a DataFrame of history (wide or long, as in fit),
                or a raw array ``[batch, lookback, n_inputs]`` (returns an array).
                Classifiers and labellers: sequences ``X``. None: continue the
                training data (forecasters).
            future_df: Known-ahead covariates over the horizon (forecasters): a
                DataFrame, or a raw array ``[batch, horizon, n_future]`` beside a raw
                ``history`` array.

        Returns:
            A DataFrame of forecasts, an array, or class labels.
        """
        if self.task == "classify":
            return self.classes[self.predict_proba(history).argmax(axis=1)]
        if self.task == "label":
            return self._est.labels_from(self.predict_proba(history))
        if isinstance(history, np.ndarray) and history.ndim == 3:
            return check_finite_output(self._run_forecast(history, future_df))
        return self._est.forecast_with(self._run_forecast, history, future_df)

    def sample(self, num_samples, history=None, future_df=None, seed=None, temperature=1.0):
        """Sample paths from a probabilistic forecaster, through the SavedModel's ``sample``.

        Args:
            num_samples: Paths per series.
            history: A DataFrame of history, as for :meth:`predict` (None: continue the
                training data).
            future_df: Known-ahead covariates over the horizon, when the model has them.
            seed: Integer >= 0 (the same paths as ``Forecaster.sample`` with that seed);
                None draws a fresh seed.
            temperature: Spread multiplier (1: the fitted distribution).

        Returns:
            ``[num_samples, horizon, n_targets]`` for one series; ``[n_series,
            num_samples, horizon, n_targets]`` for a long frame.
        """
        from zoo.probabilistic import check_sampling

        if "sample" not in self.manifest.get("endpoints", []):
            raise ValueError(f"{self.path} has no sample endpoint: only a forecaster with a "
                             "distribution head (Forecaster(distribution=...)) samples")
        num_samples, seed, temperature = check_sampling(num_samples, seed, temperature)
        import tensorflow as tf

        if getattr(self, "_loaded", None) is None:
            self._loaded = tf.saved_model.load(str(self.path))
        series, kind = self._est._history(history)
        x, future, _ = self._est.make_inputs(series, future_df, kind)
        feeds = [tf.constant(x)] + ([] if future is None else [tf.constant(future)])
        out = self._loaded.sample(*feeds, tf.constant(num_samples, tf.int32),
                                  tf.constant(seed, tf.int64), tf.constant(temperature, tf.float32))
        paths = check_finite_output(out["samples"].numpy())
        return paths if kind == "long" else paths[0]

    def predict_proba(self, X):
        """Class probabilities (classifiers and labellers).

        Args:
            X: Sequences as in ``Classifier.fit`` / ``SequenceLabeler.fit``.

        Returns:
            ``[n, n_classes]`` probabilities; per step for a labeller (``[n, T,
            n_classes]``, or a list of ``[T_i, n_classes]`` for a list of sequences).
        """
        if self.task == "forecast":
            raise ValueError("predict_proba is for classifiers and labellers; this artifact "
                             "forecasts")
        return self._est.proba_with(self.run, X)


def load(path, backend="auto", threads=None) -> Predictor:
    """Loads an artifact for inference (``zoo.load``).

    Args:
        path: The artifact directory written by ``export``.
        backend: ``"auto"`` (fastest available), ``"onnx"``, ``"xla"``, ``"serve"`` or
            ``"openvino"`` (artifacts exported with that format).
        threads: ONNX Runtime threads per call (None: its default, all cores).

    Returns:
        A :class:`Predictor`.
    """
    return Predictor(path, backend=backend, threads=threads)
