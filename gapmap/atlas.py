"""The atlas, loaded once, and the questions the pages ask of it.

The atlas is the pipeline's output under ``geodata/atlas`` (see the atlas contract in the
README). :class:`Atlas` holds its tables in memory and answers queries with plain pandas;
boundaries are read per vintage on first use and kept.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gapmap import breaks as series_breaks
from gapmap.periods import ordered
from gapmap.places import ward_areas
from methods.atlas_tables import DECILE_COLUMNS, PEER_COLUMNS, QUALITY_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
ATLAS_DIR = ROOT / "geodata" / "atlas"
#: Environment variable an operator sets to serve another atlas (e.g. a freshly built one).
ATLAS_ENV = "MTG_ATLAS_DIR"
ENGLAND = "E92000001"

#: Map levels a user can pick, in the order the sidebar shows them, with their labels.
MAP_LEVELS = {
    "region": "NHS England region",
    "icb": "Integrated care board (ICB)",
    "sub_icb": "Sub-ICB location",
    "pcn": "Primary care network (PCN)",
    "ccg": "Clinical commissioning group (to 2022)",
    "utla": "Local authority (upper tier)",
    "ltla": "Local authority (district)",
}
#: Column of ``areas`` that links a small area (LSOA, practice) to each map level.
PARENT_COLUMN = {
    "region": "parent_region",
    "icb": "parent_icb",
    "sub_icb": "parent_sub_icb",
    "pcn": "parent_pcn",
    "ltla": "parent_ltla",
    "utla": "parent_utla",
}
#: The values column naming the data-quality rule that caught a row (NA when fine).
QUALITY = "quality"
#: The order search results are listed in (after exact matches): councils first, as
#: community groups know their area by its council, then NHS areas, primary care networks,
#: former CCGs, practices.
SEARCH_ORDER = {
    level: n
    for n, level in enumerate(
        ("ltla", "utla", "sub_icb", "icb", "region", "pcn", "ccg", "practice")
    )
}
REBUILD_HINT = (
    "The atlas under geodata/atlas is missing or unreadable. Reinstall from a fresh clone, "
    "or rebuild it with `python -m data_pipeline build --raw DIR` (see the README)."
)


class AtlasUnavailable(RuntimeError):
    """The atlas files are missing or corrupt; the message says what to run."""


def read_breaks(root: Path, manifest: dict) -> pd.DataFrame:
    """``breaks.parquet``, where each indicator's series changes what it measures.

    An atlas built before breaks were recorded has no such file and reads as having none;
    a build that wrote the file counts it in the manifest, so there its absence means a
    damaged atlas.
    """
    path = root / "breaks.parquet"
    if not path.is_file() and "breaks" not in manifest.get("outputs", {}):
        return pd.DataFrame(columns=list(series_breaks.COLUMNS))
    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise AtlasUnavailable(f"{REBUILD_HINT} (breaks.parquet)") from exc
    if not set(series_breaks.COLUMNS) <= set(table.columns):
        raise AtlasUnavailable(f"{REBUILD_HINT} (breaks table lacks {series_breaks.COLUMNS})")
    return table


@dataclass
class Atlas:
    """The atlas tables in memory."""

    areas: pd.DataFrame
    values: pd.DataFrame
    indicators: pd.DataFrame
    manifest: dict
    root: Path = ATLAS_DIR
    #: Each area's nearest statistical neighbours (``peers.parquet``), ranked.
    peer_table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PEER_COLUMNS))
    #: Indicators by IMD decile within each ICB and for England (``deciles.parquet``).
    decile_table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DECILE_COLUMNS))
    #: Where each indicator's series changes what it measures (``breaks.parquet``).
    break_table: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(series_breaks.COLUMNS))
    )
    _boundaries: dict[str, dict] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # An atlas built before data-quality flags has no ``quality`` column: nothing flagged.
        if QUALITY not in self.values.columns:
            none = pd.Series(pd.NA, index=self.values.index, dtype="string")
            self.values = self.values.assign(**{QUALITY: none})

    @cached_property
    def quality_table(self) -> pd.DataFrame:
        """Every row a data-quality rule caught, with its evidence (``quality.parquet``).

        An atlas built before the rules has no such file and reads as having caught none.
        """
        path = self.root / "quality.parquet"
        if not path.is_file():
            return pd.DataFrame(columns=list(QUALITY_COLUMNS))
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError) as exc:
            raise AtlasUnavailable(f"{REBUILD_HINT} (quality.parquet)") from exc

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, root: Path | str | None = None) -> Atlas:
        """Read the atlas; a missing or corrupt file raises :class:`AtlasUnavailable`.

        ``root`` defaults to ``$MTG_ATLAS_DIR`` if set, else the bundled ``geodata/atlas``.
        """
        root = Path(root or os.environ.get(ATLAS_ENV) or ATLAS_DIR)
        try:
            areas = pd.read_parquet(root / "areas.parquet")
            values = pd.read_parquet(root / "values.parquet")
            indicators = pd.read_parquet(root / "indicators.parquet")
            manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
            peer_table = pd.read_parquet(root / "peers.parquet")
            decile_path = root / "deciles.parquet"
            decile_table = (
                pd.read_parquet(decile_path)
                if decile_path.is_file()
                else pd.DataFrame(columns=DECILE_COLUMNS)
            )
        except (OSError, ValueError) as exc:
            raise AtlasUnavailable(f"{REBUILD_HINT} ({exc.__class__.__name__})") from exc
        needed = {"indicator_id", "area_code", "level", "period", "value"}
        if not needed <= set(values.columns):
            raise AtlasUnavailable(f"{REBUILD_HINT} (values table lacks {needed})")
        if not set(PEER_COLUMNS) <= set(peer_table.columns):
            raise AtlasUnavailable(f"{REBUILD_HINT} (peers table lacks {PEER_COLUMNS})")
        if not set(DECILE_COLUMNS) <= set(decile_table.columns):
            raise AtlasUnavailable(f"{REBUILD_HINT} (decile table lacks {DECILE_COLUMNS})")
        indicators = indicators.set_index("id", drop=False)
        breaks = read_breaks(root, manifest)
        return cls(
            areas, values, indicators, manifest, root, peer_table, decile_table, break_table=breaks
        )

    # ------------------------------------------------------------- indicators

    def indicator(self, indicator_id: str) -> pd.Series:
        """Metadata of one indicator (name, unit, polarity, method, caveats, ...)."""
        return self.indicators.loc[indicator_id]

    def indicator_ids(self, level: str | None = None) -> list[str]:
        """Indicators with values at ``level`` (all when None), in catalogue order."""
        if level is None:
            return list(self.indicators.index)
        return [i for i in self.indicators.index if level in self._levels(i)]

    def _levels(self, indicator_id: str) -> set[str]:
        return set(str(self.indicators.loc[indicator_id, "levels"]).split(","))

    def periods(self, indicator_id: str, level: str) -> list[str]:
        """Periods of ``indicator_id`` at ``level``, oldest first."""
        periods = json.loads(self.indicators.loc[indicator_id, "periods"])
        return ordered(periods.get(level, []))

    def missing_sources(self) -> list[dict]:
        """Sources the last build was made without (``build --allow-missing``), as recorded."""
        return list(self.manifest.get("missing_sources", []))

    def unavailable(self, indicator_id: str, level: str) -> list[str]:
        """The missing files an indicator lacks values from at ``level`` (empty if none)."""
        return [
            str(missing["file"])
            for missing in self.missing_sources()
            if level in missing.get("indicators", {}).get(indicator_id, [])
        ]

    def levels(self) -> dict[str, str]:
        """Map levels present in the atlas, with their labels."""
        return dict(self._levels_present)

    @cached_property
    def _levels_present(self) -> dict[str, str]:
        present = set(self.areas["level"].unique())
        return {k: v for k, v in MAP_LEVELS.items() if k in present}

    # ------------------------------------------------------------------ values

    @cached_property
    def _by_key(self) -> dict[tuple[str, str, str], pd.DataFrame]:
        return {
            (str(i), str(lvl), str(p)): part
            for (i, lvl, p), part in self.values.groupby(["indicator_id", "level", "period"])
        }

    def table(
        self, indicator_id: str, level: str, period: str, vintage: str | None = None
    ) -> pd.DataFrame:
        """Values of one indicator for every area of a level in a period, with area names.

        A period that joins to several boundary vintages (the IoD2019 CCG scores) gives the
        rows of ``vintage``, by default those of :meth:`vintage`.
        """
        part = self._by_key.get((indicator_id, level, period))
        if part is not None:
            part = part.loc[part["vintage"] == (vintage or part["vintage"].max())]
        if part is None or part.empty:
            return self.values.iloc[0:0].assign(area_name=pd.Series(dtype="string"))
        names = self.areas.loc[
            self.areas["vintage"].isin(set(part["vintage"])), ["area_code", "vintage", "area_name"]
        ]
        out = part.merge(names, on=["area_code", "vintage"], how="left")
        return out.sort_values("area_name").reset_index(drop=True)

    def vintage(self, indicator_id: str, level: str, period: str) -> str | None:
        """The boundary vintage a period's values join to.

        One period, the IoD2019 CCG scores, is given on each CCG set (so every CCG period
        finds its deprivation on its own boundaries); its map draws the latest set.
        """
        part = self._by_key.get((indicator_id, level, period))
        return None if part is None else str(part["vintage"].max())

    def period_on(self, indicator_id: str, level: str, vintage: str | None) -> str | None:
        """The latest period of an indicator whose values join to ``vintage`` at ``level``.

        Pairs two indicators on one map (need against provision) without mixing boundaries.
        """
        if indicator_id not in self.indicators.index:
            return None
        for period in reversed(self.periods(indicator_id, level)):
            part = self._by_key.get((indicator_id, level, period))
            if part is not None and vintage in set(part["vintage"]):
                return period
        return None

    def england(self, indicator_id: str, period: str) -> pd.Series | None:
        """England's row for an indicator and period, if there is one."""
        part = self._by_key.get((indicator_id, "england", period))
        return None if part is None else part.iloc[0]

    def series_breaks(self, indicator_id: str, level: str) -> pd.DataFrame:
        """Where an indicator's series changes at a level: period, change, label, apart."""
        table = self.break_table
        rows = table.loc[(table["indicator_id"] == indicator_id) & (table["level"] == level)]
        return rows[["period", "change", "label", "apart"]].reset_index(drop=True)

    def trend(self, indicator_id: str, area_code: str, level: str) -> pd.DataFrame:
        """Every period of one area's indicator, oldest first, beside England's value.

        Where the series has breaks, each row says which series it belongs to
        (:func:`gapmap.breaks.mark`), and which England's figure belongs to. A period given
        on several vintages (the IoD2019 CCG scores) is one row, of the latest vintage.
        """
        rows = self.values.loc[
            (self.values["indicator_id"] == indicator_id)
            & (self.values["area_code"] == area_code)
            & (self.values["level"] == level)
        ]
        rows = rows.sort_values("vintage").drop_duplicates("period", keep="last")
        england = self.values.loc[
            (self.values["indicator_id"] == indicator_id) & (self.values["level"] == "england"),
            ["period", "value"],
        ].rename(columns={"value": "england_value"})
        out = rows.merge(england, on="period", how="left")
        order = {p: i for i, p in enumerate(ordered(out["period"]))}
        out = out.assign(_o=out["period"].map(order)).sort_values("_o").drop(columns="_o")
        out = series_breaks.mark(out, self.series_breaks(indicator_id, level))
        if level == "england":
            return out
        return series_breaks.mark_england(out, self.series_breaks(indicator_id, "england"))

    def profile(self, area_code: str, level: str) -> pd.DataFrame:
        """The latest period of every indicator for one area, with England's value."""
        rows = self.values.loc[
            (self.values["area_code"] == area_code) & (self.values["level"] == level)
        ]
        latest = []
        for indicator_id, part in rows.groupby("indicator_id", sort=False):
            period = ordered(part["period"])[-1]
            row = part.loc[part["period"] == period].iloc[0].copy()
            eng = self.england(str(indicator_id), period)
            row["england_value"] = None if eng is None else eng["value"]
            latest.append(row)
        if not latest:
            return rows.iloc[0:0]
        out = pd.DataFrame(latest)
        meta = self.indicators[["short_name", "domain", "unit", "polarity"]]
        return out.join(meta, on="indicator_id").reset_index(drop=True)

    def deciles(self, indicator_id: str, area_code: str, period: str) -> pd.DataFrame:
        """One area's rows of the decile table (an ICB, or England), decile 1 first."""
        table = self.decile_table
        rows = table.loc[
            (table["indicator_id"] == indicator_id)
            & (table["area_code"] == area_code)
            & (table["period"] == period)
        ]
        return rows.sort_values("decile").reset_index(drop=True)

    def decile_periods(self, indicator_id: str) -> list[str]:
        """Periods of the decile table for an indicator, oldest first."""
        table = self.decile_table
        return ordered(table.loc[table["indicator_id"] == indicator_id, "period"])

    # ------------------------------------------------------------------- areas

    def area(
        self, area_code: str, vintage: str | None = None, level: str | None = None
    ) -> pd.Series | None:
        """One area's row.

        Give the vintage or level where codes are shared: Sandwell is both a district and a
        unitary authority, and CCG codes recur across vintages.
        """
        rows = self.areas.loc[self.areas["area_code"] == area_code]
        if vintage is not None:
            rows = rows.loc[rows["vintage"] == vintage]
        if level is not None:
            rows = rows.loc[rows["level"] == level]
        return None if rows.empty else rows.sort_values("vintage").iloc[-1]

    def areas_at(self, level: str, vintage: str | None = None) -> pd.DataFrame:
        """Areas of a level (and vintage), sorted by name."""
        rows = self.areas.loc[self.areas["level"] == level]
        if vintage is not None:
            rows = rows.loc[rows["vintage"] == vintage]
        return rows.sort_values("area_name").reset_index(drop=True)

    @cached_property
    def _peers_by_area(self) -> dict[tuple[str, str, str], list[str]]:
        ranked = self.peer_table.sort_values("rank")
        return {
            (str(a), str(lvl), str(v)): list(part["peer_code"])
            for (a, lvl, v), part in ranked.groupby(["area_code", "level", "vintage"])
        }

    def peers(self, area_code: str, level: str, vintage: str | None) -> list[str]:
        """An area's nearest statistical neighbours (the pipeline's peer group), nearest first.

        Empty when the area has none on that level and vintage (no deprivation score or
        population, or not a map area).
        """
        return list(self._peers_by_area.get((area_code, level, str(vintage)), []))

    def within(self, area_code: str, level: str, small: str) -> pd.DataFrame:
        """LSOAs (``small="lsoa"``) or practices inside a map area, where the link exists."""
        column = PARENT_COLUMN.get(level)
        rows = self.areas.loc[self.areas["level"] == small]
        if column is None:
            return rows.iloc[0:0]
        return _once_per_practice(rows.loc[rows[column] == area_code]).reset_index(drop=True)

    def search(self, text: str, limit: int = 20) -> pd.DataFrame:
        """Areas matching a name, an area code, a practice name or code, or a postcode district.

        Postcode districts ("B70", "B70 6") find the practices there and the councils and
        sub-ICB locations they are in, those first; ward names ("West Bromwich") the councils
        and sub-ICB locations the ward lies in, the ward named in ``via``
        (:mod:`gapmap.places`). Each area is listed once, on its newest boundaries; exact
        matches come first, then councils, NHS areas, former CCGs and practices. Matching is
        case-insensitive; no regular expressions are taken from the user.
        """
        needle = str(text).strip().lower()
        if len(needle) < 2:
            return self.areas.iloc[0:0]
        searchable = self.areas.loc[self.areas["level"] != "lsoa"]
        names = searchable["area_name"].str.lower()
        codes = searchable["area_code"].str.lower()
        hits = searchable.loc[
            codes.eq(needle)
            | searchable["ods_code"].str.lower().eq(needle)
            | names.str.contains(needle, regex=False)
        ]
        district = re.fullmatch(r"[a-z]{1,2}\d[a-z\d]?( ?\d)?", needle)
        if district:
            outward = needle.split(" ")[0].upper()
            postcodes = searchable["postcode"].fillna("").str.upper()
            by_postcode = searchable.loc[postcodes.str.split(" ").str[0] == outward]
            containing = set()
            for column in ("parent_ltla", "parent_utla", "parent_sub_icb"):
                containing |= set(by_postcode[column].dropna().astype(str))
            around = searchable.loc[
                searchable["area_code"].isin(containing)
                & searchable["level"].isin(["ltla", "utla", "sub_icb"])
            ]
            hits = pd.concat([hits, around, by_postcode])
        wards = ward_areas(self.areas, needle)
        direct = pd.MultiIndex.from_frame(hits[["area_code", "level"]])
        by_ward = ~pd.MultiIndex.from_frame(wards[["area_code", "level"]]).isin(direct)
        hits = pd.concat([hits.assign(via=pd.NA), wards.loc[by_ward]], ignore_index=True)
        exact = (
            hits["area_code"].str.lower().eq(needle)
            | hits["area_name"].str.lower().eq(needle)
            | hits["via"].str.lower().eq(f"{needle} (ward)").fillna(False).astype(bool)
        )
        rank = hits["level"].map(SEARCH_ORDER).fillna(len(SEARCH_ORDER))
        hits = hits.assign(_exact=~exact, _rank=rank, _v=hits["vintage"])
        newest = hits.sort_values("_v").drop_duplicates(["area_code", "level"], keep="last")
        hits = newest.sort_values(["_exact", "_rank", "area_name"])
        return hits.drop(columns=["_exact", "_rank", "_v"]).head(limit)

    # -------------------------------------------------------------- boundaries

    def boundaries(self, vintage: str) -> dict:
        """A national layer's GeoJSON (area_code, area_name), read once per vintage."""
        if vintage not in self._boundaries:
            path = self.root / "boundaries" / f"{vintage}.geojson"
            try:
                self._boundaries[vintage] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise AtlasUnavailable(f"{REBUILD_HINT} ({path.name})") from exc
        return self._boundaries[vintage]

    def lsoa_shapes(self, codes: list[str] | None) -> gpd.GeoDataFrame:
        """LSOA 2021 polygons for the given codes only (read with a filter); None: all."""
        path = self.root / "boundaries" / "lsoa-2021.parquet"
        if codes is not None and not codes:
            return gpd.GeoDataFrame({"area_code": [], "area_name": []}, geometry=[], crs=4326)
        try:
            if codes is None:
                return gpd.read_parquet(path)
            return gpd.read_parquet(path, filters=[("area_code", "in", sorted(codes))])
        except (OSError, ValueError) as exc:
            raise AtlasUnavailable(f"{REBUILD_HINT} ({path.name})") from exc


def _once_per_practice(rows: pd.DataFrame) -> pd.DataFrame:
    """Each practice once, on its newest vintage: practices are listed for each QOF year.

    A practice of one year only keeps its one row; other areas are untouched, in order.
    """
    practice = rows["level"] == "practice"
    newest = rows.loc[practice].sort_values("vintage").drop_duplicates("area_code", keep="last")
    return rows.loc[~practice | rows.index.isin(newest.index)]
