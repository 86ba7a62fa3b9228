"""NHS Talking Therapies month by month: England's own figures, and providers summed to ICBs.

England is the publisher's national figure for each month. There are no ICB rows in the
monthly statistics, only providers, so each provider is placed in one 2023 ICB by the
address in the provider list (:func:`place_providers`) and its counts are added to that ICB.
A provider that serves several ICBs is counted wholly in one, so an ICB's series is an
approximation; the catalogue's method and caveats say so.

Counts are referrals received, entering treatment and courses finished; the shares are the
recovery rate (moving to recovery over finished courses at caseness) and referrals entering
treatment within 6 and 18 weeks of referral, all computed from counts. Provider counts come
rounded to 5 by the publisher, with small ones withheld: a withheld figure counts as 0 in its
ICB's sum and the row's note says how many there were; an ICB month whose figures were all
withheld is suppressed. Sums are re-protected by the disclosure rule (rounded to 5, small
counts suppressed in :func:`~data_pipeline.indicators.finalise`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from data_pipeline.geography import ENGLAND, LEVEL_VINTAGES
from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.context import BuildContext
from methods import disclosure

PROVIDER_TABLES = ("tt_monthly_provider", "tt_providers", "gp_practices_2024")


@dataclass(frozen=True)
class Measure:
    """How one indicator is made from the monthly counts (measure names as the source defines).

    A count has only ``numerator``; a share divides it by ``denominator`` less ``less``.
    """

    numerator: str
    denominator: str | None = None
    less: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every source measure the indicator reads."""
        return tuple(n for n in (self.numerator, self.denominator, self.less) if n)


#: Indicator -> the counts it is made of (names from the measure definitions file).
MEASURES: dict[str, Measure] = {
    "tt_monthly_referrals": Measure("referrals_received"),
    "tt_monthly_entering_treatment": Measure("accessing_services"),
    "tt_monthly_finished_course": Measure("finished_course_treatment"),
    "tt_monthly_recovery": Measure("recovery", "finished_course_treatment", "not_at_caseness"),
    "tt_monthly_within_6_weeks": Measure("accessing_services_6_weeks", "accessing_services"),
    "tt_monthly_within_18_weeks": Measure("accessing_services_18_weeks", "accessing_services"),
}
WITHHELD = "__withheld"
SUPPRESSED = "__suppressed"

# ------------------------------------------------------------------ placing providers

#: How a provider was placed, most exact first: the ICB of the GP practices that share its
#: postcode, its postcode sector or its district; else the ICB the provider list names (when
#: it is a 2023 ICB); else the ICB of most practices in its postcode area.
PLACED_BY = ("postcode", "postcode sector", "postcode district", "provider list", "postcode area")
UNPLACED = "provider without a usable postcode or a 2023 ICB in the provider list"
_POSTCODE = re.compile(r"^([A-Z]{1,2})[0-9][0-9A-Z]?[0-9][A-Z]{2}$")


def _postcode_keys(postcode: pd.Series) -> pd.DataFrame:
    """Postcode, sector, district and area of each (spaces removed; invalid ones missing)."""
    code = postcode.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    code = code.where(code.str.fullmatch(_POSTCODE.pattern).fillna(False))
    return pd.DataFrame(
        {
            "postcode": code,
            "postcode sector": code.str[:-2],
            "postcode district": code.str[:-3],
            "postcode area": code.str.extract(_POSTCODE.pattern, expand=False),
        },
        index=postcode.index,
    )


def _majority(keys: pd.Series, icbs: pd.Series) -> dict[str, str]:
    """Key -> the ICB of most practices with that key (ties: the lower ICB code)."""
    frame = pd.DataFrame({"key": keys, "icb": icbs}).dropna()
    counts = frame.value_counts(["key", "icb"]).rename("n").reset_index()
    counts = counts.sort_values(["key", "n", "icb"], ascending=[True, False, True])
    first = counts.drop_duplicates("key")
    return dict(zip(first["key"], first["icb"], strict=True))


def place_providers(
    providers: pd.DataFrame, practices: pd.DataFrame, icb_ods: dict[str, str]
) -> pd.DataFrame:
    """Each provider's 2023 ICB (``icb_code``, ONS) and how it was placed (``placed_by``).

    ``providers`` has ``provider_code``, ``postcode`` and ``icb_ods`` (the list's ICB, which
    may be one formed by the 2026 mergers); ``practices`` has ``postcode`` and ``icb_code``;
    ``icb_ods`` maps 2023 ICB ODS codes to ONS codes. A provider placed by no rule has
    ``icb_code`` missing and ``placed_by`` saying why.
    """
    mine = _postcode_keys(providers["postcode"])
    theirs = _postcode_keys(practices["postcode"])
    listed = providers["icb_ods"].astype("string").map(icb_ods)
    icb = pd.Series(pd.NA, index=providers.index, dtype="string")
    how = pd.Series(UNPLACED, index=providers.index, dtype="string")
    for rule in PLACED_BY:
        if rule == "provider list":
            found = listed
        else:
            found = mine[rule].map(_majority(theirs[rule], practices["icb_code"]))
        new = icb.isna() & found.notna()
        icb = icb.mask(new, found.astype("string"))
        how = how.mask(new, rule)
    return pd.DataFrame(
        {"provider_code": providers["provider_code"], "icb_code": icb, "placed_by": how}
    ).reset_index(drop=True)


def icb_placement(ctx: BuildContext) -> pd.DataFrame:
    """The providers of the list placed in 2023 ICBs, once per build."""

    def make() -> pd.DataFrame:
        pairs = ctx.hierarchy[["icb_ods", "icb_code"]].drop_duplicates()
        ods = dict(zip(pairs["icb_ods"], pairs["icb_code"], strict=True))
        practices = ctx.tables["gp_practices_2024"]
        # By ODS code: two ICBs kept theirs in 2023 but took new ONS codes.
        practices = practices.assign(icb_code=practices["icb_ods"].map(ods))
        return place_providers(ctx.tables["tt_providers"], practices, ods)

    return ctx.once("tt_monthly.placement", make)


def provider_links(rows: pd.DataFrame, judged: pd.DataFrame, ctx: BuildContext) -> pd.DataFrame:
    """ICB rows joined to the judged months of the providers placed in them.

    For :mod:`data_pipeline.quality.mark`: ``rows`` are atlas rows, one per month
    (``area_code``, ``level``, ``month``...), ``judged`` the providers' months as the data-quality
    rule judged them (``org_code`` is the provider).
    """
    rows = rows.loc[rows["level"] == "icb"]
    placed = icb_placement(ctx)
    icb = judged["org_code"].map(
        dict(zip(placed["provider_code"], placed["icb_code"], strict=True))
    )
    judged = judged.assign(area_code=icb.astype("string")).dropna(subset=["area_code"])
    return rows.merge(judged, on=["area_code", "month"])


# ------------------------------------------------------------------------- counts


def _sums(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Counts by ``keys`` and month, one column per measure, with withheld figures counted.

    Only the months an area has figures for are kept. A sum is missing when every figure in
    it was withheld, and then flagged in ``<measure>__suppressed``; ``<measure>__withheld``
    says how many figures were withheld.
    """
    grouped = rows.groupby([*keys, "month", "measure"], observed=True)
    long = pd.DataFrame(
        {
            "value": grouped["value"].sum(min_count=1),
            "withheld": grouped["source_suppressed"].sum(),
            "rows": grouped.size(),
        }
    )
    long["suppressed"] = long["withheld"].eq(long["rows"])
    wide = long.unstack("measure")
    out = wide["value"].astype("Float64")
    for measure in wide["value"].columns:
        out[measure + WITHHELD] = wide["withheld"][measure].fillna(0).astype(int)
        out[measure + SUPPRESSED] = wide["suppressed"][measure].fillna(False).astype(bool)
    out.columns.name = None
    return out.reset_index()


def _withheld_note(wide: pd.DataFrame, measure: Measure) -> pd.Series:
    """A note where some provider figures in the sum were withheld by the publisher."""
    columns = [n + WITHHELD for n in measure.names if n + WITHHELD in wide.columns]
    count = wide[columns].sum(axis=1) if columns else pd.Series(0, index=wide.index)
    text = (
        "Includes "
        + count.astype(str)
        + " provider figure(s) the publisher withheld (small numbers), counted as 0."
    )
    return text.where(count > 0).astype("string")


def _obs(wide: pd.DataFrame, measure: Measure, sub_national: bool, **const) -> pd.DataFrame:
    """One indicator's observations from the wide counts (``area_code``, ``month``, measures)."""
    for name in measure.names:
        if name not in wide.columns:
            raise ValueError(f"Talking Therapies monthly measure {name!r} is not in the source")
    numerator = wide[measure.numerator].astype("Float64")
    if measure.denominator is None:
        if sub_national:
            numerator = disclosure.round_to_five(numerator)
        denominator, value = pd.Series(pd.NA, index=wide.index, dtype="Float64"), numerator
    else:
        base = wide[measure.denominator].astype("Float64")
        less = wide[measure.less].astype("Float64").fillna(0) if measure.less else 0
        denominator = base - less
        value = pd.Series(pd.NA, index=wide.index, dtype="Float64")
    # Only the figures a value divides by or counts: "less" withheld counts as 0.
    flags = [wide[n + SUPPRESSED] for n in (measure.numerator, measure.denominator) if n]
    suppressed = pd.concat(flags, axis=1).any(axis=1)
    note = _withheld_note(wide, measure) if sub_national else pd.NA
    frame = pd.DataFrame(
        {
            "area_code": wide["area_code"],
            "period": wide["month"].dt.strftime("%Y-%m"),
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "source_suppressed": suppressed.astype(bool),
            "note": note,
        }
    )
    return observations(frame, **const)


def _england(ctx: BuildContext) -> list[pd.DataFrame]:
    """England's own monthly figures for every indicator."""
    if not ctx.has("tt_monthly_england", indicators=MEASURES, levels=("england",)):
        return []
    rows = ctx.usage.mark("tt_monthly_england", ctx.tables["tt_monthly_england"])
    wide = _sums(rows.assign(area_code=ENGLAND), ["area_code"])
    const = {"level": "england", "vintage": "england"}
    return [
        _obs(wide, measure, False, indicator_id=indicator_id, **const)
        for indicator_id, measure in MEASURES.items()
    ]


def _icb(ctx: BuildContext) -> list[pd.DataFrame]:
    """Provider figures summed to the 2023 ICB each provider is placed in."""
    if not ctx.has(*PROVIDER_TABLES, indicators=MEASURES, levels=("icb",)):
        return []
    placed = icb_placement(ctx)
    rows = ctx.tables["tt_monthly_provider"]
    icb = rows["provider_code"].map(
        dict(zip(placed["provider_code"], placed["icb_code"], strict=True))
    )
    unplaced = rows.loc[icb.isna()]
    ctx.usage.mark("tt_monthly_provider", unplaced)
    ctx.ledger.drop("tt_monthly_provider", len(unplaced), UNPLACED)
    used = ctx.usage.mark("tt_monthly_provider", rows.loc[icb.notna()])
    wide = _sums(used.assign(area_code=icb[icb.notna()]), ["area_code"])
    const = {"level": "icb", "vintage": LEVEL_VINTAGES["icb"]}
    return [
        _obs(wide, measure, True, indicator_id=indicator_id, **const)
        for indicator_id, measure in MEASURES.items()
    ]


def build(ctx: BuildContext) -> pd.DataFrame:
    """England's monthly series, and the providers' summed to ICBs."""
    return concat_observations([*_england(ctx), *_icb(ctx)])
