"""The manifest's freshness record on tiny, made-up inputs: one registry, a few indicators.

The names and periods below are invented to exercise each rule; the record of the real build
is tested in tests/pipeline/test_freshness_manifest.py.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline import freshness
from data_pipeline.fetch.registry import parse
from data_pipeline.indicators import Indicator
from methods.periods import newest

REGISTRY = parse(
    {
        "publishers": {
            "nhs": {"name": "NHS publisher", "base_url": "https://nhs.example/"},
            "arc": {"name": "Map portal", "base_url": "https://maps.example"},
        },
        "targets": [
            {
                "id": "tt.monthly",
                "source": "tt",
                "publisher": "nhs",
                "dataset": "Therapies monthly",
                "period": "latest",
                "kind": "page",
                "page": "pubs/therapies",
                "files": [{"path": "services/tt_{period}.csv"}],
            },
            {
                "id": "qof.frozen",
                "source": "qof",
                "publisher": "nhs",
                "dataset": "Registers, one year",
                "period": "2019-20",
                "kind": "url",
                "path": "archive/qof.xlsx",
                "sha256": "0" * 64,
                "files": [{"path": "qof/workbooks/qof-1920.xlsx"}],
            },
            {
                "id": "geo.layer",
                "source": "boundaries",
                "publisher": "arc",
                "dataset": "Areas (April 2023)",
                "period": "2023-04",
                "kind": "arcgis",
                "service": "Areas_2023",
                "files": [{"path": "boundaries/areas.geojson"}],
            },
            {
                "id": "qof.release",
                "source": "qof",
                "publisher": "nhs",
                "dataset": "Registers 2022-23",
                "period": "2022-23",
                "kind": "page",
                "page": "pubs/qof/2022-23",
                "files": [{"path": "qof/practice_2022-23.csv"}],
            },
            {
                "id": "never.read",
                "source": "other",
                "publisher": "nhs",
                "dataset": "Not used by the build",
                "period": "latest",
                "kind": "page",
                "files": [{"path": "other/unused.csv"}],
            },
        ],
    }
)


def indicator(key: str, *sources: str) -> Indicator:
    return Indicator(key, key, key, "need", "%", "neutral", "proportion", "", "", sources)


CATALOGUE = {
    "access": indicator("access", "services/tt_2023-05.csv", "qof/practice_2022-23.csv"),
    "prevalence": indicator("prevalence", "qof/practice_2022-23.csv", "qof/workbooks/"),
    "reliance": indicator("reliance", "secondary/mhsds.csv", "qof/workbooks/"),
}
PERIODS = {
    "access": {"sub_icb": ["Jul 2022 - May 2023"], "england": ["Jul 2022 - May 2023"]},
    "prevalence": {
        "sub_icb": ["2022-23"],
        "ccg": ["2018-19", "2019-20"],
        "england": ["2019-20", "2022-23"],
    },
    "reliance": {"sub_icb": ["Nov 2022"], "ccg": ["2019-20"]},
}
READ = [
    "services/tt_2023-05.csv",
    "qof/workbooks/qof-1920.xlsx",
    "boundaries/areas.geojson",
    "qof/practice_2022-23.csv",
    "lookups/by_hand.csv",
]


def record(read=READ) -> dict[str, dict]:
    return {e["id"]: e for e in freshness.freshness(REGISTRY, CATALOGUE, read, PERIODS)}


def test_newest_orders_periods_in_time_not_as_text():
    assert newest(["2024-25", "Jul 2022 - May 2023", "2021-22"]) == "2024-25"
    assert newest(["Nov 2022", "2021-22", "2016-04"]) == "Nov 2022"
    assert newest([]) is None


def test_periods_held_by_indicator_and_level():
    values = pd.DataFrame(
        {
            "indicator_id": ["a", "a", "a", "a", "a"],
            "level": ["ccg", "ccg", "england", "england", "england"],
            "period": ["2019-20", "2014-15", "2014-15", "Jul 2022 - May 2023", "2014-15"],
        }
    )
    assert freshness.held_periods(values) == {
        "a": {"ccg": ["2014-15", "2019-20"], "england": ["2014-15", "Jul 2022 - May 2023"]}
    }


def test_a_fixed_release_ends_with_its_own_period():
    assert freshness.release_end("2022-23") == (2023, 3)
    assert freshness.release_end("2018-19-partial") == (2019, 3)
    assert freshness.release_end("IoD2019") == (2019, 12)
    assert freshness.release_end("2022-07/2023-05") == (2023, 5)
    assert freshness.release_end("2025-Q2") == (2025, 12)
    assert freshness.release_end("2013-2015") == (2015, 12)
    assert freshness.release_end("latest") is None
    newest = freshness.newest_in_release(PERIODS, (2020, 3))
    assert newest == {
        "prevalence": {"ccg": "2019-20", "england": "2019-20"},
        "reliance": {"ccg": "2019-20"},
    }


def test_a_period_template_matches_each_monthly_file():
    target = REGISTRY.targets[0]
    read = ["services/tt_2023-04.csv", "services/tt_2023-05.csv", "services/tt.csv"]
    assert freshness.target_files(target, read) == read[:2]


def test_every_file_read_is_named_once_and_unread_targets_are_left_out():
    entries = freshness.freshness(REGISTRY, CATALOGUE, READ, PERIODS)
    named = [f for e in entries for f in e["files"]]
    assert sorted(named) == sorted(READ)
    assert [e["id"] for e in entries] == [
        "tt.monthly",
        "qof.frozen",
        "geo.layer",
        "qof.release",
        "lookups/by_hand.csv",
    ]


def test_a_file_in_no_registry_target_says_fetch_does_not_bring_it():
    entry = record()["lookups/by_hand.csv"]
    assert entry["publisher"] == freshness.NOT_IN_REGISTRY
    assert entry["fetch"] == freshness.NOT_FETCHED


def test_indicators_come_from_catalogue_sources_including_folders():
    entries = record()
    assert entries["qof.release"]["indicators"] == ["access", "prevalence"]
    assert entries["qof.frozen"]["indicators"] == ["prevalence", "reliance"]
    assert entries["geo.layer"]["indicators"] == []
    assert entries["geo.layer"]["latest_words"] == freshness.NO_INDICATORS


def test_latest_comes_from_the_indicators_a_file_feeds_most_directly():
    """The 2022-23 registers are the denominator of access, the numerator of prevalence:
    their newest sub-ICB period is prevalence's 2022-23, not access's months."""
    entry = record()["qof.release"]
    assert entry["latest_of"] == ["prevalence"]
    assert entry["latest"] == {"sub_icb": "2022-23", "ccg": "2019-20", "england": "2022-23"}


def test_a_fixed_release_reports_its_own_periods_not_newer_files():
    """The 2019-20 workbook feeds prevalence and reliance, whose sub-ICB figures (2022-23,
    Nov 2022) come from newer files: its newest are the CCG and England 2019-20."""
    entry = record()["qof.frozen"]
    assert entry["latest"] == {"ccg": "2019-20", "england": "2019-20"}
    assert entry["latest_words"] == "CCG and England: 2019-20"


def test_latest_words_name_levels_sharing_a_period_together_in_level_order():
    assert record()["tt.monthly"]["latest_words"] == "sub-ICB and England: Jul 2022 - May 2023"
    assert record()["qof.release"]["latest_words"] == ("sub-ICB and England: 2022-23; CCG: 2019-20")


def test_fetch_words_follow_the_registry_period_and_kind():
    entries = record()
    assert entries["tt.monthly"]["fetch"] == (
        "the newest release on NHS publisher (https://nhs.example/pubs/therapies)"
    )
    assert entries["qof.frozen"]["fetch"].startswith("the same archived copy (2019-20; fixed")
    assert entries["geo.layer"]["fetch"] == (
        "the 2023-04 layer again, only if Map portal has edited it "
        "(https://maps.example, layer Areas_2023)"
    )
    assert entries["qof.release"]["fetch"].startswith(
        "the 2022-23 release again from NHS publisher (https://nhs.example/pubs/qof/2022-23)"
    )


def test_the_record_does_not_depend_on_the_order_files_were_read():
    assert record(READ) == record(list(reversed(READ)))
