"""The disclosure sweep: the whole atlas and every output made from it, row by row.

Every sub-national row with counts must show a value that follows from those counts (value x
denominator / multiplier gives back the numerator; Wilson and Byar limits recomputed from the
shown counts equal the stored ones). Counts from sources under NHS England's rule (released
rounded by NHS Talking Therapies and MHSDS) are never 1 to 7 below England and always a
multiple of 5; no hidden count from 1 to 7 can be worked out by taking a total's shown parts
from it. The same holds for the CSV downloads, the data inside the Altair charts the app
builds, the decile tables, pooled peer groups and the board pack's tables. Counts a
publisher releases exact (QOF registers and list sizes) are shown as published: practice
A81602's SMI register is 8, as NHS England publishes it.

These run on the atlas the app loads (``MTG_ATLAS_DIR`` or the committed one); the atlas
must have been built with the per-source releases.
"""

from __future__ import annotations

import csv
import io

import altair as alt
import pandas as pd
import pytest
from pypdf import PdfReader

from gapmap import boardpack, charts, export, gradient, icb_deciles, inequality, limits, peers
from gapmap.atlas import Atlas
from gapmap.content import read_content
from gapmap.state import Selection
from gapmap.tables import display_table
from gapmap.wording import number_format
from methods import disclosure
from tests.app import disclosurekit as kit

ROUNDED = disclosure.ROUNDED


@pytest.fixture(scope="module")
def releases() -> dict[str, tuple[str, str]]:
    return kit.releases()


@pytest.fixture(scope="module")
def local(atlas: Atlas) -> pd.DataFrame:
    return atlas.values.loc[~atlas.values["level"].isin(disclosure.NATIONAL_LEVELS)]


def _multiplier(meta: pd.Series) -> float:
    """What a value is per (a percentage of a modelled share is per 100 without saying so)."""
    if meta["statistic"] == "modelled" and meta["unit"] == "%":
        return 100.0
    value = meta.get("multiplier")
    return 1.0 if value is None or pd.isna(value) else float(value)


def _groups(atlas: Atlas, latest: bool = False) -> list[tuple[str, str, str]]:
    """(indicator, level, period) of every table the app can show below England.

    With ``latest``, only each indicator's latest period at each level (charts are slow
    to build; the counts they draw are the same atlas rows the CSVs are checked on).
    """
    keys = atlas.values[["indicator_id", "level", "period"]].drop_duplicates()
    keys = keys.loc[~keys["level"].isin(disclosure.NATIONAL_LEVELS)].astype(str)
    if latest:
        keys = pd.DataFrame(
            [
                (i, lvl, atlas.periods(i, lvl)[-1])
                for i, lvl in {(i, lvl) for i, lvl, _ in keys.to_numpy()}
            ],
            columns=keys.columns,
        )
    return sorted(map(tuple, keys.to_numpy()))


def test_the_atlas_records_each_indicators_release(atlas: Atlas, releases):
    """The read side pools and labels counts by the release the pipeline protected them by."""
    assert "release" in atlas.indicators.columns, "atlas built before releases were recorded"
    for indicator_id in atlas.indicators.index:
        meta = atlas.indicator(indicator_id)
        pair = disclosure.count_releases(
            str(meta["statistic"]), meta.get("release"), meta.get("denominator_release")
        )
        assert pair == releases[indicator_id], indicator_id


def test_every_shown_value_follows_from_the_counts_beside_it(atlas: Atlas, local):
    checked, wrong = 0, []
    for indicator_id, rows in local.groupby("indicator_id"):
        meta = atlas.indicator(str(indicator_id))
        checked += len(kit.counted(rows))
        bad = kit.not_following(rows, str(meta["statistic"]), _multiplier(meta))
        bad = pd.concat([bad, kit.count_only_not_following(rows)])
        wrong += [(indicator_id, *r) for r in bad[["area_code", "period"]].head(3).to_numpy()]
    assert checked > 50_000
    assert not wrong, f"values that do not follow from their counts, e.g. {wrong[:10]}"


def test_counts_under_the_rule_are_never_small_and_always_rounded(local, releases):
    checked = 0
    for indicator_id, rows in local.groupby("indicator_id"):
        for column in kit.ruled(releases[str(indicator_id)]):
            checked += int(rows[column].notna().sum())
            bad = kit.unsafe_counts(rows[column])
            assert bad.empty, f"{indicator_id} {column}: {bad.head().tolist()}"
    assert checked > 10_000


def test_every_hidden_row_shows_nothing_and_says_why(atlas: Atlas):
    hidden = atlas.values.loc[atlas.values["suppressed"].fillna(False).astype(bool)]
    shown = hidden[["value", *kit.LIMITS, "numerator", "denominator"]]
    assert shown.isna().all().all()
    assert hidden["note"].notna().all()
    assert (hidden["comparison"].fillna("not_compared") == "not_compared").all()


@pytest.mark.parametrize("column", ["numerator", "denominator"])
def test_no_hidden_count_can_be_worked_out_from_a_total(atlas: Atlas, column):
    revealed = kit.derivable(atlas.values, kit.parent_of(atlas.areas), column)
    assert revealed.empty, revealed.head(10).to_string()


def test_counts_a_publisher_releases_exact_are_shown_as_published(atlas: Atlas):
    """A81602's SMI register: 8 of 2,298 patients in QOF 2022-23, not rounded to 10."""
    smi = atlas.table("smi_prevalence", "practice", "2022-23").set_index("area_code")
    assert smi.loc["A81602", ["numerator", "denominator"]].tolist() == [8, 2_298]
    assert smi.loc["A81602", "value"] == pytest.approx(8 / 2_298 * 100)
    sizes = atlas.table("list_size", "practice", "2022-23").set_index("area_code")
    assert sizes.loc["Y02045", "value"] == 5  # a list of 5, as NHS England publishes it
    assert "exact" in str(atlas.indicator("list_size")["caveats"])


def test_the_decile_table_follows_the_rule_and_its_counts(atlas: Atlas, releases):
    table = atlas.decile_table
    local = table.loc[~table["level"].isin(disclosure.NATIONAL_LEVELS)]
    if local.empty:
        pytest.skip("this atlas has no decile table")
    for indicator_id, rows in local.groupby("indicator_id"):
        meta = atlas.indicator(str(indicator_id))
        bad = kit.not_following(rows, str(meta["statistic"]), _multiplier(meta))
        assert bad.empty, bad.head().to_string()
        for column in kit.ruled(releases[str(indicator_id)]):
            assert kit.unsafe_counts(rows[column]).empty, (indicator_id, column)


# ------------------------------------------------------------------------------- exports


def _csv(data: bytes) -> pd.DataFrame:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return pd.DataFrame(rows[1:], columns=rows[0])


def _same_counts(
    shown: pd.DataFrame, atlas_rows: pd.DataFrame, where: str, *, expected_places: int = 6
) -> None:
    """The counts an output shows are the atlas's, area by area (blank where hidden).

    A ratio's expected count is a modelled figure a table shows to one decimal place
    (``expected_places=1``): it must agree to that rounding; so must an apportioned count
    (prescription items shared among neighbourhoods), which is not a whole number.
    """
    truth = atlas_rows.set_index("area_code")
    for column, places in (("numerator", 6), ("denominator", expected_places)):
        printed = kit.floats(shown.set_index("code")[column])
        expected = kit.floats(truth[column]).where(~truth["suppressed"].astype(bool))
        known = expected.dropna()
        if not (known - known.round()).abs().le(1e-6).all():
            places = min(places, 1)
        tolerance = max(1e-6, 0.5 * 10.0**-places + 1e-9)
        differ = kit._differ(printed, expected.reindex(printed.index), absolute=tolerance)
        assert not differ.any(), f"{where}: {column} differs at {list(printed.index[differ])[:5]}"


def test_csv_downloads_show_the_atlas_counts_and_blank_hidden_values(atlas: Atlas, releases):
    for indicator_id, level, period in _groups(atlas):
        table = atlas.table(indicator_id, level, period)
        meta = atlas.indicator(indicator_id)
        shown = _csv(export.table_csv(display_table(table, meta)))
        where = f"{indicator_id} {level} {period}"
        counts = shown.rename(
            columns={
                "Code": "code",
                "Numerator": "numerator",
                "Denominator": "denominator",
                "Observed": "numerator",
                "Expected": "denominator",
            }
        )
        ratio = str(meta["statistic"]) == "ratio"
        _same_counts(counts, table, f"map table CSV, {where}", expected_places=1 if ratio else 6)
        raw = _csv(export.table_csv(table)).rename(
            columns={
                "Area code": "code",
                export.HEADINGS["numerator"]: "numerator",
                export.HEADINGS["denominator"]: "denominator",
            }
        )
        _same_counts(raw, table, f"atlas CSV, {where}")
        value = next(c for c in shown.columns if c.startswith("Value ("))
        blank = counts.loc[counts["code"].isin(table.loc[table["suppressed"], "area_code"])]
        assert (blank[value] == "").all(), f"{where}: a hidden value reached the CSV"
        for column in kit.ruled(releases[indicator_id]):
            assert kit.unsafe_counts(counts[column]).empty, where


def _chart_rows(chart) -> list[pd.DataFrame]:
    """Every dataset inside a chart's Vega-Lite spec that names areas."""
    with alt.data_transformers.enable("default", max_rows=None):  # as the app: 1,270 PCNs
        spec = chart.to_dict(validate=False)
    frames = [pd.DataFrame(rows) for rows in spec.get("datasets", {}).values()]
    return [f for f in frames if "area_code" in f.columns]


def _check_chart(chart, table: pd.DataFrame, meta: pd.Series, where: str) -> None:
    hidden = set(table.loc[table["suppressed"].astype(bool), "area_code"])
    for frame in _chart_rows(chart):
        if "value" in frame:
            leaked = frame.loc[frame["area_code"].isin(hidden), "value"]
            assert leaked.isna().all(), f"{where}: a hidden value is in the chart data"
        present = {"numerator", "denominator"} & set(frame.columns)
        if not present:
            continue
        rows = frame.rename(columns={"area_code": "code"}).drop_duplicates("code")
        rows = rows.assign(**{c: pd.NA for c in {"numerator", "denominator"} - present})
        truth = table.loc[table["area_code"].isin(rows["code"])]
        _same_counts(rows.loc[rows["code"].isin(truth["area_code"])], truth, where)


def test_chart_data_holds_only_what_the_atlas_shows(atlas: Atlas):
    for indicator_id, level, period in _groups(atlas, latest=True):
        if level in ("lsoa", "practice"):
            continue  # too many areas to chart: the app maps them
        table = atlas.table(indicator_id, level, period)
        meta = atlas.indicator(indicator_id)
        england = atlas.england(indicator_id, period)
        value = None if england is None or england["suppressed"] else england["value"]
        where = f"{indicator_id} {level} {period}"
        _check_chart(charts.ranked(table, meta, england_value=value), table, meta, where)
        if charts.has_funnel(meta) and table["value"].notna().sum() > 2:
            drawn = limits.funnel(table, meta, england_value=value)
            _check_chart(charts.funnel(table, meta, drawn), table, meta, f"funnel {where}")


def test_trend_charts_hold_only_what_the_atlas_shows(atlas: Atlas):
    for indicator_id in atlas.indicator_ids("sub_icb"):
        meta = atlas.indicator(indicator_id)
        for code in atlas.areas_at("sub_icb")["area_code"].head(3):
            trend = atlas.trend(indicator_id, code, "sub_icb")
            if trend["value"].notna().sum() < 2:
                continue
            chart = charts.trend(trend, meta, area_name=code)
            _check_chart(chart, trend, meta, f"trend {indicator_id} {code}")


def test_pooled_groups_follow_the_rule_and_their_counts(atlas: Atlas, releases):
    """Peer groups of every sub-ICB, and practices pooled by deprivation decile."""
    for indicator_id in atlas.indicator_ids("sub_icb"):
        meta = atlas.indicator(indicator_id)
        if str(meta["statistic"]) not in ("proportion", "rate", "ratio"):
            continue
        period = atlas.periods(indicator_id, "sub_icb")[-1]
        table = atlas.table(indicator_id, "sub_icb", period)
        for code in table["area_code"]:
            group = peers.group(atlas, Selection("sub_icb", indicator_id, period, code))
            pooled = peers.peer_value(table, group.codes, meta)
            if pooled.method != "pooled" or pooled.value is None:
                continue
            assert pooled.value == pytest.approx(
                pooled.numerator / pooled.denominator * _multiplier(meta)
            )
            if releases[indicator_id][0] == ROUNDED:
                assert kit.unsafe_counts(pd.Series([pooled.numerator])).empty, (indicator_id, code)
    for indicator_id in gradient.choices(atlas):
        meta = atlas.indicator(indicator_id)
        period = atlas.periods(indicator_id, "practice")[-1]
        frame = gradient.practice_frame(atlas, indicator_id, period)
        statistic = "rate" if meta["statistic"] == "rate" else "proportion"
        if meta["statistic"] not in ("rate", "proportion"):
            continue
        groups = inequality.by_quantile(
            frame,
            "value",
            "imd_score",
            "weight",
            10,
            statistic=statistic,
            multiplier=_multiplier(meta),
        )
        assert kit.not_following(groups, statistic, _multiplier(meta)).empty, indicator_id
        for column in kit.ruled(releases[indicator_id]):
            assert kit.unsafe_counts(groups[column]).empty, (indicator_id, column)
        charts.by_decile(groups.rename(columns={"quantile": "decile"}), meta)


def test_icb_decile_charts_follow_the_rule(atlas: Atlas, releases):
    years = icb_deciles.periods(atlas)
    if not years:
        pytest.skip("this atlas has no decile table")
    for icb in list(icb_deciles.icb_choices(atlas))[:6]:
        for indicator_id in (*icb_deciles.ACCESS, icb_deciles.RECOVERY):
            meta = atlas.indicator(indicator_id)
            frame = icb_deciles.paired(atlas, indicator_id, icb, years[-1])
            chart = charts.icb_by_decile(frame, meta, icb, years[-1])
            for data in chart.to_dict().get("datasets", {}).values():
                data = pd.DataFrame(data)
                for column in set(kit.ruled(releases[indicator_id])) & set(data.columns):
                    assert kit.unsafe_counts(data[column]).empty, (icb, indicator_id)


def test_the_board_pack_tables_print_the_atlas_values(atlas: Atlas):
    for indicator_id, level, period in _groups(atlas, latest=True):
        if level in ("lsoa", "practice"):
            continue
        facts = boardpack.facts(atlas, Selection(level, indicator_id, period, None))
        printed, _ = boardpack.ranked_table(facts)
        fmt = number_format(facts.meta)
        truth = facts.table.set_index("area_code")
        for _, row in printed.loc[printed["Code"].isin(truth.index)].iterrows():
            source = truth.loc[row["Code"]]
            hidden = bool(source["suppressed"]) or pd.isna(source["value"])
            expected = "" if hidden else fmt.text(source["value"], unit=fmt.unit == "%")
            assert row["Value"] == expected, (indicator_id, level, period, row["Code"])


# --------------------------------------------------------------------------------- words


def test_the_methods_page_states_what_every_source_releases():
    text = read_content("suppression")
    for source in disclosure.SOURCES.values():
        assert source.publisher in text, source.publisher
    for words in ("Exact counts", "rounded to the nearest 5", "Values only", "1 to 7"):
        assert words in text


def test_the_board_pack_states_what_its_own_sources_release(atlas: Atlas):
    """A pack about Talking Therapies referrals names their publisher's release, not QOF's."""
    period = atlas.periods("tt_referrals_rate", "icb")[-1]
    pdf = boardpack.build(atlas, Selection("icb", "tt_referrals_rate", period, None))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    text = " ".join(" ".join(p.split()) for p in pages if p.lstrip().startswith("Hidden"))
    assert "NHS England, NHS Talking Therapies" in text
    assert "Counts rounded to the nearest 5, small counts hidden" in text
    assert "Populations: ONS estimates" in text
    assert "Quality and Outcomes Framework" not in text
    assert "Small counts are hidden" in text and "1 to 7" in text
