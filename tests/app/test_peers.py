"""Peer groups on the read side: the atlas's neighbours, the user's list, the group's value."""

from __future__ import annotations

import pandas as pd
import pytest

from gapmap import charts, comparison, peers, state
from gapmap.atlas import Atlas
from gapmap.state import Selection

SANDWELL = "E08000028"
BLACK_COUNTRY = "E38000259"
GAP = "tt_gap_ratio"
TT_PERIOD = "Jul 2022 - May 2023"


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return Atlas.load()


def names(atlas: Atlas, codes, vintage: str) -> list[str]:
    return [str(atlas.area(c, vintage)["area_name"]) for c in codes]


# ------------------------------------------------------------------ the atlas's peer groups


def test_sandwell_peers_are_deprived_urban_districts(atlas):
    codes = atlas.peers(SANDWELL, "ltla", "ltla-2024")
    print("\nSandwell's peers:", names(atlas, codes, "ltla-2024"))
    assert len(codes) == peers.K == atlas.manifest["peers"]["k"]
    assert SANDWELL not in codes and len(set(codes)) == len(codes)
    assert set(codes) <= set(atlas.areas_at("ltla", "ltla-2024")["area_code"])
    # deprived: every peer is in the most deprived fifth of the 296 districts
    imd = atlas.table("imd_score", "ltla", "IoD2025").sort_values("value", ascending=False)
    assert set(codes) <= set(imd["area_code"].head(len(imd) // 5))
    # urban and large: metropolitan districts, London boroughs and city unitaries
    assert sum(c[:3] in {"E06", "E08", "E09"} for c in codes) >= 8
    assert {"E08000031", "E08000030"} & set(codes)  # Wolverhampton, Walsall: next door, alike
    assert atlas.peers(SANDWELL, "ltla", "ltla-2024") == codes  # a copy, in rank order


def test_peer_groups_stay_within_level_and_vintage(atlas):
    black_country = atlas.peers(BLACK_COUNTRY, "sub_icb", "sub_icb-2023")
    print("\nBlack Country's peers:", names(atlas, black_country, "sub_icb-2023"))
    assert len(black_country) == peers.K
    assert set(black_country) <= set(atlas.areas_at("sub_icb", "sub_icb-2023")["area_code"])
    assert atlas.peers(BLACK_COUNTRY, "sub_icb", "ccg-2021") == []
    assert len(atlas.peers("E40000011", "region", "nhser-2024")) == 6  # all other regions
    for vintage in ("ccg-2019", "ccg-2020", "ccg-2021"):
        code = atlas.areas_at("ccg", vintage)["area_code"].iloc[0]
        assert set(atlas.peers(code, "ccg", vintage)) <= set(
            atlas.areas_at("ccg", vintage)["area_code"]
        )


def test_every_map_area_has_its_peers_and_the_manifest_says_how(atlas):
    table = atlas.peer_table
    groups = {(g["level"], g["vintage"]): g for g in atlas.manifest["peers"]["groups"]}
    for level in atlas.levels():
        for vintage in set(atlas.areas_at(level)["vintage"]):
            n = len(atlas.areas_at(level, vintage))
            part = table.loc[(table["level"] == level) & (table["vintage"] == vintage)]
            # Only a PCN whose practices have no score of the period goes without (named).
            left_out = groups[(level, vintage)]["areas_without_peers"]
            assert len(left_out) <= (1 if level == "pcn" else 0), (level, vintage, left_out)
            assert part["area_code"].nunique() == n - len(left_out), (level, vintage)
            assert (part.groupby("area_code").size() == min(peers.K, n - 1)).all()
    assert (table["area_code"] != table["peer_code"]).all()
    for entry in atlas.manifest["peers"]["groups"]:
        if entry["level"] == "pcn":  # groups of practices: their patients' IMD and numbers
            assert entry["deprivation"].startswith("practice_imd_score")
            assert entry["population"].startswith("list_size")
        else:
            assert entry["deprivation"].startswith("imd_score") and "ONS" in entry["population"]


# ------------------------------------------------------------------- which areas are peers


def test_similar_areas_follow_the_map_and_chosen_ones_are_kept_where_they_exist(atlas):
    selection = Selection("ltla", "depression_prevalence", "2022-23", SANDWELL)
    similar = peers.group(atlas, selection)
    assert not similar.chosen and similar.codes == tuple(atlas.peers(SANDWELL, "ltla", "ltla-2024"))
    assert similar.label == "10 similar areas"
    chosen = peers.group(
        atlas,
        Selection(
            "ltla",
            "depression_prevalence",
            "2022-23",
            SANDWELL,
            ("E08000027", SANDWELL, "E38000259"),
        ),
    )
    assert chosen.chosen and chosen.codes == ("E08000027",)  # not itself, not a sub-ICB
    assert chosen.label == "1 area you chose"
    assert peers.group(atlas, Selection("ltla", "depression_prevalence", "2022-23")).codes == ()


# ------------------------------------------------------------------------ the group's value


def table_of(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["area_code", "value", "numerator", "denominator", "suppressed"]
    ).astype({"value": "Float64", "numerator": "Float64", "denominator": "Float64"})


PROPORTION = pd.Series({"statistic": "proportion", "multiplier": 100.0, "polarity": "high_is_bad"})
SCORE = pd.Series({"statistic": "score", "multiplier": 1.0, "polarity": "high_is_bad"})


def test_peer_value_pools_counts_when_every_peer_has_them():
    table = table_of(
        [("A", 10.0, 10, 100, False), ("B", 30.0, 30, 100, False), ("C", 5.0, 100, 2000, False)]
    )
    out = peers.peer_value(table, ["A", "B", "C"], PROPORTION)
    assert out.method == "pooled" and out.n == 3
    assert out.value == pytest.approx(140 / 2200 * 100)
    assert out.numerator == 140 and out.denominator == 2200
    assert out.how == "pooled counts of 3 areas"
    assert peers.peer_value(table, ["A", "Z"], PROPORTION).n == 1  # unknown codes ignored


def test_peer_value_is_the_median_when_a_peer_is_suppressed_or_has_no_counts():
    table = table_of(
        [
            ("A", 10.0, 10, 100, False),
            ("B", None, None, None, True),
            ("C", 30.0, 30, 100, False),
            ("D", 20.0, 20, 100, False),
        ]
    )
    out = peers.peer_value(table, ["A", "B", "C", "D"], PROPORTION)
    assert out.method == "median" and out.value == 20.0 and out.n == 3
    assert out.numerator is None
    assert out.how == "median of 3 areas"
    scores = peers.peer_value(table.assign(suppressed=False), ["A", "C"], SCORE)
    assert scores.method == "median" and scores.value == 20.0


def test_pooled_counts_are_protected_again():
    # two areas of 0 and 5: a pooled numerator of 5 would disclose a small number
    small = table_of([("A", 0.0, 0, 500, False), ("B", 1.0, 5, 500, False)])
    out = peers.peer_value(small, ["A", "B"], PROPORTION)
    assert out.value is None and out.method == "pooled" and "fewer than 8" in out.note
    assert out.numerator is None and out.denominator is None
    # derived sums are shown rounded to 5 (the atlas's counts are, but inputs may not be),
    # and the value follows from the sums shown
    odd = table_of([("A", 1.0, 11, 1001, False), ("B", 1.0, 13, 1003, False)])
    pooled = peers.peer_value(odd, ["A", "B"], PROPORTION)
    assert pooled.numerator == 25 and pooled.denominator == 2005
    assert pooled.value == pytest.approx(25 / 2005 * 100)
    # counts a publisher releases exact (QOF registers over list sizes) pool exact
    exact = pd.Series({**PROPORTION, "release": "qof", "denominator_release": "qof"})
    pooled = peers.peer_value(odd, ["A", "B"], exact)
    assert (pooled.numerator, pooled.denominator) == (24, 2004)
    assert pooled.value == pytest.approx(24 / 2004 * 100)
    small = peers.peer_value(table_of([("A", 1.0, 3, 500, False)]), ["A"], exact)
    assert small.numerator == 3 and small.value == pytest.approx(3 / 500 * 100)
    assert peers.peer_value(odd, [], PROPORTION).method == "none"


def test_compared_with_peers_words_the_england_rule():
    # the rule is methods.benchmark's (tested there); here, its words for the peer group
    assert peers.compared(12.0, 14.0, 10.0, "high_is_bad") == "Worse than peers"
    assert peers.compared(6.0, 8.0, 10.0, "high_is_bad") == "Better than peers"
    assert peers.compared(12.0, 14.0, 10.0, "neutral") == "Higher than peers"
    assert peers.compared(9.0, 11.0, 10.0, "high_is_good") == "Similar to peers"
    assert peers.compared(None, None, 10.0, "high_is_bad") == "Not compared"
    assert peers.compared(9.0, 11.0, None, "high_is_bad") == "Not compared"


# ------------------------------------------------------------------------------ the views


def test_summary_table_lists_area_peers_group_and_england(atlas):
    selection = Selection("sub_icb", GAP, TT_PERIOD, BLACK_COUNTRY)
    out = peers.summary_table(atlas, selection)
    assert list(out["Role"][:2]) == ["Selected area", "Peer 1"]
    assert out["Code"].iloc[0] == BLACK_COUNTRY
    assert list(out["Code"].iloc[1:11]) == atlas.peers(BLACK_COUNTRY, "sub_icb", "sub_icb-2023")
    group_row = out.iloc[11]
    # Nottingham and Nottinghamshire (E38000243) is a peer whose April 2023 submission was
    # incomplete: it is listed, but its counts stay out of the group's value.
    assert "E38000243" in set(out["Code"].iloc[1:11])
    assert group_row["Role"] == "Peer group (pooled counts of 9 areas, 1 left out for data quality)"
    # O/E pooled: total observed over total expected of the nine unflagged peers
    counted = [c for c in out["Code"][1:11] if c != "E38000243"]
    rows = atlas.table(GAP, "sub_icb", TT_PERIOD).set_index("area_code").loc[counted]
    expected = rows["numerator"].sum() / rows["denominator"].sum()
    assert group_row["Value (ratio)"] == pytest.approx(expected, abs=5e-3)  # shown to 0.01
    assert out.iloc[-1]["Area"] == "England" and out.iloc[-1]["Value (ratio)"] == 1.0
    assert out["Average IMD score"].iloc[0] > out["Average IMD score"].iloc[-1]
    assert peers.summary_table(atlas, Selection("sub_icb", GAP, TT_PERIOD)).empty


def test_comparison_table_shows_the_peer_group_beside_england(atlas):
    selection = Selection("sub_icb", GAP, TT_PERIOD, BLACK_COUNTRY)
    out = comparison.comparison_table(atlas, selection, comparison.SECONDARY_INDICATORS)
    assert {"England", "Peer group", "Peer value is", "Compared with peers"} <= set(out.columns)
    assert out["Peer group"].notna().all()
    by_indicator = dict(zip(out["Indicator"], out["Peer value is"], strict=True))
    assert by_indicator.pop("Talking Therapies vs recorded need") == (
        "pooled counts of 9 areas, 1 left out for data quality"
    )
    assert set(by_indicator.values()) == {"pooled counts of 10 areas"}
    assert set(out["Compared with peers"]) <= set(peers.COMPARED_WORDS.values())
    chosen = state.with_peers(selection, ["E38000258"])  # Birmingham and Solihull
    one = comparison.comparison_table(atlas, chosen, comparison.SECONDARY_INDICATORS)
    gap = atlas.table(GAP, "sub_icb", TT_PERIOD).set_index("area_code").loc["E38000258"]
    row = one.loc[one["Indicator"] == atlas.indicator(GAP)["short_name"]].iloc[0]
    # the figure as the page prints it: a ratio to two decimals
    assert row["Peer group"] == round(gap["numerator"] / gap["denominator"], 2)


def test_ranked_chart_marks_peers_by_shape_and_label(atlas):
    table = atlas.table(GAP, "sub_icb", TT_PERIOD)
    meta = atlas.indicator(GAP)
    codes = atlas.peers(BLACK_COUNTRY, "sub_icb", "sub_icb-2023")
    spec = charts.ranked(table, meta, selected=BLACK_COUNTRY, peers=codes).to_dict()
    marks = [layer["mark"] for layer in spec["layer"]]
    assert any(isinstance(m, dict) and m.get("shape") == "diamond" for m in marks)
    labels = [row["label"] for data in spec["datasets"].values() for row in data if "label" in row]
    peer_names = set(names(atlas, codes, "sub_icb-2023"))
    assert {f"{n} (peer)" for n in peer_names} <= set(labels)
    assert not any(label.startswith("NHS Black Country") and "(peer)" in label for label in labels)
    text = charts.describe_ranked(table, meta, selected=BLACK_COUNTRY, peers=codes)
    assert "10 peer areas marked '(peer)'" in text
    plain = charts.ranked(table, meta, selected=BLACK_COUNTRY).to_dict()
    assert "(peer)" not in str(plain["datasets"])
