"""Regenerates saved_models/golden/, the small committed artifact that guards loading.

The golden artifact is a tiny quantile Forecaster with calendar features, trained
for a few epochs on the bundled Airline data up to 1958-12. ``expected.json``
beside it holds the history it forecasts from and the forecast it gave when it
was made. tests/test_golden.py loads the committed artifact with the current
code and compares: a change that breaks loading old artifacts fails there.

Regenerate only on purpose (a new artifact format version), and commit the new
files together with the change that needs them:

    python saved_models/regenerate_golden.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import zoo  # noqa: E402

GOLDEN = ROOT / "saved_models" / "golden"
TRAIN_END = "1958-12-01"  # history for the expected forecast ends here too


def main() -> Path:
    df = zoo.datasets.load("airline").loc[:TRAIN_END]
    f = zoo.Forecaster(lookback=12, horizon=6, units=4, epochs=3, quantiles=[0.1, 0.5, 0.9],
                       calendar_features=True, seed=0)
    f.fit(df)
    path = f.export(GOLDEN, overwrite=True)
    pred = f.predict(df)
    expected = {
        "history": {"dataset": "airline", "end": TRAIN_END},
        "columns": list(pred.columns),
        "index": [ts.isoformat() for ts in pred.index],
        "values": pred.to_numpy().tolist(),
    }
    (path / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"wrote {path} ({sum(p.stat().st_size for p in path.rglob('*') if p.is_file())} bytes)")
    return path


if __name__ == "__main__":
    main()
