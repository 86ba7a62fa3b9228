"""The shared machinery: retries, truncation, offline, the cache index and reruns."""

from __future__ import annotations

import hashlib
import json

import pytest

from data_pipeline.fetch import registry as registry_mod
from data_pipeline.fetch.cache import Cache, default_cache_dir
from data_pipeline.fetch.http import Client, DownloadError, HostNotAllowed, HTTPError, Unreachable
from data_pipeline.fetch.runner import run, summary
from tests.fetch.fetchkit import Reply, messages

CSV = b"sicbl22_code,date,name,value\nE38000130,July 2022,Count_ReferralsReceived,560\n"


def _client() -> Client:
    return Client(retries=2, backoff=0.0, timeout=5, sleep=lambda _: None)


def _one_target(base: str, sha: str | None = None, needed: bool = True) -> registry_mod.Registry:
    target = {
        "id": "talking_therapies.monthly_subicb",
        "source": "talking_therapies",
        "publisher": "archive",
        "dataset": "NHS TT monthly by sub-ICB",
        "period": "2022-07/2023-05",
        "kind": "url",
        "needed": needed,
        "path": "tt/monthly.csv",
        "files": [
            {
                "path": "services/nhstt_monthly_by_subicb_jul2022-may2023_healthyr.csv",
                "columns": ["sicbl22_code", "date", "name", "value"],
            }
        ],
    }
    if sha:
        target["sha256"] = sha
    return registry_mod.parse(
        {
            "publishers": {"archive": {"name": "Test archive", "base_url": base + "/archive"}},
            "targets": [target],
        }
    )


# --------------------------------------------------------------------------- HTTP client


def test_500_then_success_is_retried(server, tmp_path):
    server.add("/f.csv", Reply(b"busy", 500), Reply(CSV))
    client = _client()
    head = client.download(server.url + "/f.csv", tmp_path / "f.csv")
    assert (tmp_path / "f.csv").read_bytes() == CSV
    assert head.size == len(CSV)
    assert len(server.gets("/f.csv")) == 2


def test_persistent_500_names_the_url(server, tmp_path):
    server.add("/f.csv", Reply(b"busy", 503))
    with pytest.raises(HTTPError, match=r"/f\.csv: HTTP 503 .* after 3 attempts"):
        _client().download(server.url + "/f.csv", tmp_path / "f.csv")
    assert len(server.gets("/f.csv")) == 3


def test_404_is_not_retried(server, tmp_path):
    with pytest.raises(HTTPError, match="HTTP 404"):
        _client().get_json(server.url + "/missing")
    assert len(server.gets("/missing")) == 1


def test_truncated_download_is_retried_then_named(server, tmp_path):
    server.add("/big.csv", Reply(CSV[:20], claim=len(CSV)))
    with pytest.raises(DownloadError, match=r"/big\.csv: truncated download: 20 of \d+ bytes"):
        _client().download(server.url + "/big.csv", tmp_path / "big.csv")
    assert len(server.gets("/big.csv")) == 3


def test_truncated_then_whole_succeeds(server, tmp_path):
    server.add("/big.csv", Reply(CSV[:20], claim=len(CSV)), Reply(CSV))
    _client().download(server.url + "/big.csv", tmp_path / "big.csv")
    assert (tmp_path / "big.csv").read_bytes() == CSV


def test_checksum_mismatch(server, tmp_path):
    server.add("/f.csv", CSV)
    with pytest.raises(DownloadError, match="checksum mismatch"):
        _client().download(server.url + "/f.csv", tmp_path / "f.csv", sha256="0" * 64)


def test_unreachable_host(server, tmp_path):
    url = server.url + "/f.csv"
    server.stop()
    with pytest.raises(Unreachable, match="cannot connect"):
        _client().download(url, tmp_path / "f.csv")


def test_allow_list_keeps_tests_off_the_internet():
    client = Client(allow_hosts=frozenset({"127.0.0.1"}))
    with pytest.raises(HostNotAllowed):
        client.get_bytes("https://fingertips.phe.org.uk/api/profiles")
    assert client.requests == []


def test_every_publisher_can_be_moved(make_ctx, server):
    ctx = make_ctx()
    assert all(p.base_url.startswith(server.url) for p in ctx.registry.publishers.values())
    env = {"MTG_FETCH_URL_NHSBSA": "http://127.0.0.1:9/ckan"}
    assert registry_mod.load(env).publisher("nhsbsa").base_url == "http://127.0.0.1:9/ckan"


def test_default_cache_dir():
    assert str(default_cache_dir({"MTG_CACHE_DIR": "/x/y"})) == "/x/y"
    assert str(default_cache_dir({"XDG_CACHE_HOME": "/c"})) == "/c/mind-the-gap/raw"


# --------------------------------------------------------------------------- runner and cache


def test_fetch_installs_versions_and_index(make_ctx, server):
    server.add("/archive/tt/monthly.csv", Reply(CSV, headers={"ETag": '"v1"'}))
    ctx = make_ctx()
    ctx.registry = _one_target(server.url)
    report = run(ctx, list(ctx.registry.targets))
    assert report.ok and report.downloaded == ["talking_therapies.monthly_subicb"]
    relative = "services/nhstt_monthly_by_subicb_jul2022-may2023_healthyr.csv"
    assert (ctx.cache.root / relative).read_bytes() == CSV
    index = json.loads((ctx.cache.root / ".fetch/index.json").read_text())
    entry = index["entries"]["talking_therapies.monthly_subicb"]
    assert entry["publisher"] == "archive" and entry["period"] == "2022-07/2023-05"
    assert entry["key"]["etag"] == '"v1"'
    assert entry["files"][relative]["sha256"] == hashlib.sha256(CSV).hexdigest()
    version = ctx.cache.root / entry["versions"][0]
    assert version.read_bytes() == CSV
    assert version.parts[-4:-1] == ("archive", "NHS-TT-monthly-by-sub-ICB", "2022-07-2023-05")


def test_unchanged_rerun_downloads_nothing(make_ctx, server):
    server.add("/archive/tt/monthly.csv", Reply(CSV, headers={"ETag": '"v1"'}))
    ctx = make_ctx()
    ctx.registry = _one_target(server.url)
    run(ctx, list(ctx.registry.targets))
    before = len(server.gets())
    again = make_ctx()
    again.registry = ctx.registry
    report = run(again, list(again.registry.targets))
    assert report.unchanged == ["talking_therapies.monthly_subicb"] and not report.downloaded
    assert len(server.gets()) == before  # a HEAD only, no GET
    assert server.log[-1][0] == "HEAD"


def test_new_release_is_downloaded_and_old_version_kept(make_ctx, server):
    server.add("/archive/tt/monthly.csv", Reply(CSV, headers={"ETag": '"v1"'}))
    ctx = make_ctx()
    ctx.registry = _one_target(server.url)
    run(ctx, list(ctx.registry.targets))
    newer = CSV + b"E38000130,August 2022,Count_ReferralsReceived,570\n"
    server.add("/archive/tt/monthly.csv", Reply(newer, headers={"ETag": '"v2"'}))
    report = run(ctx, list(ctx.registry.targets))
    assert report.downloaded == ["talking_therapies.monthly_subicb"]
    versions = list((ctx.cache.root / ".fetch/versions").rglob("*.csv"))
    assert sorted(v.read_bytes() for v in versions) == sorted([CSV, newer])


def test_pinned_checksum_needs_no_request_once_cached(make_ctx, server):
    sha = hashlib.sha256(CSV).hexdigest()
    server.add("/archive/tt/monthly.csv", CSV)
    ctx = make_ctx()
    ctx.registry = _one_target(server.url, sha=sha)
    assert run(ctx, list(ctx.registry.targets)).downloaded
    server.log.clear()
    assert run(ctx, list(ctx.registry.targets)).unchanged
    assert server.log == []


def test_truncated_download_keeps_the_cached_file(make_ctx, server):
    server.add("/archive/tt/monthly.csv", Reply(CSV, headers={"ETag": '"v1"'}))
    ctx = make_ctx()
    ctx.registry = _one_target(server.url)
    run(ctx, list(ctx.registry.targets))
    server.add("/archive/tt/monthly.csv", Reply(CSV[:10], claim=500, headers={"ETag": '"v2"'}))
    report = run(ctx, list(ctx.registry.targets))
    assert "truncated download" in report.failed["talking_therapies.monthly_subicb"]
    assert "/archive/tt/monthly.csv" in report.failed["talking_therapies.monthly_subicb"]
    relative = "services/nhstt_monthly_by_subicb_jul2022-may2023_healthyr.csv"
    assert (ctx.cache.root / relative).read_bytes() == CSV
    assert report.ok  # the needed file is still cached
    assert not list((ctx.cache.root / ".fetch/tmp").iterdir())


def test_a_file_failing_its_check_is_not_installed(make_ctx, server):
    server.add("/archive/tt/monthly.csv", Reply(b"code,month\nE38,July\n"))
    ctx = make_ctx()
    ctx.registry = _one_target(server.url)
    report = run(ctx, list(ctx.registry.targets))
    assert "columns missing from the header" in report.failed["talking_therapies.monthly_subicb"]
    assert not report.ok
    assert report.missing == ["services/nhstt_monthly_by_subicb_jul2022-may2023_healthyr.csv"]


def test_offline_names_the_publisher_and_keeps_the_cache(make_ctx, server, tmp_path):
    server.add("/archive/tt/monthly.csv", Reply(CSV, headers={"ETag": '"v1"'}))
    ctx = make_ctx()
    ctx.registry = _one_target(server.url)
    run(ctx, list(ctx.registry.targets))
    dead = server.url
    server.stop()
    offline = make_ctx(cache_dir=ctx.cache.root)
    offline.registry = _one_target(dead)
    report = run(offline, list(offline.registry.targets))
    assert report.ok
    assert list(report.unreachable) == ["Test archive"]
    text = messages(offline)
    assert "Test archive could not be reached" in text
    assert "keeping the cached files: services/nhstt_monthly_by_subicb" in text
    lines = summary(report)
    assert any(line.startswith("unreachable: Test archive") for line in lines)


def test_offline_with_nothing_cached_fails(make_ctx, server, tmp_path):
    dead = server.url
    server.stop()
    ctx = make_ctx()
    ctx.registry = _one_target(dead)
    report = run(ctx, list(ctx.registry.targets))
    assert not report.ok
    assert "never fetched" in summary(report)[-1]


def test_offline_optional_target_does_not_fail_the_run(make_ctx, server):
    dead = server.url
    server.stop()
    ctx = make_ctx()
    ctx.registry = _one_target(dead, needed=False)
    assert run(ctx, list(ctx.registry.targets)).ok


def test_cache_index_survives_reload(make_ctx, server):
    server.add("/archive/tt/monthly.csv", Reply(CSV, headers={"ETag": '"v1"'}))
    ctx = make_ctx()
    ctx.registry = _one_target(server.url)
    run(ctx, list(ctx.registry.targets))
    reloaded = Cache(ctx.cache.root)
    assert set(reloaded.entries) == {"talking_therapies.monthly_subicb"}
