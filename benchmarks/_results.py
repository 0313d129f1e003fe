"""benchmarks/RESULTS.md: each benchmark script owns one marked section of it."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = ("# Benchmark results\n\nWritten by the scripts in benchmarks/, each into its own "
          "marked section; the README's Benchmarks section is copied from this file by "
          "`python benchmarks/readme.py`.\n")


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
