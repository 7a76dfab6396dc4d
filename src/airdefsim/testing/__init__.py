"""Test doubles and synthetic data for the tests and the benchmarks — never used by the
product itself: a synthetic run directory in the recording format
(:mod:`~airdefsim.testing.synthetic_run`), synthetic truth and plots for the tracker
(:mod:`~airdefsim.testing.synthetic_tracks`) and a closed-form stand-in replication for
the Monte Carlo runner (:mod:`~airdefsim.testing.synthetic_batch`)."""
