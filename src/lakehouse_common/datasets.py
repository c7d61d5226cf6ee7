"""Names of the medallion layers and of the WordPress source, and (deprecated) the WordPress
column tables, now derived from its contract.

The column contract of every source lives in `sources/<source>/contract.json` and is read with
`lakehouse_common.contract` (`bundled_contract(source)` in deployed artifacts). `WORDPRESS_DATASETS`,
`WORDPRESS_COLUMNS`, `WORDPRESS_KEYS` and `wordpress_column_names` remain as thin aliases derived
from the WordPress contract for code not yet reading the contract itself; they are computed on
first use, so importing this module never needs the WordPress contract.
"""

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Tuple

from lakehouse_common.contract import CONTRACT_FILE, Contract, ContractError, bundled_contract, load_contract

LAYERS: Tuple[str, ...] = ("raw", "bronze", "silver", "gold")

SOURCE_WORDPRESS = "wordpress_api"

# Gold dataset built by the gold job from silver posts + statistics_pages.
GOLD_STATISTICS_POSTNAME = "statistics_postname"

# The old tables' kind names: contract text and html columns were both "str" (JSON strings).
_LEGACY_KINDS = {"text": "str", "html": "str"}
_ALIASES = ("WORDPRESS_DATASETS", "WORDPRESS_COLUMNS", "WORDPRESS_KEYS")


@lru_cache(maxsize=1)
def wordpress_contract() -> Contract:
    """The WordPress contract: the one the artifact carries, else a checkout's sources/ folder."""
    try:
        return bundled_contract(SOURCE_WORDPRESS)
    except ContractError:
        checkout = Path(__file__).resolve().parents[2] / "sources" / SOURCE_WORDPRESS / CONTRACT_FILE
        if not checkout.is_file():
            raise
        return load_contract(checkout)


def _aliases() -> Dict[str, Any]:
    contract = wordpress_contract()
    return {
        "WORDPRESS_DATASETS": contract.dataset_names,
        "WORDPRESS_COLUMNS": {
            name: tuple(
                (column.name, _LEGACY_KINDS.get(column.kind, column.kind)) for column in dataset.columns
            )
            for name, dataset in contract.datasets.items()
        },
        "WORDPRESS_KEYS": {name: dataset.keys for name, dataset in contract.datasets.items()},
    }


def __getattr__(name: str) -> Any:
    if name in _ALIASES:
        return _aliases()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def wordpress_column_names(dataset: str) -> Tuple[str, ...]:
    """Column names of one WordPress dataset, in contract order; KeyError names unknown datasets."""
    contract = wordpress_contract()
    if dataset not in contract.datasets:
        raise KeyError(f"unknown WordPress dataset {dataset!r}; known: {', '.join(contract.dataset_names)}")
    return contract.datasets[dataset].column_names
