"""Recurrent builders: LSTM, GRU, stacked and bidirectional, one code path.

:func:`stacked` and :func:`bidirectional` choose the cell by argument; the
registered names ``lstm``, ``gru``, ``stacked_lstm``, ``stacked_gru``,
``bilstm`` and ``bigru`` are presets of them. Every builder returns an
uncompiled ``keras.Model`` whose Sequential and functional versions hold the
same layers in the same order.
"""

from __future__ import annotations

import numbers
import warnings

import keras

from zoo.builders.heads import classification_head, forecast_head
from zoo.builders.layers import LastTimestep
from zoo.registry import register

CELLS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
APIS = ("functional", "sequential")
MERGE_MODES = ("concat", "sum", "ave", "mul")
INITIALIZER_ALIASES = {
    "glorot": "glorot_uniform",
    "xavier": "glorot_uniform",
    "he": "he_normal",
    "lecun": "lecun_normal",
}


def _check_positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_rate(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a float in [0, 1), got {value!r}")
    return float(value)


def _check_initializer(value, name):
    if isinstance(value, str):
        value = INITIALIZER_ALIASES.get(value.lower(), value.lower())
    try:
        keras.initializers.get(value)
    except (ValueError, TypeError):
        raise ValueError(
            f"{name} must be a keras initializer name (glorot, he, orthogonal, lecun, "
            f"glorot_uniform, he_normal, ...), got {value!r}"
        ) from None
    return value


def _check_quantiles(quantiles):
    if quantiles is None:
        return None
    try:
        qs = [float(q) for q in quantiles]
    except (TypeError, ValueError):
        raise ValueError(f"quantiles must be a list of floats in (0, 1), got {quantiles!r}") from None
    if not qs or any(not 0 < q < 1 for q in qs) or len(set(qs)) != len(qs):
        raise ValueError(f"quantiles must be distinct floats in (0, 1), got {quantiles!r}")
    return sorted(qs)


def _validate(task, input_shape, horizon, n_targets, n_classes, api, units, dropout,
              recurrent_dropout, mask_value, kernel_initializer, recurrent_initializer,
              quantiles, n_future, cell):
    if task not in ("forecast", "classify"):
        raise ValueError(f"task must be 'forecast' or 'classify', got {task!r}")
    if api not in APIS:
        raise ValueError(f"api must be one of {APIS}, got {api!r}")
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {tuple(CELLS)}, got {cell!r}")
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise ValueError(
            f"input_shape must be (timesteps or None, n_features), got {input_shape!r}"
        )
    timesteps, n_features = input_shape
    if timesteps is not None:
        _check_positive_int(timesteps, "input_shape[0] (timesteps)")
    _check_positive_int(n_features, "input_shape[1] (n_features)")
    if isinstance(units, numbers.Integral) and not isinstance(units, bool):
        units = [units]
    if not isinstance(units, (list, tuple)) or not units:
        raise ValueError(f"units must be a positive int or a non-empty list of them, got {units!r}")
    units = [_check_positive_int(u, "units") for u in units]
    _check_rate(dropout, "dropout")
    _check_rate(recurrent_dropout, "recurrent_dropout")
    if recurrent_dropout > 0:
        warnings.warn(
            "recurrent_dropout > 0 disables the fused cuDNN kernel: training on a GPU will be "
            "several times slower. Prefer dropout (between layers) when speed matters.",
            UserWarning,
            stacklevel=4,
        )
    if mask_value is not None:
        if isinstance(mask_value, bool) or not isinstance(mask_value, numbers.Real):
            raise ValueError(f"mask_value must be None or a float sentinel, got {mask_value!r}")
    kernel_initializer = _check_initializer(kernel_initializer, "kernel_initializer")
    recurrent_initializer = _check_initializer(recurrent_initializer, "recurrent_initializer")
    quantiles = _check_quantiles(quantiles)
    n_future = _check_positive_int(n_future, "n_future", minimum=0)
    if task == "forecast":
        _check_positive_int(horizon, "horizon")
        _check_positive_int(n_targets, "n_targets")
    else:
        if n_classes is None:
            raise ValueError("n_classes is required for task='classify' (an integer >= 2)")
        _check_positive_int(n_classes, "n_classes", minimum=2)
        if quantiles is not None:
            raise ValueError("quantiles apply to task='forecast' only")
        if n_future:
            raise ValueError("n_future (known-ahead covariates) applies to task='forecast' only")
    if n_future and api == "sequential":
        raise ValueError("n_future > 0 needs two inputs: use api='functional'")
    return units, kernel_initializer, recurrent_initializer, quantiles, n_future


def _recurrent_layer(cell, units, return_sequences, recurrent_dropout, kernel_initializer,
                     recurrent_initializer, bidirectional, merge_mode, name):
    layer = CELLS[cell](
        units,
        return_sequences=return_sequences,
        recurrent_dropout=recurrent_dropout,
        kernel_initializer=kernel_initializer,
        recurrent_initializer=recurrent_initializer,
        name=name if not bidirectional else f"{name}_inner",
    )
    if bidirectional:
        layer = keras.layers.Bidirectional(layer, merge_mode=merge_mode, name=name)
    return layer


def _build(*, cell, bidirectional, task, input_shape, horizon, n_targets, n_classes, api,
           units, dropout, recurrent_dropout, merge_mode, layer_norm, residual, mask_value,
           kernel_initializer, recurrent_initializer, quantiles, n_future, name):
    units, kernel_initializer, recurrent_initializer, quantiles, n_future = _validate(
        task, input_shape, horizon, n_targets, n_classes, api, units, dropout,
        recurrent_dropout, mask_value, kernel_initializer, recurrent_initializer,
        quantiles, n_future, cell,
    )
    if bidirectional and merge_mode not in MERGE_MODES:
        raise ValueError(f"merge_mode must be one of {MERGE_MODES}, got {merge_mode!r}")
    if residual and api == "sequential":
        raise ValueError("residual=True adds skip connections: use api='functional'")
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")

    # Residual stacks keep every layer's sequence output (so each can be added to
    # its input) and take the last valid step at the end.
    n_layers = len(units)
    inputs = keras.Input(shape=tuple(input_shape), name="inputs", dtype="float32")
    pre = [keras.layers.Masking(mask_value=float(mask_value), name="masking")] if mask_value is not None else []
    blocks = []  # one list of layers per recurrent layer
    for i, u in enumerate(units):
        last = i == n_layers - 1
        block = [_recurrent_layer(cell, u, (not last) or residual, recurrent_dropout,
                                  kernel_initializer, recurrent_initializer, bidirectional,
                                  merge_mode, f"{cell}_{i}")]
        if layer_norm:
            block.append(keras.layers.LayerNormalization(name=f"layer_norm_{i}"))
        if dropout:
            block.append(keras.layers.Dropout(dropout, name=f"dropout_{i}"))
        blocks.append(block)
    post = [LastTimestep(name="last_step")] if residual else []
    if task == "forecast":
        head = forecast_head(horizon, n_targets, quantiles)
    else:
        head = classification_head(n_classes)

    if api == "sequential":
        layers = pre + [l for b in blocks for l in b] + post + head
        return keras.Sequential([inputs] + layers, name=name)

    x = inputs
    for layer in pre:
        x = layer(x)
    for i, block in enumerate(blocks):
        block_in = x
        for layer in block:
            x = layer(x)
        if residual and i > 0:
            if block_in.shape[-1] != x.shape[-1]:
                block_in = keras.layers.Dense(x.shape[-1], use_bias=False,
                                              name=f"residual_proj_{i}")(block_in)
            x = keras.layers.Add(name=f"residual_{i}")([block_in, x])
    for layer in post:
        x = layer(x)
    model_inputs = inputs
    if n_future:
        future = keras.Input(shape=(horizon, n_future), name="future", dtype="float32")
        flat = keras.layers.Flatten(name="future_flatten")(future)
        x = keras.layers.Concatenate(name="context_future")([x, flat])
        x = keras.layers.Dense(max(units[-1], 16), activation="relu", name="future_mix")(x)
        model_inputs = [inputs, future]
    for layer in head:
        x = layer(x)
    return keras.Model(model_inputs, x, name=name)


_COMMON_DOC = """
    Args:
        task: ``"forecast"`` (output ``[batch, horizon, n_targets]``, or
            ``[..., n_quantiles]`` with ``quantiles``) or ``"classify"``
            (softmax probabilities ``[batch, n_classes]``).
        input_shape: ``(timesteps or None, n_features)``; ``None`` accepts any length.
        horizon: Steps forecast at once (forecast only).
        n_targets: Target series forecast jointly (forecast only).
        n_classes: Number of classes (classify only, >= 2).
        api: ``"functional"`` or ``"sequential"``: the same layers in the same order.
        units: Units of the recurrent layer(s): an int, or a list (one layer each).
        dropout: Dropout rate after each recurrent layer.
        recurrent_dropout: Dropout on the recurrent state (warns: it disables cuDNN).
        layer_norm: Add ``LayerNormalization`` after each recurrent layer.
        residual: Skip connections between recurrent layers (functional only).
        mask_value: Padding sentinel of variable-length input, outside the data
            (``None``: no masking). Never defaults to ``0.0``, which is often real data.
        kernel_initializer: Input-weights initializer (``glorot``, ``he``, ``orthogonal``, ...).
        recurrent_initializer: Recurrent-weights initializer.
        quantiles: Quantile levels for a quantile forecast head (sorted output).
        n_future: Known-ahead covariates per future step; adds an input ``future``
            ``[batch, horizon, n_future]`` (functional only).
        name: Model name.
"""


@register("stacked_lstm", cell="lstm", description="Stacked LSTM (default units [64, 64])")
@register("stacked_gru", cell="gru", description="Stacked GRU (default units [64, 64])")
def stacked(*, cell="lstm", task="forecast", input_shape=(None, 1), horizon=1, n_targets=1,
            n_classes=None, api="functional", units=(64, 64), dropout=0.0,
            recurrent_dropout=0.0, layer_norm=False, residual=False, mask_value=None,
            kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
            quantiles=None, n_future=0, name="stacked"):
    """A stack of LSTM or GRU layers (``cell``) with a forecast or classification head.

    Args:
        cell: ``"lstm"`` or ``"gru"``.
    {common}
    Returns:
        An uncompiled ``keras.Model``.

    Example:
        >>> from zoo.builders import stacked
        >>> m = stacked(cell="gru", input_shape=(24, 2), units=[16, 8], horizon=6)
        >>> tuple(m.output.shape)
        (None, 6, 1)
    """
    return _build(cell=cell, bidirectional=False, task=task, input_shape=input_shape,
                  horizon=horizon, n_targets=n_targets, n_classes=n_classes, api=api,
                  units=list(units) if isinstance(units, tuple) else units, dropout=dropout,
                  recurrent_dropout=recurrent_dropout, merge_mode="concat",
                  layer_norm=layer_norm, residual=residual, mask_value=mask_value,
                  kernel_initializer=kernel_initializer,
                  recurrent_initializer=recurrent_initializer, quantiles=quantiles,
                  n_future=n_future, name=name)


@register("bilstm", cell="lstm", description="Bidirectional LSTM")
@register("bigru", cell="gru", description="Bidirectional GRU")
def bidirectional(*, cell="lstm", task="forecast", input_shape=(None, 1), horizon=1,
                  n_targets=1, n_classes=None, api="functional", units=64, dropout=0.0,
                  recurrent_dropout=0.0, merge_mode="concat", layer_norm=False,
                  residual=False, mask_value=None, kernel_initializer="glorot_uniform",
                  recurrent_initializer="orthogonal", quantiles=None, n_future=0,
                  name="bidirectional"):
    """Bidirectional LSTM or GRU layer(s) (``cell``) with a forecast or classification head.

    Args:
        cell: ``"lstm"`` or ``"gru"``.
        merge_mode: How the two directions combine: ``concat``, ``sum``, ``ave``, ``mul``.
    {common}
    Returns:
        An uncompiled ``keras.Model``.

    Example:
        >>> from zoo.builders import bidirectional
        >>> m = bidirectional(cell="gru", task="classify", input_shape=(None, 1), n_classes=3, units=8)
        >>> tuple(m.output.shape)
        (None, 3)
    """
    return _build(cell=cell, bidirectional=True, task=task, input_shape=input_shape,
                  horizon=horizon, n_targets=n_targets, n_classes=n_classes, api=api,
                  units=list(units) if isinstance(units, tuple) else units, dropout=dropout,
                  recurrent_dropout=recurrent_dropout, merge_mode=merge_mode,
                  layer_norm=layer_norm, residual=residual, mask_value=mask_value,
                  kernel_initializer=kernel_initializer,
                  recurrent_initializer=recurrent_initializer, quantiles=quantiles,
                  n_future=n_future, name=name)


def _single(cell):
    def builder(*, task="forecast", input_shape=(None, 1), horizon=1, n_targets=1,
                n_classes=None, api="functional", units=64, dropout=0.0,
                recurrent_dropout=0.0, layer_norm=False, mask_value=None,
                kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                quantiles=None, n_future=0, name=cell):
        if not (isinstance(units, numbers.Integral) and not isinstance(units, bool)):
            raise ValueError(
                f"units must be an int for {cell!r} (use stacked_{cell} for a list), got {units!r}"
            )
        return stacked(cell=cell, task=task, input_shape=input_shape, horizon=horizon,
                       n_targets=n_targets, n_classes=n_classes, api=api, units=[units],
                       dropout=dropout, recurrent_dropout=recurrent_dropout,
                       layer_norm=layer_norm, mask_value=mask_value,
                       kernel_initializer=kernel_initializer,
                       recurrent_initializer=recurrent_initializer, quantiles=quantiles,
                       n_future=n_future, name=name)

    builder.__name__ = cell
    builder.__qualname__ = cell
    builder.__doc__ = f"""A single {cell.upper()} layer with a forecast or classification head.

    A preset of :func:`stacked` with one layer (``units`` is an int).
    {_COMMON_DOC}
    Returns:
        An uncompiled ``keras.Model``.

    Example:
        >>> from zoo.builders import {cell}
        >>> tuple({cell}(input_shape=(12, 1), horizon=3, units=8).output.shape)
        (None, 3, 1)
    """
    return builder


lstm = register("lstm", description="Single LSTM layer")(_single("lstm"))
gru = register("gru", description="Single GRU layer")(_single("gru"))

stacked.__doc__ = stacked.__doc__.replace("    {common}", _COMMON_DOC)
bidirectional.__doc__ = bidirectional.__doc__.replace("    {common}", _COMMON_DOC)
