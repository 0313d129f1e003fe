"""benchmarks/RESULTS.md: each benchmark script owns one marked section of it.

Every script takes ``--smoke``: a run of well under a minute that goes through the
whole script with tiny settings and writes nothing (:func:`publish` prints the
section instead of writing it), so ``tests/test_benchmarks.py`` can run them all.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = ("# Benchmark results\n\nWritten by the scripts in benchmarks/, each into its own "
          "marked section; the README's Benchmarks section is copied from this file by "
          "`python benchmarks/readme.py`.\n")
SMOKE_HELP = ("a run under 60 s through the whole script with tiny settings; writes nothing "
              "to RESULTS.md")


def parser(doc: str) -> argparse.ArgumentParser:
    """An argument parser described by the script's docstring, with ``--smoke``."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    return ap


def missing(*packages: str) -> list[str]:
    """The optional packages (import names) that are not installed."""
    return [p for p in packages if importlib.util.find_spec(p) is None]


def publish(name: str, body: str, smoke: bool, path: Path = RESULTS) -> None:
    """Writes the section ``name`` (or, in a smoke run, only prints it)."""
    print(body)
    if smoke:
        print(f"\n(--smoke: the {name!r} section of {path.name} was not written)")
    else:
        write_section(name, body, path)


def write_section(name: str, body: str, path: Path = RESULTS) -> None:
    """Replaces (or appends) the ``<!-- name:begin -->`` ... ``<!-- name:end -->`` block.

    Args:
        name: The section's marker name (one per script).
        body: The section's markdown.
        path: The results file.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "R.md"
        >>> write_section("x", "hello", p); write_section("x", "bye", p)
        >>> "bye" in p.read_text() and "hello" not in p.read_text()
        True
    """
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.exists() else HEADER
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
