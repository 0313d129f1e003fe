"""Convolutional classifiers the time-series field measures against: FCN, ResNet, InceptionTime.

:func:`fcn` and :func:`resnet` follow Wang, Yan and Oates (2017), "Time Series
Classification from Scratch with Deep Neural Networks: A Strong Baseline";
:func:`inception_time` follows Ismail Fawaz et al. (2020), "InceptionTime:
Finding AlexNet for Time Series Classification" (one network: the paper's
ensemble of five is left to the caller). Layer choices the papers leave open
follow the authors' reference code (hfawaz/dl-4-tsc, hfawaz/InceptionTime).

All three end in global average pooling, so they take any number of timesteps
and serve as forecasters too (the forecast head reads the pooled features).
Same padding and the pooling mix padded steps into every output, so padding
masks are refused.

``units``, which the estimators always pass, is the base width: the pooled
features fed to the head are ``2 * units`` wide in every builder, and the
default ``units=64`` gives each paper's widths (FCN 128/256/128, ResNet
64/128/128, InceptionTime 32 filters per branch). An explicit ``filters``
takes precedence over ``units``.
"""

from __future__ import annotations

import keras

from zoo._checks import check_bool, check_int, check_rate, is_int
from zoo.builders.common import chain, check_name, finish, head, validate
from zoo.registry import register


def _int_list(value, name, length=None, what="a non-empty list of them"):
    """``value`` (an int or a sequence of ints) as a list of positive ints."""
    if is_int(value):
        value = [value] * (length or 1)
    if not isinstance(value, (list, tuple)) or not value or (length and len(value) != length):
        raise ValueError(f"{name} must be a positive int or {what}, got {value!r}")
    return [check_int(v, name) for v in value]


def _check_shared(model, task, input_shape, horizon, n_targets, n_classes, api, units,
                  dropout, mask_value, kernel_initializer, momentum, quantiles, n_future, name,
                  graph=None):
    """The shared checks and refusals: units, initializer, momentum, quantiles, n_future.

    ``graph`` says why the model is no single chain of layers (None: it is one).
    """
    if mask_value is not None:
        raise ValueError(
            f"{model} does not support mask_value: its same-padded convolutions and global "
            "average pooling mix the padding into every output. Give sequences one length "
            "(resample or crop them) or use a recurrent model such as 'bigru'; got "
            f"mask_value={mask_value!r}")
    if not is_int(units):
        raise ValueError(
            f"units must be a positive int (the base width: the pooled features are 2 * units "
            f"wide); give per-layer widths as filters, got units={units!r}")
    _, kernel_initializer, _, quantiles, n_future = validate(
        task, input_shape, horizon, n_targets, n_classes, api, units, dropout, 0.0, None,
        kernel_initializer, "orthogonal", quantiles, n_future, "lstm")
    if api == "sequential" and graph:
        raise ValueError(f"{model} {graph}, which a Sequential model (a single chain of "
                         "layers) cannot hold: use api='functional'")
    momentum = check_rate(momentum, "batch_norm_momentum")
    check_name(name)
    return int(units), kernel_initializer, momentum, quantiles, n_future


def _conv(filters, kernel_size, init, name, use_bias=True):
    return keras.layers.Conv1D(filters, kernel_size, padding="same", use_bias=use_bias,
                               kernel_initializer=init, name=name)


def _bn(momentum, name):
    return keras.layers.BatchNormalization(momentum=momentum, name=name)


def _end(inputs, x, width, dropout, task, horizon, n_targets, n_classes, quantiles, n_future,
         name):
    x = keras.layers.GlobalAveragePooling1D(name="global_pool")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name="dropout")(x)
    out_layers = head(task, horizon, n_targets, n_classes, quantiles)
    return finish(inputs, x, out_layers, horizon=horizon, n_future=n_future, width=width,
                  name=name)


_SHARED_DOC = """
        task: ``"forecast"`` (output ``[batch, horizon, n_targets]``, or
            ``[..., n_quantiles]`` with ``quantiles``) or ``"classify"``
            (softmax probabilities ``[batch, n_classes]``).
        input_shape: ``(timesteps or None, n_features)``; global average pooling
            makes ``None`` (any length) possible.
        horizon: Steps forecast at once (forecast only).
        n_targets: Target series forecast jointly (forecast only).
        n_classes: Number of classes (classify only, >= 2).
        dropout: Dropout on the pooled features, before the head (the papers use none).
        kernel_initializer: Initializer of every convolution kernel (Keras'
            ``glorot_uniform`` by default, as in the reference code).
        batch_norm_momentum: Momentum of every ``BatchNormalization``'s moving
            statistics, in ``[0, 1)`` (Keras' 0.99, as in the reference code). Only
            the outputs of inference (``training=False``) depend on it: a run of a
            few dozen steps may want 0.9, so the moving statistics catch up.
        mask_value: Must be ``None``: the convolutions and the pooling would mix the
            padding into every output, so masking is refused with ``ValueError``.
        quantiles: Quantile levels for a quantile forecast head (sorted output).
        n_future: Known-ahead covariates per future step; adds an input ``future``
            ``[batch, horizon, n_future]`` (functional only).
        name: Model name."""


@register(
    "fcn",
    masking=False,
    description="FCN (Wang et al. 2017): three Conv1D-BN-ReLU blocks, global average pooling",
    # momentum 0.9: the harness's 20 training steps must move the moving statistics
    example_kwargs={"filters": [4, 8, 4], "input_shape": (10, 2), "horizon": 2,
                    "n_targets": 2, "batch_norm_momentum": 0.9},
)
def fcn(*, task="forecast", input_shape=(None, 1), horizon=1, n_targets=1, n_classes=None,
        api="functional", units=64, filters=None, kernel_size=(8, 5, 3), dropout=0.0,
        kernel_initializer="glorot_uniform", batch_norm_momentum=0.99, mask_value=None,
        quantiles=None, n_future=0, name="fcn"):
    """Fully convolutional network (Wang, Yan and Oates 2017).

    One ``Conv1D`` (same padding) -> ``BatchNormalization`` -> ReLU block per
    entry of ``filters``, then ``GlobalAveragePooling1D``, optional dropout and
    the head. A single chain of layers, so it also builds as a Sequential model.

    Args:
        {shared}
        api: ``"functional"`` or ``"sequential"``: the same layers in the same order.
        units: Base width, used when ``filters`` is None: the blocks get
            ``(2 * units, 4 * units, 2 * units)`` filters, so the default 64 gives
            the paper's 128/256/128.
        filters: Channels of each block (one block per entry; an int is one block),
            or None to derive them from ``units``.
        kernel_size: Kernel width per block: an int for every block, or one per
            block (the paper's 8/5/3).

    Returns:
        An uncompiled ``keras.Model``.

    Example:
        >>> from zoo.builders.convolutional import fcn
        >>> m = fcn(task="classify", input_shape=(None, 1), n_classes=3)
        >>> [m.get_layer(f"conv_{i}").filters for i in range(3)], tuple(m.output.shape)
        ([128, 256, 128], (None, 3))
    """
    units, init, momentum, quantiles, n_future = _check_shared(
        "fcn", task, input_shape, horizon, n_targets, n_classes, api, units, dropout,
        mask_value, kernel_initializer, batch_norm_momentum, quantiles, n_future, name)
    filters = _int_list((2 * units, 4 * units, 2 * units) if filters is None else filters,
                        "filters")
    kernels = _int_list(kernel_size, "kernel_size", len(filters),
                        f"a list with one per filters entry ({len(filters)})")

    layers = []
    for i, (f, k) in enumerate(zip(filters, kernels)):
        layers += [_conv(f, k, init, f"conv_{i}"),
                   _bn(momentum, f"batch_norm_{i}"),
                   keras.layers.Activation("relu", name=f"relu_{i}")]
    layers.append(keras.layers.GlobalAveragePooling1D(name="global_pool"))
    if dropout:
        layers.append(keras.layers.Dropout(dropout, name="dropout"))
    return chain(input_shape, layers, head(task, horizon, n_targets, n_classes, quantiles),
                 api=api, horizon=horizon, n_future=n_future, width=filters[-1], name=name)


@register(
    "resnet",
    masking=False,
    sequential=False,
    description="ResNet (Wang et al. 2017): three residual blocks of three Conv1D-BN layers, "
                "global average pooling",
    example_kwargs={"filters": [4, 8, 8], "input_shape": (None, 2), "horizon": 2,
                    "quantiles": [0.1, 0.5, 0.9], "batch_norm_momentum": 0.9},
)
def resnet(*, task="forecast", input_shape=(None, 1), horizon=1, n_targets=1, n_classes=None,
           api="functional", units=64, filters=None, kernel_size=(8, 5, 3), dropout=0.0,
           kernel_initializer="glorot_uniform", batch_norm_momentum=0.99, mask_value=None,
           quantiles=None, n_future=0, name="resnet"):
    """Residual network (Wang, Yan and Oates 2017).

    One residual block per entry of ``filters``. A block holds one ``Conv1D``
    (same padding) -> ``BatchNormalization`` per entry of ``kernel_size``, with
    a ReLU after each but the last; its shortcut is a 1x1 ``Conv1D`` ->
    ``BatchNormalization`` where the channel count changes and a
    ``BatchNormalization`` alone otherwise; the block's output is ReLU(shortcut
    + last convolution), as in the reference code. Then
    ``GlobalAveragePooling1D``, optional dropout and the head. The shortcuts
    make it a graph: there is no Sequential version.

    Args:
        {shared}
        api: ``"functional"`` only; ``"sequential"`` raises ``ValueError``.
        units: Base width, used when ``filters`` is None: the blocks get
            ``(units, 2 * units, 2 * units)`` filters, so the default 64 gives the
            paper's 64/128/128.
        filters: Channels of each residual block (one block per entry; an int is
            one block), or None to derive them from ``units``.
        kernel_size: Kernel widths of the convolutions inside every block, one
            convolution per entry (an int is one convolution); the paper's 8/5/3.

    Returns:
        An uncompiled ``keras.Model``.

    Example:
        >>> from zoo.builders.convolutional import resnet
        >>> m = resnet(input_shape=(24, 2), horizon=3, units=8)
        >>> m.get_layer("block2_conv0").filters, tuple(m.output.shape)
        (16, (None, 3, 1))
    """
    units, init, momentum, quantiles, n_future = _check_shared(
        "resnet", task, input_shape, horizon, n_targets, n_classes, api, units, dropout,
        mask_value, kernel_initializer, batch_norm_momentum, quantiles, n_future, name,
        graph="adds a residual shortcut around every block (Add)")
    filters = _int_list((units, 2 * units, 2 * units) if filters is None else filters,
                        "filters")
    kernels = _int_list(kernel_size, "kernel_size")

    inputs = keras.Input(shape=tuple(input_shape), name="inputs", dtype="float32")
    x, channels = inputs, int(input_shape[1])
    for b, f in enumerate(filters, start=1):
        y = x
        for j, k in enumerate(kernels):
            y = _conv(f, k, init, f"block{b}_conv{j}")(y)
            y = _bn(momentum, f"block{b}_bn{j}")(y)
            if j < len(kernels) - 1:
                y = keras.layers.Activation("relu", name=f"block{b}_relu{j}")(y)
        shortcut = x
        if channels != f:  # a 1x1 convolution matches the channels for the add
            shortcut = _conv(f, 1, init, f"block{b}_shortcut_conv")(shortcut)
        shortcut = _bn(momentum, f"block{b}_shortcut_bn")(shortcut)
        x = keras.layers.Add(name=f"block{b}_add")([shortcut, y])
        x = keras.layers.Activation("relu", name=f"block{b}_out")(x)
        channels = f
    return _end(inputs, x, filters[-1], dropout, task, horizon, n_targets, n_classes,
                quantiles, n_future, name)


@register(
    "inception_time",
    masking=False,
    sequential=False,
    description="InceptionTime (Ismail Fawaz et al. 2020): six Inception modules with "
                "residual shortcuts, global average pooling (one network, no ensemble)",
    example_kwargs={"filters": 4, "depth": 3, "kernel_size": [7, 5, 3],
                    "input_shape": (10, 2), "horizon": 2, "batch_norm_momentum": 0.9},
)
def inception_time(*, task="forecast", input_shape=(None, 1), horizon=1, n_targets=1,
                   n_classes=None, api="functional", units=64, filters=None,
                   kernel_size=(40, 20, 10), depth=6, bottleneck=None, use_residual=True,
                   dropout=0.0, kernel_initializer="glorot_uniform", batch_norm_momentum=0.99,
                   mask_value=None, quantiles=None, n_future=0, name="inception_time"):
    """One InceptionTime network (Ismail Fawaz et al. 2020).

    ``depth`` Inception modules. Each module: a 1x1 bottleneck ``Conv1D``
    (linear, no bias) where its input has more than one channel; parallel
    ``Conv1D`` of ``filters`` channels, one per entry of ``kernel_size``, on the
    bottleneck's output; a ``MaxPooling1D(3, strides=1, same)`` -> 1x1
    ``Conv1D`` branch on the module's input; the branches concatenated, then
    ``BatchNormalization`` and ReLU. With ``use_residual``, after every third
    module a shortcut from the input of those three modules (1x1 ``Conv1D`` ->
    ``BatchNormalization``) is added and followed by ReLU. Then
    ``GlobalAveragePooling1D``, optional dropout and the head. Convolutions are
    bias-free (batch normalization follows) and same-padded; the even kernel
    widths 40/20/10 are those of the authors' code (``41 - 1`` halved twice).
    The paper's ensemble of five such networks is not built here: train several
    with different seeds and average their outputs.

    Args:
        {shared}
        api: ``"functional"`` only; ``"sequential"`` raises ``ValueError``.
        units: Base width, used when ``filters`` is None: ``filters = max(1,
            units // 2)`` per branch, so a module outputs about ``2 * units``
            channels and the default 64 gives the paper's 32 filters.
        filters: Channels of every convolution branch (an int), or None to
            derive it from ``units``.
        kernel_size: Widths of the parallel convolutions, one branch per entry;
            an int ``K`` means ``(K, K // 2, K // 4)``, the paper's rule.
        depth: Number of Inception modules (the paper's 6).
        bottleneck: Channels of the bottleneck convolution: None for ``filters``
            (the paper's 32 = 32), 0 for no bottleneck.
        use_residual: Add a residual shortcut every three modules.

    Returns:
        An uncompiled ``keras.Model``.

    Example:
        >>> from zoo.builders.convolutional import inception_time
        >>> m = inception_time(task="classify", input_shape=(None, 3), n_classes=4)
        >>> m.get_layer("module0_conv0").kernel_size, m.get_layer("module5_concat").output.shape[-1]
        ((40,), 128)
    """
    units, init, momentum, quantiles, n_future = _check_shared(
        "inception_time", task, input_shape, horizon, n_targets, n_classes, api, units,
        dropout, mask_value, kernel_initializer, batch_norm_momentum, quantiles, n_future,
        name, graph="runs parallel branches (Concatenate) and residual shortcuts (Add)")
    if filters is None:
        filters = max(1, units // 2)
    if not is_int(filters):
        raise ValueError(f"filters must be a positive int (the channels of every branch) or "
                         f"None, got {filters!r}")
    filters = check_int(filters, "filters")
    if is_int(kernel_size):
        k = check_int(kernel_size, "kernel_size", minimum=4)  # K // 4 must stay >= 1
        kernel_size = (k, k // 2, k // 4)
    kernels = _int_list(kernel_size, "kernel_size", what="a non-empty list of branch widths")
    depth = check_int(depth, "depth")
    if bottleneck is None:
        bottleneck = filters
    elif not is_int(bottleneck) or bottleneck < 0:
        raise ValueError(f"bottleneck must be None (as filters), 0 (none) or a positive int, "
                         f"got {bottleneck!r}")
    use_residual = check_bool(use_residual, "use_residual")

    inputs = keras.Input(shape=tuple(input_shape), name="inputs", dtype="float32")
    x = residual_in = inputs
    for d in range(depth):
        branch_in = x
        if bottleneck and int(x.shape[-1]) > 1:  # the paper skips it on univariate input
            branch_in = _conv(int(bottleneck), 1, init, f"module{d}_bottleneck", False)(x)
        branches = [_conv(filters, k, init, f"module{d}_conv{j}", False)(branch_in)
                    for j, k in enumerate(kernels)]
        pooled = keras.layers.MaxPooling1D(3, strides=1, padding="same",
                                           name=f"module{d}_pool")(x)
        branches.append(_conv(filters, 1, init, f"module{d}_pool_conv", False)(pooled))
        x = keras.layers.Concatenate(axis=-1, name=f"module{d}_concat")(branches)
        x = _bn(momentum, f"module{d}_bn")(x)
        x = keras.layers.Activation("relu", name=f"module{d}_relu")(x)
        if use_residual and d % 3 == 2:
            s = d // 3
            short = _conv(int(x.shape[-1]), 1, init, f"shortcut{s}_conv", False)(residual_in)
            short = _bn(momentum, f"shortcut{s}_bn")(short)
            x = keras.layers.Add(name=f"shortcut{s}_add")([short, x])
            x = keras.layers.Activation("relu", name=f"shortcut{s}_relu")(x)
            residual_in = x
    width = filters * (len(kernels) + 1)
    return _end(inputs, x, width, dropout, task, horizon, n_targets, n_classes, quantiles,
                n_future, name)


for _builder in (fcn, resnet, inception_time):
    _builder.__doc__ = _builder.__doc__.replace("\n        {shared}", _SHARED_DOC)
del _builder
