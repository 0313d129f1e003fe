"""One table from model name to builder function, with capability flags.

Builders register themselves with :func:`register`; :func:`build` and
:func:`list_models` are the public entry points (``zoo.build``, ``zoo.list_models``).
The registry imports nothing from the rest of zoo but the leaf :mod:`zoo._checks`
(it finds the built-in builders by importing ``zoo.builders`` by name), so every
module may import it.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import json
from pathlib import Path
from typing import Any, Callable

from zoo._checks import check_int

TASKS = ("forecast", "classify", "label")
# what a builder supports unless it opts in to more (sequence labelling is opt-in)
DEFAULT_TASKS = ("forecast", "classify")


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """What the registry knows about one model name.

    Attributes:
        name: The registered name, e.g. ``"bigru"``.
        builder: The plain function that returns an uncompiled ``keras.Model``.
        tasks: The tasks the builder supports.
        preset: Keyword arguments the name fixes (e.g. ``cell="gru"``).
        masking: Whether the builder accepts ``mask_value`` (variable-length input).
        dynamic_time: Whether ``input_shape=(None, F)`` is accepted.
        future_covariates: Whether the builder accepts known-ahead covariates (``n_future``).
        sequential: Whether ``api="sequential"`` is possible (False for branching models).
        description: One line for ``zoo list`` and the README table.
        example_kwargs: Small builder arguments (a few units, a short input) with which
            :func:`zoo.testing.check_builder` runs every check in seconds; a plugin
            registers its own, so the harness can test it as it tests the built-ins.
        depth: The recurrent layers an estimator's int ``units`` becomes (2 for the
            stacked presets: ``units=32`` means ``[32, 32]``; 1 otherwise).

    Every flag is a promise :func:`zoo.testing.check_builder` checks both ways: a
    builder that claims ``masking`` must give padded sequences the outputs of the
    unpadded ones, and one that does not must refuse ``mask_value``; likewise for a
    ``None`` time dimension, ``n_future`` and ``api="sequential"``.
    """

    name: str
    builder: Callable[..., Any]
    tasks: tuple[str, ...]
    preset: dict
    masking: bool = True
    dynamic_time: bool = True
    future_covariates: bool = True
    sequential: bool = True
    description: str = ""
    example_kwargs: dict = dataclasses.field(default_factory=dict)
    depth: int = 1


_REGISTRY: dict[str, ModelSpec] = {}
# The built-in models' names, tasks and descriptions, for `zoo list` without importing Keras:
# written from the live registry by `python -m zoo.registry`, kept true by tests/test_registry.py.
INDEX = Path(__file__).resolve().parent / "builders" / "index.json"


def register(
    name: str,
    *,
    tasks: tuple[str, ...] = DEFAULT_TASKS,
    masking: bool = True,
    dynamic_time: bool = True,
    future_covariates: bool = True,
    sequential: bool = True,
    description: str = "",
    example_kwargs: dict | None = None,
    depth: int = 1,
    **preset: Any,
) -> Callable[[Callable], Callable]:
    """Class-free decorator that adds a builder to the registry under ``name``.

    Apply it several times to one function to register presets of it: the
    keyword arguments beyond the flags are fixed for that name.

    Args:
        name: Lower-case model name.
        tasks: Tasks the builder supports, a subset of ``TASKS`` (``"forecast"``,
            ``"classify"``, ``"label"``); default forecast and classify.
        masking: Whether padded variable-length input (``mask_value``) is supported.
        dynamic_time: Whether a ``None`` time dimension is supported.
        future_covariates: Whether known-ahead covariates (``n_future``) are supported.
        sequential: Whether ``api="sequential"`` is possible; a builder registered
            with False must refuse it with a ``ValueError``.
        description: A one-line description.
        example_kwargs: Small builder arguments for :func:`zoo.testing.check_builder`
            (e.g. ``{"units": 4, "input_shape": (None, 2)}``).
        depth: Recurrent layers an estimator's int ``units`` stands for.
        **preset: Keyword arguments this name fixes, e.g. ``cell="lstm"``.

    Returns:
        The decorator, which returns the function unchanged.

    Example:
        >>> from zoo.registry import register
        >>> @register("my_tiny_model", tasks=("forecast",), description="demo")
        ... def my_tiny_model(**kwargs):
        ...     return None
        >>> "my_tiny_model" in list_models(include_unloaded=False)
        True
        >>> unregister("my_tiny_model")
    """
    if not isinstance(name, str) or not name or name != name.lower():
        raise ValueError(f"register: name must be a non-empty lower-case string, got {name!r}")
    bad = [t for t in tasks if t not in TASKS]
    if bad or not tasks:
        raise ValueError(f"register: tasks must be a non-empty subset of {TASKS}, got {tasks!r}")
    if example_kwargs is not None and not isinstance(example_kwargs, dict):
        raise TypeError(f"register: example_kwargs must be a dict, got {example_kwargs!r}")
    check_int(depth, "register: depth")

    def decorator(fn: Callable) -> Callable:
        if name in _REGISTRY and _REGISTRY[name].builder is not fn:
            raise ValueError(f"register: the name {name!r} is already registered")
        _REGISTRY[name] = ModelSpec(
            name=name,
            builder=fn,
            tasks=tuple(tasks),
            preset=dict(preset),
            masking=masking,
            dynamic_time=dynamic_time,
            future_covariates=future_covariates,
            sequential=sequential,
            description=description,
            example_kwargs=dict(example_kwargs or {}),
            depth=int(depth),
        )
        return fn

    return decorator


def unregister(name: str) -> None:
    """Removes ``name`` from the registry (for tests and plugins).

    Args:
        name: A registered model name.
    """
    _REGISTRY.pop(name, None)


def _load_builders() -> None:
    # Importing the builders package runs every @register decorator.
    importlib.import_module("zoo.builders")


def list_models(task: str | None = None, *, include_unloaded: bool = True) -> list[str]:
    """Names of the registered models, sorted.

    Args:
        task: ``None`` for all, or ``"forecast"`` / ``"classify"`` for the models
            supporting that task.
        include_unloaded: Import ``zoo.builders`` first so that every built-in
            model is registered (set False only to inspect the table as it is).

    Returns:
        A sorted list of model names.

    Example:
        >>> import zoo
        >>> {"lstm", "gru", "stacked_lstm", "stacked_gru", "bilstm", "bigru"} <= set(zoo.list_models())
        True
    """
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be None or one of {TASKS}, got {task!r}")
    if include_unloaded:
        _load_builders()
    return sorted(n for n, s in _REGISTRY.items() if task is None or task in s.tasks)


def get_spec(name: str) -> ModelSpec:
    """The :class:`ModelSpec` registered under ``name``.

    Args:
        name: A model name (case-insensitive).

    Returns:
        The spec.

    Raises:
        ValueError: If the name is unknown; the message lists the known names and
            the closest match.
    """
    _load_builders()
    if not isinstance(name, str):
        raise TypeError(f"model name must be a string, got {type(name).__name__}")
    key = name.strip().lower()
    if key in _REGISTRY:
        return _REGISTRY[key]
    known = sorted(_REGISTRY)
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"unknown model {name!r}.{hint} Known models: {', '.join(known)}.")


def build(name: str, **kwargs: Any):
    """Builds the registered model ``name`` as an uncompiled ``keras.Model``.

    Args:
        name: A name from :func:`list_models` (case-insensitive).
        **kwargs: Builder arguments: ``task``, ``input_shape``, ``horizon``,
            ``n_targets``, ``n_classes``, ``api``, ``units``, ... (see
            :mod:`zoo.builders.recurrent`). Arguments fixed by the name's preset
            (e.g. ``cell`` for ``stacked_gru``) may be repeated with the same value only.

    Returns:
        An uncompiled ``keras.Model``.

    Example:
        >>> import zoo
        >>> m = zoo.build("gru", input_shape=(12, 1), horizon=3, units=8)
        >>> tuple(m.output.shape)
        (None, 3, 1)
    """
    spec = get_spec(name)
    task = kwargs.get("task", "forecast")
    if task not in spec.tasks:
        raise ValueError(
            f"model {spec.name!r} supports task in {spec.tasks}, got task={task!r}"
        )
    for key, value in spec.preset.items():
        if key in kwargs and kwargs[key] != value:
            raise ValueError(
                f"model {spec.name!r} fixes {key}={value!r}; got {key}={kwargs[key]!r}. "
                f"Call the builder function zoo.builders.{spec.builder.__name__} to choose it."
            )
    params = {**spec.preset, **kwargs}
    params.setdefault("name", spec.name)
    _check_arguments(spec, params)
    return spec.builder(**params)


def _check_arguments(spec: ModelSpec, params: dict) -> None:
    """Refuses arguments the builder does not take, listing the ones it does."""
    import inspect

    accepted = inspect.signature(spec.builder).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values()):
        return  # a plugin taking **kwargs checks its own
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise TypeError(f"model {spec.name!r} takes no argument(s) {unknown}; it accepts "
                        f"{sorted(set(accepted) - set(spec.preset))}")


def builtin_index() -> list[dict]:
    """The built-in models as ``{"name", "tasks", "description"}`` rows, without Keras.

    Read from ``zoo/builders/index.json`` (what :func:`write_index` wrote from the live
    registry), so ``zoo list`` answers without starting TensorFlow.

    Example:
        >>> "lstm" in [row["name"] for row in builtin_index()]
        True
    """
    return json.loads(INDEX.read_text(encoding="utf-8"))


def live_index() -> list[dict]:
    """The rows of :func:`builtin_index` computed from the registry (imports the builders)."""
    _load_builders()
    return [{"name": s.name, "tasks": list(s.tasks), "description": s.description}
            for s in sorted(_REGISTRY.values(), key=lambda s: s.name)
            if s.builder.__module__.startswith("zoo.builders")]


def write_index() -> None:
    """Writes ``zoo/builders/index.json`` from the live registry."""
    INDEX.write_text(json.dumps(live_index(), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    # run as a script this file is __main__, not the zoo.registry the builders register in
    importlib.import_module("zoo.registry").write_index()
