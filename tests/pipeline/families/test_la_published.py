"""The local-authority family on small in-test tables: published values kept as published,
codes off the boundaries counted as rejected, Health Index inputs chosen by name."""

from __future__ import annotations

import pandas as pd

from data_pipeline.indicators.availability import Availability
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import la_published
from data_pipeline.reconcile import Ledger, Reconciliation, Usage

ENGLAND = "E92000001"


def _context(tables: dict[str, pd.DataFrame]) -> tuple[BuildContext, dict[str, Reconciliation]]:
    recons = {
        t: Reconciliation("fingertips", t, rows_in=len(f), rows_used=len(f))
        for t, f in tables.items()
    }
    ledger = Ledger(list(recons.values()), {t: t for t in tables})
    return BuildContext(tables, ledger, Usage(tables, {}), Availability(tables)), recons


def _tables() -> dict[str, pd.DataFrame]:
    boundary = pd.DataFrame({"area_code": ["E06000001", "E07000001"]})
    harm = pd.DataFrame(
        {
            "area_code": ["E06000001", "E07000099", ENGLAND],
            "period": ["2022/23"] * 3,
            "value": [150.0, 99.0, 126.3],
            "lower_95": [130.0, 80.0, 125.0],
            "upper_95": [170.0, 120.0, 127.5],
            "significance": ["Worse 99.8", "Similar", pd.NA],
        }
    )
    index = pd.DataFrame(
        {
            "ltla21_code": ["E06000001", "E06000001", "E07000001"],
            "year": [2021, 2021, 2021],
            "indicator": ["Suicides", "Smoking", "Self-harm"],
            "value": [95.0, 101.0, 104.0],
        }
    )
    return {
        "boundary_ltla_2024": boundary,
        "boundary_utla_2023": boundary,
        "la_self_harm": harm,
        "health_index_ltla21": index,
    }


def test_published_values_keep_their_comparison_and_england():
    ctx, recons = _context(_tables())
    obs = la_published.build(ctx)
    harm = obs.loc[obs["indicator_id"] == "self_harm_admissions_rate"].set_index("area_code")
    assert harm.loc["E06000001", ["level", "period", "value"]].tolist() == [
        "ltla",
        "2022-23",
        150.0,
    ]
    assert harm.loc["E06000001", "published_comparison"] == "Worse 99.8"
    assert harm.loc[ENGLAND, "level"] == "england"
    assert "E07000099" not in harm.index  # not on the 2024 boundaries: counted, not lost
    assert recons["la_self_harm"].rejected == {
        "area code not on the 2024 district boundaries (boundary changed since)": 1
    }


def test_health_index_keeps_the_atlas_inputs_and_counts_the_others():
    ctx, recons = _context(_tables())
    obs = la_published.build(ctx)
    index = obs.loc[obs["indicator_id"].str.startswith("hi_")]
    rows = zip(index["indicator_id"], index["area_code"], index["period"], strict=True)
    assert sorted(rows) == [
        ("hi_self_harm", "E07000001", "2021"),
        ("hi_self_harm", ENGLAND, "2021"),
        ("hi_suicides", "E06000001", "2021"),
        ("hi_suicides", ENGLAND, "2021"),
    ]
    # England is present, blank, with the reason the source gives none
    england = index.loc[index["area_code"] == ENGLAND]
    assert england["value"].isna().all() and (england["level"] == "england").all()
    assert england["note"].str.startswith("No England value: the Health Index file").all()
    assert recons["health_index_ltla21"].rejected == {
        "Health Index input not among the atlas's indicators": 1
    }


def test_a_missing_table_skips_its_section_and_says_what_is_lost():
    tables = _tables()
    del tables["la_self_harm"]
    ctx, _ = _context(tables)
    obs = la_published.build(ctx)
    assert "self_harm_admissions_rate" not in set(obs["indicator_id"])
    assert ctx.avail.unavailable(["la_self_harm"]) == {
        "self_harm_admissions_rate": ["england", "ltla"]
    }
