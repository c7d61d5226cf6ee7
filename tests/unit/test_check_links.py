"""The documentation link check: a missing file or heading is reported, a good link is not."""

import check_links


def test_broken_files_and_anchors_are_reported_and_good_links_pass(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guard.md").write_text("# Guard\n\n## What the guard costs (`bench`)\n")
    (tmp_path / "README.md").write_text(
        "[ok](docs/guard.md#what-the-guard-costs-bench) [web](https://example.com/x#y)\n"
        "[gone](docs/pipeline.md) [anchor](docs/guard.md#profiles)\n"
        "```\n[in code](nowhere.md)\n```\n"
    )
    monkeypatch.setattr(check_links, "REPO", tmp_path)

    problems = check_links.broken(tmp_path / "README.md")

    assert problems == [
        "README.md:2: docs/pipeline.md: no such file",
        "README.md:2: docs/guard.md#profiles: no heading with anchor #profiles in docs/guard.md",
    ]
    assert check_links.main() == 1
