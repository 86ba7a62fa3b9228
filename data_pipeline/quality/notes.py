"""What a flagged row says: its note, and its line in the table of every row caught.

The note names the evidence (the figure, the area's usual level) so a reader can judge it;
the table (``quality.parquet``) lists every flagged row with the same evidence as columns.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.quality import evidence, rules
from methods.atlas_tables import QUALITY_COLUMNS, QUALITY_NUMBERS

#: Columns of ``quality.parquet`` (the contract with the app, in :mod:`methods.atlas_tables`).
TABLE_COLUMNS = QUALITY_COLUMNS
KEY = ["indicator_id", "area_code", "level", "vintage", "period"]
#: ``basis`` of a row that is itself the month caught, and of a total that includes one.
CAUGHT, INCLUDES = "caught", "includes caught months"
#: Parts named in a note; more are counted.
NAMED_PARTS = 3
ENGLAND_NOTE = (
    "England here is the sum of the areas without a data-quality flag: {n} area{s} "
    "with incomplete or implausible figures {verb} left out."
)


def empty_table() -> pd.DataFrame:
    """The table of caught rows with no rows."""
    return pd.DataFrame({column: pd.Series(dtype="object") for column in TABLE_COLUMNS})


def table(values: pd.DataFrame, caught: pd.DataFrame) -> pd.DataFrame:
    """``quality.parquet``: every caught row with the value the atlas shows for it."""
    shown = values[[*KEY, "value"]].rename(columns={"value": "row_value"})
    out = caught.drop(columns=["row_value"], errors="ignore").merge(shown, on=KEY, how="left")
    out = out.reindex(columns=list(TABLE_COLUMNS))
    for column in QUALITY_NUMBERS:
        out[column] = pd.to_numeric(out[column]).astype("Float64")
    for column in set(TABLE_COLUMNS) - set(QUALITY_NUMBERS):
        out[column] = out[column].astype("string")
    return out.sort_values(["rule", "indicator_id", "level", "period", "area_code"]).reset_index(
        drop=True
    )


def counts(caught: pd.DataFrame) -> dict[str, int]:
    """Rows caught by each rule, for the manifest."""
    return {rule: int((caught["rule"] == rule).sum()) for rule in rules.RULES}


def england_note(left_out: int, earlier: object) -> str:
    """The note of an England sum that leaves flagged areas out (after any earlier note)."""
    note = ENGLAND_NOTE.format(
        n=left_out, s="" if left_out == 1 else "s", verb="is" if left_out == 1 else "are"
    )
    return note if pd.isna(earlier) else f"{earlier} {note}"


#: From this month on, organisation codes are 2022 sub-ICB locations, named as such.
SUB_ICB_FROM = pd.Timestamp("2022-07-01")


def names(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, str], dict[str, str]]:
    """Code -> name, for CCGs (ODS and ONS codes of every register) and 2023 sub-ICBs."""
    ccg: dict[str, str] = {}
    register = tables.get("ccg_register")
    if register is not None:
        register = register.sort_values("vintage")
        ccg.update(zip(register["ods_code"], register["name"], strict=True))
        ccg.update(zip(register["ons_code"], register["name"], strict=True))
    sub_icb: dict[str, str] = {}
    boundary = tables.get("boundary_sub_icb")
    if boundary is not None:
        sub_icb.update(zip(boundary["area_code"], boundary["area_name"], strict=True))
    clean = lambda d: {str(k): str(v) for k, v in d.items() if pd.notna(k) and pd.notna(v)}  # noqa: E731
    return clean(ccg), clean(sub_icb)


def _name(part: pd.Series, known: tuple[dict[str, str], dict[str, str]]) -> str:
    """The part's own name in the source, else the register's name for its code and time."""
    if pd.notna(part.get("org_name")):
        return str(part["org_name"])
    ccg, sub_icb = known
    code = str(part["org_code"])
    first, second = (sub_icb, ccg) if part["month"] >= SUB_ICB_FROM else (ccg, sub_icb)
    return first.get(code) or second.get(code) or code


def _month(stamp: pd.Timestamp) -> str:
    return pd.Timestamp(stamp).strftime("%B %Y")


def _figure(value: float, source: str) -> str:
    return f"{value:.1f}%" if source == "smi_checks" else f"{value:,.0f}"


def _one_part(part: pd.Series, name: str | None) -> str:
    """'NHS X CCG: 740 people in contact in November 2022, against a median of 17,478 ...'."""
    source = str(part["source"])
    value, reference = _figure(part["value"], source), _figure(part["reference"], source)
    if source == "smi_checks":
        text = (
            f"{value} of people on the SMI register had all six checks in the year to "
            f"{_month(part['month'])}, against a median of {reference} in its other quarters"
        )
    else:
        words = evidence.measure_words(source, str(part["measure"]))
        text = (
            f"{value} {words} in {_month(part['month'])}, against a median of {reference} in "
            f"the previous {int(part['reference_periods'])} months"
        )
    return f"{name}: {text}" if name else text


def _row_note(rule: str, parts: pd.DataFrame, months: int, known) -> str:
    """The note of one flagged row from its caught parts (each at its latest caught month).

    A row that is one organisation's caught month says so; a total over several
    organisations or months names the caught parts and how short they leave it.
    """
    label = rules.RULES[rule].label
    short = float(parts["short_share"].iat[0])
    own = len(parts) == 1 and bool(parts["direct"].iat[0])
    if own and int(parts["row_months"].iat[0]) == 1:
        return f"Data quality: {label} ({_one_part(parts.iloc[0], None)})."
    if own:
        others = f"; {months - 1} other caught month{'s' if months > 2 else ''}"
        others = others if months > 1 else ""
        evidence_text = _one_part(parts.iloc[0], None) + others
    else:
        shown = [_one_part(p, _name(p, known)) for _, p in parts.head(NAMED_PARTS).iterrows()]
        more = len(parts) - NAMED_PARTS
        evidence_text = "; ".join(shown) + (f"; and {more} more" if more > 0 else "")
    where = "" if own else " in part of this area"
    return (
        f"Data quality: {label}{where} ({evidence_text}), leaving this figure about "
        f"{short:.0%} short of its usual level."
    )


def _line(info: pd.Series, own: pd.DataFrame, months: list, known) -> dict:
    """The table line of one flagged row."""
    source, rule = str(own["source"].iat[0]), str(own["rule"].iat[0])
    count = own["count"].astype("float64").sum()
    usual = count + own["shortfall"].astype("float64").sum()
    if source == "smi_checks":
        register = own["denominator"].astype("float64").sum()
        value, reference = 100 * count / register, 100 * usual / register
    else:
        value, reference = count, usual
    whole = len(own) == 1 and bool(own["direct"].iat[0]) and int(own["row_months"].iat[0]) == 1
    return {
        "rule": rule,
        "indicator_id": info["indicator_id"],
        "area_code": info["area_code"],
        "level": info["level"],
        "vintage": info["vintage"],
        "period": info["period"],
        "basis": CAUGHT if whole else INCLUDES,
        "measure": evidence.measure_words(source, str(own["measure"].iat[0])),
        "months": ", ".join(pd.Timestamp(m).strftime("%Y-%m") for m in months),
        "unit": "percent" if source == "smi_checks" else "count",
        "value": value,
        "reference": reference,
        "share": value / reference if reference else float("nan"),
        "short_share": float(own["short_share"].iat[0]),
        "parts": "; ".join(_name(p, known) for _, p in own.iterrows()),
        "note": _row_note(rule, own, len(months), known),
    }


def describe(obs: pd.DataFrame, parts: pd.DataFrame, ctx) -> pd.DataFrame:
    """One line per flagged row (column ``row``: its index in ``obs``) with its note."""
    if parts.empty:
        return empty_table().assign(row=pd.Series(dtype="int64"))
    known = names(ctx.tables)
    parts = parts.sort_values(["row", "month", "org_code"], ascending=[True, False, True])
    latest = parts.drop_duplicates(["row", "org_code"])
    lines = []
    for row, own in latest.groupby("row", sort=True):
        months = sorted(parts.loc[parts["row"] == row, "month"].unique())
        lines.append({"row": row, **_line(obs.loc[row], own, months, known)})
    return pd.DataFrame(lines)
