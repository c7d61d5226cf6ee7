"""Glue crawls create and update catalog tables and partitions from the Parquet data in S3.

AWS behaviour (https://docs.aws.amazon.com/glue/latest/dg/crawler-s3-folder-table-partition.html,
https://docs.aws.amazon.com/glue/latest/dg/crawler-schema-changes-prevent.html,
https://docs.aws.amazon.com/glue/latest/dg/incremental-crawls.html,
https://docs.aws.amazon.com/glue/latest/webapi/API_SchemaChangePolicy.html):
- for each S3 include path, the crawler finds table roots: data directly under the path (possibly
  below Hive-style `key=value` partition folders) makes ONE table named after the path's last
  folder; otherwise each immediate sub-folder holding data becomes a table named after it. Names
  are `TablePrefix + folder`, lower-cased, other characters than [a-z0-9_] replaced by `_`;
- the schema comes from the files (Parquet: the file schema; Arrow types map to Hive types:
  string, bigint, int, smallint, tinyint, double, float, boolean, timestamp, date, decimal(p,s),
  binary, array<...>, struct<...>, map<...>), column names lower-cased as the Data Catalog stores
  them; `key=value` folders become partition keys (type
  string, the crawler's default) and every partition folder is registered as a partition;
- the table is EXTERNAL_TABLE with the Parquet input/output formats and ParquetHiveSerDe,
  Parameters classification=parquet, recordCount, objectCount, sizeKey, averageRecordSize,
  UPDATED_BY_CRAWLER, ...;
- a re-crawl adds new partitions; with SchemaChangePolicy.UpdateBehavior UPDATE_IN_DATABASE it
  updates a changed schema, with LOG it leaves the table as it is; DeleteBehavior decides what
  happens to tables/partitions this crawler made whose data is gone (DELETE_FROM_DATABASE,
  DEPRECATE_IN_DATABASE = Parameters DEPRECATED_BY_CRAWLER, LOG = nothing);
  RecrawlPolicy CRAWL_NEW_FOLDERS_ONLY only adds new partitions/tables (existing schemas stay);
- an empty target (or one whose bucket does not exist) creates no table; the crawl SUCCEEDS.

moto 5.2.1 crawls read nothing and write nothing: the catalog is unchanged after a crawl.

Emulator specifics: only Parquet files are classified (other files are ignored); files whose
names start with `_` or `.` (Spark's `_SUCCESS`, `.crc`) are ignored; Exclusions are glob
patterns matched against the key relative to the include path (fnmatch); CRAWL_EVENT_MODE
crawls everything. The catalog is written when the crawl leaves RUNNING (after
`glue_crawl.seconds`); a crawl that cannot write (e.g. the database does not exist) ends FAILED
with LastCrawl.ErrorMessage.
"""

from __future__ import annotations

import fnmatch
import io
import logging
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Optional

import pyarrow as pa
import pyarrow.parquet as pq
from moto.glue.exceptions import PartitionNotFoundException, TableNotFoundException
from moto.s3.models import s3_backends

from local_emulator import runtime
from local_emulator.corrections.glue_crawlers import last_ended_crawl
from local_emulator.iam import services as iam_services
from local_emulator.patching import target

LOG = logging.getLogger("local_emulator.glue")

PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
_PARTITION = re.compile(r"^([^=/]+)=([^/]*)$")
_lock = threading.Lock()


# ---- Arrow -> Hive types ---------------------------------------------------------------------


def hive_type(arrow: pa.DataType) -> str:  # noqa: PLR0911, PLR0912 - one branch per type family
    """The Glue/Hive type the crawler writes for an Arrow (Parquet) type."""
    if pa.types.is_dictionary(arrow):
        return hive_type(arrow.value_type)
    if pa.types.is_string(arrow) or pa.types.is_large_string(arrow) or pa.types.is_null(arrow):
        return "string"
    if pa.types.is_boolean(arrow):
        return "boolean"
    if pa.types.is_integer(arrow):
        bits = arrow.bit_width + (1 if pa.types.is_unsigned_integer(arrow) else 0)
        return "tinyint" if bits <= 8 else "smallint" if bits <= 16 else "int" if bits <= 32 else "bigint"
    if pa.types.is_float64(arrow):
        return "double"
    if pa.types.is_floating(arrow):
        return "float"
    if pa.types.is_decimal(arrow):
        return f"decimal({arrow.precision},{arrow.scale})"
    if pa.types.is_timestamp(arrow):
        return "timestamp"
    if pa.types.is_date(arrow):
        return "date"
    if pa.types.is_binary(arrow) or pa.types.is_large_binary(arrow) or pa.types.is_fixed_size_binary(arrow):
        return "binary"
    if pa.types.is_map(arrow):
        return f"map<{hive_type(arrow.key_type)},{hive_type(arrow.item_type)}>"
    if pa.types.is_list(arrow) or pa.types.is_large_list(arrow) or pa.types.is_fixed_size_list(arrow):
        return f"array<{hive_type(arrow.value_type)}>"
    if pa.types.is_struct(arrow):
        fields = ",".join(
            f"{arrow.field(i).name}:{hive_type(arrow.field(i).type)}" for i in range(arrow.num_fields)
        )
        return f"struct<{fields}>"
    return "string"


def table_name(prefix: str, folder: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", f"{prefix}{folder}".lower())


# ---- discovering tables in S3 ------------------------------------------------------------------


@dataclass
class DataFile:
    relative: str  # key relative to the table root
    size: int
    rows: int
    schema: pa.Schema
    partition: list[tuple[str, str]]


@dataclass
class FoundTable:
    name: str
    location: str
    files: list[DataFile] = field(default_factory=list)

    @property
    def partition_keys(self) -> list[str]:
        return [k.lower() for k, _ in self.files[0].partition] if self.files else []

    def partitions(self) -> dict[tuple[str, ...], str]:
        found: dict[tuple[str, ...], str] = {}
        for data in self.files:
            values = tuple(v for _, v in data.partition)
            if values:
                folders = "/".join(f"{k}={urllib.parse.quote(v, safe='')}" for k, v in data.partition)
                found.setdefault(values, f"{self.location}{folders}/")
        return found

    def columns(self) -> list[dict[str, str]]:
        keys = set(self.partition_keys)
        seen: dict[str, str] = {}
        for data in self.files:
            for arrow_field in data.schema:
                if arrow_field.name.lower() not in keys:
                    # The Data Catalog (Hive metastore) keeps column names in lower case.
                    seen.setdefault(arrow_field.name.lower(), hive_type(arrow_field.type))
        return [{"Name": name, "Type": kind} for name, kind in seen.items()]


def _partition_of(folders: list[str]) -> Optional[list[tuple[str, str]]]:
    """`k=v` folders -> [(k, v)]; None if any folder is not a partition folder."""
    pairs = []
    for folder in folders:
        match = _PARTITION.match(folder)
        if not match:
            return None
        pairs.append((match.group(1), urllib.parse.unquote(match.group(2))))
    return pairs


def _parquet_objects(
    bucket_name: str, prefix: str, exclusions: list[str], account: str
) -> list[tuple[str, bytes]]:
    try:
        bucket = s3_backends[account]["aws"].get_bucket(bucket_name)
    except Exception:  # a missing bucket crawls as empty
        LOG.warning("crawl: bucket %s does not exist; nothing to catalogue", bucket_name)
        return []
    found = []
    for name, key in list(bucket.keys.items()):
        if not name.startswith(prefix) or name.endswith("/") or not hasattr(key, "value"):
            continue
        relative = name[len(prefix) :]
        if any(part.startswith(("_", ".")) for part in relative.split("/")):
            continue
        if any(fnmatch.fnmatch(relative, pattern) for pattern in exclusions):
            continue
        value = key.value
        if name.endswith(".parquet") or value[:4] == b"PAR1":
            found.append((relative, value))
    return sorted(found)


def discover(path: str, exclusions: list[str], table_prefix: str, account: str) -> list[FoundTable]:
    """Tables an S3 include path holds (see the module docstring for the rules)."""
    bucket_name, _, prefix = path.removeprefix("s3://").partition("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    objects = _parquet_objects(bucket_name, prefix, exclusions, account)
    root_name = prefix.rstrip("/").rsplit("/", 1)[-1] if prefix else bucket_name
    root = f"s3://{bucket_name}/{prefix}"
    single = any(_partition_of(rel.split("/")[:-1]) is not None for rel, _ in objects)
    tables: dict[str, FoundTable] = {}
    for relative, value in objects:
        folders = relative.split("/")[:-1]
        if single:
            name, location, inner = root_name, root, relative
        else:
            name, location, inner = folders[0], f"{root}{folders[0]}/", "/".join(relative.split("/")[1:])
        partition = _partition_of(inner.split("/")[:-1])
        if partition is None:
            LOG.warning("crawl: %s%s is below a non-partition folder; ignored", root, relative)
            continue
        metadata = pq.read_metadata(io.BytesIO(value))
        table = tables.setdefault(name, FoundTable(table_name(table_prefix, name), location))
        if table.files and [k.lower() for k, _ in partition] != table.partition_keys:
            LOG.warning("crawl: %s%s has other partition keys than %s; ignored", root, relative, table.name)
            continue
        table.files.append(
            DataFile(inner, len(value), metadata.num_rows, metadata.schema.to_arrow_schema(), partition)
        )
    return [t for t in tables.values() if t.files]


# ---- writing the catalog -----------------------------------------------------------------------


def _storage(location: str, columns: list[dict[str, str]], parameters: dict[str, str]) -> dict[str, Any]:
    return {
        "Columns": columns,
        "Location": location,
        "InputFormat": PARQUET_INPUT,
        "OutputFormat": PARQUET_OUTPUT,
        "Compressed": False,
        "NumberOfBuckets": -1,
        "SerdeInfo": {"SerializationLibrary": PARQUET_SERDE, "Parameters": {"serialization.format": "1"}},
        "BucketColumns": [],
        "SortColumns": [],
        "Parameters": parameters,
        "StoredAsSubDirectories": False,
    }


def _table_input(crawler: Any, found: FoundTable) -> dict[str, Any]:
    rows = sum(f.rows for f in found.files)
    size = sum(f.size for f in found.files)
    parameters = {
        "CrawlerSchemaDeserializerVersion": "1.0",
        "CrawlerSchemaSerializerVersion": "1.0",
        "UPDATED_BY_CRAWLER": crawler.name,
        "averageRecordSize": str(size // rows if rows else 0),
        "classification": "parquet",
        "compressionType": "none",
        "objectCount": str(len(found.files)),
        "recordCount": str(rows),
        "sizeKey": str(size),
        "typeOfData": "file",
    }
    role = str(crawler.role).rsplit("/", 1)[-1]
    return {
        "Name": found.name,
        "Owner": "owner",
        "Retention": 0,
        "StorageDescriptor": _storage(found.location, found.columns(), dict(parameters)),
        "PartitionKeys": [{"Name": key, "Type": "string"} for key in found.partition_keys],
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "CreatedBy": f"arn:aws:sts::{crawler.backend.account_id}:assumed-role/{role}/AWS-Crawler",
        "IsRegisteredWithLakeFormation": False,
    }


def _schema_of(table_input: dict[str, Any]) -> tuple[Any, Any]:
    return table_input.get("StorageDescriptor", {}).get("Columns"), table_input.get("PartitionKeys")


def _policies(crawler: Any) -> tuple[str, str, str]:
    change = crawler.schema_change_policy or {}
    recrawl = (crawler.recrawl_policy or {}).get("RecrawlBehavior", "CRAWL_EVERYTHING")
    return (
        change.get("UpdateBehavior", "UPDATE_IN_DATABASE"),
        change.get("DeleteBehavior", "DEPRECATE_IN_DATABASE"),
        recrawl,
    )


def _write_table(crawler: Any, found: FoundTable) -> None:
    backend, database = crawler.backend, crawler.database_name
    update, _delete, recrawl = _policies(crawler)
    new_input = _table_input(crawler, found)
    try:
        table = backend.get_table(database, found.name)
    except TableNotFoundException:
        table = backend.create_table(database, found.name, new_input)
    else:
        current = table.get_version(str(table._current_version))
        changed = (
            _schema_of(current) != _schema_of(new_input)
            or current.get("Parameters") != new_input["Parameters"]
        )
        if changed and update == "UPDATE_IN_DATABASE" and recrawl != "CRAWL_NEW_FOLDERS_ONLY":
            backend.update_table(database, found.name, new_input)
    columns = table.get_version(str(table._current_version)).get("StorageDescriptor", {}).get("Columns", [])
    for values, location in found.partitions().items():
        try:
            table.get_partition(str(list(values)))
        except PartitionNotFoundException:
            storage = _storage(location, columns, {})
            table.create_partition({"Values": list(values), "StorageDescriptor": storage, "Parameters": {}})


def _retire_missing(crawler: Any, found: list[FoundTable], roots: list[str]) -> None:
    """DeleteBehavior for tables/partitions this crawler made whose data is gone."""
    _update, delete, _recrawl = _policies(crawler)
    if delete == "LOG":
        return
    backend = crawler.backend
    present = {t.name: t for t in found}
    for table in list(backend.get_database(crawler.database_name).tables.values()):
        current = table.get_version(str(table._current_version))
        params = current.get("Parameters") or {}
        location = (current.get("StorageDescriptor") or {}).get("Location", "")
        if params.get("UPDATED_BY_CRAWLER") != crawler.name or not any(location.startswith(r) for r in roots):
            continue
        if table.name not in present:
            if delete == "DELETE_FROM_DATABASE":
                backend.delete_table(crawler.database_name, table.name)
            elif "DEPRECATED_BY_CRAWLER" not in params:
                backend.update_table(
                    crawler.database_name,
                    table.name,
                    {**current, "Parameters": {**params, "DEPRECATED_BY_CRAWLER": "1"}},
                )
            continue
        if delete == "DELETE_FROM_DATABASE":
            wanted = {str(list(v)) for v in present[table.name].partitions()}
            for key in [k for k in table.partitions if k not in wanted]:
                del table.partitions[key]


def crawl(crawler: Any) -> None:
    """Catalogue every S3 target of the crawler (runs when the crawl leaves RUNNING)."""
    crawler.backend.get_database(crawler.database_name)  # EntityNotFoundException -> FAILED
    found: list[FoundTable] = []
    roots = []
    for s3_target in (crawler.targets or {}).get("S3Targets", []):
        path = s3_target["Path"]
        roots.append(path if path.endswith("/") else path + "/")
        found += discover(
            path, s3_target.get("Exclusions") or [], crawler.table_prefix or "", crawler.backend.account_id
        )
    denial = iam_services.crawler_denial(crawler, found, roots)  # the crawl acts as the crawler's role
    if denial is not None:
        raise PermissionError(denial)
    for table in found:
        _write_table(crawler, table)
    _retire_missing(crawler, found, roots)
    LOG.warning("crawler %s catalogued %d table(s): %s", crawler.name, len(found), [t.name for t in found])


def apply() -> None:
    models = "moto.glue.models"
    _, _, crawl_cls = target(models, "FakeCrawl")
    status_property = crawl_cls.status  # ManagedState.status

    def get_status(self: Any) -> Optional[str]:
        with _lock:
            status = status_property.fget(self)
            crawler = getattr(self, "_emu_crawler", None)
            if status == "COMPLETED" and crawler is not None and not getattr(self, "_emu_done", False):
                self._emu_done = True
                try:
                    crawl(crawler)
                except Exception as exc:  # any catalog error fails the crawl, as on AWS
                    LOG.warning("crawler %s failed: %s", crawler.name, exc)
                    self._emu_error = f"{type(exc).__name__}: {exc}"
                    status_property.fset(self, "FAILED")
                    status = "FAILED"
            return status

    crawl_cls.status = property(get_status, status_property.fset)

    owner, attr, start_crawler = target(models, "FakeCrawler.start_crawler")

    def start_and_catalogue(self: Any) -> None:
        start_crawler(self)
        run = self.crawls[-1]
        run._emu_crawler = self

        def finish() -> None:
            # The catalog is written when the crawl ends even if nobody asks for the crawler's
            # state; the Glue lock keeps concurrent catalog reads whole (serialized_backends).
            with runtime.service_locks.of("glue"):
                run.status  # noqa: B018 - reading the status writes the catalog

        timer = threading.Timer(float(runtime.settings.get("glue_crawl", "seconds")) + 0.1, finish)
        timer.daemon = True
        timer.start()

    setattr(owner, attr, start_and_catalogue)

    dict_owner, dict_attr, as_dict = target(models, "FakeCrawler.as_dict")

    def as_dict_with_error(self: Any) -> dict[str, Any]:
        data = as_dict(self)
        ended = last_ended_crawl(self)
        error = getattr(ended, "_emu_error", None) if ended is not None else None
        if error and data.get("LastCrawl"):
            data["LastCrawl"]["ErrorMessage"] = error
        return data

    setattr(dict_owner, dict_attr, as_dict_with_error)
