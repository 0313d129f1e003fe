"""The ``zoo`` command line: list, datasets, train, evaluate, predict, demo, serve,
export-serving.

TensorFlow is imported lazily, inside the commands that train or load models,
so ``zoo --version``, ``zoo list`` and ``zoo datasets`` answer quickly. Bad input
(argparse's usage errors included) gives a one-line error on stderr and exit status 2,
never a traceback, and is refused before any training step and before anything is
written; commands write only inside ``--out`` (``predict`` only its ``--output``).
"""

from __future__ import annotations

import argparse
import os
import sys

from zoo._version import __version__
from zoo.cli import classify, forecast, label
from zoo.cli._common import UsageError, output_file
from zoo.cli.forecast import DEMO_DIR


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are raised, to be reported in one line like every refusal."""

    def error(self, message):
        raise UsageError(f"{message} (see {self.prog} --help)", prog=self.prog)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="zoo", description="Keras/TensorFlow model zoo for time series.")
    p.add_argument("--version", action="version", version=f"zoo {__version__}")
    p.add_argument("--threads", type=int, default=None,
                   help="CPU threads TensorFlow may use (default: all)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("list", help="models and the tasks each supports")
    sub.add_parser("datasets", help="bundled data sets")

    t = sub.add_parser("train", help="train on a CSV or a bundled data set and export an artifact")
    t.add_argument("--data", required=True, help="CSV path or bundled data set name")
    t.add_argument("--task", choices=("forecast", "classify", "label"), default="forecast")
    t.add_argument("--target", default=None, help="target column (forecast)")
    t.add_argument("--label", default=None,
                   help="label column (classify: one per row; label: one per time step)")
    t.add_argument("--id-col", default=None,
                   help="sequence id column (label; default unique_id)")
    t.add_argument("--model", default=None,
                   help="model name (see `zoo list`), or auto: the validation winner of a "
                        "plan fixed by the data (forecast, classify; the tune extra)")
    t.add_argument("--n-ensemble", type=int, default=None, metavar="K",
                   help="forecast, classify: K members served as one model (median / mean)")
    t.add_argument("--time-budget", type=float, default=None, metavar="SECONDS",
                   help="--model auto: no candidate starts after this (default 240)")
    t.add_argument("--lookback", type=int, default=None)
    t.add_argument("--horizon", type=int, default=None)
    t.add_argument("--epochs", type=int, default=None)
    t.add_argument("--units", type=int, default=None)
    t.add_argument("--time-col", default=None, help="time column of the CSV (detected if omitted)")
    t.add_argument("--distribution", choices=("normal", "student_t", "negative_binomial"),
                   default=None, help="forecast: a distribution head (sample paths, quantiles)")
    t.add_argument("--conformal", default=None, metavar="LEVELS",
                   help="forecast: conformal interval levels, comma-separated (e.g. 0.8,0.95)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--out", required=True, help="artifact directory to write")
    t.add_argument("--overwrite", action="store_true")
    t.add_argument("--formats", default=None,
                   help="extra artifact formats beside keras and onnx, comma-separated: "
                        "litert, openvino (the edge extra)")
    t.add_argument("--max-length", type=int, default=None,
                   help="variable-length models: the fixed sequence length of the edge formats")

    e = sub.add_parser("evaluate", help="score an artifact on a CSV against the baselines")
    e.add_argument("artifact")
    e.add_argument("--data", required=True)
    e.add_argument("--time-col", default=None)
    e.add_argument("--label", default=None)
    e.add_argument("--id-col", default=None, help="sequence id column (labelling artifacts)")

    pr = sub.add_parser("predict", help="forecast (or classify) with an artifact")
    pr.add_argument("artifact")
    pr.add_argument("--data", required=True)
    pr.add_argument("--time-col", default=None)
    pr.add_argument("--label", default=None,
                    help="classifiers and labellers: a label column of the CSV to leave out "
                         "of the inputs")
    pr.add_argument("--id-col", default=None, help="sequence id column (labelling artifacts)")
    pr.add_argument("--output", default=None, help="write the table to this CSV")

    d = sub.add_parser("demo", help="train on Airline, export, reload, compare with baselines")
    d.add_argument("--out", default=str(DEMO_DIR))
    d.add_argument("--epochs", type=int, default=None)

    s = sub.add_parser("serve", help="serve artifacts over TensorFlow Serving's REST API")
    s.add_argument("dirs", nargs="*", metavar="DIR",
                   help="an artifact (served under its directory name) or a model base "
                        "directory of numbered versions (the highest is served)")
    s.add_argument("--name", action="append", default=[], metavar="NAME=DIR",
                   help="serve DIR under NAME (repeatable)")
    s.add_argument("--port", type=int, default=8501)
    s.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default loopback only; 0.0.0.0 for all)")
    s.add_argument("--max-body-bytes", type=int, default=None,
                   help="refuse larger request bodies with 413 (default 32 MiB)")
    s.add_argument("--backend", default="auto", help="Predictor backend (default: fastest)")
    s.add_argument("--model-threads", type=int, default=1,
                   help="ONNX Runtime threads per batched model call (default 1)")

    x = sub.add_parser("export-serving",
                       help="copy an artifact into TF Serving's layout BASE/NAME/VERSION")
    x.add_argument("artifact")
    x.add_argument("base")
    x.add_argument("--name", default=None, help="model name (default: the artifact's name)")
    x.add_argument("--version", type=int, default=None,
                   help="version number (default: the highest existing + 1)")
    return p


def main(argv=None) -> int:
    """Runs the command line; returns the exit status.

    Args:
        argv: Arguments (default ``sys.argv[1:]``).

    Returns:
        0 on success, 2 on bad input (a one-line message on stderr, nothing written).
    """
    parser = _parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if args.command == "serve" and not any(a.startswith("-") for a in extra):
            args.dirs += extra  # DIRs given after an option: zoo serve A --name n=B C
        elif extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except UsageError as err:
        print(f"{err.prog}: error: {err}".splitlines()[0], file=sys.stderr)
        return 2
    if args.command is None:
        _parser().print_help()
        return 0
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        if args.threads is not None:
            if args.threads < 1:
                raise UsageError("--threads must be >= 1")
            import tensorflow as tf

            tf.config.threading.set_intra_op_parallelism_threads(args.threads)
            tf.config.threading.set_inter_op_parallelism_threads(args.threads)
        return {"list": _list, "datasets": _datasets, "train": _train, "evaluate": _evaluate,
                "predict": _predict, "demo": forecast.demo, "serve": _serve,
                "export-serving": _export_serving}[args.command](args)
    except (UsageError, ValueError, TypeError, OSError) as err:
        print(f"zoo {args.command}: error: {err}".splitlines()[0], file=sys.stderr)
        return 2


def _list(args):
    from zoo.registry import builtin_index

    # the built-ins' index: listing them starts no TensorFlow
    rows = [(r["name"], ", ".join(r["tasks"]), r["description"]) for r in builtin_index()]
    width = max(len(r[0]) for r in rows)
    task_width = max(len(r[1]) for r in rows)
    print(f"{'model'.ljust(width)}  {'tasks'.ljust(task_width)}  description")
    for name, tasks, desc in rows:
        print(f"{name.ljust(width)}  {tasks.ljust(task_width)}  {desc}")
    return 0


def _datasets(args):
    from zoo import datasets

    for name in datasets.list():
        info = datasets.info(name)
        print(f"{name:20s} {info['task']:9s} {str(info.get('shape')):16s} {info.get('description', '')[:60]}")
    return 0


def _train(args):
    if args.task in ("classify", "label"):
        for flag in ("lookback", "horizon", "target", "distribution", "conformal") + (
                ("time_col",) if args.task == "classify" else ()):
            if getattr(args, flag) is not None:
                raise UsageError(f"--{flag.replace('_', '-')} is for --task forecast only")
    if args.task != "label" and args.id_col is not None:
        raise UsageError("--id-col is for --task label only")
    if args.task == "label":
        args.id_col = args.id_col or "unique_id"
        return label.train(args)
    if args.task == "classify":
        return classify.train(args)
    return forecast.train(args)


def _task_module(p, args):
    if p.task != "label" and args.id_col is not None:
        raise UsageError(f"--id-col is for labelling artifacts; this one is a {p.task!r} model")
    if p.task == "label":
        args.id_col = args.id_col or "unique_id"
    return {"classify": classify, "label": label}.get(p.task, forecast)


def _evaluate(args):
    import zoo

    p = zoo.load(args.artifact)
    return _task_module(p, args).evaluate(p, args)


def _predict(args):
    import zoo

    if args.output is not None:
        output_file(args.output, "--output")
    p = zoo.load(args.artifact)
    out = _task_module(p, args).predict(p, args)
    if args.output:
        out.to_csv(args.output)
        print(f"wrote {args.output}")
    else:
        print(out.to_string())
    return 0


def _serve(args):
    import importlib.util

    from zoo.serving.protocol import DEFAULT_MAX_BODY

    missing = [m for m in ("starlette", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        raise UsageError(f"zoo serve needs {missing}: pip install 'zoo-ts[serve]'")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be in 0..65535, got {args.port}")
    limit = DEFAULT_MAX_BODY if args.max_body_bytes is None else args.max_body_bytes
    if limit < 1:
        raise UsageError(f"--max-body-bytes must be a positive integer, got {limit}")
    names = {}
    for pair in args.name:
        name, sep, directory = pair.partition("=")
        if not sep or not name or not directory:
            raise UsageError(f"--name takes NAME=DIR, got {pair!r}")
        if name in names:
            raise UsageError(f"--name {name!r} is given twice")
        names[name] = directory
    from zoo.serving.app import serve
    from zoo.serving.repository import load_all

    if args.model_threads < 1:
        raise UsageError(f"--model-threads must be >= 1, got {args.model_threads}")
    serve(load_all(args.dirs, names, backend=args.backend, threads=args.model_threads),
          host=args.host, port=args.port,
          max_body_bytes=limit)
    return 0


def _export_serving(args):
    from zoo.serving import export_serving

    path = export_serving(args.artifact, args.base, name=args.name, version=args.version)
    print(f"wrote {path}")
    return 0
