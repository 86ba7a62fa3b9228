"""CCG vintages: registers, successors, LSOA weights and harmonising, against the raw files.

The raw files are read here directly (pandas, openpyxl, DuckDB), independently of the
source readers, so the checks do not lean on the code they check.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import duckdb
import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from data_pipeline import ccg_vintages as cv
from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir

pytestmark = pytest.mark.raw

MHSDS = "secondary_care/mhsds_time_series_apr2016_to_nov2022_ccg_subicb_provider.csv.gz"
QOF_DIR = "services/qof_ccg_workbooks"
QOF_FILES = {
    "2014-15": "qof-1415-ccg-all.xlsx",
    "2015-16": "qof-1516-prev-ach-exc-ccg-v2.xlsx",
    "2016-17": "qof-1617-prev-ach-exc-ccg.xlsx",
    "2017-18": "qof-1718-prev-ach-exc-ccg.xlsx",
    "2018-19": "qof-1819-prev-ach-exc-ccg.xlsx",
    "2019-20": "qof-1920-prev-ach-pca-ccg.xlsx",
}
TT = "services/nhstt_measures_annual.parquet"
SMI = "services/smi_physical_health_checks_by_ccg_subicb_q3_2018-19_to_q4_2023-24.csv"
EIP = "secondary_care/eip_waiting_times_provider_ccg_monthly_dec2015-sep2019.csv.gz"
CCGOIS = "services/ccgois_3_16_unplanned_mh_readmissions_30d_ccg_2013-2015.xlsx"
ODS = "lookups/ods_eccg_subicb_locations_katpham12.xls"
CODE = re.compile(r"^[0-9A-Z]{3}$")


# ------------------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def geo(raw_dir: Path) -> dict[str, pd.DataFrame]:
    return cv.build_ccg_geography(RawDir(raw_dir))


@pytest.fixture(scope="module")
def codes_map(geo) -> pd.DataFrame:
    return geo["ccg_code_map"]


def qof_sheet(raw_dir: Path, year: str, sheet: str = "DEP") -> pd.DataFrame:
    """A QOF CCG sheet below its header row (the row naming the CCG code column)."""
    book = openpyxl.load_workbook(raw_dir / QOF_DIR / QOF_FILES[year], read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    for i, row in enumerate(rows):
        labels = [str(c).strip().lower() if c is not None else "" for c in row]
        if "ccg code" in labels or "ccg ods code (practice parent)" in labels:
            frame = pd.DataFrame(rows[i + 1 :], columns=range(len(row)))
            code = labels.index("ccg code") if "ccg code" in labels else 0
            frame = frame.rename(columns={code: "ods", code + 1: "ons"})
            return frame[frame["ods"].astype(str).str.match(CODE)].reset_index(drop=True)
    raise AssertionError(f"no header row in {year} {sheet}")


def mhsds_codes(raw_dir: Path) -> pd.DataFrame:
    con = duckdb.connect()
    return con.execute(
        """
        SELECT DISTINCT BREAKDOWN AS breakdown, PRIMARY_LEVEL AS code,
               strptime(REPORTING_PERIOD_START, '%d/%m/%Y') AS start,
               strptime(REPORTING_PERIOD_END, '%d/%m/%Y') AS stop, MEASURE_ID AS measure
        FROM read_csv(?, all_varchar = true)
        WHERE BREAKDOWN IN ('CCG - GP Practice or Residence', 'CCG of Residence',
                            'Sub ICB - GP Practice or Residence', 'Sub ICB of Residence')
        """,
        [str(raw_dir / MHSDS)],
    ).df()


def mhs01(raw_dir: Path) -> pd.DataFrame:
    con = duckdb.connect()
    frame = con.execute(
        """
        SELECT strptime(REPORTING_PERIOD_START, '%d/%m/%Y') AS month, PRIMARY_LEVEL AS code,
               TRY_CAST(MEASURE_VALUE AS DOUBLE) AS value
        FROM read_csv(?, all_varchar = true)
        WHERE BREAKDOWN = 'CCG - GP Practice or Residence' AND MEASURE_ID = 'MHS01'
        """,
        [str(raw_dir / MHSDS)],
    ).df()
    return frame


def tt_codes(raw_dir: Path) -> pd.DataFrame:
    return (
        duckdb.connect()
        .execute(
            "SELECT DISTINCT reporting_period AS period, org_code AS code FROM read_parquet(?) "
            "WHERE org_type = 'CCG'",
            [str(raw_dir / TT)],
        )
        .df()
    )


def smi_codes(raw_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(raw_dir / SMI, dtype=str, usecols=["Period", "CCG Code"])
    frame["year"] = frame["Period"].str.extract(r"(\d{4}-\d{4})$")[0]
    return frame.rename(columns={"CCG Code": "code"}).drop_duplicates(["year", "code"])


def ods_record(raw_dir: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = pd.read_excel(raw_dir / ODS, dtype=str)
    frame = frame.rename(
        columns={
            "Organization Code": "code",
            "LegalStartDate": "start",
            "LegalEndDate": "end",
            "High Level Health Geography": "parent",
            "RoleID (Organisation Sub-Type Code)": "role",
        }
    )
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column], format="%Y%m%d")
    return frame.set_index("code")


def earliest_vintage(codes, codes_map) -> str | None:
    """The first CCG set every code maps onto (non-geographic codes aside)."""
    for target in cv.VINTAGES:
        try:
            cv.to_vintage(pd.Series(sorted(codes)), target, codes_map)
        except ValueError:
            continue
        return target
    return None


def vintage(register: pd.DataFrame, name: str) -> pd.DataFrame:
    return register[register["vintage"] == name]


# --------------------------------------------------------------------------- registers


def test_register_sizes_and_known_codes(geo):
    register = geo["ccg_register"]
    assert list(register.columns) == ["vintage", "ods_code", "ons_code", "name"]
    assert register.groupby("vintage").size().to_dict() == {
        "ccg-2019": 191,
        "ccg-2020": 135,
        "ccg-2021": 106,
    }
    assert not register.duplicated(["vintage", "ods_code"]).any()
    assert not register.duplicated(["vintage", "ons_code"]).any()
    rows = register.set_index(["vintage", "ods_code"])
    # Sandwell and West Birmingham is 05L / E38000144 until March 2021, then part of Black
    # Country and West Birmingham (D2P2L / E38000250); 15E is Birmingham and Solihull.
    assert rows.loc[("ccg-2019", "05L"), "ons_code"] == "E38000144"
    assert rows.loc[("ccg-2020", "05L"), "name"] == "NHS Sandwell and West Birmingham CCG"
    assert rows.loc[("ccg-2021", "D2P2L"), "ons_code"] == "E38000250"
    assert rows.loc[("ccg-2019", "15E"), "ons_code"] == "E38000220"
    assert rows.loc[("ccg-2019", "00C"), "name"] == "NHS Darlington CCG"


def test_2019_register_matches_qof_2018_19_pairs(geo, raw_dir):
    """QOF 2018-19 (on the 191 CCGs of April 2019) prints ODS and E38 codes side by side."""
    qof = qof_sheet(raw_dir, "2018-19")
    pairs = set(zip(qof["ods"], qof["ons"], strict=True))
    reg = vintage(geo["ccg_register"], "ccg-2019")
    assert set(zip(reg["ods_code"], reg["ons_code"], strict=True)) == pairs
    iod = pd.read_excel(raw_dir / cv.IOD19_CCG, sheet_name="IMD", dtype=str)
    assert set(reg["ons_code"]) == set(iod["Clinical Commissioning Group Code (2019)"])


def test_register_2019_rejects_unmatched_names():
    boundary = pd.DataFrame({"ods_code": ["00C", "99X"], "name": ["NHS DARLINGTON CCG", "NHS X"]})
    iod = pd.DataFrame({"ons_code": ["E38000042", "E38999999"], "name": ["Darlington", "Y"]})
    later = pd.DataFrame({"ods_code": ["16C"], "ons_code": ["E38000247"]})
    with pytest.raises(ValueError, match="no E38 code found for 2019 CCGs \\['99X'\\]"):
        cv.register_2019(boundary, iod, later)


# -------------------------------------------------------------------------- successors


def test_successor_counts_per_transition(geo):
    succ = geo["ccg_successors"]
    merged = succ[succ["from_ods"] != succ["to_ods"]]
    counts = merged.groupby(merged["transition"].dt.year).size().to_dict()
    assert counts == {2015: 3, 2017: 3, 2018: 18, 2019: 6, 2020: 74, 2021: 38}
    assert set(merged.loc[merged["transition"].dt.year < 2020, "basis"]) == {"ODS successor record"}
    moved = succ[succ["basis"] == cv.BOUNDARY_CHANGE]
    assert moved.groupby(moved["transition"].dt.year).size().to_dict() == {
        2015: 2, 2017: 4, 2018: 3, 2022: 6
    }  # fmt: skip
    assert succ.loc[succ["transition"].dt.year == 2020, "from_ods"].nunique() == 191
    assert succ.loc[succ["transition"].dt.year == 2021, "from_ods"].nunique() == 135


def test_derived_transitions_move_whole_ccgs(geo):
    """Each old CCG's practices went >= 95% to one new CCG (only 05Q lost one practice)."""
    derived = geo["ccg_successors"].dropna(subset=["practice_share"])
    assert (derived["practice_share"] >= cv.MIN_PRACTICE_SHARE).all()
    below_one = derived[derived["practice_share"] < 1]
    assert list(below_one["from_ods"]) == ["05Q"]


def test_practice_map_early_2020_is_on_2019_codes(raw_dir, geo):
    ebm = pd.read_csv(raw_dir / cv.PRACTICE_CCG_EARLY_2020, dtype=str).dropna()
    qof = pd.read_parquet(raw_dir / cv.QOF_MAPPING_2019_20, columns=["PRACTICE_CODE"])
    current = ebm[ebm["code"].isin(qof["PRACTICE_CODE"])]
    reg19 = set(vintage(geo["ccg_register"], "ccg-2019")["ods_code"])
    assert current["ccg_id"].isin(reg19).mean() > 0.999
    assert set(current["ccg_id"]) >= reg19
    # while the "2019-20" QOF mapping is already on the April 2020 CCGs (16C Tees Valley)
    mapping = pd.read_parquet(raw_dir / cv.QOF_MAPPING_2019_20, columns=["CCG_ODS_CODE"])
    assert set(mapping["CCG_ODS_CODE"]) == set(vintage(geo["ccg_register"], "ccg-2020")["ods_code"])


def test_practice_successors_refuses_a_split():
    old = pd.DataFrame({"practice_code": list("abcd"), "ccg_code": ["X"] * 4})
    new = pd.DataFrame({"practice_code": list("abcd"), "ccg_code": ["Y", "Y", "Y", "Z"]})
    with pytest.raises(ValueError, match="X \\(75% to Y\\)"):
        cv.practice_successors(old, new, pd.Timestamp("2020-04-01"), "test")
    out = cv.practice_successors(old, new, pd.Timestamp("2020-04-01"), "test", min_share=0.7)
    assert out[["from_ods", "to_ods", "evidence"]].values.tolist() == [
        ["X", "Y", "3 of 4 practices"]
    ]


def test_merges_match_ods_open_and_close_dates(raw_dir, geo):
    """Each merged code closed the day before its transition, within the same STP/ICB."""
    ods = ods_record(raw_dir)
    succ = geo["ccg_successors"]
    merged = succ[succ["from_ods"] != succ["to_ods"]]
    for row in merged.itertuples():
        closing, opening = ods.loc[row.from_ods], ods.loc[row.to_ods]
        assert closing["end"] == row.transition - pd.Timedelta(days=1), row.from_ods
        assert opening["start"] <= row.transition, row.to_ods
        if row.transition.year < 2020:
            assert closing["parent"] == opening["parent"], row.from_ods


def test_curated_merges_keep_people_in_contact_mhsds(raw_dir, geo):
    """MHS01 continuity: successor ~ sum of predecessors (within 20%) across each merger.

    The level on each side is the largest monthly total of the six months next to the
    transition, not the single adjacent month: early MHSDS months have submission gaps
    exactly there (Manchester 14L: 1,645 in April 2017 against 15,500 by June; the four
    Berkshire West CCGs: about 550 in March 2018 against 18,650 in January).
    """
    series = mhs01(raw_dir)
    succ = geo["ccg_successors"]
    start = series["month"].min() + pd.DateOffset(months=6)
    checked = succ[
        (succ["transition"] >= start)
        & (succ["from_ods"] != succ["to_ods"])
        & (succ["basis"].eq("ODS successor record") | succ["practice_share"].notna())
    ]
    assert set(checked.loc[checked["basis"] == "ODS successor record", "to_ods"]) == {
        "14L", "15F", "15E", "15D", "14Y", "15A", "15C", "15M", "15N"
    }  # fmt: skip
    for (when, to), group in checked.groupby(["transition", "to_ods"]):
        before = series[
            series["code"].isin(group["from_ods"])
            & (series["month"] < when)
            & (series["month"] >= when - pd.DateOffset(months=6))
        ]
        after = series[
            (series["code"] == to)
            & (series["month"] >= when)
            & (series["month"] < when + pd.DateOffset(months=6))
        ]
        assert before["code"].nunique() == len(group), (when, to)
        ratio = after.groupby("month")["value"].sum().max() / (
            before.groupby("month")["value"].sum().max()
        )
        assert 0.8 <= ratio <= 1.2, (when, to, ratio)


def test_newcastle_gateshead_2015_merger_in_ccgois(raw_dir):
    """Before MHSDS: 13T's 30-day readmission denominator ~ 00F + 00G + 00H."""
    sheet = pd.read_excel(raw_dir / CCGOIS, header=None, dtype=str, skiprows=18)
    sheet = sheet.rename(columns={0: "period", 3: "code", 8: "denominator"})
    den = pd.to_numeric(sheet["denominator"], errors="coerce")
    old = den[(sheet["period"] == "2014/15") & sheet["code"].isin(["00F", "00G", "00H"])]
    new = den[(sheet["period"] == "July 2014 to June 2015") & (sheet["code"] == "13T")]
    assert len(old) == 3 and len(new) == 1
    assert 0.8 <= new.iloc[0] / old.sum() <= 1.2


def test_boundary_changes_match_published_e38_codes(raw_dir, geo):
    """Each boundary change is the moment ONS replaced both partners' E38 codes."""
    moved = geo["ccg_successors"]
    moved = moved[moved["basis"] == cv.BOUNDARY_CHANGE]
    qof = {
        year: qof_sheet(raw_dir, year).set_index("ods")["ons"]
        for year in ("2015-16", "2016-17", "2017-18")
    }
    before_after = {2017: ("2015-16", "2016-17"), 2018: ("2016-17", "2017-18")}
    ccgois = pd.read_excel(raw_dir / CCGOIS, header=None, dtype=str, skiprows=18)
    sicbl = pd.read_csv(
        raw_dir / "lookups/lookup_lsoa11_sicbl22_icb22_ltla22_geographr.csv.gz", dtype=str
    ).merge(
        pd.read_csv(raw_dir / cv.LSOA11_CCG21, dtype=str, encoding="utf-8-sig"),
        left_on="lsoa11_code",
        right_on="LSOA11CD",
    )
    for row in moved.itertuples():
        year = row.transition.year
        if year in before_after:
            old, new = before_after[year]
            assert qof[old][row.from_ods] == row.from_ons, row
            assert qof[new][row.from_ods] == row.to_ons, row
        elif year == 2015:
            codes = ccgois.loc[ccgois[3] == row.from_ods].set_index(0)[2]
            assert codes["2014/15"] == row.from_ons
            assert codes["July 2014 to June 2015"] == row.to_ons
        else:
            same = sicbl[sicbl["sicbl22_code_h"] == row.from_ods]
            assert same["sicbl22_code"].unique().tolist() == [row.to_ons]
            assert row.from_ons in set(same["CCG21CD"])
            partners = set(row.exchanged_with.split(";"))
            moved_in = same[same["CCG21CDH"] != row.from_ods]["CCG21CDH"]
            moved_out = sicbl[
                (sicbl["CCG21CDH"] == row.from_ods) & (sicbl["sicbl22_code_h"] != row.from_ods)
            ]["sicbl22_code_h"]
            assert set(moved_in) | set(moved_out) == partners, row


def test_boundary_changes_move_people_between_partners_mhsds(raw_dir, geo):
    """MHS01 across each change: members jump by > 3%, the partners' total by < 5%."""
    series = mhs01(raw_dir).set_index(["month", "code"])["value"]
    moved = geo["ccg_successors"]
    moved = moved[
        (moved["basis"] == cv.BOUNDARY_CHANGE) & moved["transition"].dt.year.isin([2017, 2018])
    ]
    for when, group in moved.groupby("transition"):
        before = when - pd.DateOffset(months=1)
        members = set(group["from_ods"])
        for code in members:
            assert abs(series[(when, code)] / series[(before, code)] - 1) > 0.03, (when, code)
        for row in group.itertuples():
            partners = [row.from_ods, *row.exchanged_with.split(";")]
            after_total = sum(series[(when, c)] for c in partners)
            before_total = sum(series[(before, c)] for c in partners)
            assert abs(after_total / before_total - 1) < 0.05, (when, partners)


def test_harmonise_blanks_areas_whose_boundary_moved(kw):
    norfolk = ["06M", "06V", "06W", "06Y", "07J"]  # merged into 26A in April 2020
    frame = pd.DataFrame({"ccg": ["01H", "01K", *norfolk], "n": [1.0, 2, 1, 1, 1, 1, 1]})
    early = {**kw, "as_of": pd.Timestamp("2017-03-31")}
    out = cv.harmonise(frame, "ccg", "ccg-2019", ["n"], **early).set_index("ccg")["n"]
    # South Cumbria was in 01H until April 2017; Norwich and South Norfolk traded land
    assert out.isna().to_dict() == {
        "01H": True, "01K": True, "06M": False, "06V": False, "06W": True, "06Y": True, "07J": False
    }  # fmt: skip
    out = cv.harmonise(frame, "ccg", "ccg-2020", ["n"], **early).set_index("ccg")["n"]
    assert out.isna().tolist() == [True, True, False] and out["26A"] == 5
    april = {**kw, "as_of": pd.Timestamp("2017-04-30")}
    out = cv.harmonise(frame, "ccg", "ccg-2019", ["n"], **april).set_index("ccg")["n"]
    assert out.isna().sum() == 1 and pd.isna(out["01K"])  # 01K traded again in April 2018
    late = {**kw, "as_of": pd.Timestamp("2018-04-30")}
    assert cv.harmonise(frame, "ccg", "ccg-2019", ["n"], **late)["n"].notna().all()
    subicb = pd.DataFrame({"ccg": ["E38000258", "E38000259", "E38000175"], "n": [1.0, 2, 3]})
    after = {**kw, "as_of": pd.Timestamp("2022-08-31")}
    out = cv.harmonise(subicb, "ccg", "ccg-2021", ["n"], **after).set_index("ccg")["n"]
    assert out.index.tolist() == ["05W", "15E", "D2P2L"]  # July 2022 sub-ICB E38 codes
    assert out.isna().tolist() == [False, True, True]  # West Birmingham moved to 15E


# ---------------------------------------------------------------------------- code map


def test_to_vintage_follows_successors(codes_map):
    codes = pd.Series(["02V", "00C", "05L", "E38000144", "15e ", "00F", "UNKNOWN", "13Q"])
    assert cv.to_vintage(codes, "ccg-2019", codes_map).tolist() == [
        "15F", "00C", "05L", "05L", "15E", "13T", pd.NA, pd.NA
    ]  # fmt: skip
    assert cv.to_vintage(codes, "ccg-2020", codes_map).tolist()[:3] == ["15F", "16C", "05L"]
    assert cv.to_vintage(codes, "ccg-2021", codes_map).tolist()[:3] == ["15F", "16C", "D2P2L"]


def test_to_vintage_refuses_unknown_newer_and_missing(codes_map):
    with pytest.raises(ValueError, match="not in any known vintage: \\['ZZZ'\\]"):
        cv.to_vintage(pd.Series(["00C", "ZZZ"]), "ccg-2021", codes_map)
    with pytest.raises(ValueError, match="newer than ccg-2019.*\\['16C'\\]"):
        cv.to_vintage(pd.Series(["16C"]), "ccg-2019", codes_map)
    with pytest.raises(ValueError, match="missing CCG codes"):
        cv.to_vintage(pd.Series(["00C", None]), "ccg-2021", codes_map)
    with pytest.raises(ValueError, match="unknown CCG vintage"):
        cv.to_vintage(pd.Series(["00C"]), "ccg-2022", codes_map)


def test_hubs_are_ods_commissioning_hubs(raw_dir):
    ods = ods_record(raw_dir)
    hubs = [c for c in cv.NON_GEOGRAPHIC_CODES if c in ods.index]
    assert sorted(hubs) == ["13Q", "13R", "14A", "14E", "14R"]
    assert (ods.loc[hubs, "role"] == "RO218").all()


def test_every_source_code_is_mapped_or_non_geographic(raw_dir, codes_map):
    found: dict[str, set[str]] = {}
    for year in QOF_FILES:
        for sheet in ("DEP", "MH"):
            found[f"QOF {year} {sheet}"] = set(qof_sheet(raw_dir, year, sheet)["ods"])
    for period, group in tt_codes(raw_dir).groupby("period"):
        found[f"NHS TT {period}"] = set(group["code"])
    mhsds = mhsds_codes(raw_dir)
    for (breakdown, stop), group in mhsds.groupby(["breakdown", "stop"]):
        found[f"MHSDS {breakdown} {stop:%Y-%m}"] = set(group["code"])
    for year, group in smi_codes(raw_dir).groupby("year"):
        found[f"SMI {year}"] = set(group["code"])
    iod = pd.read_excel(raw_dir / cv.IOD19_CCG, sheet_name="IMD", dtype=str)
    found["IoD2019"] = set(iod["Clinical Commissioning Group Code (2019)"])
    eip = pd.read_csv(raw_dir / EIP, dtype=str, usecols=["Org_Code"])
    found["EIP"] = set(eip["Org_Code"])
    ccgois = pd.read_excel(raw_dir / CCGOIS, header=None, dtype=str, skiprows=18)
    ccgois = ccgois[ccgois[1] == "CCG"]
    found["CCG OIS codes"] = set(ccgois[3])
    found["CCG OIS E38"] = set(ccgois[2])

    everything = set().union(*found.values())
    cv.to_vintage(pd.Series(sorted(everything)), "ccg-2021", codes_map)  # raises if unknown
    assert everything - set(codes_map["code"]) == set(cv.NON_GEOGRAPHIC_CODES)
    assert len(found) > 100


@pytest.mark.parametrize(
    ("label", "expected", "size"),
    [
        ("QOF 2014-15", "ccg-2019", 209),
        ("QOF 2016-17", "ccg-2019", 207),
        ("QOF 2017-18", "ccg-2019", 194),  # the 195 of April 2018 less Buckinghamshire 14Y
        ("QOF 2018-19", "ccg-2019", 191),
        ("QOF 2019-20", "ccg-2020", 135),
        ("NHS TT 2017-18", "ccg-2019", 211),
        ("NHS TT 2019-20", "ccg-2019", 194),
        ("NHS TT 2020-21", "ccg-2020", 139),
        ("NHS TT 2021-22", "ccg-2021", 109),
        ("SMI 2018-2019", "ccg-2019", 195),
        ("SMI 2019-2020", "ccg-2019", 191),
        ("SMI 2020-2021", "ccg-2020", 135),
        ("SMI 2021-2022", "ccg-2021", 106),
    ],
)
def test_which_ccg_set_each_source_uses(raw_dir, codes_map, label, expected, size):
    source, period = label.rsplit(" ", 1)
    if source == "QOF":
        codes = set(qof_sheet(raw_dir, period)["ods"])
    elif source == "NHS TT":
        tt = tt_codes(raw_dir)
        codes = set(tt.loc[tt["period"] == period, "code"])
    else:
        smi = smi_codes(raw_dir)
        codes = set(smi.loc[smi["year"] == period, "code"])
    assert len(codes) == size
    assert earliest_vintage(codes, codes_map) == expected


def test_mhsds_months_use_their_own_ccg_set(raw_dir, codes_map):
    """MHS01 by month: the April 2019 set to March 2020, then 2020, then 2021."""
    series = mhs01(raw_dir)
    for month, group in series.groupby("month"):
        expected = (
            "ccg-2019"
            if month < pd.Timestamp("2020-04-01")
            else "ccg-2020"
            if month < pd.Timestamp("2021-04-01")
            else "ccg-2021"
        )
        assert earliest_vintage(set(group["code"]), codes_map) == expected, month
    sizes = series.groupby("month")["code"].nunique()
    assert sizes[pd.Timestamp("2016-04-01")] == 210  # 209 CCGs + UNKNOWN
    assert sizes[pd.Timestamp("2019-04-01")] == 192
    assert sizes[pd.Timestamp("2022-06-01")] == 107


# ------------------------------------------------------------------------ LSOA weights


@pytest.fixture(scope="module")
def points(raw_dir) -> gpd.GeoDataFrame:
    lsoa = gpd.read_file(
        raw_dir / cv.LSOA11_BOUNDARIES, columns=["lsoa11_code"], where="lsoa11_code LIKE 'E%'"
    )
    return cv.lsoa_points(lsoa)


def official_ccg21(raw_dir) -> pd.Series:
    frame = pd.read_csv(raw_dir / cv.LSOA11_CCG21, dtype=str, encoding="utf-8-sig")
    return frame.set_index("LSOA11CD")["CCG21CD"]


def test_spatial_method_agrees_with_official_ccg21_lookup(raw_dir, points):
    ccg21 = gpd.read_file(raw_dir / "boundaries/ccg_apr2021_en_bsc.geojson")
    got = cv.assign_points(points, ccg21, "CCG21CD")
    agree = (got["code"].to_numpy() == points["lsoa11_code"].map(official_ccg21(raw_dir))).mean()
    assert agree >= 0.99
    assert agree > 0.9998  # 4 of 32,844 LSOAs differ
    assert (got["method"] == "nearest").sum() < 20


def test_lsoa11_ccg_table(geo, raw_dir):
    table = geo["lsoa11_ccg"]
    assert list(table.columns) == ["lsoa11_code", "ccg2019_ods", "ccg2020_ons", "ccg2021_ons"]
    assert len(table) == 32844 and table["lsoa11_code"].is_unique
    assert not table.isna().any().any()
    assert table["ccg2019_ods"].nunique() == 191
    assert table["ccg2020_ons"].nunique() == 135
    official = official_ccg21(raw_dir).reindex(table["lsoa11_code"]).to_numpy()
    assert (table["ccg2021_ons"].to_numpy() == official).all()
    # nesting is exact, and it is the successor map's
    for fine, coarse in (("ccg2019_ods", "ccg2020_ons"), ("ccg2020_ons", "ccg2021_ons")):
        assert (table.groupby(fine)[coarse].nunique() == 1).all()
    sandwell = table[table["ccg2019_ods"] == "05L"]
    assert set(sandwell["ccg2020_ons"]) == {"E38000144"}
    assert set(sandwell["ccg2021_ons"]) == {"E38000250"}


def test_unconstrained_2019_and_2020_boundaries_nest(geo, raw_dir, points, codes_map):
    """Free point-in-polygon assignments agree with the successor map.

    The 2019 boundaries chained through the successor map agree with the official CCG21
    lookup for all but ~15 LSOAs; the ultra-generalised 2020 boundaries are cruder, which is
    why the table takes 2020 from 2019: each 2019 CCG still puts >= 95% of its LSOAs (>= 97%
    outside a few inner-London boroughs) in the 2020 CCG that the practices say it joined.
    """
    ccg19 = gpd.read_file(raw_dir / cv.CCG19_BOUNDARIES)
    ccg20 = gpd.read_file(raw_dir / "boundaries/ccg_apr2020_en_buc.geojson")
    free19 = cv.assign_points(points, ccg19, "code")["code"]
    free20 = cv.assign_points(points, ccg20, "ccg20cd")["code"]
    ods = codes_map[codes_map["code_type"] == "ods"].set_index("code")
    reg = geo["ccg_register"]
    to21 = vintage(reg, "ccg-2021").set_index("ods_code")["ons_code"]
    chained = free19.map(ods["ccg_2021"]).map(to21).to_numpy()
    official = points["lsoa11_code"].map(official_ccg21(raw_dir)).to_numpy()
    assert (chained == official).mean() > 0.999
    table = geo["lsoa11_ccg"].set_index("lsoa11_code").loc[points["lsoa11_code"]]
    assert (free20.to_numpy() == table["ccg2020_ons"].to_numpy()).mean() > 0.99

    to20 = vintage(reg, "ccg-2020").set_index("ons_code")["ods_code"]
    pairs = pd.DataFrame({"ccg19": free19.to_numpy(), "ccg20": free20.map(to20).to_numpy()})
    shares = pairs.groupby("ccg19")["ccg20"].value_counts(normalize=True)
    top = shares.groupby(level=0).head(1).reset_index()
    assert (top["proportion"] >= 0.95).all()
    assert (top["proportion"] >= 0.97).mean() > 0.9
    assert (top["ccg20"] == top["ccg19"].map(ods["ccg_2020"])).all()


def test_2019_assignment_reproduces_iod_deprivation_shares(geo, raw_dir):
    """IoD2019 'proportion of LSOAs in the most deprived 10%' per 2019 CCG, recomputed."""
    decile = pd.read_csv(
        raw_dir / "deprivation/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
        encoding="utf-8-sig",
        usecols=["LSOA code (2011)", "Index of Multiple Deprivation (IMD) Decile"],
    ).set_axis(["lsoa11_code", "decile"], axis=1)
    table = geo["lsoa11_ccg"].merge(decile, on="lsoa11_code")
    mine = table.groupby("ccg2019_ods")["decile"].apply(lambda s: (s == 1).mean())
    iod = pd.read_excel(raw_dir / cv.IOD19_CCG, sheet_name="IMD").set_index(
        "Clinical Commissioning Group Code (2019)"
    )["IMD - Proportion of LSOAs in most deprived 10% nationally"]
    ons = vintage(geo["ccg_register"], "ccg-2019").set_index("ods_code")["ons_code"]
    diff = (mine - mine.index.map(ons).map(iod).to_numpy()).abs()
    assert (diff <= 0.0005).mean() > 0.95  # equal to the published 4 decimals
    assert diff.max() < 0.02


@pytest.fixture(scope="module")
def pop_lsoa11(raw_dir) -> pd.DataFrame:
    sape = pd.read_csv(
        raw_dir / "population/population_mid2020_lsoa11_single_year_age_demographr.csv.gz"
    )
    return cv.lsoa11_population(sape)


def test_ccg_population_matches_ons_ccg21_estimates(geo, pop_lsoa11, raw_dir):
    ons = pd.read_csv(
        raw_dir / "population/ccg21_population_by_age_ons.csv", encoding="utf-8-sig"
    ).set_index("CCG Code")
    pop = cv.ccg_population(geo["lsoa11_ccg"], pop_lsoa11, "ccg-2021").set_index("ons_code")
    assert list(pop.columns) == ["population", "population_18_plus"]
    ons = ons.reindex(pop.index)
    assert (pop["population"].to_numpy() == ons["All Ages"].to_numpy()).all()
    adults = (ons["All Ages"] - ons["Age 0-17"]).to_numpy()
    assert (pop["population_18_plus"].to_numpy() == adults).all()
    for name in cv.VINTAGES:
        frame = cv.ccg_population(geo["lsoa11_ccg"], pop_lsoa11, name)
        assert frame["population"].sum() == 56_550_138  # England, mid-2020
    assert len(cv.ccg_population(geo["lsoa11_ccg"], pop_lsoa11, "ccg-2019")) == 191


# ------------------------------------------------------------------------- harmonising


@pytest.fixture(scope="module")
def kw(geo) -> dict:
    return {
        "codes_map": geo["ccg_code_map"],
        "successors": geo["ccg_successors"],
        "as_of": pd.Timestamp("2020-03-31"),
    }


@pytest.fixture
def tiny() -> pd.DataFrame:
    # 00C, 00K, 00M merged into 16C (Tees Valley) in April 2020; 00L carried on.
    return pd.DataFrame(
        {
            "period": ["2019-20"] * 4,
            "ccg": ["00C", "00K", "00M", "00L"],
            "register": [10.0, 20.0, 30.0, 5.0],
            "rate": [1.0, 2.0, 4.0, 9.0],
        }
    )


WEIGHTS = pd.Series({"00C": 100.0, "00K": 300.0, "00M": 100.0})


def test_harmonise_sums_counts_and_weights_means(tiny, kw):
    out = cv.harmonise(
        tiny, "ccg", "ccg-2020", ["register"], ["rate"], WEIGHTS, **kw, by=["period"]
    )
    assert list(out.columns) == ["period", "ccg", "register", "rate", "merged_from"]
    rows = out.set_index("ccg")
    assert rows.loc["16C", "register"] == 60
    assert rows.loc["16C", "rate"] == pytest.approx((100 * 1 + 300 * 2 + 100 * 4) / 500)
    assert rows.loc["16C", "merged_from"] == "00C,00K,00M"
    assert rows.loc["00L", "rate"] == 9 and rows.loc["00L", "merged_from"] == "00L"
    assert out["register"].dtype == "Float64"


def test_harmonise_na_part_makes_na_not_partial(tiny, kw):
    tiny.loc[tiny["ccg"] == "00K", ["register", "rate"]] = None  # suppressed in the source
    out = cv.harmonise(tiny, "ccg", "ccg-2020", ["register"], ["rate"], WEIGHTS, **kw)
    rows = out.set_index("ccg")
    assert pd.isna(rows.loc["16C", "register"]) and pd.isna(rows.loc["16C", "rate"])
    assert rows.loc["00L", "register"] == 5


def test_harmonise_missing_part_makes_na(tiny, kw):
    out = cv.harmonise(tiny[tiny["ccg"] != "00M"], "ccg", "ccg-2020", ["register"], **kw)
    row = out.set_index("ccg").loc["16C"]
    assert pd.isna(row["register"]) and row["merged_from"] == "00C,00K"


def test_harmonise_refuses_bad_frames(tiny, kw):
    with pytest.raises(ValueError, match="no positive weight for merged codes \\['00M'\\]"):
        cv.harmonise(tiny, "ccg", "ccg-2020", [], ["rate"], WEIGHTS.drop("00M"), **kw)
    overlap = pd.concat([tiny, pd.DataFrame({"ccg": ["16C"], "register": [1.0]})])
    overlap["period"] = "x"
    with pytest.raises(ValueError, match="overlapping codes"):
        cv.harmonise(overlap, "ccg", "ccg-2020", ["register"], **kw, by=["period"])
    with pytest.raises(ValueError, match="repeated"):
        cv.harmonise(pd.concat([tiny, tiny]), "ccg", "ccg-2020", ["register"], **kw)
    with pytest.raises(ValueError, match="'register' has values that are not numbers"):
        cv.harmonise(tiny.astype({"register": str}).assign(register="n/a"), "ccg", "ccg-2020",
                     ["register"], **kw)  # fmt: skip
    hub = pd.DataFrame({"ccg": ["13Q"], "register": [1.0]})
    with pytest.raises(ValueError, match="non-geographic codes must be rejected"):
        cv.harmonise(hub, "ccg", "ccg-2020", ["register"], **kw)
    with pytest.raises(ValueError, match="newer than ccg-2019"):
        cv.harmonise(tiny.assign(ccg="16C").head(1), "ccg", "ccg-2019", **kw)


def test_harmonise_weight_column_and_ons_codes(tiny, kw):
    frame = tiny.assign(ccg=["E38000042", "E38000075", "E38000162", "E38000130"], w=[1, 1, 2, 1])
    out = cv.harmonise(frame, "ccg", "ccg-2021", ["register"], ["rate"], "w", **kw)
    rows = out.set_index("ccg")
    assert rows.loc["16C", "rate"] == pytest.approx((1 + 2 + 8) / 4)
    assert rows.loc["16C", "merged_from"] == "00C,00K,00M"


def test_harmonise_qof_2018_19_onto_2020_matches_qof_2019_20(raw_dir, kw):
    """QOF 2019-20 republished 2018-19 on the April 2020 CCGs: harmonising 2018-19 agrees."""
    old = qof_sheet(raw_dir, "2018-19")[["ods", 16, 17, 18]]
    old.columns = ["ccg", "list_size", "register", "prevalence"]
    new = qof_sheet(raw_dir, "2019-20")[["ods", 4, 5, 6]]
    new.columns = ["ccg", "list_size", "register", "prevalence"]
    out = cv.harmonise(
        old, "ccg", "ccg-2020", ["list_size", "register"], ["prevalence"], "list_size",
        **kw,
    )  # fmt: skip
    both = out.merge(new.astype({c: float for c in new.columns[1:]}), on="ccg")
    assert len(both) == 135
    # the restated 2018-19 figures leave out practices closed by 2019-20, so the harmonised
    # registers are equal or a little larger, never far off
    change = both["register_x"] / both["register_y"] - 1
    assert change.between(-0.02, 0.15).all() and change.abs().median() < 0.01
    gap = (both["prevalence_x"] - both["prevalence_y"]).abs()  # percentage points
    assert gap.median() < 0.02 and gap.max() < 2
    tees = both.set_index("ccg").loc["16C"]
    assert tees["merged_from"] == "00C,00K,00M"


def test_harmonise_population_weights_real(geo, pop_lsoa11, kw, raw_dir):
    """IoD2019 average scores onto the 2021 CCGs, weighted by 2019 CCG population."""
    iod = pd.read_excel(raw_dir / cv.IOD19_CCG, sheet_name="IMD")
    iod = iod.rename(
        columns={"Clinical Commissioning Group Code (2019)": "ccg", "IMD - Average score": "score"}
    )
    pop = cv.ccg_population(geo["lsoa11_ccg"], pop_lsoa11, "ccg-2019").set_index("ods_code")
    out = cv.harmonise(iod, "ccg", "ccg-2021", [], ["score"], pop["population"], **kw).set_index(
        "ccg"
    )
    assert len(out) == 106 and out["score"].notna().all()
    iod = iod.set_index("ccg")
    parts = ["E38000144", "E38000046", "E38000191", "E38000210"]  # 05L, 05C, 05Y, 06A
    weights = pop["population"].loc[["05L", "05C", "05Y", "06A"]].to_numpy()
    expected = (iod.loc[parts, "score"].to_numpy() * weights).sum() / weights.sum()
    assert out.loc["D2P2L", "score"] == pytest.approx(expected)


def test_harmonise_lsoa_counts_reproduce_iod_on_2021_ccgs(geo, kw, raw_dir):
    """Share of LSOAs in the most deprived 10%: IoD2019 per 2019 CCG, weighted by LSOA
    counts onto the 2021 CCGs, against the same share computed directly from LSOA deciles
    with the official LSOA11 -> CCG21 lookup."""
    column = "IMD - Proportion of LSOAs in most deprived 10% nationally"
    iod = pd.read_excel(raw_dir / cv.IOD19_CCG, sheet_name="IMD")
    iod = iod.rename(columns={"Clinical Commissioning Group Code (2019)": "ccg", column: "share"})
    lsoas = geo["lsoa11_ccg"].groupby("ccg2019_ods").size()
    out = cv.harmonise(
        iod, "ccg", "ccg-2021", [], ["share"], lsoas, **{**kw, "as_of": "2019-04-01"}
    )
    decile = pd.read_csv(
        raw_dir / "deprivation/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
        encoding="utf-8-sig",
        usecols=["LSOA code (2011)", "Index of Multiple Deprivation (IMD) Decile"],
    ).set_axis(["lsoa11_code", "decile"], axis=1)
    decile["ccg21"] = decile["lsoa11_code"].map(official_ccg21(raw_dir))
    direct = decile.groupby("ccg21")["decile"].apply(lambda s: (s == 1).mean())
    reg21 = vintage(geo["ccg_register"], "ccg-2021").set_index("ods_code")["ons_code"]
    diff = (out.set_index("ccg")["share"].rename(reg21) - direct).abs()
    assert len(diff) == 106 and diff.notna().all()
    assert diff.max() < 0.002 and (diff < 0.0005).mean() > 0.9


# --------------------------------------------------------------------------- bad input


def fake_raw(tmp_path: Path, raw_dir: Path, replace: dict[str, object]) -> RawDir:
    """Link the files the build reads into ``tmp_path``; write ``replace`` ones instead."""
    needed = [
        cv.CCG19_BOUNDARIES, cv.IOD19_CCG, cv.CCG20_NAMES, cv.CCG21_NAMES,
        cv.PRACTICE_CCG_EARLY_2020, cv.QOF_MAPPING_2019_20, cv.QOF_MAPPING_2020_21,
        cv.LSOA11_CCG21, cv.LSOA11_BOUNDARIES,
    ]  # fmt: skip
    for relative in needed:
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative in replace:
            replace[relative](target)
        else:
            target.symlink_to(raw_dir / relative)
    return RawDir(tmp_path)


def test_renamed_header_names_file_and_column(tmp_path, raw_dir):
    def write(target: Path) -> None:
        text = (raw_dir / cv.CCG20_NAMES).read_text().replace("CCG20CDH", "CCG20_ODS", 1)
        target.write_text(text)

    raw = fake_raw(tmp_path, raw_dir, {cv.CCG20_NAMES: write})
    with pytest.raises(SourceError) as err:
        cv.build_ccg_geography(raw)
    assert err.value.file == cv.CCG20_NAMES and err.value.column == "CCG20CDH"


def test_missing_parquet_column_and_missing_file(tmp_path, raw_dir):
    def write(target: Path) -> None:
        frame = pd.read_parquet(raw_dir / cv.QOF_MAPPING_2020_21)
        frame.drop(columns="CCG_ODS_CODE").to_parquet(target)

    raw = fake_raw(tmp_path, raw_dir, {cv.QOF_MAPPING_2020_21: write})
    with pytest.raises(SourceError, match="CCG_ODS_CODE"):
        cv.build_ccg_geography(raw)
    (tmp_path / cv.LSOA11_CCG21).unlink()
    (tmp_path / cv.QOF_MAPPING_2020_21).unlink()
    (tmp_path / cv.QOF_MAPPING_2020_21).symlink_to(raw_dir / cv.QOF_MAPPING_2020_21)
    with pytest.raises(SourceError, match="file not found"):
        cv.build_ccg_geography(RawDir(tmp_path))


def test_split_ccg_in_practice_map_stops_the_build(tmp_path, raw_dir):
    """Half of Barnsley's practices moved elsewhere: not a merger, so the build stops."""

    def write(target: Path) -> None:
        frame = pd.read_parquet(raw_dir / cv.QOF_MAPPING_2020_21)
        barnsley = frame.index[frame["CCG_ODS_CODE"] == "02P"]
        frame.loc[barnsley[::2], "CCG_ODS_CODE"] = "02X"
        frame.to_parquet(target)

    raw = fake_raw(tmp_path, raw_dir, {cv.QOF_MAPPING_2020_21: write})
    with pytest.raises(SourceError, match="02P \\(5\\d% to 02[PX]\\)") as err:
        cv.build_ccg_geography(raw)
    assert cv.QOF_MAPPING_2020_21 in err.value.file


def test_renamed_ccg_in_iod_stops_the_build(tmp_path, raw_dir):
    def write(target: Path) -> None:
        # Every sheet kept (the reader needs IMD and Health); one CCG renamed in IMD.
        workbook = openpyxl.load_workbook(raw_dir / cv.IOD19_CCG)
        renamed = 0
        for row in workbook["IMD"].iter_rows():
            for cell in row:
                if cell.value == "NHS Darlington CCG":
                    cell.value, renamed = "Somewhere", renamed + 1
        assert renamed
        workbook.save(target)

    raw = fake_raw(tmp_path, raw_dir, {cv.IOD19_CCG: write})
    with pytest.raises(SourceError, match="00C"):
        cv.build_ccg_geography(raw)


def test_build_is_quick_and_reference_is_clean(raw_dir):
    import time

    begin = time.perf_counter()
    cv.build_ccg_geography(RawDir(raw_dir))
    assert time.perf_counter() - begin < 20
    ref = cv.load_reference()
    assert list(ref.columns) == [
        "transition", "from_ods", "from_ons", "from_name", "to_ods", "to_ons", "to_name",
        "basis", "exchanged_with", "evidence",
    ]  # fmt: skip
    assert (ref["basis"] != "").all() and (ref["evidence"] != "").all() and len(ref) == 45
