"""What every builder shares: argument validation, the recurrent layer, the head.

Builders call :func:`validate` for the arguments they all take, build their
feature extractor, then :func:`finish`, which joins known-ahead covariates
(``future``) to the features and adds the forecast or classification head.
"""

from __future__ import annotations

import math
import warnings

import keras

from zoo._checks import (
    FLOAT32_MAX,
    check_bool,
    check_int,
    check_quantiles,
    check_rate,
    check_units,
    is_number,
)
from zoo.builders.heads import classification_head, forecast_head
from zoo.registry import TASKS

CELLS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}
NORMALIZATIONS = (None, "layer", "batch")
APIS = ("functional", "sequential")
INITIALIZER_ALIASES = {
    "glorot": "glorot_uniform",
    "xavier": "glorot_uniform",
    "he": "he_normal",
    "lecun": "lecun_normal",
}


def check_initializer(value, name):
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


def validate(task, input_shape, horizon, n_targets, n_classes, api, units, dropout,
              recurrent_dropout, mask_value, kernel_initializer, recurrent_initializer,
              quantiles, n_future, cell):
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    if api not in APIS:
        raise ValueError(f"api must be one of {APIS}, got {api!r}")
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {tuple(CELLS)}, got {cell!r}")
    if isinstance(input_shape, str) or not hasattr(input_shape, "__len__") \
            or len(input_shape) != 2:
        raise ValueError(
            f"input_shape must be (timesteps or None, n_features), got {input_shape!r}"
        )
    timesteps, n_features = input_shape
    if timesteps is not None:
        check_int(timesteps, "input_shape[0] (timesteps)")
    check_int(n_features, "input_shape[1] (n_features)")
    units = check_units(units)
    check_rate(dropout, "dropout")
    check_rate(recurrent_dropout, "recurrent_dropout")
    if recurrent_dropout > 0:
        warnings.warn(
            "recurrent_dropout > 0 disables the fused cuDNN kernel: training on a GPU will be "
            "several times slower. Prefer dropout (between layers) when speed matters.",
            UserWarning,
            stacklevel=4,
        )
    if mask_value is not None and not (is_number(mask_value) and math.isfinite(mask_value)
                                       and abs(mask_value) <= FLOAT32_MAX):
        raise ValueError(f"mask_value must be None or a finite float32 sentinel, got "
                         f"{mask_value!r}")
    kernel_initializer = check_initializer(kernel_initializer, "kernel_initializer")
    recurrent_initializer = check_initializer(recurrent_initializer, "recurrent_initializer")
    quantiles = check_quantiles(quantiles)
    n_future = check_int(n_future, "n_future", minimum=0)
    if task == "forecast":
        check_int(horizon, "horizon")
        check_int(n_targets, "n_targets")
    else:
        if n_classes is None:
            raise ValueError(f"n_classes is required for task={task!r} (an integer >= 2)")
        check_int(n_classes, "n_classes", minimum=2)
        if quantiles is not None:
            raise ValueError("quantiles apply to task='forecast' only")
        if n_future:
            raise ValueError("n_future (known-ahead covariates) applies to task='forecast' only")
    if n_future and api == "sequential":
        raise ValueError("n_future > 0 needs two inputs: use api='functional'")
    return units, kernel_initializer, recurrent_initializer, quantiles, n_future


def recurrent_layer(cell, units, return_sequences, recurrent_dropout, kernel_initializer,
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


def check_name(name):
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")


def check_normalization(normalization, layer_norm):
    """The normalization between layers: None, "layer" or "batch" (``layer_norm=True`` is "layer").

    Example:
        >>> check_normalization(None, True), check_normalization("batch", False)
        ('layer', 'batch')
    """
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
    layer_norm = check_bool(layer_norm, "layer_norm")
    if layer_norm and normalization == "batch":
        raise ValueError("layer_norm=True asks for layer normalization and normalization='batch' "
                         "for batch normalization: choose one (normalization='layer' is "
                         "layer_norm=True)")
    return "layer" if layer_norm else normalization


def head(task, horizon, n_targets, n_classes, quantiles):
    """The output layers: a forecast head, or a softmax over classes (at every step for "label")."""
    if task == "forecast":
        return forecast_head(int(horizon), int(n_targets), quantiles)  # numpy ints too
    # Dense acts on the last axis: on a sequence it classifies every step with shared weights
    return classification_head(int(n_classes))


def chain(input_shape, layers, head, *, api, horizon, n_future, width, name):
    """A chain of ``layers`` then ``head``: a Sequential model, or a functional one via :func:`finish`.

    Both hold the same layers in the same order (the functional one may add the
    known-ahead input ``future`` before the head).
    """
    inputs = keras.Input(shape=tuple(input_shape), name="inputs", dtype="float32")
    if api == "sequential":
        return keras.Sequential([inputs] + list(layers) + list(head), name=name)
    x = inputs
    for layer in layers:
        x = layer(x)
    return finish(inputs, x, head, horizon=horizon, n_future=n_future, width=width, name=name)


def finish(inputs, x, head, *, horizon, n_future, width, name):
    """Joins known-ahead covariates (if any) to the features ``x``, then the head."""
    model_inputs = inputs
    if n_future:
        future = keras.Input(shape=(int(horizon), n_future), name="future", dtype="float32")
        flat = keras.layers.Flatten(name="future_flatten")(future)
        x = keras.layers.Concatenate(name="context_future")([x, flat])
        x = keras.layers.Dense(max(width, 16), activation="relu", name="future_mix")(x)
        model_inputs = [inputs, future]
    for layer in head:
        x = layer(x)
    return keras.Model(model_inputs, x, name=name)
