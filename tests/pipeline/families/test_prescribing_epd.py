"""Monthly EPD files in the raw directory become a 12-month prescribing period in the atlas.

One build (module fixture) of the real raw files plus 13 small synthetic EPD months: a year
of antidepressant rows for three Black Country practices and one Tees Valley practice, the
month before that year, rows outside BNF 4.3, prescribers no practice list knows, and a row
with no practice code. The expected figures are worked out here from the raw QOF files.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from data_pipeline.build import build
from data_pipeline.indicators.availability import Availability
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import prescribing_epd as epd
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Ledger, Reconciliation, Usage
from data_pipeline.sources import prescribing
from gapmap.atlas import Atlas

INDICATOR = "antidepressant_items_per_1000"
BLACK_COUNTRY = ("D2P2L", "E38000259")
TEES_VALLEY = ("16C", "E38000247")
OLDER = "202509"
YEAR = [f"2025{m:02d}" for m in (10, 11, 12)] + [f"2026{m:02d}" for m in range(1, 10)]
LABEL = "Oct 2025 - Sep 2026"
UNKNOWN = ("Y99999", "ZZ0001")  # prescribers on no practice list
QOF_GEOGRAPHY = "lookups/qof_practice_nhs_geographies/qof_mapping_nhs_geographies_2022_2023.parquet"
QOF_PREVALENCE = "qof_practice/qof_prevalence_by_practice_2022-23.csv.gz"


def _symlinked(raw_dir: Path, root: Path) -> Path:
    """The real raw directory, file by file as symlinks (as in tests/pipeline/test_atomic.py)."""
    for path in raw_dir.rglob("*"):
        if path.is_file():
            target = root / path.relative_to(raw_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    return root


def _row(month: str, practice: str, bnf: str, items: float) -> list[str]:
    """One EPD row with the published columns; the ones the reader ignores are filled too."""
    values = dict.fromkeys(prescribing.EPD_PUBLISHED_COLUMNS, "")
    values.update(
        YEAR_MONTH=month,
        REGIONAL_OFFICE_NAME="MIDLANDS",
        PRACTICE_CODE=practice,
        PRACTICE_NAME=f"SURGERY {practice}, HIGH STREET",  # a comma inside quotes
        BNF_CODE=bnf,
        BNF_DESCRIPTION="Sertraline 50mg tablets" if bnf.startswith("0403") else "Other",
        QUANTITY="28",
        ITEMS=f"{items:g}",
        TOTAL_QUANTITY=f"{28 * items:g}",
        ADQUSAGE=f"{14 * items:g}",
        NIC=f"{1.2 * items:.2f}",
        ACTUAL_COST=f"{1.1 * items:.2f}",
        UNIDENTIFIED="false",
    )
    return [values[c] for c in prescribing.EPD_PUBLISHED_COLUMNS]


SERTRALINE, FLUOXETINE, OMEPRAZOLE = "0403030Q0AAAAAA", "0403030E0AAAAAA", "0103050P0AAAAAA"


def _month_rows(month: str, practices: list[str], small: str) -> list[list[str]]:
    rows = []
    for k, practice in enumerate(practices):
        rows.append(_row(month, practice, SERTRALINE, 100 + 10 * k + int(month[-2:])))
        rows.append(_row(month, practice, FLUOXETINE, 7))
        rows.append(_row(month, practice, OMEPRAZOLE, 500))  # outside BNF 4.3
    for code in UNKNOWN:
        rows.append(_row(month, code, SERTRALINE, 40))
    if month == "202601":
        rows.append(_row(month, small, SERTRALINE, 5))  # a Tees Valley count under 8
        rows.append(_row(month, "", SERTRALINE, 3))  # no practice code
    return rows


def _write(path: Path, rows: list[list[str]]) -> None:
    text = io.StringIO()
    writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(prescribing.EPD_PUBLISHED_COLUMNS)
    writer.writerows(rows)
    data = text.getvalue().encode()
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)


def _practices(raw_dir: Path, ods: str) -> list[str]:
    geography = pd.read_parquet(raw_dir / QOF_GEOGRAPHY)
    codes = geography.loc[geography["SUB_ICB_ODS_CODE"] == ods, "PRACTICE_CODE"]
    return sorted(codes.astype(str))


@pytest.fixture(scope="module")
def epd_build(raw_dir: Path, tmp_path_factory) -> dict:
    """The real raw files plus 13 EPD months, built into a new atlas directory."""
    home = tmp_path_factory.mktemp("epd")
    raw = _symlinked(raw_dir, home / "raw")
    folder = raw / prescribing.EPD_DIR
    folder.mkdir(parents=True)
    chosen = _practices(raw_dir, BLACK_COUNTRY[0])[:3]
    small = _practices(raw_dir, TEES_VALLEY[0])[0]
    written = {}
    for number, month in enumerate([OLDER, *YEAR]):
        # fetched months are gzipped; a published month saved by hand may be plain CSV
        name = f"epd_bnf0403_{month}.csv" + (".gz" if number % 2 else "")
        rows = _month_rows(month, chosen, small)
        _write(folder / name, rows)
        written[f"{prescribing.EPD_DIR}/{name}"] = rows
    atlas = home / "geodata" / "atlas"
    lines: list[str] = []
    report = build(raw, atlas_dir=atlas, progress=lines.append)
    values = pd.read_parquet(atlas / "values.parquet")
    manifest = json.loads((atlas / "manifest.json").read_text(encoding="utf-8"))
    return {
        "atlas": atlas,
        "report": report,
        "progress": lines,
        "values": values.loc[values["indicator_id"] == INDICATOR],
        "manifest": manifest,
        "written": written,
        "chosen": chosen,
        "small": small,
    }


def _list_sizes(raw_dir: Path) -> pd.DataFrame:
    """QOF 2022-23 all-ages list size (MH group) and sub-ICB ODS code of each practice."""
    prevalence = pd.read_csv(raw_dir / QOF_PREVALENCE)
    lists = prevalence.loc[
        prevalence["GROUP_CODE"] == "MH", ["PRACTICE_CODE", "PRACTICE_LIST_SIZE"]
    ]
    geography = pd.read_parquet(raw_dir / QOF_GEOGRAPHY)[["PRACTICE_CODE", "SUB_ICB_ODS_CODE"]]
    return lists.merge(geography, on="PRACTICE_CODE", how="inner")


def _row_of(values: pd.DataFrame, area: str, level: str) -> pd.Series:
    rows = values.loc[
        (values["area_code"] == area) & (values["level"] == level) & (values["period"] == LABEL)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def _year_items(practices: list[str]) -> float:
    rows = [_month_rows(m, practices, "")[: 3 * len(practices)] for m in YEAR]
    col = prescribing.EPD_PUBLISHED_COLUMNS
    return sum(
        float(r[col.index("ITEMS")])
        for month in rows
        for r in month
        if r[col.index("BNF_CODE")].startswith("0403")
    )


@pytest.mark.slow
@pytest.mark.raw
def test_sub_icb_value_is_the_years_items_over_registered_patients(epd_build, raw_dir):
    lists = _list_sizes(raw_dir)
    patients = lists.loc[lists["SUB_ICB_ODS_CODE"] == BLACK_COUNTRY[0], "PRACTICE_LIST_SIZE"]
    items = _year_items(epd_build["chosen"])
    row = _row_of(epd_build["values"], BLACK_COUNTRY[1], "sub_icb")
    assert row["value"] == pytest.approx(1000 * items / patients.sum(), rel=1e-9)
    assert row["numerator"] == items  # NHSBSA releases exact item counts: shown exact
    assert not row["suppressed"]
    england = _row_of(epd_build["values"], "E92000001", "england")
    assert england["numerator"] == items + 5  # the Tees Valley practice's 5 items count
    assert england["denominator"] == lists["PRACTICE_LIST_SIZE"].sum()


@pytest.mark.slow
@pytest.mark.raw
def test_small_item_counts_are_shown_exact_and_other_areas_count_zero(epd_build):
    """Prescribing items are released exact, small ones included: the atlas shows them."""
    values = epd_build["values"]
    tees = _row_of(values, TEES_VALLEY[1], "sub_icb")
    assert not tees["suppressed"] and tees["numerator"] == 5
    assert tees["value"] == pytest.approx(1000 * 5 / tees["denominator"], rel=1e-9)
    period = values.loc[(values["period"] == LABEL) & (values["level"] == "sub_icb")]
    others = period.loc[~period["area_code"].isin([BLACK_COUNTRY[1], TEES_VALLEY[1]])]
    assert len(others) > 100 and (others["numerator"] == 0).all()


@pytest.mark.slow
@pytest.mark.raw
def test_every_epd_row_is_used_or_rejected_with_its_reason(epd_build):
    sources = {e["file"]: e for e in epd_build["manifest"]["sources"]}
    chosen = len(epd_build["chosen"])
    for relative, rows in epd_build["written"].items():
        entry = sources[relative]
        month = relative.split("_")[-1][:6]
        assert entry["rows_in"] == len(rows)
        assert entry["rows_in"] == entry["rows_used"] + entry["rows_rejected"]
        reasons = entry["rejected_by_reason"]
        assert reasons[prescribing.EPD_OUTSIDE] == chosen
        if month == OLDER:
            assert entry["rows_used"] == 0
            assert reasons[f"month before the 12 months of the period ({LABEL})"] == (
                2 * chosen + len(UNKNOWN)
            )
            continue
        assert reasons[epd.NOT_REGISTERED] == len(UNKNOWN)
        small = 1 if month == "202601" else 0
        assert reasons.get(prescribing.EPD_NO_PRACTICE, 0) == small
        assert entry["rows_used"] == 2 * chosen + small
    assert epd_build["manifest"]["raw_files"].keys() >= epd_build["written"].keys()
    assert "missing_sources" not in epd_build["manifest"]


@pytest.mark.slow
@pytest.mark.raw
def test_the_app_loads_the_new_period_with_its_method(epd_build):
    atlas = Atlas.load(epd_build["atlas"])
    for level in ("sub_icb", "icb", "region"):
        periods = atlas.periods(INDICATOR, level)
        assert periods[-2:] == ["2025 Q1-Q2", LABEL], level
    assert LABEL not in atlas.periods(INDICATOR, "ccg")
    meta = atlas.indicators.loc[INDICATOR]
    assert f"The {LABEL} period" in meta["method"] and "English Prescribing Data" in meta["method"]
    assert "prescribing/epd/" in meta["sources"]
    table = atlas.table(INDICATOR, "sub_icb", LABEL)
    assert BLACK_COUNTRY[1] in set(table["area_code"])
    rows = sum(len(r) for r in epd_build["written"].values())
    assert any(f"EPD monthly: {rows:,} rows in" in line for line in epd_build["progress"])


# --- the window, without a build ---------------------------------------------------------


def test_window_is_the_twelve_months_to_the_newest():
    months, absent = epd.window(["202510", *YEAR, OLDER])
    assert months == YEAR and absent == []
    assert epd.period_label(months) == LABEL
    months, absent = epd.window([m for m in YEAR if m != "202602"])
    assert months == YEAR and absent == ["202602"]


def _tiny_tables(months: list[str]) -> tuple[dict, pd.DataFrame, Ledger, list[Reconciliation]]:
    """Two practices in one sub-ICB, one prescriber without a list, one file per month."""
    files = [f"prescribing/epd/m{m}.csv" for m in months]
    table = pd.DataFrame(
        {
            "file": [f for f in files for _ in range(2)],
            "month": [m for m in months for _ in range(2)],
            "practice_code": ["A00001", "Y99999"] * len(months),
            "rows": [3, 1] * len(months),
            "items": [30.0, 10.0] * len(months),
        }
    )
    tables = {
        epd.TABLE: table,
        "qof_practice": pd.DataFrame(
            {
                "practice_code": ["A00001", "A00002"],
                "group": ["MH", "MH"],
                "list_size": [1000.0, 3000.0],
                "source_suppressed": [False, False],
            }
        ),
        "qof_practice_geography": pd.DataFrame(
            {"practice_code": ["A00001", "A00002"], "sub_icb_ods": ["X1", "X1"]}
        ),
    }
    hierarchy = pd.DataFrame(
        {
            "sub_icb_code": ["E38000001"],
            "sub_icb_ods": ["X1"],
            "icb_code": ["E54000001"],
            "region_code": ["E40000001"],
        }
    )
    recons = [Reconciliation("prescribing", f, rows_in=4, rows_used=4) for f in files]
    return tables, hierarchy, Ledger(recons, {}), recons


def _context(tables, hierarchy, ledger) -> BuildContext:
    return BuildContext(tables, ledger, Usage(tables, {}), Availability(tables), hierarchy)


def test_a_year_with_a_month_missing_makes_no_period_and_counts_its_rows():
    months = [m for m in YEAR if m != "202602"]
    tables, hierarchy, ledger, recons = _tiny_tables(months)
    obs = epd.build_period(_context(tables, hierarchy, ledger))
    assert obs.empty and epd.built(tables, obs) == {}
    for recon in recons:
        recon.check()
        assert recon.rows_used == 0
        assert recon.rejected == {
            "no 12 complete months of EPD to 202609 (missing 202602): no period built": 4
        }


def test_a_full_year_divides_by_every_practice_list_of_the_area():
    tables, hierarchy, ledger, recons = _tiny_tables(YEAR)
    obs = epd.build_period(_context(tables, hierarchy, ledger))
    sub = obs.loc[obs["level"] == "sub_icb"].iloc[0]
    assert (sub["numerator"], sub["denominator"]) == (12 * 30.0, 4000.0)
    assert set(obs["level"]) == {"sub_icb", "icb", "region", "england"}
    assert set(obs["period"]) == {LABEL}
    assert epd.built(tables, obs) == {epd.TABLE: LABEL}
    for recon in recons:
        recon.check()
        assert recon.rows_used == 3 and recon.rejected == {epd.NOT_REGISTERED: 1}


def test_without_epd_files_the_reader_gives_nothing(tmp_path):
    assert prescribing.read_epd_if_present(RawDir(tmp_path)).tables == {}
