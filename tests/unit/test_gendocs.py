"""tools/gendocs.py (`make docs`, and `make lint`'s stale check) on a copy of the repository's
generated documents: a change to their sources makes the check fail, naming the file and the fix."""

import shutil
from dataclasses import dataclass
from pathlib import Path

import gendocs as tool
import pytest

REPO = Path(__file__).resolve().parents[2]
# Two modules are enough (one with a submodule); `make lint` checks all of them in the real tree.
MODULES = ("s3_bucket", "glue_session_guard")


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for module in MODULES:
        shutil.copytree(
            REPO / "modules" / module,
            tmp_path / "modules" / module,
            ignore=shutil.ignore_patterns(".terraform*"),
        )
    shutil.copytree(REPO / "docs" / "decisions", tmp_path / "docs" / "decisions")
    for name in ("README.md", "Makefile"):
        shutil.copy2(REPO / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def gendocs(capsys: pytest.CaptureFixture[str]):
    """Run the tool's command line on a root; what `make docs` / `make lint` would see."""

    def run(root: Path, *args: str) -> Result:
        try:
            code = tool.main(["--root", str(root), *args])
        except SystemExit as stop:
            code, message = 2, str(stop)
            captured = capsys.readouterr()
            return Result(code, captured.out, captured.err + message)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def test_the_committed_documents_are_current(copy, gendocs):
    result = gendocs(copy, "--check")
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


def test_a_new_module_variable_makes_its_readme_stale_until_make_docs(copy, gendocs):
    variables = copy / "modules" / "s3_bucket" / "variables.tf"
    variables.write_text(
        variables.read_text()
        + '\nvariable "retention_days" {\n  description = "Days to keep noncurrent versions."\n'
        + "  type        = number\n  default     = 30\n}\n"
    )

    stale = gendocs(copy, "--check")
    assert stale.returncode == 1
    assert stale.stdout.splitlines() == [
        "modules/s3_bucket/README.md is stale (module README tables (tools/tfdocs.py)): "
        "run `make docs` and commit the result"
    ]

    assert gendocs(copy).stdout.startswith("regenerated modules/s3_bucket/README.md")
    readme = (copy / "modules" / "s3_bucket" / "README.md").read_text()
    assert "| `retention_days` | Days to keep noncurrent versions. | `number` | `30` |" in readme
    assert gendocs(copy, "--check").returncode == 0


def test_a_renamed_decision_makes_the_index_stale(copy, gendocs):
    record = copy / "docs" / "decisions" / "0003-gold-on-flex.md"
    lines = record.read_text().splitlines(keepends=True)
    record.write_text("# 0003 — Gold runs on FLEX capacity\n" + "".join(lines[1:]))

    stale = gendocs(copy, "--check")
    assert stale.returncode == 1
    assert "docs/decisions/README.md is stale" in stale.stdout
    assert "run `make docs`" in stale.stdout

    gendocs(copy)
    index = (copy / "docs" / "decisions" / "README.md").read_text()
    assert "| [0003](0003-gold-on-flex.md) | Gold runs on FLEX capacity |" in index
    assert "two FLEX workers" not in index


def test_check_changes_nothing(copy, gendocs):
    readme = copy / "modules" / "s3_bucket" / "README.md"
    before = readme.read_text()
    readme.write_text(before.replace("## Outputs", "## Outputs (edited by hand)"))
    assert gendocs(copy, "--check").returncode == 1
    assert "(edited by hand)" in readme.read_text()


def test_a_record_without_a_title_line_is_refused(copy, gendocs):
    (copy / "docs" / "decisions" / "0099-untitled.md").write_text("Some notes\n")
    result = gendocs(copy, "--check")
    assert result.returncode != 0
    assert "0099-untitled.md: the first line must be '# NNNN — title'" in result.stderr


def test_a_new_make_verb_makes_the_readme_table_stale_until_make_docs(copy, gendocs):
    makefile = copy / "Makefile"
    makefile.write_text(
        makefile.read_text()
        + "\nsnapshot restore: venv ## save|load the emulator's state (NAME=<name>)\n"
        + "\t@true\n"
    )

    stale = gendocs(copy, "--check")
    assert stale.returncode == 1
    assert stale.stdout.splitlines() == [
        "README.md is stale (make-verbs table (Makefile help)): run `make docs` and commit the result"
    ]

    gendocs(copy)
    readme = (copy / "README.md").read_text()
    # Several targets on one line become one row; pipes are escaped so the row keeps two cells.
    assert "| `make snapshot\\|restore` | save\\|load the emulator's state (NAME=<name>) |" in readme
    assert "| `make help` |" not in readme and "| `make venv` |" not in readme
    assert gendocs(copy, "--check").returncode == 0


def test_a_readme_without_the_verbs_markers_is_refused_by_name(copy, gendocs):
    readme = copy / "README.md"
    readme.write_text(readme.read_text().replace("<!-- BEGIN_MAKE_VERBS -->\n", ""))
    result = gendocs(copy, "--check")
    assert result.returncode == 2
    markers = "<!-- BEGIN_MAKE_VERBS --> / <!-- END_MAKE_VERBS -->"
    assert f"README.md: the markers {markers} are missing" in result.stderr
