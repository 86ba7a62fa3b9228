"""CCG sets (vintages) and their registers: which CCGs existed each April, ODS and E38 codes.

Clinical commissioning groups merged in April 2015, 2017, 2018, 2019, 2020 and 2021, and
every source reports on its own year's set. The register pairs each CCG of April 2019, 2020
and 2021 with its ODS and E38 codes and name; the other modules of this package put figures
from any year onto one of those sets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import pandas as pd

#: The CCG sets the atlas harmonises onto, and the day each came into force.
VINTAGES: Mapping[str, pd.Timestamp] = MappingProxyType(
    {
        "ccg-2019": pd.Timestamp("2019-04-01"),
        "ccg-2020": pd.Timestamp("2020-04-01"),
        "ccg-2021": pd.Timestamp("2021-04-01"),
    }
)

#: Codes that sources report in CCG columns but that are not areas, with the reason a
#: reader gives when it rejects their rows. Hubs are ODS role RO218 (commissioning hub).
NON_GEOGRAPHIC_CODES: Mapping[str, str] = MappingProxyType(
    {
        "UNKNOWN": "not a geographic CCG: UNKNOWN (no CCG could be derived for the person)",
        "13Q": "not a geographic CCG: 13Q National Commissioning Hub 1",
        "13R": "not a geographic CCG: 13R London Commissioning Hub",
        "14A": "not a geographic CCG: 14A Midlands Commissioning Hub",
        "14E": "not a geographic CCG: 14E East of England Commissioning Hub",
        "14R": "not a geographic CCG: 14R East of England - H&J Commissioning Hub",
        "X24": "not a geographic CCG: X24 NHS England",
        "NONC": "not a geographic CCG: NONC (no CCG)",
    }
)

#: A merger is read from GP practices only if this share of an old CCG's practices went to
#: one new CCG; lower means a boundary moved, which a union cannot represent.
MIN_PRACTICE_SHARE = 0.95

#: British National Grid: metres, so "nearest polygon" distances mean something.
BNG = "EPSG:27700"

BASIS_2020 = (
    "GP practice registrations: OpenPrescribing practice map (early 2020) "
    "against the QOF 2019-20 practice mapping"
)
BASIS_2021 = (
    "GP practice registrations: QOF 2019-20 practice mapping against the QOF 2020-21 mapping"
)

BOUNDARY_CHANGE = "ONS boundary change (ODS code kept)"

SUCCESSOR_COLUMNS = [
    "transition",
    "from_ods",
    "from_ons",
    "to_ods",
    "to_ons",
    "basis",
    "exchanged_with",
    "evidence",
    "practice_share",
]
REGISTER_COLUMNS = ["vintage", "ods_code", "ons_code", "name"]


def normalise_name(name: str) -> str:
    """Compare CCG names across publishers: case, '&', punctuation, 'NHS' and 'CCG' ignored.

    >>> normalise_name("NHS Airedale, Wharfedale & Craven CCG")
    'AIREDALE WHARFEDALE AND CRAVEN'
    """
    text = str(name).upper().replace("&", " AND ")
    text = re.sub(r"[^A-Z0-9 ]", " ", text)
    text = re.sub(r"\b(NHS|CCG)\b", " ", text)
    return " ".join(text.split())


def require_unique(frame: pd.DataFrame, column: str, what: str) -> None:
    """Raise when ``column`` repeats a value: each register code must name one CCG."""
    dup = frame[column][frame[column].duplicated()]
    if len(dup):
        raise ValueError(f"{what}: {column} repeated: {sorted(dup.astype(str).unique())[:10]}")


def register_2019(boundary: pd.DataFrame, iod: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    """Pair the 191 ODS codes of April 2019 with their E38 codes.

    No single file has both: the 2019 boundaries are keyed by ODS code, the IoD2019 CCG
    summaries by E38 code. A CCG that carried on into 2020 or 2021 takes the E38 code those
    registers give its ODS code (if IoD2019 has it); the others are matched by name. Both
    routes must agree and the result must be one-to-one, otherwise this raises.

    Parameters
    ----------
    boundary : columns ods_code, name (2019 boundary file).
    iod : columns ons_code, name (IoD2019 CCG summaries).
    later : columns ods_code, ons_code (the 2020 and 2021 registers).
    """
    require_unique(boundary, "ods_code", "2019 CCG boundaries")
    require_unique(iod, "ons_code", "IoD2019 CCG summaries")
    iod = iod.assign(key=iod["name"].map(normalise_name))
    require_unique(iod, "key", "IoD2019 CCG summaries (normalised names)")
    by_name = boundary["name"].map(normalise_name).map(iod.set_index("key")["ons_code"])
    by_name = by_name.astype("string")
    known = set(iod["ons_code"])
    continued = later[later["ons_code"].isin(known)].drop_duplicates(["ods_code", "ons_code"])
    require_unique(continued, "ods_code", "2020/2021 registers")
    by_code = boundary["ods_code"].map(continued.set_index("ods_code")["ons_code"])
    by_code = by_code.astype("string")
    clash = by_code.notna() & by_name.notna() & (by_code != by_name)
    if clash.any():
        raise ValueError(
            "ODS and E38 codes disagree between the code and the name match for "
            f"{sorted(boundary.loc[clash, 'ods_code'])}"
        )
    ons = by_code.fillna(by_name)
    if ons.isna().any():
        raise ValueError(
            f"no E38 code found for 2019 CCGs {sorted(boundary.loc[ons.isna(), 'ods_code'])}"
        )
    out = pd.DataFrame(
        {"vintage": "ccg-2019", "ods_code": boundary["ods_code"].to_numpy(), "ons_code": ons}
    )
    require_unique(out, "ons_code", "2019 ODS-E38 match")
    missing = known - set(out["ons_code"])
    if missing:
        raise ValueError(f"IoD2019 CCGs without an ODS code: {sorted(missing)}")
    out["name"] = out["ons_code"].map(iod.set_index("ons_code")["name"])
    return out[REGISTER_COLUMNS]


def ccg_register(
    boundary19: pd.DataFrame, iod19: pd.DataFrame, names20: pd.DataFrame, names21: pd.DataFrame
) -> pd.DataFrame:
    """The CCGs of April 2019, 2020 and 2021: vintage, ods_code, ons_code (E38), name.

    ``names20`` and ``names21`` have columns ods_code, ons_code, name; see
    :func:`register_2019` for the other two.
    """
    frames = [register_2019(boundary19, iod19, pd.concat([names20, names21]))]
    for vintage, names in (("ccg-2020", names20), ("ccg-2021", names21)):
        require_unique(names, "ods_code", f"{vintage} register")
        require_unique(names, "ons_code", f"{vintage} register")
        frames.append(names.assign(vintage=vintage)[REGISTER_COLUMNS])
    out = pd.concat(frames, ignore_index=True).astype("string")
    return out.sort_values(["vintage", "ods_code"], ignore_index=True)


def register_codes(register: pd.DataFrame, vintage: str) -> pd.DataFrame:
    """The register rows of one vintage."""
    return register[register["vintage"] == vintage]
