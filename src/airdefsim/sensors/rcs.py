"""Radar cross-section by aspect and band (re-exported from :mod:`airdefsim.signatures`,
the base module the interceptor seekers share with the radars)."""

from __future__ import annotations

from airdefsim.signatures import aspect_angle, rcs_dbsm, rcs_m2

__all__ = ["aspect_angle", "rcs_dbsm", "rcs_m2"]
