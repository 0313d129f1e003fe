"""Encoder-decoder forecaster: a recurrent encoder reads the window, a decoder writes the horizon.

:func:`seq2seq` is the sequence-to-sequence model of Sutskever et al. (2014) as the
forecasting literature uses it (e.g. the MQ-RNN / DeepAR family's decoders): the
encoder's final state starts a decoder that runs one step per forecast step, reading
that step's known-ahead covariates (``future``) when there are any, optionally
attending over every encoder step (Luong et al. 2015's dot-product attention, or
Bahdanau et al. 2015's additive one). Each decoder step is mapped to its own forecast
by one shared ``Dense``, so the horizon is written step by step rather than by one
flat layer.
"""

from __future__ import annotations

import keras

from zoo.builders.common import check_name, recurrent_layer, validate
from zoo.builders.layers import SortLastAxis
from zoo.registry import register

ATTENTIONS = (None, "dot", "additive")


def _check_attention(attention):
    if attention is True:
        return "dot"
    if attention is False:
        return None
    if attention not in ATTENTIONS:
        raise ValueError(f"attention must be one of {ATTENTIONS} (or True for 'dot', False for "
                         f"None), got {attention!r}")
    return attention


@register(
    "seq2seq",
    tasks=("forecast",),
    sequential=False,
    description="Encoder-decoder LSTM/GRU; the decoder reads future covariates, optional attention",
    example_kwargs={"units": 4, "input_shape": (None, 2), "horizon": 3, "n_future": 2,
                    "attention": "dot", "mask_value": -999.0},
)
def seq2seq(*, task="forecast", input_shape=(None, 1), horizon=1, n_targets=1, n_classes=None,
            api="functional", cell="lstm", units=64, dropout=0.0, recurrent_dropout=0.0,
            attention=None, mask_value=None, kernel_initializer="glorot_uniform",
            recurrent_initializer="orthogonal", quantiles=None, n_future=0, name="seq2seq"):
    """An encoder-decoder LSTM or GRU forecaster.

    The encoder reads the window ``[B, T, F]`` (a list of ``units`` stacks encoder
    layers; the decoder has as many, each started from its encoder twin's final
    state). The decoder runs ``horizon`` steps; step ``h`` reads the encoder's final
    output together with the known-ahead covariates of step ``h`` (``future``). With
    ``attention`` each decoder output also attends over the last encoder layer's
    outputs, and the two are concatenated. A ``Dense`` shared by every step gives
    ``n_targets`` values (times the quantiles) per step.

    Args:
        task: ``"forecast"`` only.
        input_shape: ``(timesteps or None, n_features)``.
        horizon: Steps forecast (decoder steps).
        n_targets: Target series forecast jointly.
        n_classes: Must be None (forecasting only).
        api: ``"functional"`` only: the decoder starts from the encoder's states, a graph.
        cell: ``"lstm"`` or ``"gru"`` (``"rnn"`` too).
        units: Width of every encoder and decoder layer (a list stacks several).
        dropout: Dropout on the decoder's outputs before the output layer.
        recurrent_dropout: Dropout on the recurrent state (warns: it disables cuDNN).
        attention: None, ``"dot"`` (Luong) or ``"additive"`` (Bahdanau); True is ``"dot"``.
        mask_value: Padding sentinel of right-padded variable-length windows (None: no
            masking); padded steps are skipped by the encoder and by the attention.
        kernel_initializer: Input-weights initializer of the recurrent layers.
        recurrent_initializer: Recurrent-weights initializer.
        quantiles: Quantile levels for a quantile head (output ``[B, H, T, Q]``, sorted).
        n_future: Known-ahead covariates per future step, read by the decoder; adds an
            input ``future`` ``[batch, horizon, n_future]``.
        name: Model name.

    Returns:
        An uncompiled ``keras.Model``.

    Example:
        >>> from zoo.builders.encoder_decoder import seq2seq
        >>> m = seq2seq(input_shape=(24, 3), horizon=6, units=8, n_future=2, attention="dot")
        >>> [tuple(i.shape) for i in m.inputs], tuple(m.output.shape)
        ([(None, 24, 3), (None, 6, 2)], (None, 6, 1))
    """
    if task != "forecast":
        raise ValueError(f"seq2seq forecasts (task='forecast'); got task={task!r}: for "
                         "classification use a recurrent model such as 'bigru'")
    if n_classes is not None:
        raise ValueError(f"n_classes applies to classification; seq2seq forecasts, got "
                         f"n_classes={n_classes!r}")
    units, kernel_initializer, recurrent_initializer, quantiles, n_future = validate(
        task, input_shape, horizon, n_targets, n_classes, api, units, dropout,
        recurrent_dropout, mask_value, kernel_initializer, recurrent_initializer, quantiles,
        n_future, cell,
    )
    if api == "sequential":
        raise ValueError("seq2seq's decoder starts from the encoder's final states, which a "
                         "Sequential model (one chain of layers) cannot pass: use "
                         "api='functional'")
    attention = _check_attention(attention)
    check_name(name)
    horizon, n_targets = int(horizon), int(n_targets)

    inputs = keras.Input(shape=tuple(input_shape), name="inputs", dtype="float32")
    x = inputs
    if mask_value is not None:
        x = keras.layers.Masking(mask_value=float(mask_value), name="masking")(x)
    states = []
    for i, u in enumerate(units):
        layer = recurrent_layer(cell, u, True, recurrent_dropout, kernel_initializer,
                                recurrent_initializer, False, "concat", f"encoder_{i}")
        layer.return_state = True
        x, *state = layer(x)
        states.append(state)
    encoded = x
    # the last encoder layer's final output (its state h) seeds every decoder step
    y = keras.layers.RepeatVector(horizon, name="repeat_context")(states[-1][0])
    model_inputs = inputs
    if n_future:
        future = keras.Input(shape=(horizon, n_future), name="future", dtype="float32")
        y = keras.layers.Concatenate(name="decoder_inputs")([y, future])
        model_inputs = [inputs, future]
    for i, (u, state) in enumerate(zip(units, states)):
        layer = recurrent_layer(cell, u, True, recurrent_dropout, kernel_initializer,
                                recurrent_initializer, False, "concat", f"decoder_{i}")
        y = layer(y, initial_state=state)
    if attention:
        kind = keras.layers.Attention if attention == "dot" else keras.layers.AdditiveAttention
        context = kind(name="attention")([y, encoded])
        y = keras.layers.Concatenate(name="decoder_context")([y, context])
    if dropout:
        y = keras.layers.Dropout(dropout, name="dropout")(y)
    n_q = len(quantiles) if quantiles else 0
    y = keras.layers.Dense(n_targets * (n_q or 1), name="forecast_dense")(y)
    if n_q:
        y = keras.layers.Reshape((horizon, n_targets, n_q), name="forecast_raw")(y)
        y = SortLastAxis(name="forecast")(y)
    else:
        y = keras.layers.Reshape((horizon, n_targets), name="forecast")(y)
    return keras.Model(model_inputs, y, name=name)
