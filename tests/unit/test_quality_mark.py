"""Marking atlas rows from caught months, on a three-area geography written here.

Sub-ICB S1 sends a fraction of its records in November 2022; S2 and S3 are normal. S1's row
is flagged with its evidence, its ICB and region inherit the flag, England (a sum of the
three) leaves S1 out, a ratio's expected counts are re-based on S2 and S3, and finalise
keeps every flagged value but compares none of them.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from data_pipeline.indicators import finalise, load_catalogue, observations
from data_pipeline.quality import QUALITY, mark, notes

ENGLAND = "E92000001"
HIERARCHY = pd.DataFrame(
    {
        "sub_icb_code": ["S1", "S2", "S3"],
        "sub_icb_ods": ["s1", "s2", "s3"],
        "icb_code": ["I1", "I1", "I2"],
        "icb_ods": ["Q1", "Q1", "Q2"],
        "region_code": ["R1", "R1", "R1"],
    }
)
#: People in contact each month, Apr - Nov 2022 (no July, as in the MHSDS file).
MONTHS = pd.to_datetime(["2022-04-01", "2022-05-01", "2022-06-01", "2022-08-01"])
MONTHS = MONTHS.append(pd.to_datetime(["2022-09-01", "2022-10-01", "2022-11-01"]))
SERIES = {
    "s1": [17_000, 17_200, 17_400, 17_500, 17_600, 17_800, 740],
    "s2": [5_000, 5_050, 5_100, 5_000, 5_020, 5_080, 5_060],
    "s3": [8_000, 8_100, 8_050, 8_000, 8_150, 8_100, 8_200],
}


def _ctx() -> SimpleNamespace:
    rows = [
        {
            "month": month,
            "period_months": 1,
            "breakdown": "sub_icb",
            "org_code": org,
            "org_name": f"NHS {org.upper()} SUB-ICB",
            "measure_id": "MHS01",
            "value": float(value),
            "source_suppressed": False,
        }
        for org, counts in SERIES.items()
        for month, value in zip(MONTHS, counts, strict=True)
    ]
    ods = dict(zip(HIERARCHY["sub_icb_ods"], HIERARCHY["sub_icb_code"], strict=True))
    return SimpleNamespace(
        tables={"mhsds_monthly": pd.DataFrame(rows)},
        hierarchy=HIERARCHY,
        recode={},
        sub_icb_ods=ods,
    )


def _obs(indicator_id: str, denominators: dict[str, float]) -> pd.DataFrame:
    counts = {code: SERIES[code.lower()][-1] for code in ("S1", "S2", "S3")}
    rows = [
        {"area_code": c, "level": "sub_icb", "numerator": n, "denominator": denominators[c]}
        for c, n in counts.items()
    ]
    rows += [
        {"area_code": "I1", "level": "icb", "numerator": counts["S1"] + counts["S2"]},
        {"area_code": "I2", "level": "icb", "numerator": counts["S3"]},
        {"area_code": "R1", "level": "region", "numerator": sum(counts.values())},
        {"area_code": ENGLAND, "level": "england", "numerator": sum(counts.values())},
    ]
    frame = pd.DataFrame(rows)
    parents = {"I1": ("S1", "S2"), "I2": ("S3",), "R1": ("S1", "S2", "S3")}
    for parent, children in parents.items():
        frame.loc[frame["area_code"] == parent, "denominator"] = sum(
            denominators[c] for c in children
        )
    frame.loc[frame["level"] == "england", "denominator"] = sum(denominators.values())
    frame["vintage"] = frame["level"]
    return observations(frame, indicator_id=indicator_id, period="Nov 2022")


def test_the_caught_area_and_the_totals_built_from_it_are_flagged_with_evidence():
    obs = _obs("mhsds_in_contact_rate", {"S1": 700_000.0, "S2": 200_000.0, "S3": 300_000.0})
    out, table = mark.mark(obs, _ctx())
    flagged = out.set_index("area_code")[QUALITY]
    assert flagged.dropna().to_dict() == {
        "S1": "incomplete_submission",
        "I1": "incomplete_submission",
        "R1": "incomplete_submission",
    }
    s1 = table.set_index("area_code").loc["S1"]
    assert s1["basis"] == notes.CAUGHT and s1["value"] == 740
    assert s1["reference"] == pytest.approx(17_450)  # median of the six months before
    note = out.set_index("area_code").loc["S1", "note"]
    assert note == (
        "Data quality: incomplete submission (740 people in contact in November 2022, "
        "against a median of 17,450 in the previous 6 months)."
    )
    i1 = table.set_index("area_code").loc["I1"]
    assert i1["basis"] == notes.INCLUDES and "NHS S1 Sub-icb" in i1["parts"]


def test_england_as_a_sum_leaves_the_flagged_area_out_and_says_so():
    obs = _obs("mhsds_in_contact_rate", {"S1": 700_000.0, "S2": 200_000.0, "S3": 300_000.0})
    out, _ = mark.mark(obs, _ctx())
    england = out.set_index("area_code").loc[ENGLAND]
    assert england["numerator"] == 5_060 + 8_200
    assert england["denominator"] == 500_000
    assert "1 area with incomplete or implausible figures is left out" in england["note"]


def test_a_published_england_is_kept():
    obs = _obs("mhsds_in_contact_rate", {"S1": 700_000.0, "S2": 200_000.0, "S3": 300_000.0})
    obs.loc[obs["level"] == "england", "numerator"] = 1_658_210.0  # the publisher's own
    out, _ = mark.mark(obs, _ctx())
    assert out.set_index("area_code").loc[ENGLAND, "numerator"] == 1_658_210


def test_a_ratios_expected_counts_are_rebased_on_the_unflagged_areas():
    # expected at the all-areas rate, collapsed S1 included: every other ratio looks high
    observed = {"S1": 740.0, "S2": 5_060.0, "S3": 8_200.0}
    need = {"S1": 170.0, "S2": 50.0, "S3": 80.0}
    rate = sum(observed.values()) / sum(need.values())
    obs = _obs("secondary_reliance_ratio", {c: need[c] * rate for c in need})
    out, _ = mark.mark(obs, _ctx())
    rows = out.set_index("area_code")
    ratio_s2 = rows.loc["S2", "numerator"] / rows.loc["S2", "denominator"]
    ratio_s3 = rows.loc["S3", "numerator"] / rows.loc["S3", "denominator"]
    fine = rows.loc[["S2", "S3"]]
    assert fine["numerator"].sum() / fine["denominator"].sum() == pytest.approx(1.0)
    assert ratio_s2 == pytest.approx(5_060 / 50 / ((5_060 + 8_200) / 130))
    assert ratio_s3 < 8_200 / (80 * rate)  # lower than before the re-basing


def test_finalise_keeps_the_value_and_compares_no_flagged_row():
    obs = _obs("mhsds_in_contact_rate", {"S1": 700_000.0, "S2": 200_000.0, "S3": 300_000.0})
    out, _ = mark.mark(obs, _ctx())
    values = finalise(out, load_catalogue()).set_index("area_code")
    assert values.loc["S1", "value"] == pytest.approx(740 / 700_000 * 100_000)
    for code in ("S1", "I1", "R1"):
        assert values.loc[code, "comparison"] == "not_compared"
        assert values.loc[code, "comparison_998"] == "not_compared"
        assert values.loc[code, QUALITY] == "incomplete_submission"
    assert pd.isna(values.loc["S2", QUALITY])


def test_nothing_caught_leaves_the_observations_as_they_were():
    ctx = _ctx()
    ctx.tables["mhsds_monthly"].loc[lambda f: f["value"] == 740, "value"] = 17_900.0
    obs = _obs("mhsds_in_contact_rate", {"S1": 700_000.0, "S2": 200_000.0, "S3": 300_000.0})
    out, table = mark.mark(obs, ctx)
    assert out[QUALITY].isna().all() and table.empty
    pd.testing.assert_frame_equal(out.drop(columns=QUALITY), obs)
