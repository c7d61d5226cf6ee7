"""The local WordPress site: its corruption switch (failure demo) and tools/local_site.py up/down."""

from __future__ import annotations

import base64
import json
import shutil
import urllib.error
import urllib.request
from collections import Counter

import local_site
import pytest
from wordpress_local.site import free_port
from wordpress_sample import generate
from wordpress_sample.server import (
    CORRUPT_POST_STATUS,
    CORRUPTIONS,
    SAMPLE_CREDENTIALS,
    WordPressApi,
    corrupt_unknown_post_status,
    exported_site,
)

# WordPress's post statuses, the list the silver data-quality ruleset allows (envs/*/pipeline.tf).
WORDPRESS_STATUSES = {"publish", "future", "draft", "pending", "private", "trash", "auto-draft", "inherit"}


@pytest.fixture(scope="module")
def site():
    return generate.generate_site()


def get_json(url: str, credentials: tuple[str, str] | None = None) -> tuple[int, object]:
    headers = {}
    if credentials:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def all_rows(api: WordPressApi, dataset: str) -> list[dict]:
    status, rows = get_json(api.url(dataset, per_page=100))
    assert status == 200
    return rows


def test_corruption_changes_exactly_one_published_article_to_an_unknown_status(site):
    corrupted = corrupt_unknown_post_status(site["posts"])
    changed = [(a, b) for a, b in zip(site["posts"], corrupted) if a != b]
    assert len(changed) == 1
    before, after = changed[0]
    assert (before["post_type"], before["post_status"]) == ("post", "publish")
    assert after == {**before, "post_status": CORRUPT_POST_STATUS}
    assert CORRUPT_POST_STATUS not in WORDPRESS_STATUSES
    assert site["posts"][site["posts"].index(before)]["post_status"] == "publish"  # input untouched


def test_site_serves_the_corruption_until_switched_off_and_only_for_posts(site):
    with WordPressApi(site) as api:
        assert Counter(r["post_status"] for r in all_rows(api, "posts"))[CORRUPT_POST_STATUS] == 0
        api.corrupt("unknown_post_status")
        posts = all_rows(api, "posts")
        assert len(posts) == len(exported_site(site)["posts"])
        assert Counter(r["post_status"] for r in posts)[CORRUPT_POST_STATUS] == 1
        assert all_rows(api, "terms") == site["terms"]
        api.corrupt(None)
        assert all_rows(api, "posts") == exported_site(site)["posts"]


def test_control_routes_switch_and_report_the_corruption(site):
    with WordPressApi(site) as api:
        root = api.base_url.split("/wp-json/")[0]
        assert get_json(root + "/_site/health") == (200, {"status": "ok", "corruption": None})
        post = urllib.request.Request(
            root + "/_site/corruption", data=b'{"kind": "unknown_post_status"}', method="POST"
        )
        with urllib.request.urlopen(post, timeout=5) as response:
            assert json.loads(response.read()) == {"corruption": "unknown_post_status"}
        assert get_json(root + "/_site/health")[1] == {"status": "ok", "corruption": "unknown_post_status"}
        bad = urllib.request.Request(root + "/_site/corruption", data=b'{"kind": "nope"}', method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bad, timeout=5)
        assert refused.value.code == 400 and "unknown corruption 'nope'" in refused.value.read().decode()
        delete = urllib.request.Request(root + "/_site/corruption", method="DELETE")
        urllib.request.urlopen(delete, timeout=5).close()
        assert api.corruption is None
    assert set(CORRUPTIONS) == {"unknown_post_status"}


def test_local_site_up_status_corrupt_down(monkeypatch, capsys):
    port = free_port()
    monkeypatch.setenv("WORDPRESS_PORT", str(port))
    assert local_site.site_port() == port
    try:
        assert local_site.main(["up"]) == 0
        assert local_site.up(port) is False  # already running: no second process
        endpoints = json.loads(capsys.readouterr().out.strip().splitlines()[-2])
        assert endpoints["posts"] == f"http://127.0.0.1:{port}/wp-json/lakehouse/v1/posts?per_page=100"
        status, body = get_json(endpoints["posts"])
        assert status == 401 and body["code"] == "rest_forbidden"  # as the plugin: credentials required
        status, posts = get_json(endpoints["posts"], SAMPLE_CREDENTIALS)
        # The small sample site as the plugin exports it: its published posts and pages only.
        assert status == 200 and len(posts) == len(exported_site(generate.generate_site())["posts"]) == 26
        assert local_site.main(["corrupt", "unknown_post_status"]) == 0
        assert local_site.health(port) == {"status": "ok", "corruption": "unknown_post_status"}
        assert local_site.main(["status"]) == 0
        local_site.down(port)
        assert not (local_site.state_dir(port) / "site.pid").exists()
    finally:
        local_site.main(["down"])
        shutil.rmtree(local_site.state_dir(port), ignore_errors=True)
    assert local_site.health(port) is None
    assert local_site.main(["status"]) == 1


def test_site_port_defaults_to_emulator_port_plus_two(monkeypatch):
    monkeypatch.delenv("WORDPRESS_PORT", raising=False)
    monkeypatch.setenv("EMULATOR_PORT", "4700")
    assert local_site.site_port() == 4702
    monkeypatch.delenv("EMULATOR_PORT")
    assert local_site.site_port() == 4568  # envs/local's wordpress_site_port default
