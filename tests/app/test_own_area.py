"""A user's own area against the committed atlas, and its page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from gapmap import custom_area as area_data
from gapmap import custom_area_tables as area_tables
from gapmap.atlas import Atlas
from methods import custom_area as custom

pytestmark = pytest.mark.usefixtures("fresh_caches")

ROOT = Path(__file__).resolve().parents[2]
SANDWELL = "E08000028"
PAGE = str(ROOT / "app_pages" / "own_area.py")


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return Atlas.load()


def _sandwell(atlas: Atlas) -> area_data.Members:
    areas = atlas.areas
    lsoas = areas.loc[(areas["level"] == "lsoa") & (areas["parent_ltla"] == SANDWELL)]
    practices = areas.loc[
        (areas["level"] == "practice")
        & (areas["parent_ltla"] == SANDWELL)
        & (areas["vintage"] == "practice-2024-25")
    ]
    return area_data.Members(
        tuple(lsoas["area_code"].astype(str)), tuple(practices["area_code"].astype(str))
    )


def _one(frame: pd.DataFrame, indicator: str, period: str) -> pd.Series:
    rows = frame.loc[(frame["indicator_id"] == indicator) & (frame["period"] == period)]
    assert len(rows) == 1, (indicator, period, len(rows))
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("indicator", "period", "level"),
    [
        ("antidepressant_items_per_1000", "2025 Q1-Q2", "ltla"),
        ("mh_need_score", "IoD2025", "ltla"),
        ("cmd_prevalence_modelled", "2017 model, IoD2025 predictors", "ltla"),
        ("depression_prevalence", "2024-25", "utla"),
        ("smi_prevalence", "2024-25", "utla"),
        ("smi_prevalence", "2024-25", "ltla"),
    ],
)
def test_all_of_sandwell_gives_sandwells_own_figures(atlas, indicator, period, level):
    """Every LSOA of Sandwell and every practice located there add up to the council's
    figures (practices by location, as the atlas builds the council's QOF figures)."""
    figures = area_data.figures(atlas, _sandwell(atlas))
    mine = _one(figures, indicator, period)
    table = atlas.values.loc[
        (atlas.values["indicator_id"] == indicator)
        & (atlas.values["level"] == level)
        & (atlas.values["period"] == period)
        & (atlas.values["area_code"] == SANDWELL)
    ]
    assert len(table) == 1
    theirs = table.iloc[0]
    assert mine["value"] == pytest.approx(float(theirs["value"]), rel=1e-9)
    for column in ("lower_95", "upper_95", "numerator", "denominator"):
        if pd.notna(theirs[column]) and pd.notna(mine[column]):
            assert mine[column] == pytest.approx(float(theirs[column]), rel=1e-6), column
    if area_data.rule_for(atlas.indicator(indicator)) == custom.COUNTS:
        assert mine["comparison"] == theirs["comparison"]


def test_a_pcn_made_of_its_practices_gives_the_pcns_figures(atlas):
    areas = atlas.areas
    practices = areas.loc[
        (areas["level"] == "practice")
        & (areas["vintage"] == "practice-2024-25")
        & (areas["parent_pcn"] == "U11746")
    ]
    assert len(practices) > 1
    area = area_data.Members(practices=tuple(practices["area_code"].astype(str)))
    mine = _one(area_data.figures(atlas, area), "depression_prevalence", "2024-25")
    theirs = atlas.values.loc[
        (atlas.values["indicator_id"] == "depression_prevalence")
        & (atlas.values["area_code"] == "U11746")
        & (atlas.values["period"] == "2024-25")
    ].iloc[0]
    assert (mine["numerator"], mine["denominator"]) == (theirs["numerator"], theirs["denominator"])


def test_pasted_codes_are_used_or_named_with_a_reason(atlas):
    text = "E01009921\nE01999999\nM88004\nZ99999\nE05001260\nB70 9PL\nW01000001\nhello\nE05999999"
    found = area_data.members(atlas, custom.read_codes(text))
    reasons = dict(found.rejected)
    assert "E01009921" in found.lsoas
    assert "M88004" in found.practices
    ward_lsoas = atlas.areas.loc[atlas.areas["ward_code"] == "E05001260", "area_code"]
    assert set(ward_lsoas) <= set(found.lsoas) and len(ward_lsoas) > 0
    assert set(reasons) == {"E01999999", "Z99999", "B70 9PL", "W01000001", "HELLO", "E05999999"}
    assert "no GP practice at this postcode" in reasons["B70 9PL"]


def test_a_figure_that_differs_from_its_council_by_a_small_count_is_withheld(atlas):
    """A council's practices but one with an SMI register from 1 to 7: the area differs
    from the council (a published area) by that register, so its SMI figure is not shown;
    with that practice back, the figure is the council's own."""
    values = atlas.values
    smi = values.loc[
        (values["indicator_id"] == "smi_prevalence")
        & (values["period"] == "2024-25")
        & (values["level"] == "practice")
    ]
    practices = atlas.areas.loc[
        (atlas.areas["level"] == "practice") & (atlas.areas["vintage"] == "practice-2024-25")
    ]
    smi = smi.merge(practices[["area_code", "parent_ltla"]], on="area_code")
    smalls = smi.loc[smi["numerator"].between(1, 7)]
    alone = smalls.groupby("parent_ltla").filter(lambda g: len(g) == 1)
    small = alone.sort_values("area_code").iloc[0]
    council = small["parent_ltla"]
    whole = tuple(practices.loc[practices["parent_ltla"] == council, "area_code"].astype(str))
    left = tuple(p for p in whole if p != small["area_code"])
    row = _one(
        area_data.figures(atlas, area_data.Members(practices=left)), "smi_prevalence", "2024-25"
    )
    assert pd.isna(row["value"]) and "Not shown" in row["note"], row["note"]
    assert "differs from" in row["note"]
    row = _one(
        area_data.figures(atlas, area_data.Members(practices=whole)), "smi_prevalence", "2024-25"
    )
    assert row["value"] == pytest.approx(_council_smi(atlas, council))


def _council_smi(atlas: Atlas, council: str) -> float:
    values = atlas.values
    return float(
        values.loc[
            (values["indicator_id"] == "smi_prevalence")
            & (values["period"] == "2024-25")
            & (values["level"] == "ltla")
            & (values["area_code"] == council),
            "value",
        ].iloc[0]
    )


def test_an_earlier_area_is_a_reference_too(atlas):
    parts = ("E01009921", "E01009922")
    area = area_data.Members(lsoas=parts)
    published, earlier = area_data.references(
        atlas, area, "lsoa", {"mine": area_data.Members(lsoas=parts[:1])}
    )
    assert earlier == {"your earlier area 'mine'": {parts[0]}}
    assert "Sandwell (E08000028)" in published


def _page(query: dict[str, str]) -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    app.switch_page(PAGE)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_page_opens_a_shared_link_and_reads_cleanly(atlas):
    area = area_data.Members(("E01009921", "E01009922", "E01009923"), ("M88004",))
    app = _page({"own": area.link(), "own_name": "Tipton estates"})
    assert [h.value for h in app.header] == ["Tipton estates"]
    text = " ".join(m.value for m in app.markdown)
    assert "3 neighbourhoods and 1 GP practice." in text
    assert "Recorded depression in Tipton estates" in text
    table = app.dataframe[0].value
    assert list(table.columns)[:3] == ["Indicator", "Period", "Value"]
    cells = table.astype(str).to_numpy().ravel()
    assert not {"None", "nan", "<NA>", "NaN"} & set(cells)
    assert (
        table.loc[table["Indicator"] == "Depression prevalence (%)", "Value"].iloc[0].count(".")
        == 1
    )


def test_the_link_of_the_table_round_trips(atlas):
    area = area_data.Members(("E01009921", "E01009923"), ("M88004", "M88006"))
    assert area_data.from_link(atlas, area.link()) == area
    figures = area_data.figures(atlas, area)
    out = area_tables.csv(atlas, figures, "Test", area.link())
    assert set(out["area_link"]) == {area.link()}
    assert out["value"].dropna().map(lambda v: len(str(v).split(".")[-1]) <= 2).all()


def test_codes_given_on_the_page_go_into_the_link(atlas):
    app = _page({})
    form_name = next(t for t in app.text_input if t.label == "Name of your area")
    form_name.input("Great Bridge")
    app.text_area[0].input("E01009921, E01009922\nnot-a-code\nM88004")
    submit = next(b for b in app.button if b.label == "Use these codes")
    submit.click()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    link = app.query_params["own"]
    link = link[0] if isinstance(link, list) else link
    assert area_data.from_link(atlas, link) == area_data.Members(
        ("E01009921", "E01009922"), ("M88004",)
    )
    assert any("could not be used" in w.value for w in app.warning)
    assert [h.value for h in app.header] == ["Great Bridge"]


def _link(app: AppTest) -> str:
    value = app.query_params["own"]
    return value[0] if isinstance(value, list) else value


def test_neighbourhoods_are_added_and_taken_out_from_their_profile(atlas):
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    app.run()
    app.switch_page(str(ROOT / "app_pages" / "neighbourhoods.py"))
    for code in ("E01009921", "E01009922", "E01009923"):
        app.query_params["lsoa"] = code
        app.run()
        add = next(b for b in app.button if b.label.startswith("Add Sandwell"))
        add.click()
        app.run()
        assert not app.exception, [e.value for e in app.exception]
    assert area_data.from_link(atlas, _link(app)).lsoas == ("E01009921", "E01009922", "E01009923")
    take = next(b for b in app.button if b.label.startswith("Take Sandwell"))
    take.click()
    app.run()
    assert area_data.from_link(atlas, _link(app)).lsoas == ("E01009921", "E01009922")


def test_the_board_pack_says_what_the_page_says(atlas):
    from datetime import date
    from io import BytesIO

    from pypdf import PdfReader

    from gapmap.boardpack import own_area as own_pack

    area = area_data.Members(("E01009921", "E01009922"), ("M88004", "M88006"))
    pdf = own_pack.build(atlas, area, "Abbey <and> co", generated=date(2026, 12, 5))
    assert pdf == own_pack.build(atlas, area, "Abbey <and> co", generated=date(2026, 12, 5))
    pages = [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]
    text = " ".join(" ".join(pages).split())
    assert "Abbey <and> co" in text
    for heading in ("What the figures say", "Every figure", "The parts of", "Sources"):
        assert heading in text, heading
    shown = area_tables.shown(atlas, area_data.figures(atlas, area))
    depression = shown.loc[shown["Indicator"] == "Depression prevalence (%)"].iloc[0]
    assert f"{depression['Value']} {depression['95% interval']}" in text
    for word in (" None ", " nan ", "<NA>"):
        assert word not in f" {text} ", word
    assert "Cape Hill Medical Centre" in text
    # as the page builds it: no date given, the atlas's build date
    assert own_pack.build(atlas, area, "Abbey").startswith(b"%PDF")


def test_a_pcn_is_placed_on_deprivation_by_its_registered_patients(atlas):
    from gapmap import findings

    text = findings.deprivation(atlas, "U11746", "pcn").text
    assert "Swb Newcomen PCN is among the 20% most deprived primary care networks" in text
    assert "of 1,272" in text and "practices' registered patients" in text


def test_the_area_is_set_beside_its_district_too(atlas):
    area = area_data.Members(("E01009921", "E01009922", "E01009923"), ("M88004",))
    figures = area_data.figures(atlas, area)
    row = _one(figures, "antidepressant_items_per_1000", "2025 Q1-Q2")
    sandwell = atlas.values.loc[
        (atlas.values["indicator_id"] == "antidepressant_items_per_1000")
        & (atlas.values["level"] == "ltla")
        & (atlas.values["area_code"] == SANDWELL)
    ].iloc[0]
    assert row["council"] == "Sandwell"
    assert row["council_value"] == pytest.approx(float(sandwell["value"]))
    assert row["upper_95"] < sandwell["value"] and row["council_comparison"] == "lower"
    shown = area_tables.shown(atlas, figures)
    assert "Compared with Sandwell" in shown.columns
    assert set(shown["Compared with Sandwell"]) >= {"Lower than Sandwell", ""}
