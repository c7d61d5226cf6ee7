"""Source contracts: what a valid one yields, and that each kind of mistake is refused naming the
file and the field."""

import copy
import json
from pathlib import Path

import pytest

from lakehouse_common.contract import (
    ContractError,
    LoadMode,
    RawSpec,
    load_contract,
    parse_contract,
    rule_columns,
)

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "sources/music/contract.json"

MINIMAL = {
    "source": "music",
    "datasets": {
        "tracks": {
            "columns": [
                {"name": "track_id", "kind": "int", "nullable": False},
                {"name": "title", "kind": "html"},
                {"name": "bpm", "kind": "float"},
                {"name": "price", "kind": "decimal", "precision": 10, "scale": 2},
                {"name": "explicit", "kind": "bool"},
                {"name": "released", "kind": "date"},
                {"name": "modified_at", "kind": "timestamp_tz"},
                {"name": "deleted", "kind": "bool"},
            ],
            "keys": ["track_id"],
            "load": {"mode": "incremental", "order_by": "modified_at", "delete_marker": "deleted"},
            "raw": {"kind": "landing", "format": "csv"},
            "silver": {"rename": {"title": "track_title"}, "split_dates": ["released"], "drop": ["price"]},
            "quality": ['ColumnValues "bpm" between 40 and 250', 'IsComplete "track_title"'],
        },
        "plays": {
            "columns": [
                {"name": "play_id", "kind": "text", "nullable": False},
                {"name": "track_id", "kind": "int"},
                {"name": "played_at", "kind": "timestamp_tz"},
            ],
            "keys": ["play_id"],
            "raw": {"kind": "landing", "format": "ndjson"},
            "quality": ['ReferentialIntegrity "track_id" "tracks.track_id" = 1.0'],
        },
    },
}


def broken(change):
    document = copy.deepcopy(MINIMAL)
    change(document)
    return document


def refusal(document):
    with pytest.raises(ContractError) as error:
        parse_contract(document, ORIGIN)
    return str(error.value)


def test_a_valid_contract_yields_datasets_kinds_modes_and_silver_columns():
    contract = parse_contract(MINIMAL, ORIGIN)

    tracks = contract.dataset("tracks")
    assert contract.source == "music" and contract.dataset_names == ("tracks", "plays")
    assert tracks.column("price").precision == 10 and tracks.column("price").scale == 2
    assert tracks.load == LoadMode("incremental", "modified_at", "deleted")
    assert tracks.raw == RawSpec("landing", format="csv")
    assert contract.dataset("plays").load == LoadMode("snapshot")
    assert tracks.silver_columns() == (
        "track_id",
        "track_title",
        "bpm",
        "explicit",
        "released_todate",
        "released_year",
        "released_month",
        "released_day",
        "modified_at",
        "deleted",
    )


def test_silver_order_reorders_kept_columns_and_split_dates_expand_in_place():
    document = broken(
        lambda d: d["datasets"]["tracks"]["silver"].update(
            order=["modified_at", "released", "deleted", "explicit", "bpm", "track_title", "track_id"]
        )
    )
    tracks = parse_contract(document, ORIGIN).dataset("tracks")
    assert tracks.silver_columns() == (
        "modified_at",
        "released_todate",
        "released_year",
        "released_month",
        "released_day",
        "deleted",
        "explicit",
        "bpm",
        "track_title",
        "track_id",
    )
    assert tracks.silver_column_of("released") == "released_todate"
    assert tracks.silver_column_of("title") == "track_title"


def test_the_wordpress_contract_declares_the_five_plugin_datasets():
    contract = load_contract(ROOT / "sources" / "wordpress_api" / "contract.json")

    assert contract.source == "wordpress_api"
    assert contract.dataset_names == (
        "posts",
        "statistics_pages",
        "term_relationships",
        "term_taxonomy",
        "terms",
    )
    posts = contract.dataset("posts")
    assert posts.keys == ("ID",) and "post_password" not in posts.column_names
    assert "term_order" not in contract.dataset("terms").column_names
    assert contract.dataset("term_relationships").keys == ("object_id", "term_taxonomy_id")
    assert contract.dataset("statistics_pages").load.mode == "incremental"
    assert all(d.raw.kind == "http" and d.raw.pagination == "wordpress" for d in contract.datasets.values())
    # Only WP Statistics is fetched by a window: the plugin's `from` selects rows by their `date`.
    windowed = {name: d.raw.options for name, d in contract.datasets.items() if d.raw.options}
    assert windowed == {"statistics_pages": {"window_param": "from"}}
    assert contract.dataset("statistics_pages").load.backfill_window == "date"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["datasets"]["tracks"]["columns"][1].update(kind="string"),
            "datasets.tracks.columns[1].kind: 'string' is not allowed; allowed: int, float, decimal",
        ),
        (
            lambda d: d["datasets"]["tracks"].update(keys=["id"]),
            "datasets.tracks.keys[0]: 'id' is not a column",
        ),
        (
            lambda d: d["datasets"]["tracks"]["quality"].append('IsComplete "tempo"'),
            "datasets.tracks.quality[2]: rule on unknown column 'tempo'",
        ),
        (
            # Renamed columns are checked by their silver names.
            lambda d: d["datasets"]["tracks"]["quality"].append('IsComplete "title"'),
            "datasets.tracks.quality[2]: rule on unknown column 'title'",
        ),
        (
            lambda d: d["datasets"]["plays"].update(
                quality=['ReferentialIntegrity "track_id" "tracks.id" = 1.0']
            ),
            "datasets.plays.quality[0]: 'tracks.id': dataset 'tracks' has no silver column 'id'",
        ),
        (
            lambda d: d["datasets"]["tracks"]["columns"][3].pop("scale"),
            "datasets.tracks.columns[3]: a decimal column needs precision (1-38) and scale",
        ),
        (
            lambda d: d["datasets"]["tracks"]["load"].update(delete_marker="title"),
            "datasets.tracks.load.delete_marker: 'title' must name a bool column",
        ),
        (
            lambda d: d["datasets"]["tracks"]["load"].update(order_by="updated"),
            "datasets.tracks.load.order_by: 'updated' is neither a column nor 'ingest_date'",
        ),
        (
            lambda d: d["datasets"]["plays"]["raw"].pop("format"),
            "datasets.plays.raw: a landing dataset needs format (csv, json, ndjson)",
        ),
        (
            lambda d: d["datasets"]["plays"].update(raw={"kind": "http", "pagination": "offset"}),
            "datasets.plays.raw.pagination: 'offset' is not allowed; allowed: wordpress, next_link",
        ),
        (
            lambda d: d["datasets"]["tracks"]["silver"].update(drop=["track_id"]),
            "datasets.tracks.silver.drop[0]: 'track_id' is a key; keys cannot be dropped",
        ),
        (
            lambda d: d["datasets"]["tracks"]["silver"]["rename"].update(bpm="track_title"),
            "datasets.tracks.silver: silver would have column(s) track_title twice",
        ),
        (
            lambda d: d["datasets"]["tracks"]["columns"].append({"name": "bpm", "kind": "int"}),
            "datasets.tracks.columns[8].name: 'bpm' repeats datasets.tracks.columns[2]",
        ),
        (
            lambda d: d["datasets"]["plays"]["columns"][0].pop("nullable"),
            "datasets.plays.keys[0]: key column 'play_id' must be declared nullable: false",
        ),
        (
            lambda d: d["datasets"]["plays"].update(keys=[]),
            "datasets.plays.keys: must name at least one column",
        ),
        (
            lambda d: d["datasets"]["tracks"]["silver"].update(order=["track_id", "track_title"]),
            "datasets.tracks.silver.order: must list every kept column once by its silver name",
        ),
        (
            lambda d: d["datasets"]["tracks"]["load"].update(backfill_window="bpm"),
            "datasets.tracks.load.backfill_window: 'bpm' must name a date, datetime or timestamp_tz column",
        ),
        (
            lambda d: d["datasets"]["plays"].update(
                load={"mode": "snapshot", "backfill_window": "played_at"}
            ),
            "datasets.plays.load: backfill_window apply to incremental datasets only",
        ),
        (
            lambda d: d["datasets"]["plays"].update(
                raw={"kind": "http", "pagination": "none", "options": {"window_param": "from"}}
            ),
            "datasets.plays.raw.options.window_param: needs an http dataset with load.backfill_window",
        ),
        (
            lambda d: d["datasets"]["plays"]["raw"].update(options={"window_param": "from"}),
            "datasets.plays.raw.options.window_param: needs an http dataset with load.backfill_window",
        ),
        (
            lambda d: d["datasets"]["tracks"]["silver"].update(drop=["modified_at"]),
            "datasets.tracks.silver.drop: 'modified_at' is used by load and cannot be dropped",
        ),
        (lambda d: d.update(sources="x"), "(top level): unknown field(s) sources"),
        (lambda d: d["datasets"].update({"Plays-2": {}}), "datasets.Plays-2: 'Plays-2' must match"),
    ],
)
def test_each_mistake_is_refused_naming_the_file_and_the_field(change, expected):
    message = refusal(broken(change))

    assert message.startswith(f"{ORIGIN}: ") and expected in message


def test_a_file_that_is_not_json_is_refused_with_its_line(tmp_path):
    path = tmp_path / "contract.json"
    path.write_text(json.dumps(MINIMAL, indent=2).replace('"plays"', "plays", 1))

    with pytest.raises(ContractError, match=rf"^{path}: line \d+ column \d+: not JSON"):
        load_contract(path)


def test_a_missing_file_is_refused_naming_it(tmp_path):
    with pytest.raises(ContractError, match=r"nope\.json: cannot read the contract"):
        load_contract(tmp_path / "nope.json")


def test_rule_columns_are_the_quoted_names_after_the_rule_type_not_its_values():
    assert rule_columns('ColumnValues "key" in ["C", "Am"]') == ("key",)
    assert rule_columns('ReferentialIntegrity "track_id" "tracks.track_id" = 1.0') == (
        "track_id",
        "tracks.track_id",
    )
    assert rule_columns("RowCount >= 1") == ()


def _bundle_zip(tmp_path, contracts):
    """A zip holding lakehouse_contracts/ as tools/package.py writes it into every artifact."""
    import zipfile  # noqa: PLC0415

    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("lakehouse_contracts/__init__.py", "")
        for source, document in contracts.items():
            archive.writestr(f"lakehouse_contracts/{source}.json", json.dumps(document))
    return path


@pytest.fixture
def bundle_on_path(tmp_path, monkeypatch):
    """Put a contracts zip on sys.path (zipimport, as Lambda and Glue load shipped code)."""
    import sys  # noqa: PLC0415

    def install(contracts):
        monkeypatch.syspath_prepend(str(_bundle_zip(tmp_path, contracts)))
        monkeypatch.delitem(sys.modules, "lakehouse_contracts", raising=False)
        monkeypatch.delenv("LAKEHOUSE_SOURCES_DIR", raising=False)

    yield install
    sys.modules.pop("lakehouse_contracts", None)


def test_bundled_contract_reads_package_data_from_a_zip(bundle_on_path):
    from lakehouse_common.contract import bundled_contract  # noqa: PLC0415

    bundle_on_path({"music": MINIMAL})
    contract = bundled_contract("music")
    assert contract.origin == "lakehouse_contracts/music.json"
    assert contract.dataset("tracks").keys == ("track_id",)
    with pytest.raises(
        ContractError,
        match=r"^lakehouse_contracts/books\.json: no contract for source 'books' "
        r"in this artifact; it carries music$",
    ):
        bundled_contract("books")


def test_a_bad_bundled_contract_names_the_bundled_file(bundle_on_path):
    from lakehouse_common.contract import bundled_contract  # noqa: PLC0415

    broken = copy.deepcopy(MINIMAL)
    broken["datasets"]["tracks"]["keys"] = ["id"]
    bundle_on_path({"music": broken})
    with pytest.raises(
        ContractError, match=r"^lakehouse_contracts/music\.json: datasets\.tracks\.keys\[0\]: "
    ):
        bundled_contract("music")


def test_bundled_contract_from_a_sources_folder_when_told():
    from lakehouse_common.contract import bundled_contract  # noqa: PLC0415

    contract = bundled_contract("wordpress_api", {"LAKEHOUSE_SOURCES_DIR": str(ROOT / "sources")})
    assert contract.origin == str(ROOT / "sources" / "wordpress_api" / "contract.json")
    assert "posts" in contract.dataset_names
    with pytest.raises(ContractError, match="must match"):
        bundled_contract("../etc", {"LAKEHOUSE_SOURCES_DIR": str(ROOT / "sources")})
