"""A loaded artifact can do nothing but compute: no code from model.keras runs, and the
manifest cannot point outside the artifact."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import zoo
from zoo.export import read_manifest, sha256

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "saved_models" / "golden"


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    idx = pd.date_range("2000-01-01", periods=48, freq="MS")
    df = pd.DataFrame({"y": np.linspace(10, 30, 48)}, index=idx)
    f = zoo.Forecaster(lookback=6, horizon=2, units=4, epochs=1, verbose=0,
                       calendar_features=False).fit(df)
    return f.export(tmp_path_factory.mktemp("sec") / "art", formats=["keras"])


def _copy(artifact, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(artifact, dst)
    return dst


def _rewrite(path, edit):
    manifest = json.loads((path / "zoo.json").read_text())
    edit(manifest)
    (path / "zoo.json").write_text(json.dumps(manifest))


def test_a_lambda_swapped_model_keras_runs_no_code(artifact, tmp_path):
    import keras

    marker = tmp_path / "ran"
    art = _copy(artifact, tmp_path)

    # a Python lambda is stored as bytecode: it would leave a file behind if it ever ran
    evil = eval(f"lambda x: (open({str(marker)!r}, 'w').write('code ran'), x)[1]")  # noqa: S307
    inputs = keras.Input((6, 1))
    keras.Model(inputs, keras.layers.Lambda(evil)(inputs)).save(art / "model.keras")
    marker.unlink(missing_ok=True)  # building the model here ran it once, on purpose
    _rewrite(art, lambda m: m["files"].update({"model.keras": sha256(art / "model.keras")}))
    with pytest.raises(ValueError, match="(?i)lambda|safe_mode|unsafe"):
        zoo.Forecaster.load(art)
    assert not marker.exists()


@pytest.mark.parametrize("entry", ["/etc/passwd", "../outside.txt", "variables/../../x",
                                   "C:\\windows", ""])
def test_file_entries_outside_the_artifact_are_refused(artifact, tmp_path, entry):
    art = _copy(artifact, tmp_path)
    _rewrite(art, lambda m: m["files"].update({entry: "0" * 64}))
    with pytest.raises(ValueError, match="outside the artifact"):
        read_manifest(art)


def test_symlinks_out_of_the_artifact_are_refused(artifact, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours")
    art = _copy(artifact, tmp_path)
    (art / "leak.txt").symlink_to(secret)
    _rewrite(art, lambda m: m["files"].update({"leak.txt": sha256(secret)}))
    with pytest.raises(ValueError, match="symlink"):
        read_manifest(art)

    art2 = tmp_path / "copy2"
    shutil.copytree(artifact, art2)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "f.txt").write_text("x")
    (art2 / "sub").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(ValueError, match="symlink"):  # listed or not: a directory link out
        read_manifest(art2)


@pytest.mark.parametrize("key, value", [("files", ["model.keras"]), ("task", 3),
                                        ("lookback", "6"), ("lookback", True),
                                        ("signature", "inputs"), ("files", {"a": "nothex"})])
def test_fields_of_the_wrong_type_are_refused(artifact, tmp_path, key, value):
    art = _copy(artifact, tmp_path)
    _rewrite(art, lambda m: m.update({key: value}))
    with pytest.raises(ValueError, match=key if key != "files" or isinstance(value, list)
                       else "SHA-256"):
        zoo.load(art)


def test_format_1_and_unknown_extra_keys_are_still_accepted(artifact, tmp_path):
    assert read_manifest(GOLDEN)["format_version"] == 1
    art = _copy(artifact, tmp_path)
    _rewrite(art, lambda m: m.update({"added_by_a_newer_zoo": {"x": 1}}))
    assert zoo.load(art).predict(np.ones((1, 6, 1), "float32")).shape == (1, 2, 1)


def test_no_pickle_in_zoo_or_its_artifacts(artifact):
    # the one pickle use is check_estimator's own test that estimators pickle
    users = [p for p in (ROOT / "zoo").rglob("*.py") if "import pickle" in p.read_text()]
    assert [p.relative_to(ROOT).as_posix() for p in users] == ["zoo/testing/estimators.py"]
    assert not [p for p in Path(artifact).rglob("*") if p.suffix in (".pkl", ".pickle", ".joblib")]
