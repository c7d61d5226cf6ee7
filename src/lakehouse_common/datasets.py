"""Names of the medallion layers, the WordPress source and its datasets (design contracts)."""

from typing import Dict, Tuple

LAYERS: Tuple[str, ...] = ("raw", "bronze", "silver", "gold")

SOURCE_WORDPRESS = "wordpress_api"

# Datasets the WordPress source publishes; each one lands in raw and bronze.
WORDPRESS_DATASETS: Tuple[str, ...] = (
    "posts",
    "statistics_pages",
    "term_relationships",
    "term_taxonomy",
    "terms",
)

# Gold dataset built by the gold job from silver posts + statistics_pages.
GOLD_STATISTICS_POSTNAME = "statistics_postname"

# Column contract of each WordPress dataset as the lakehouse-export plugin
# (wordpress_plugin/lakehouse-export) returns it: one JSON object per table row, columns named as
# in the core WordPress / WP Statistics MySQL tables. `wp_posts.post_password` is never exported;
# `wp_terms` has no `term_order` in core (only term-ordering plugins add one). Kinds:
#   "int"      JSON integer (nullable only where noted by the data, never for key columns)
#   "str"      JSON string
#   "datetime" JSON string "YYYY-MM-DD HH:MM:SS" (MySQL DATETIME; parsed downstream, not in bronze)
#   "date"     JSON string "YYYY-MM-DD" (MySQL DATE)
# Order matters: it is the column order of the sample data and of the bronze Parquet files.
WORDPRESS_COLUMNS: Dict[str, Tuple[Tuple[str, str], ...]] = {
    "posts": (
        ("ID", "int"),
        ("post_author", "int"),
        ("post_date", "datetime"),
        ("post_date_gmt", "datetime"),
        ("post_content", "str"),
        ("post_title", "str"),
        ("post_excerpt", "str"),
        ("post_status", "str"),
        ("comment_status", "str"),
        ("ping_status", "str"),
        ("post_name", "str"),
        ("to_ping", "str"),
        ("pinged", "str"),
        ("post_modified", "datetime"),
        ("post_modified_gmt", "datetime"),
        ("post_content_filtered", "str"),
        ("post_parent", "int"),
        ("guid", "str"),
        ("menu_order", "int"),
        ("post_type", "str"),
        ("post_mime_type", "str"),
        ("comment_count", "int"),
    ),
    # WP Statistics plugin table: one row per (uri, type, date); `id` is the post ID for
    # post/page rows but the TERM ID for category/post_tag rows and 0 for the home page.
    "statistics_pages": (
        ("page_id", "int"),
        ("uri", "str"),
        ("type", "str"),
        ("date", "date"),
        ("count", "int"),
        ("id", "int"),
    ),
    "term_relationships": (
        ("object_id", "int"),
        ("term_taxonomy_id", "int"),
        ("term_order", "int"),
    ),
    "term_taxonomy": (
        ("term_taxonomy_id", "int"),
        ("term_id", "int"),
        ("taxonomy", "str"),
        ("description", "str"),
        ("parent", "int"),
        ("count", "int"),
    ),
    "terms": (
        ("term_id", "int"),
        ("name", "str"),
        ("slug", "str"),
        ("term_group", "int"),
    ),
}

# Columns that identify a row: bronze rejects nulls and duplicates in them.
WORDPRESS_KEYS: Dict[str, Tuple[str, ...]] = {
    "posts": ("ID",),
    "statistics_pages": ("page_id",),
    "term_relationships": ("object_id", "term_taxonomy_id"),
    "term_taxonomy": ("term_taxonomy_id",),
    "terms": ("term_id",),
}


def wordpress_column_names(dataset: str) -> Tuple[str, ...]:
    """Column names of one WordPress dataset, in contract order; KeyError names unknown datasets."""
    if dataset not in WORDPRESS_COLUMNS:
        raise KeyError(f"unknown WordPress dataset {dataset!r}; known: {', '.join(WORDPRESS_DATASETS)}")
    return tuple(name for name, _kind in WORDPRESS_COLUMNS[dataset])
