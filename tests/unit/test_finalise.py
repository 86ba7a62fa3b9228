import pandas as pd
import PHStatsMethods as phs
import pytest

from data_pipeline.indicators import finalise, load_catalogue, observations
from methods import disclosure, intervals, overdispersion

CATALOGUE = load_catalogue()


def _obs(rows, **const):
    return observations(pd.DataFrame(rows), **const)


def test_catalogue_entries_are_complete():
    for indicator in CATALOGUE.values():
        assert indicator.name and indicator.method and indicator.caveats, indicator.id
        assert indicator.sources, indicator.id
        if indicator.statistic == "ratio":
            assert indicator.need_measure and indicator.activity_measure, indicator.id


def _proportion_rows():
    return [
        {
            "area_code": "E92000001",
            "level": "england",
            "vintage": "england",
            "numerator": 13_000,
            "denominator": 100_000,
        },
        {
            "area_code": "A",
            "level": "sub_icb",
            "vintage": "v",
            "numerator": 2_000,
            "denominator": 10_000,
        },
        {
            "area_code": "B",
            "level": "sub_icb",
            "vintage": "v",
            "numerator": 1_282,
            "denominator": 10_001,
        },
        {"area_code": "C", "level": "sub_icb", "vintage": "v", "numerator": 5, "denominator": 40},
    ]


def test_exact_counts_are_shown_as_published_and_compared_with_england():
    """QOF registers are released exact by NHS England: no rounding, no suppression."""
    out = finalise(
        _obs(_proportion_rows(), indicator_id="depression_prevalence", period="p"), CATALOGUE
    )
    by = out.set_index("area_code")
    assert by.loc["A", "comparison"] == "higher"  # recorded prevalence is neutral
    assert by.loc["B", "comparison"] == "similar"
    assert by.loc["B", ["numerator", "denominator"]].tolist() == [1_282, 10_001]
    assert not by.loc["C", "suppressed"] and by.loc["C", "numerator"] == 5
    assert by.loc["C", "value"] == pytest.approx(5 / 40 * 100)
    lo, _ = phs.wilson(2_000, 10_000, 0.95)
    assert by.loc["A", "lower_95"] == pytest.approx(lo * 100)
    assert by.loc["E92000001", "comparison"] == "not_compared"


def test_rounded_counts_are_protected_first_and_the_value_follows_from_them():
    """Talking Therapies counts are under the rule: 1-7 suppressed, others rounded to 5."""
    out = finalise(_obs(_proportion_rows(), indicator_id="tt_recovery_rate", period="p"), CATALOGUE)
    by = out.set_index("area_code")
    assert by.loc["C", "suppressed"] and pd.isna(by.loc["C", "value"])
    assert by.loc["C", "note"] == disclosure.SMALL_COUNT_NOTE
    assert by.loc["B", ["numerator", "denominator"]].tolist() == [1_280, 10_000]
    assert by.loc["B", "value"] == pytest.approx(1_280 / 10_000 * 100)  # not 1,282 / 10,001
    lo, _ = phs.wilson(1_280, 10_000, 0.95)
    assert by.loc["B", "lower_95"] == pytest.approx(lo * 100)
    assert by.loc["E92000001", "numerator"] == 13_000  # England is exact


def test_every_indicator_names_the_release_of_its_counts():
    for indicator in CATALOGUE.values():
        assert indicator.release in disclosure.SOURCES, indicator.id
        if indicator.statistic in ("proportion", "rate"):
            assert indicator.denominator_release in disclosure.SOURCES, indicator.id
    assert disclosure.release_of(CATALOGUE["smi_prevalence"].release) == disclosure.EXACT
    assert disclosure.release_of(CATALOGUE["list_size"].release) == disclosure.EXACT
    for rounded in ("tt_referrals_rate", "mhsds_in_contact_rate", "tt_gap_ratio_modelled"):
        assert disclosure.release_of(CATALOGUE[rounded].release) == disclosure.ROUNDED


def test_a_missing_or_unknown_release_fails_naming_the_entry(tmp_path):
    entry = (
        '[x]\nfamily = "f"\nname = "n"\nshort_name = "s"\ndomain = "need"\nunit = "%"\n'
        'polarity = "neutral"\nstatistic = "rate"\nmethod = "m"\ncaveats = "c"\n'
    )
    path = tmp_path / "catalogue.toml"
    path.write_text(entry + 'release = "qof"\n')
    with pytest.raises(ValueError, match="catalogue entry x: .*denominator_release None"):
        load_catalogue(path)
    path.write_text(entry + 'release = "nobody"\ndenominator_release = "population"\n')
    with pytest.raises(ValueError, match="release 'nobody'"):
        load_catalogue(path)


def test_published_values_keep_the_publishers_comparison():
    rows = [
        {"area_code": "E92000001", "level": "england", "vintage": "england", "value": 14.0},
        {
            "area_code": "X",
            "level": "ltla",
            "vintage": "v",
            "value": 16.0,
            "published_comparison": "Higher 99.8",
        },
    ]
    out = finalise(_obs(rows, indicator_id="depression_prevalence", period="p"), CATALOGUE)
    assert out.set_index("area_code").loc["X", "comparison"] == "higher"
    assert out.set_index("area_code").loc["X", "value"] == 16.0


def test_published_comparison_keeps_its_level():
    """'Higher 99.8' is significant at both levels; a bare 'Better' at 95% only."""
    rows = [
        {"area_code": "E92000001", "level": "england", "vintage": "england", "value": 14.0},
        {
            "area_code": "X",
            "level": "ltla",
            "vintage": "v",
            "value": 16.0,
            "published_comparison": "Higher 99.8",
        },
        {
            "area_code": "Y",
            "level": "ltla",
            "vintage": "v",
            "value": 14.1,
            "published_comparison": "Similar",
        },
    ]
    out = finalise(_obs(rows, indicator_id="depression_prevalence", period="p"), CATALOGUE)
    by = out.set_index("area_code")
    assert by.loc["X", ["comparison", "comparison_998"]].tolist() == ["higher", "higher"]
    assert by.loc["Y", ["comparison", "comparison_998"]].tolist() == ["similar", "similar"]
    rows = [
        {"area_code": "E92000001", "level": "england", "vintage": "england", "value": 10.0},
        {
            "area_code": "X",
            "level": "ltla",
            "vintage": "v",
            "value": 16.0,
            "published_comparison": "Worse",
        },
        {
            "area_code": "Y",
            "level": "ltla",
            "vintage": "v",
            "value": 10.1,
            "published_comparison": "Similar",
        },
    ]
    out = finalise(_obs(rows, indicator_id="self_harm_admissions_rate", period="p"), CATALOGUE)
    by = out.set_index("area_code")
    assert by.loc["X", ["comparison", "comparison_998"]].tolist() == ["worse", "not_compared"]
    assert by.loc["Y", ["comparison", "comparison_998"]].tolist() == ["similar", "not_compared"]


def test_missing_values_explain_themselves():
    rows = [
        {"area_code": "X", "level": "ccg", "vintage": "v", "numerator": None, "denominator": 100}
    ]
    out = finalise(_obs(rows, indicator_id="tt_referrals_rate", period="p"), CATALOGUE)
    assert out["note"].iloc[0].startswith("Not available")


def test_duplicates_and_unknown_indicators_are_refused():
    rows = [{"area_code": "X", "level": "ccg", "vintage": "v", "value": 1.0}] * 2
    with pytest.raises(ValueError, match="duplicate"):
        finalise(_obs(rows, indicator_id="imd_score", period="p"), CATALOGUE)
    with pytest.raises(ValueError, match="not in the catalogue"):
        finalise(_obs(rows[:1], indicator_id="no_such_thing", period="p"), CATALOGUE)


def _ratio_rows(observed, expected, level="sub_icb"):
    rows = [
        {
            "area_code": "E92000001",
            "level": "england",
            "vintage": "england",
            "numerator": sum(observed),
            "denominator": sum(expected),
        }
    ]
    rows += [
        {"area_code": f"A{i}", "level": level, "vintage": "v", "numerator": o, "denominator": e}
        for i, (o, e) in enumerate(zip(observed, expected, strict=True))
    ]
    return rows


def test_ratios_below_england_are_banded_for_overdispersion_with_poisson_limits_kept():
    # 20 areas spread far more than Poisson chance allows (E = 10,000 each).
    ratios = [
        0.80,
        0.85,
        0.88,
        0.9,
        0.92,
        0.94,
        0.95,
        0.97,
        0.98,
        0.99,
        1.0,
        1.01,
        1.02,
        1.03,
        1.05,
        1.06,
        1.08,
        1.1,
        1.15,
        1.6,
    ]
    observed = [round(10_000 * r) for r in ratios]
    rows = _ratio_rows(observed, [10_000.0] * 20)
    out = finalise(_obs(rows, indicator_id="tt_gap_ratio_modelled", period="p"), CATALOGUE)
    by = out.set_index("area_code")
    # Poisson limits still in the columns: 0.92 is far outside them...
    assert by.loc["A4", "upper_95"] < 1
    # ...but within the limits widened by the between-area variance.
    assert by.loc["A4", "comparison"] == "similar"
    assert by.loc["A19", "comparison"] == "better"  # 1.6: outside even the widened limits
    assert by.loc["A0", "comparison"] == "worse"
    od = overdispersion.dispersion(
        pd.Series(observed), pd.Series([10_000.0] * 20), method="winsorise"
    )
    expected_band = overdispersion.band(
        pd.Series(observed), pd.Series([10_000.0] * 20), tau2=od.tau2, polarity="high_is_good"
    )
    assert by.loc[[f"A{i}" for i in range(20)], "comparison"].tolist() == list(expected_band)
    assert by.loc["E92000001", "comparison"] == "not_compared"


def test_differences_are_computed_from_the_observed_count_shown_and_take_the_ratios_band():
    observed, expected = [8_002, 10_000, 16_000], [10_000.0, 10_000.0, 10_000.0]
    ratio = _obs(_ratio_rows(observed, expected), indicator_id="tt_gap_ratio_modelled", period="p")
    gap = ratio.assign(indicator_id="tt_shortfall_modelled", per_year=[1.0, 1.0, 1.0, 12 / 11])
    out = finalise(pd.concat([ratio, gap], ignore_index=True), CATALOGUE)
    short = out.loc[out["indicator_id"] == "tt_shortfall_modelled"].set_index("area_code")
    bands = out.loc[out["indicator_id"] == "tt_gap_ratio_modelled"].set_index("area_code")
    # O is Talking Therapies activity, under the rule: 8,002 is shown as 8,000, and the gap
    # is E minus the O shown, so E - gap gives back the numerator beside it.
    assert short.loc["A0", "numerator"] == 8_000
    assert short.loc["A0", "value"] == pytest.approx(2_000.0)
    assert short.loc["A1", "value"] == 0.0
    assert short.loc["A2", "value"] == pytest.approx(-6_000 * 12 / 11)  # a yearly footing
    assert short.loc["A0", "lower_95"] == pytest.approx(
        10_000 - intervals.poisson_upper(8_000, 0.95)
    )
    for area in ("A0", "A1", "A2"):
        assert short.loc[area, "comparison"] == bands.loc[area, "comparison"]
        assert short.loc[area, "comparison_998"] == bands.loc[area, "comparison_998"]
    assert short.loc["E92000001", "comparison"] == "not_compared"


def test_difference_is_a_known_statistic_and_gap_ratios_name_their_need():
    assert CATALOGUE["tt_shortfall_modelled"].statistic == "difference"
    assert CATALOGUE["tt_gap_ratio"].need_indicator == "depression_prevalence"
    assert CATALOGUE["tt_gap_ratio_modelled"].need_indicator == "cmd_prevalence_modelled"
    for neutral in (
        "depression_prevalence",
        "smi_prevalence",
        "recognition_ratio",
        "secondary_reliance_ratio",
    ):
        assert CATALOGUE[neutral].polarity == "neutral", neutral
