"""No output discloses a small count: atlas, tables, CSVs, peer groups, charts, board pack.

Hypothesis draws counts for every sub-ICB location (many of them small) for one indicator
whose numerator is under NHS England's rule (Talking Therapies access, over an exact
population), runs them through the pipeline's statistics and disclosure control, puts them
into an otherwise real atlas, and then reads them back through everything a user can see or
download. No numerator shown may be a count from 1 to 7, every shown local numerator is a
multiple of 5, the exact denominator is shown as it is, and an area whose count is small
shows no value, interval or comparison anywhere.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from data_pipeline.indicators import finalise, load_catalogue, observations
from gapmap import boardpack, charts, export, narrative, peers, tables
from gapmap.atlas import ENGLAND, Atlas
from gapmap.comparison import comparison_table
from gapmap.state import Selection
from methods.disclosure import THRESHOLD

INDICATOR = "tt_access_rate"
LEVEL = "sub_icb"
CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def real() -> Atlas:
    return Atlas.load()


def counts_for(n: int):
    small = st.integers(min_value=0, max_value=12)
    big = st.integers(min_value=13, max_value=50_000)
    numerator = st.one_of(small, big)
    extra = st.one_of(st.integers(0, 10), st.integers(11, 400_000))
    return st.lists(st.tuples(numerator, extra), min_size=n, max_size=n)


def with_counts(real: Atlas, counts: list[tuple[int, int]]) -> tuple[Atlas, str, pd.DataFrame]:
    """The real atlas with this indicator's latest sub-ICB period replaced by ``counts``."""
    period = real.periods(INDICATOR, LEVEL)[-1]
    table = real.table(INDICATOR, LEVEL, period)
    vintage = real.vintage(INDICATOR, LEVEL, period)
    raw = pd.DataFrame(
        {
            "area_code": table["area_code"].to_numpy(),
            "level": LEVEL,
            "vintage": vintage,
            "numerator": [n for n, _ in counts],
            "denominator": [n + extra for n, extra in counts],
        }
    )
    england = {
        "area_code": ENGLAND,
        "level": "england",
        "vintage": "england",
        "numerator": int(raw["numerator"].sum()),
        "denominator": max(int(raw["denominator"].sum()), 1),
    }
    obs = observations(
        pd.concat([raw, pd.DataFrame([england])], ignore_index=True),
        indicator_id=INDICATOR,
        period=period,
    )
    fresh = finalise(obs, CATALOGUE)
    values = real.values
    replaced = (values["indicator_id"] == INDICATOR) & (values["period"] == period)
    replaced &= values["level"].isin([LEVEL, "england"])
    merged = pd.concat([values.loc[~replaced], fresh[values.columns]], ignore_index=True)
    atlas = Atlas(real.areas, merged, real.indicators, real.manifest, real.root)
    return atlas, period, raw


def assert_counts_safe(frame: pd.DataFrame, columns: list[str], where: str) -> None:
    for column in columns:
        shown = pd.to_numeric(frame[column], errors="coerce").dropna()
        small = shown[(shown >= 1) & (shown < THRESHOLD)]
        assert small.empty, f"{where}: {column} shows {list(small)[:5]}"
        assert (shown % 5 == 0).all(), f"{where}: {column} not rounded to 5"


def csv_frame(data: bytes) -> pd.DataFrame:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return pd.DataFrame(rows[1:], columns=rows[0])


def small_areas(raw: pd.DataFrame) -> set[str]:
    """Areas whose numerator (the count under the rule) is small."""
    return set(raw.loc[raw["numerator"].between(1, THRESHOLD - 1), "area_code"])


@settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # 106-area examples: no shrinking
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_output_discloses_a_small_count(real, data):
    n = len(real.table(INDICATOR, LEVEL, real.periods(INDICATOR, LEVEL)[-1]))
    atlas, period, raw = with_counts(real, data.draw(counts_for(n)))
    hidden = small_areas(raw)
    table = atlas.table(INDICATOR, LEVEL, period)
    meta = atlas.indicator(INDICATOR)

    # the atlas itself: the rounded numerator protected, the exact population as it is
    assert_counts_safe(table, ["numerator"], "atlas")
    shown = table.loc[~table["suppressed"].astype(bool)].set_index("area_code")
    exact = raw.set_index("area_code")["denominator"].reindex(shown.index)
    assert (shown["denominator"].astype(float) == exact.astype(float)).all()
    secret = table.loc[table["area_code"].isin(hidden)]
    assert secret["suppressed"].all()
    assert secret[["value", "lower_95", "upper_95", "lower_998", "upper_998"]].isna().all().all()

    # the map's table and its CSV download
    shown = tables.display_table(table, meta)
    downloaded = csv_frame(export.table_csv(shown))
    assert_counts_safe(downloaded, ["Numerator"], "table CSV")
    blank = downloaded.loc[downloaded["Code"].isin(hidden), f"Value ({meta['unit']})"]
    assert (blank == "").all(), "a hidden area's value reached the CSV"

    # the ranked chart's data and its exported caption
    chart = charts.ranked(table, meta, selected=None, england_value=None)
    spec = chart.to_dict()
    for rows in spec.get("datasets", {}).values():
        frame = pd.DataFrame(rows)
        if "area_code" in frame and "value" in frame:
            assert frame.loc[frame["area_code"].isin(hidden), "value"].isna().all()
        assert_counts_safe(frame, [c for c in ("numerator",) if c in frame], "chart data")
    framed = export.captioned(
        chart, title=str(meta["name"]), subtitle=None, source="s", period=period
    )
    caption = str(framed.to_dict().get("title", ""))
    assert not re.search(r"\b[1-7]\b", caption.replace(period, "")), caption

    # a hidden area: its sentences, its peer comparisons, its board-pack rows
    if not hidden:
        return
    area = sorted(hidden)[data.draw(st.integers(0, len(hidden) - 1))]
    selection = Selection(LEVEL, INDICATOR, period, area)
    row = table.set_index("area_code").loc[area]
    sentence = narrative.indicator_sentence(row, meta, "Area")
    assert not re.search(r"\d", sentence.replace(str(THRESHOLD), "").replace(period, "")), sentence

    group = peers.group(atlas, selection)
    pooled = peers.peer_value(table, group.codes, meta)
    count = pooled.numerator
    assert count is None or (not 1 <= count < THRESHOLD and count % 5 == 0)
    chosen = peers.group(atlas, replace(selection, peers=tuple(sorted(hidden - {area}))[:20]))
    pooled = peers.peer_value(table, chosen.codes, meta)  # a group of small areas
    assert pooled.method != "pooled" or pooled.value is None or pooled.numerator >= THRESHOLD

    summary = peers.summary_table(atlas, selection)
    summary = summary.loc[summary["Code"] != ENGLAND]  # national counts are exact
    selected = summary.loc[summary["Code"] == area]
    assert selected.filter(like="Value").isna().all().all(), "hidden value in the peer table"
    for column in [c for c in summary.columns if "umerator" in c]:
        assert_counts_safe(summary, [column], "peer summary")
    comparison = comparison_table(atlas, selection, (INDICATOR,))
    assert comparison["Area"].isna().all(), "a hidden value reached the comparison table"

    printed = boardpack.area_table(atlas, selection)
    first = printed.iloc[0]
    assert first.iloc[2] == "" and first.iloc[3] == "", "a hidden value reached the board pack"
    facts = boardpack.facts(atlas, selection)
    ranked, _note = boardpack.ranked_table(facts)
    mine = ranked.loc[ranked["Code"] == area]
    assert mine.empty or ((mine["Value"] == "") & (mine["95% confidence interval"] == "")).all()


def test_the_board_pack_pdf_hides_a_small_count(real):
    """One whole pack, read back as text: the hidden area's figure is nowhere in it."""
    from pypdf import PdfReader

    period = real.periods(INDICATOR, LEVEL)[-1]
    n = len(real.table(INDICATOR, LEVEL, period))
    counts = [(4_000 + 37 * i, 30_000 + 11 * i) for i in range(n)]
    counts[0] = (3, 61)  # 4,918 per 100,000: suppressed, and no other area is near it
    atlas, period, raw = with_counts(real, counts)
    area = str(raw["area_code"].iloc[0])
    pdf = boardpack.build(atlas, Selection(LEVEL, INDICATOR, period, area))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "suppress" in text.lower()
    assert "4,918" not in text and "4918" not in text
