"""The contributor tooling stays true: pre-commit hooks run offline and cover what `make lint`
checks, .editorconfig agrees with ruff, and every command CONTRIBUTING.md names exists."""

import re
from pathlib import Path

import tomllib
import yaml

REPO = Path(__file__).resolve().parents[2]
CONTRIBUTING = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")


def hooks() -> list[dict]:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"], "hooks fetched from the network"
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def lint_commands() -> list[str]:
    """The recipe lines of `make lint`, with the Makefile's variables spelled out."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "Makefile has no lint recipe"
    spelled = {"$(VENV)/bin/": ".venv/bin/", "$(PY)": ".venv/bin/python", "$(TF)": "./tools/terraform.sh"}
    commands = []
    for line in recipe.group(1).splitlines():
        command = line.strip()
        for variable, value in spelled.items():
            command = command.replace(variable, value)
        commands.append(command)
    return commands


def normalised(command: str) -> str:
    """A command without the path arguments pre-commit passes itself ('.') or filters on."""
    words = [w for w in command.split() if w not in (".", "--force-exclude")]
    return " ".join(words)


def test_every_hook_runs_a_project_tool_offline():
    for hook in hooks():
        assert hook["language"] == "system", hook["id"]
        assert hook["entry"].startswith((".venv/bin/", "./tools/")), hook["entry"]


def test_every_lint_check_has_a_hook():
    entries = {normalised(hook["entry"]) for hook in hooks()}
    missing = [command for command in lint_commands() if normalised(command) not in entries]
    assert lint_commands(), "no lint commands found"
    assert missing == [], f"make lint runs these, no pre-commit hook does: {missing}"


def test_editorconfig_line_length_is_ruffs():
    ruff = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    editorconfig = (REPO / ".editorconfig").read_text(encoding="utf-8")
    python_section = editorconfig.split("[*.py]", 1)[1].split("[", 1)[0]
    assert f"max_line_length = {ruff['line-length']}" in python_section


def test_make_targets_named_in_contributing_exist():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z0-9 -]*):", makefile, re.MULTILINE))
    defined = {name for line in targets for name in line.split()}
    named = set(re.findall(r"(?:`|^)make ([a-z][a-z0-9-]*)", CONTRIBUTING, re.MULTILINE))
    assert {"lint", "docs", "test", "emulator-up", "emulator-down"} <= named
    assert named - defined == set()


def test_paths_named_in_contributing_exist():
    named = set(re.findall(r"`((?:tests|tools|emulator|modules|bench|docs)/[\w./<>:-]*)", CONTRIBUTING))
    # Templates for new files (test_<service>_<topic>.py) are not expected to exist.
    missing = sorted(p for p in named if "<" not in p and not (REPO / p.split("::")[0]).exists())
    assert len(named) >= 10, named
    assert missing == []


def test_contributing_says_how_to_add_a_cited_emulator_correction():
    section = CONTRIBUTING.split("## Add an emulator correction", 1)[1].split("\n## ", 1)[0]
    for needed in ("botocore", "docstring", "emulator/tests/", "corrections/__init__.py", "MODULES"):
        assert needed in section, needed
