"""Small responses shaped like the publishers' own, made in the test (no committed data)."""

from __future__ import annotations

import csv
import io
import urllib.parse
import zipfile
from collections.abc import Sequence
from pathlib import Path

from data_pipeline.sources.prescribing import EPD_PUBLISHED_COLUMNS
from tests.fetch.fetchkit import Reply, Server

EPD_HEADER = list(EPD_PUBLISHED_COLUMNS)

FINGERTIPS_HEADER = [
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Parent Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
    "Value note",
    "Recent Trend",
    "Compared to England value or percentiles",
    "Column not used",
    "Time period Sortable",
    "New data",
    "Compared to goal",
    "Time period range",
]


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[object]], quote_all=False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        lineterminator="\n",
        quoting=csv.QUOTE_NONNUMERIC if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def workbook_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def square(x: float, y: float, size: float = 0.1) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def arcgis_layer(
    server: Server, service: str, records: list[dict], geometry: bool, page: int = 2
) -> None:
    """A FeatureServer layer answering ``?f=json`` and paged ``query`` like ONS's.

    The server pages at ``page`` records whatever is asked (its maxRecordCount) and sets
    ``exceededTransferLimit`` while more remain, as ArcGIS does.
    """
    base = f"/ons_geoportal/{service}/FeatureServer/0"
    server.add(
        base,
        {
            "name": service,
            "maxRecordCount": page,
            "editingInfo": {"lastEditDate": 1_700_000_000_000},
        },
    )

    def query(path: str) -> Reply:
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
        offset = int(params.get("resultOffset", 0))
        count = min(int(params.get("resultRecordCount", page)), page)
        chunk = records[offset : offset + count]
        more = offset + count < len(records)
        if params.get("f") == "geojson":
            body = {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": r["properties"], "geometry": r["geometry"]}
                    for r in chunk
                ],
            }
            if more:
                body["properties"] = {"exceededTransferLimit": True}
        else:
            body = {"features": [{"attributes": r} for r in chunk]}
            if more:
                body["exceededTransferLimit"] = True
        import json

        return Reply(json.dumps(body).encode(), headers={"Content-Type": "application/json"})

    server.add_fn(base + "/query", query)


def html_links(*hrefs: str) -> str:
    items = "".join(f'<li><a href="{h}">{Path(h).name or h}</a></li>' for h in hrefs)
    return f"<html><body><h1>Publication</h1><ul>{items}</ul></body></html>"


def fingertips_row(
    indicator: int,
    name: str,
    code: str,
    area: str,
    kind: str,
    period: str,
    value: object,
    compared: str = "Similar",
    category: str = "",
    sex: str = "Persons",
    age: str = "18+ yrs",
) -> list[object]:
    row = dict.fromkeys(FINGERTIPS_HEADER, "")
    row.update(
        {
            "Indicator ID": indicator,
            "Indicator Name": name,
            "Area Code": code,
            "Area Name": area,
            "Area Type": kind,
            "Sex": sex,
            "Age": age,
            "Category Type": category,
            "Time period": period,
            "Value": value,
            "Compared to England value or percentiles": compared,
        }
    )
    return [row[h] for h in FINGERTIPS_HEADER]
