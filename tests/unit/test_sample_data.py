"""The WordPress sample-data generator, the committed fixture and the sample API server."""

import json
import urllib.request
from collections import Counter

import pytest
from fixtures_lambda import FIXTURE_DIR
from wordpress_sample import generate
from wordpress_sample.server import WordPressApi, exported_site

from lakehouse_common.datasets import WORDPRESS_DATASETS, WORDPRESS_KEYS, wordpress_column_names


@pytest.fixture(scope="module")
def site():
    return generate.generate_site()


def test_same_seed_same_site_other_seed_other_site(site):
    assert generate.generate_site(seed=7) == site
    assert generate.generate_site(seed=8)["posts"] != site["posts"]


def test_committed_fixture_is_the_generator_output_byte_for_byte(site):
    # Guards the shape other suites rely on: regenerate with the CLI if this is meant to change.
    assert sorted(path.stem for path in FIXTURE_DIR.glob("*.json")) == sorted(WORDPRESS_DATASETS)
    for dataset in WORDPRESS_DATASETS:
        assert (FIXTURE_DIR / f"{dataset}.json").read_text(encoding="utf-8") == generate.dumps_rows(
            site[dataset]
        )


def test_every_row_has_exactly_the_contract_columns_and_unique_keys(site):
    for dataset in WORDPRESS_DATASETS:
        columns = wordpress_column_names(dataset)
        assert all(tuple(row) == columns for row in site[dataset]), dataset
        keys = [tuple(row[k] for k in WORDPRESS_KEYS[dataset]) for row in site[dataset]]
        assert len(keys) == len(set(keys)), dataset


def test_small_site_size_and_variety(site):
    posts = site["posts"]
    assert 40 <= len(posts) <= 60
    assert {p["post_type"] for p in posts} == {"post", "page", "revision", "attachment", "nav_menu_item"}
    assert {"publish", "draft", "inherit", "pending", "auto-draft"} <= {p["post_status"] for p in posts}
    titles = " ".join(p["post_title"] for p in posts)
    names = " ".join(t["name"] for t in site["terms"])
    for entity in ("&amp;", "&#8217;", "&quot;"):
        assert entity in titles and entity in names, entity
    dates = sorted({row["date"] for row in site["statistics_pages"]})
    assert (len(dates), dates[0], dates[-1]) == (60, "2025-09-02", "2025-10-31")
    assert Counter(row["type"] for row in site["statistics_pages"]).keys() == {
        "home",
        "post",
        "page",
        "category",
        "post_tag",
    }


def test_references_hold_together(site):
    posts = {p["ID"]: p for p in site["posts"]}
    terms = {t["term_id"] for t in site["terms"]}
    taxonomy = {t["term_taxonomy_id"]: t for t in site["term_taxonomy"]}
    assert all(t["term_id"] in terms for t in taxonomy.values())
    assert all(
        r["object_id"] in posts and r["term_taxonomy_id"] in taxonomy for r in site["term_relationships"]
    )
    assert all(
        posts[p["post_parent"]]["post_type"] == "post" for p in posts.values() if p["post_type"] == "revision"
    )
    for row in site["statistics_pages"]:
        if row["type"] in ("post", "page"):
            assert (
                posts[row["id"]]["post_type"] == row["type"] and posts[row["id"]]["post_status"] == "publish"
            )
            assert row["date"] >= posts[row["id"]]["post_date"][:10]
        elif row["type"] in ("category", "post_tag"):
            assert row["id"] in terms
    # term_taxonomy.count is what WordPress keeps: published objects per term.
    published = Counter(
        r["term_taxonomy_id"]
        for r in site["term_relationships"]
        if posts[r["object_id"]]["post_status"] == "publish"
    )
    assert all(t["count"] == published.get(ttid, 0) for ttid, t in taxonomy.items())
    assert any(t["term_taxonomy_id"] != t["term_id"] for t in taxonomy.values())


def test_numeric_scale_is_about_that_many_statistics_rows():
    rows = len(generate.generate_site(scale=20_000)["statistics_pages"])
    assert 16_000 <= rows <= 24_000
    dates = {row["date"] for row in generate.generate_site(scale=3_000)["statistics_pages"]}
    assert len(dates) == generate.TWO_YEARS_DAYS


@pytest.mark.parametrize("scale", ["huge", 10, True])
def test_bad_scale_is_named(scale):
    with pytest.raises(ValueError, match="scale"):
        generate.generate_site(scale=scale)


def test_cli_writes_one_json_array_per_dataset(tmp_path, site, capsys):
    assert generate.main(["--out", str(tmp_path), "--seed", "7", "--scale", "small"]) == 0
    for dataset in WORDPRESS_DATASETS:
        assert json.loads((tmp_path / f"{dataset}.json").read_text(encoding="utf-8")) == site[dataset]
    assert "statistics_pages" in capsys.readouterr().out


def test_sample_api_pages_like_wordpress(site):
    served = exported_site(site)["statistics_pages"]
    with WordPressApi(site) as api:
        with urllib.request.urlopen(api.url("statistics_pages", per_page=100) + "&page=3") as response:
            body = json.loads(response.read())
            assert response.headers["X-WP-Total"] == str(len(served))
            assert response.headers["X-WP-TotalPages"] == str(-(-len(served) // 100))
            assert 'page=4>; rel="next"' in response.headers["Link"]
        assert body == served[200:300]
        with pytest.raises(urllib.error.HTTPError, match="400"):
            urllib.request.urlopen(
                api.url("statistics_pages", per_page=100) + f"&page={-(-len(served) // 100) + 1}"
            )


def test_sample_api_serves_what_the_plugin_exports(site):
    """Default plugin settings: published posts and pages only, no post_password, only their
    term relationships; everything else as stored."""
    with_password = [dict(row) for row in site["posts"]]
    protected = next(
        row for row in with_password if row["post_status"] == "publish" and row["post_type"] == "post"
    )
    protected.update(post_password="s3cret", post_content="<p>members only</p>")
    with WordPressApi({**site, "posts": with_password}) as api:
        with urllib.request.urlopen(api.url("posts", per_page=100)) as response:
            posts = json.loads(response.read())
        with urllib.request.urlopen(api.url("term_relationships", per_page=100)) as response:
            relationships = json.loads(response.read())
    wanted = [
        r["ID"] for r in site["posts"] if r["post_status"] == "publish" and r["post_type"] in ("post", "page")
    ]
    assert [row["ID"] for row in posts] == wanted and len(wanted) < len(site["posts"])
    assert all("post_password" not in row for row in posts)
    served = next(row for row in posts if row["ID"] == protected["ID"])
    assert (served["post_content"], served["post_excerpt"]) == ("", "")  # content withheld
    assert {r["object_id"] for r in relationships} <= set(wanted)
    assert relationships == [r for r in site["term_relationships"] if r["object_id"] in set(wanted)]
