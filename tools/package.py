"""Build the bundle's deployable artifacts into dist/, deterministically.

Same sources -> same bytes -> same sha256 (Terraform's source_code_hash stays put, no spurious
deploys): entries sorted, timestamps fixed at 1980-01-01, permissions fixed at 0644, one
compression level, no __pycache__/*.pyc.

    dist/lambda/<name>.zip            one per <lambda dir>/<name>/ with a handler.py (handler package
                                      + lakehouse_common + lakehouse_contracts; pandas/pyarrow/
                                      awswrangler come from the AWS SDK for pandas layer,
                                      boto3/urllib3 from the runtime: never inside)
    dist/glue/<script>.py             copies of <glue dir>/*.py (the job's ScriptLocation)
    dist/glue/lakehouse_common.zip    --extra-py-files for Glue Spark jobs (lakehouse_common +
                                      lakehouse_contracts)
    dist/glue/lakehouse_common-<version>-py3-none-any.whl
                                      --extra-py-files for Glue Python shell 3.9 (wheels only; the
                                      same two packages)
    dist/glue/silver_hooks.zip        only with --hooks-dir: the team's silver hook modules (every
                                      *.py and package of those folders at the zip's root), the
                                      silver job's second --extra-py-files entry (medallion_pipeline
                                      glue_scripts.silver_hooks) so `--hooks_module <name>` imports
    dist/wordpress/lakehouse-export.zip
                                      the WordPress plugin (wordpress_plugin/lakehouse-export/),
                                      installable through Plugins > Add New > Upload Plugin; built
                                      for this repository's own product only

Every artifact carries every contract of the sources folders as package data,
`lakehouse_contracts/<source>.json`, read at run time by `lakehouse_common.contract.
bundled_contract(source)`, and each source's raw hooks (`<source>/raw_hooks.py`) as
`lakehouse_contracts/<source>_raw_hooks.py`, read by `lakehouse_common.raw_http.load_raw_hooks`.
Each contract is validated here first: a contract error stops the build naming the file and the
field.

`make package` runs this file for this repository. Another team builds its own product from its
own folders without editing this one:

    python tools/package.py --sources-dir my_product/sources --lambda-dir lambda_src \
        --glue-dir my_product/glue_jobs --hooks-dir my_product/hooks --out my_product/dist

(--sources-dir, --lambda-dir, --glue-dir and --hooks-dir may be repeated; a team's build leaves the
WordPress plugin out). Other code calls `build_all(out_dir, folders)`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parents[1]
# The contract loader packaged here validates what gets bundled: use this checkout's copy even when
# the script runs without the Makefile's PYTHONPATH (`python tools/package.py`). Stdlib only.
if str(REPO / "src") not in sys.path:
    sys.path.insert(0, str(REPO / "src"))

from lakehouse_common.contract import (  # noqa: E402
    BUNDLE_PACKAGE,
    CONTRACT_FILE,
    RAW_HOOKS_FILE,
    RAW_HOOKS_SUFFIX,
    ContractError,
    load_contract,
)

LAMBDA_SRC = REPO / "lambda_src"
GLUE_JOBS = REPO / "glue_jobs"
COMMON = REPO / "src" / "lakehouse_common"
WORDPRESS_PLUGIN = REPO / "wordpress_plugin" / "lakehouse-export"
SOURCES = REPO / "sources"

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
FILE_MODE = 0o100644  # regular file, rw-r--r--
# Libraries the Lambda runtime or the AWS SDK for pandas layer provide; bundling them would
# make the zip about 100 MB again.
FORBIDDEN_TOP_LEVEL = frozenset(
    {"pandas", "pyarrow", "numpy", "awswrangler", "boto3", "botocore", "s3transfer", "urllib3"}
)
_SKIP_DIRS = frozenset({"__pycache__", "tests", ".pytest_cache", ".ruff_cache"})
_SKIP_SUFFIXES = (".pyc", ".pyo")

Entries = List[Tuple[str, bytes]]
# The package that carries the contracts in every artifact (contracts as package data).
CONTRACTS_INIT = (
    b'"""Source contracts bundled by tools/package.py: <source>.json, one per source, validated at\n'
    b'package time. Read them with lakehouse_common.contract.bundled_contract(source)."""\n'
)


@dataclass(frozen=True)
class Folders:
    """Where a product's code and contracts live. Every folder list may name several folders."""

    sources: Tuple[Path, ...] = (SOURCES,)  # <dir>/<source>/contract.json
    lambdas: Tuple[Path, ...] = (LAMBDA_SRC,)  # <dir>/<name>/handler.py -> lambda/<name>.zip
    glue: Tuple[Path, ...] = (GLUE_JOBS,)  # <dir>/*.py -> glue/<script>.py
    wordpress_plugin: Optional[Path] = WORDPRESS_PLUGIN  # None: no plugin zip
    hooks: Tuple[Path, ...] = ()  # <dir>/<module>.py or <dir>/<package>/ -> glue/silver_hooks.zip


HOOKS_ZIP = "silver_hooks.zip"
# Names the job already imports from lakehouse_common.zip: a hook module of the same name would
# shadow them (or be shadowed), depending on the order of --extra-py-files.
RESERVED_HOOK_NAMES = frozenset({"lakehouse_common", BUNDLE_PACKAGE})


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


def contract_entries(sources_dirs: Sequence[Path] = (SOURCES,)) -> Entries:
    """lakehouse_contracts/__init__.py and <source>.json for every <dir>/<source>/contract.json,
    with <source>_raw_hooks.py when the source has a raw_hooks.py (the raw engine's hooks).

    Each contract is validated (ContractError names the file and the field); its folder must be
    named after its `source`, and a source may be declared once across the folders.
    """
    entries: Entries = [(f"{BUNDLE_PACKAGE}/__init__.py", CONTRACTS_INIT)]
    found: Dict[str, Path] = {}
    for sources_dir in sources_dirs:
        if not Path(sources_dir).is_dir():
            raise ContractError(f"{sources_dir}: sources folder not found")
        for path in sorted(Path(sources_dir).glob(f"*/{CONTRACT_FILE}")):
            shown = _shown(path)
            contract = load_contract(shown)
            if contract.source != path.parent.name:
                raise ContractError(
                    f"{shown}: source: {contract.source!r} must be the folder's name {path.parent.name!r}"
                )
            if contract.source in found:
                raise ContractError(
                    f"{shown}: source: {contract.source!r} is also declared in {found[contract.source]}"
                )
            found[contract.source] = shown
            entries.append((f"{BUNDLE_PACKAGE}/{contract.source}.json", path.read_bytes()))
            hooks = path.parent / RAW_HOOKS_FILE
            if hooks.is_file():  # the source's raw hooks travel with its contract
                entries.append(
                    (f"{BUNDLE_PACKAGE}/{contract.source}{RAW_HOOKS_SUFFIX}.py", hooks.read_bytes())
                )
    return entries


def _shown(path: Path) -> Path:
    """`path` relative to the working directory when it is inside it (shorter error messages)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def lambda_dirs(folders: Folders = Folders()) -> Dict[str, Path]:
    """name -> folder, for every <lambda dir>/<name>/ that has a handler.py."""
    found: Dict[str, Path] = {}
    for lambda_dir in folders.lambdas:
        for handler in sorted(Path(lambda_dir).glob("*/handler.py")):
            name = handler.parent.name
            if name in found:
                raise ValueError(f"lambda {name} is in both {found[name]} and {handler.parent}")
            found[name] = handler.parent
    return dict(sorted(found.items()))


def lambda_names(folders: Folders = Folders()) -> List[str]:
    """Every <lambda dir>/<name>/ that has a handler.py."""
    return list(lambda_dirs(folders))


def lambda_entries(name: str, folders: Folders = Folders(), contracts: Optional[Entries] = None) -> Entries:
    entries = (
        package_files(lambda_dirs(folders)[name], name)
        + package_files(COMMON, "lakehouse_common")
        + (contract_entries(folders.sources) if contracts is None else contracts)
    )
    check_lambda_entries(name, entries)
    return entries


def project_version() -> str:
    match = re.search(r'^version\s*=\s*"([^"]+)"', (REPO / "pyproject.toml").read_text(), re.MULTILINE)
    if not match:
        raise ValueError("pyproject.toml has no project version")
    return match.group(1)


def wheel_entries(version: str, contracts: Optional[Entries] = None) -> Entries:
    """lakehouse_common (+ lakehouse_contracts) as a pure-Python wheel (the format Glue Python
    shell 3.9 accepts)."""
    entries = package_files(COMMON, "lakehouse_common") + (
        contract_entries() if contracts is None else contracts
    )
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


def plugin_entries(plugin: Path = WORDPRESS_PLUGIN) -> Entries:
    """The plugin under its folder name, as WordPress's plugin upload expects (<slug>/<slug>.php)."""
    entries = package_files(plugin, plugin.name)
    main_file = f"{plugin.name}/{plugin.name}.php"
    if main_file not in {name for name, _data in entries}:
        raise ValueError(f"plugin has no {main_file}")
    return entries


def hook_entries(hooks_dirs: Sequence[Path]) -> Entries:
    """Every top-level module (*.py) and package (a folder with __init__.py) of the hook folders, at
    the zip's root so `importlib.import_module("<name>")` finds it on --extra-py-files."""
    entries: Entries = []
    found: Dict[str, Path] = {}
    for hooks_dir in map(Path, hooks_dirs):
        if not hooks_dir.is_dir():
            raise ValueError(f"{hooks_dir}: hooks folder not found")
        for path in sorted(hooks_dir.iterdir()):
            if path.name.startswith((".", "_")):  # caches, dotfiles, a stray __init__.py
                continue
            if path.is_file() and path.suffix == ".py":
                name, files = path.stem, [(path.name, path.read_bytes())]
            elif path.is_dir() and (path / "__init__.py").is_file():
                name, files = path.name, package_files(path, path.name)
            else:
                continue
            if name in RESERVED_HOOK_NAMES:
                raise ValueError(f"{path}: hook module {name!r} would clash with the shared package's {name}")
            if name in found:
                raise ValueError(f"hook module {name!r} is in both {found[name]} and {hooks_dir}")
            found[name] = hooks_dir
            entries.extend(files)
    if not entries:
        raise ValueError(f"{', '.join(map(str, hooks_dirs))}: no hook module (*.py or package) found")
    return entries


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o644)
    return path


def build_all(out_dir: Path = REPO / "dist", folders: Folders = Folders()) -> Dict[str, Path]:
    """Build every artifact; return {path relative to out_dir: absolute path}.

    Keys look like "lambda/raw_ingest.zip", "glue/silver.py",
    "glue/lakehouse_common.zip", "glue/silver_hooks.zip" (with hook folders),
    "wordpress/lakehouse-export.zip". out_dir/lambda, out_dir/glue
    and out_dir/wordpress are rebuilt from scratch so a deleted source leaves no stale artifact
    behind. Contracts and hook folders are checked before anything is written.
    """
    contracts = contract_entries(folders.sources)
    hooks = hook_entries(folders.hooks) if folders.hooks else []
    names = lambda_dirs(folders)
    scripts: Dict[str, Path] = {}
    for glue_dir in folders.glue:
        for script in sorted(Path(glue_dir).glob("*.py")):
            if script.name in scripts:
                raise ValueError(
                    f"glue script {script.name} is in both {scripts[script.name].parent} and {glue_dir}"
                )
            scripts[script.name] = script
    out_dir = Path(out_dir).resolve()
    for sub in ("lambda", "glue", "wordpress"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    built: Dict[str, Path] = {}
    for name in names:
        built[f"lambda/{name}.zip"] = _write(
            out_dir / "lambda" / f"{name}.zip", zip_bytes(lambda_entries(name, folders, contracts))
        )
    for script_name, script in sorted(scripts.items()):
        built[f"glue/{script_name}"] = _write(out_dir / "glue" / script_name, script.read_bytes())
    common = package_files(COMMON, "lakehouse_common") + contracts
    built["glue/lakehouse_common.zip"] = _write(out_dir / "glue" / "lakehouse_common.zip", zip_bytes(common))
    version = project_version()
    wheel_name = f"lakehouse_common-{version}-py3-none-any.whl"
    built[f"glue/{wheel_name}"] = _write(
        out_dir / "glue" / wheel_name, zip_bytes(wheel_entries(version, contracts))
    )
    if hooks:
        built[f"glue/{HOOKS_ZIP}"] = _write(out_dir / "glue" / HOOKS_ZIP, zip_bytes(hooks))
    if folders.wordpress_plugin is not None:
        built["wordpress/lakehouse-export.zip"] = _write(
            out_dir / "wordpress" / "lakehouse-export.zip",
            zip_bytes(plugin_entries(folders.wordpress_plugin)),
        )
    return built


def digests(path: Path) -> Tuple[int, str, str]:
    """(size in bytes, sha256 hex, sha256 base64 as Terraform's filebase64sha256 gives it)."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).digest()
    return len(data), digest.hex(), base64.b64encode(digest).decode()


def parse_args(argv: Optional[Sequence[str]] = None) -> Tuple[Path, Folders]:
    parser = argparse.ArgumentParser(
        description="Build deterministic Lambda zips, Glue scripts and the shared package (with the "
        "sources' contracts). Without folder options: this repository's product, WordPress plugin included."
    )
    parser.add_argument("--sources-dir", action="append", type=Path, help="folder of <source>/contract.json")
    parser.add_argument("--lambda-dir", action="append", type=Path, help="folder of <name>/handler.py")
    parser.add_argument("--glue-dir", action="append", type=Path, help="folder of Glue job scripts (*.py)")
    parser.add_argument(
        "--hooks-dir",
        action="append",
        type=Path,
        help="folder of silver hook modules (<name>.py or <name>/__init__.py) -> glue/silver_hooks.zip",
    )
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="output folder (default: dist/)")
    args = parser.parse_args(argv)
    hooks = tuple(args.hooks_dir or ())
    if not (args.sources_dir or args.lambda_dir or args.glue_dir):
        return args.out, Folders(hooks=hooks)
    return args.out, Folders(
        sources=tuple(args.sources_dir or ()),
        lambdas=tuple(args.lambda_dir or ()),
        glue=tuple(args.glue_dir or ()),
        wordpress_plugin=None,
        hooks=hooks,
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    out_dir, folders = parse_args(argv)
    try:
        built = build_all(out_dir, folders)
    except (ContractError, ValueError) as error:
        print(f"package: {error}", file=sys.stderr)
        return 1
    print(f"{'artifact':48s} {'bytes':>9s}  {'sha256':64s}  base64 sha256 (source_code_hash)")
    for name, path in built.items():
        size, hex_digest, b64_digest = digests(path)
        print(f"{name:48s} {size:>9d}  {hex_digest}  {b64_digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
