"""Sample paths from a probabilistic forecaster's graph, in TensorFlow.

One function, :func:`sample_paths`, serves ``Forecaster.sample`` and the artifact's
``sample`` endpoint, so the same seed gives the same paths through zoo and through a
SavedModel loaded with plain TensorFlow. Randomness comes from stateless ops keyed by
``[seed, step]``: no hidden generator state.

- ``strategy="direct"``: every horizon step is drawn from its own predicted marginal
  (no serial dependence between the steps of a path).
- ``strategy="recursive"``: the one-step model's draw is appended to the window and the
  next step is predicted from it (DeepAR's ancestral sampling: paths with serial
  dependence).

A draw is keyed by the seed and its position in the batch, so the same seed gives the
same paths for the same inputs; a series' paths change with the series before it in a
long frame.
"""

from __future__ import annotations

import tensorflow as tf

from zoo.builders.distributions import draw


def sample_paths(params_model, inputs, future, num_samples, seed, temperature=1.0, *,
                 distribution, log, recursive, horizon, n_targets):
    """Raw-unit sample paths ``[B, num_samples, horizon, n_targets]``.

    Args:
        params_model: ``raw inputs -> [params, loc, scale]``
            (:func:`zoo.forecast_graph.params_model`; one-step for ``recursive``).
        inputs: Raw windows ``[B, lookback, n_inputs]``.
        future: Known-ahead inputs ``[B, horizon, n_future]``, or None.
        num_samples: Paths per window (int or int32 scalar tensor).
        seed: Integer seed (int or int64 scalar tensor).
        temperature: Spread multiplier (see :func:`zoo.builders.distributions.draw`).
        distribution: The distribution's name.
        log: Whether the targets were log-transformed.
        recursive: Feed each draw back (one-step ``params_model``).
        horizon: Steps per path.
        n_targets: Leading target columns of the window.

    Returns:
        The paths, float32.
    """
    inputs = tf.convert_to_tensor(inputs, tf.float32)
    future = None if future is None else tf.convert_to_tensor(future, tf.float32)
    batch = tf.shape(inputs)[0]
    n = tf.cast(num_samples, tf.int32)
    seed = tf.cast(seed, tf.int64)

    def call(x, f):
        return params_model(x if f is None else {"inputs": x, "future": f}, training=False)

    if not recursive:
        params, loc, scale = call(inputs, future)
        paths = draw(params, loc, scale, distribution, log, n, tf.stack([seed, 0]),
                     temperature)                                      # [N, B, H, T]
        return tf.transpose(paths, [1, 0, 2, 3])
    # every window repeated num_samples times: row b * N + i is path i of window b
    window = tf.repeat(inputs, n, axis=0)
    fut = None if future is None else tf.repeat(future, n, axis=0)
    steps = []
    for h in range(int(horizon)):
        f = None if fut is None else fut[:, h:h + 1, :]
        params, loc, scale = call(window, f)
        # keys [seed, 2h] and [seed, 2h + 1]: no two draws of a path share one
        y = draw(params, loc, scale, distribution, log, 1, tf.stack([seed, 2 * h]),
                 temperature)[0]                                       # [B * N, 1, T]
        steps.append(y)
        row = y if f is None else tf.concat([y, f], axis=-1)
        window = tf.concat([window[:, 1:, :], row], axis=1)
    paths = tf.concat(steps, axis=1)                                   # [B * N, H, T]
    return tf.reshape(paths, [batch, n, int(horizon), int(n_targets)])
