"""Fingertips-type readers: real values against the raw files, and bad inputs."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pandas as pd
import pytest

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import fingertips as ft

SANDWELL = "E08000028"
ENGLAND = "E92000001"


@pytest.fixture(scope="module")
def result(raw_dir: Path):
    return ft.read(RawDir(raw_dir))


@pytest.fixture(scope="module")
def tables(result) -> dict[str, pd.DataFrame]:
    return result.tables


def text_frame(raw_dir: Path, relative: str) -> pd.DataFrame:
    """The raw CSV read independently of the reader (all text)."""
    return pd.read_csv(raw_dir / relative, dtype=str, keep_default_na=False)


def recon_for(result, relative: str):
    (recon,) = [r for r in result.reconciliations if r.file == relative]
    return recon


def value(table: pd.DataFrame, **keys) -> float:
    mask = pd.Series(True, index=table.index)
    for column, wanted in keys.items():
        mask &= table[column] == wanted
    return table.loc[mask, "value"].item()


# --- real files ---------------------------------------------------------------------------


@pytest.mark.raw
def test_every_file_adds_up(result, raw_dir):
    assert len(result.reconciliations) == 7
    for recon in result.reconciliations:
        assert recon.rows_in == recon.rows_used + recon.rows_rejected
        assert recon.rows_in == len(text_frame(raw_dir, recon.file)), recon.file


@pytest.mark.raw
def test_depression_prevalence(tables, raw_dir):
    dep = tables["la_depression_prevalence"]
    assert list(dep.columns) == [
        "area_code",
        "area_name",
        "area_type",
        "period",
        "value",
        "compared",
        "source_suppressed",
    ]
    assert len(dep) == 3_011 and dep["value"].dtype == "Float64"
    assert value(dep, area_code=ENGLAND, period="2014/15") == 7.3
    assert value(dep, area_code=ENGLAND, period="2024/25") == 14.3
    assert "2023/24" not in set(dep["period"])
    with (raw_dir / ft.DEPRESSION).open(newline="") as handle:
        cell = next(
            r
            for r in csv.DictReader(handle)
            if r["area_code"] == SANDWELL and r["period"] == "2022/23"
        )
    assert value(dep, area_code=SANDWELL, period="2022/23") == float(cell["value"]) == 10.9
    sandwell = dep[(dep["area_code"] == SANDWELL) & (dep["period"] == "2022/23")]
    assert sandwell["compared"].item() == cell["compared_to_England"]
    assert set(dep["area_type"]) == {"Country", "District", "UA"}


@pytest.mark.raw
def test_self_harm_and_smi_mortality(tables, raw_dir):
    harm = tables["la_self_harm"]
    assert len(harm) == 2_624 and int(harm["source_suppressed"].sum()) == 23
    assert harm.loc[harm["source_suppressed"], "value"].isna().all()
    raw = text_frame(raw_dir, ft.SELF_HARM)
    cell = raw[(raw["area_code"] == SANDWELL) & (raw["period"] == "2017/18")].iloc[0]
    assert value(harm, area_code=SANDWELL, period="2017/18") == float(cell["value"])
    smi = tables["la_smi_excess_mortality"]
    assert len(smi) == 924 and int(smi["source_suppressed"].sum()) == 18
    assert smi["period"].min() == "2009/10" and smi["period"].max() == "2014/15"
    assert list(smi.columns) == [
        "area_code",
        "area_name",
        "period",
        "value",
        "significance",
        "source_suppressed",
    ]


@pytest.mark.raw
def test_health_index(result, tables, raw_dir):
    index = tables["health_index_ltla21"]
    assert set(index["indicator"]) == set(ft.HEALTH_INDEX_INDICATORS)
    assert index["year"].dtype == "Int64" and set(index["year"]) == set(range(2015, 2022))
    assert len(index) == len(ft.HEALTH_INDEX_INDICATORS) * 2_149
    raw = text_frame(raw_dir, ft.HEALTH_INDEX)
    assert raw["indicator"].nunique() == 56
    recon = recon_for(result, ft.HEALTH_INDEX)
    assert recon.rows_rejected == (56 - len(ft.HEALTH_INDEX_INDICATORS)) * 2_149
    assert recon.rejected["indicator not used by the atlas: Air pollution"] == 2_149
    suicides = raw[(raw["ltla21_code"] == SANDWELL) & (raw["indicator"] == "Suicides")]
    expected = dict(
        zip(
            suicides["year"].astype(float).astype(int), suicides["value"].astype(float), strict=True
        )
    )
    got = index[(index["ltla21_code"] == SANDWELL) & (index["indicator"] == "Suicides")]
    assert dict(zip(got["year"], got["value"], strict=True)) == expected
    assert expected[2021] == 11.2


@pytest.mark.raw
def test_gp_life_expectancy(result, tables):
    life = tables["gp_life_expectancy"]
    assert list(life.columns) == ["practice_code", "year", "sex", "value", "source_suppressed"]
    assert set(life["sex"]) == {"female", "male"}
    assert not life.duplicated(["practice_code", "year", "sex"]).any()
    # A practice-year split over two rows in the extract is merged into one per sex.
    assert value(life, practice_code="A82019", year=2020, sex="female") == 81.4626
    assert value(life, practice_code="A82019", year=2020, sex="male") == 76.9613
    assert value(life, practice_code="A81001", year=2010, sex="male") == pytest.approx(76.16443)
    recon = recon_for(result, ft.LIFE_EXPECTANCY)
    assert recon.rejected == {"not a GP practice (CCG or England aggregate row)": 77}
    assert len(life) == 2 * (37_986 - 77 - 8)
    assert (life["value"].isna() == life["source_suppressed"]).all()


@pytest.mark.raw
def test_smoking_prevalence(result, tables):
    smoking = tables["smoking_prevalence"]
    assert list(smoking.columns) == [
        "area_code",
        "area_name",
        "area_type",
        "period",
        "value",
        "lower_95",
        "upper_95",
        "count",
        "denominator",
        "source_suppressed",
    ]
    assert not smoking.duplicated(["area_code", "area_type", "period"]).any()
    gp = smoking[smoking["area_type"] == "GPs"]
    assert set(gp["period"]) == {"2022/23", "2023/24"}
    assert gp.loc[gp["period"] == "2023/24", "lower_95"].isna().all()
    england = smoking[(smoking["area_code"] == ENGLAND) & (smoking["period"] == "2013/14")]
    assert england["value"].item() == pytest.approx(19.17076526)
    assert england["count"].item() == 8_935_216
    assert int(smoking["source_suppressed"].sum()) == 6
    recon = recon_for(result, ft.SMOKING)
    assert recon.rejected == {
        "breakdown not used by the atlas: deprivation-decile category": 100,
        "repeat of the '15+ yrs' row for the same area, area type and period": 419,
    }
    assert len(smoking) == 17_627 - 519


# --- bad inputs ---------------------------------------------------------------------------


def write_csv(root: Path, relative: str, frame: pd.DataFrame) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    compression = "gzip" if relative.endswith(".gz") else None
    frame.to_csv(path, index=False, compression=compression)


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match="trafford_adults_depression"):
        ft.read_la_depression(RawDir(tmp_path))


@pytest.mark.raw
def test_depression_markers_and_text(raw_dir, tmp_path):
    frame = text_frame(raw_dir, ft.DEPRESSION)
    frame.loc[0, "value"] = "NA"
    frame.loc[1, "value"] = "*"
    frame.loc[2, "value"] = "-"
    frame.loc[3, "value"] = ""
    frame.loc[4, "value"] = "about 7"
    write_csv(tmp_path, ft.DEPRESSION, frame)
    result = ft.read_la_depression(RawDir(tmp_path))
    (recon,) = result.reconciliations
    assert recon.rejected == {"text in numeric column 'value'": 1}
    table = result.tables["la_depression_prevalence"]
    assert len(table) == 3_010
    flagged = table[table["source_suppressed"]]
    assert len(flagged) == 4 and flagged["value"].isna().all()


@pytest.mark.raw
@pytest.mark.parametrize("column", ["value", "area_code", "period"])
def test_depression_missing_or_renamed_column(raw_dir, tmp_path, column):
    frame = text_frame(raw_dir, ft.DEPRESSION).rename(columns={column: column.upper()})
    write_csv(tmp_path, ft.DEPRESSION, frame)
    with pytest.raises(SourceError) as err:
        ft.read_la_depression(RawDir(tmp_path))
    assert err.value.column == column and ft.DEPRESSION in str(err.value)


@pytest.mark.raw
def test_other_indicator_rows_rejected(raw_dir, tmp_path):
    frame = text_frame(raw_dir, ft.SELF_HARM)
    frame.loc[:9, "indicator"] = "Hospital admissions for alcohol"
    write_csv(tmp_path, ft.SELF_HARM, frame)
    (recon,) = ft.read_la_self_harm(RawDir(tmp_path)).reconciliations
    assert recon.rejected == {f"indicator other than '{ft.SELF_HARM_INDICATOR}'": 10}


@pytest.mark.raw
def test_health_index_bad_values(raw_dir, tmp_path):
    frame = text_frame(raw_dir, ft.HEALTH_INDEX)
    frame = frame[frame["indicator"].isin(["Suicides", "Air pollution"])].reset_index(drop=True)
    suicides = frame.index[frame["indicator"] == "Suicides"]
    frame.loc[suicides[0], "value"] = "unknown"
    frame.loc[suicides[1], "value"] = ""
    frame.loc[suicides[2], "year"] = "2015.5"
    write_csv(tmp_path, ft.HEALTH_INDEX, frame)
    result = ft.read_health_index(RawDir(tmp_path))
    (recon,) = result.reconciliations
    assert recon.rows_in == 2 * 2_149
    assert recon.rejected == {
        "indicator not used by the atlas: Air pollution": 2_149,
        "text in numeric column 'value'": 1,
        "not a year in 'year'": 1,
    }
    table = result.tables["health_index_ltla21"]
    assert len(table) == 2_147 and int(table["source_suppressed"].sum()) == 1


@pytest.mark.raw
def test_health_index_missing_column_and_corrupt_file(raw_dir, tmp_path):
    frame = text_frame(raw_dir, ft.HEALTH_INDEX).head(50).drop(columns="value")
    write_csv(tmp_path, ft.HEALTH_INDEX, frame)
    with pytest.raises(SourceError) as err:
        ft.read_health_index(RawDir(tmp_path))
    assert err.value.column == "value" and ft.HEALTH_INDEX in str(err.value)
    (tmp_path / ft.HEALTH_INDEX).write_bytes(gzip.compress(b"ltla21_code,year\n" * 50)[:40])
    with pytest.raises(SourceError, match="cannot be read"):
        ft.read_health_index(RawDir(tmp_path))


@pytest.mark.raw
def test_life_expectancy_conflicting_rows(raw_dir, tmp_path):
    frame = text_frame(raw_dir, ft.LIFE_EXPECTANCY)
    copy = frame.iloc[[0]].assign(Life_Expectancy_Female="70.0")
    frame = pd.concat([frame, copy], ignore_index=True)
    frame.loc[1, "Life_Expectancy_Male"] = "n/a"
    write_csv(tmp_path, ft.LIFE_EXPECTANCY, frame)
    result = ft.read_gp_life_expectancy(RawDir(tmp_path))
    (recon,) = result.reconciliations
    assert recon.rejected["two values for one practice, year and sex (all copies rejected)"] == 2
    life = result.tables["gp_life_expectancy"]
    first = frame.loc[0, ["Practice.Code", "Year"]]
    assert not ((life["practice_code"] == first["Practice.Code"]) & (life["year"] == 2010)).any()
    second = frame.loc[1]
    male = life[
        (life["practice_code"] == second["Practice.Code"])
        & (life["year"] == int(second["Year"]))
        & (life["sex"] == "male")
    ]
    assert male["source_suppressed"].item() and pd.isna(male["value"].item())


@pytest.mark.raw
def test_smoking_renamed_header_and_text(raw_dir, tmp_path):
    frame = text_frame(raw_dir, ft.SMOKING)
    write_csv(tmp_path, ft.SMOKING, frame.rename(columns={"Time period": "Period"}))
    with pytest.raises(SourceError) as err:
        ft.read_smoking(RawDir(tmp_path))
    assert err.value.column == "Time period" and ft.SMOKING in str(err.value)

    frame.loc[0, "Count"] = "lots"
    frame.loc[1, "Value"] = "*"
    write_csv(tmp_path, ft.SMOKING, frame)
    result = ft.read_smoking(RawDir(tmp_path))
    (recon,) = result.reconciliations
    assert recon.rejected["text in numeric column 'count'"] == 1
    assert int(result.tables["smoking_prevalence"]["source_suppressed"].sum()) == 7
