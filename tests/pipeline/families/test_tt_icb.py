"""Talking Therapies in the ICB years and by deprivation decile, on the real files.

Every one of the 42 ICBs has 2024-25 figures; England and the regions are the publisher's
own rows, read here straight from the Parquet file; deciles are in ONS order (the report's
"10 Most deprived" is decile 1); every local decile value follows from the counts shown.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data_pipeline import known_codes
from data_pipeline.indicators import concat_observations, deciles, finalise, load_catalogue
from data_pipeline.indicators.availability import Availability
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import talking_therapies, tt_icb
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Ledger, Usage
from data_pipeline.sources import deprivation, lookups, population, qof_practice
from data_pipeline.sources import talking_therapies as tt
from methods import disclosure
from tests.bad_inputs.test_corpus import reference

ENGLAND = "E92000001"
BLACK_COUNTRY = ("E54000062", "QUA")
LONDON = ("E40000003", "Y56")
YEARS = ["2022-23", "2023-24", "2024-25"]


def _published(raw_dir: Path, org_type: str, code: str, period: str, measure: str, label=None):
    """One count as the publisher wrote it (Total, or one decile label)."""
    sql = (
        "SELECT value FROM read_parquet($p) WHERE org_type = $t AND org_code = $c AND "
        "reporting_period = $y AND measure_name = $m AND measure_statistic = 'count' AND "
        + ("variable_type = 'Total'" if label is None else "variable_a = $a")
    )
    params = {"p": str(raw_dir / tt.ANNUAL_FILE), "t": org_type, "c": code, "y": period}
    params |= {"m": measure} | ({} if label is None else {"a": label})
    with duckdb.connect() as con:
        rows = con.execute(sql, params).fetchall()
    assert len(rows) == 1, (org_type, code, period, measure, label)
    return float(rows[0][0])


@pytest.fixture(scope="module")
def ctx(raw_dir: Path) -> BuildContext:
    """The real annual file, populations, lookups and IMD 2019, checked as the build does."""
    ref = reference(raw_dir)
    raw = RawDir(raw_dir)
    annual = tt.read_annual(raw)
    tables = dict(ref.tables) | annual.tables
    for reader in (
        deprivation.read_iod2019_lsoa11,
        population.read_lsoa11_2020,
        lookups.read_lsoa11_sicbl22,
    ):
        tables.update(reader(raw).tables)
    ledger = Ledger(annual.reconciliations, annual.table_files)
    tables = known_codes.reject_unknown(tables, ledger, ref.hierarchy, ref.recode)
    usage = Usage(tables, {})
    return BuildContext(tables, ledger, usage, Availability(tables), ref.hierarchy, ref.recode)


@pytest.fixture(scope="module")
def values(ctx) -> pd.DataFrame:
    return finalise(concat_observations(tt_icb.build_sections(ctx)), load_catalogue())


@pytest.fixture(scope="module")
def table(ctx) -> pd.DataFrame:
    return deciles.build(ctx)


def test_every_icb_has_each_indicator_in_2024_25(values):
    latest = values.loc[values["period"] == "2024-25"]
    for indicator_id in tt_icb.INDICATORS:
        icb = latest.loc[(latest["indicator_id"] == indicator_id) & (latest["level"] == "icb")]
        assert len(icb) == 42 and icb["area_code"].is_unique, indicator_id
        assert icb["area_code"].str.fullmatch(r"E54\d{6}").all()
        assert icb["value"].notna().all() and not icb["suppressed"].any(), indicator_id
    assert set(values["period"]) == set(YEARS)
    assert (
        values.groupby(["indicator_id", "period", "level"]).size().unstack()["region"] == 7
    ).all()


def test_england_is_the_publishers_england_row_on_the_same_basis(values, ctx, raw_dir):
    england = values.loc[values["level"] == "england"].set_index(["indicator_id", "period"])
    adults = ctx.tables["pop_lsoa11_2020"]["population_18_plus"].sum()
    icb_adults = tt_icb.adults(ctx).query("level == 'icb'")["adults"].sum()
    assert icb_adults == adults == 44_456_850  # ICBs and England share one denominator
    for period in YEARS:
        row = england.loc[("tt_referrals_rate", period)]
        published = _published(raw_dir, "England", "All", period, "referrals_received")
        assert row["numerator"] == published and row["denominator"] == adults
        finished = _published(raw_dir, "England", "All", period, "finished_course_treatment")
        not_caseness = _published(raw_dir, "England", "All", period, "not_at_caseness")
        recovery = england.loc[("tt_recovery_rate", period)]
        assert recovery["numerator"] == _published(raw_dir, "England", "All", period, "recovery")
        assert recovery["denominator"] == finished - not_caseness
    # Not a sum: the report's England counts activity no ICB was given.
    icb = values.loc[(values["indicator_id"] == "tt_referrals_rate") & (values["level"] == "icb")]
    icb_sum = icb.loc[icb["period"] == "2024-25", "numerator"].sum()
    assert england.loc[("tt_referrals_rate", "2024-25"), "numerator"] == 1_813_432 > icb_sum
    assert england.loc[("tt_recovery_rate", "2024-25"), "value"] == pytest.approx(50.546, abs=1e-3)


def test_icbs_and_regions_are_the_publishers_rows(values, raw_dir):
    rows = values.set_index(["indicator_id", "level", "period", "area_code"])
    for level, (ons, ods), org_type in (
        ("icb", BLACK_COUNTRY, "ICB"),
        ("region", LONDON, "Commissioning Region"),
    ):
        got = rows.loc[("tt_finished_treatment_rate", level, "2024-25", ons), "numerator"]
        assert got == _published(raw_dir, org_type, ods, "2024-25", "finished_course_treatment")
    assert rows.loc[("tt_referrals_rate", "icb", "2024-25", BLACK_COUNTRY[0]), "comparison"] in {
        "worse",
        "similar",
        "better",
    }


def test_deciles_are_in_ons_order(table, raw_dir):
    rows = table.set_index(["indicator_id", "level", "area_code", "period", "decile"])
    for decile, label in (
        (1, "10 Most deprived"),
        (10, "01 Least deprived"),
        (2, "09 More deprived"),
    ):
        key = ("tt_referrals_rate", "icb", BLACK_COUNTRY[0], "2024-25", decile)
        published = _published(
            raw_dir, "ICB", BLACK_COUNTRY[1], "2024-25", "referrals_received", label
        )
        assert rows.loc[key, "numerator"] == published
    england = table.loc[
        (table["indicator_id"] == "tt_recovery_rate")
        & (table["level"] == "england")
        & (table["period"] == "2024-25")
    ].set_index("decile")["value"]
    assert list(england.index) == list(range(1, 11))
    assert england[1] < england[10] - 10  # recovery is far lower in the most deprived decile


def test_every_icb_has_ten_deciles_with_their_adults(table, ctx):
    per_icb = table.loc[table["level"] == "icb"].groupby(["indicator_id", "period", "area_code"])
    assert per_icb.size().eq(10).all() and per_icb.ngroups == 3 * 3 * 42
    rate = table.loc[
        (table["indicator_id"] == "tt_referrals_rate") & (table["period"] == "2024-25")
    ]
    england = rate.loc[rate["level"] == "england", "denominator"].sum()
    assert england == ctx.tables["pop_lsoa11_2020"]["population_18_plus"].sum()
    black_country = rate.loc[rate["area_code"] == BLACK_COUNTRY[0]].set_index("decile")
    assert black_country.loc[1, "denominator"] == 181_780  # adults 18+ in its decile-1 LSOAs
    share = black_country["not_stated_share"].iloc[0]
    assert share == pytest.approx(1_515 / 33_185)


def test_local_decile_values_follow_from_the_counts_shown(table):
    local = table.loc[table["level"] != "england"]
    shown = local.loc[~local["suppressed"]]
    multiplier = shown["indicator_id"].map({k: v.multiplier for k, v in load_catalogue().items()})
    recomputed = shown["numerator"] / shown["denominator"] * multiplier
    assert (recomputed - shown["value"]).abs().max() < 1e-9
    assert (shown["numerator"] % 5 == 0).all()  # Talking Therapies counts, rounded to 5
    recovery = shown["indicator_id"] == "tt_recovery_rate"
    assert (shown.loc[recovery, "denominator"] % 5 == 0).all()  # derived from them, re-rounded
    # adults are ONS estimates, released exact and shown exact
    assert (shown.loc[~recovery, "denominator"] % 5 != 0).any()
    assert not disclosure.is_small(local["numerator"]).fillna(False).any()
    hidden = local.loc[local["suppressed"]]
    assert len(hidden) > 0 and hidden[["value", "numerator", "denominator"]].isna().all().all()
    # suppressed by the publisher, or a derived count (finished less not at caseness) of 1-7
    assert set(hidden["note"]) == {disclosure.SOURCE_NOTE, disclosure.SMALL_COUNT_NOTE}


def test_an_icb_code_the_geography_does_not_know_is_counted_out_with_its_reason(raw_dir):
    ref = reference(raw_dir)
    annual = tt.read_annual(RawDir(raw_dir))
    table = annual.tables["tt_annual"]
    damaged = table.assign(
        org_code=table["org_code"].mask(
            (table["org_type"] == "icb") & (table["org_code"] == BLACK_COUNTRY[1]), "QZZ"
        )
    )
    moved = int((damaged["org_code"] == "QZZ").sum())
    ledger = Ledger(annual.reconciliations, annual.table_files)
    kept = known_codes.reject_unknown(
        dict(ref.tables) | {"tt_annual": damaged}, ledger, ref.hierarchy, ref.recode
    )["tt_annual"]
    recon = annual.reconciliations[0]
    assert moved == 3 * 9 * 12  # 3 years, 9 counts, the total and 11 decile rows
    assert not (kept["org_code"] == "QZZ").any()
    assert (
        recon.rejected["ICB code not among the 2023 ICBs (ODS codes of the LSOA lookup)"] == moved
    )


def test_the_icb_gap_against_recorded_depression_has_2024_25_on_that_years_registers(raw_dir):
    """Courses finished in 2024-25 against the QOF 2024-25 depression register, by ICB."""
    ref = reference(raw_dir)
    raw = RawDir(raw_dir)
    parts = [
        tt.read_annual(raw),
        qof_practice.read_prevalence(raw, "2022-23"),
        qof_practice.read_prevalence(raw, "2024-25"),
        lookups.read_gp_practices(raw),
    ]
    tables = dict(ref.tables)
    for part in parts:
        tables.update(part.tables)
    recons = [r for part in parts for r in part.reconciliations]
    files = {name: file for part in parts for name, file in part.table_files.items()}
    ledger = Ledger(recons, files)
    tables = known_codes.reject_unknown(tables, ledger, ref.hierarchy, ref.recode)
    ctx = BuildContext(
        tables, ledger, Usage(tables, {}), Availability(tables), ref.hierarchy, ref.recode
    )
    obs = concat_observations(talking_therapies._icb_gap(ctx))
    assert set(obs["period"]) == {"2022-23", "2024-25"}  # no QOF year for 2023-24
    latest = obs.loc[obs["period"] == "2024-25"].set_index(["level", "area_code"])
    icb = latest.loc["icb"]
    assert len(icb) == 42 and icb["numerator"].notna().all()
    published = _published(raw_dir, "ICB", BLACK_COUNTRY[1], "2024-25", "finished_course_treatment")
    assert icb.loc[BLACK_COUNTRY[0], "numerator"] == published
    # England: the report's own England row over itself
    england = latest.loc[("england", ENGLAND)]
    assert england["numerator"] == england["denominator"] == 670_419
    expected = icb["denominator"].astype(float)
    weighted = (icb["numerator"].astype(float)).sum() / expected.sum()
    assert weighted == pytest.approx(1.0, abs=1e-9)  # expected-weighted mean of the ratios
