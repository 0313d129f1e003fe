"""MiniRocket: a fixed convolutional transform with proportion-of-positive-values pooling.

Dempster, Schmidt and Webb (2021), "MINIROCKET: A Very Fast (Almost) Deterministic
Transform for Time Series Classification". The 84 kernels of length 9 (weights -1,
with 2 at three of the nine positions) run at dilations spread exponentially up to
``(timesteps - 1) / 8``; each (kernel, dilation) output is compared with a few biases,
and the proportion of steps above each bias (PPV) is one feature. Nothing in the
transform is trained: its biases are quantiles of the convolution outputs of training
examples (:meth:`MiniRocketFeatures.adapt`), and only a linear softmax head learns.

The paper trains a ridge classifier (or, for large data, a logistic regression by
Adam on features standardised with training statistics). Here the head is a softmax
``Dense`` trained by the estimator's loop (the logistic variant), on features that
:class:`MiniRocketFeatures` standardises itself with the mean and standard deviation
it measured on the training part when it adapted. Its kernel starts at zero and
carries an L2 penalty (ridge's shrinkage): with ~10,000 features and tens of
examples, glorot's random start adds logits that the few epochs the validation
part chooses never wash out (ArrowHead, inner validation split of its training
part: 0.70 accuracy from glorot, 0.85 from zeros, 0.88 with ``l2=0.1`` too).
"""

from __future__ import annotations

import itertools

import keras
import numpy as np
from keras import ops

from zoo._checks import check_int, is_number
from zoo.builders.common import chain, check_initializer, check_name, validate
from zoo.builders.layers import PACKAGE
from zoo.registry import register

KERNEL_LENGTH = 9
#: The 84 kernels: every choice of the three positions (of nine) that weigh 2, in
#: lexicographic order, as in the paper's code.
INDICES = np.array(list(itertools.combinations(range(KERNEL_LENGTH), 3)), dtype="int32")
N_KERNELS = len(INDICES)
# the weights sum to zero (6 x -1 + 3 x 2): the transform ignores a level shift
WEIGHTS = np.full((KERNEL_LENGTH, N_KERNELS), -1.0, dtype="float32")
WEIGHTS[INDICES.T, np.arange(N_KERNELS)] = 2.0
GOLDEN = (np.sqrt(5.0) + 1.0) / 2.0


def fit_dilations(timesteps, num_features, max_dilations_per_kernel=32):
    """The dilations and the features (biases) per dilation, as in the paper's code.

    Args:
        timesteps: Length of the input (>= 9).
        num_features: Requested number of features (>= 84); ``84 * (num_features // 84)``
            are made.
        max_dilations_per_kernel: At most this many dilations.

    Returns:
        ``(dilations, features_per_dilation)``, two int arrays of the same length.

    Example:
        >>> d, f = fit_dilations(24, 840)
        >>> d.tolist(), f.tolist(), int(84 * f.sum())
        ([1, 2], [6, 4], 840)
    """
    per_kernel = num_features // N_KERNELS
    true_max = min(per_kernel, max_dilations_per_kernel)
    multiplier = per_kernel / true_max
    max_exponent = np.log2((timesteps - 1) / (KERNEL_LENGTH - 1))
    dilations, counts = np.unique(
        np.logspace(0, max_exponent, true_max, base=2).astype(np.int32), return_counts=True)
    counts = (counts * multiplier).astype(np.int32)
    remainder = per_kernel - int(counts.sum())
    i = 0
    while remainder > 0:  # hand the rounding left-overs out from the smallest dilation up
        counts[i] += 1
        remainder -= 1
        i = (i + 1) % len(counts)
    return dilations, counts


def quantile_levels(n):
    """The paper's low-discrepancy quantile levels, ``(i * golden ratio) mod 1`` for i = 1..n.

    Example:
        >>> [round(float(q), 3) for q in quantile_levels(3)]
        [0.618, 0.236, 0.854]
    """
    return (np.arange(1, n + 1) * GOLDEN % 1).astype("float32")


def channel_subsets(n_channels, n_combinations, seed):
    """A 0/1 weight per (combination, channel): which channels each kernel sums over.

    The paper's multivariate rule: each (dilation, kernel) pair takes
    ``floor(2 ** u)`` channels (``u`` uniform in ``[0, log2(min(C, 9) + 1))``), drawn
    without replacement; a univariate input always takes its only channel.

    Returns:
        A float32 array ``[n_combinations, n_channels]``.

    Example:
        >>> channel_subsets(1, 3, seed=0).tolist()
        [[1.0], [1.0], [1.0]]
    """
    rng = np.random.default_rng([seed, 1])
    exponent = np.log2(min(n_channels, KERNEL_LENGTH) + 1)
    counts = (2 ** rng.uniform(0, exponent, n_combinations)).astype(np.int32)
    mask = np.zeros((n_combinations, n_channels), dtype="float32")
    for row, count in enumerate(counts):
        mask[row, rng.choice(n_channels, int(count), replace=False)] = 1.0
    return mask


@keras.saving.register_keras_serializable(package=PACKAGE)
class MiniRocketFeatures(keras.layers.Layer):
    """The MiniRocket transform: ``[B, T, C]`` raw series -> ``[B, n_features]`` PPV features.

    For dilation ``d`` (the ``i``-th) and kernel ``k`` the convolution sums the kernel's
    channel subset; it is zero-padded to length ``T`` ("same") when ``i + k`` is even
    and used without the padded ends ("valid") when it is odd: the paper's alternation.
    Feature ``j`` of the pair is the proportion of its outputs above bias ``b_j``; the
    features are then standardised, ``(ppv - mean) / std``. Order: dilation, kernel,
    bias, as in the paper. Biases, means, stds and channel subsets are non-trainable
    weights (the first three zero, zero and one until :meth:`adapt`); the kernels are
    constants.

    The estimators call :meth:`adapt` with the training inputs before training (the
    class sets ``adapt_before_fit``); a model used without an estimator must be
    adapted by hand, else every bias is 0.

    Args:
        num_features: Requested features (>= 84); ``84 * (num_features // 84)`` are made.
        max_dilations_per_kernel: The most dilations (the paper's 32).
        seed: Seeds the choice of training examples for the biases and, for several
            channels, the channel subsets.

    Example:
        >>> import numpy as np
        >>> layer = MiniRocketFeatures(num_features=168)
        >>> x = np.random.default_rng(0).normal(size=(5, 20, 1)).astype("float32")
        >>> layer.adapt(x)
        >>> tuple(layer(x).shape)
        (5, 168)
    """

    adapt_before_fit = True

    def __init__(self, num_features=10_000, max_dilations_per_kernel=32, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.num_features = check_int(num_features, "num_features", minimum=N_KERNELS)
        self.max_dilations_per_kernel = check_int(max_dilations_per_kernel,
                                                  "max_dilations_per_kernel")
        self.seed = check_int(seed, "seed", minimum=0, maximum=2**32 - 1)

    def build(self, input_shape):
        timesteps, channels = input_shape[1], input_shape[2]
        if timesteps is None or channels is None:
            raise ValueError("MiniRocketFeatures needs a fixed input length and channel "
                             f"count (its dilations depend on them), got {input_shape}")
        if timesteps < KERNEL_LENGTH:
            raise ValueError(f"MiniRocketFeatures needs at least {KERNEL_LENGTH} time steps "
                             f"(its kernels have length {KERNEL_LENGTH}), got {timesteps}")
        self.timesteps, self.channels = int(timesteps), int(channels)
        dilations, counts = fit_dilations(self.timesteps, self.num_features,
                                          self.max_dilations_per_kernel)
        self.dilations = [int(d) for d in dilations]
        self.features_per_dilation = [int(c) for c in counts]
        self.n_features = N_KERNELS * int(counts.sum())
        n_comb = N_KERNELS * len(self.dilations)
        self.channel_weights = self.add_weight(name="channel_weights",
                                               shape=(n_comb, self.channels),
                                               initializer="zeros", trainable=False)
        self.channel_weights.assign(channel_subsets(self.channels, n_comb, self.seed))
        self.biases = self.add_weight(name="biases", shape=(self.n_features,),
                                      initializer="zeros", trainable=False)
        self.feature_mean = self.add_weight(name="feature_mean", shape=(self.n_features,),
                                            initializer="zeros", trainable=False)
        self.feature_std = self.add_weight(name="feature_std", shape=(self.n_features,),
                                           initializer="ones", trainable=False)

    def _convolve(self, x, i):
        """``[B, T, C] -> [B, T, 84]``: the 84 kernels at the ``i``-th dilation, "same" padded."""
        rows = self.channel_weights[i * N_KERNELS:(i + 1) * N_KERNELS]  # [84, C]
        kernel = ops.convert_to_tensor(WEIGHTS)[:, None, :] * ops.transpose(rows)[None]
        return ops.conv(x, kernel, strides=1, padding="same", dilation_rate=self.dilations[i])

    def _ppv(self, x):
        """The PPV features before standardisation, ``[B, n_features]``."""
        x = ops.cast(x, "float32")
        out, start = [], 0
        for i, (dilation, f) in enumerate(zip(self.dilations, self.features_per_dilation)):
            # time last: the mean then reduces contiguous memory (~40% faster on CPU)
            conv = ops.transpose(self._convolve(x, i), (0, 2, 1))  # [B, 84, T]
            biases = ops.reshape(self.biases[start:start + N_KERNELS * f], (N_KERNELS, f))
            start += N_KERNELS * f
            pad = (KERNEL_LENGTH - 1) * dilation // 2
            halves = []
            for parity in (0, 1):  # kernels k = parity, parity + 2, ... (strided slices)
                c = conv[:, parity::2]
                if (i + parity) % 2:  # "valid": drop the outputs that saw zero padding
                    c = c[:, :, pad:self.timesteps - pad]
                above = ops.greater(c[:, :, None, :], biases[parity::2][None, :, :, None])
                halves.append(ops.mean(ops.cast(above, "float32"), axis=-1))  # [B, 42, f]
            # interleave the two halves back to kernel order 0, 1, 2, ...
            out.append(ops.reshape(ops.stack(halves, axis=2), (-1, N_KERNELS * f)))
        return ops.concatenate(out, axis=-1) if len(out) > 1 else out[0]

    def call(self, inputs):
        return (self._ppv(inputs) - self.feature_mean) / self.feature_std

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n_features)

    def adapt(self, x, batch_size=256):
        """Fits the biases and the feature standardisation to training inputs.

        As in the paper: for each (dilation, kernel) one training example, drawn with
        ``seed``, is convolved ("same" padding, all ``T`` outputs) and its biases are the
        quantiles of those outputs at the golden-ratio levels. Then every example is
        transformed, and the features' means and standard deviations (1 where a feature
        is constant) are stored for the standardisation.

        Args:
            x: Training inputs ``[n, T, C]`` exactly as this layer sees them.
            batch_size: Examples transformed at once while measuring the features.
        """
        x = np.asarray(x, dtype="float32")
        if x.ndim != 3 or len(x) == 0:
            raise ValueError(f"adapt needs a non-empty [n, timesteps, channels] array, got "
                             f"shape {x.shape}")
        if not self.built:
            self.build(x.shape)
        if x.shape[1:] != (self.timesteps, self.channels):
            raise ValueError(f"adapt: x has shape {x.shape[1:]} per example; the layer was "
                             f"built for {(self.timesteps, self.channels)}")
        rng = np.random.default_rng([self.seed, 2])
        levels = quantile_levels(self.n_features)
        biases, start = [], 0
        for i, f in enumerate(self.features_per_dilation):
            pick = rng.integers(len(x), size=N_KERNELS)
            conv = np.asarray(self._convolve(x[pick], i))  # example pick[k] for kernel k
            outputs = conv[np.arange(N_KERNELS), :, np.arange(N_KERNELS)]  # [84, T]
            for k in range(N_KERNELS):
                biases.append(np.quantile(outputs[k], levels[start:start + f]))
                start += f
        self.biases.assign(np.concatenate(biases).astype("float32"))
        ppv = np.concatenate([np.asarray(self._ppv(x[s:s + batch_size]))
                              for s in range(0, len(x), batch_size)])
        std = ppv.std(axis=0)
        self.feature_mean.assign(ppv.mean(axis=0))
        self.feature_std.assign(np.where(std > 1e-6, std, 1.0).astype("float32"))

    def get_config(self):
        return {**super().get_config(), "num_features": self.num_features,
                "max_dilations_per_kernel": self.max_dilations_per_kernel, "seed": self.seed}


@register(
    "minirocket",
    tasks=("classify",),
    masking=False,
    dynamic_time=False,
    future_covariates=False,
    sequential=True,
    description="MiniRocket: fixed dilated kernels, PPV pooling, a linear head",
    example_kwargs={"num_features": 168, "input_shape": (16, 2)},
)
def minirocket(*, task="classify", input_shape=(None, 1), horizon=1, n_targets=1,
               n_classes=None, api="functional", num_features=10_000,
               max_dilations_per_kernel=32, seed=0, l2=0.1, head_initializer="zeros",
               units=64, dropout=0.0, mask_value=None, quantiles=None, n_future=0,
               name="minirocket"):
    """MiniRocket (Dempster et al. 2021): the fixed transform, then a linear softmax head.

    Layers: :class:`MiniRocketFeatures` (the 84 kernels at every dilation, PPV
    pooling, standardisation) -> ``Dropout(dropout)`` (when > 0) -> ``Dense`` softmax
    (zero-initialised, L2-penalised: a regularised logistic regression). A single
    chain, so ``api="sequential"`` holds the same layers. With ``zoo.Classifier``,
    ``epochs=30`` at the default ``learning_rate=1e-3`` was the choice on inner
    splits of the UCR training parts (ItalyPowerDemand, GunPoint, ArrowHead).

    Multivariate input: each (dilation, kernel) pair sums the convolutions of a
    subset of the channels drawn from ``seed`` by the paper's rule
    (:func:`channel_subsets`), its biases fitted on that sum.

    The transform's biases come from data: an estimator (``zoo.Classifier``) adapts
    them to the training part before training and again to all the data before the
    refit. Built here, the biases are 0 and the standardisation the identity until
    ``model.get_layer("minirocket_features").adapt(x)`` is called: the model is
    valid, trains and exports, it just pools at 0.

    Args:
        task: ``"classify"`` only (softmax probabilities ``[batch, n_classes]``).
        input_shape: ``(timesteps, n_features)`` with ``timesteps >= 9``: fixed, since
            the dilations depend on it.
        horizon: Unused (forecast only).
        n_targets: Unused (forecast only).
        n_classes: Number of classes (>= 2).
        api: ``"functional"`` or ``"sequential"``.
        num_features: Requested number of features; ``84 * (num_features // 84)`` are made
            (9,996 for the default 10,000).
        max_dilations_per_kernel: The most dilations per kernel (the paper's 32).
        seed: Seed of the bias examples and of the channel subsets.
        l2: L2 penalty on the head's kernel (>= 0; 0 turns it off). 0.1 was the best of
            0, 0.01, 0.1, 0.3 and 1 on those inner splits.
        head_initializer: Initializer of the head's kernel (``"zeros"``: logistic
            regression's usual start).
        units: Accepted, unused: the transform's width is ``num_features`` and the head is
            linear (no hidden layer), so there is nothing for ``units`` to size. Kept
            because the estimators pass it to every builder.
        dropout: Dropout on the features, before the head.
        mask_value: Must be ``None``: the convolutions and the pooling would count the
            padding.
        quantiles: Must be ``None`` (forecast only).
        n_future: Must be 0 (forecast only).
        name: Model name.

    Returns:
        An uncompiled ``keras.Model``.

    Example:
        >>> from zoo.builders.rocket import minirocket
        >>> m = minirocket(input_shape=(24, 1), n_classes=2, num_features=840)
        >>> tuple(m.output.shape)
        (None, 2)
    """
    if task != "classify":
        raise ValueError(f"minirocket supports task='classify' only, got task={task!r}")
    if mask_value is not None:
        raise ValueError(
            "minirocket does not support mask_value: its convolutions and PPV pooling would "
            "count the padding. Give sequences one length (pad or resample) or use a "
            f"recurrent model such as 'bigru'; got mask_value={mask_value!r}")
    validate(task, input_shape, horizon, n_targets, n_classes, api, units, dropout, 0.0,
             None, "glorot_uniform", "orthogonal", quantiles, n_future, "lstm")
    timesteps = input_shape[0]
    if timesteps is None:
        raise ValueError("minirocket needs a fixed number of time steps (its dilations "
                         "depend on the length): pass input_shape=(timesteps, n_features)")
    if timesteps < KERNEL_LENGTH:
        raise ValueError(f"minirocket needs input_shape[0] (timesteps) >= {KERNEL_LENGTH}, "
                         f"the length of its kernels; got {timesteps}")
    if not is_number(l2) or not 0 <= l2 < float("inf"):
        raise ValueError(f"l2 must be a finite float >= 0 (0: no penalty), got {l2!r}")
    head_initializer = check_initializer(head_initializer, "head_initializer")
    check_name(name)
    layers = [MiniRocketFeatures(num_features=num_features,
                                 max_dilations_per_kernel=max_dilations_per_kernel, seed=seed,
                                 name="minirocket_features")]
    if dropout:
        layers.append(keras.layers.Dropout(dropout, name="dropout"))
    out_layers = [keras.layers.Dense(
        int(n_classes), activation="softmax", kernel_initializer=head_initializer,
        kernel_regularizer=keras.regularizers.L2(float(l2)) if l2 else None,
        name="probabilities")]
    return chain(input_shape, layers, out_layers, api=api, horizon=horizon, n_future=0,
                 width=layers[0].num_features, name=name)
