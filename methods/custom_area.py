"""A user's own area: any set of neighbourhoods (LSOA 2021) and GP practices.

Three jobs, all free of any UI so the app and the tests share them:

- **Reading a pasted list** (:func:`read_codes`): LSOA, practice and ward codes and
  postcodes are told apart by their form; anything else is named and the rest kept.
- **A short, stable link** (:func:`encode`, :func:`decode`): the codes themselves, sorted,
  as gaps between their numbers in variable-length bytes, base64url. It depends on no
  atlas order, so a link made today opens the same area after a rebuild (about one and a
  half characters a neighbourhood for a council's worth of neighbouring codes).
- **Figures done properly** (:func:`add_up`) and **protected** (:func:`differencing_risk`):
  counts that add up are added up and given the same intervals as any area; a count that
  could be differenced down to 1 to 7 is not shown.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from methods import intervals
from methods.disclosure import THRESHOLD

LSOA_CODE = re.compile(r"^E01\d{6}$")
PRACTICE_CODE = re.compile(r"^[A-Z]\d{5}$")
WARD_CODE = re.compile(r"^E05\d{6}$")
#: A full UK postcode (outward and inward code), spaces optional.
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$")
#: What separates codes in a pasted list: commas, semicolons, tabs, new lines.
_SEPARATORS = re.compile(r"[,;\t\r\n|]+")
#: Most codes read from one list or link (England has 33,755 LSOAs and ~6,200 practices).
MAX_CODES = 40_000
#: Version tag of the link form, so a later form can still read today's links.
LINK_VERSION = "1"
#: How each kind of indicator is put together for an area made of parts.
COUNTS = "counts"  # numerators and denominators added, then the rate and its interval
MODELLED = "modelled"  # model-based counts added; no interval for the sum
TOTAL = "total"  # the parts' values added (a list size)
WEIGHTED = "weighted"  # a score: the parts' values weighted by their population
PARTS = "parts"  # does not add up: shown for the parts, never averaged


@dataclass(frozen=True)
class Codes:
    """What a pasted list holds, by kind, and what could not be read (with the reason)."""

    lsoas: tuple[str, ...] = ()
    practices: tuple[str, ...] = ()
    wards: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()
    rejected: tuple[tuple[str, str], ...] = field(default=())


def _token(raw: str) -> str:
    return " ".join(raw.strip().strip("\"'").upper().split())


def read_codes(text: str) -> Codes:
    """Sort a pasted list into LSOA, practice and ward codes and postcodes, each once.

    Codes may be separated by commas, semicolons, tabs or new lines (a column pasted from a
    spreadsheet), or by spaces when no postcode is among them. Anything else is kept in
    ``rejected`` with the reason, in the order given.
    """
    pieces = [_token(p) for p in _SEPARATORS.split(text or "")]
    if not any(POSTCODE.match(p) for p in pieces):
        pieces = [_token(p) for piece in pieces for p in piece.split(" ")]
    kinds: dict[str, list[str]] = {"lsoas": [], "practices": [], "wards": [], "postcodes": []}
    rejected: list[tuple[str, str]] = []
    seen: set[str] = set()
    for piece in pieces:
        kind = _kind(piece)
        piece = _postcode(piece) if kind == "postcodes" else piece
        if not piece or piece in seen:
            continue
        seen.add(piece)
        if len(seen) > MAX_CODES:
            rejected.append((piece[:20], f"more than {MAX_CODES:,} codes; the rest were not read"))
            break
        if kind:
            kinds[kind].append(piece)
        else:
            rejected.append((piece[:20], _why_not(piece)))
    return Codes(**{k: tuple(v) for k, v in kinds.items()}, rejected=tuple(rejected))


def _kind(piece: str) -> str | None:
    for kind, pattern in (
        ("lsoas", LSOA_CODE),
        ("practices", PRACTICE_CODE),
        ("wards", WARD_CODE),
        ("postcodes", POSTCODE),
    ):
        if pattern.match(piece):
            return kind
    return None


def _postcode(piece: str) -> str:
    """A postcode in its usual form: outward code, one space, inward code."""
    compact = piece.replace(" ", "")
    return f"{compact[:-3]} {compact[-3:]}"


def _why_not(piece: str) -> str:
    if piece.startswith(("W01", "S01", "E00", "E02")):
        return "not an English LSOA 2021 code (E01 and six digits)"
    if piece[:3] in ("E06", "E07", "E08", "E09", "E10", "E38", "E54"):
        return "a council or NHS area code: choose it as an area instead"
    return "not an LSOA code, GP practice code, ward code or postcode"


# --------------------------------------------------------------------------- the link


def _varint(numbers: Iterable[int]) -> bytes:
    out = bytearray()
    for n in numbers:
        while True:
            byte, n = n & 0x7F, n >> 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                break
    return bytes(out)


def _unvarint(data: bytes) -> list[int]:
    numbers, value, shift = [], 0, 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            numbers.append(value)
            value, shift = 0, 0
    if shift:
        raise ValueError("the link's list of codes is cut short")
    return numbers


def _pack(numbers: Iterable[int]) -> str:
    ordered = sorted(set(numbers))
    gaps = [b - a for a, b in zip([0, *ordered], ordered, strict=False)]
    return base64.urlsafe_b64encode(_varint(gaps)).decode("ascii").rstrip("=")


def _unpack(text: str) -> list[int]:
    if not text:
        return []
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise ValueError("the link's list of codes has characters a link never has")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return list(np.cumsum(_unvarint(data)).tolist())


def _practice_number(code: str) -> int:
    return (ord(code[0]) - ord("A")) * 100_000 + int(code[1:])


def _practice_code(number: int) -> str:
    letter, digits = divmod(number, 100_000)
    if not 0 <= letter < 26:
        raise ValueError("the link names a practice code that cannot exist")
    return f"{chr(ord('A') + letter)}{digits:05d}"


def encode(lsoas: Iterable[str], practices: Iterable[str]) -> str:
    """The link form of an area: ``1.<LSOAs>.<practices>``, each sorted and packed.

    The same set of codes always gives the same text, whatever order they were picked in.
    """
    lsoa_numbers = [int(c[3:]) for c in lsoas if LSOA_CODE.match(c)]
    practice_numbers = [_practice_number(c) for c in practices if PRACTICE_CODE.match(c)]
    return ".".join((LINK_VERSION, _pack(lsoa_numbers), _pack(practice_numbers)))


def decode(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The LSOA and practice codes of a link made by :func:`encode`.

    Raises ``ValueError`` with a reason a person can read for anything else.
    """
    parts = (text or "").split(".")
    if len(parts) != 3 or parts[0] != LINK_VERSION:
        raise ValueError("the link's area is not in a form this version of the app can read")
    lsoas = _unpack(parts[1])
    practices = _unpack(parts[2])
    if len(lsoas) + len(practices) > MAX_CODES:
        raise ValueError(f"the link names more than {MAX_CODES:,} codes")
    if any(n > 999_999 for n in lsoas):
        raise ValueError("the link names an LSOA code that cannot exist")
    return (
        tuple(f"E01{n:06d}" for n in lsoas),
        tuple(_practice_code(n) for n in practices),
    )


# ------------------------------------------------------------------------ the figures


def add_up(parts: pd.DataFrame, rule: str, multiplier: float, statistic: str) -> dict[str, object]:
    """One area's figure from its parts' rows, put together by ``rule``.

    ``parts`` has ``value``, ``numerator``, ``denominator`` and ``weight``. Parts without a
    figure are left out (a practice closed before the period), and ``parts_used`` says how
    many were used. A part whose figure was suppressed at source leaves the whole sum
    unknown, as in the atlas's own roll-ups.
    """
    empty: dict[str, object] = {"value": None, "parts_used": 0}
    if rule == PARTS or parts.empty:
        return empty
    if "suppressed" in parts.columns and parts["suppressed"].fillna(False).astype(bool).any():
        return {**empty, "suppressed_part": True}
    if rule in (COUNTS, MODELLED):
        usable = parts.loc[parts["numerator"].notna() & parts["denominator"].notna()]
        if usable.empty:
            return empty
        num = pd.Series([float(usable["numerator"].sum())])
        den = pd.Series([float(usable["denominator"].sum())])
        out: dict[str, object] = {"numerator": num.iloc[0], "denominator": den.iloc[0]}
        if rule == COUNTS:
            method = intervals.proportion if statistic == "proportion" else intervals.rate
            stats = method(num, den, multiplier).iloc[0]
            out.update({k: _number(v) for k, v in stats.items()})
        else:
            # The parts' rounded estimates would drift from the areas' own figures: weight
            # each part's prevalence by its population instead (the same sum, unrounded).
            estimate = float((usable["value"].astype(float) * usable["denominator"]).sum())
            # The parts' values are percentages; estimated people are given whole.
            out["numerator"] = float(round(estimate / 100))
            out["value"] = _number(estimate / den.iloc[0]) if den.iloc[0] else None
        return {**out, "parts_used": len(usable)}
    if rule == TOTAL:
        usable = parts.loc[parts["value"].notna()]
        value = float(usable["value"].sum()) if len(usable) else None
        return {"value": value, "parts_used": len(usable)}
    if rule == WEIGHTED:
        usable = parts.loc[parts["value"].notna() & parts["weight"].notna() & (parts["weight"] > 0)]
        if usable.empty:
            return empty
        weights = usable["weight"].astype(float)
        value = float((usable["value"].astype(float) * weights).sum() / weights.sum())
        return {"value": value, "parts_used": len(usable)}
    raise ValueError(f"unknown way of adding up {rule!r}")


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


# ---------------------------------------------------------------------- the protection


def differencing_risk(
    members: Iterable[str],
    counts: Mapping[str, float],
    published: Mapping[str, Iterable[str]],
    earlier: Mapping[str, Iterable[str]] | None = None,
) -> str | None:
    """Why a count of this area must not be shown, or None when it may be.

    ``counts`` holds the count of every part (members and others); ``published`` names the
    areas whose figures anyone can see (the councils, NHS areas and networks its parts lie
    in), ``earlier`` the user's earlier areas, each as its parts. Two areas' counts subtract
    to the count of the parts in one and not the other, so the count is withheld when

    - a member's own count is from 1 to 7 (the same area without it could be asked for), or
    - the parts it has and another area lacks, or the reverse, add up to 1 to 7.

    An area that is exactly a published one shows what is already published. Being the
    same as an earlier area of the user's proves nothing: that one may have been withheld.
    """
    mine = {m for m in members if m in counts}
    if any({p for p in parts if p in counts} == mine for parts in published.values()):
        return None
    for code in sorted(mine):
        if 0 < counts[code] < THRESHOLD:
            return (
                f"it includes {code}, whose count is from 1 to {THRESHOLD - 1}, and the area "
                f"without it could be asked for too"
            )
    for name, parts in {**published, **(earlier or {})}.items():
        theirs = {p for p in parts if p in counts}
        if theirs == mine or not theirs & mine:
            continue
        for side in (mine - theirs, theirs - mine):
            total = sum(counts[p] for p in side)
            if 0 < total < THRESHOLD:
                return (
                    f"it differs from {name} by parts whose count adds up to 1 to "
                    f"{THRESHOLD - 1}, so comparing the two would reveal it"
                )
    return None
