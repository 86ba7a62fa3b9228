"""Population readers: real totals against the raw files, and bad inputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import population as pop

SANDWELL = "E08000028"
BIRMINGHAM_SOLIHULL_CCG = "E38000220"  # ODS 15E
ADULT_COLUMNS = [str(age) for age in range(18, 90)] + ["90+"]


@pytest.fixture(scope="module")
def result(raw_dir: Path):
    return pop.read(RawDir(raw_dir))


@pytest.fixture(scope="module")
def tables(result) -> dict[str, pd.DataFrame]:
    return result.tables


def raw_frame(raw_dir: Path, relative: str, **kwargs) -> pd.DataFrame:
    """The raw CSV read independently of the reader."""
    return pd.read_csv(raw_dir / relative, encoding="utf-8-sig", **kwargs)


def recon_for(result, relative: str):
    (recon,) = [r for r in result.reconciliations if r.file == relative]
    return recon


# --- real files ---------------------------------------------------------------------------


@pytest.mark.raw
def test_every_file_adds_up(result, raw_dir):
    assert len(result.reconciliations) == 6
    for recon in result.reconciliations:
        assert recon.rows_in == recon.rows_used + recon.rows_rejected
        assert recon.rows_in == len(raw_frame(raw_dir, recon.file, dtype=str)), recon.file
    welsh = {r.file: r.rejected.get(pop.WELSH, 0) for r in result.reconciliations}
    assert welsh[pop.LSOA11_2020] == 1909
    assert welsh[pop.LTLA21_2020] == 22 and welsh[pop.UTLA20_2020] == 22
    for recon in result.reconciliations:
        assert set(recon.rejected) <= {pop.WELSH}, recon.rejected


@pytest.mark.raw
def test_lsoa_2020_england(tables, raw_dir):
    lsoa = tables["pop_lsoa11_2020"]
    assert list(lsoa.columns) == [
        "lsoa11_code",
        "population",
        "population_18_plus",
        "source_suppressed",
    ]
    assert len(lsoa) == 32_844 and lsoa["lsoa11_code"].str.startswith("E01").all()
    raw = raw_frame(raw_dir, pop.LSOA11_2020)
    england = raw[raw["lsoa11_code"].str.startswith("E")]
    assert lsoa["population"].sum() == england["total_population"].sum() == 56_550_138
    assert lsoa["population_18_plus"].sum() == england[ADULT_COLUMNS].to_numpy().sum()
    assert lsoa["population_18_plus"].sum() == 44_456_850
    one = england.set_index("lsoa11_code").loc["E01000001"]
    row = lsoa.set_index("lsoa11_code").loc["E01000001"]
    assert row["population"] == one["total_population"]
    assert row["population_18_plus"] == one[ADULT_COLUMNS].sum()


@pytest.mark.raw
def test_ccg21_is_mid_2020(tables, raw_dir):
    ccg = tables["pop_ccg21"].set_index("ccg21_code")
    assert len(ccg) == 106
    assert ccg["population"].sum() == 56_550_138
    # Same England 18+ as the mid-2020 LSOA estimates: the CCG file is mid-2020 too.
    assert ccg["population_18_plus"].sum() == tables["pop_lsoa11_2020"]["population_18_plus"].sum()
    raw = raw_frame(raw_dir, pop.CCG21).set_index("CCG Code").loc[BIRMINGHAM_SOLIHULL_CCG]
    row = ccg.loc[BIRMINGHAM_SOLIHULL_CCG]
    assert row["ccg21_name"] == raw["CCG Name"] == "NHS Birmingham and Solihull CCG"
    assert row["population"] == raw["All Ages"]
    assert row["population_18_plus"] == raw["All Ages"] - raw["Age 0-17"]


@pytest.mark.raw
def test_local_authorities(tables, raw_dir):
    ltla = tables["pop_ltla21_2020"].set_index("ltla21_code")
    assert len(ltla) == 309 and ltla["population"].sum() == 56_550_138
    raw = raw_frame(raw_dir, pop.LTLA21_2020).set_index("ltla21_code").loc[SANDWELL]
    assert ltla.loc[SANDWELL, "population"] == raw["total_population"]
    assert ltla.loc[SANDWELL, "population_18_plus"] == raw[ADULT_COLUMNS].sum()
    utla = tables["pop_utla20_2020"].set_index("utla20_code")
    assert len(utla) == 150
    assert utla.loc[SANDWELL, "population"] == ltla.loc[SANDWELL, "population"]
    # The UTLA 2020 file has no Northamptonshire row (E10000021, nor its 2021 successors).
    northants = ltla.loc[["E06000061", "E06000062"], "population"].sum()
    assert "E10000021" not in utla.index
    assert utla["population"].sum() == ltla["population"].sum() - northants == 55_792_957


@pytest.mark.raw
def test_gp_lists(tables):
    gp = tables["gp_list_2026"]
    assert list(gp.columns) == [
        "practice_code",
        "sub_icb_ods",
        "sub_icb_ons",
        "postcode",
        "patients",
        "source_suppressed",
    ]
    assert len(gp) == 6_145 and gp["patients"].sum() == 63_488_912
    assert gp["patients"].dtype == "Float64"
    row = gp.set_index("practice_code").loc["A81001"]
    assert (row["sub_icb_ods"], row["sub_icb_ons"], row["postcode"]) == (
        "16C",
        "E38000247",
        "TS18 1HU",
    )
    assert gp["sub_icb_ons"].nunique() == 106


@pytest.mark.raw
def test_lsoa_2015_thousands_separators(tables, raw_dir):
    lsoa = tables["pop_lsoa11_2015"].set_index("lsoa11_code")
    assert len(lsoa) == 32_844
    assert lsoa.loc["E01000001", "population"] == 1296  # stored as "1,296"
    raw = raw_frame(raw_dir, pop.LSOA11_2015, thousands=",")
    assert lsoa["population"].sum() == raw[pop.F6_TOTAL].sum() == 54_728_204
    assert lsoa["population_16_59"].sum() == raw[pop.F6_16_59].sum()
    assert lsoa["population_60_plus"].sum() == raw[pop.F6_60_PLUS].sum()


# --- bad inputs ---------------------------------------------------------------------------


def write_csv(root: Path, relative: str, frame: pd.DataFrame) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    compression = "gzip" if relative.endswith(".gz") else None
    frame.to_csv(path, index=False, compression=compression)


def text_frame(raw_dir: Path, relative: str) -> pd.DataFrame:
    return raw_frame(raw_dir, relative, dtype=str, keep_default_na=False)


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match="ccg21_population_by_age_ons.csv"):
        pop.read_ccg21(RawDir(tmp_path))


@pytest.mark.raw
def test_missing_age_column(raw_dir, tmp_path):
    frame = text_frame(raw_dir, pop.LTLA21_2020).drop(columns="90+")
    write_csv(tmp_path, pop.LTLA21_2020, frame)
    with pytest.raises(SourceError) as err:
        pop.read_ltla21_2020(RawDir(tmp_path))
    assert err.value.column == "90+" and pop.LTLA21_2020 in str(err.value)


@pytest.mark.raw
def test_renamed_header(raw_dir, tmp_path):
    frame = text_frame(raw_dir, pop.LSOA11_2015).rename(
        columns={pop.F6_TOTAL: "Total population: mid 2016 (excluding prisoners)"}
    )
    write_csv(tmp_path, pop.LSOA11_2015, frame)
    with pytest.raises(SourceError) as err:
        pop.read_lsoa11_2015(RawDir(tmp_path))
    assert err.value.column == pop.F6_TOTAL
    assert "did the header" in str(err.value) and pop.LSOA11_2015 in str(err.value)


@pytest.mark.raw
def test_bad_values_in_age_columns(raw_dir, tmp_path):
    frame = text_frame(raw_dir, pop.LTLA21_2020)
    codes = frame["ltla21_code"]
    frame.loc[0, "18"] = "many"
    frame.loc[1, "40"] = "*"
    frame.loc[2, "65"] = "-"
    frame.loc[3, "90+"] = ""
    frame.loc[4, "total_population"] = "-5"
    write_csv(tmp_path, pop.LTLA21_2020, frame)
    result = pop.read_ltla21_2020(RawDir(tmp_path))
    (recon,) = result.reconciliations
    assert recon.rejected == {
        pop.WELSH: 22,
        "text in numeric column '18'": 1,
        "negative count in column 'total_population'": 1,
    }
    table = result.tables["pop_ltla21_2020"].set_index("ltla21_code")
    assert len(table) == 307
    flagged = table[table["source_suppressed"]]
    assert set(flagged.index) == set(codes[1:4])
    assert flagged["population_18_plus"].isna().all()  # never a partial sum
    assert flagged["population"].notna().all()


@pytest.mark.raw
def test_gp_list_breakdowns_rejected(raw_dir, tmp_path):
    frame = text_frame(raw_dir, pop.GP_LIST_2026)
    extra = frame.iloc[[0]].assign(SEX="MALE", NUMBER_OF_PATIENTS="1800")
    frame = pd.concat([frame, extra], ignore_index=True)
    frame.loc[1, "NUMBER_OF_PATIENTS"] = "c"
    write_csv(tmp_path, pop.GP_LIST_2026, frame)
    result = pop.read_gp_list_2026(RawDir(tmp_path))
    (recon,) = result.reconciliations
    assert recon.rows_in == 6_146
    assert recon.rejected == {"breakdown not used by the atlas: SEX other than ALL": 1}
    gp = result.tables["gp_list_2026"]
    assert len(gp) == 6_145 and int(gp["source_suppressed"].sum()) == 1


@pytest.mark.raw
def test_column_without_numbers_is_an_error(raw_dir, tmp_path):
    frame = text_frame(raw_dir, pop.CCG21)
    frame["All Ages"] = frame["CCG Name"]
    write_csv(tmp_path, pop.CCG21, frame)
    with pytest.raises(SourceError) as err:
        pop.read_ccg21(RawDir(tmp_path))
    assert err.value.column == "All Ages" and pop.CCG21 in str(err.value)
