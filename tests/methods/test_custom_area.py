"""A user's own area: reading pasted codes, the link, adding up, and the differencing guard."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from methods import custom_area as custom
from methods.disclosure import THRESHOLD

LSOAS = st.integers(min_value=1, max_value=999_999).map(lambda n: f"E01{n:06d}")
PRACTICES = st.tuples(
    st.sampled_from("ABCDEFGHJKLMNPWY"), st.integers(min_value=0, max_value=99_999)
).map(lambda t: f"{t[0]}{t[1]:05d}")


def test_a_pasted_column_is_sorted_into_kinds_and_bad_codes_are_named():
    text = "E01009856\nm88004, E05011311;B70 9PL\n\nE01009856\nbanana\nW01000001\nE08000028"
    codes = custom.read_codes(text)
    assert codes.lsoas == ("E01009856",)
    assert codes.practices == ("M88004",)
    assert codes.wards == ("E05011311",)
    assert codes.postcodes == ("B70 9PL",)
    reasons = dict(codes.rejected)
    assert set(reasons) == {"BANANA", "W01000001", "E08000028"}
    assert "English LSOA" in reasons["W01000001"]
    assert "choose it as an area" in reasons["E08000028"]


def test_codes_separated_by_spaces_are_read_when_no_postcode_is_among_them():
    assert custom.read_codes("E01009856 E01009857  M88004").lsoas == ("E01009856", "E01009857")


def test_postcodes_without_a_space_are_written_the_usual_way():
    assert custom.read_codes("b709pl, B70  9PL").postcodes == ("B70 9PL",)


@settings(max_examples=200, deadline=None)
@given(st.lists(LSOAS, max_size=300), st.lists(PRACTICES, max_size=60))
def test_the_link_round_trips_whatever_the_order(lsoas, practices):
    text = custom.encode(lsoas, practices)
    assert custom.decode(text) == (tuple(sorted(set(lsoas))), tuple(sorted(set(practices))))
    assert custom.encode(reversed(lsoas), reversed(practices)) == text
    assert set(text) <= set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.")


def test_a_council_of_neighbouring_codes_makes_a_short_link():
    lsoas = [f"E01{n:06d}" for n in range(9_700, 9_890)]  # 190 neighbouring codes
    assert len(custom.encode(lsoas, [])) < 270


@pytest.mark.parametrize("text", ["", "2.AA.", "1.AA", "1.!!.", "1.gA.", "1." + "_" * 12 + "."])
def test_a_damaged_link_is_refused_with_a_reason(text):
    with pytest.raises(ValueError, match="link"):
        custom.decode(text)


def _parts(rows):
    return pd.DataFrame(rows, columns=["area_code", "value", "numerator", "denominator", "weight"])


def test_counts_are_added_before_the_rate_and_its_interval():
    parts = _parts([("a", 10.0, 10, 100, None), ("b", 50.0, 100, 200, None)])
    out = custom.add_up(parts, custom.COUNTS, 100, "proportion")
    assert out["value"] == pytest.approx(110 / 300 * 100)  # not the mean of 10 and 50
    assert out["lower_95"] < out["value"] < out["upper_95"]
    assert out["parts_used"] == 2


def test_a_score_is_weighted_by_population_and_a_total_is_a_sum():
    parts = _parts([("a", 10.0, None, None, 1_000), ("b", 40.0, None, None, 3_000)])
    assert custom.add_up(parts, custom.WEIGHTED, 1, "score")["value"] == pytest.approx(32.5)
    assert custom.add_up(parts, custom.TOTAL, 1, "score")["value"] == 50


def test_a_figure_that_does_not_add_up_is_never_averaged():
    parts = _parts([("a", 80.0, None, None, 1), ("b", 76.0, None, None, 1)])
    assert custom.add_up(parts, custom.PARTS, 1, "published")["value"] is None


def test_a_part_suppressed_at_source_leaves_the_sum_unknown():
    parts = _parts([("a", 10.0, 10, 100, None), ("b", None, None, None, None)])
    parts["suppressed"] = [False, True]
    assert custom.add_up(parts, custom.COUNTS, 100, "proportion")["value"] is None


def _shown(area, counts, published, earlier=None):
    """The count the app would show for ``area`` (None when withheld)."""
    if custom.differencing_risk(area, counts, published, earlier):
        return None
    return sum(counts[p] for p in area)


@settings(max_examples=300, deadline=None)
@given(
    big=st.dictionaries(
        st.text("abcdefgh", min_size=2, max_size=4), st.integers(0, 400), min_size=1, max_size=12
    ),
    small=st.integers(1, THRESHOLD - 1),
    data=st.data(),
)
def test_area_then_area_plus_one_small_part_never_reveals_its_count(big, small, data):
    """Differencing attack: ask for A, then A plus one part with 1-7 people (or the reverse:
    A with a small part, then without it). The two shown counts must never differ by 1-7."""
    counts = {**big, "tiny": small}
    area = data.draw(st.lists(st.sampled_from(sorted(big)), min_size=1, unique=True))
    first = _shown(area, counts, {})
    second = _shown([*area, "tiny"], counts, {}, {"first": set(area)})
    if first is not None and second is not None:
        assert not 0 < second - first < THRESHOLD
    # and the other way round: the larger area first, then without the small part
    first = _shown([*area, "tiny"], counts, {})
    second = _shown(area, counts, {}, {"first": {*area, "tiny"}})
    if first is not None and second is not None:
        assert not 0 < first - second < THRESHOLD
    # and asking again for the larger area, now an earlier area, still withholds it
    first = _shown([*area, "tiny"], counts, {}, {"before": {*area, "tiny"}, "next": set(area)})
    if first is not None and second is not None:
        assert not 0 < first - second < THRESHOLD


@settings(max_examples=300, deadline=None)
@given(
    counts=st.dictionaries(
        st.text("abcdefgh", min_size=2, max_size=4), st.integers(0, 60), min_size=2, max_size=10
    ),
    data=st.data(),
)
def test_no_shown_area_differs_from_a_published_one_by_a_small_count(counts, data):
    """Against a published area R (a council: all its parts), any area built from R's parts
    that is shown differs from R by 0 or at least the threshold, whichever parts it drops."""
    parent = set(counts)
    area = data.draw(st.lists(st.sampled_from(sorted(parent)), min_size=1, unique=True))
    shown = _shown(area, counts, {"the council": parent})
    if shown is not None:
        assert not 0 < sum(counts.values()) - shown < THRESHOLD


def test_the_same_area_as_a_published_one_is_shown():
    counts = {"a": 3, "b": 40}
    assert custom.differencing_risk(["b"], counts, {"other": {"b"}}) is None
    assert custom.differencing_risk(["a", "b"], counts, {"the council": {"a", "b"}}) is None
    assert "includes a" in custom.differencing_risk(["a", "b"], counts, {})
    assert "differs from the council" in custom.differencing_risk(
        ["b"], counts, {"the council": {"a", "b"}}
    )


def test_being_the_same_as_an_earlier_area_does_not_release_a_withheld_figure():
    counts = {"a": 3, "b": 40}
    earlier = {"mine": {"a", "b"}}
    assert custom.differencing_risk(["a", "b"], counts, {}, earlier) is not None
