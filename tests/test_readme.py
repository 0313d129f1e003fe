"""The README's promises: the CI runs its test command verbatim, and its Python tour runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _quickstart_commands():
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_quickstart_has_exactly_two_one_line_commands():
    commands = _quickstart_commands()
    assert len(commands) == 2
    assert all("\n" not in c and c.startswith("python3 -m venv .venv && ") for c in commands)


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = _quickstart_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci


def test_python_tour_runs(tmp_path, monkeypatch):
    code = README.split("## A tour in Python", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    code = code.replace("epochs=20", "epochs=2")  # the tour's training, shortened for the suite
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(code, "README tour", "exec"), namespace)
    assert namespace["forecast"].shape == (12, 1)
    assert (namespace["path"] / "zoo.json").is_file()


def test_benchmark_tables_are_copied_from_results():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_readme", ROOT / "benchmarks" / "readme.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    results = (ROOT / "benchmarks" / "RESULTS.md").read_text()
    assert "| " in mod.tables(results), "RESULTS.md holds no table"
    assert mod.render(README, results) == README, "run: python benchmarks/readme.py"


def test_plain_tensorflow_snippet_matches_keras(monkeypatch, capsys):
    """The artifact section's zoo-free snippet, pointed at the committed golden artifact."""
    import numpy as np

    from zoo.forecaster import Forecaster

    section = README.split("## The artifact", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert "import zoo" not in code
    golden = str(ROOT / "saved_models" / "golden")
    namespace = {}
    exec(compile(code.replace('"saved_models/demo"', repr(golden)), "README artifact", "exec"),
         namespace)
    got = namespace["m"].serve(namespace["x"], namespace["future"])["outputs"].numpy()
    want = Forecaster.load(golden).model_({"inputs": namespace["x"],
                                           "future": namespace["future"]}, training=False)
    np.testing.assert_allclose(got, np.asarray(want), rtol=1e-5)
    quantiles = namespace["spec"]["quantiles"] or []  # the golden model forecasts quantiles
    assert got.shape == (1, namespace["H"], 1) + ((len(quantiles),) if quantiles else ())
    assert np.all(got > 0)


def test_every_image_the_readme_shows_is_committed():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert images, "the README shows no plots"
    for image in images:
        path = ROOT / image
        assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image


def test_plugin_snippet_runs_the_harnesses(monkeypatch, tmp_path):
    """The Models section's plugin example registers a builder and passes both harnesses."""
    import zoo

    section = README.split("## Models", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    try:
        exec(compile(code, "README plugin", "exec"), {})
        assert "wide_gru" in zoo.list_models()
    finally:
        zoo.registry.unregister("wide_gru")
