"""English Prescribing Data: CKAN listing, BNF 4.3 filtered while streaming, a year rolled on."""

from __future__ import annotations

import gzip

import pytest

from data_pipeline.errors import SourceError
from data_pipeline.fetch.runner import run
from data_pipeline.raw import RawDir
from data_pipeline.sources import prescribing
from tests.fetch.fetchkit import Reply
from tests.fetch.fixtures import EPD_HEADER, csv_bytes


def _month(period: str, rows: int = 40) -> bytes:
    body = []
    for i in range(rows):
        practice = f"A8100{i % 3}"
        bnf = "0403010B0AAABAB" if i % 4 == 0 else "0601022B0AAABAB"
        address = "0403 HOUSE" if i % 5 == 1 else "HIGH STREET, TOWN"  # '0403' off the BNF column
        row = dict.fromkeys(EPD_HEADER, "")
        row.update(
            YEAR_MONTH=int(period),
            PRACTICE_CODE=practice,
            PRACTICE_NAME=f"SURGERY {practice}",
            ADDRESS_1=address,
            BNF_CODE=bnf,
            BNF_CHEMICAL_SUBSTANCE=bnf[:9],
            QUANTITY=28.0,
            ITEMS=2,
            TOTAL_QUANTITY=56.0,
            ADQUSAGE=28.0,
            NIC=3.5,
            ACTUAL_COST=3.25,
            UNIDENTIFIED="false",
            BNF_CHAPTER_PLUS_CODE="04: Central Nervous System",
        )
        body.append([row[h] for h in EPD_HEADER])
    return csv_bytes(EPD_HEADER, body, quote_all=True)


def _package(server, periods):
    resources = [
        {
            "id": f"r{p}",
            "name": f"EPD_{p}",
            "format": "CSV",
            "url": f"{server.url}/epd/EPD_{p}.csv",
            "last_modified": f"{p[:4]}-{p[4:]}-28T00:00:00",
        }
        for p in periods
    ]
    resources.append({"name": "EPD_SNOMED_202401", "format": "CSV", "url": f"{server.url}/x.csv"})
    server.add(
        "/nhsbsa/api/3/action/package_show",
        {
            "success": True,
            "result": {"name": "english-prescribing-data-epd", "resources": resources},
        },
    )
    for p in periods:
        server.add(f"/epd/EPD_{p}.csv", _month(p))


def test_latest_months_filtered_while_streaming(server, make_ctx):
    _package(server, ["202312", "202401", "202402"])
    ctx = make_ctx(months=2)
    report = run(ctx, ctx.registry.select(["prescribing.epd"]))
    assert report.downloaded == ["prescribing.epd:202401", "prescribing.epd:202402"]
    assert "package_show?id=english-prescribing-data-epd" in server.gets("package_show")[0]
    cached = ctx.cache.root / "prescribing/epd/epd_bnf0403_202402.csv.gz"
    lines = gzip.decompress(cached.read_bytes()).decode().splitlines()
    assert lines[0].split(",")[0] == '"YEAR_MONTH"' and len(lines) == 1 + 10
    assert all('"0403' in line for line in lines[1:])
    result = prescribing.read_epd(RawDir(ctx.cache.root))
    table = result.tables["ad_practice_epd"]
    assert sorted(set(table["month"])) == ["202401", "202402"]
    assert table["items"].sum() == 2 * 10 * 2
    assert [r.rows_in for r in result.reconciliations] == [10, 10]


def test_next_month_downloads_only_it_and_rolls_the_year(server, make_ctx):
    _package(server, ["202401", "202402"])
    ctx = make_ctx(months=2)
    run(ctx, ctx.registry.select(["prescribing.epd"]))
    _package(server, ["202401", "202402", "202403"])
    server.log.clear()
    report = run(
        make_ctx(cache_dir=ctx.cache.root, months=2), ctx.registry.select(["prescribing"])[:1]
    )
    assert report.downloaded == ["prescribing.epd:202403"]
    assert report.unchanged == ["prescribing.epd:202402"]
    assert report.retired == ["prescribing.epd:202401"]
    assert server.gets("/epd/") == ["/epd/EPD_202403.csv"]
    files = sorted(p.name for p in (ctx.cache.root / "prescribing/epd").iterdir())
    assert files == ["epd_bnf0403_202402.csv.gz", "epd_bnf0403_202403.csv.gz"]
    assert any((ctx.cache.root / ".fetch/versions").rglob("*_epd_bnf0403_202401.csv.gz"))


def test_truncated_month_is_retried_then_reported(server, make_ctx, tmp_path):
    _package(server, ["202401"])
    whole = _month("202401")
    server.add("/epd/EPD_202401.csv", Reply(whole[:300], claim=len(whole)), Reply(whole))
    ctx = make_ctx()
    report = run(ctx, ctx.registry.select(["prescribing.epd"]))
    assert report.downloaded == ["prescribing.epd:202401"]
    server.add("/epd/EPD_202401.csv", Reply(whole[:300], claim=len(whole)))
    fresh = make_ctx(cache_dir=tmp_path / "fresh")
    report = run(fresh, fresh.registry.select(["prescribing.epd"]))
    problem = report.failed["prescribing.epd"]
    assert "/epd/EPD_202401.csv" in problem and "truncated download" in problem
    assert "after 3 attempts" in problem
    assert report.ok  # EPD is optional for the build


def test_reader_on_published_monthly_files(tmp_path):
    folder = tmp_path / "prescribing/epd"
    folder.mkdir(parents=True)
    (folder / "EPD_202401.csv").write_bytes(_month("202401", rows=20))
    result = prescribing.read_epd(RawDir(tmp_path))
    recon = result.reconciliations[0]
    assert recon.rows_in == 20 and recon.rows_used == 5
    assert recon.rejected == {"BNF code outside section 4.3 (not an antidepressant)": 15}


def test_reader_names_a_missing_column(tmp_path):
    folder = tmp_path / "prescribing/epd"
    folder.mkdir(parents=True)
    (folder / "EPD_202401.csv").write_text("YEAR_MONTH,PRACTICE_CODE,BNF_CODE,ITEMS\n1,A,0403,1\n")
    with pytest.raises(SourceError, match="NIC"):
        prescribing.read_epd(RawDir(tmp_path))


def test_reader_without_files_says_how_to_fetch(tmp_path):
    with pytest.raises(SourceError, match="data_pipeline fetch"):
        prescribing.read_epd(RawDir(tmp_path))
