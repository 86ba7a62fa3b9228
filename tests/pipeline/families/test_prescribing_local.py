"""Antidepressant items on LSOA 2021 and councils, on small in-test tables.

Six LSOAs 2011 of every ONS change type go onto 2021 LSOAs (unchanged, split, merged,
complex), a seventh the lookup does not know is counted as rejected in its quarter's file,
and the 2021 LSOAs add up to three districts and two counties. Every expected figure is
worked out by hand in the comments.
"""

from __future__ import annotations

import pandas as pd
import pytest

from data_pipeline.indicators.availability import Availability
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import prescribing
from data_pipeline.indicators.levels.local_authority import council_scores, lsoa_councils
from data_pipeline.reconcile import Ledger, Reconciliation, Usage
from data_pipeline.sources.prescribing import LSOA_FILES

#: LSOA 2011 -> (Q1 items, Q2 items, Q1 patients, Q2 patients)
PLDR = {
    "E01000001": (10, 20, 100, 120),  # unchanged -> a: 30 items, 110 patients
    "E01000002": (40, 60, 200, 200),  # split -> b1, b2: 50 items, 100 patients each
    "E01000003": (5, 5, 50, 50),  # merged with ...04 -> cd
    "E01000004": (15, 15, 70, 70),  # cd: 40 items, 120 patients
    "E01000005": (30, 30, 300, 300),  # complex -> e1, e2: 30 items, 150 patients each
    "E01000006": (8, 12, 80, 80),  # complex -> e2, which also has half of ...05
    "E01999999": (7, 7, 10, 10),  # not in the lookup: rejected in both files
}
LOOKUP = [
    ("E01000001", "a", "U"),
    ("E01000002", "b1", "S"),
    ("E01000002", "b2", "S"),
    ("E01000003", "cd", "M"),
    ("E01000004", "cd", "M"),
    ("E01000005", "e1", "X"),
    ("E01000005", "e2", "X"),
    ("E01000006", "e2", "X"),
]
#: LSOA 2021 -> district; district -> county (L3 is a unitary authority).
DISTRICT = {"a": "L1", "b1": "L1", "b2": "L1", "cd": "L2", "e1": "L2", "e2": "L3"}
COUNTY = {"L1": "U1", "L2": "U1", "L3": "L3"}


def _tables() -> dict[str, pd.DataFrame]:
    rows = []
    for code, (i1, i2, p1, p2) in PLDR.items():
        rows.append(("2025-Q1", code, float(i1), float(p1)))
        rows.append(("2025-Q2", code, float(i2), float(p2)))
    ad = pd.DataFrame(rows, columns=["quarter", "lsoa11_code", "items", "patients"])
    return {
        "ad_lsoa": ad.assign(source_suppressed=False),
        "lsoa11_lsoa21": pd.DataFrame(
            LOOKUP, columns=["lsoa11_code", "lsoa21_code", "change_code"]
        ),
        "lsoa21_geography": pd.DataFrame(
            {"lsoa21_code": list(DISTRICT), "ltla24_code": list(DISTRICT.values())}
        ),
        "ltla_utla_2023": pd.DataFrame(
            {"ltla23_code": list(COUNTY), "utla23_code": list(COUNTY.values())}
        ),
    }


def _build() -> tuple[pd.DataFrame, dict[str, Reconciliation]]:
    tables = _tables()
    recons = {
        quarter: Reconciliation("prescribing", file, rows_in=len(PLDR), rows_used=len(PLDR))
        for quarter, file in LSOA_FILES.items()
    }
    ledger = Ledger(list(recons.values()), {"ad_lsoa": LSOA_FILES["2025-Q1"]})
    ctx = BuildContext(tables, ledger, Usage(tables, {}), Availability(tables))
    obs = pd.concat(prescribing._local(ctx), ignore_index=True)
    return obs.set_index(["level", "area_code"]), recons


def _counts(obs: pd.DataFrame, level: str, code: str) -> tuple[float, float]:
    row = obs.loc[(level, code)]
    return float(row["numerator"]), float(row["denominator"])


def test_each_change_type_gets_its_counts():
    obs, _ = _build()
    assert _counts(obs, "lsoa", "a") == (30, 110)  # unchanged: as it was
    assert _counts(obs, "lsoa", "b1") == _counts(obs, "lsoa", "b2") == (50, 100)
    assert _counts(obs, "lsoa", "cd") == (40, 120)  # merged: the parts added up
    assert _counts(obs, "lsoa", "e1") == (30, 150)
    assert _counts(obs, "lsoa", "e2") == (50, 230)  # half of ...05 and all of ...06
    assert set(obs["vintage"]) == {"lsoa-2021", "ltla-2024", "utla-2023"}
    assert set(obs["period"]) == {prescribing.PRESCRIBING_PERIOD}


def test_a_split_lsoa_keeps_its_parents_rate():
    obs, _ = _build()
    parent = (40 + 60) / ((200 + 200) / 2)
    for child in ("b1", "b2"):
        items, patients = _counts(obs, "lsoa", child)
        assert items / patients == pytest.approx(parent)


def test_councils_add_up_their_lsoas_and_nothing_is_lost():
    obs, _ = _build()
    assert _counts(obs, "ltla", "L1") == (130, 310)
    assert _counts(obs, "ltla", "L2") == (70, 270)
    assert _counts(obs, "ltla", "L3") == (50, 230)
    assert _counts(obs, "utla", "U1") == (200, 580)
    assert _counts(obs, "utla", "L3") == (50, 230)
    known = [v for k, v in PLDR.items() if k != "E01999999"]
    for level in ("lsoa", "ltla", "utla"):
        items, patients = obs.loc[level, ["numerator", "denominator"]].sum()
        assert items == sum(i1 + i2 for i1, i2, _, _ in known)
        assert patients == sum((p1 + p2) / 2 for _, _, p1, p2 in known)


def test_an_lsoa_the_lookup_does_not_know_is_rejected_in_each_quarters_file():
    obs, recons = _build()
    for recon in recons.values():
        assert recon.rejected == {prescribing.NOT_IN_LOOKUP: 1}
        assert recon.rows_used == len(PLDR) - 1
    assert "E01999999" not in set(obs.index.get_level_values("area_code"))


def test_council_scores_weight_lsoas_by_population():
    councils = lsoa_councils(_tables()["lsoa21_geography"], _tables()["ltla_utla_2023"])
    lsoa = pd.DataFrame(
        {
            "lsoa21_code": ["a", "b1", "cd", "e2"],
            "score": [1.0, 3.0, -1.0, 0.5],
            "population": [100.0, 300.0, 400.0, 50.0],
        }
    )
    scores = council_scores(lsoa, councils, "score").set_index(["level", "area_code"])["value"]
    assert scores[("ltla", "L1")] == pytest.approx((1 * 100 + 3 * 300) / 400)  # 2.5
    assert scores[("utla", "U1")] == pytest.approx((100 + 900 - 400) / 800)  # 0.75
    assert scores[("utla", "L3")] == pytest.approx(0.5)
