"""Sequences for classification: validation, padding, the pad sentinel, stratified splits.

X is ``[n, T]``, ``[n, T, F]`` or a list of ``[T_i, F]`` arrays. Variable-length
input is right-padded with a sentinel outside the data (never a silent 0.0), which
the model masks; :func:`stratified_split` is the one held-out split of labelled
samples (the Classifier's validation part and the CLI's held-out part).
"""

from __future__ import annotations

import math

import numpy as np

from zoo._checks import FLOAT32_MAX, check_finite_float32, check_size, is_number

_ACCEPTED = "an array [n, T] or [n, T, F] of numbers, or a list of [T_i, F] arrays"


def pad_sequences(seqs, pad_value, length=None) -> np.ndarray:
    """Right-pads ``[T_i, F]`` arrays into ``[n, max T_i, F]`` with ``pad_value``.

    Example:
        >>> pad_sequences([np.ones((2, 1)), np.ones((1, 1))], -9.0)[:, :, 0].tolist()
        [[1.0, 1.0], [1.0, -9.0]]
    """
    length = length or max(len(s) for s in seqs)
    n_features = seqs[0].shape[1]
    out = np.full((len(seqs), length, n_features), pad_value, dtype="float32")
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s
    return out


def choose_pad_value(values: np.ndarray) -> float:
    """A sentinel far below every value in the data (a round negative number).

    Raises ``ValueError`` when no such sentinel fits in float32 (values beyond 1e35).

    Example:
        >>> choose_pad_value(np.array([-3.0, 2.5]))
        -10000.0
    """
    low = float(np.min(values)) if values.size else 0.0
    high = float(np.max(np.abs(values))) if values.size else 1.0
    magnitude = 10 ** max(4, math.ceil(math.log10(max(high, 1.0))) + 3)
    pad = -float(magnitude)
    pad = pad if pad < low else low - magnitude
    if abs(pad) > FLOAT32_MAX:
        raise ValueError(f"X holds values up to {high:.3g} in magnitude: padding sequences of "
                         "different lengths needs a sentinel below them within float32's "
                         "range, so their magnitudes must stay within 1e35 (rescale X)")
    return pad


def as_sequences(X, name="X", min_samples=1):
    """Validates X: returns ``(array [n, T, F] or list of [T_i, F], variable_length)``.

    Arrays go through ``sklearn.utils.validation.check_array`` (so sparse, complex,
    object, empty and 1-D input get scikit-learn's messages, after the argument's name
    and what it accepts); lists of sequences of different lengths are checked one by
    one. ``min_samples`` is the fewest sequences accepted (2 to fit a classifier).

    Raises:
        TypeError: ``X`` is None, a string, a scalar, a dict or a set; sparse input.
        ValueError: Another shape, too few samples, non-numbers, NaN, infinity or values
            beyond float32's range.
    """
    from sklearn.utils.validation import check_array

    if X is None or isinstance(X, (str, bytes, set)) or np.isscalar(X) or \
            isinstance(X, dict) and not hasattr(X, "tocsr"):  # a dok sparse matrix is a dict
        raise TypeError(f"{name} must be {_ACCEPTED}; got {type(X).__name__}")
    if isinstance(X, (list, tuple)) and len(X) and not np.isscalar(X[0]) and \
            len({np.shape(x)[:1] for x in X}) > 1:
        seqs = []
        for i, x in enumerate(X):
            a = np.asarray(x)
            if a.ndim == 1:
                a = a[:, None]
            if a.ndim != 2 or len(a) == 0:
                raise ValueError(f"{name}[{i}] must be a non-empty [T_i] or [T_i, F] array, "
                                 f"got shape {a.shape}")
            seqs.append(_named(check_array, a, f"{name}[{i}]", "a [T_i, F] array of numbers",
                               dtype="numeric", input_name=f"{name}[{i}]")
                        .astype("float64", copy=False))
        widths = {s.shape[1] for s in seqs}
        if len(widths) > 1:
            raise ValueError(f"every sequence in {name} needs the same number of features, got {sorted(widths)}")
        for i, s in enumerate(seqs):
            check_finite_float32(s, f"{name}[{i}]")
        return seqs, True
    # scikit-learn's own checks and messages: sparse, complex, object, empty, 1-D, NaN/inf
    arr = _named(check_array, X, name, _ACCEPTED, accept_sparse=False, dtype="numeric",
                 allow_nd=True, ensure_min_samples=min_samples, input_name=name)
    arr = arr.astype("float64", copy=False)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(f"{name} must be [n, T], [n, T, F] or a list of [T_i, F] arrays, "
                         f"got shape {arr.shape}")
    if arr.shape[1] == 0 or arr.shape[2] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): 0 feature(s) while a "
                         "minimum of 1 is required")
    check_finite_float32(arr, name)
    return arr, False


def _named(check, X, name, accepted, **kwargs):
    """``check(X, **kwargs)`` (scikit-learn's), its message naming ``name`` and what is accepted.

    scikit-learn's words stay in the message (its estimator checks look for them).
    """
    try:
        return check(X, **kwargs)
    except (TypeError, ValueError) as err:
        raise type(err)(f"{name} must be {accepted} (finite, not sparse); {err}") from None


def as_labels(y, n, name="y"):
    """Class labels ``y``, one per sample of X, checked by scikit-learn's target rules.

    Args:
        y: ``n`` labels of one kind (strings, integers, booleans; categoricals too).
        n: The number of samples in X.
        name: The argument's name, for messages.

    Returns:
        A 1-D numpy array.

    Raises:
        TypeError: ``y`` is no sequence of labels (None, a scalar, a string).
        ValueError: Another shape or length than X's, missing labels, continuous values
            or a mix of label types.

    Example:
        >>> as_labels(["a", "b"], 2).tolist()
        ['a', 'b']
    """
    if y is None or isinstance(y, (str, bytes, dict, set)) or np.isscalar(y):
        raise TypeError(f"{name} must hold one class label per sample (an array or list of "
                        f"{n}); got {type(y).__name__}")
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per sample), got shape {arr.shape}")
    if len(arr) != n:
        raise ValueError(f"X and {name} have different lengths: {n} and {len(arr)}")
    return _check_label_values(arr, name)


def _check_label_values(arr, name):
    from sklearn.utils.multiclass import check_classification_targets

    try:
        check_classification_targets(arr)
        np.unique(arr)  # labels of different types do not sort
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must hold class labels of one kind (strings, integers or "
                         f"booleans), none missing; {err}") from None
    return arr


def as_step_labels(Y, lengths, name="Y"):
    """Per-step labels ``Y`` (``[n, T]`` or a list of ``[T_i]``) checked against the lengths of X.

    Args:
        Y: The labels, one per time step of each sequence.
        lengths: The number of steps of each sequence of X.
        name: The argument's name, for messages.

    Returns:
        A list of 1-D label arrays, one per sequence.

    Example:
        >>> [y.tolist() for y in as_step_labels([["a", "b"], ["b", "b"]], [2, 2])]
        [['a', 'b'], ['b', 'b']]
    """
    if isinstance(Y, np.ndarray) and Y.ndim == 2:
        rows = list(Y)
    elif isinstance(Y, (list, tuple)):
        rows = [np.asarray(y) for y in Y]
    else:
        raise ValueError(f"{name} must be an array [n, T] or a list of [T_i] label arrays, one "
                         f"label per time step; got {type(Y).__name__} of shape {np.shape(Y)}")
    if len(rows) != len(lengths):
        raise ValueError(f"X and {name} hold different numbers of sequences: {len(lengths)} and "
                         f"{len(rows)}")
    for i, (y, n) in enumerate(zip(rows, lengths)):
        if y.ndim != 1:
            raise ValueError(f"{name}[{i}] must be 1-D (one label per step), got shape {y.shape}")
        if len(y) != n:
            raise ValueError(f"{name}[{i}] has {len(y)} labels for the {n} steps of X[{i}]")
        if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
            raise ValueError(f"NaN or inf in the labels {name}[{i}]")
    if rows:
        _check_label_values(np.concatenate(rows), name)
    return rows


def class_weights(class_weight, classes, y_idx):
    """Per-class weights ``[n_classes]`` for ``class_weight`` (None, "balanced" or a dict).

    Args:
        class_weight: None (every class 1), ``"balanced"`` (``n / (n_classes * count)``,
            counted over ``y_idx``) or a dict label -> weight (unnamed classes 1).
        classes: The sorted class labels.
        y_idx: The class index of every sample (or every step).

    Returns:
        A float32 array, one weight per class.

    Example:
        >>> class_weights("balanced", np.array(["a", "b"]), np.array([0, 0, 0, 1])).tolist()
        [0.6666666865348816, 2.0]
    """
    n_classes = len(classes)
    if class_weight is None:
        return np.ones(n_classes, "float32")
    if isinstance(class_weight, str) and class_weight == "balanced":
        counts = np.bincount(y_idx, minlength=n_classes)
        return (len(y_idx) / (n_classes * counts)).astype("float32")
    unknown = [k for k in class_weight if k not in set(classes.tolist())]
    if unknown:
        raise ValueError(f"class_weight names unknown classes {unknown}; classes are "
                         f"{classes.tolist()}")
    bad = {k: w for k, w in class_weight.items()
           if not (is_number(w) and math.isfinite(w) and 0 < w <= FLOAT32_MAX)}
    if bad:
        raise ValueError(f"class_weight must map classes to positive finite numbers; got {bad}")
    return np.array([float(class_weight.get(c, 1.0)) for c in classes.tolist()], "float32")


def stratified_split(y, size, seed=None):
    """A held-out part of labelled samples, stratified when every class can be.

    Args:
        y: Labels ``[n]`` (any type).
        size: Held-out size: a fraction in ``[0, 1)`` or a number of samples.
        seed: ``random_state`` of scikit-learn's ``train_test_split``.

    Returns:
        ``(train_idx, held_out_idx, note)``: sorted index arrays, and None or the reason
        the split is plain random (a class with one sample, or more classes than fit in
        either part).

    Raises:
        ValueError: If the held-out part would leave no training sample.

    Example:
        >>> train, held, note = stratified_split(np.array(list("aaaabbbb")), 0.5, seed=0)
        >>> sorted(np.array(list("aaaabbbb"))[held].tolist()), note
        (['a', 'a', 'b', 'b'], None)
    """
    from sklearn.model_selection import train_test_split

    size = check_size(size, "validation_size")
    y = np.asarray(y)
    n = len(y)
    n_held = size if isinstance(size, int) else int(math.ceil(n * size))
    if n_held == 0:
        return np.arange(n), np.zeros(0, "int64"), None
    if n_held >= n:
        raise ValueError(f"validation_size={size!r} leaves no training samples (n={n})")
    classes, counts = np.unique(y, return_counts=True)
    note = None
    if counts.min() < 2:
        note = f"class {str(classes[counts.argmin()])!r} has {counts.min()} sample"
    elif n_held < len(classes) or n - n_held < len(classes):
        note = f"{len(classes)} classes do not fit in {n_held} held-out samples"
    train, held = train_test_split(np.arange(n), test_size=n_held, random_state=seed,
                                   stratify=None if note else y)
    return np.sort(train), np.sort(held), note
