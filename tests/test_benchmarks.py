"""Every script in benchmarks/ runs with --smoke, exits 0 and writes nothing, so none can rot."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(p for p in (ROOT / "benchmarks").glob("*.py") if not p.name.startswith("_"))


def test_the_benchmarks_are_found():
    assert {"accuracy", "airline_design", "latency", "memory", "readme"} <= {p.stem for p in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_smoke_run_exits_0_and_writes_nothing(script, tmp_path):
    watched = [ROOT / "benchmarks" / "RESULTS.md", ROOT / "README.md"]
    before = [p.read_bytes() for p in watched]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([sys.executable, str(script), "--smoke"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert "--smoke" in proc.stdout, proc.stdout[-2000:]
    assert [p.read_bytes() for p in watched] == before, "a smoke run wrote to RESULTS.md or README"
    assert not any(tmp_path.iterdir()), "a smoke run wrote to the working directory"
