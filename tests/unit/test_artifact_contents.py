"""Shipped artifacts carry no test support: the Glue lakehouse_common.zip and wheel and the Lambda
zips hold the shared package without test doubles (those live in tests/support/)."""

import re
import zipfile

import package
import pytest

# Module names of test support, and what only test doubles import or build.
TEST_SUPPORT_NAME = re.compile(
    r"(^|/)(glue_testing|conftest|fixtures_\w+|test_\w+|\w*_testing|fakes?|doubles?)\.py$"
)
TEST_DOUBLE_CODE = re.compile(
    r"\bunittest\.mock\b|\bfrom unittest import mock\b|\bMock\(|\bMagicMock\b|\bmoto\b"
)


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    built = package.build_all(tmp_path_factory.mktemp("dist"))
    return {name: path for name, path in built.items() if name.endswith((".zip", ".whl"))}


def test_the_shared_package_is_in_every_python_artifact(archives):
    python_archives = [name for name in archives if not name.startswith("wordpress/")]
    assert "glue/lakehouse_common.zip" in python_archives
    assert any(name.endswith(".whl") for name in python_archives)
    for name in python_archives:
        with zipfile.ZipFile(archives[name]) as archive:
            assert "lakehouse_common/silver_transform.py" in archive.namelist() or name.startswith(
                "lambda/"
            ), name
            assert "lakehouse_common/layout.py" in archive.namelist(), name


def test_no_artifact_ships_a_test_double(archives):
    shipped = {}
    for name, path in archives.items():
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith(".py"):
                    shipped[f"{name}:{member}"] = archive.read(member).decode("utf-8")
    assert shipped  # the check below looked at something
    named = sorted(member for member in shipped if TEST_SUPPORT_NAME.search(member))
    assert named == []
    importing = sorted(member for member, text in shipped.items() if TEST_DOUBLE_CODE.search(text))
    assert importing == []
