"""Physical health checks for people with severe mental illness, by CCG / sub-ICB, quarterly.

One raw file, ``services/smi_physical_health_checks_by_ccg_subicb_q3_2018-19_to_q4_2023-24.csv``
(NHS England, converted from the published workbook). Each quarter's figures are rolling 12
months: people on the SMI register, and how many of them had each of the six checks and all
six. The code set follows CCG mergers (195, 191, 135, then 106 codes), so values are kept
against the code as published; mapping to one boundary vintage is the build's job.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.tabular import SUPPRESSED, numeric, read_csv_text, require_columns

SOURCE = "smi_checks"
FILE = "services/smi_physical_health_checks_by_ccg_subicb_q3_2018-19_to_q4_2023-24.csv"

#: The published questions: the register, each of the six checks, and all six together.
MEASURES = (
    "SMIRegister",
    "All6PHC",
    "Alcohol",
    "BloodGlucose",
    "BloodLipid",
    "BloodPressure",
    "BMIWeight",
    "Smoking",
)
_PERIOD = r"^SMI-Q(?P<quarter>[1-4])-(?P<start>\d{4})-(?P<end>\d{4})$"
#: ODS codes: 3 characters for CCGs / sub-ICB locations, 5 for the April 2021 merged CCGs.
_ODS = r"^[0-9A-Z]{3}$|^[0-9A-Z]{5}$"
#: Month and day each financial quarter ends; Q4 ends in the following calendar year.
_QUARTER_END = {1: (0, 6, 30), 2: (0, 9, 30), 3: (0, 12, 31), 4: (1, 3, 31)}
OUT = ["fin_year", "quarter", "quarter_end", "org_code", "measure", "value", SUPPRESSED]


def parse_period(frame: pd.DataFrame, recon: Reconciliation) -> pd.DataFrame:
    """Split ``SMI-Q4-2023-2024`` into ``fin_year`` 2023-24, ``quarter`` 4, ``quarter_end``."""
    parts = frame["Period"].astype("string").str.strip().str.extract(_PERIOD)
    start = pd.to_numeric(parts["start"]).astype("Int64")
    end = pd.to_numeric(parts["end"]).astype("Int64")
    bad = parts["quarter"].isna() | (end - start).ne(1).fillna(True)
    frame = recon.reject_mask(frame, bad, "period not in the form SMI-Q4-2023-2024")
    parts, start = parts.loc[~bad], start.loc[~bad]
    quarter = pd.to_numeric(parts["quarter"]).astype("Int64")
    ends = [
        pd.Timestamp(int(y) + _QUARTER_END[q][0], _QUARTER_END[q][1], _QUARTER_END[q][2])
        for y, q in zip(start, quarter, strict=True)
    ]
    fin_year = start.astype("string") + "-" + ((start + 1) % 100).astype("string").str.zfill(2)
    return frame.assign(
        fin_year=fin_year,
        quarter=quarter,
        quarter_end=pd.Series(ends, index=frame.index, dtype="datetime64[ns]"),
    )


def read(raw: RawDir) -> SourceResult:
    """Table ``smi_checks``: one row per quarter, CCG / sub-ICB code and question."""
    path = raw.path(FILE)
    recon = Reconciliation(SOURCE, FILE)
    frame = read_csv_text(path, FILE)
    require_columns(frame, ["Period", "CCG Code", "Question", "Answer"], FILE)
    recon.rows_in = len(frame)
    frame = parse_period(frame, recon)
    code = frame["CCG Code"].astype("string").str.strip()
    frame = recon.reject_mask(
        frame.assign(org_code=code),
        ~code.str.fullmatch(_ODS).fillna(False),
        "not a CCG / sub-ICB ODS code",
    )
    question = frame["Question"].astype("string").str.strip().fillna("(blank)")
    other = ~question.isin(MEASURES)
    for name in sorted(set(question[other])):
        recon.reject(f"measure not used by the atlas: {name}", int(question.eq(name).sum()))
    frame = frame.loc[~other].assign(measure=question[~other])
    frame = numeric(frame, "Answer", recon, count=True)
    out = pd.DataFrame(
        {
            "fin_year": frame["fin_year"],
            "quarter": frame["quarter"],
            "quarter_end": frame["quarter_end"],
            "org_code": frame["org_code"],
            "measure": frame["measure"],
            "value": frame["Answer"],
            SUPPRESSED: frame[SUPPRESSED].astype(bool),
        }
    )
    keys = ["quarter_end", "org_code", "measure"]
    out = recon.reject_mask(
        out, out.duplicated(keys), "duplicate row (same quarter, code and question)"
    )
    out = out.sort_values(keys).reset_index(drop=True)[OUT]
    recon.rows_used = len(out)
    recon.notes.append(
        "values are rolling 12-month counts at quarter end; a blank answer (e.g. 07M and 15A "
        "in 2018-19) is kept as missing and flagged source_suppressed"
    )
    recon.notes.append("there is no England row: England is the sum of the codes")
    recon.check()
    return SourceResult({"smi_checks": out}, [recon])
