"""`zoo list` reads the built-ins' index: it must match the live registry and start no Keras."""

import subprocess
import sys

from zoo import registry


def test_the_index_matches_the_live_registry():
    assert registry.builtin_index() == registry.live_index(), (
        "zoo/builders/index.json is stale: run python -m zoo.registry")


def test_zoo_list_imports_neither_keras_nor_tensorflow():
    code = ("import sys, io, contextlib\n"
            "from zoo.cli.main import main\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            "    assert main(['list']) == 0\n"
            "assert 'lstm' in out.getvalue()\n"
            "print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
