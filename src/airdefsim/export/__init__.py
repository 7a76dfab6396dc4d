"""Interoperability exports of a recorded run: ASTERIX CAT062, CZML, KML, GeoJSON.

Everything reads a run directory (``airdefsim.export.run.load_run``) and writes a
standard format other tools open: CesiumJS (CZML), Google Earth (KML), QGIS (GeoJSON)
and any ASTERIX decoder (CAT062 system tracks, also live over UDP).
"""

from airdefsim.export.run import RunData, RunDirError, load_run

__all__ = ["RunData", "RunDirError", "load_run"]
