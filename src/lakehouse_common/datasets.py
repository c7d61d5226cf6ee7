"""Names of the medallion layers, the WordPress source and its datasets (design contracts)."""

from typing import Tuple

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
