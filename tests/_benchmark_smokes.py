"""Runs benchmark scripts with ``--smoke`` one after another in this one process.

    python tests/_benchmark_smokes.py RESULTS_DIR SCRIPT [SCRIPT ...]

TensorFlow is imported once for all of them, not once per script. Each script runs
as ``__main__`` in its own empty working directory ``RESULTS_DIR/<stem>/cwd``; its
output goes to ``<stem>/out.txt`` and its exit status (0, a SystemExit code, or the
traceback of an exception) to ``<stem>/status.json`` (with its run time in seconds).
"""

import contextlib
import io
import json
import os
import runpy
import sys
import time
import traceback
from pathlib import Path


def run(script: Path, results: Path) -> None:
    where = results / script.stem
    cwd = where / "cwd"
    cwd.mkdir(parents=True)
    out = io.StringIO()
    status = {"code": 0}
    before = os.getcwd()
    started = time.perf_counter()
    sys.argv = [str(script), "--smoke"]
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            runpy.run_path(str(script), run_name="__main__")
    except SystemExit as stop:
        status["code"] = stop.code if isinstance(stop.code, int) else (0 if stop.code is None
                                                                       else 1)
        if not isinstance(stop.code, (int, type(None))):
            out.write(str(stop.code))
    except BaseException:  # noqa: BLE001 - reported per script, the others still run
        status = {"code": 1, "error": traceback.format_exc()}
    finally:
        os.chdir(before)
        status["seconds"] = round(time.perf_counter() - started, 1)
    (where / "out.txt").write_text(out.getvalue())
    (where / "status.json").write_text(json.dumps(status))


def main(argv):
    results = Path(argv[0])
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    for script in argv[1:]:
        run(Path(script), results)


if __name__ == "__main__":
    main(sys.argv[1:])
