"""Each source's series put to the rules: one row per organisation, measure and month judged.

The rules (:mod:`.rules`) are applied where the data are collected: to each organisation's
own monthly (or quarterly) series, as the publisher reports it, before any summing or
harmonising hides a collapsed month inside a total. Every judged row keeps its evidence in
two terms: the rule's own (``value``, ``reference``, ``share``; a count, or a percentage)
and a count (``count``, and ``shortfall``, how far a caught row is below the area's usual
level), so a total built from several organisations can say how much of it is missing.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.quality import rules

#: Columns of an evidence frame.
EVIDENCE_COLUMNS = (
    "source",
    "measure",
    "org_code",
    "month",
    "rule",
    "value",
    "reference",
    "reference_periods",
    "share",
    "count",
    "shortfall",
    "denominator",
    "org_name",
)
#: MHSDS measures judged, with what they count (for notes): people in contact (the whole
#: caseload, the submission's evidence) and people with an open hospital spell.
MHSDS_MEASURES = {"MHS01": "people in contact", "MHS07": "people in hospital"}
#: Talking Therapies monthly counts judged (the counts the atlas sums over 11 months).
TT_MEASURES = {
    "referrals_received": "referrals",
    "accessing_services": "people entering treatment",
    "finished_course_treatment": "courses finished",
}
SMI_MEASURE = "All6PHC"
#: Breakdowns of the MHSDS file that are one organisation's series: CCG codes to June 2022,
#: sub-ICB codes from August 2022 (a 2022 sub-ICB location kept its 2021 CCG code).
MHSDS_BREAKDOWNS = ("ccg", "sub_icb")
NOT_AN_AREA = "UNKNOWN"


def _submission_evidence(
    series: pd.DataFrame, source: str, measure: str, org: str, count: str
) -> pd.DataFrame:
    """:func:`rules.incomplete_submission` on one measure, shaped as evidence."""
    columns = ["area", "month", "count", *(["org_name"] if "org_name" in series.columns else [])]
    judged = rules.incomplete_submission(
        series.rename(columns={org: "area", count: "count"})[columns]
    )
    org_name = judged.get("org_name", pd.Series(pd.NA, index=judged.index))
    org_name = org_name.map(_title).astype("string")
    caught = judged["caught"]
    reference = judged["reference"]
    value = judged["count"].astype("Float64")
    return pd.DataFrame(
        {
            "source": source,
            "measure": measure,
            "org_code": judged["area"].astype("string"),
            "month": pd.to_datetime(judged["month"]).astype("datetime64[ns]"),
            "rule": pd.Series(pd.NA, index=judged.index, dtype="string").mask(
                caught, rules.INCOMPLETE_SUBMISSION
            ),
            "value": value,
            "reference": reference,
            "reference_periods": judged["reference_months"],
            "share": judged["share"],
            "count": value,
            "shortfall": (reference - value).where(caught, 0.0).astype("Float64"),
            "denominator": pd.Series(pd.NA, index=judged.index, dtype="Float64"),
            "org_name": org_name,
        }
    )


def _title(name: object) -> object:
    """'NHS NEWBURY AND DISTRICT CCG' -> 'NHS Newbury and District CCG'."""
    if pd.isna(name):
        return name
    keep = {"NHS", "CCG", "ICB"}
    small = {"and", "of", "the", "on", "upon", "with"}
    words = str(name).split()
    return " ".join(
        w
        if w in keep or any(c.isdigit() for c in w)
        else (w.lower() if w.lower() in small and i else w.capitalize())
        for i, w in enumerate(words)
    )


def mhsds(monthly: pd.DataFrame) -> pd.DataFrame:
    """Every CCG and sub-ICB month of people in contact and in hospital, judged.

    One series per organisation code across both breakdowns, so a sub-ICB month of 2022 is
    set against the same code's CCG months before it.
    """
    rows = monthly.loc[
        monthly["breakdown"].isin(MHSDS_BREAKDOWNS)
        & (monthly["period_months"] == 1)
        & monthly["measure_id"].isin(list(MHSDS_MEASURES))
        & (monthly["org_code"].str.upper() != NOT_AN_AREA)
    ]
    frames = [
        _submission_evidence(
            rows.loc[rows["measure_id"] == measure], "mhsds", measure, "org_code", "value"
        )
        for measure in MHSDS_MEASURES
    ]
    return pd.concat(frames, ignore_index=True)


def talking_therapies(monthly: pd.DataFrame) -> pd.DataFrame:
    """Every sub-ICB month of referrals, people entering treatment and courses finished."""
    frames = [
        _submission_evidence(
            monthly.loc[monthly["measure"] == measure],
            "talking_therapies",
            measure,
            "sicbl_code",
            "value",
        )
        for measure in TT_MEASURES
    ]
    return pd.concat(frames, ignore_index=True)


#: The monthly statistics by provider (England and providers, from January 2021).
PROVIDER_SOURCE = "talking_therapies_monthly"


def talking_therapies_providers(monthly: pd.DataFrame, providers: pd.DataFrame) -> pd.DataFrame:
    """Every provider month of the same three counts, judged on each provider's own series."""
    names = dict(zip(providers["provider_code"], providers["provider_name"], strict=True))
    monthly = monthly.assign(org_name=monthly["provider_code"].map(names))
    frames = [
        _submission_evidence(
            monthly.loc[monthly["measure"] == measure],
            PROVIDER_SOURCE,
            measure,
            "provider_code",
            "value",
        )
        for measure in TT_MEASURES
    ]
    return pd.concat(frames, ignore_index=True)


def smi_checks(checks: pd.DataFrame) -> pd.DataFrame:
    """Every quarter's share of the SMI register with all six checks, judged per code.

    Each quarter is a rolling year, so an organisation's quarters are its own usual level;
    the atlas shows quarter 4 of each year. ``month`` is the quarter's last month.
    """
    rows = checks.loc[
        checks["measure"].isin([SMI_MEASURE, "SMIRegister"])
        & (checks["org_code"].str.upper() != NOT_AN_AREA)
    ]
    wide = rows.pivot_table(
        index=["org_code", "quarter_end"], columns="measure", values="value", aggfunc="first"
    ).reset_index()
    done = pd.to_numeric(wide[SMI_MEASURE]).astype("float64")
    register = pd.to_numeric(wide["SMIRegister"]).astype("float64")
    percent = (100 * done / register).where(register > 0)
    judged = rules.implausible_zero(
        pd.DataFrame({"area": wide["org_code"], "period": wide["quarter_end"], "value": percent})
    )
    caught = judged["caught"]
    usual = judged["reference"] / 100 * register
    month = pd.to_datetime(wide["quarter_end"]).dt.to_period("M").dt.to_timestamp()
    return pd.DataFrame(
        {
            "source": "smi_checks",
            "measure": SMI_MEASURE,
            "org_code": wide["org_code"].astype("string"),
            "month": month.astype("datetime64[ns]"),
            "rule": pd.Series(pd.NA, index=wide.index, dtype="string").mask(
                caught, rules.IMPLAUSIBLE_ZERO
            ),
            "value": judged["value"].astype("Float64"),
            "reference": judged["reference"],
            "reference_periods": judged["reference_periods"],
            "share": judged["share"],
            "count": pd.Series(done, dtype="Float64"),
            "shortfall": (usual - done).where(caught, 0.0).astype("Float64"),
            "denominator": pd.Series(register, dtype="Float64"),
            "org_name": pd.Series(pd.NA, index=wide.index, dtype="string"),
        }
    )


def measure_words(source: str, measure: str) -> str:
    """What a judged measure counts, in words for a note."""
    if source == "smi_checks":
        return "people on the SMI register with all six checks"
    return {**MHSDS_MEASURES, **TT_MEASURES}.get(measure, measure)
