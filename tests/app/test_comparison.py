"""The selected area against England and its peers, one row per indicator."""

from __future__ import annotations

from gapmap import comparison
from gapmap.state import Selection

BLACK_COUNTRY = Selection("sub_icb", "tt_gap_ratio", "Jul 2022 - May 2023", "E38000259")


def test_each_indicator_is_read_on_its_own_latest_period(atlas):
    out = comparison.comparison_table(atlas, BLACK_COUNTRY, comparison.PHYSICAL_INDICATORS)
    checks = atlas.indicator("smi_health_checks_pct")["short_name"]
    row = out.loc[out["Indicator"] == checks].iloc[0]
    assert row["Period"] == atlas.periods("smi_health_checks_pct", "sub_icb")[-1]


def test_indicators_the_level_lacks_are_left_out(atlas):
    out = comparison.comparison_table(atlas, BLACK_COUNTRY, comparison.PHYSICAL_INDICATORS)
    at_level = set(atlas.indicator_ids("sub_icb"))
    names = {atlas.indicator(i)["short_name"] for i in comparison.PHYSICAL_INDICATORS}
    kept = {
        atlas.indicator(i)["short_name"] for i in at_level & set(comparison.PHYSICAL_INDICATORS)
    }
    assert set(out["Indicator"]) == kept < names


def test_no_area_no_rows(atlas):
    no_area = Selection("sub_icb", "tt_gap_ratio", "Jul 2022 - May 2023")
    assert comparison.comparison_table(atlas, no_area, comparison.SECONDARY_INDICATORS).empty
