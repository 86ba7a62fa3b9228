"""Recorded prevalence is never judged: no "better" or "worse" in any output about it.

A low recorded prevalence can mean need nobody has diagnosed, so depression and SMI
prevalence read "higher" or "lower" than England everywhere (issue 11). For each, on the
sub-ICB map and the district map, every output is rendered — the map's HTML (tooltips and
legend, coloured by value and by comparison), the page's table, its CSV, the sentences
about each area and a profile, and the board pack's pages about it (read with pypdf) — and
none may say "better" or "worse".

The sweep runs on the committed atlas and must find nothing.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from gapmap import boardpack, export, maps, narrative, tables
from gapmap.atlas import Atlas
from gapmap.state import Selection
from gapmap.subjects import SUBJECTS
from tests.app.mapkit import forbid_network

RECORDED = ("depression_prevalence", "smi_prevalence")
AREAS = {"sub_icb": "E38000259", "ltla": "E08000028"}  # Black Country; Sandwell
JUDGING = re.compile(r"\b(better|worse)\b", re.IGNORECASE)
#: Board-pack pages about the selected indicator alone: any judgement on them is about it.
OWN_PAGES = ("The gap map", "Areas ranked", "Funnel plot", "Trend")
#: Generic prose (methods, caveats, the suppression rule, sources): not about a figure.
PROSE_PAGES = ("Methods and caveats", "Hidden and rounded numbers", "Sources and attribution")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    forbid_network(monkeypatch)


def names(data: Atlas, indicator: str) -> tuple[str, ...]:
    """How outputs name the indicator: its short name, full name and sentence subject."""
    meta = data.indicator(indicator)
    return (str(meta["short_name"]), str(meta["name"]), SUBJECTS[indicator][0])


def judged_lines(text: str, about: tuple[str, ...] | None = None) -> list[str]:
    """Lines (or sentences) that say better/worse, about the indicator where ``about`` is given."""
    pieces = [p for line in text.splitlines() for p in re.split(r"(?<=\.)\s+", line)]
    return [
        p for p in pieces if JUDGING.search(p) and (about is None or any(n in p for n in about))
    ]


def rendered_outputs(data: Atlas, indicator: str, level: str) -> dict[str, str]:
    """Every output about one indicator's latest map of a level, as text."""
    period = data.periods(indicator, level)[-1]
    meta, table = data.indicator(indicator), data.table(indicator, level, period)
    england = data.england(indicator, period)
    england_value = None if england is None else float(england["value"])
    boundaries = data.boundaries(str(data.vintage(indicator, level, period)))
    out = {}
    for colour_by in ("value", "comparison"):
        fmap = maps.choropleth(
            boundaries, table, meta, colour_by=colour_by, england_value=england_value
        )
        out[f"map by {colour_by}"] = fmap.get_root().render()
    shown = tables.display_table(table, meta)
    out["table"] = shown.to_csv(index=False)
    out["CSV"] = export.table_csv(shown).decode("utf-8-sig")
    rows = table.assign(england_value=england_value)
    out["sentences"] = "\n".join(
        narrative.indicator_sentence(row, meta, str(row["area_name"])) for _, row in rows.iterrows()
    )
    return out


def profile_text(data: Atlas, level: str) -> str:
    """The area's profile paragraphs, each with its group heading (one line per paragraph)."""
    profile = data.profile(AREAS[level], level)
    return "\n".join(narrative.profile_paragraphs(profile, data.indicators, "The area"))


def pack_pages(data: Atlas, indicator: str, level: str) -> dict[str, str]:
    """The board pack's pages (area and England packs), by title, as extracted text."""
    period = data.periods(indicator, level)[-1]
    found: dict[str, str] = {}
    for area in (AREAS[level], None):
        pdf = boardpack.build(data, Selection(level, indicator, period, area))
        for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
            text = page.extract_text()
            title = "Title" if number == 0 else text.lstrip().split("\n", 1)[0]
            found[f"{title} ({'area' if area else 'England'}, page {number + 1})"] = text
    return found


def sweep(data: Atlas) -> list[str]:
    """Every place an output about recorded prevalence says better or worse."""
    problems = []
    for level in AREAS:
        for indicator in RECORDED:
            if indicator not in data.indicator_ids(level):
                continue
            about = names(data, indicator)
            for where, text in rendered_outputs(data, indicator, level).items():
                problems += [f"{indicator} {level} {where}: {p}" for p in judged_lines(text)]
            for title, text in pack_pages(data, indicator, level).items():
                if title.startswith(PROSE_PAGES):
                    continue
                whole = title.startswith(OWN_PAGES)
                found = judged_lines(text, None if whole else about)
                problems += [f"{indicator} {level} pack {title}: {p}" for p in found]
        for paragraph in profile_text(data, level).splitlines():
            mentions = any(n in paragraph for i in RECORDED for n in names(data, i)[2:])
            heading = paragraph.split(".**", 1)[0]
            if mentions and JUDGING.search(heading):
                problems.append(f"profile {level}: {paragraph[:160]}")
            problems += [
                f"profile {level}: {p}"
                for i in RECORDED
                for p in judged_lines(paragraph.split(".**", 1)[-1], names(data, i)[2:])
            ]
    return problems


def test_the_committed_atlas_never_judges_recorded_prevalence(atlas):
    problems = sweep(atlas)
    assert not problems, "\n".join(problems[:20])
