"""Adults aged 16 and over per LSOA 2011, mid-2020, with the age bands modelled need uses.

OHID's modelled prevalence of common mental disorders (Fingertips 93495) is a percentage of
people aged 16 and over, so the atlas needs that denominator per neighbourhood, and the
shares of young (16-24) and older (65+) adults, whose prevalence the Adult Psychiatric
Morbidity Survey finds differs from the middle ages. This reads the same ONS single-year
file as :func:`data_pipeline.sources.population.read_lsoa11_2020` (and the same checks
apply), keeping the age columns that reader sums away.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.sources.population import LSOA11_2020, SOURCE, _counts, _english, _finish, _sum
from data_pipeline.tabular import SUPPRESSED, read_columns

__all__ = ["AGE_BANDS", "SOURCE", "read_lsoa11_2020_adults"]

#: Output column -> the single-year columns it adds up ("90+" is the open top band).
AGE_BANDS: dict[str, list[str]] = {
    "adults_16_24": [str(age) for age in range(16, 25)],
    "adults_25_64": [str(age) for age in range(25, 65)],
    "adults_65_plus": [*(str(age) for age in range(65, 90)), "90+"],
}
TABLE = "pop_lsoa11_2020_adults"


def read_lsoa11_2020_adults(raw: RawDir) -> SourceResult:
    """Adults 16+ and the 16-24, 25-64 and 65+ bands per English LSOA 2011, mid-2020."""
    ages = [age for band in AGE_BANDS.values() for age in band]
    frame = read_columns(raw.path(LSOA11_2020), LSOA11_2020, ["lsoa11_code", *ages])
    recon = Reconciliation(SOURCE, LSOA11_2020, rows_in=len(frame))
    frame = _english(frame, "lsoa11_code", r"E01\d{6}", recon, "LSOA 2011")
    frame = _counts(frame, ages, recon)
    recon.rows_used = len(frame)
    recon.notes.append("adults_16_plus = sum of single-year columns 16 to 89 and 90+")
    recon.check()
    out = pd.DataFrame({"lsoa11_code": frame["lsoa11_code"]})
    for band, columns in AGE_BANDS.items():
        out[band] = _sum(frame, columns)
    out["adults_16_plus"] = out[list(AGE_BANDS)].sum(axis=1, skipna=False)
    out[SUPPRESSED] = frame[SUPPRESSED]
    return SourceResult({TABLE: _finish(out, ["lsoa11_code"])}, [recon])
