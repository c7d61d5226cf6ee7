"""Deterministic generator of a realistic WordPress site's tables, as the WordPress API returns them.

`generate_site(seed, scale)` returns dataset -> rows, each row a JSON object whose keys are exactly
the columns of `lakehouse_common.datasets.WORDPRESS_COLUMNS` (the WordPress / WP Statistics MySQL
tables the pipeline reads). Same seed and scale -> same rows, on any machine (no clock, no hash order).

What makes it realistic (and what downstream jobs must cope with):
- posts of several types (post, page, revision, attachment, nav_menu_item) and statuses
  (publish, draft, pending, private, future, trash, inherit, auto-draft);
- HTML entities as WordPress stores them: `&amp;`, `&#8217;`, `&quot;` in titles and term names;
- statistics_pages: daily page views for every published post/page visited that day, the home page
  (id 0), category and tag archives (id = the TERM id, so it can collide with a post ID) and,
  rarely, a second row for the same post and day under a tracking-query URI;
- term_taxonomy_id differs from term_id for tags and menus (joins must use the right key).

CLI: `python tools/wordpress_sample/generate.py --out DIR [--seed 7] [--scale small|medium|large|N]`
writes DIR/<dataset>.json (a JSON array, one row per line).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import math
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple, Union

Row = Dict[str, object]

SITE_URL = "https://wordpress.example.com"
# Fixed, so output never depends on when it is generated.
END_DATE = dt.date(2025, 10, 31)
TWO_YEARS_DAYS = 730


@dataclass(frozen=True)
class SiteSize:
    """How big a generated site is."""

    articles: int  # post_type "post" (all statuses)
    pages: int  # post_type "page"
    tags: int
    days: int  # days of statistics_pages, ending on END_DATE


SCALES: Dict[str, SiteSize] = {
    # The committed test fixture: ~45 posts rows, 60 days of statistics (~1k rows).
    "small": SiteSize(articles=26, pages=4, tags=10, days=60),
    # Two years of daily statistics for a small blog (~50k statistics rows).
    "medium": SiteSize(articles=240, pages=8, tags=24, days=TWO_YEARS_DAYS),
}
# Average statistics rows per published post/page per day (measured from this generator).
_ROWS_PER_POST_DAY = 0.41

CATEGORIES: Tuple[Tuple[str, str], ...] = (
    # (name as WordPress stores it, description)
    ("Uncategorized", ""),
    ("Data &amp; Analytics", "Lakehouses, ETL &amp; reporting"),
    ("Developing &amp; Application Integration", ""),
    ("Security, Identity &amp; Compliance", "IAM, KMS &amp; friends"),
    ("Training &amp; Certification", ""),
    ("Me, Myself &amp; I", "Personal posts"),
    ("Internet Of Things", ""),
)
# Index into CATEGORIES of each category's parent (0 = top level; WordPress stores term_id).
_CATEGORY_PARENTS = {4: 2}
TAGS: Tuple[str, ...] = (
    "AWS Glue",
    "Amazon S3",
    "Python",
    "AWS Step Functions",
    "AWS Lambda",
    "Reader&#8217;s Questions",
    "&quot;Quick Wins&quot;",
    "Amazon Athena",
    "PySpark",
    "Cost &amp; Usage",
    "Amazon EventBridge",
    "AWS IAM",
    "Terraform",
    "Data Engineering",
    "pandas",
    "Parquet",
    "Power BI",
    "SQL Server",
    "Amazon SNS",
    "AWS Systems Manager",
    "Apache Spark",
    "Medallion Architecture",
    "Serverless",
    "Community &amp; Events",
)
_TOPICS: Tuple[str, ...] = (
    "AWS Glue",
    "Step Functions",
    "Amazon S3",
    "Lambda Layers",
    "Athena",
    "Parquet",
    "EventBridge",
    "IAM Policies",
    "PySpark",
    "pandas",
    "Data Quality",
    "Cost Control",
    "Terraform",
    "Power BI",
)
# Every template carries at least one HTML entity or none, cycling so each appears early.
_TITLE_TEMPLATES: Tuple[str, ...] = (
    "{a} &amp; {b}: A Practical Guide",
    "What&#8217;s New In {a}",
    "&quot;{a}&quot; Explained In Five Minutes",
    "Why {a} Isn&#8217;t As Scary As It Looks",
    "Building A Pipeline With {a}",
    "{a} Costs &amp; Savings Review",
    "Lessons From Running {a} In Production",
)
_PAGE_TITLES: Tuple[str, ...] = (
    "About",
    "Contact &amp; Socials",
    "Privacy Policy",
    "Projects",
    "Speaking &amp; Sessions",
    "Reader&#8217;s Corner",
    "Newsletter",
    "Archive",
)
_ARTICLE_STATUSES: Tuple[Tuple[str, float], ...] = (
    ("publish", 0.78),
    ("draft", 0.08),
    ("pending", 0.03),
    ("private", 0.03),
    ("future", 0.03),
    ("trash", 0.03),
    ("auto-draft", 0.02),
)


def _size_for(scale: Union[str, int]) -> SiteSize:
    if isinstance(scale, int) and not isinstance(scale, bool):
        if scale < 1000:
            raise ValueError(f"scale as a number is the wanted statistics_pages rows (>= 1000), got {scale}")
        # Home page and archive rows come every day whatever the size; posts make up the rest
        # (about 3/4 of them exist during the window, ~85% are published).
        fixed = TWO_YEARS_DAYS * (1 + 0.08 * (len(CATEGORIES) - 1 + len(TAGS)))
        per_post = TWO_YEARS_DAYS * _ROWS_PER_POST_DAY * 0.75 * 0.85
        posts = max(10, math.ceil((scale - fixed) / per_post))
        return SiteSize(articles=posts, pages=max(4, posts // 60), tags=len(TAGS), days=TWO_YEARS_DAYS)
    if isinstance(scale, str) and scale.isdigit():
        return _size_for(int(scale))
    if scale == "large":
        return _size_for(1_000_000)
    if scale in SCALES:
        return SCALES[scale]
    raise ValueError(f"scale must be one of {', '.join([*SCALES, 'large'])} or a row count, got {scale!r}")


def _slugify(name: str) -> str:
    text = html.unescape(name).lower().replace("\u2019", "").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _fmt(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class _SiteBuilder:
    """Builds the tables in one pass; keeps ID sequences like WordPress's AUTO_INCREMENT."""

    def __init__(self, seed: int, size: SiteSize) -> None:
        self.rng = random.Random(seed)
        self.size = size
        self.window_start = END_DATE - dt.timedelta(days=size.days - 1)
        # Posts are written from well before the statistics window up to its end.
        self.site_start = self.window_start - dt.timedelta(days=max(180, size.days))
        self.posts: List[Row] = []
        self.next_post_id = 1
        self.terms: List[Row] = []
        self.term_taxonomy: List[Row] = []
        self.relationships: List[Row] = []
        # term_id -> (term_taxonomy_id, taxonomy)
        self.category_ttids: List[int] = []
        self.tag_ttids: List[int] = []
        self.tag_term_ids: List[int] = []
        self.category_term_ids: List[int] = []
        self.menu_ttid = 0

    # ---- terms -----------------------------------------------------------------------------
    def build_terms(self) -> None:
        tags = [TAGS[i % len(TAGS)] for i in range(self.size.tags)]
        # term_ids: categories, then the menu, then tags (the order an admin created them).
        term_id = 1
        for name, _desc in CATEGORIES:
            self._add_term(term_id, name)
            self.category_term_ids.append(term_id)
            term_id += 1
        menu_term_id = term_id
        self._add_term(menu_term_id, "Main Menu")
        term_id += 1
        for name in tags:
            self._add_term(term_id, name)
            self.tag_term_ids.append(term_id)
            term_id += 1
        # term_taxonomy_ids: categories, tags, then the menu -> differ from term_id from tags on.
        ttid = 1
        for index, (_name, desc) in enumerate(CATEGORIES):
            parent_index = _CATEGORY_PARENTS.get(index)
            parent = self.category_term_ids[parent_index] if parent_index is not None else 0
            self._add_taxonomy(ttid, self.category_term_ids[index], "category", desc, parent)
            self.category_ttids.append(ttid)
            ttid += 1
        for tag_term_id in self.tag_term_ids:
            self._add_taxonomy(ttid, tag_term_id, "post_tag", "", 0)
            self.tag_ttids.append(ttid)
            ttid += 1
        self._add_taxonomy(ttid, menu_term_id, "nav_menu", "", 0)
        self.menu_ttid = ttid

    def _add_term(self, term_id: int, name: str) -> None:
        # Core wp_terms has no term_order (term-ordering plugins add one; the export omits it).
        self.terms.append({"term_id": term_id, "name": name, "slug": _slugify(name), "term_group": 0})

    def _add_taxonomy(self, ttid: int, term_id: int, taxonomy: str, description: str, parent: int) -> None:
        self.term_taxonomy.append(
            {
                "term_taxonomy_id": ttid,
                "term_id": term_id,
                "taxonomy": taxonomy,
                "description": description,
                "parent": parent,
                "count": 0,
            }
        )

    # ---- posts -----------------------------------------------------------------------------
    def _moment(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(
            seconds=self.rng.randrange(7 * 3600, 22 * 3600)
        )

    def _add_post(self, **fields: object) -> Row:
        post_id = self.next_post_id
        self.next_post_id += 1
        date = fields.pop("date")
        modified = fields.pop("modified", date)
        assert isinstance(date, dt.datetime) and isinstance(modified, dt.datetime)
        row: Row = {
            "ID": post_id,
            "post_author": fields.get("post_author", 1),
            "post_date": _fmt(date),
            # The site runs on UTC+1 (no DST handling needed for sample data).
            "post_date_gmt": _fmt(date - dt.timedelta(hours=1))
            if fields.get("status") != "auto-draft"
            else "0000-00-00 00:00:00",
            "post_content": fields.get("content", ""),
            "post_title": fields["title"],
            "post_excerpt": fields.get("excerpt", ""),
            "post_status": fields["status"],
            "comment_status": fields.get("comment_status", "open"),
            "ping_status": fields.get("ping_status", "open"),
            "post_name": fields.get("name", ""),
            "to_ping": "",
            "pinged": "",
            "post_modified": _fmt(modified),
            "post_modified_gmt": _fmt(modified - dt.timedelta(hours=1)),
            "post_content_filtered": "",
            "post_parent": fields.get("parent", 0),
            "guid": fields.get("guid", f"{SITE_URL}/?p={post_id}"),
            "menu_order": fields.get("menu_order", 0),
            "post_type": fields["type"],
            "post_mime_type": fields.get("mime", ""),
            "comment_count": fields.get("comments", 0),
        }
        self.posts.append(row)
        return row

    def _pick_status(self) -> str:
        roll = self.rng.random()
        total = 0.0
        for status, weight in _ARTICLE_STATUSES:
            total += weight
            if roll < total:
                return status
        return "publish"

    def build_posts(self) -> List[Tuple[Row, float]]:
        """Create pages, articles, revisions, attachments, menu items; return (visitable, popularity)."""
        visitable: List[Tuple[Row, float]] = []
        span_days = (END_DATE - self.site_start).days
        for index in range(self.size.pages):
            title = _PAGE_TITLES[index % len(_PAGE_TITLES)]
            day = self.site_start + dt.timedelta(days=index)
            status = "draft" if index == 2 else "publish"  # WordPress's Privacy Policy stub
            row = self._add_post(
                date=self._moment(day),
                title=title,
                status=status,
                type="page",
                name=_slugify(title),
                content=f"<p>{title}</p>",
                comment_status="closed",
                menu_order=index,
            )
            if status == "publish":
                visitable.append((row, 0.1 + 0.4 * self.rng.random()))
        for index in range(self.size.articles):
            # Evenly spread with jitter, so IDs grow with post_date like on a real blog.
            day = self.site_start + dt.timedelta(
                days=min(span_days, int((index + self.rng.random()) * span_days / self.size.articles))
            )
            a, b = self.rng.sample(_TOPICS, 2)
            title = _TITLE_TEMPLATES[index % len(_TITLE_TEMPLATES)].format(a=a, b=b)
            status = self._pick_status()
            created = self._moment(day)
            if status == "future":
                created = self._moment(END_DATE + dt.timedelta(days=self.rng.randrange(1, 30)))
            modified = created + dt.timedelta(days=self.rng.choice((0, 0, 1, 3, 40)), minutes=17)
            row = self._add_post(
                date=created,
                modified=modified,
                title=title,
                status=status,
                type="post",
                name="" if status in ("draft", "auto-draft", "pending") else _slugify(title),
                content=f"<p>{html.unescape(title)} &#8211; notes on {a}.</p>\n<p>See also {b}.</p>",
                excerpt=f"A look at {a}." if self.rng.random() < 0.3 else "",
                comments=self.rng.choice((0, 0, 0, 1, 2, 5)),
            )
            self._relate_article(row)
            if status == "publish":
                visitable.append((row, 0.15 + 0.8 * self.rng.random() ** 2))
            if status in ("publish", "private", "future") and self.rng.random() < 0.5:
                self._add_revision(row, modified)
            if status == "publish" and self.rng.random() < 0.3:
                self._add_attachment(row, created)
        for index, (row, _popularity) in enumerate(visitable[: min(3, len(visitable))]):
            self._add_menu_item(row, index)
        return visitable

    def _add_revision(self, parent: Row, modified: dt.datetime) -> None:
        self._add_post(
            date=modified,
            title=str(parent["post_title"]),
            status="inherit",
            type="revision",
            name=f"{parent['ID']}-revision-v1",
            parent=parent["ID"],
            content=str(parent["post_content"]),
            comment_status="closed",
            ping_status="closed",
        )

    def _add_attachment(self, parent: Row, created: dt.datetime) -> None:
        slug = f"{parent['post_name']}-diagram"
        self._add_post(
            date=created,
            title=f"{parent['post_name']}-diagram",
            status="inherit",
            type="attachment",
            name=slug,
            parent=parent["ID"],
            guid=f"{SITE_URL}/wp-content/uploads/{created:%Y/%m}/{slug}.png",
            mime="image/png",
            ping_status="closed",
        )

    def _add_menu_item(self, target: Row, order: int) -> None:
        created = dt.datetime.strptime(str(target["post_date"]), "%Y-%m-%d %H:%M:%S")
        row = self._add_post(
            date=created,
            title="",
            status="publish",
            type="nav_menu_item",
            name=str(self.next_post_id),
            menu_order=order + 1,
            comment_status="closed",
            ping_status="closed",
        )
        self.relationships.append(
            {"object_id": row["ID"], "term_taxonomy_id": self.menu_ttid, "term_order": 0}
        )

    def _relate_article(self, row: Row) -> None:
        if row["post_status"] == "auto-draft":
            return
        category = 0 if self.rng.random() < 0.1 else self.rng.randrange(1, len(self.category_ttids))
        ttids = [self.category_ttids[category]]
        ttids += self.rng.sample(self.tag_ttids, k=min(len(self.tag_ttids), self.rng.randrange(0, 4)))
        for ttid in sorted(ttids):
            self.relationships.append({"object_id": row["ID"], "term_taxonomy_id": ttid, "term_order": 0})

    def finish_counts(self) -> None:
        """term_taxonomy.count = published objects per term, as WordPress maintains it."""
        status = {row["ID"]: (row["post_status"], row["post_type"]) for row in self.posts}
        counts: Dict[object, int] = {}
        for rel in self.relationships:
            post_status, post_type = status[rel["object_id"]]
            if post_status == "publish" and post_type in ("post", "nav_menu_item"):
                counts[rel["term_taxonomy_id"]] = counts.get(rel["term_taxonomy_id"], 0) + 1
        for tax in self.term_taxonomy:
            tax["count"] = counts.get(tax["term_taxonomy_id"], 0)

    # ---- statistics ------------------------------------------------------------------------
    def build_statistics(self, visitable: List[Tuple[Row, float]]) -> List[Row]:
        stats: List[Row] = []
        term_by_ttid = {t["term_taxonomy_id"]: t["term_id"] for t in self.term_taxonomy}
        slug_by_term = {t["term_id"]: t["slug"] for t in self.terms}
        archives = [(ttid, "category", "category") for ttid in self.category_ttids[1:]]
        archives += [(ttid, "post_tag", "tag") for ttid in self.tag_ttids]
        published = sorted(
            ((str(row["post_date"])[:10], row, popularity) for row, popularity in visitable),
            key=lambda item: int(item[1]["ID"]),  # type: ignore[call-overload]
        )
        rng = self.rng
        for offset in range(self.size.days):
            day = self.window_start + dt.timedelta(days=offset)
            iso = day.isoformat()
            day_rows: List[Tuple[str, str, int, int]] = [("/", "home", 0, 20 + rng.randrange(0, 80))]
            for post_date, row, popularity in published:
                if post_date > iso or rng.random() >= popularity:
                    continue
                uri = self._uri(row)
                views = 1 + int(rng.expovariate(1.0 / (1 + 12 * popularity)))
                day_rows.append((uri, str(row["post_type"]), int(row["ID"]), views))  # type: ignore[call-overload]
                if rng.random() < 0.02:
                    day_rows.append(
                        (f"{uri}?utm_source=newsletter", str(row["post_type"]), int(row["ID"]), 1)
                    )  # type: ignore[call-overload]
            for ttid, kind, base in archives:
                if rng.random() < 0.08:
                    term_id = term_by_ttid[ttid]
                    day_rows.append(
                        (f"/{base}/{slug_by_term[term_id]}/", kind, term_id, 1 + rng.randrange(0, 4))
                    )
            for uri, kind, object_id, views in day_rows:
                stats.append(
                    {
                        "page_id": len(stats) + 1,
                        "uri": uri,
                        "type": kind,
                        "date": iso,
                        "count": views,
                        "id": object_id,
                    }
                )
        return stats

    @staticmethod
    def _uri(row: Row) -> str:
        if row["post_type"] == "page":
            return f"/{row['post_name']}/"
        return f"/{str(row['post_date'])[:10].replace('-', '/')}/{row['post_name']}/"


def generate_site(seed: int = 7, scale: Union[str, int] = "small") -> Dict[str, List[Row]]:
    """Return dataset -> rows (the exact JSON the WordPress API returns) for a deterministic site."""
    builder = _SiteBuilder(seed, _size_for(scale))
    builder.build_terms()
    visitable = builder.build_posts()
    builder.finish_counts()
    statistics = builder.build_statistics(visitable)
    return {
        "posts": builder.posts,
        "statistics_pages": statistics,
        "term_relationships": sorted(
            builder.relationships,
            key=lambda r: (r["object_id"], r["term_taxonomy_id"]),  # type: ignore[return-value]
        ),
        "term_taxonomy": builder.term_taxonomy,
        "terms": builder.terms,
    }


def dumps_rows(rows: List[Row]) -> str:
    """A JSON array with one row per line: small, diff-friendly, byte-stable."""
    if not rows:
        return "[]\n"
    body = ",\n".join(json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in rows)
    return f"[\n{body}\n]\n"


def write_site(site: Dict[str, List[Row]], out_dir: Path) -> Dict[str, Path]:
    """Write each dataset to out_dir/<dataset>.json; return dataset -> path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: Dict[str, Path] = {}
    for dataset, rows in site.items():
        path = out_dir / f"{dataset}.json"
        path.write_text(dumps_rows(rows), encoding="utf-8")
        written[dataset] = path
    return written


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for <dataset>.json files")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", default="small", help="small | medium | large | <statistics rows>")
    args = parser.parse_args(argv)
    site = generate_site(seed=args.seed, scale=args.scale)
    for dataset, path in write_site(site, args.out).items():
        print(f"{dataset:20s} {len(site[dataset]):>9d} rows  {path.stat().st_size:>12d} bytes  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
