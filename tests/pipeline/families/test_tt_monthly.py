"""Talking Therapies month by month: providers placed in ICBs, and the series built from them.

Small in-test tables check the placing rule and the sums (withheld figures, re-protection);
the real files check that every provider is placed or rejected with a reason, that England's
year and recovery rate are the published ones, and the agreement the catalogue quotes between
the ICB sums and the annual report's ICB figures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data_pipeline.indicators import finalise, load_catalogue
from data_pipeline.indicators.availability import Availability
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import tt_monthly
from data_pipeline.quality import INCOMPLETE_SUBMISSION, mark
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Ledger, Usage
from data_pipeline.sources import lookups
from data_pipeline.sources import talking_therapies_monthly as ttm

ENGLAND = "E92000001"
BLACK_COUNTRY = "E54000062"
TRACKED = {"tt_monthly_england": ["measure"], "tt_monthly_provider": ["measure"]}

# --- placing providers ------------------------------------------------------------------

PRACTICES = pd.DataFrame(
    {
        "postcode": ["WV1 1SH", "WV1 1AA", "WV1 2BB", "DY5 1RU", "B13 8QY", "B13 9ZZ", "WS3 1LZ"],
        "icb_code": ["BC", "BC", "BC", "BC", "BSOL", "BSOL", "BC"],
    }
)
ICB_ODS = {"QUA": "BC", "QHL": "BSOL"}


def _providers(*rows: tuple[str, str | None, str | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["provider_code", "postcode", "icb_ods"])


def test_a_provider_goes_to_the_icb_of_the_practices_nearest_its_postcode():
    placed = tt_monthly.place_providers(
        _providers(
            ("P1", "WV1 1SH", "Z9B2Z"),  # same postcode as a practice
            ("P2", "WV1 1ZZ", None),  # same sector (WV1 1)
            ("P3", "DY5 9XX", "QHL"),  # same district (DY5): the postcode wins over the list
            ("P4", "SW1A 1AA", "QHL"),  # nothing near: the list's 2023 ICB
            ("P5", "WS9 9ZZ", "S1Y5D"),  # a 2026 ICB in the list: the postcode area (WS)
            ("P6", "not a postcode", None),  # nothing to place it by
        ),
        PRACTICES,
        ICB_ODS,
    ).set_index("provider_code")
    assert placed["icb_code"].dropna().to_dict() == {
        "P1": "BC",
        "P2": "BC",
        "P3": "BC",
        "P4": "BSOL",
        "P5": "BC",
    }
    assert placed["placed_by"].tolist() == [
        "postcode",
        "postcode sector",
        "postcode district",
        "provider list",
        "postcode area",
        tt_monthly.UNPLACED,
    ]


def test_a_tie_between_icbs_goes_to_the_lower_code():
    practices = pd.DataFrame({"postcode": ["B1 1AA", "B1 1BB"], "icb_code": ["Z", "A"]})
    placed = tt_monthly.place_providers(_providers(("P", "B1 1CC", None)), practices, {})
    assert placed["icb_code"].tolist() == ["A"]


# --- sums on small tables -----------------------------------------------------------------


def _rows(values: dict[tuple[str, str], list[float | None]], month="2025-03-01") -> pd.DataFrame:
    """Provider rows: (provider, measure) -> values, one per provider row of that month."""
    out = []
    for (provider, measure), numbers in values.items():
        for value in numbers:
            out.append((pd.Timestamp(month), provider, measure, value, value is None))
    frame = pd.DataFrame(
        out, columns=["month", "provider_code", "measure", "value", "source_suppressed"]
    )
    return frame.assign(value=frame["value"].astype("Float64"))


def _context(provider_rows: pd.DataFrame, england_rows: pd.DataFrame) -> BuildContext:
    providers = pd.DataFrame(
        {
            "provider_code": ["A", "B", "C"],
            "postcode": ["WV1 1SH", "DY5 1RU", "B13 8QY"],
            "icb_ods": ["QUA", "QUA", "QHL"],
        }
    )
    tables = {
        "tt_monthly_provider": provider_rows,
        "tt_monthly_england": england_rows,
        "tt_providers": providers,
        "gp_practices_2024": PRACTICES.assign(
            icb_ods=PRACTICES["icb_code"].map({"BC": "QUA", "BSOL": "QHL"})
        ),
    }
    hierarchy = pd.DataFrame({"icb_ods": ["QUA", "QHL"], "icb_code": ["BC", "BSOL"]})
    return BuildContext(
        tables, Ledger([], {}), Usage(tables, {}), Availability(tables), hierarchy, {}
    )


MEASURES = ["referrals_received", "finished_course_treatment", "not_at_caseness", "recovery"]


def _small_build() -> pd.DataFrame:
    providers = _rows(
        {
            ("A", "referrals_received"): [1000.0],
            ("B", "referrals_received"): [None],  # withheld: counts as 0, said in the note
            ("C", "referrals_received"): [None],  # the ICB's only figure, withheld
            ("A", "finished_course_treatment"): [400.0],
            ("B", "finished_course_treatment"): [10.0],
            ("A", "not_at_caseness"): [None],
            ("B", "not_at_caseness"): [5.0],
            ("A", "recovery"): [200.0],
            ("B", "recovery"): [5.0],
        }
    )
    england = _rows(
        {(ENGLAND, m): [v] for m, v in zip(MEASURES, [5000, 2000, 100, 950], strict=True)}
    )
    return tt_monthly.build(_context(providers, england))


@pytest.fixture
def small(monkeypatch) -> pd.DataFrame:
    keep = {"tt_monthly_referrals", "tt_monthly_finished_course", "tt_monthly_recovery"}
    monkeypatch.setattr(
        tt_monthly, "MEASURES", {k: v for k, v in tt_monthly.MEASURES.items() if k in keep}
    )
    return _small_build().set_index(["indicator_id", "area_code"])


def test_withheld_figures_count_as_zero_and_are_noted(small):
    row = small.loc[("tt_monthly_referrals", "BC")]
    assert row["numerator"] == row["value"] == 1000
    assert not row["source_suppressed"]
    assert row["note"].startswith("Includes 1 provider figure(s) the publisher withheld")


def test_an_icb_month_with_every_figure_withheld_is_suppressed(small):
    row = small.loc[("tt_monthly_referrals", "BSOL")]
    assert row["source_suppressed"] and pd.isna(row["numerator"])


def test_recovery_is_over_finished_courses_at_caseness(small):
    icb = small.loc[("tt_monthly_recovery", "BC")]
    assert (icb["numerator"], icb["denominator"]) == (205, 410 - 5)  # A's not-at-caseness withheld
    england = small.loc[("tt_monthly_recovery", ENGLAND)]
    assert (england["numerator"], england["denominator"]) == (950, 1900)
    finalised = finalise(small.reset_index(), load_catalogue())
    recovery = finalised.set_index(["indicator_id", "area_code"]).loc[
        ("tt_monthly_recovery", ENGLAND)
    ]
    assert recovery["value"] == pytest.approx(50.0)


# --- real files -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(raw_dir: Path):
    """The reader's tables with the GP practices and 2023 ICB codes, as the build has them."""
    raw = RawDir(raw_dir)
    result = ttm.read(raw).merge(lookups.read_gp_practices(raw))
    result = result.merge(lookups.read_lsoa21_geography(raw))
    tables = result.tables
    hierarchy = tables["lsoa21_geography"][["icb_ods", "icb_code"]].drop_duplicates()
    ledger = Ledger(result.reconciliations, result.table_files)
    usage = Usage(tables, TRACKED)
    ctx = BuildContext(tables, ledger, usage, Availability(tables), hierarchy, {})
    obs = tt_monthly.build(ctx)
    usage.settle(ledger)
    recon = next(r for r in result.reconciliations if r.file == ttm.ACTIVITY_FILE)
    return ctx, obs, recon


@pytest.mark.raw
def test_every_provider_is_placed_or_rejected_with_a_reason(real):
    ctx, _, recon = real
    placed = tt_monthly.icb_placement(ctx)
    assert len(placed) == 233 and placed["icb_code"].notna().all()
    assert placed["placed_by"].value_counts().to_dict() == {
        "postcode sector": 131,
        "postcode district": 65,
        "postcode": 29,
        "postcode area": 5,
        "provider list": 3,
    }
    icbs = set(ctx.hierarchy["icb_code"])
    assert set(placed["icb_code"]) <= icbs
    # Activity: every provider row is used in an ICB, or rejected with its reason.
    assert recon.rows_in == recon.rows_used + recon.rows_rejected
    assert set(recon.rejected) == {
        "measure not used by the atlas (it uses M001, M031, M036, M037, M076, M179, M191)",
        "provider not in the provider list (no address or ICB to place it by)",
    }


@pytest.mark.raw
def test_black_country_providers_are_placed_in_black_country(real):
    ctx, _, _ = real
    placed = tt_monthly.icb_placement(ctx).set_index("provider_code")["icb_code"]
    for provider in ("TAJ", "RYK", "TAJ86", "RYK14"):  # Black Country Healthcare, Dudley
        assert placed[provider] == BLACK_COUNTRY


@pytest.mark.raw
def test_england_year_and_recovery_rate_are_the_published_figures(real):
    _, obs, _ = real
    england = obs.loc[obs["level"] == "england"]
    year = england.loc[england["period"].between("2024-04", "2025-03")]
    totals = year.groupby("indicator_id")["numerator"].sum()
    assert totals["tt_monthly_referrals"] == 1_772_132  # 1.77 M
    assert totals["tt_monthly_entering_treatment"] == 1_196_618  # 1.20 M
    assert totals["tt_monthly_finished_course"] == 667_143  # 667k
    values = finalise(obs, load_catalogue())
    recovery = values.loc[
        (values["indicator_id"] == "tt_monthly_recovery")
        & (values["level"] == "england")
        & (values["period"] == "2025-03")
    ]
    assert round(float(recovery["value"].iloc[0]), 1) == 51.6
    march_2026 = england.loc[
        (england["indicator_id"] == "tt_monthly_referrals") & (england["period"] == "2026-03")
    ]
    assert float(march_2026["value"].iloc[0]) == 163_100


@pytest.mark.raw
def test_icb_sums_are_protected_after_finalising(real):
    _, obs, _ = real
    values = finalise(obs, load_catalogue())
    icb = values.loc[(values["level"] == "icb") & values["indicator_id"].str.startswith("tt_")]
    shown = icb.loc[~icb["suppressed"]]
    for column in ("numerator", "denominator"):
        counts = shown[column].dropna().astype(float)
        assert (counts % 5 == 0).all() and not counts.between(1, 7).any()
    counts = shown.loc[shown["indicator_id"] == "tt_monthly_referrals"]
    assert (counts["value"] == counts["numerator"]).all()
    assert set(icb["period"]) >= {"2021-01", "2026-03"} and icb["area_code"].nunique() == 41


@pytest.mark.raw
def test_icb_sums_against_the_annual_report_as_the_catalogue_says(real, raw_dir: Path):
    """2024-25 referrals: the ICB sums of providers against the report's ICB figures."""
    ctx, obs, _ = real
    annual = pd.read_parquet(
        raw_dir / "services/nhstt_measures_annual.parquet",
        filters=[
            ("org_type", "==", "ICB"),
            ("reporting_period", "==", "2024-25"),
            ("variable_type", "==", "Total"),
            ("measure_name", "==", "referrals_received"),
            ("measure_statistic", "==", "count"),
        ],
    )
    report = pd.to_numeric(annual["value"]).groupby(annual["org_code"]).sum()
    ons = dict(zip(ctx.hierarchy["icb_ods"], ctx.hierarchy["icb_code"], strict=True))
    report.index = report.index.map(ons)
    rows = obs.loc[
        (obs["indicator_id"] == "tt_monthly_referrals")
        & (obs["level"] == "icb")
        & obs["period"].between("2024-04", "2025-03")
    ]
    ratio = (rows.groupby("area_code")["numerator"].sum() / report).dropna().astype(float)
    close = np.abs(ratio - 1) < 0.15
    assert (int(close.sum()), len(ratio)) == (26, 40)  # as the catalogue's caveat says
    assert ratio[BLACK_COUNTRY] == pytest.approx(1.0, abs=0.02)
    assert "within 15% in 26 of 40 ICBs" in load_catalogue()["tt_monthly_referrals"].caveats


@pytest.mark.raw
def test_a_provider_that_sent_part_of_its_records_flags_its_icb_month(real):
    """The data-quality rule, on each provider's own series, flags the ICB months left short."""
    ctx, obs, _ = real
    marked, caught = mark.mark(obs, ctx)
    referrals = marked.loc[marked["indicator_id"] == "tt_monthly_referrals"]
    flagged = referrals.loc[referrals["quality"].notna()]
    assert set(flagged["quality"]) == {INCOMPLETE_SUBMISSION}
    assert set(flagged["level"]) == {"icb"} and len(flagged) == 24
    december = flagged.loc[
        (flagged["area_code"] == BLACK_COUNTRY) & (flagged["period"] == "2022-12")
    ]
    (note,) = december["note"]
    assert note.startswith("Data quality: incomplete submission in part of this area")
    assert "Dudley Integrated Health and Care NHS Trust: 185 referrals in December 2022" in note
    # Flagged rows keep their value; England (the publisher's) is untouched.
    assert float(december["numerator"].iloc[0]) == 1455
    england = marked.loc[marked["level"] == "england"]
    assert england["quality"].isna().all()
    assert len(caught.loc[caught["indicator_id"].str.startswith("tt_monthly")]) == 162
