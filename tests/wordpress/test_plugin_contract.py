"""The lakehouse-export plugin over HTTP on a real WordPress 6.1 (Debian's packages, PHP 8.2).

Expected rows come from the site's database (SQL through the MariaDB socket), not from the
plugin's code: what the content script created, filtered by the documented rules.
"""

from __future__ import annotations

import base64
import math
import urllib.error
import urllib.request

import pytest

from lakehouse_common.datasets import WORDPRESS_COLUMNS, WORDPRESS_DATASETS, WORDPRESS_KEYS
from tests.wordpress.conftest import Answer, http_get

pytestmark = pytest.mark.wordpress

DEFAULT_POSTS_SQL = (
    "SELECT ID FROM wp_posts WHERE post_status = 'publish' AND post_type IN ('post', 'page') ORDER BY ID"
)


def ids(site, sql: str) -> list[int]:
    return [int(line) for line in site.sql(sql).split()]


def fetch_all(site, dataset: str, per_page: int = 100, query: str = "") -> tuple[list[dict], list[Answer]]:
    first = http_get(f"{site.route(dataset)}?per_page={per_page}{query}", site.basic_auth())
    assert first.status == 200, first.body[:300]
    answers = [first]
    for page in range(2, int(first.headers["X-WP-TotalPages"]) + 1):
        answers.append(
            http_get(f"{site.route(dataset)}?per_page={per_page}&page={page}{query}", site.basic_auth())
        )
        assert answers[-1].status == 200, answers[-1].body[:300]
    return [row for answer in answers for row in answer.json()], answers


@pytest.fixture
def settings(real_wordpress):
    """Change plugin options for one test; the defaults come back afterwards."""

    def change(**options: object) -> None:
        for name, value in options.items():
            php_value = (
                "array(" + ", ".join(f"'{item}'" for item in value) + ")"
                if isinstance(value, list)
                else repr(value)
            )
            real_wordpress.php_code(f"update_option('lakehouse_export_{name}', {php_value});")

    yield change
    real_wordpress.php_code(
        "update_option('lakehouse_export_post_statuses', array('publish'));"
        "update_option('lakehouse_export_post_types', array('post', 'page'));"
        "update_option('lakehouse_export_private_content', 0);"
    )


@pytest.mark.parametrize("dataset", WORDPRESS_DATASETS)
def test_without_credentials_401(real_wordpress, dataset):
    answer = http_get(real_wordpress.route(dataset))
    assert answer.status == 401
    assert answer.json()["code"] == "rest_forbidden"


def test_wrong_application_password_401(real_wordpress):
    bad = "Basic " + base64.b64encode(b"lakehouse:abcd efgh ijkl mnop qrst uvwx").decode()
    answer = http_get(real_wordpress.route("posts"), bad)
    assert answer.status == 401  # WordPress 6.1 then answers as for no credentials (rest_forbidden)


@pytest.mark.parametrize("dataset", WORDPRESS_DATASETS)
def test_user_without_capability_403(real_wordpress, dataset):
    answer = http_get(real_wordpress.route(dataset), real_wordpress.basic_auth("author"))
    assert answer.status == 403
    assert "lakehouse_export" in answer.json()["message"]


def test_routes_are_read_only(real_wordpress):
    request = urllib.request.Request(
        real_wordpress.route("posts"),
        data=b"{}",
        method="POST",
        headers={"Authorization": real_wordpress.basic_auth(), "Content-Type": "application/json"},
    )
    try:
        urllib.request.urlopen(request, timeout=30)
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 404  # rest_no_route: no route for POST


@pytest.mark.parametrize("dataset", WORDPRESS_DATASETS)
def test_columns_are_the_bronze_contract(real_wordpress, dataset):
    rows, _answers = fetch_all(real_wordpress, dataset)
    assert rows
    expected = [name for name, _kind in WORDPRESS_COLUMNS[dataset]]
    assert {tuple(row) for row in rows} == {tuple(expected)}
    for name, kind in WORDPRESS_COLUMNS[dataset]:
        wanted = int if kind == "int" else str
        assert all(isinstance(row[name], wanted) for row in rows), name


def test_pagination_headers_and_order(real_wordpress):
    expected = ids(real_wordpress, DEFAULT_POSTS_SQL)
    rows, answers = fetch_all(real_wordpress, "posts", per_page=7)
    assert all(int(a.headers["X-WP-Total"]) == len(expected) for a in answers)
    assert all(int(a.headers["X-WP-TotalPages"]) == math.ceil(len(expected) / 7) for a in answers)
    assert len(answers) == math.ceil(len(expected) / 7) > 1
    assert [row["ID"] for row in rows] == expected  # primary-key order, nothing repeated or missed
    assert 'rel="next"' in answers[0].headers["Link"]


@pytest.mark.parametrize("dataset", WORDPRESS_DATASETS)
def test_pages_are_disjoint_and_ordered_by_key(real_wordpress, dataset):
    rows, _answers = fetch_all(real_wordpress, dataset, per_page=3)
    keys = [tuple(row[k] for k in WORDPRESS_KEYS[dataset]) for row in rows]
    assert keys == sorted(set(keys))


KEYSET = {
    "posts": "ID",
    "statistics_pages": "page_id",
    "term_taxonomy": "term_taxonomy_id",
    "terms": "term_id",
}


def follow_next(site, dataset: str, first_url: str) -> tuple[list[dict], list[Answer]]:
    """Every page, following Link rel="next" as a client does (only its query is used)."""
    answers = [http_get(first_url, site.basic_auth())]
    while True:
        assert answers[-1].status == 200, answers[-1].body[:300]
        link = answers[-1].headers.get("Link") or ""
        if 'rel="next"' not in link:
            break
        query = link.split("<", 1)[1].split(">", 1)[0].split("?", 1)[1]
        answers.append(http_get(f"{site.route(dataset)}?{query}", site.basic_auth()))
    return [row for answer in answers for row in answer.json()], answers


@pytest.mark.parametrize("dataset", sorted(KEYSET))
def test_keyset_pages_follow_the_key_without_offsets(real_wordpress, dataset):
    expected, _ = fetch_all(real_wordpress, dataset, per_page=100)
    rows, answers = follow_next(
        real_wordpress, dataset, f"{real_wordpress.route(dataset)}?per_page=3&after=0"
    )
    key = KEYSET[dataset]
    assert [row[key] for row in rows] == sorted(row[key] for row in expected)  # all, once, in key order
    assert len(answers) == math.ceil(len(expected) / 3) > 1
    assert int(answers[0].headers["X-WP-Total"]) == len(expected)
    assert all("X-WP-TotalPages" not in answer.headers for answer in answers)
    assert all("X-WP-Total" not in answer.headers for answer in answers[1:])  # counted once
    assert all(
        f"after={answers[i].json()[-1][key]}" in answers[i].headers["Link"] for i in range(len(answers) - 1)
    )


def test_keyset_paging_neither_repeats_nor_skips_when_rows_are_added(real_wordpress):
    site = real_wordpress
    first = http_get(f"{site.route('statistics_pages')}?per_page=5&after=0", site.basic_auth())
    before = ids(site, "SELECT page_id FROM wp_statistics_pages ORDER BY page_id")
    site.sql(
        "INSERT INTO wp_statistics_pages (uri, type, date, count, id)"
        " VALUES ('/added-while-paging/', 'page', CURDATE(), 1, 0)"
    )
    try:
        query = first.headers["Link"].split("<", 1)[1].split(">", 1)[0].split("?", 1)[1]
        rest, _ = follow_next(site, "statistics_pages", f"{site.route('statistics_pages')}?{query}")
        keys = [row["page_id"] for row in first.json() + rest]
        assert keys == ids(site, "SELECT page_id FROM wp_statistics_pages ORDER BY page_id")
        assert set(before) < set(keys)  # every row there at the start, plus the new one
    finally:
        site.sql("DELETE FROM wp_statistics_pages WHERE uri = '/added-while-paging/'")


def test_keyset_keeps_the_from_filter(real_wordpress):
    site = real_wordpress
    day = site.sql("SELECT MAX(date) FROM wp_statistics_pages").strip()
    rows, _ = follow_next(
        site, "statistics_pages", f"{site.route('statistics_pages')}?per_page=4&after=0&from={day}"
    )
    assert [row["page_id"] for row in rows] == ids(
        site, f"SELECT page_id FROM wp_statistics_pages WHERE date >= '{day}' ORDER BY page_id"
    )


def test_after_must_be_a_whole_number(real_wordpress):
    answer = http_get(f"{real_wordpress.route('posts')}?per_page=10&after=abc", real_wordpress.basic_auth())
    assert answer.status == 400 and answer.json()["code"] == "rest_invalid_param"


def test_per_page_above_100_is_rejected(real_wordpress):
    answer = http_get(f"{real_wordpress.route('posts')}?per_page=101", real_wordpress.basic_auth())
    assert answer.status == 400
    assert answer.json()["code"] == "rest_invalid_param"


def test_page_past_the_end_is_wordpress_error(real_wordpress):
    total = len(ids(real_wordpress, DEFAULT_POSTS_SQL))
    answer = http_get(
        f"{real_wordpress.route('posts')}?per_page=100&page={total // 100 + 2}", real_wordpress.basic_auth()
    )
    assert answer.status == 400
    assert answer.json()["code"] == "rest_post_invalid_page_number"


def test_default_export_is_published_posts_and_pages(real_wordpress):
    rows, _answers = fetch_all(real_wordpress, "posts")
    assert [row["ID"] for row in rows] == ids(real_wordpress, DEFAULT_POSTS_SQL)
    assert {(row["post_type"], row["post_status"]) for row in rows} == {
        ("post", "publish"),
        ("page", "publish"),
    }
    titles = {row["post_title"] for row in rows}
    assert {
        "Tom & Jerry\u2019s \u201cbig\u201d day out",
        "東京の夜 🌃",
        "Привет, мир",
        "🚀 Launch day",
    } <= titles


def test_never_post_password_trash_revisions_auto_drafts(real_wordpress, settings):
    settings(
        post_statuses=["publish", "future", "draft", "pending", "private", "trash", "auto-draft", "inherit"],
        post_types=["post", "page", "revision", "attachment", "nav_menu_item"],
    )
    rows, answers = fetch_all(real_wordpress, "posts")
    statuses = {row["post_status"] for row in rows}
    assert statuses == {"publish", "future", "draft", "pending", "private"}
    assert "revision" not in {row["post_type"] for row in rows}
    assert ids(real_wordpress, "SELECT COUNT(*) FROM wp_posts WHERE post_type = 'revision'")[0] > 0
    manifest = real_wordpress.manifest
    exported = {row["ID"] for row in rows}
    assert manifest["trashed_post"] not in exported and manifest["auto_draft"] not in exported
    for dataset in WORDPRESS_DATASETS:
        _rows, dataset_answers = fetch_all(real_wordpress, dataset)
        for answer in dataset_answers + answers:
            assert b"post_password" not in answer.body
            assert b"hunter2-secret" not in answer.body


def test_private_content_only_with_the_setting(real_wordpress, settings):
    manifest = real_wordpress.manifest
    rows = {row["ID"]: row for row in fetch_all(real_wordpress, "posts")[0]}
    assert manifest["private_post"] not in rows  # private posts are not a default status
    assert rows[manifest["protected_post"]]["post_content"] == ""
    assert rows[manifest["protected_post"]]["post_excerpt"] == ""

    settings(post_statuses=["publish", "private"])
    rows = {row["ID"]: row for row in fetch_all(real_wordpress, "posts")[0]}
    assert rows[manifest["private_post"]]["post_title"] == "Private notes"
    assert rows[manifest["private_post"]]["post_content"] == ""

    settings(private_content=1)
    rows = {row["ID"]: row for row in fetch_all(real_wordpress, "posts")[0]}
    assert rows[manifest["private_post"]]["post_content"] == "PRIVATE-CONTENT-MARKER"
    assert rows[manifest["protected_post"]]["post_content"] == "PROTECTED-CONTENT-MARKER"


def test_term_relationships_only_of_exported_posts(real_wordpress):
    rows, _answers = fetch_all(real_wordpress, "term_relationships")
    exported = set(ids(real_wordpress, DEFAULT_POSTS_SQL))
    all_objects = set(ids(real_wordpress, "SELECT DISTINCT object_id FROM wp_term_relationships"))
    assert {row["object_id"] for row in rows} == all_objects & exported
    assert all_objects - exported  # drafts etc. have terms too, and they are withheld


def test_terms_and_taxonomy_are_the_tables(real_wordpress):
    terms, _answers = fetch_all(real_wordpress, "terms")
    assert [row["term_id"] for row in terms] == ids(
        real_wordpress, "SELECT term_id FROM wp_terms ORDER BY term_id"
    )
    names = {row["name"] for row in terms}
    assert {"Data &amp; Analytics", "Ελληνικά", "日本語"} <= names  # stored as WordPress stores them
    taxonomy, _answers = fetch_all(real_wordpress, "term_taxonomy")
    assert len(taxonomy) == ids(real_wordpress, "SELECT COUNT(*) FROM wp_term_taxonomy")[0]


def test_statistics_pages_full_and_from_a_day(real_wordpress):
    rows, _answers = fetch_all(real_wordpress, "statistics_pages")
    assert len(rows) == real_wordpress.manifest["statistics_rows"] > 0
    assert [row["page_id"] for row in rows] == ids(
        real_wordpress, "SELECT page_id FROM wp_statistics_pages ORDER BY page_id"
    )
    days = sorted({row["date"] for row in rows})
    since = days[-2]
    recent, _answers = fetch_all(real_wordpress, "statistics_pages", query=f"&from={since}")
    assert recent and {row["date"] for row in recent} == set(days[-2:])
    assert len(recent) == sum(1 for row in rows if row["date"] >= since)


@pytest.mark.parametrize("bad", ["2025-02-30", "yesterday", "2025-1-1"])
def test_statistics_from_must_be_a_day(real_wordpress, bad):
    answer = http_get(f"{real_wordpress.route('statistics_pages')}?from={bad}", real_wordpress.basic_auth())
    assert answer.status == 400
    assert answer.json()["code"] == "rest_invalid_param"


def test_without_wp_statistics_a_clear_error(real_wordpress):
    real_wordpress.sql("RENAME TABLE wp_statistics_pages TO wp_statistics_pages_away")
    try:
        answer = http_get(real_wordpress.route("statistics_pages"), real_wordpress.basic_auth())
    finally:
        real_wordpress.sql("RENAME TABLE wp_statistics_pages_away TO wp_statistics_pages")
    assert answer.status == 501
    body = answer.json()
    assert body["code"] == "lakehouse_statistics_unavailable"
    assert "WP Statistics" in body["message"] and "wp_statistics_pages" in body["message"]


def test_uninstall_removes_role_and_capability(real_wordpress):
    real_wordpress.php_code(
        "require_once ABSPATH . 'wp-admin/includes/plugin.php';"
        "deactivate_plugins('lakehouse-export/lakehouse-export.php');"
        "uninstall_plugin('lakehouse-export/lakehouse-export.php');"
    )
    try:
        assert (
            real_wordpress.php_code("echo get_role('lakehouse_exporter') === null ? 'gone' : 'kept';")
            == "gone"
        )
        assert (
            real_wordpress.php_code(
                "echo get_option('lakehouse_export_post_types', 'gone') === 'gone' ? 'gone' : 'kept';"
            )
            == "gone"
        )
    finally:
        real_wordpress.php_code(
            "require_once ABSPATH . 'wp-admin/includes/plugin.php';"
            "activate_plugin('lakehouse-export/lakehouse-export.php');"
        )
    assert http_get(real_wordpress.route("terms"), real_wordpress.basic_auth()).status == 200
