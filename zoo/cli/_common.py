"""What the command line's commands share: the usage error and the common options."""

from __future__ import annotations

from pathlib import Path

# How zoo.io's messages name its arguments on the command line.
FLAGS = {"data": "--data", "time_col": "--time-col", "label": "--label"}


class UsageError(ValueError):
    """A user mistake: reported in one line with exit status 2.

    Args:
        message: What is wrong and what is accepted.
        prog: The command it concerns (``zoo train``), for the message's prefix.
    """

    def __init__(self, message, prog="zoo"):
        super().__init__(message)
        self.prog = prog


def check_positive(args, flags):
    """Refuses a given ``--flag`` below 1 (argparse has checked that it is an int)."""
    for flag in flags:
        value = getattr(args, flag)
        if value is not None and value < 1:
            raise UsageError(f"--{flag} must be a positive integer, got {value}")


def out_dir(args, overwrite=None):
    """``--out`` as a Path, checked before anything is trained or written.

    Refused when it is empty, lies under a file, or exists and ``--overwrite`` is not
    given (``overwrite`` replaces the flag: ``zoo demo`` always overwrites), or exists
    and is no zoo artifact (a directory of other files is never replaced).
    """
    from zoo._checks import check_out_path

    overwrite = args.overwrite if overwrite is None else overwrite
    if not args.out:
        raise UsageError("--out must name the artifact directory to write, got ''")
    try:
        out = Path(check_out_path(args.out, "--out"))
    except ValueError as err:
        raise UsageError(str(err)) from None
    if out.exists() and not overwrite:
        raise UsageError(f"--out {out} exists; pass --overwrite to replace it")
    if out.exists() and not (out / "zoo.json").is_file():
        raise UsageError(f"--out {out} exists and is not a zoo artifact; refusing to replace "
                         "it (choose a new directory)")
    return out


def output_file(path, flag):
    """A file to write (``--output``): not a directory, inside an existing directory."""
    target = Path(path)
    if not str(path) or target.is_dir():
        raise UsageError(f"{flag} must name a file to write, got {str(path)!r}")
    if not target.parent.is_dir():
        raise UsageError(f"{flag} {str(path)!r}: the directory {str(target.parent)!r} does "
                         "not exist")
    return target


def training_params(args, model):
    """Estimator keywords shared by both tasks: model, seed, progress, --epochs, --units."""
    params = dict(model=model, seed=args.seed, verbose=1)
    if args.epochs:
        params["epochs"] = args.epochs
    if args.units:
        params["units"] = args.units
    if getattr(args, "n_ensemble", None) is not None:
        params["n_ensemble"] = args.n_ensemble
    if getattr(args, "time_budget", None) is not None:
        if model != "auto":
            raise UsageError("--time-budget is for --model auto")
        params["time_budget_s"] = args.time_budget
    return params


def model_for(args, task, default):
    """``--model`` (or ``default``), refused unless the registry says it does ``task``."""
    import zoo
    from zoo.registry import get_spec

    model = args.model or default
    if model == "auto":
        if task not in ("forecast", "classify"):
            raise UsageError(f"--model auto is for --task forecast and classify, not {task}")
        return model
    if task not in get_spec(model).tasks:
        raise UsageError(f"--model {model!r} does not support --task {task}; choose one of "
                         f"{', '.join(zoo.list_models(task))}")
    return model


def export_formats(args):
    """``--formats`` (extra formats beside the defaults) and ``--max-length``, checked up front.

    Returns:
        ``{"formats": ..., "max_length": ...}`` for ``export`` (formats None = the defaults).
    """
    from zoo.export import DEFAULT_FORMATS, FORMATS, check_formats

    max_length = getattr(args, "max_length", None)
    if max_length is not None and max_length < 1:
        raise UsageError(f"--max-length must be a positive integer, got {max_length}")
    if not getattr(args, "formats", None):
        return {"formats": None, "max_length": max_length}
    asked = [f.strip() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in asked if f not in FORMATS]
    if bad or not asked:
        raise UsageError(f"--formats takes a comma-separated list of {', '.join(FORMATS)}; "
                         f"got {args.formats!r}")
    formats = list(DEFAULT_FORMATS) + [f for f in asked if f not in DEFAULT_FORMATS]
    if args.task == "label" and max_length is None and set(asked) & {"litert", "openvino"}:
        raise UsageError("--formats litert/openvino of a labelling model need --max-length "
                         "(the edge formats run at a fixed sequence length)")
    return {"formats": check_formats(formats), "max_length": max_length}
