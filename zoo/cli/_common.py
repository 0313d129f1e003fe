"""What the command line's commands share: the usage error and the common options."""

from __future__ import annotations

from pathlib import Path


class UsageError(Exception):
    """A user mistake: reported in one line with exit status 2."""


def _check_positive(args, flags):
    for flag in flags:
        value = getattr(args, flag)
        if value is not None and value < 1:
            raise UsageError(f"--{flag} must be a positive integer, got {value}")


def _out_dir(args):
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise UsageError(f"--out {out} exists; pass --overwrite to replace it")
    return out


def _training_params(args, model):
    """Estimator keywords shared by both tasks: model, seed, progress, --epochs, --units."""
    params = dict(model=model, seed=args.seed, verbose=1)
    if args.epochs:
        params["epochs"] = args.epochs
    if args.units:
        params["units"] = args.units
    return params


def _load(artifact):
    import zoo

    return zoo.load(artifact)
