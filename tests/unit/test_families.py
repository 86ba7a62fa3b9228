"""The catalogue is the one list of what is built: each indicator names its family, and
each family has one builder that makes only the catalogue's indicators of that family."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from data_pipeline.indicators import Indicator, load_catalogue, load_families, observations
from data_pipeline.indicators.availability import Availability
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import BUILDERS, build_families, check_registry
from data_pipeline.reconcile import Ledger, Usage


def _context(tables: dict | None = None) -> BuildContext:
    tables = tables or {}
    return BuildContext(tables, Ledger([], {}), Usage(tables, {}), Availability(tables))


def test_every_catalogue_indicator_names_a_family_with_a_builder():
    families = load_families()
    assert families.keys() == load_catalogue().keys()
    assert set(families.values()) == set(BUILDERS)
    assert check_registry(families)[0] == families["imd_score"]


def test_the_family_key_is_not_indicator_metadata():
    """indicators.parquet holds every field of Indicator; the family must not reach it."""
    assert "family" not in {field.name for field in dataclasses.fields(Indicator)}


def test_an_indicator_without_a_family_fails_loudly(tmp_path):
    path = tmp_path / "catalogue.toml"
    path.write_text('[x]\nname = "X"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="catalogue entry x: no family"):
        load_families(path)


def test_a_family_without_a_builder_or_a_builder_without_indicators_fails():
    families = load_families()
    with pytest.raises(ValueError, match="without a builder: \\['nowhere'\\]"):
        check_registry({**families, "new_one": "nowhere"})
    dropped = {k: v for k, v in families.items() if v != "la_published"}
    with pytest.raises(ValueError, match="no catalogue indicator names: \\['la_published'\\]"):
        check_registry(dropped)


def test_a_builder_that_makes_another_familys_indicator_is_refused(monkeypatch):
    def stray(ctx: BuildContext) -> pd.DataFrame:
        frame = pd.DataFrame({"area_code": ["E92000001"], "value": [1.0]})
        return observations(frame, indicator_id="tt_gap_ratio", level="england", period="x")

    empty = observations(pd.DataFrame(index=pd.RangeIndex(0)))
    builders = dict.fromkeys(BUILDERS, lambda ctx: empty)
    monkeypatch.setitem(builders, "deprivation", stray)
    monkeypatch.setattr("data_pipeline.indicators.families.BUILDERS", builders)
    with pytest.raises(ValueError, match="'deprivation' built \\['tt_gap_ratio'\\]"):
        build_families(_context())
    builders["deprivation"] = lambda ctx: empty
    assert set(build_families(_context())) == set(BUILDERS)


def test_shared_counts_are_made_once_per_build():
    ctx, calls = _context(), []
    for _ in range(3):
        assert ctx.once("key", lambda: calls.append(1) or "made") == "made"
    assert calls == [1]
