"""My area's "Against England" chart places every indicator in the spread of all areas.

As a multiple of England's value, a score centred near zero (the mental health need score)
sat at about -10 and squeezed every other row into a sliver at 1; the Fingertips spine puts
England at the centre and the extreme areas at the ends, whatever the unit.
"""

from __future__ import annotations

from pathlib import Path

from gapmap import charts
from gapmap.view import spine_areas

PAGE = Path(__file__).resolve().parents[2] / "app_pages" / "my_area.py"


def test_every_placed_row_sits_within_the_spread_of_areas(atlas):
    for code, level in (("E08000028", "ltla"), ("E38000259", "sub_icb")):
        profile = atlas.profile(code, level)
        areas = spine_areas(atlas, profile, level)
        frame = charts.spine_frame(profile, areas=areas)
        placed = frame.loc[frame["status"] == ""]
        assert len(placed) >= 5
        assert placed["position"].between(0, 1).all(), placed[["row", "position"]]
        assert placed[["worst", "best"]].notna().all().all()


def test_the_page_draws_the_spine_with_the_areas_spread():
    assert "charts.spine(profile, area_name=name, areas=areas)" in PAGE.read_text()


def test_a_legend_of_four_comparisons_wraps_instead_of_running_off_the_chart(atlas):
    profile = atlas.profile("E08000028", "ltla")
    spec = charts.spine(
        profile, area_name="Sandwell", areas=spine_areas(atlas, profile, "ltla")
    ).to_dict()
    legends = [
        layer["encoding"]["color"]["legend"]
        for layer in spec["layer"]
        if "color" in layer.get("encoding", {}) and "legend" in layer["encoding"]["color"]
    ]
    domains = [
        layer["encoding"]["color"]["scale"]["domain"]
        for layer in spec["layer"]
        if "color" in layer.get("encoding", {}) and "scale" in layer["encoding"]["color"]
    ]
    assert legends and max(len(d) for d in domains) == 4
    assert all(legend["columns"] <= 3 for legend in legends)
