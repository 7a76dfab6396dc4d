"""End to end on a real simulation: the live ASTERIX sink during a run, and every export
format of the recorded run directory, checked by independent readers."""

from __future__ import annotations

import json
import socket
import warnings
from pathlib import Path

import geojson as gj
import numpy as np
import pytest
from czml3 import Packet
from pyasteryx import Decoder

from airdefsim.export import czml
from airdefsim.export.api import ExportOptions, export_run
from airdefsim.export.asterix import AsterixUdpSink
from airdefsim.export.run import RunData, load_run
from airdefsim.scenario import load_scenario
from airdefsim.sim import run_scenario

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "single_fighter_airliner.yaml"
FT = 0.3048


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunData, list[bytes], AsterixUdpSink]:
    """60 s of the fighter-and-airliner exercise, recorded and streamed over UDP."""
    scn = load_scenario(SCENARIO).model_copy(update={"duration": 60.0})
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    rx.bind(("127.0.0.1", 0))
    sink = AsterixUdpSink(
        "127.0.0.1", rx.getsockname()[1], 7, 9, scn.origin.lat, scn.origin.lon, scn.epoch
    )
    out = tmp_path_factory.mktemp("real") / "run"
    try:
        run_scenario(scn, seed=3, out_dir=out, sinks=[sink])
        rx.settimeout(0.5)
        datagrams = []
        while len(datagrams) < sink.n_datagrams:
            datagrams.append(rx.recv(65535))
    finally:
        rx.close()
    return load_run(out), datagrams, sink


def test_live_udp_stream_matches_the_recording(live) -> None:
    run, datagrams, sink = live
    tr = run.table("tracks")
    assert tr["t"].size > 20 and set(tr["identity"]) >= {"hostile", "friendly"}
    recs = [m.to_dict() for d in datagrams for m in Decoder(editions={62: "1.18"}).decode(d)]
    assert len(recs) == sink.n_blocks == tr["t"].size + sink.n_ended
    live_rows = [r for r in recs if not r["I062/080.TSE"]]
    assert len(live_rows) == tr["t"].size
    assert {(r["I062/010.SAC"], r["I062/010.SIC"]) for r in recs} == {(7, 9)}
    # the recording writes rows in the order the sink received them
    np.testing.assert_array_equal([r["I062/040.TrkN"] for r in live_rows], tr["track_id"])
    lsb = 180 / 2**25
    np.testing.assert_allclose([r["I062/105.Lat"] for r in live_rows], tr["lat_deg"], atol=lsb)
    np.testing.assert_allclose([r["I062/105.Lon"] for r in live_rows], tr["lon_deg"], atol=lsb)
    np.testing.assert_allclose(
        [r["I062/130.Alt"] for r in live_rows], tr["alt_m"] / FT, atol=3.125 + 1e-9
    )
    epoch_tod = (run.epoch.hour * 60 + run.epoch.minute) * 60 + run.epoch.second
    np.testing.assert_allclose(
        [r["I062/070.ToT"] for r in live_rows], epoch_tod + tr["t"], atol=1 / 256
    )
    has_mfl = np.array(["I062/136.MFL" in r for r in live_rows])
    np.testing.assert_array_equal(has_mfl, tr["identity"] == "friendly")
    first = [bool(r["I062/080.TSB"]) for r in live_rows]
    assert sum(first) == np.unique(tr["track_id"]).size


def test_every_format_of_the_real_run_reads_back(live, tmp_path: Path) -> None:
    run, _, _ = live
    opt = ExportOptions(coverage_alt_m=3000.0)
    res = export_run(run.path, "asterix", tmp_path / "t.ast", opt)
    assert (
        len(Decoder(editions={62: "1.18"}).decode_file(res.path)) == run.table("tracks")["t"].size
    )

    res = export_run(run.path, "czml", tmp_path / "r.czml", opt)
    packets = json.loads(res.path.read_text())
    for p in packets:
        Packet.model_validate(p)
    czml.check_structure(packets)
    n_radars = sum(len(u["radars"]) for u in run.meta["units"])
    assert sum(p["id"].startswith("coverage/") for p in packets) == n_radars
    assert (
        sum(p["id"].startswith("interceptor/") for p in packets)
        == np.unique(run.table("interceptors")["id"]).size
    )

    res = export_run(run.path, "geojson", tmp_path / "r.geojson", opt)
    fc = gj.loads(res.path.read_text())
    assert fc.is_valid
    assert (
        sum(f["properties"]["layer"] == "truth" for f in fc["features"])
        == np.unique(run.table("truth")["id"]).size
    )

    res = export_run(run.path, "kml", tmp_path / "r.kml", opt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fastkml warns that lxml is missing
        from fastkml import KML

        doc = KML.from_string(res.path.read_bytes()).features[0]
    folders = {f.name: len(f.features) for f in doc.features}
    assert folders["Truth"] == np.unique(run.table("truth")["id"]).size
    assert folders["Coverage at 3000 m"] == n_radars
