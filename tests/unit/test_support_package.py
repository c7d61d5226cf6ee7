"""Test support stays in one place (tests/support): one notification reader, one IAM checker, one
local Spark configuration. A second copy written elsewhere fails here, naming the file.

The emulator package (emulator/) is left out on purpose: it is a package of its own that must not
import the project's test support, its tests exercise SQS delivery itself, and its Glue job runner
starts the job's Spark as Glue would.
"""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SUPPORT = REPO / "tests" / "support"
SCANNED = ("tests", "bench", "tools")


def python_files() -> list[Path]:
    return sorted(
        path
        for top in SCANNED
        for path in (REPO / top).rglob("*.py")
        if SUPPORT not in path.parents and "__pycache__" not in path.parts
    )


def offenders(pattern: str, exempt: tuple[str, ...] = ()) -> list[str]:
    found = []
    for path in python_files():
        relative = str(path.relative_to(REPO))
        if relative in exempt:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_the_scan_sees_the_suites():
    names = {str(p.relative_to(REPO)) for p in python_files()}
    assert {"tests/asl/conftest.py", "tests/e2e/test_pipeline_e2e.py", "bench/pipeline_cost.py"} <= names
    assert not any(name.startswith("tests/support/") for name in names)


def test_no_sqs_receive_loop_outside_the_notification_reader():
    # This file names the call in its pattern; the pattern itself is built so it does not match.
    assert offenders(r"\.receive_" + "message\\(", exempt=("tests/unit/test_support_package.py",)) == [], (
        "read SNS notifications with tests/support/notifications.py (subscribe_inbox / Inbox)"
    )


def test_no_local_spark_session_built_outside_glue_testing():
    assert offenders(r"SparkSession\.builder") == [], (
        "start local Spark with glue_testing.local_spark_session (tests/support/glue_testing.py)"
    )


@pytest.mark.parametrize("top", ["bench", "tools", "tests"])
def test_nothing_imports_a_test_module(top):
    # A test file is a suite, not a library: what two files share goes in a fixtures_*.py beside
    # them or in tests/support, so running (or deleting) one file never depends on another.
    imports = [
        line
        for line in offenders(r"^\s*(from|import)\s+(tests\.[\w.]*\.)?test_\w+")
        if line.startswith(f"{top}/")
    ]
    assert imports == [], "shared test code belongs in tests/support, not in a test file"


def test_the_iam_checker_is_defined_once():
    definitions = offenders(r"^def (denied_calls|unused_grants|allowing_statements|check_applied)\(")
    assert definitions == [], "the IAM checker lives in tests/support/iam_checker.py"
