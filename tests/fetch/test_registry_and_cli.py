"""The registry against the build and the real raw files; archived copies; the command line."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from data_pipeline import atlas_files
from data_pipeline.__main__ import main
from data_pipeline.fetch import registry as registry_mod
from data_pipeline.fetch.checks import check_file
from data_pipeline.fetch.fetchers import FETCHERS, fetcher
from data_pipeline.fetch.runner import run
from data_pipeline.raw import RawDir
from data_pipeline.sources import qof_ccg, secondary_other, talking_therapies
from tests.conftest import raw_root

REGISTRY = registry_mod.load(environ={})


def test_every_file_the_build_reads_has_a_needed_target():
    manifest = json.loads((atlas_files.ATLAS_DIR / "manifest.json").read_text())
    produced = {p for t in REGISTRY.targets if t.needed for p in t.paths}
    assert sorted(set(manifest["raw_files"]) - produced) == []


def test_every_target_has_a_fetcher_and_a_publisher():
    for target in REGISTRY.targets:
        module = fetcher(target.source)
        assert callable(module.releases) and callable(module.produce), target.id
        assert REGISTRY.publisher(target.publisher).base_url.startswith("https://")


#: Readers of files that other sources' targets fetch (no target of their own).
READ_ONLY = {"ccg_geography", "population_ages"}


def test_every_source_with_a_reader_has_a_fetcher():
    sources = Path(__file__).resolve().parents[2] / "data_pipeline" / "sources"
    readers = {p.stem for p in sources.glob("*.py")} - {"__init__"}
    readers = {r for r in readers if not r.endswith("_fetch")} - READ_ONLY
    assert readers == {t.source for t in REGISTRY.targets} == set(FETCHERS)


def test_an_unregistered_source_is_named():
    with pytest.raises(KeyError, match="no_such_source"):
        fetcher("no_such_source")


def test_files_of_read_only_readers_are_fetched_by_a_target():
    from data_pipeline.sources import ccg_geography

    produced = {p for t in REGISTRY.targets for p in t.paths}
    assert set(ccg_geography.FILES) <= produced


@pytest.mark.raw
def test_registry_checks_accept_the_real_raw_files(raw_dir):
    checked = 0
    for target in REGISTRY.targets:
        for spec in target.files:
            path = raw_dir / spec.path
            if "{" not in spec.path and path.is_file():
                check_file(path, spec)
                checked += 1
    assert checked >= 55


def _serve_raw(server, raw_dir: Path, target_id: str) -> None:
    """Serve the real file, as the archive holds it (ungzipped where only we gzipped it)."""
    target = REGISTRY.select([target_id])[0]
    data = (raw_dir / target.paths[0]).read_bytes()
    if target.paths[0].endswith(".gz"):
        data = gzip.decompress(data)
    server.add(
        "/archive/"
        + target.option("path").replace("%20", " ").replace("%28", "(").replace("%29", ")"),
        data,
    )


@pytest.mark.raw
def test_archived_copies_match_their_checksums_and_read(server, make_ctx, raw_dir):
    ids = [
        "qof_ccg.2019_20",
        "talking_therapies.monthly_subicb",
        "secondary_other.oaps",
        "prescribing.lsoa_2025_q1",
        "secondary_other.readmissions",
    ]
    for target_id in ids:
        _serve_raw(server, raw_dir, target_id)
    ctx = make_ctx()
    report = run(ctx, ctx.registry.select(ids))
    assert sorted(report.downloaded) == sorted(ids) and not report.failed
    raw = RawDir(ctx.cache.root)
    assert len(qof_ccg.read_year(raw, "2019-20").tables["qof_ccg"]) > 0
    assert len(talking_therapies.read_monthly(raw).tables["tt_monthly_subicb"]) > 12_000
    assert len(secondary_other.read_oaps(raw).tables) == 1
    assert len(secondary_other.read_readmissions(raw).tables) == 1
    pldr = ctx.cache.root / "prescribing/pldr_p107_antidepressants_lsoa11_2025_Q1.csv.gz"
    assert gzip.decompress(pldr.read_bytes()) == gzip.decompress(
        (raw_dir / "prescribing/pldr_p107_antidepressants_lsoa11_2025_Q1.csv.gz").read_bytes()
    )


def test_cli_help_and_list(capsys):
    with pytest.raises(SystemExit) as done:
        main(["fetch", "--help"])
    assert done.value.code == 0
    assert "--cache DIR" in capsys.readouterr().out
    assert main(["fetch", "--list", "--only", "prescribing"]) == 0
    out = capsys.readouterr().out
    assert "prescribing.epd" in out and "NHSBSA Open Data Portal" in out


def test_cli_rejects_unknown_names(capsys):
    assert main(["fetch", "--only", "nonsense", "--list"]) == 2
    assert main(["fetch", "--base-url", "nowhere=http://127.0.0.1:9", "--list"]) == 2


@pytest.mark.skipif(not raw_root().is_dir(), reason="needs the raw files")
def test_cli_run_offline_and_exit_codes(server, tmp_path, capsys):
    raw_dir = raw_root()
    _serve_raw(server, raw_dir, "talking_therapies.monthly_subicb")
    overrides = [f"--base-url={key}={server.url}/{key}" for key in REGISTRY.publishers]
    args = ["fetch", "--quiet", "--retries", "0", "--only", "talking_therapies.monthly_subicb"]
    cache = tmp_path / "cache"
    assert main([*args, *overrides, "--cache", str(cache)]) == 0
    assert "1 downloaded" in capsys.readouterr().err
    server.stop()
    assert main([*args, *overrides, "--cache", str(cache)]) == 0
    err = capsys.readouterr().err
    assert "archived copies in public repositories (GitHub) could not be reached" not in err
    assert "0 downloaded, 1 unchanged" in err  # pinned checksum: cached, no request needed
    assert main([*args, *overrides, "--cache", str(tmp_path / "empty")]) == 1
    err = capsys.readouterr().err
    assert "could not be reached" in err and "never fetched" in err
