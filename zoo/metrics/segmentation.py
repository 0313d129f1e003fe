"""Sequence-labelling metrics: per-step scores and the segment scores of Lea et al. (2017).

A labelling is one label per time step. ``Y`` may be one sequence ``[T]``, an array of
equal-length sequences ``[n, T]`` or a list of sequences of any lengths; ``y_true``
and ``y_pred`` must have the same structure and lengths.

* :func:`step_accuracy`, :func:`step_macro_f1` -- every step of every sequence counted
  once (the per-frame scores);
* :func:`segment_f1` -- F1@k: a predicted segment (a run of one label) is a true
  positive when it overlaps a ground-truth segment of the same label with an
  intersection over union of at least ``overlap`` and that segment was not matched
  yet; true and false positives and misses are summed over all sequences;
* :func:`edit_score` -- 100 * (1 - normalised Levenshtein distance) between the
  sequences of segment labels, averaged over sequences: it punishes
  over-segmentation (flicker) that per-step accuracy barely sees.

Lea, Flynn, Vidal, Reiter, Hager (2017): "Temporal Convolutional Networks for Action
Segmentation and Detection", CVPR.

Example:
    >>> from zoo import metrics
    >>> truth, pred = [0, 0, 1, 1, 1, 2], [0, 0, 1, 2, 1, 2]
    >>> metrics.step_accuracy(truth, pred), round(metrics.edit_score(truth, pred), 1)
    (0.8333333333333334, 60.0)
"""

from __future__ import annotations

import numpy as np

from zoo.metrics.classification import accuracy, macro_f1


def _sequences(Y, name):
    """``Y`` as a list of 1-D label arrays."""
    if isinstance(Y, np.ndarray) and Y.ndim == 2:
        return list(Y)
    if isinstance(Y, (list, tuple)) and Y and all(np.ndim(y) == 1 for y in Y) and \
            not all(np.ndim(y) == 0 for y in Y):
        return [np.asarray(y) for y in Y]
    arr = np.asarray(Y)
    if arr.ndim == 1:
        return [arr]
    raise ValueError(f"{name} must be one sequence [T], an array [n, T] or a list of [T_i] "
                     f"label arrays; got shape {np.shape(Y)}")


def _pairs(y_true, y_pred):
    truth, pred = _sequences(y_true, "y_true"), _sequences(y_pred, "y_pred")
    if len(truth) != len(pred):
        raise ValueError(f"y_true holds {len(truth)} sequences, y_pred {len(pred)}")
    for i, (t, p) in enumerate(zip(truth, pred)):
        if len(t) != len(p):
            raise ValueError(f"sequence {i}: y_true has {len(t)} steps, y_pred {len(p)}")
        if len(t) == 0:
            raise ValueError(f"sequence {i} is empty")
    return truth, pred


def _flat(y_true, y_pred):
    truth, pred = _pairs(y_true, y_pred)
    return np.concatenate(truth), np.concatenate(pred)


def step_accuracy(y_true, y_pred) -> float:
    """The fraction of time steps labelled correctly, over all sequences.

    Example:
        >>> step_accuracy([[0, 1], [1, 1]], [[0, 0], [1, 1]])
        0.75
    """
    return accuracy(*_flat(y_true, y_pred))


def step_macro_f1(y_true, y_pred) -> float:
    """Macro-averaged F1 over the labels of all time steps.

    Example:
        >>> round(step_macro_f1([0, 0, 1, 1], [0, 1, 1, 1]), 4)
        0.7333
    """
    return macro_f1(*_flat(y_true, y_pred))


def segments(y) -> list:
    """The runs of one label: ``[(label, start, end), ...]`` with ``end`` exclusive.

    Example:
        >>> segments(["a", "a", "b", "a"])
        [('a', 0, 2), ('b', 2, 3), ('a', 3, 4)]
    """
    y = np.asarray(y)
    if y.size == 0:
        return []
    starts = np.flatnonzero(np.r_[True, y[1:] != y[:-1]])
    ends = np.r_[starts[1:], len(y)]
    return [(y[s].item() if hasattr(y[s], "item") else y[s], int(s), int(e))
            for s, e in zip(starts, ends)]


def _match(truth, pred, overlap):
    """(true positives, false positives, misses) of one sequence's predicted segments."""
    true_segs, pred_segs = segments(truth), segments(pred)
    used = [False] * len(true_segs)
    tp = fp = 0
    for label, start, end in pred_segs:
        best, best_iou = None, -1.0
        for j, (t_label, t_start, t_end) in enumerate(true_segs):
            if t_label != label:
                continue
            inter = min(end, t_end) - max(start, t_start)
            if inter <= 0:
                continue
            iou = inter / (max(end, t_end) - min(start, t_start))
            if iou > best_iou:
                best, best_iou = j, iou
        if best is not None and best_iou >= overlap and not used[best]:
            tp += 1
            used[best] = True
        else:
            fp += 1
    return tp, fp, len(true_segs) - sum(used)


def segment_f1(y_true, y_pred, overlap=0.5) -> float:
    """Segmental F1@``overlap`` (Lea et al. 2017), counts summed over the sequences.

    Args:
        y_true: True labels (one sequence, ``[n, T]`` or a list of sequences).
        y_pred: Predicted labels, the same structure.
        overlap: The intersection over union a predicted segment needs with an
            unmatched true segment of its label to count, in ``(0, 1]``.

    Returns:
        F1 in ``[0, 1]``.

    Example:
        >>> segment_f1([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1], overlap=0.5)
        1.0
        >>> round(segment_f1([0, 0, 0, 1, 1, 1], [0, 1, 0, 1, 1, 1], overlap=0.5), 4)
        0.3333
    """
    if isinstance(overlap, bool) or not isinstance(overlap, (int, float)) or not 0 < overlap <= 1:
        raise ValueError(f"overlap must be a number in (0, 1]; got {overlap!r}")
    tp = fp = fn = 0
    for truth, pred in zip(*_pairs(y_true, y_pred)):
        a, b, c = _match(truth, pred, overlap)
        tp, fp, fn = tp + a, fp + b, fn + c
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _levenshtein(a, b) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def edit_score(y_true, y_pred) -> float:
    """The segmental edit score (Lea et al. 2017), in percent, averaged over sequences.

    ``100 * (1 - levenshtein(A, B) / max(len(A), len(B)))`` where ``A`` and ``B`` are the
    sequences of segment labels (each run of one label counts once).

    Example:
        >>> edit_score([0, 0, 1, 1], [0, 0, 1, 1]), edit_score([0, 0, 1, 1], [0, 1, 0, 1])
        (100.0, 50.0)
    """
    scores = []
    for truth, pred in zip(*_pairs(y_true, y_pred)):
        a = [s[0] for s in segments(truth)]
        b = [s[0] for s in segments(pred)]
        scores.append(100.0 * (1.0 - _levenshtein(a, b) / max(len(a), len(b))))
    return float(np.mean(scores))


def labelling_metrics(y_true, y_pred, overlaps=(0.1, 0.25, 0.5)) -> dict:
    """Step accuracy, step macro F1, edit score and segmental F1 at each overlap.

    Example:
        >>> sorted(labelling_metrics([0, 0, 1], [0, 0, 1]))
        ['accuracy', 'edit', 'f1@0.1', 'f1@0.25', 'f1@0.5', 'macro_f1']
    """
    row = {"accuracy": step_accuracy(y_true, y_pred), "macro_f1": step_macro_f1(y_true, y_pred),
           "edit": edit_score(y_true, y_pred)}
    row.update({f"f1@{k:g}": segment_f1(y_true, y_pred, overlap=k) for k in overlaps})
    return row
