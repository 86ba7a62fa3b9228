"""Fingertips-type indicators: LA mental-health series, the ONS Health Index, practice outcomes.

These are published outcome and prevalence figures (OHID Fingertips, ONS Health Index) that
the atlas shows beside its own need and provision measures. Most come as tidy extracts made
by third parties with the Fingertips API; one (smoking, 91547) is a raw Fingertips API CSV.
Fingertips' "NA" / blank values are kept as missing and flagged ``source_suppressed``.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from data_pipeline import duck
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.tabular import SUPPRESSED, numeric, read_csv_text, require_columns

SOURCE = "fingertips"

DEPRESSION = "fingertips/trafford_adults_depression_qof_prevalence_la.csv"
SELF_HARM = "fingertips/trafford_admissions_self_harm_la.csv"
SMI_MORTALITY = "fingertips/trafford_mortality_serious_mental_illness_la.csv"
HEALTH_INDEX = "fingertips/ons_health_index_indicators_ltla21_2015-2021_healthyr.csv.gz"
LIFE_EXPECTANCY = "fingertips/gp_practice_life_expectancy_estimates_heec.csv.gz"
SMOKING = "fingertips/fingertips_91547_smoking_prevalence_qof_gp_and_areas_heec.csv.gz"
CMD_PREVALENCE = "fingertips/fingertips_93495_cmd_prevalence_16plus_utla22_ipsmod.csv"

DEPRESSION_INDICATOR = "Depression: QOF prevalence"
SELF_HARM_INDICATOR = "Emergency Hospital Admissions for Intentional Self-Harm"
SMI_MORTALITY_INDICATOR = "Excess under 75 mortality rate in adults with serious mental illness"
SMOKING_INDICATOR = "Smoking prevalence in adults (15+) - current smokers (QOF)"

AREA_CODE = r"E\d{8}"
UTLA_CODE = r"E(0[689]|10)\d{6}"
LA_OUTPUT = ["area_code", "area_name", "period", "value", "significance"]
PRACTICE_CODE = r"[A-Z]\d{5}"

#: ONS Health Index indicators the atlas uses, with the theme each belongs to. The other
#: indicators of the index (wider determinants, children's early years, access to green
#: space...) are rejected with their name as the reason.
HEALTH_INDEX_INDICATORS: dict[str, str] = {
    "Suicides": "mental health",
    "Self-harm": "mental health",
    "Mental health conditions": "mental health",
    "Feelings of anxiety": "mental health",
    "Happiness": "mental health",
    "Life satisfaction": "mental health",
    "Activities in life are worthwhile": "mental health",
    "Children's social, emotional and mental health": "mental health",
    "Avoidable mortality": "mortality",
    "Mortality from all causes": "mortality",
    "Life expectancy": "mortality",
    "Cancer": "physical health conditions",
    "Cardiovascular conditions": "physical health conditions",
    "Dementia": "physical health conditions",
    "Diabetes": "physical health conditions",
    "Kidney and liver disease": "physical health conditions",
    "Musculoskeletal conditions": "physical health conditions",
    "Respiratory conditions": "physical health conditions",
    "Disability": "physical health conditions",
    "Frailty": "physical health conditions",
    "Smoking": "risk factors",
    "Alcohol misuse": "risk factors",
    "Drug misuse": "risk factors",
    "Overweight and obesity in adults": "risk factors",
    "High blood pressure": "risk factors",
    "Physical activity": "risk factors",
    "Distance to GP services": "access",
    "Patients offered acceptable GP practice appointments": "access",
}

SMOKING_COLUMNS = {
    "Area Code": "area_code",
    "Area Name": "area_name",
    "Area Type": "area_type",
    "Time period": "period",
    "Value": "value",
    "Lower CI 95.0 limit": "lower_95",
    "Upper CI 95.0 limit": "upper_95",
    "Count": "count",
    "Denominator": "denominator",
}
SMOKING_AGE = "15+ yrs"


# --------------------------------------------------------------------------- helpers


def _read(raw: RawDir, relative: str, columns: list[str]) -> tuple[pd.DataFrame, Reconciliation]:
    """Read a small CSV as text, check its columns and open its row accounting."""
    frame = read_csv_text(raw.path(relative), relative)
    require_columns(frame, columns, relative)
    return frame[columns], Reconciliation(SOURCE, relative, rows_in=len(frame))


def _strip(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.assign(**{c: frame[c].astype("string").str.strip() for c in columns})


def _codes(
    frame: pd.DataFrame, column: str, pattern: str, recon: Reconciliation, reason: str
) -> pd.DataFrame:
    codes = frame[column].astype("string").str.strip()
    frame = frame.assign(**{column: codes})
    return recon.reject_mask(frame, ~codes.str.fullmatch(pattern).fillna(False), reason)


def _only(frame: pd.DataFrame, column: str, expected: str, recon: Reconciliation) -> pd.DataFrame:
    """Keep the rows of one indicator: a file with several indicators must not be mixed."""
    other = frame[column].astype("string").str.strip() != expected
    return recon.reject_mask(frame, other, f"indicator other than '{expected}'")


def _unique(frame: pd.DataFrame, keys: list[str], recon: Reconciliation) -> pd.DataFrame:
    dup = frame.duplicated(keys, keep=False)
    return recon.reject_mask(frame, dup, f"duplicate {' + '.join(keys)} (all copies rejected)")


def _year(frame: pd.DataFrame, column: str, recon: Reconciliation) -> pd.DataFrame:
    """A year is a key: a missing or fractional one rejects the row (never 'suppressed')."""
    text = frame[column].astype("string").str.strip()
    year = pd.to_numeric(text, errors="coerce")
    bad = year.isna() | (year != year.round())
    frame = recon.reject_mask(frame.assign(**{column: year}), bad, f"not a year in '{column}'")
    return frame.assign(**{column: frame[column].astype("Int64")})


def _finish(frame: pd.DataFrame, columns: list[str], keys: list[str]) -> pd.DataFrame:
    out = frame[columns].copy()
    for column in columns:
        if column != SUPPRESSED and str(out[column].dtype) not in ("Float64", "Int64"):
            out[column] = out[column].astype(str)
    out[SUPPRESSED] = out[SUPPRESSED].fillna(False).astype(bool)
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- LA series


def _la_series(
    raw: RawDir, relative: str, indicator: str, extra: dict[str, str], output: list[str]
) -> tuple[pd.DataFrame, Reconciliation]:
    """A Trafford Data Lab extract: one indicator, one row per area and period.

    ``extra`` maps further text columns to their output names; ``output`` orders the table.
    """
    base = ["area_code", "area_name", "period", "value", "indicator"]
    frame, recon = _read(raw, relative, base + list(extra))
    frame = _only(frame, "indicator", indicator, recon)
    frame = _codes(frame, "area_code", AREA_CODE, recon, "not an English area code")
    frame = _strip(frame, ["area_name", "period", *extra])
    frame = recon.reject_mask(frame, frame["period"].fillna("") == "", "no period")
    frame = _unique(frame, ["area_code", "period"], recon)
    frame = numeric(frame, "value", recon)
    recon.rows_used = len(frame)
    recon.check()
    frame = frame.rename(columns=extra)
    return _finish(frame, [*output, SUPPRESSED], ["area_code", "period"]), recon


def read_la_depression(raw: RawDir) -> SourceResult:
    """QOF depression prevalence (18+, %) by district and UA, 2014/15 to 2024/25.

    LA codes follow each year's boundaries and the extract has no 2023/24; both are kept
    as in the file rather than bridged here.
    """
    table, recon = _la_series(
        raw,
        DEPRESSION,
        DEPRESSION_INDICATOR,
        {"area_type": "area_type", "compared_to_England": "compared"},
        ["area_code", "area_name", "area_type", "period", "value", "compared"],
    )
    return SourceResult({"la_depression_prevalence": table}, [recon])


def read_la_self_harm(raw: RawDir) -> SourceResult:
    """Emergency admissions for intentional self-harm, age-standardised per 100,000."""
    table, recon = _la_series(
        raw, SELF_HARM, SELF_HARM_INDICATOR, {"significance": "significance"}, LA_OUTPUT
    )
    return SourceResult({"la_self_harm": table}, [recon])


def read_la_smi_mortality(raw: RawDir) -> SourceResult:
    """Excess under-75 mortality in adults with SMI (indirectly standardised ratio, %)."""
    table, recon = _la_series(
        raw, SMI_MORTALITY, SMI_MORTALITY_INDICATOR, {"significance": "significance"}, LA_OUTPUT
    )
    return SourceResult({"la_smi_excess_mortality": table}, [recon])


def read_cmd_prevalence(raw: RawDir) -> SourceResult:
    """OHID's modelled prevalence of common mental disorders, % of people 16+ (93495), by UTLA.

    The 2017 estimate from the Adult Psychiatric Morbidity Survey 2014, for the 152 upper-tier
    authorities of 2022, as a *proportion* (0.116-0.244); the calibration target of the
    atlas's modelled need. The file keeps pre-2023 codes for Cumbria, North Yorkshire and
    Somerset, and gives North and West Northamptonshire the old county's value (each kept as
    published: :mod:`data_pipeline.indicators.cmd_model` groups them). A value outside (0, 1)
    is not a proportion and is rejected.
    """
    frame, recon = _read(raw, CMD_PREVALENCE, ["UTLA22NM", "AreaCode", "Value"])
    frame = frame.rename(columns={"UTLA22NM": "area_name", "AreaCode": "area_code"})
    frame = _codes(frame, "area_code", UTLA_CODE, recon, "not an upper-tier local authority code")
    frame = _strip(frame, ["area_name"])
    frame = _unique(frame, ["area_code"], recon)
    frame = numeric(frame.rename(columns={"Value": "value"}), "value", recon)
    outside = ~frame["value"].between(0, 1, inclusive="neither").fillna(False)
    frame = recon.reject_mask(frame, outside, "value not a proportion between 0 and 1")
    recon.rows_used = len(frame)
    recon.check()
    table = _finish(frame, ["area_code", "area_name", "value", SUPPRESSED], ["area_code"])
    return SourceResult({"cmd_prevalence_utla": table}, [recon])


# --------------------------------------------------------------------------- Health Index


def _duckdb_csv(relation: str) -> str:
    """The ``read_csv`` call used for the Health Index: explicit dialect, text only.

    The dialect is fixed because auto-detection misreads the quoted indicator names that
    contain commas.
    """
    return (
        f"SELECT * FROM read_csv({relation}, header = true, all_varchar = true, "
        "delim = ',', quote = '\"', escape = '\"')"
    )


def _health_index_frame(raw: RawDir) -> tuple[pd.DataFrame, Reconciliation]:
    """Per-indicator row counts in DuckDB, and only the chosen indicators fetched."""
    path = str(raw.path(HEALTH_INDEX))
    columns = ["ltla21_code", "year", "indicator", "value"]
    source = _duckdb_csv("$path")
    try:
        with duckdb.connect() as con:
            header = con.execute(f"{source} LIMIT 0", {"path": path}).df()
            require_columns(header, columns, HEALTH_INDEX)
            counts = con.execute(
                f"SELECT indicator, count(*) AS n FROM ({source}) GROUP BY indicator",
                {"path": path},
            ).fetchall()
            frame = con.execute(
                f"SELECT ltla21_code, year, indicator, value FROM ({source}) "
                "WHERE list_contains($keep, indicator)",
                {"path": path, "keep": list(HEALTH_INDEX_INDICATORS)},
            ).df()
    except duckdb.Error as exc:
        raise duck.source_error(exc, HEALTH_INDEX, "download it again", [path]) from exc
    recon = Reconciliation(SOURCE, HEALTH_INDEX, rows_in=sum(n for _, n in counts))
    for indicator, n in sorted(counts, key=lambda item: str(item[0])):
        if indicator not in HEALTH_INDEX_INDICATORS:
            recon.reject(f"indicator not used by the atlas: {indicator}", n)
    recon.notes.append(
        f"{len(HEALTH_INDEX_INDICATORS)} of {len(counts)} indicators kept "
        "(mental health, mortality, physical conditions, risk factors, GP access)"
    )
    return frame, recon


def read_health_index(raw: RawDir) -> SourceResult:
    """ONS Health Index input indicators per LTLA (2021 codes), 2015-2021.

    Units differ by indicator (rates, percentages, scores); ONS carries values forward
    for years with no new data, so a flat run is not evidence of no change.
    """
    frame, recon = _health_index_frame(raw)
    frame = _codes(
        frame, "ltla21_code", r"E0[6-9]\d{6}", recon, "not an English local authority code"
    )
    frame = _year(frame, "year", recon)
    frame = _strip(frame, ["indicator"])
    frame = _unique(frame, ["ltla21_code", "year", "indicator"], recon)
    frame = numeric(frame, "value", recon)
    recon.rows_used = len(frame)
    recon.check()
    columns = ["ltla21_code", "year", "indicator", "value", SUPPRESSED]
    table = _finish(frame, columns, ["indicator", "ltla21_code", "year"])
    return SourceResult({"health_index_ltla21": table}, [recon])


# --------------------------------------------------------------------------- GP practices


def read_gp_life_expectancy(raw: RawDir) -> SourceResult:
    """Life expectancy at birth of each practice's population (Fingertips 650), long by sex.

    The HEEC extract splits a few practice-years into one row per sex; those rows are
    merged. Its CCG and England rows are aggregates, not practices, and are rejected.
    """
    female, male = "Life_Expectancy_Female", "Life_Expectancy_Male"
    frame, recon = _read(raw, LIFE_EXPECTANCY, ["Practice.Code", "Year", female, male])
    frame = _codes(
        frame,
        "Practice.Code",
        PRACTICE_CODE,
        recon,
        "not a GP practice (CCG or England aggregate row)",
    )
    frame = _year(frame, "Year", recon)
    frame = numeric(numeric(frame, female, recon), male, recon)
    keys = ["Practice.Code", "Year"]
    grouped = frame.groupby(keys)[[female, male]]
    conflict = (grouped.transform("count") > 1).any(axis=1)
    frame = recon.reject_mask(
        frame, conflict, "two values for one practice, year and sex (all copies rejected)"
    )
    recon.rows_used = len(frame)
    merged = frame.groupby(keys, as_index=False)[[female, male]].first()
    if frame.duplicated(keys).any():
        recon.notes.append(
            f"{int(frame.duplicated(keys).sum())} practice-years split over two rows "
            "(one per sex) were merged"
        )
    recon.check()
    long = merged.melt(id_vars=keys, value_vars=[female, male], var_name="sex")
    long = long.rename(columns={"Practice.Code": "practice_code", "Year": "year"})
    long["sex"] = long["sex"].map({female: "female", male: "male"})
    long["value"] = long["value"].astype("Float64")
    long[SUPPRESSED] = long["value"].isna()
    columns = ["practice_code", "year", "sex", "value", SUPPRESSED]
    table = _finish(long, columns, ["practice_code", "year", "sex"])
    return SourceResult({"gp_life_expectancy": table}, [recon])


def read_smoking(raw: RawDir) -> SourceResult:
    """Raw Fingertips CSV for indicator 91547 (QOF smoking prevalence, 15+), every area type.

    The deprivation-decile category rows and the repeated 2015/16 rows (Age "Not
    applicable") are rejected; the practice rows for 2023/24 come without confidence
    limits, which stay missing. ``source_suppressed`` refers to ``value`` only.
    """
    frame, recon = _read(raw, SMOKING, ["Indicator Name", "Category Type", "Age", *SMOKING_COLUMNS])
    frame = _only(frame, "Indicator Name", SMOKING_INDICATOR, recon)
    category = frame["Category Type"].str.strip()
    frame = recon.reject_mask(
        frame, category != "", "breakdown not used by the atlas: deprivation-decile category"
    )
    frame = _strip(frame.rename(columns=SMOKING_COLUMNS), ["area_name", "area_type", "period"])
    code = frame["area_code"].str.strip()
    frame = recon.reject_mask(frame.assign(area_code=code), code.fillna("") == "", "no area code")
    frame = recon.reject_mask(frame, frame["period"].fillna("") == "", "no period")
    preferred = (frame["Age"].str.strip() != SMOKING_AGE).astype(int)
    frame = frame.assign(_order=preferred).sort_values("_order", kind="stable")
    frame = recon.reject_mask(
        frame,
        frame.duplicated(["area_code", "area_type", "period"], keep="first"),
        f"repeat of the '{SMOKING_AGE}' row for the same area, area type and period",
    )
    for column in ("lower_95", "upper_95"):
        frame = numeric(frame, column, recon)
    for column in ("count", "denominator"):
        frame = numeric(frame, column, recon, count=True)
    frame = numeric(frame.drop(columns=SUPPRESSED), "value", recon)
    recon.rows_used = len(frame)
    recon.check()
    columns = [*SMOKING_COLUMNS.values(), SUPPRESSED]
    table = _finish(frame, columns, ["area_type", "area_code", "period"])
    return SourceResult({"smoking_prevalence": table}, [recon])


def read(raw: RawDir) -> SourceResult:
    """All Fingertips-type tables."""
    result = SourceResult()
    for reader in (
        read_la_depression,
        read_la_self_harm,
        read_la_smi_mortality,
        read_cmd_prevalence,
        read_health_index,
        read_gp_life_expectancy,
        read_smoking,
    ):
        result = result.merge(reader(raw))
    return result
