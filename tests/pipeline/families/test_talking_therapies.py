"""The Talking Therapies gap ratios on small in-test tables, with modelled need stubbed.

One activity (courses finished) throughout; expected from need over the areas of each level
that have both, so the expected-weighted mean of every ratio at each level and period is 1;
the gap in people is E - O a year with O's Byar interval carried over.
"""

from __future__ import annotations

import pandas as pd
import pytest

from data_pipeline.indicators import finalise, load_catalogue
from data_pipeline.indicators.availability import Availability
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import modelled_need, talking_therapies
from data_pipeline.reconcile import Ledger, Usage
from methods import intervals

ENGLAND = "E92000001"
SUB_ICBS = ["S1", "S2", "S3", "S4", "S5"]
HIERARCHY = pd.DataFrame(
    {
        "sub_icb_code": SUB_ICBS,
        "sub_icb_ods": ["s1", "s2", "s3", "s4", "s5"],
        "icb_code": ["I1", "I1", "I2", "I2", "I3"],
        "icb_ods": ["Q1", "Q1", "Q2", "Q2", "Q3"],
        "region_code": ["R1", "R1", "R1", "R1", "R2"],
    }
)
#: Modelled adults with a common mental disorder (the stub of modelled_need.modelled_adults).
NEED = {
    "sub_icb": dict(zip(SUB_ICBS, [1_000.0, 3_000.0, 2_500.0, 1_500.0, 4_000.0], strict=True)),
    "icb": {"I1": 4_000.0, "I2": 4_000.0, "I3": 4_000.0},
}
MONTHS = pd.date_range("2022-07-01", "2023-05-01", freq="MS")


def _monthly(missing: str | None = None) -> pd.DataFrame:
    rows = []
    for number, code in enumerate(SUB_ICBS, start=1):
        for month in MONTHS:
            value = pd.NA if (code == missing and month == MONTHS[9]) else 10.0 * number
            rows.append((code, month, "finished_course_treatment", value, pd.isna(value)))
    return pd.DataFrame(
        rows, columns=["sicbl_code", "month", "measure", "value", "source_suppressed"]
    )


def _annual() -> pd.DataFrame:
    rows = []
    for period, values in (("2022-23", (900.0, 1_300.0, 700.0)), ("2023-24", (800, 800, 1_000))):
        for code, value in zip(("Q1", "Q2", "Q3"), values, strict=True):
            rows.append((period, "icb", code, float(value)))
        rows.append((period, "england", ENGLAND, float(sum(values)) + 10))
    frame = pd.DataFrame(rows, columns=["period", "org_type", "org_code", "value"])
    return frame.assign(
        breakdown="total", measure="finished_course_treatment", source_suppressed=False
    )


def _qof() -> tuple[pd.DataFrame, pd.DataFrame]:
    practices = [f"P{i}" for i in range(len(SUB_ICBS))]
    qof = pd.DataFrame(
        {
            "practice_code": practices,
            "group": "DEP",
            "register": [120.0, 300.0, 200.0, 260.0, 500.0],
            "list_size": [1_000.0, 2_500.0, 2_000.0, 2_000.0, 4_000.0],
            "source_suppressed": False,
        }
    )
    geography = pd.DataFrame({"practice_code": practices, "sub_icb_ods": HIERARCHY["sub_icb_ods"]})
    return qof, geography


@pytest.fixture
def ctx(monkeypatch) -> BuildContext:
    def stub(_ctx, level):
        need = NEED[level]
        return pd.DataFrame({"area_code": list(need), "cmd_count": list(need.values())})

    monkeypatch.setattr(modelled_need, "modelled_adults", stub)
    qof, geography = _qof()
    tables = {
        "tt_monthly_subicb": _monthly(missing="S5"),
        "tt_annual": _annual(),
        "qof_practice": qof,
        "qof_practice_geography": geography,
        **{table: pd.DataFrame() for table in modelled_need.TABLES},
    }
    ledger = Ledger([], {})
    return BuildContext(
        tables, ledger, Usage(tables, {}), Availability(tables), HIERARCHY.copy(), {}
    )


def _sections(ctx: BuildContext) -> pd.DataFrame:
    frames = [
        *talking_therapies._sub_icb_gap(ctx),
        *talking_therapies._sub_icb_modelled(ctx),
        *talking_therapies._icb_modelled(ctx),
        *talking_therapies._icb_gap(ctx),
    ]
    return pd.concat(frames, ignore_index=True)


def test_the_expected_weighted_mean_of_every_ratio_is_one_at_each_level_and_period(ctx):
    obs = _sections(ctx)
    ratios = obs.loc[obs["indicator_id"].isin(["tt_gap_ratio", "tt_gap_ratio_modelled"])]
    seen = set()
    for (indicator, level, period), part in ratios.groupby(["indicator_id", "level", "period"]):
        known = part["numerator"].notna() & part["denominator"].notna()
        assert known.any(), (indicator, level, period)
        observed = part.loc[known, "numerator"].astype(float)
        expected = part.loc[known, "denominator"].astype(float)
        weighted_mean = (expected * observed / expected).sum() / expected.sum()
        assert weighted_mean == pytest.approx(1.0, abs=1e-9), (indicator, level, period)
        seen.add((indicator, level, period))
    periods = {period for _, _, period in seen}
    assert periods == {talking_therapies.TT_PERIOD, "2022-23", "2023-24"}
    assert ("tt_gap_ratio", "icb", "2022-23") in seen
    assert ("tt_gap_ratio", "icb", "2023-24") not in seen  # no register for that year


def test_one_activity_throughout_and_a_missing_month_leaves_its_parents_without_a_figure(ctx):
    obs = _sections(ctx).set_index(["indicator_id", "level", "period", "area_code"])
    key = ("tt_gap_ratio_modelled", "sub_icb", talking_therapies.TT_PERIOD)
    assert obs.loc[(*key, "S2"), "numerator"] == 20.0 * 11  # courses finished, 11 months
    assert pd.isna(obs.loc[(*key, "S5"), "numerator"])  # April missing: no partial sum
    assert pd.isna(obs.loc[("tt_gap_ratio_modelled", "icb", key[2], "I3"), "numerator"])
    england = obs.loc[("tt_gap_ratio_modelled", "england", key[2], ENGLAND)]
    assert england["numerator"] == (10 + 20 + 30 + 40) * 11  # the sub-ICBs with a figure
    assert "England is the sum of the areas with a figure" in england["note"]
    # ICB years: England from the report's own England row; region from its ICBs.
    year = ("tt_gap_ratio_modelled", "england", "2022-23", ENGLAND)
    assert obs.loc[year, "numerator"] == obs.loc[year, "denominator"] == 2_910.0
    assert obs.loc[("tt_gap_ratio_modelled", "region", "2022-23", "R1"), "numerator"] == 2_200


def test_the_gap_in_people_is_expected_minus_observed_a_year_with_byar_limits(ctx):
    obs = _sections(ctx).set_index(["indicator_id", "level", "period", "area_code"])
    period = talking_therapies.TT_PERIOD
    ratio = obs.loc[("tt_gap_ratio_modelled", "sub_icb", period, "S1")]
    gap = obs.loc[("tt_shortfall_modelled", "sub_icb", period, "S1")]
    o, e = float(ratio["numerator"]), float(ratio["denominator"])
    assert gap["value"] == pytest.approx((e - o) * 12 / 11)
    assert gap["lower_95"] == pytest.approx((e - intervals.poisson_upper(o, 0.95)) * 12 / 11)
    assert gap["upper_95"] == pytest.approx((e - intervals.poisson_lower(o, 0.95)) * 12 / 11)
    yearly = obs.loc[("tt_shortfall_modelled", "icb", "2023-24", "I3")]
    assert yearly["value"] == pytest.approx(yearly["denominator"] - yearly["numerator"])
    assert yearly["value"] < 0  # I3 finished more than its need predicts


def test_finalised_gap_rows_carry_the_ratios_band(ctx):
    values = finalise(_sections(ctx), load_catalogue())
    gap = values.loc[values["indicator_id"] == "tt_shortfall_modelled"].set_index(
        ["area_code", "level", "period"]
    )
    ratio = values.loc[values["indicator_id"] == "tt_gap_ratio_modelled"].set_index(
        ["area_code", "level", "period"]
    )
    assert (gap["comparison"] == ratio.loc[gap.index, "comparison"]).all()
    assert set(ratio["comparison"]) <= {"better", "similar", "worse", "not_compared"}
    assert (values.loc[values["level"] == "england", "comparison"] == "not_compared").all()
