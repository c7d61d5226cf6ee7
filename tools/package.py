"""Build the bundle's deployable artifacts into dist/, deterministically.

Same sources -> same bytes -> same sha256 (Terraform's source_code_hash stays put, no spurious
deploys): entries sorted, timestamps fixed at 1980-01-01, permissions fixed at 0644, one
compression level, no __pycache__/*.pyc.

    dist/lambda/<name>.zip            one per lambda_src/<name>/ (handler package + lakehouse_common;
                                      pandas/pyarrow/awswrangler come from the AWS SDK for pandas
                                      layer, boto3/urllib3 from the runtime: never inside)
    dist/glue/<script>.py             copies of glue_jobs/*.py (the job's ScriptLocation)
    dist/glue/lakehouse_common.zip    --extra-py-files for Glue Spark jobs
    dist/glue/lakehouse_common-<version>-py3-none-any.whl
                                      --extra-py-files for Glue Python shell 3.9 (wheels only)
    dist/wordpress/lakehouse-export.zip
                                      the WordPress plugin (wordpress_plugin/lakehouse-export/),
                                      installable through Plugins > Add New > Upload Plugin

`make package` runs this file; other code calls `build_all(out_dir)`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

REPO = Path(__file__).resolve().parents[1]
LAMBDA_SRC = REPO / "lambda_src"
GLUE_JOBS = REPO / "glue_jobs"
COMMON = REPO / "src" / "lakehouse_common"
WORDPRESS_PLUGIN = REPO / "wordpress_plugin" / "lakehouse-export"

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
FILE_MODE = 0o100644  # regular file, rw-r--r--
# Libraries the Lambda runtime or the AWS SDK for pandas layer provide; bundling them would
# bring back the seed's 101.6 MB package.
FORBIDDEN_TOP_LEVEL = frozenset(
    {"pandas", "pyarrow", "numpy", "awswrangler", "boto3", "botocore", "s3transfer", "urllib3"}
)
_SKIP_DIRS = frozenset({"__pycache__", "tests", ".pytest_cache", ".ruff_cache"})
_SKIP_SUFFIXES = (".pyc", ".pyo")

Entries = List[Tuple[str, bytes]]


def package_files(package_dir: Path, arc_prefix: str) -> Entries:
    """(archive name, bytes) of every file of a package directory, caches and tests excluded."""
    entries: Entries = []
    for path in sorted(package_dir.rglob("*")):
        relative = path.relative_to(package_dir)
        if path.is_dir() or _SKIP_DIRS.intersection(relative.parts) or path.name.endswith(_SKIP_SUFFIXES):
            continue
        if path.name.startswith("."):
            continue
        entries.append((f"{arc_prefix}/{relative.as_posix()}", path.read_bytes()))
    return entries


def zip_bytes(entries: Iterable[Tuple[str, bytes]]) -> bytes:
    """A zip of `entries` that depends on nothing but their names and contents."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.external_attr = FILE_MODE << 16
            info.create_system = 3  # Unix, so the mode bits above mean the same everywhere
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def check_lambda_entries(name: str, entries: Entries) -> None:
    """Refuse a Lambda zip that bundles runtime/layer libraries."""
    bundled = sorted({arc.split("/", 1)[0] for arc, _data in entries} & FORBIDDEN_TOP_LEVEL)
    if bundled:
        raise ValueError(
            f"lambda {name} must not bundle {bundled}: the runtime or the pandas layer provides them"
        )


def lambda_names() -> List[str]:
    """Every lambda_src/<name>/ that has a handler.py."""
    return sorted(path.parent.name for path in LAMBDA_SRC.glob("*/handler.py"))


def lambda_entries(name: str) -> Entries:
    entries = package_files(LAMBDA_SRC / name, name) + package_files(COMMON, "lakehouse_common")
    check_lambda_entries(name, entries)
    return entries


def project_version() -> str:
    match = re.search(r'^version\s*=\s*"([^"]+)"', (REPO / "pyproject.toml").read_text(), re.MULTILINE)
    if not match:
        raise ValueError("pyproject.toml has no project version")
    return match.group(1)


def wheel_entries(version: str) -> Entries:
    """lakehouse_common as a pure-Python wheel (the format Glue Python shell 3.9 accepts)."""
    entries = package_files(COMMON, "lakehouse_common")
    dist_info = f"lakehouse_common-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: lakehouse_common\nVersion: {version}\nRequires-Python: >=3.9\n"
    wheel = (
        "Wheel-Version: 1.0\nGenerator: frugal-lakehouse tools/package.py\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n"
    )
    entries += [(f"{dist_info}/METADATA", metadata.encode()), (f"{dist_info}/WHEEL", wheel.encode())]
    record_lines = []
    for name, data in sorted(entries):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record_lines.append(f"{name},sha256={digest},{len(data)}")
    record_lines.append(f"{dist_info}/RECORD,,")
    entries.append((f"{dist_info}/RECORD", ("\n".join(record_lines) + "\n").encode()))
    return entries


def plugin_entries() -> Entries:
    """The plugin under its folder name, as WordPress's plugin upload expects (<slug>/<slug>.php)."""
    entries = package_files(WORDPRESS_PLUGIN, WORDPRESS_PLUGIN.name)
    main_file = f"{WORDPRESS_PLUGIN.name}/{WORDPRESS_PLUGIN.name}.php"
    if main_file not in {name for name, _data in entries}:
        raise ValueError(f"plugin has no {main_file}")
    return entries


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o644)
    return path


def build_all(out_dir: Path = REPO / "dist") -> Dict[str, Path]:
    """Build every artifact; return {path relative to out_dir: absolute path}.

    Keys look like "lambda/raw_wordpress_api.zip", "glue/silver_wordpress_api.py",
    "glue/lakehouse_common.zip", "wordpress/lakehouse-export.zip". dist/lambda, dist/glue and
    dist/wordpress are rebuilt from scratch so a deleted
    source leaves no stale artifact behind.
    """
    out_dir = Path(out_dir).resolve()
    for sub in ("lambda", "glue", "wordpress"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    built: Dict[str, Path] = {}
    for name in lambda_names():
        built[f"lambda/{name}.zip"] = _write(
            out_dir / "lambda" / f"{name}.zip", zip_bytes(lambda_entries(name))
        )
    for script in sorted(GLUE_JOBS.glob("*.py")):
        built[f"glue/{script.name}"] = _write(out_dir / "glue" / script.name, script.read_bytes())
    common = package_files(COMMON, "lakehouse_common")
    built["glue/lakehouse_common.zip"] = _write(out_dir / "glue" / "lakehouse_common.zip", zip_bytes(common))
    version = project_version()
    wheel_name = f"lakehouse_common-{version}-py3-none-any.whl"
    built[f"glue/{wheel_name}"] = _write(out_dir / "glue" / wheel_name, zip_bytes(wheel_entries(version)))
    built["wordpress/lakehouse-export.zip"] = _write(
        out_dir / "wordpress" / "lakehouse-export.zip", zip_bytes(plugin_entries())
    )
    return built


def digests(path: Path) -> Tuple[int, str, str]:
    """(size in bytes, sha256 hex, sha256 base64 as Terraform's filebase64sha256 gives it)."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).digest()
    return len(data), digest.hex(), base64.b64encode(digest).decode()


def main() -> int:
    built = build_all()
    print(f"{'artifact':48s} {'bytes':>9s}  {'sha256':64s}  base64 sha256 (source_code_hash)")
    for name, path in built.items():
        size, hex_digest, b64_digest = digests(path)
        print(f"{name:48s} {size:>9d}  {hex_digest}  {b64_digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
