"""Boundary readers on a few features in each publisher's GeoJSON layout.

Every boundary file is read the same way, keyed by its own code and name properties, so one
test runs over all of them: a whole area, an area published as two features (united), a
feature outside England (rejected unless the file is keyed by ODS codes), a feature with no
code and one with no geometry (both rejected).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data_pipeline.raw import RawDir
from data_pipeline.sources import boundaries as bd


def _square(x: float, y: float, size: float = 0.1) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(spec: bd.BoundaryFile, code: str | None, name: str, geometry: dict | None) -> dict:
    properties = {spec.code: code, spec.name: name}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _write(root: Path, spec: bd.BoundaryFile, features: list[dict]) -> None:
    path = root / spec.file
    path.parent.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection), encoding="utf-8")


def _codes(spec: bd.BoundaryFile) -> tuple[str, str]:
    return ("00L", "02P") if not spec.english_codes else ("E38000001", "E38000002")


@pytest.mark.parametrize("spec", bd.BOUNDARY_FILES, ids=lambda spec: spec.table)
def test_boundary_file(tmp_path, spec):
    first, second = _codes(spec)
    features = [
        _feature(spec, first, "NHS Airedale ICB - 02N", _square(-1.9, 53.9)),
        _feature(spec, second, "NHS Ashford ICB - 99E", _square(0.8, 51.1)),
        _feature(spec, second, "NHS Ashford ICB - 99E", _square(0.9, 51.1)),
        _feature(spec, "S12000005", "Clackmannanshire", _square(-3.7, 56.1)),
        _feature(spec, "", "No code", _square(-1.0, 52.0)),
        _feature(spec, "E38000003", "No shape", None),
    ]
    _write(tmp_path, spec, features)
    result = bd.read_boundary(RawDir(tmp_path), spec.table)
    frame = result.tables[spec.table]
    recon = result.reconciliations[0]
    recon.check()
    english = spec.english_codes
    expected = [first, second] + ([] if english else ["S12000005"])
    assert frame["area_code"].tolist() == sorted(expected)
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.is_valid.all()
    united = frame.set_index("area_code").geometry[second]
    assert united.area == pytest.approx(0.02)
    assert recon.rows_in == 6
    rejected = {bd.NO_CODE: 1, bd.NO_GEOMETRY: 1} | ({bd.OUTSIDE_ENGLAND: 1} if english else {})
    assert dict(recon.rejected) == rejected
    if spec.table == "boundary_sub_icb":
        assert frame["ods_code"].tolist() == ["02N", "99E"]
