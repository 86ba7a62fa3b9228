"""The "what the data say" panel on a small made-up atlas: claims the data support, claims they
do not, figures that are missing, hidden or only for the NHS area covering a council."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gapmap import findings
from gapmap.atlas import Atlas
from gapmap.state import Selection

GAP_PERIOD = "2022-23"
LEVELS = ("sub_icb", "icb", "ltla", "england")
#: (id, unit, statistic, polarity, need_measure) of the catalogue rows the panel reads.
CATALOGUE = [
    ("imd_score", "score", "score", "high_is_bad", None),
    ("cmd_prevalence_modelled", "%", "modelled", "neutral", None),
    ("recognition_ratio", "ratio", "ratio", "neutral", None),
    ("tt_gap_ratio_modelled", "ratio", "ratio", "high_is_good", None),
    ("tt_shortfall_modelled", "people a year", "difference", "high_is_bad", None),
    ("mhsds_in_contact_rate", "per 100,000", "rate", "neutral", None),
    ("secondary_reliance_ratio", "ratio", "ratio", "high_is_bad", "QOF SMI register"),
    ("smi_health_checks_pct", "%", "proportion", "high_is_good", None),
]
VINTAGE = {"sub_icb": "sub_icb-2023", "icb": "icb-2023", "ltla": "ltla-2024", "england": "england"}


def area(code, name, level, **parents):
    vintage = VINTAGE.get(level, level)
    return {"area_code": code, "area_name": name, "level": level, "vintage": vintage, **parents}


AREAS = [
    area("E92000001", "England", "england"),
    area("S1", "Supported *Sub-ICB*", "sub_icb", parent_icb="I1"),
    area("S2", "Similar Sub-ICB", "sub_icb", parent_icb="I1"),
    area("S3", "Sparse Sub-ICB", "sub_icb", parent_icb="I1"),
    area("I1", "Covering ICB", "icb"),
    area("L1", "Council", "ltla"),
    *(area(f"LS{i}", f"LSOA {i}", "lsoa", parent_ltla="L1", parent_sub_icb="S1") for i in range(3)),
    area("LS9", "LSOA 9", "lsoa", parent_ltla="L1", parent_sub_icb="S2"),
]


def value(indicator, code, level, v, lo=None, hi=None, comparison="not_compared", **extra):
    return {
        "indicator_id": indicator, "area_code": code, "level": level,
        "vintage": VINTAGE[level], "period": extra.pop("period", GAP_PERIOD), "value": v,
        "lower_95": lo, "upper_95": hi, "comparison": comparison,
        "comparison_998": extra.pop("comparison_998", comparison),
        "suppressed": extra.pop("suppressed", False), "note": extra.pop("note", None),
    }  # fmt: skip


VALUES = [
    *(value("imd_score", c, "sub_icb", s, period="IoD2025") for c, s in
      [("S1", 40.0), ("S2", 20.0), ("S3", 10.0)]),
    value("imd_score", "L1", "ltla", 33.0, period="IoD2025"),
    value("cmd_prevalence_modelled", "S1", "sub_icb", 21.5, 20.1, 23.0, "higher",
          period="2017 model"),
    value("cmd_prevalence_modelled", "S2", "sub_icb", 17.2, 16.0, 18.4, "similar",
          period="2017 model"),
    value("cmd_prevalence_modelled", "L1", "ltla", 20.0, 19.0, 21.0, "higher",
          period="2017 model"),
    value("cmd_prevalence_modelled", "E92000001", "england", 17.0, period="2017 model"),
    value("recognition_ratio", "S1", "sub_icb", 0.62, 0.60, 0.64, "lower"),
    value("recognition_ratio", "S2", "sub_icb", 1.01, 0.95, 1.07, "similar"),
    value("tt_gap_ratio_modelled", "S1", "sub_icb", 0.80, 0.75, 0.85, "worse",
          comparison_998="similar"),
    value("tt_gap_ratio_modelled", "S2", "sub_icb", 0.98, 0.90, 1.06, "similar"),
    value("tt_gap_ratio_modelled", "I1", "icb", 0.90, 0.88, 0.92, "worse"),
    value("tt_shortfall_modelled", "S1", "sub_icb", 400.0, 300.4, 500.2, "worse"),
    value("tt_shortfall_modelled", "S2", "sub_icb", 30.0, -60.0, 120.0, "similar"),
    value("mhsds_in_contact_rate", "S1", "sub_icb", 2000.0, 1950.0, 2050.0, "lower",
          period="2021-22"),
    value("mhsds_in_contact_rate", "S1", "sub_icb", 3342.14, 3310.8, 3373.6, "higher"),
    value("mhsds_in_contact_rate", "E92000001", "england", 2440.2),
    value("secondary_reliance_ratio", "S1", "sub_icb", 1.48, 1.47, 1.50, "worse"),
    value("smi_health_checks_pct", "S1", "sub_icb", None, suppressed=True,
          note="Suppressed: fewer than 8 people"),
    value("smi_health_checks_pct", "S2", "sub_icb", 73.4, 72.6, 74.1, "better"),
    value("smi_health_checks_pct", "E92000001", "england", 68.5),
]  # fmt: skip


def catalogue_row(indicator_id, unit, statistic, polarity, need_measure, values):
    periods: dict[str, list[str]] = {}
    for row in values:
        if row["indicator_id"] == indicator_id:
            periods.setdefault(row["level"], []).append(row["period"])
    return {
        "id": indicator_id, "name": indicator_id, "short_name": indicator_id,
        "domain": "need", "unit": unit, "polarity": polarity, "statistic": statistic,
        "method": "", "caveats": None, "sources": "", "need_measure": need_measure,
        "levels": ",".join(periods), "periods": json.dumps(periods),
    }  # fmt: skip


def make_atlas(values=VALUES, drop=()) -> Atlas:
    """A small atlas of the panel's indicators (less those in ``drop``)."""
    kept = [v for v in values if v["indicator_id"] not in drop]
    rows = [catalogue_row(*spec, kept) for spec in CATALOGUE if spec[0] not in drop]
    indicators = pd.DataFrame(rows).set_index("id", drop=False)
    columns = ["parent_icb", "parent_region", "parent_ltla", "parent_utla", "parent_sub_icb"]
    areas = pd.DataFrame(AREAS).reindex(columns=[*pd.DataFrame(AREAS).columns, *columns])
    areas = areas.loc[:, ~areas.columns.duplicated()]
    frame = pd.DataFrame(kept).astype({"value": "Float64", "lower_95": "Float64",
                                       "upper_95": "Float64", "suppressed": "boolean"})  # fmt: skip
    return Atlas(areas, frame, indicators, {})


@pytest.fixture(scope="module")
def small() -> Atlas:
    return make_atlas()


def by_id(found: list[findings.Finding]) -> dict[str, findings.Finding]:
    return {f.indicator_id: f for f in found}


def test_claims_the_data_support_carry_value_interval_period_and_comparison(small):
    found = by_id(findings.area_findings(small, "S1", "sub_icb"))
    gap = found["tt_gap_ratio_modelled"]
    assert gap.status == findings.SUPPORTED and gap.period == GAP_PERIOD
    assert "0.80 (95% interval 0.75 to 0.85, 2022-23)" in gap.text
    assert "lower than England, which is worse" in gap.text
    assert "99.8%" not in gap.text  # the 99.8% band did not agree
    people = found["tt_shortfall_modelled"]
    assert people.status == findings.SUPPORTED
    assert "About 400 more adults a year (95% interval 300 to 500) would finish a course" in (
        people.text
    )
    need = found["cmd_prevalence_modelled"]
    assert "21.5% (95% interval 20.1% to 23.0%, 2017 model)" in need.text
    assert "higher than England (17.0%)" in need.text and need.status == findings.SUPPORTED


def test_recognition_is_explained_and_never_judged(small):
    found = by_id(findings.area_findings(small, "S1", "sub_icb"))
    recognition = found["recognition_ratio"].text
    assert "need that general practice has not recorded" in recognition
    assert "lower than England" in recognition
    reliance = found["secondary_reliance_ratio"].text  # the atlas still says "worse" here
    assert "higher than England" in reliance and "from QOF SMI register" in reliance
    for finding in found.values():
        if finding.indicator_id not in findings.JUDGED:
            assert "better" not in finding.text and "worse" not in finding.text, finding


def test_claims_the_data_do_not_support_are_said_plainly(small):
    found = by_id(findings.area_findings(small, "S2", "sub_icb"))
    gap, people = found["tt_gap_ratio_modelled"], found["tt_shortfall_modelled"]
    assert gap.status == people.status == findings.SIMILAR
    assert "do not show a difference from England" in gap.text
    assert "do not support a clear gap in people" in people.text
    assert "would finish a course" not in people.text
    assert "30 a year (95% interval −60 to 120)" in people.text
    assert found["recognition_ratio"].status == findings.SIMILAR


def test_the_latest_period_of_each_indicator_is_used_and_named(small):
    contact = by_id(findings.area_findings(small, "S1", "sub_icb"))["mhsds_in_contact_rate"]
    assert contact.period == GAP_PERIOD
    assert "3,342.1 per 100,000 (95% interval 3,310.8 to 3,373.6 per 100,000, 2022-23)" in (
        contact.text
    )
    assert "higher than England (2,440.2 per 100,000)" in contact.text


def test_hidden_and_missing_figures_are_said_not_guessed(small):
    found = by_id(findings.area_findings(small, "S1", "sub_icb"))
    checks = found["smi_health_checks_pct"]
    assert checks.status == findings.MISSING and "is hidden: Suppressed: fewer than 8" in (
        checks.text
    )
    sparse = by_id(findings.area_findings(small, "S3", "sub_icb"))
    assert sparse["recognition_ratio"].status == findings.MISSING
    assert "There is no figure of recognition" in sparse["recognition_ratio"].text
    gone = by_id(findings.area_findings(make_atlas(drop={"recognition_ratio"}), "S1", "sub_icb"))
    assert gone["recognition_ratio"].status == findings.MISSING
    assert "This atlas has no figures of recognition" in gone["recognition_ratio"].text


def test_a_figure_for_the_covering_nhs_area_says_so_once(small):
    council = findings.area_findings(small, "L1", "ltla")
    found = by_id(council)
    assert found["cmd_prevalence_modelled"].for_parent is False  # councils have their own
    gap = found["tt_gap_ratio_modelled"]
    assert gap.for_parent and gap.status == findings.SUPPORTED
    assert "Talking Therapies activity in Supported" in gap.text  # S1 holds 3 of its 4 LSOAs
    borrowed = next(f for f in council if f.for_parent)
    assert borrowed.indicator_id == "recognition_ratio"
    assert "There is no figure for Council itself" in borrowed.text
    assert "covers 75% of its neighbourhoods" in borrowed.text
    notes = sum("There is no figure for Council itself" in f.text for f in council)
    assert notes == 1  # said with the first figure borrowed, not with every one
    # a sub-ICB location with no value of its own borrows its ICB's
    sparse = by_id(findings.area_findings(small, "S3", "sub_icb"))["tt_gap_ratio_modelled"]
    assert sparse.for_parent and "Covering ICB, the integrated care board" in sparse.text


def test_deprivation_ranks_the_area_among_its_level(small):
    first = findings.area_findings(small, "S1", "sub_icb")[0]
    assert first.topic == "Deprivation" and first.status == findings.UNTESTED
    assert "ranked 1st of 3" in first.text and "Indices of Deprivation 2025" in first.text


def test_markdown_has_one_bullet_per_topic_and_escapes_names(small):
    found = findings.area_findings(small, "S1", "sub_icb")
    text = findings.to_markdown(found)
    lines = text.splitlines()
    assert len(lines) == len({f.topic for f in found}) == 6
    assert all(line.startswith("- **") for line in lines)
    assert r"Supported \*Sub-ICB\*" in text and "*Sub-ICB*" not in text.replace("\\*", "")


def test_no_area_means_no_panel(small):
    assert findings.findings(small, Selection("sub_icb", "tt_gap_ratio_modelled", GAP_PERIOD)) == []
    chosen = Selection("sub_icb", "tt_gap_ratio_modelled", GAP_PERIOD, "S2")
    assert findings.findings(small, chosen) == findings.area_findings(small, "S2", "sub_icb")
