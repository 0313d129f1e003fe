"""The sequence-labelling commands: train, evaluate and predict one label per time step.

The CSV has one row per time step: a column naming the sequence (``--id-col``), an
optional time column (``--time-col``) to order the steps, the per-step label
(``--label``) and numeric feature columns.
"""

from __future__ import annotations

from zoo.cli._common import (
    FLAGS,
    UsageError,
    check_positive,
    export_formats,
    model_for,
    out_dir,
    training_params,
)
from zoo.io import read_sequences

HOLDOUT_FRACTION = 0.2
MIN_SEQUENCES = 5
ARGNAMES = dict(FLAGS, id_col="--id-col")


def _read(args, require_label=True):
    return read_sequences(args.data, args.id_col, args.time_col, args.label,
                          require_label=require_label, argnames=ARGNAMES)


def _report(truth, rows):
    from zoo import metrics

    print(f"{'':16s}{'accuracy':>10s}{'macro F1':>10s}{'F1@50':>8s}{'edit':>8s}")
    for name, pred in rows.items():
        m = metrics.labelling_metrics(truth, pred, overlaps=(0.5,))
        print(f"{name:16s}{m['accuracy']:10.4f}{m['macro_f1']:10.4f}{m['f1@0.5']:8.3f}"
              f"{m['edit']:8.1f}")


def train(args):
    """``zoo train --task label``: hold out 20% of the sequences, score, export on all."""
    import numpy as np

    import zoo
    from zoo.sequences import stratified_split

    check_positive(args, ("epochs", "units"))
    model = model_for(args, "label", "bigru")
    for flag in ("n_ensemble", "time_budget"):
        if getattr(args, flag, None) is not None:
            raise UsageError(f"--{flag.replace('_', '-')} is for --task forecast and classify")
    out = out_dir(args)
    exporting = export_formats(args)
    _, X, Y = _read(args)
    if len(X) < MIN_SEQUENCES:
        raise UsageError(f"{args.data} holds {len(X)} sequences; training and a held-out part "
                         f"need at least {MIN_SEQUENCES}")
    if len(np.unique(np.concatenate(Y))) < 2:
        raise UsageError(f"--label {args.label!r} holds a single class; labelling needs at "
                         "least 2")
    dominant = np.array([max(set(y.tolist()), key=y.tolist().count) for y in Y])
    train_idx, test_idx, note = stratified_split(dominant, HOLDOUT_FRACTION, args.seed)
    how = f"random, not stratified: {note}" if note else "stratified by majority label"
    print(f"{args.data}: {len(X)} sequences, {sum(len(x) for x in X)} steps; holding out "
          f"{len(test_idx)} sequences ({how})")
    params = training_params(args, model)
    labeler = zoo.SequenceLabeler(**params).fit([X[i] for i in train_idx],
                                                [Y[i] for i in train_idx])
    truth = [Y[i] for i in test_idx]
    pred = labeler.predict([X[i] for i in test_idx])
    majority = max(set(np.concatenate([Y[i] for i in train_idx]).tolist()),
                   key=np.concatenate([Y[i] for i in train_idx]).tolist().count)
    print(f"\nheld-out part: {len(truth)} sequences, {sum(len(t) for t in truth)} steps")
    _report(truth, {"model": pred, "majority": [np.full(len(t), majority) for t in truth]})
    final = zoo.SequenceLabeler(**dict(params, verbose=0)).fit(X, Y)
    path = final.export(out, overwrite=args.overwrite, **exporting)
    print(f"artifact: {path}  classes: {[str(k) for k in final.classes_]}")
    return 0


def evaluate(p, args):
    """``zoo evaluate`` for a labelling artifact: per-step and segment scores."""
    import numpy as np

    _, X, Y = _read(args)
    pred = p.predict(X)
    print(f"{len(X)} sequences, {sum(len(x) for x in X)} steps")
    _report(Y, {"model": pred})
    unknown = sorted(set(np.concatenate(Y).tolist()) - {str(k) for k in p.classes})
    if unknown:
        print(f"(labels the model never saw: {unknown[:10]})")
    return 0


def predict(p, args):
    """``zoo predict`` for a labelling artifact: the CSV's rows with a predicted label each."""
    import numpy as np

    frame, X, _ = _read(args, require_label=False)  # --label names a column kept out of X
    pred = p.predict(X)
    out = frame[[c for c in (args.id_col, args.time_col) if c is not None]].copy()
    out["label"] = np.concatenate([np.asarray(y, dtype=str) for y in pred])
    return out
