"""The ``zoo`` command line (``zoo.cli.main``); see :mod:`zoo.cli.main`."""

from zoo.cli._common import UsageError
from zoo.cli.classify import classification_baselines, holdout_split
from zoo.cli.main import main
from zoo.io import read_samples, read_table

__all__ = ["UsageError", "classification_baselines", "holdout_split", "main", "read_samples",
           "read_table"]
