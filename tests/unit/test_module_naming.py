"""One naming convention across modules/: composite modules take `namespace` and `environment`,
building-block modules take the full resource `name`, and each rule is written once — the same
condition and the same error message in every module (the `terraform test` runs of each module
show the same valid name passing and the same invalid one failing there)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MODULES = sorted(p.parent for p in (REPO / "modules").glob("*/variables.tf"))
COMPOSITE = {
    "data_product",
    "glue_session_guard",
    "lakehouse_environment",
    "lakehouse_storage",
    "medallion_pipeline",
    "notifications",
}
BUILDING_BLOCKS = {"glue_crawler", "glue_job", "iam_service_role", "lambda_function", "state_machine"}
# s3_bucket takes a full, globally unique bucket_name (S3's own rules), not a naming-convention input;
# source_contract creates nothing (it reads a contract file).
OWN_NAMING = {"s3_bucket", "source_contract"}


def variable_block(module: Path, name: str) -> str | None:
    """The text of `variable "<name>" { ... }` in the module's variables.tf (braces balanced)."""
    text = (module / "variables.tf").read_text()
    start = text.find(f'variable "{name}" {{')
    if start < 0:
        return None
    depth, i = 0, text.index("{", start)
    while True:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start : i + 1]
        i += 1


def validations(block: str) -> list[str]:
    """Each validation's condition and error_message, as written."""
    return re.findall(r"validation \{\s*(condition\s*=.*?\n\s*error_message\s*=.*?)\n\s*\}", block, re.S)


def rule_regex(module: str, variable: str) -> str:
    block = variable_block(REPO / "modules" / module, variable) or ""
    found = re.search(rf'regex\("(.+?)", var\.{variable}\)', block)
    assert found, (module, variable)
    return found.group(1).replace("\\\\", "\\")


def test_every_module_is_classified():
    assert {m.name for m in MODULES} == COMPOSITE | BUILDING_BLOCKS | OWN_NAMING


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_no_module_takes_a_name_prefix(module):
    assert variable_block(module, "name_prefix") is None


@pytest.mark.parametrize("part", ["namespace", "environment"])
def test_composite_modules_share_one_namespace_and_environment_rule(part):
    blocks = {m.name: variable_block(m, part) for m in MODULES if m.name in COMPOSITE}
    assert all(blocks.values()), [name for name, block in blocks.items() if not block]
    assert len(set(blocks.values())) == 1, "the same variable block, word for word, in every composite module"
    assert all(variable_block(m, part) is None for m in MODULES if m.name in BUILDING_BLOCKS)


def test_building_blocks_share_one_name_rule():
    rules = {
        m.name: validations(variable_block(m, "name") or "") for m in MODULES if m.name in BUILDING_BLOCKS
    }
    assert all(len(r) == 2 for r in rules.values()), rules
    # The character rule is identical; the length rule differs only in the limit each module derives.
    assert len({r[0] for r in rules.values()}) == 1, {name: r[0] for name, r in rules.items()}
    limits = {name: re.search(r"length\(var\.name\) <= (\d+)", r[1]) for name, r in rules.items()}
    assert {name: int(m.group(1)) for name, m in limits.items() if m} == {
        "glue_crawler": 50,
        "glue_job": 50,
        "iam_service_role": 64,
        "lambda_function": 59,
        "state_machine": 60,
    }


def test_the_rules_accept_and_refuse_the_same_examples():
    """The regexes as written, applied to the examples the module tests use."""
    namespace, name = rule_regex("notifications", "namespace"), rule_regex("glue_job", "name")
    for pattern in (namespace, name):
        assert re.fullmatch(pattern, "music-lib")
        assert not re.fullmatch(pattern, "Music-Lib")
        assert not re.fullmatch(pattern, "music-lib-")
    assert not re.fullmatch(namespace, "music--lib")
    assert not re.fullmatch(namespace, "music_lib"), "underscores cannot be part of S3 bucket names"
    assert re.fullmatch(name, "music-lib-local-raw-wordpress_api")
