"""Hybrid builders: convolutions together with a recurrent layer.

:func:`lstm_fcn` runs a fully convolutional branch and a recurrent branch in
parallel (Karim et al. 2017, "LSTM Fully Convolutional Networks for Time
Series Classification"; ``gru_fcn`` is its GRU preset) and :func:`alstm_fcn` pools
that recurrent branch's outputs with attention; :func:`cnn_lstm` chains causal
convolutions into a recurrent layer. All reuse the argument checks and heads of
:mod:`zoo.builders.common`.
"""

from __future__ import annotations

import keras

from zoo._checks import check_bool, check_int, is_int
from zoo.builders.common import chain, check_name, finish, head, recurrent_layer, validate
from zoo.builders.layers import PACKAGE
from zoo.registry import register


@keras.saving.register_keras_serializable(package=PACKAGE)
class CausalConv1D(keras.layers.Conv1D):
    """A stride-1 causal ``Conv1D`` that passes its input's mask on.

    Output step ``t`` depends on input steps ``<= t`` only, so for right-padded
    input the outputs at every valid step equal those of the unpadded sequence,
    and the mask still marks which steps are valid.

    Args:
        filters: Output channels.
        kernel_size: Width of the kernel.
        **kwargs: Other ``keras.layers.Conv1D`` arguments (``padding`` must be
            ``"causal"`` and ``strides`` 1).

    Example:
        >>> import numpy as np
        >>> tuple(CausalConv1D(4, 3)(np.zeros((2, 5, 1), "float32")).shape)
        (2, 5, 4)
    """

    def __init__(self, filters, kernel_size, **kwargs):
        padding = kwargs.pop("padding", "causal")
        strides = kwargs.pop("strides", 1)
        if padding != "causal":
            raise ValueError(f"CausalConv1D: padding must be 'causal', got {padding!r}")
        if strides not in (1, (1,), [1]):
            raise ValueError(f"CausalConv1D: strides must be 1, got {strides!r}")
        super().__init__(filters, kernel_size, strides=1, padding="causal", **kwargs)

    def compute_mask(self, inputs, mask=None):
        return mask


def _conv_plan(filters, kernel_size):
    """``[(filters, kernel), ...]``, one pair per convolution."""
    if is_int(filters):
        filters = [filters]
    if not isinstance(filters, (list, tuple)) or not filters:
        raise ValueError(
            f"filters must be a positive int or a non-empty list of them, got {filters!r}"
        )
    filters = [check_int(f, "filters") for f in filters]
    if is_int(kernel_size):
        kernel_size = [kernel_size] * len(filters)
    if not isinstance(kernel_size, (list, tuple)) or len(kernel_size) != len(filters):
        raise ValueError(
            f"kernel_size must be a positive int or a list with one per filters entry "
            f"({len(filters)}), got {kernel_size!r}"
        )
    kernel_size = [check_int(k, "kernel_size") for k in kernel_size]
    return list(zip(filters, kernel_size))


_SHARED_DOC = """
        task: ``"forecast"`` (output ``[batch, horizon, n_targets]``, or
            ``[..., n_quantiles]`` with ``quantiles``) or ``"classify"``
            (softmax probabilities ``[batch, n_classes]``).
        input_shape: ``(timesteps or None, n_features)``.
        horizon: Steps forecast at once (forecast only).
        n_targets: Target series forecast jointly (forecast only).
        n_classes: Number of classes (classify only, >= 2).
        filters: Channels of each convolution (one convolution per entry).
        kernel_size: Kernel width: an int for every convolution, or one per entry of
            ``filters``.
        cell: Recurrent cell, ``"lstm"`` or ``"gru"``.
        units: Units of the recurrent layer (a list stacks several).
        recurrent_dropout: Dropout on the recurrent state (warns: it disables cuDNN).
        kernel_initializer: Initializer of the convolution kernels (``he_uniform``,
            ``glorot``, ``he``, ...); the recurrent layer keeps ``glorot_uniform``.
        recurrent_initializer: Recurrent-weights initializer.
        quantiles: Quantile levels for a quantile forecast head (sorted output).
        n_future: Known-ahead covariates per future step; adds an input ``future``
            ``[batch, horizon, n_future]`` (functional only).
        name: Model name."""


def _fcn(*, attention, task, input_shape, horizon, n_targets, n_classes, api, filters,
         kernel_size, cell, units, dropout, dimension_shuffle, recurrent_dropout, mask_value,
         kernel_initializer, recurrent_initializer, quantiles, n_future, name):
    """The one body of :func:`lstm_fcn`, ``gru_fcn`` and :func:`alstm_fcn`."""
    label = "alstm_fcn" if attention else ("gru_fcn" if cell == "gru" else "lstm_fcn")
    if mask_value is not None:
        raise ValueError(
            f"{label} does not support mask_value: its convolutions and global average "
            "pooling would mix the padding into every output. Give sequences one length "
            f"(pad or resample) or use a recurrent model such as 'bigru'; got mask_value={mask_value!r}"
        )
    units, kernel_initializer, recurrent_initializer, quantiles, n_future = validate(
        task, input_shape, horizon, n_targets, n_classes, api, units, dropout,
        recurrent_dropout, None, kernel_initializer, recurrent_initializer, quantiles,
        n_future, cell,
    )
    if api == "sequential":
        raise ValueError(
            f"{label} has two parallel branches (convolutional and recurrent) joined by "
            "Concatenate, which a Sequential model (a single chain of layers) cannot "
            "hold: use api='functional'"
        )
    dimension_shuffle = check_bool(dimension_shuffle, "dimension_shuffle")
    if dimension_shuffle and input_shape[0] is None:
        raise ValueError(
            "dimension_shuffle=True makes the timesteps the recurrent layer's features, so "
            "it needs a fixed number of them: pass input_shape=(timesteps, n_features) "
            "or dimension_shuffle=False"
        )
    plan = _conv_plan(filters, kernel_size)
    check_name(name)

    inputs = keras.Input(shape=tuple(input_shape), name="inputs", dtype="float32")
    y = inputs
    for i, (f, k) in enumerate(plan):
        y = keras.layers.Conv1D(f, k, padding="same", kernel_initializer=kernel_initializer,
                                name=f"conv_{i}")(y)
        y = keras.layers.BatchNormalization(name=f"batch_norm_{i}")(y)
        y = keras.layers.Activation("relu", name=f"relu_{i}")(y)
    y = keras.layers.GlobalAveragePooling1D(name="global_pool")(y)

    x = keras.layers.Permute((2, 1), name="dimension_shuffle")(inputs) if dimension_shuffle else inputs
    for i, u in enumerate(units):
        # with attention the last layer keeps every step: the attention pools them
        sequences = i < len(units) - 1 or attention
        x = recurrent_layer(cell, u, sequences, recurrent_dropout, "glorot_uniform",
                             recurrent_initializer, False, "concat", f"{cell}_{i}")(x)
    if attention:
        x = _attention_pool(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name="dropout")(x)

    x = keras.layers.Concatenate(name="concat_branches")([x, y])
    out_layers = head(task, horizon, n_targets, n_classes, quantiles)
    return finish(inputs, x, out_layers, horizon=horizon, n_future=n_future,
                   width=units[-1] + plan[-1][0], name=name)


def _attention_pool(h):
    """``[B, S, U] -> [B, U]``: a learned score per step, softmax over steps, weighted sum.

    Plain Keras layers only (Dense, Flatten, Softmax, Dot), so the model loads without
    zoo and lowers to builtin LiteRT and OpenVINO ops. The score is linear (no bias: a
    constant shift cancels in the softmax); the softmax runs on the last axis of the
    flattened scores, the axis every backend's kernel handles natively.
    """
    scores = keras.layers.Dense(1, use_bias=False, name="attention_score")(h)
    scores = keras.layers.Flatten(name="attention_flatten")(scores)
    weights = keras.layers.Softmax(name="attention_weights")(scores)
    return keras.layers.Dot(axes=1, name="attention_pool")([weights, h])


@register(
    "lstm_fcn",
    masking=False,
    dynamic_time=False,
    sequential=False,
    description="LSTM-FCN: conv blocks + global pooling in parallel with an LSTM",
    example_kwargs={"filters": [8, 8, 8], "kernel_size": [5, 3, 3], "units": 4,
                    "input_shape": (10, 2), "horizon": 2, "n_targets": 2},
)
@register(
    "gru_fcn",
    cell="gru",
    masking=False,
    dynamic_time=False,
    sequential=False,
    description="GRU-FCN: LSTM-FCN with a GRU in the recurrent branch",
    example_kwargs={"filters": [8, 8], "kernel_size": [3, 3], "units": 4,
                    "input_shape": (10, 2), "horizon": 3, "quantiles": [0.1, 0.5, 0.9]},
)
def lstm_fcn(*, task="forecast", input_shape=(None, 1), horizon=1, n_targets=1,
             n_classes=None, api="functional", filters=(128, 256, 128),
             kernel_size=(8, 5, 3), cell="lstm", units=8, dropout=0.8,
             dimension_shuffle=True, recurrent_dropout=0.0, mask_value=None,
             kernel_initializer="he_uniform", recurrent_initializer="orthogonal",
             quantiles=None, n_future=0, name="lstm_fcn"):
    """LSTM-FCN (Karim et al. 2017): a convolutional and a recurrent branch in parallel.

    Convolutional branch: ``Conv1D`` (same padding) -> ``BatchNormalization`` ->
    ReLU per entry of ``filters``, then ``GlobalAveragePooling1D``. Recurrent
    branch: the recurrent layer (reading the transposed input ``[B, F, T]`` when
    ``dimension_shuffle``), then ``Dropout(dropout)``. The two are concatenated
    and fed to the head. The branches make it a graph, not a chain: there is no
    Sequential version, and padding masks are refused (the convolutions and the
    pooling would mix the padding into every output). The registered name
    ``gru_fcn`` is this builder with ``cell="gru"``.

    Args:
        {shared}
        api: ``"functional"`` only; ``"sequential"`` raises ``ValueError``.
        dropout: Dropout after the recurrent branch (the paper's 0.8).
        dimension_shuffle: The recurrent layer reads the input transposed,
            ``[B, F, T]`` (``F`` steps of ``T`` values), as in the paper; this needs
            a fixed number of timesteps. False: it reads ``[B, T, F]``.
        mask_value: Must be ``None`` (masking is not supported).

    Returns:
        An uncompiled ``keras.Model``.

    Example:
        >>> from zoo.builders import lstm_fcn
        >>> m = lstm_fcn(task="classify", input_shape=(24, 1), n_classes=2,
        ...              filters=[8, 16, 8], units=4)
        >>> tuple(m.output.shape)
        (None, 2)
    """
    return _fcn(attention=False, **locals())  # first statement: locals() is the arguments


@register(
    "alstm_fcn",
    masking=False,
    dynamic_time=False,
    sequential=False,
    description="ALSTM-FCN: LSTM-FCN whose LSTM outputs are pooled by attention",
    example_kwargs={"filters": [8, 8, 8], "kernel_size": [5, 3, 3], "units": 4,
                    "input_shape": (10, 3), "horizon": 2},
)
def alstm_fcn(*, task="forecast", input_shape=(None, 1), horizon=1, n_targets=1,
              n_classes=None, api="functional", filters=(128, 256, 128),
              kernel_size=(8, 5, 3), cell="lstm", units=8, dropout=0.8,
              dimension_shuffle=True, recurrent_dropout=0.0, mask_value=None,
              kernel_initializer="he_uniform", recurrent_initializer="orthogonal",
              quantiles=None, n_future=0, name="alstm_fcn"):
    """Attention LSTM-FCN (Karim et al. 2017/2019): :func:`lstm_fcn` with attention.

    The same two branches as :func:`lstm_fcn`, except that the (last) recurrent
    layer returns its output at every step and an attention pools them instead
    of keeping the last state: a learned linear score per step
    (``Dense(1)``), a softmax over the steps, and the weighted sum of the outputs
    (``Dot``). With ``dimension_shuffle`` (the default, as in the paper) the
    recurrent layer's steps are the input's features, so the attention weights
    the features. The paper's ``AttentionLSTM`` computes its attention inside the
    recurrence; pooling the outputs instead keeps the stock (cuDNN) layer and
    builtin-only edge exports.

    Args:
        {shared}
        api: ``"functional"`` only; ``"sequential"`` raises ``ValueError``.
        dropout: Dropout after the attention-pooled recurrent branch (the paper's 0.8).
        dimension_shuffle: The recurrent layer reads the input transposed,
            ``[B, F, T]`` (``F`` steps of ``T`` values, the steps the attention
            weights), as in the paper; this needs a fixed number of timesteps.
            False: it reads ``[B, T, F]`` and the attention weights the timesteps.
        mask_value: Must be ``None`` (masking is not supported).

    Returns:
        An uncompiled ``keras.Model``.

    Example:
        >>> from zoo.builders.hybrid import alstm_fcn
        >>> m = alstm_fcn(task="classify", input_shape=(24, 3), n_classes=2,
        ...               filters=[8, 16, 8], units=4)
        >>> tuple(m.get_layer("attention_weights").output.shape)
        (None, 3)
    """
    return _fcn(attention=True, **locals())  # first statement: locals() is the arguments


@register("cnn_lstm", description="Causal Conv1D feature extractor, then an LSTM or GRU",
          example_kwargs={"filters": [4, 4], "units": 4, "input_shape": (None, 2), "horizon": 3,
                          "quantiles": [0.1, 0.5, 0.9], "cell": "gru", "mask_value": -999.0})
def cnn_lstm(*, task="forecast", input_shape=(None, 1), horizon=1, n_targets=1,
             n_classes=None, api="functional", filters=(64, 64), kernel_size=3,
             cell="lstm", units=64, dropout=0.0, recurrent_dropout=0.0, mask_value=None,
             kernel_initializer="he_uniform", recurrent_initializer="orthogonal",
             quantiles=None, n_future=0, name="cnn_lstm"):
    """Causal convolutions (ReLU) feeding an LSTM or GRU, then the head.

    The convolutions are causal with stride 1 (every step sees only itself and
    the past, and the length is kept), so with ``mask_value`` right-padded input
    gives the same output as the unpadded sequence.

    Args:
        {shared}
        api: ``"functional"`` or ``"sequential"``: the same layers in the same order.
        dropout: Dropout rate after each recurrent layer.
        mask_value: Padding sentinel of right-padded variable-length input, outside
            the data (``None``: no masking).

    Returns:
        An uncompiled ``keras.Model``.

    Example:
        >>> from zoo.builders import cnn_lstm
        >>> m = cnn_lstm(input_shape=(None, 2), filters=[8, 8], units=4, horizon=3)
        >>> tuple(m.output.shape)
        (None, 3, 1)
    """
    units, kernel_initializer, recurrent_initializer, quantiles, n_future = validate(
        task, input_shape, horizon, n_targets, n_classes, api, units, dropout,
        recurrent_dropout, mask_value, kernel_initializer, recurrent_initializer, quantiles,
        n_future, cell,
    )
    plan = _conv_plan(filters, kernel_size)
    check_name(name)

    layers = []
    if mask_value is not None:
        layers.append(keras.layers.Masking(mask_value=float(mask_value), name="masking"))
    for i, (f, k) in enumerate(plan):
        # a plain Conv1D when unmasked, so such models load without zoo's layers
        conv = CausalConv1D if mask_value is not None else keras.layers.Conv1D
        extra = {} if mask_value is not None else {"padding": "causal"}
        layers.append(conv(f, k, activation="relu", kernel_initializer=kernel_initializer,
                           name=f"conv_{i}", **extra))
    for i, u in enumerate(units):
        layers.append(recurrent_layer(cell, u, i < len(units) - 1, recurrent_dropout,
                                       "glorot_uniform", recurrent_initializer, False,
                                       "concat", f"{cell}_{i}"))
        if dropout:
            layers.append(keras.layers.Dropout(dropout, name=f"dropout_{i}"))
    out_layers = head(task, horizon, n_targets, n_classes, quantiles)

    return chain(input_shape, layers, out_layers, api=api, horizon=horizon, n_future=n_future,
                 width=units[-1], name=name)


lstm_fcn.__doc__ = lstm_fcn.__doc__.replace("\n        {shared}", _SHARED_DOC)
alstm_fcn.__doc__ = alstm_fcn.__doc__.replace("\n        {shared}", _SHARED_DOC)
cnn_lstm.__doc__ = cnn_lstm.__doc__.replace("\n        {shared}", _SHARED_DOC)
