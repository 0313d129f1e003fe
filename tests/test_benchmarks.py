"""Every script in benchmarks/ runs with --smoke, exits 0 and writes nothing, so none can rot.

The smoke runs share one subprocess (tests/_benchmark_smokes.py), which imports
TensorFlow once for all of them; each still runs as ``__main__`` in an empty working
directory of its own.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(p for p in (ROOT / "benchmarks").glob("*.py") if not p.name.startswith("_"))
# the design scripts (inner-split tables behind a default) and the slowest measuring
# scripts smoke-run under -m slow, for the default suite's time (near its 10 minutes)
# the accuracy smoke runs model="auto" on two sets: its paths are tests/test_auto.py's
SLOW_SMOKES = ("latency", "memory", "serving", "labelling", "training", "pruning", "probabilistic",
               "accuracy")
DESIGN = [p for p in SCRIPTS if p.stem.endswith("_design") or p.stem in SLOW_SMOKES]
FAST = [p for p in SCRIPTS if p not in DESIGN]
WATCHED = [ROOT / "benchmarks" / "RESULTS.md", ROOT / "README.md"]


def test_the_benchmarks_are_found():
    assert {"accuracy", "airline_design", "latency", "memory", "readme"} <= {p.stem for p in SCRIPTS}


def _run_smokes(tmp_path_factory, scripts):
    results = tmp_path_factory.mktemp("smokes")
    before = [p.read_bytes() for p in WATCHED]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "_benchmark_smokes.py"),
                           str(results), *map(str, scripts)], cwd=results, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return results, before


@pytest.fixture(scope="module")
def smokes(tmp_path_factory):
    return _run_smokes(tmp_path_factory, FAST)


@pytest.fixture(scope="module")
def design_smokes(tmp_path_factory):
    return _run_smokes(tmp_path_factory, DESIGN)


@pytest.mark.parametrize("script", FAST, ids=lambda p: p.stem)
def test_smoke_run_exits_0_and_writes_nothing(script, smokes):
    _check_smoke(script, *smokes)


@pytest.mark.slow
@pytest.mark.parametrize("script", DESIGN, ids=lambda p: p.stem)
def test_design_smoke_run_exits_0_and_writes_nothing(script, design_smokes):
    _check_smoke(script, *design_smokes)


def _check_smoke(script, results, before):
    where = results / script.stem
    status = json.loads((where / "status.json").read_text())
    out = (where / "out.txt").read_text()
    assert status["code"] == 0, (out[-3000:], status.get("error"))
    assert "--smoke" in out, out[-2000:]
    assert [p.read_bytes() for p in WATCHED] == before, "a smoke run wrote to RESULTS.md or README"
    assert not any((where / "cwd").iterdir()), "a smoke run wrote to the working directory"
