"""NHS Talking Therapies reader: real annual and monthly files, and damaged copies of them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import talking_therapies as tt

ANNUAL = tt.ANNUAL_FILE
MONTHLY = tt.MONTHLY_FILE
TOTALS_CSV = "services/nhstt_annual_measures_totals_2017-18_to_2024-25.csv.gz"


def _sql(sql: str, params: dict | None = None) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(sql, params or {}).fetchall()


@pytest.fixture(scope="module")
def result(raw_dir: Path):
    return tt.read(RawDir(raw_dir))


@pytest.fixture(scope="module")
def annual(result) -> pd.DataFrame:
    return result.tables["tt_annual"]


@pytest.fixture(scope="module")
def monthly(result) -> pd.DataFrame:
    return result.tables["tt_monthly_subicb"]


# --- real files -------------------------------------------------------------------------


@pytest.mark.raw
def test_annual_row_accounting(result, raw_dir: Path):
    recon = result.reconciliation(ANNUAL)
    (n,) = _sql("SELECT count(*) FROM read_parquet($p)", {"p": str(raw_dir / ANNUAL)})[0]
    assert recon.rows_in == n == 4_529_756
    assert recon.rows_in == recon.rows_used + recon.rows_rejected
    assert recon.rows_used == len(result.tables["tt_annual"])
    assert recon.rejected["organisation type not used by the atlas: Provider"] > 2_000_000
    assert recon.rejected["organisation type not used by the atlas: STP"] > 0
    assert recon.rejected["breakdown not used by the atlas: Ethnic Group"] > 0
    assert recon.rejected["percentage (the atlas recomputes rates from counts)"] > 0
    assert recon.rejected["organisation code UNKNOWN (activity not attributed to an area)"] > 0


@pytest.mark.raw
def test_annual_columns_and_types(annual):
    assert list(annual.columns) == tt.ANNUAL_OUT
    assert str(annual["imd_decile"].dtype) == "Int64"
    assert str(annual["value"].dtype) == "Float64"
    assert annual["source_suppressed"].dtype == bool
    assert set(annual["org_type"]) == {"england", "region", "ccg", "icb"}
    assert set(annual["breakdown"]) == {"total", "imd_decile"}
    assert not annual.duplicated(
        ["period", "org_type", "org_code", "breakdown", "imd_decile", "measure"]
    ).any()


@pytest.mark.raw
def test_england_referrals_match_source_and_manifest(annual, raw_dir: Path):
    rows = _sql(
        "SELECT reporting_period, CAST(value AS DOUBLE) FROM read_parquet($p) "
        "WHERE org_type = 'England' AND variable_type = 'Total' "
        "AND measure_name = 'referrals_received' AND measure_statistic = 'count'",
        {"p": str(raw_dir / ANNUAL)},
    )
    expected = dict(rows)
    got = annual.query("org_type == 'england' and breakdown == 'total'")
    got = got[got["measure"] == "referrals_received"].set_index("period")["value"]
    assert got.to_dict() == expected
    assert round(expected["2017-18"] / 1e6, 2) == 1.44  # MANIFEST: 1.44 M
    assert round(expected["2024-25"] / 1e6, 2) == 1.81  # MANIFEST: 1.81 M


@pytest.mark.raw
def test_england_totals_equal_the_derived_csv(annual, raw_dir: Path):
    csv = pd.read_csv(raw_dir / TOTALS_CSV, dtype=str, keep_default_na=False)
    csv = csv[csv["org_type"].eq("England") & csv["measure_statistic"].eq("count")].assign(
        value=lambda f: pd.to_numeric(f["value"]).astype(float)
    )
    expected = csv.set_index(["reporting_period", "measure_name"])["value"].sort_index()
    got = annual.query("org_type == 'england' and breakdown == 'total'")
    got = got.set_index(["period", "measure"])["value"].astype(float).sort_index()
    assert got.to_dict() == expected.to_dict()
    assert len(got) == 8 * len(tt.COUNT_MEASURES)


@pytest.mark.raw
def test_deciles_converted_to_ons_convention(annual, raw_dir: Path):
    # The file labels "10 Most deprived"; the atlas calls that decile 1.
    file_value = _sql(
        "SELECT CAST(value AS DOUBLE) FROM read_parquet($p) WHERE reporting_period = '2017-18' "
        "AND org_code = '05L' AND variable_a = '10 Most deprived' "
        "AND measure_name = 'referrals_received' AND measure_statistic = 'count'",
        {"p": str(raw_dir / ANNUAL)},
    )[0][0]
    sandwell = annual[
        annual["org_code"].eq("05L")
        & annual["period"].eq("2017-18")
        & annual["measure"].eq("referrals_received")
    ]
    assert sandwell["org_name"].iloc[0] == "NHS SANDWELL AND WEST BIRMINGHAM CCG"
    by_decile = sandwell.set_index("imd_decile")["value"]
    assert by_decile[1] == file_value == 5160
    assert by_decile[10] == 40
    # Deciles plus "not stated" add up to the area's total, to within the rounding to 5.
    deciles = sandwell[sandwell["breakdown"].eq("imd_decile")]["value"].sum()
    total = sandwell[sandwell["breakdown"].eq("total")]["value"].iloc[0]
    assert total == 15450
    assert abs(deciles - total) <= 11 * 2.5


@pytest.mark.raw
def test_england_deciles_sum_to_total_every_year(annual):
    eng = annual[annual["org_type"].eq("england") & annual["measure"].eq("referrals_received")]
    sums = eng.groupby(["period", "breakdown"])["value"].sum().unstack()
    assert (sums["imd_decile"] == sums["total"]).all()
    assert set(eng["imd_decile"].dropna()) == set(range(1, 11))


@pytest.mark.raw
def test_code_counts_per_year(annual, raw_dir: Path):
    raw_counts = dict(
        _sql(
            "SELECT reporting_period, count(DISTINCT org_code) FROM read_parquet($p) "
            "WHERE org_type = 'CCG' GROUP BY ALL",
            {"p": str(raw_dir / ANNUAL)},
        )
    )
    # MANIFEST: 211 -> 109 CCG codes, UNKNOWN included.
    assert raw_counts == {
        "2017-18": 211,
        "2018-19": 200,
        "2019-20": 194,
        "2020-21": 139,
        "2021-22": 109,
    }
    ccg = annual[annual["org_type"].eq("ccg")].groupby("period")["org_code"].nunique()
    assert ccg.to_dict() == {p: n - 1 for p, n in raw_counts.items()}  # UNKNOWN rejected
    icb = annual[annual["org_type"].eq("icb")].groupby("period")["org_code"].nunique()
    assert icb.to_dict() == {"2022-23": 42, "2023-24": 42, "2024-25": 42}


@pytest.mark.raw
def test_all_count_measures_every_year(annual):
    per_year = {p: set(f["measure"]) for p, f in annual.groupby("period")}
    assert len(per_year) == 8
    for measures in per_year.values():
        assert measures == set(tt.COUNT_MEASURES)


@pytest.mark.raw
def test_suppressed_values_are_flagged_not_zero(annual, raw_dir: Path):
    (stars,) = _sql(
        "SELECT count(*) FROM read_parquet($p) WHERE value = '*' AND measure_statistic = 'count' "
        "AND org_type IN ('England', 'Commissioning Region', 'CCG', 'ICB') "
        "AND variable_type IN ('Total', 'Indices of Deprivation Decile') "
        "AND org_code <> 'UNKNOWN'",
        {"p": str(raw_dir / ANNUAL)},
    )[0]
    flagged = annual[annual["source_suppressed"]]
    assert len(flagged) == stars > 0
    assert flagged["value"].isna().all()


@pytest.mark.raw
def test_monthly_real_values(result, monthly, raw_dir: Path):
    recon = result.reconciliation(MONTHLY)
    source = pd.read_csv(raw_dir / MONTHLY, dtype=str, keep_default_na=False)
    assert recon.rows_in == len(source) == 12_826
    assert recon.rows_used == len(monthly) == 12_826
    assert list(monthly.columns) == tt.MONTHLY_OUT
    assert monthly["sicbl_code"].nunique() == 106
    assert monthly["month"].min() == pd.Timestamp("2022-07-01")
    assert monthly["month"].max() == pd.Timestamp("2023-05-01")
    assert int(monthly["source_suppressed"].sum()) == int(source["value"].eq("NA").sum()) == 79
    # Birmingham and Solihull sub-ICB (15E), July 2022.
    row = monthly[
        monthly["sicbl_code"].eq("E38000258") & monthly["month"].eq(pd.Timestamp("2022-07-01"))
    ].set_index("measure")["value"]
    assert row["referrals_received"] == 3225
    assert row["accessing_services"] == 2235
    assert row["accessing_services_6_weeks_finished_course_treatment_pct"] == 67
    # England access: about 95-113k first treatments a month (MANIFEST), December lower.
    access = monthly[monthly["measure"].eq("accessing_services")].groupby("month")["value"].sum()
    expected = pd.to_numeric(
        source.loc[source["name"].eq("Count_AccessingServices"), "value"], errors="coerce"
    ).sum()
    assert access.sum() == expected
    assert access.drop(pd.Timestamp("2022-12-01")).between(93_000, 114_000).all()
    assert access[pd.Timestamp("2022-12-01")] == 81_345


def test_snake_measure():
    assert tt.snake_measure("Count_ReferralsReceived") == "referrals_received"
    assert tt.snake_measure("Percentage_Recovery") == "recovery_pct"
    assert (
        tt.snake_measure("Percentage_AccessingServices18WeeksFinishedCourseTreatment")
        == "accessing_services_18_weeks_finished_course_treatment_pct"
    )
    assert tt.snake_measure("Mean_Wait") is None


# --- damaged copies -------------------------------------------------------------------


@pytest.fixture(scope="module")
def annual_sample(raw_dir: Path) -> pd.DataFrame:
    """A small real slice: England and one CCG, 2017-18, a few breakdowns."""
    with duckdb.connect() as con:
        return con.execute(
            "SELECT * FROM read_parquet($p) WHERE reporting_period = '2017-18' "
            "AND org_code IN ('All', '05L', 'RXT') "
            "AND variable_type IN ('Total', 'Indices of Deprivation Decile', 'Gender')",
            {"p": str(raw_dir / ANNUAL)},
        ).df()


def _write_annual(root: Path, frame: pd.DataFrame) -> RawDir:
    path = root / ANNUAL
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)
    return RawDir(root)


def _is_used(frame: pd.DataFrame) -> pd.Series:
    return (
        frame["org_code"].isin(["All", "05L"])
        & frame["variable_type"].isin(["Total", "Indices of Deprivation Decile"])
        & frame["measure_statistic"].eq("count")
    )


def test_annual_sample_accounts_for_every_row(tmp_path, annual_sample):
    result = tt.read_annual(_write_annual(tmp_path, annual_sample))
    recon = result.reconciliations[0]
    assert recon.rows_in == len(annual_sample)
    assert recon.rows_used == int(_is_used(annual_sample).sum())
    assert recon.rejected["breakdown not used by the atlas: Gender"] > 0
    assert recon.rejected["organisation type not used by the atlas: Provider"] > 0


@pytest.mark.parametrize("column", ["value", "variable_type", "org_code"])
def test_annual_missing_column(tmp_path, annual_sample, column):
    with pytest.raises(SourceError) as err:
        tt.read_annual(_write_annual(tmp_path, annual_sample.drop(columns=column)))
    assert ANNUAL in str(err.value) and f"column '{column}'" in str(err.value)


def test_annual_renamed_header(tmp_path, annual_sample):
    frame = annual_sample.rename(columns={"measure_name": "measure"})
    with pytest.raises(SourceError) as err:
        tt.read_annual(_write_annual(tmp_path, frame))
    assert "column 'measure_name'" in str(err.value) and ANNUAL in str(err.value)


def test_annual_text_and_markers(tmp_path, annual_sample):
    frame = annual_sample.copy()
    used = frame.index[_is_used(frame)]
    frame.loc[used[0], "value"] = "about 40"
    frame.loc[used[1], "value"] = "*"
    frame.loc[used[2], "value"] = "-"
    frame.loc[used[3], "value"] = ""
    frame.loc[used[4], "value"] = "NULL"
    frame.loc[used[5], "value"] = "-30"
    result = tt.read_annual(_write_annual(tmp_path, frame))
    recon = result.reconciliations[0]
    table = result.tables["tt_annual"]
    assert recon.rejected["text in numeric column 'value'"] == 1
    assert recon.rejected["value NULL (not applicable)"] == 1
    assert recon.rejected["negative count in column 'value'"] == 1
    assert recon.rows_used == len(table) == len(used) - 3
    before = int(frame.loc[used, "value"].eq("*").sum())
    assert int(table["source_suppressed"].sum()) == before + 2  # '*' plus '-' and blank
    assert table.loc[table["source_suppressed"], "value"].isna().all()


def test_annual_unknown_decile_label_is_counted(tmp_path, annual_sample):
    frame = annual_sample.copy()
    label = frame["variable_a"].eq("05 Less deprived")
    frame.loc[label, "variable_a"] = "Decile five"
    recon = tt.read_annual(_write_annual(tmp_path, frame)).reconciliations[0]
    assert recon.rejected["unrecognised deprivation decile label: 'Decile five'"] == int(
        (label & _is_used(frame)).sum()
    )


def test_annual_reversed_labels_are_followed(tmp_path, annual_sample):
    # If a release numbered deciles from most deprived, the labels must win.
    frame = annual_sample.copy()
    imd = frame["variable_type"].eq("Indices of Deprivation Decile")
    number = pd.to_numeric(frame["variable_a"].str[:2], errors="coerce")
    target = imd & number.notna()

    def label(n: float) -> str:
        word = {1: "Most", 10: "Least"}.get(int(n), "More" if n <= 5 else "Less")
        return f"{int(n):02d} {word} deprived"

    frame.loc[target, "variable_a"] = number[target].map(label)
    table = tt.read_annual(_write_annual(tmp_path, frame)).tables["tt_annual"]
    original = tt.read_annual(_write_annual(tmp_path / "orig", annual_sample)).tables["tt_annual"]
    key = ["org_code", "measure"]
    got = table[table["imd_decile"].eq(1)].set_index(key)["value"]
    want = original[original["imd_decile"].eq(10)].set_index(key)["value"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index())


def test_annual_corrupt_file(tmp_path):
    path = tmp_path / ANNUAL
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PAR1 this is not a parquet file")
    with pytest.raises(SourceError) as err:
        tt.read_annual(RawDir(tmp_path))
    assert ANNUAL in str(err.value)


def test_annual_missing_file(tmp_path):
    with pytest.raises(SourceError, match="file not found"):
        tt.read_annual(RawDir(tmp_path))


@pytest.fixture(scope="module")
def monthly_text(raw_dir: Path) -> str:
    return (raw_dir / MONTHLY).read_text(encoding="utf-8")


def _write_monthly(root: Path, text: str) -> RawDir:
    path = root / MONTHLY
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return RawDir(root)


def test_monthly_renamed_header(tmp_path, monthly_text):
    text = monthly_text.replace('"sicbl22_code"', '"sicbl_code22"', 1)
    with pytest.raises(SourceError) as err:
        tt.read_monthly(_write_monthly(tmp_path, text))
    assert MONTHLY in str(err.value) and "column 'sicbl22_code'" in str(err.value)


def test_monthly_missing_column(tmp_path, monthly_text):
    lines = [",".join(line.split(",")[:3]) for line in monthly_text.splitlines()[:50]]
    with pytest.raises(SourceError) as err:
        tt.read_monthly(_write_monthly(tmp_path, "\n".join(lines) + "\n"))
    assert "column 'value'" in str(err.value)


def test_monthly_bad_values(tmp_path, monthly_text):
    lines = monthly_text.splitlines()[:12]
    lines[1] = lines[1].rsplit(",", 1)[0] + ',"lots"'
    lines[2] = lines[2].rsplit(",", 1)[0] + ',"*"'
    lines[3] = lines[3].rsplit(",", 1)[0] + ',"-"'
    lines[4] = lines[4].rsplit(",", 1)[0] + ","
    lines[5] = lines[5].replace("July 2022", "Q3 2022")
    lines[6] = lines[6].replace("E38", "W11")
    result = tt.read_monthly(_write_monthly(tmp_path, "\n".join(lines) + "\n"))
    recon = result.reconciliations[0]
    table = result.tables["tt_monthly_subicb"]
    assert recon.rows_in == 11
    assert recon.rejected == {
        "text in numeric column 'value'": 1,
        "month not in the form 'July 2022'": 1,
        "not a sub-ICB location code (E38)": 1,
    }
    assert recon.rows_used == len(table) == 8
    assert int(table["source_suppressed"].sum()) == 3
