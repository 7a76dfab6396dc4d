"""Recording and replay: a run directory of Parquet tables plus ``run.json``."""

from airdefsim.record.recorder import TABLES, Recorder, Run, read_run

__all__ = ["TABLES", "Recorder", "Run", "read_run"]
