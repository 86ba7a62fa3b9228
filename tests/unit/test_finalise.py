import pandas as pd
import PHStatsMethods as phs
import pytest

from data_pipeline.indicators import finalise, load_catalogue, observations

CATALOGUE = load_catalogue()


def _obs(rows, **const):
    return observations(pd.DataFrame(rows), **const)


def test_catalogue_entries_are_complete():
    for indicator in CATALOGUE.values():
        assert indicator.name and indicator.method and indicator.caveats, indicator.id
        assert indicator.sources, indicator.id
        if indicator.statistic == "ratio":
            assert indicator.need_measure and indicator.activity_measure, indicator.id


def test_proportions_compare_with_england_and_protect_small_counts():
    rows = [
        {"area_code": "E92000001", "level": "england", "vintage": "england",
         "numerator": 13_000, "denominator": 100_000},
        {"area_code": "A", "level": "sub_icb", "vintage": "v", "numerator": 2_000,
         "denominator": 10_000},
        {"area_code": "B", "level": "sub_icb", "vintage": "v", "numerator": 1_280,
         "denominator": 10_000},
        {"area_code": "C", "level": "sub_icb", "vintage": "v", "numerator": 5,
         "denominator": 40},
    ]
    out = finalise(_obs(rows, indicator_id="depression_prevalence", period="p"), CATALOGUE)
    by = out.set_index("area_code")
    assert by.loc["A", "comparison"] == "worse"  # high is bad, interval above 13%
    assert by.loc["B", "comparison"] == "similar"
    assert by.loc["C", "suppressed"] and pd.isna(by.loc["C", "value"])
    lo, _ = phs.wilson(2_000, 10_000, 0.95)
    assert by.loc["A", "lower_95"] == pytest.approx(lo * 100)
    assert by.loc["E92000001", "comparison"] == "not_compared"


def test_published_values_keep_the_publishers_comparison():
    rows = [
        {"area_code": "E92000001", "level": "england", "vintage": "england", "value": 14.0},
        {"area_code": "X", "level": "ltla", "vintage": "v", "value": 16.0,
         "published_comparison": "Higher 99.8"},
    ]
    out = finalise(_obs(rows, indicator_id="depression_prevalence", period="p"), CATALOGUE)
    assert out.set_index("area_code").loc["X", "comparison"] == "higher"
    assert out.set_index("area_code").loc["X", "value"] == 16.0


def test_published_comparison_keeps_its_level():
    """'Higher 99.8' is significant at both levels; a bare 'Better' at 95% only."""
    rows = [
        {"area_code": "E92000001", "level": "england", "vintage": "england", "value": 14.0},
        {"area_code": "X", "level": "ltla", "vintage": "v", "value": 16.0,
         "published_comparison": "Higher 99.8"},
        {"area_code": "Y", "level": "ltla", "vintage": "v", "value": 14.1,
         "published_comparison": "Similar"},
    ]
    out = finalise(_obs(rows, indicator_id="depression_prevalence", period="p"), CATALOGUE)
    by = out.set_index("area_code")
    assert by.loc["X", ["comparison", "comparison_998"]].tolist() == ["higher", "higher"]
    assert by.loc["Y", ["comparison", "comparison_998"]].tolist() == ["similar", "similar"]
    rows = [
        {"area_code": "E92000001", "level": "england", "vintage": "england", "value": 10.0},
        {"area_code": "X", "level": "ltla", "vintage": "v", "value": 16.0,
         "published_comparison": "Worse"},
        {"area_code": "Y", "level": "ltla", "vintage": "v", "value": 10.1,
         "published_comparison": "Similar"},
    ]
    out = finalise(_obs(rows, indicator_id="self_harm_admissions_rate", period="p"), CATALOGUE)
    by = out.set_index("area_code")
    assert by.loc["X", ["comparison", "comparison_998"]].tolist() == ["worse", "not_compared"]
    assert by.loc["Y", ["comparison", "comparison_998"]].tolist() == ["similar", "not_compared"]


def test_missing_values_explain_themselves():
    rows = [{"area_code": "X", "level": "ccg", "vintage": "v", "numerator": None,
             "denominator": 100}]
    out = finalise(_obs(rows, indicator_id="tt_referrals_rate", period="p"), CATALOGUE)
    assert out["note"].iloc[0].startswith("Not available")


def test_duplicates_and_unknown_indicators_are_refused():
    rows = [{"area_code": "X", "level": "ccg", "vintage": "v", "value": 1.0}] * 2
    with pytest.raises(ValueError, match="duplicate"):
        finalise(_obs(rows, indicator_id="imd_score", period="p"), CATALOGUE)
    with pytest.raises(ValueError, match="not in the catalogue"):
        finalise(_obs(rows[:1], indicator_id="no_such_thing", period="p"), CATALOGUE)
