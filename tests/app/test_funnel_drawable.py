"""A funnel plot is drawn only where areas have the counts it places them by."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from gapmap import limits
from tests.app.test_pages import run


def test_district_depression_has_no_counts_so_no_funnel(atlas):
    meta = atlas.indicator("depression_prevalence")
    assert limits.has_funnel(meta)
    assert not limits.funnel_drawable(meta, atlas.table("depression_prevalence", "ltla", "2024-25"))
    gap = atlas.table("tt_gap_ratio", "sub_icb", "Jul 2022 - May 2023")
    assert limits.funnel_drawable(atlas.indicator("tt_gap_ratio"), gap)


def test_the_page_says_why_instead_of_drawing_an_empty_frame(fresh_caches):
    app: AppTest = run(
        "app_pages/need_vs_provision.py",
        {"level": "ltla", "indicator": "depression_prevalence", "area": "E08000028"},
    )
    captions = " ".join(c.value for c in app.caption)
    assert "No funnel plot: Depression prevalence is published for" in captions
    assert not any("Funnel plot of" in c.value for c in app.caption)
