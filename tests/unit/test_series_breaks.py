"""The breaks file: read and checked on its own, then against the values of a build."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_pipeline.indicators import load_catalogue, series_breaks
from data_pipeline.indicators.series_breaks import BreaksError, SeriesBreak


def values(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """A values table holding (indicator, level, period) rows."""
    return pd.DataFrame(rows, columns=["indicator_id", "level", "period"]).assign(value=1.0)


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "breaks.toml"
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = """
[[break]]
indicator = "tt_referrals_rate"
period = "Jul 2022 - May 2023"
label = "11 months"
change = "it covers 11 months"
"""


def test_the_breaks_file_reads_and_names_catalogue_indicators() -> None:
    breaks = series_breaks.load()
    catalogue = load_catalogue()
    assert breaks, "the breaks file lists no break"
    for entry in breaks:
        assert entry.indicator in catalogue, entry
        assert entry.change and not entry.change.endswith("."), entry
        assert len(entry.label) <= series_breaks.MAX_LABEL, entry
    named = {(b.indicator, b.period) for b in breaks}
    assert ("tt_referrals_rate", "Jul 2022 - May 2023") in named
    assert ("mhsds_in_contact_rate", "Nov 2022") in named
    assert ("imd_score", "IoD2025") in named


def test_a_break_expands_to_its_levels_and_every_level_holding_the_period(tmp_path) -> None:
    held = values(
        ("tt_referrals_rate", "england", "2021-22"),
        ("tt_referrals_rate", "england", "Jul 2022 - May 2023"),
        ("tt_referrals_rate", "sub_icb", "Jul 2022 - May 2023"),
        ("tt_referrals_rate", "ccg", "2021-22"),
    )
    table = series_breaks.table(held, path=written(tmp_path, ENTRY))
    assert list(table.columns) == list(series_breaks.COLUMNS)
    assert list(table["level"]) == ["england", "sub_icb"]
    assert not table["apart"].any()
    named = SeriesBreak("tt_referrals_rate", "Jul 2022 - May 2023", "x", "y", ("england",))
    assert list(series_breaks.table(held, [named])["level"]) == ["england"]


def test_a_break_the_values_do_not_hold_stops_the_build_naming_the_entry(tmp_path) -> None:
    held = values(("tt_referrals_rate", "england", "2021-22"))
    wrong_level = SeriesBreak("tt_referrals_rate", "2021-22", "x", "y", ("icb",))
    with pytest.raises(BreaksError, match=r"break 1: 'tt_referrals_rate' has no period "):
        series_breaks.table(held, [wrong_level])
    with pytest.raises(BreaksError, match="no level of 'tt_referrals_rate' has the period"):
        series_breaks.table(held, path=written(tmp_path, ENTRY))
    unknown = SeriesBreak("no_such_indicator", "2021-22", "x", "y")
    with pytest.raises(BreaksError, match="'no_such_indicator' has no values"):
        series_breaks.table(held, [unknown])


def test_a_level_a_missing_source_cost_is_left_out_not_refused(tmp_path) -> None:
    """``build --allow-missing``: a break on a level the missing file held is dropped."""
    held = values(
        ("tt_referrals_rate", "england", "2021-22"),
        ("tt_referrals_rate", "sub_icb", "Jul 2022 - May 2023"),
    )
    named = SeriesBreak("tt_referrals_rate", "Jul 2022 - May 2023", "x", "y", ("england", "icb"))
    with pytest.raises(BreaksError):
        series_breaks.table(held, [named])
    kept = series_breaks.table(held, [named], lost={"tt_referrals_rate": ["england", "icb"]})
    assert kept.empty
    gone = SeriesBreak("smi_prevalence", "2019-20", "x", "y")
    assert series_breaks.table(held, [gone], lost={"smi_prevalence": ["ccg"]}).empty


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (ENTRY.replace('label = "11 months"\n', ""), "needs 'label'"),
        (ENTRY + 'levels = "england"\n', "'levels' must be a list"),
        (ENTRY + "apart = 1\n", "'apart' must be true or false"),
        (ENTRY + 'colour = "red"\n', "unknown keys"),
        (ENTRY.replace('"11 months"', '"' + "x" * 40 + '"'), "longer than"),
        (ENTRY + ENTRY, "repeats"),
        ('[other]\nkey = "value"\n', "tables other than"),
    ],
)
def test_a_malformed_entry_is_refused_with_what_to_do(tmp_path, text, problem) -> None:
    with pytest.raises(BreaksError, match=problem) as caught:
        series_breaks.load(written(tmp_path, text))
    assert "What to do: correct the entry" in str(caught.value)
