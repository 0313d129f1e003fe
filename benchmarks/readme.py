"""Copies benchmarks/RESULTS.md into the README's Benchmarks section.

The README shows the same tables the benchmark scripts wrote, never hand-typed
figures; tests/test_readme.py fails when the two drift apart. Run after a benchmark:

    python benchmarks/readme.py [--smoke]
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- benchmarks:begin -->", "<!-- benchmarks:end -->"


def tables(results: str) -> str:
    """RESULTS.md without its title and intro, headings demoted one level for the README."""
    body = results.split("\n<!-- ", 1)[1] if "\n<!-- " in results else ""
    body = "<!-- " + body if body else ""
    return "\n".join("#" + line if line.startswith("## ") or line.startswith("### ") else line
                     for line in body.strip().splitlines())


def render(readme: str, results: str) -> str:
    """The README text with its marked Benchmarks block replaced by ``tables(results)``."""
    head, rest = readme.split(BEGIN, 1)
    return f"{head}{BEGIN}\n{tables(results)}\n{END}{rest.split(END, 1)[1]}"


def main(argv=None):
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true",
                    help="only say whether the README is up to date; write nothing")
    args = ap.parse_args(argv)
    readme = ROOT / "README.md"
    text = readme.read_text()
    new = render(text, (ROOT / "benchmarks" / "RESULTS.md").read_text())
    if args.smoke:
        print("README benchmarks section is " + ("up to date" if new == text else
                                                 "out of date: run python benchmarks/readme.py"))
        print("(--smoke: README.md was not written)")
        return
    readme.write_text(new)
    print(f"wrote {readme}")


if __name__ == "__main__":
    main()
