"""Fixtures: a synthetic run directory written with pyarrow in the recording schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from airdefsim.export import RunData, load_run
from airdefsim.testing.synthetic_run import write_synthetic_run


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6 targets (the last a friendly airliner) over 120 s every 2 s, 2 interceptors."""
    return write_synthetic_run(tmp_path_factory.mktemp("run"), n_targets=6, duration=120.0, dt=2.0)


@pytest.fixture(scope="session")
def run(run_dir: Path) -> RunData:
    return load_run(run_dir)
