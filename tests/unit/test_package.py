"""tools/package.py: deterministic, small artifacts with exactly the expected contents."""

import hashlib
import json
import subprocess
import sys
import zipfile

import package
import pytest

LIMIT = 100 * 1024  # the budget per Lambda zip (the console build's were 19.1 MB and 101.6 MB)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    first, second = tmp_path_factory.mktemp("dist1"), tmp_path_factory.mktemp("dist2")
    return package.build_all(first), package.build_all(second)


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_building_twice_gives_the_same_bytes(builds):
    first, second = builds
    assert sorted(first) == sorted(second)
    assert {name: sha(path) for name, path in first.items()} == {
        name: sha(path) for name, path in second.items()
    }


def test_expected_artifacts_exist(builds):
    built, _ = builds
    assert {
        "lambda/raw_ingest.zip",
        "lambda/bronze_load.zip",
        "glue/lakehouse_common.zip",
    } <= set(built)
    scripts = sorted(path.name for path in package.GLUE_JOBS.glob("*.py"))
    assert all(
        built[f"glue/{name}"].read_bytes() == (package.GLUE_JOBS / name).read_bytes() for name in scripts
    )


@pytest.mark.parametrize("name", ["bronze_load", "raw_ingest"])
def test_lambda_zip_holds_only_handler_and_shared_package(builds, name):
    path = builds[0][f"lambda/{name}.zip"]
    size = path.stat().st_size
    print(f"{path.name}: {size} bytes")
    assert size < LIMIT
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert {n.split("/", 1)[0] for n in names} == {name, "lakehouse_common", "lakehouse_contracts"}
    assert "lakehouse_contracts/wordpress_api.json" in names
    # The WordPress source's raw hooks travel with its contract, byte for byte.
    hooks = (package.SOURCES / "wordpress_api" / "raw_hooks.py").read_bytes()
    with zipfile.ZipFile(path) as archive:
        assert archive.read("lakehouse_contracts/wordpress_api_raw_hooks.py") == hooks
    assert "lakehouse_contracts/music_library_raw_hooks.py" not in names  # it has none
    assert f"{name}/handler.py" in names and "lakehouse_common/layout.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not {n.split("/", 1)[0] for n in names} & {"pandas", "pyarrow", "boto3", "botocore", "numpy"}
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}
    source = (package.LAMBDA_SRC / name / "handler.py").read_bytes()
    with zipfile.ZipFile(path) as archive:
        assert archive.read(f"{name}/handler.py") == source


def test_lambda_zip_imports_on_its_own(builds, tmp_path):
    with zipfile.ZipFile(builds[0]["lambda/bronze_load.zip"]) as archive:
        archive.extractall(tmp_path)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import bronze_load.handler as h, lakehouse_common as c;"
        "assert h.__file__.startswith(sys.argv[1]) and c.__file__.startswith(sys.argv[1]);"
        "assert callable(h.handler)"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)


def test_bundling_a_layer_library_is_refused():
    with pytest.raises(ValueError, match=r"must not bundle \['pandas'\]"):
        package.check_lambda_entries("x", [("x/handler.py", b""), ("pandas/__init__.py", b"")])


def test_glue_wheel_records_every_file(builds):
    path = next(p for n, p in builds[0].items() if n.endswith(".whl"))
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        record = archive.read(next(n for n in names if n.endswith("dist-info/RECORD"))).decode()
        listed = {line.split(",")[0] for line in record.splitlines()}
    assert listed == names
    assert "lakehouse_common/layout.py" in names


def test_cli_prints_size_and_both_digests(builds, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(package, "build_all", lambda *_args: builds[0])
    assert package.main([]) == 0
    out = capsys.readouterr().out
    size, hex_digest, b64_digest = package.digests(builds[0]["lambda/raw_ingest.zip"])
    assert f"{size:>9d}  {hex_digest}  {b64_digest}" in out


def test_wordpress_plugin_zip_is_the_plugin_folder(builds):
    built, _ = builds
    with zipfile.ZipFile(built["wordpress/lakehouse-export.zip"]) as archive:
        names = archive.namelist()
    source = sorted(
        f"lakehouse-export/{path.relative_to(package.WORDPRESS_PLUGIN).as_posix()}"
        for path in package.WORDPRESS_PLUGIN.rglob("*")
        if path.is_file()
    )
    # WordPress's plugin upload wants <slug>/<slug>.php inside one top-level folder.
    assert sorted(names) == source
    assert "lakehouse-export/lakehouse-export.php" in names
    assert "lakehouse-export/uninstall.php" in names


HOOKS_CODE = """
import sys
sys.path.insert(0, sys.argv[1])
from lakehouse_common.raw_http import load_raw_hooks
wordpress, music = load_raw_hooks("wordpress_api"), load_raw_hooks("music_library")
print(",".join(wordpress.credential_fields), wordpress.describe_error(403, None, "", "https://s"))
print(",".join(music.credential_fields), music.describe_error)
"""


def test_the_raw_lambda_finds_each_sources_hooks_from_the_zip_itself(builds, monkeypatch):
    """raw_ingest.zip on sys.path, not extracted (zipimport, as the Lambda runtime loads it)."""
    monkeypatch.delenv("LAKEHOUSE_SOURCES_DIR", raising=False)
    out = subprocess.run(
        [sys.executable, "-c", HOOKS_CODE, str(builds[0]["lambda/raw_ingest.zip"])],
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout.splitlines()
    assert out == [
        "username,application_password user lacks the lakehouse_export capability on https://s (403)",
        "username,password None",
    ]


CONTRACT_CODE = """
import sys
sys.path.insert(0, sys.argv[1])
from lakehouse_common.contract import bundled_contract, ContractError
import lakehouse_common, lakehouse_contracts
assert lakehouse_common.__file__.startswith(sys.argv[1]), lakehouse_common.__file__
contract = bundled_contract(sys.argv[2])
print(contract.source, ",".join(contract.dataset_names), contract.origin)
try:
    bundled_contract("nope")
except ContractError as error:
    print(error)
"""


@pytest.mark.parametrize("artifact", ["lambda/bronze_load.zip", "glue/lakehouse_common.zip", "wheel"])
def test_artifacts_find_their_contract_from_the_zip_itself(builds, artifact, monkeypatch):
    """The zip on sys.path, not extracted: as Glue's --extra-py-files and zipimport load it."""
    built, _ = builds
    path = next(p for n, p in built.items() if n.endswith(".whl")) if artifact == "wheel" else built[artifact]
    monkeypatch.delenv("LAKEHOUSE_SOURCES_DIR", raising=False)
    out = subprocess.run(
        [sys.executable, "-c", CONTRACT_CODE, str(path), "wordpress_api"],
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout.splitlines()
    assert out[0] == (
        "wordpress_api posts,statistics_pages,term_relationships,term_taxonomy,terms "
        "lakehouse_contracts/wordpress_api.json"
    )
    # The repository's build bundles every source under sources/ (WordPress and the music library).
    carried = sorted(p.parent.name for p in (package.REPO / "sources").glob("*/contract.json"))
    assert carried == ["music_library", "wordpress_api"]
    assert out[1] == (
        "lakehouse_contracts/nope.json: no contract for source 'nope' in this artifact; "
        f"it carries {', '.join(carried)}"
    )


def _product(root, contract):
    """A team's own product folder: one source, one Lambda, one Glue script."""
    (root / "sources" / "music").mkdir(parents=True)
    (root / "sources" / "music" / "contract.json").write_text(json.dumps(contract))
    (root / "lambda" / "load_music").mkdir(parents=True)
    (root / "lambda" / "load_music" / "handler.py").write_text(
        "from lakehouse_common.contract import bundled_contract\n\n"
        "def handler(event, context):\n    return list(bundled_contract('music').dataset_names)\n"
    )
    (root / "glue").mkdir()
    (root / "glue" / "gold_music.py").write_text("print('gold')\n")
    return root


MUSIC = {
    "source": "music",
    "datasets": {
        "plays": {
            "columns": [
                {"name": "play_id", "kind": "int", "nullable": False},
                {"name": "played_at", "kind": "timestamp_tz"},
            ],
            "keys": ["play_id"],
            "raw": {"kind": "landing", "format": "ndjson"},
        }
    },
}


def test_a_team_builds_its_own_product_folders(tmp_path, capsys):
    root = _product(tmp_path / "team", MUSIC)
    args = ["--sources-dir", str(root / "sources"), "--lambda-dir", str(root / "lambda")]
    args += ["--glue-dir", str(root / "glue"), "--out"]
    assert package.main([*args, str(tmp_path / "out1")]) == 0
    assert package.main([*args, str(tmp_path / "out2")]) == 0
    capsys.readouterr()
    first = {p.relative_to(tmp_path / "out1").as_posix(): sha(p) for p in (tmp_path / "out1").rglob("*.*")}
    second = {p.relative_to(tmp_path / "out2").as_posix(): sha(p) for p in (tmp_path / "out2").rglob("*.*")}
    assert first == second
    assert set(first) == {
        "lambda/load_music.zip",
        "glue/gold_music.py",
        "glue/lakehouse_common.zip",
        f"glue/lakehouse_common-{package.project_version()}-py3-none-any.whl",
    }
    with zipfile.ZipFile(tmp_path / "out1" / "lambda" / "load_music.zip") as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "unzipped")
    assert "lakehouse_contracts/music.json" in names and "lakehouse_contracts/wordpress_api.json" not in names
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import load_music.handler as h; print(h.handler(0, 0))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "unzipped")], check=True, capture_output=True, text=True
    )
    assert out.stdout.strip() == "['plays']"


def test_a_contract_error_fails_the_build_naming_file_and_field(tmp_path, capsys, monkeypatch):
    broken = json.loads(json.dumps(MUSIC))
    broken["datasets"]["plays"]["columns"][1]["kind"] = "instant"
    root = _product(tmp_path / "team", broken)
    monkeypatch.chdir(tmp_path)
    assert package.main(["--sources-dir", "team/sources", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("package: team/sources/music/contract.json: datasets.plays.columns[1].kind: ")
    assert "'instant' is not allowed" in err
    assert not (tmp_path / "out").exists()
    (root / "sources" / "music" / "contract.json").write_text(json.dumps({**MUSIC, "source": "songs"}))
    assert package.main(["--sources-dir", "team/sources", "--out", str(tmp_path / "out")]) == 1
    assert "team/sources/music/contract.json: source: 'songs' must be the folder's name 'music'" in (
        capsys.readouterr().err
    )


TEAM_HOOK = '''"""A team's silver hook: upper-cases the device names of plays."""


def silver_transform(frame, dataset):
    if dataset == "plays":
        frame = frame.assign(device=frame["device"].str.upper())
    return frame
'''


def test_a_teams_hook_module_reaches_the_silver_job_through_its_own_zip(tmp_path, capsys):
    root = _product(tmp_path / "team", MUSIC)
    (root / "hooks").mkdir()
    (root / "hooks" / "music_hooks.py").write_text(TEAM_HOOK)
    args = ["--sources-dir", str(root / "sources"), "--glue-dir", str(root / "glue")]
    assert package.main([*args, "--hooks-dir", str(root / "hooks"), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    hooks_zip = tmp_path / "out" / "glue" / package.HOOKS_ZIP
    with zipfile.ZipFile(hooks_zip) as archive:
        assert archive.namelist() == ["music_hooks.py"]
    # The silver job on Glue: both --extra-py-files entries on sys.path, then load_hook by name.
    code = (
        "import sys; sys.path[:0] = sys.argv[1:3]; import pandas as pd\n"
        "from lakehouse_common.silver_job import load_hook\n"
        "import lakehouse_common\n"
        "assert lakehouse_common.__file__.startswith(sys.argv[1]), lakehouse_common.__file__\n"
        "hook = load_hook('music_hooks')\n"
        "print(hook.__module__, sys.modules['music_hooks'].__file__.startswith(sys.argv[2]),"
        " list(hook(pd.DataFrame({'device': ['phone']}), 'plays')['device']))"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            code,
            str(tmp_path / "out" / "glue" / "lakehouse_common.zip"),
            str(hooks_zip),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    assert out.stdout.split() == ["music_hooks", "True", "['PHONE']"]


def test_without_hook_folders_there_is_no_hooks_zip(builds):
    first, _second = builds
    assert f"glue/{package.HOOKS_ZIP}" not in first


def test_a_hook_folder_without_modules_or_with_a_reserved_name_is_refused(tmp_path, capsys):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "notes.txt").write_text("no code here")
    assert package.main(["--hooks-dir", str(hooks), "--out", str(tmp_path / "out")]) == 1
    assert "no hook module (*.py or package) found" in capsys.readouterr().err
    (hooks / "lakehouse_common").mkdir()
    (hooks / "lakehouse_common" / "__init__.py").write_text("")
    assert package.main(["--hooks-dir", str(hooks), "--out", str(tmp_path / "out")]) == 1
    assert "hook module 'lakehouse_common' would clash" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
