"""Recurrent builders: vanilla RNN, LSTM, GRU, stacked and bidirectional, one code path.

:func:`stacked` and :func:`bidirectional` choose the cell by argument (``"rnn"``,
``"lstm"``, ``"gru"``); the registered names ``simple_rnn``, ``lstm``, ``gru``,
``stacked_rnn``, ``stacked_lstm``, ``stacked_gru``, ``birnn``, ``bilstm`` and ``bigru``
are presets of them. Every builder returns an uncompiled ``keras.Model`` whose
Sequential and functional versions hold the same layers in the same order, for the
three tasks: a forecast, one class per sequence, or one class per step (``"label"``,
many-to-many: every recurrent layer returns its sequence and the softmax head
classifies each step).
"""

from __future__ import annotations

import keras

from zoo._checks import is_int
from zoo.builders.common import (  # noqa: F401  (CELLS and APIS re-exported)
    APIS,
    CELLS,
    TASKS,
    check_name,
    check_normalization,
    finish,
    head,
    recurrent_layer,
    validate,
)
from zoo.builders.layers import LastTimestep
from zoo.registry import register

MERGE_MODES = ("concat", "sum", "ave", "mul")


def _norm_layer(normalization, name):
    if normalization == "layer":
        return keras.layers.LayerNormalization(name=f"layer_norm_{name}")
    return keras.layers.BatchNormalization(name=f"batch_norm_{name}")


def _build(*, cell, bidirectional, task, input_shape, horizon, n_targets, n_classes, api,
           units, dropout, recurrent_dropout, merge_mode, layer_norm, normalization, residual,
           mask_value, kernel_initializer, recurrent_initializer, quantiles, n_future, name):
    units, kernel_initializer, recurrent_initializer, quantiles, n_future = validate(
        task, input_shape, horizon, n_targets, n_classes, api, units, dropout,
        recurrent_dropout, mask_value, kernel_initializer, recurrent_initializer,
        quantiles, n_future, cell,
    )
    normalization = check_normalization(normalization, layer_norm)
    if bidirectional and merge_mode not in MERGE_MODES:
        raise ValueError(f"merge_mode must be one of {MERGE_MODES}, got {merge_mode!r}")
    if residual and api == "sequential":
        raise ValueError("residual=True adds skip connections: use api='functional'")
    check_name(name)

    # Residual stacks keep every layer's sequence output (so each can be added to its
    # input) and take the last valid step at the end; a labeller keeps every step.
    per_step = task == "label"
    n_layers = len(units)
    inputs = keras.Input(shape=tuple(input_shape), name="inputs", dtype="float32")
    pre = [keras.layers.Masking(mask_value=float(mask_value), name="masking")] if mask_value is not None else []
    if normalization == "batch":
        # on the input features, never inside the recurrence; the mask keeps padding out
        pre.append(_norm_layer("batch", "input"))
    blocks = []  # one list of layers per recurrent layer
    for i, u in enumerate(units):
        last = i == n_layers - 1
        block = [recurrent_layer(cell, u, (not last) or residual or per_step, recurrent_dropout,
                                 kernel_initializer, recurrent_initializer, bidirectional,
                                 merge_mode, f"{cell}_{i}")]
        if normalization:
            block.append(_norm_layer(normalization, i))
        if dropout:
            block.append(keras.layers.Dropout(dropout, name=f"dropout_{i}"))
        blocks.append(block)
    post = [LastTimestep(name="last_step")] if residual and not per_step else []
    out_layers = head(task, horizon, n_targets, n_classes, quantiles)

    if api == "sequential":
        layers = pre + [l for b in blocks for l in b] + post + out_layers
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
    return finish(inputs, x, out_layers, horizon=horizon, n_future=n_future, width=units[-1],
                  name=name)


_COMMON_DOC = """
    Args:
        task: ``"forecast"`` (output ``[batch, horizon, n_targets]``, or
            ``[..., n_quantiles]`` with ``quantiles``), ``"classify"`` (softmax
            probabilities ``[batch, n_classes]``) or ``"label"`` (one softmax per step,
            ``[batch, timesteps, n_classes]``).
        input_shape: ``(timesteps or None, n_features)``; ``None`` accepts any length.
        horizon: Steps forecast at once (forecast only).
        n_targets: Target series forecast jointly (forecast only).
        n_classes: Number of classes (classify and label, >= 2).
        api: ``"functional"`` or ``"sequential"``: the same layers in the same order.
        units: Units of the recurrent layer(s): an int, or a list (one layer each).
        dropout: Dropout rate after each recurrent layer.
        recurrent_dropout: Dropout on the recurrent state (warns: it disables cuDNN).
        layer_norm: Same as ``normalization="layer"`` (kept for older code).
        normalization: ``None``, ``"layer"`` (``LayerNormalization`` after each recurrent
            layer) or ``"batch"`` (``BatchNormalization`` on the input features and after
            each recurrent layer). Both act between layers, never inside the recurrence.
            Prefer ``"layer"`` for small batches, variable lengths and inference one
            window at a time (it normalises each step on its own, the same in training
            and serving); ``"batch"`` suits large batches of stationary data, where its
            moving statistics settle, and it can replace scaling the inputs by hand.
        residual: Skip connections between recurrent layers (functional only).
        mask_value: Padding sentinel of variable-length input, outside the data
            (``None``: no masking). Never defaults to ``0.0``, which is often real data.
        kernel_initializer: Input-weights initializer (``glorot``, ``he``, ``orthogonal``, ...).
        recurrent_initializer: Recurrent-weights initializer.
        quantiles: Quantile levels for a quantile forecast head (sorted output).
        n_future: Known-ahead covariates per future step; adds an input ``future``
            ``[batch, horizon, n_future]`` (functional, forecast only).
        name: Model name.
"""


@register("stacked_rnn", cell="rnn", tasks=TASKS, depth=2,
          description="Stacked vanilla RNN (default units [64, 64])",
          example_kwargs={"units": [4, 4], "input_shape": (None, 2), "horizon": 2,
                          "normalization": "batch"})
@register("stacked_lstm", cell="lstm", tasks=TASKS, depth=2,
          description="Stacked LSTM (default units [64, 64])",
          example_kwargs={"units": [4, 3], "input_shape": (10, 2), "horizon": 2,
                          "quantiles": [0.1, 0.5, 0.9]})
@register("stacked_gru", cell="gru", tasks=TASKS, depth=2,
          description="Stacked GRU (default units [64, 64])",
          example_kwargs={"units": [4, 4], "input_shape": (None, 1), "horizon": 3,
                          "layer_norm": True})
def stacked(*, cell="lstm", task="forecast", input_shape=(None, 1), horizon=1, n_targets=1,
            n_classes=None, api="functional", units=(64, 64), dropout=0.0,
            recurrent_dropout=0.0, layer_norm=False, normalization=None, residual=False,
            mask_value=None, kernel_initializer="glorot_uniform",
            recurrent_initializer="orthogonal", quantiles=None, n_future=0, name="stacked"):
    """A stack of vanilla RNN, LSTM or GRU layers (``cell``) with a task's head.

    Args:
        cell: ``"rnn"`` (Keras ``SimpleRNN``), ``"lstm"`` or ``"gru"``.
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
                  layer_norm=layer_norm, normalization=normalization, residual=residual,
                  mask_value=mask_value, kernel_initializer=kernel_initializer,
                  recurrent_initializer=recurrent_initializer, quantiles=quantiles,
                  n_future=n_future, name=name)


@register("birnn", cell="rnn", tasks=TASKS, description="Bidirectional vanilla RNN",
          example_kwargs={"units": 4, "input_shape": (None, 2), "horizon": 2})
@register("bilstm", cell="lstm", tasks=TASKS, description="Bidirectional LSTM",
          example_kwargs={"units": 4, "input_shape": (None, 2), "horizon": 2, "n_targets": 2})
@register("bigru", cell="gru", tasks=TASKS, description="Bidirectional GRU",
          example_kwargs={"units": 4, "input_shape": (8, 2), "horizon": 2, "merge_mode": "sum"})
def bidirectional(*, cell="lstm", task="forecast", input_shape=(None, 1), horizon=1,
                  n_targets=1, n_classes=None, api="functional", units=64, dropout=0.0,
                  recurrent_dropout=0.0, merge_mode="concat", layer_norm=False,
                  normalization=None, residual=False, mask_value=None,
                  kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                  quantiles=None, n_future=0, name="bidirectional"):
    """Bidirectional vanilla RNN, LSTM or GRU layer(s) (``cell``) with a task's head.

    Args:
        cell: ``"rnn"`` (Keras ``SimpleRNN``), ``"lstm"`` or ``"gru"``.
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
                  layer_norm=layer_norm, normalization=normalization, residual=residual,
                  mask_value=mask_value, kernel_initializer=kernel_initializer,
                  recurrent_initializer=recurrent_initializer, quantiles=quantiles,
                  n_future=n_future, name=name)


def _single(cell, name):
    def builder(*, task="forecast", input_shape=(None, 1), horizon=1, n_targets=1,
                n_classes=None, api="functional", units=64, dropout=0.0,
                recurrent_dropout=0.0, layer_norm=False, normalization=None, mask_value=None,
                kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                quantiles=None, n_future=0, name=name):
        if not is_int(units):
            raise ValueError(
                f"units must be an int for {cell!r} (use stacked_{cell} for a list), got {units!r}"
            )
        return stacked(cell=cell, task=task, input_shape=input_shape, horizon=horizon,
                       n_targets=n_targets, n_classes=n_classes, api=api, units=[units],
                       dropout=dropout, recurrent_dropout=recurrent_dropout,
                       layer_norm=layer_norm, normalization=normalization,
                       mask_value=mask_value, kernel_initializer=kernel_initializer,
                       recurrent_initializer=recurrent_initializer, quantiles=quantiles,
                       n_future=n_future, name=name)

    keras_layer = CELLS[cell].__name__
    builder.__name__ = name
    builder.__qualname__ = name
    builder.__doc__ = f"""A single ``{keras_layer}`` layer with a forecast, classification or labelling head.

    A preset of :func:`stacked` with one layer (``units`` is an int).
    {_COMMON_DOC}
    Returns:
        An uncompiled ``keras.Model``.

    Example:
        >>> from zoo.builders import {name}
        >>> tuple({name}(input_shape=(12, 1), horizon=3, units=8).output.shape)
        (None, 3, 1)
    """
    return builder


simple_rnn = register(
    "simple_rnn", tasks=TASKS, description="Single vanilla RNN layer (Keras SimpleRNN)",
    example_kwargs={"units": 4, "input_shape": (None, 2), "horizon": 2},
)(_single("rnn", "simple_rnn"))
lstm = register("lstm", tasks=TASKS, description="Single LSTM layer",
                example_kwargs={"units": 4, "input_shape": (None, 2), "horizon": 3},
                )(_single("lstm", "lstm"))
gru = register("gru", tasks=TASKS, description="Single GRU layer",
               example_kwargs={"units": 4, "input_shape": (10, 1), "horizon": 2},
               )(_single("gru", "gru"))

stacked.__doc__ = stacked.__doc__.replace("    {common}", _COMMON_DOC)
bidirectional.__doc__ = bidirectional.__doc__.replace("    {common}", _COMMON_DOC)
