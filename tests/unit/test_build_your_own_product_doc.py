"""docs/build-your-own-product.md follows the repository: its module calls are the ones
envs/music_library makes, its contract snippet is the music contract's, its commands exist."""

import json
import re
from pathlib import Path

import demo_music_library
import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "build-your-own-product.md").read_text()
ENV_MAIN = (REPO / "envs" / "music_library" / "main.tf").read_text()


def fenced(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S)


def top_level_block(text: str, header: str) -> str:
    start = text.index(header)
    return text[start : text.index("\n}\n", start) + 3]


def test_every_module_call_shown_is_the_one_envs_music_library_makes():
    blocks = fenced("hcl")
    assert len(blocks) == 3
    for block in blocks:
        header = block.splitlines()[0]
        assert header.startswith("module "), header
        assert block == top_level_block(ENV_MAIN, header), f"{header} differs from envs/music_library/main.tf"
    shown = {block.splitlines()[0] for block in blocks}
    assert shown == {'module "contract" {', 'module "storage" {', 'module "pipeline" {'}


def test_the_contract_snippet_is_the_music_contract():
    [snippet] = fenced("json")
    contract = json.loads((REPO / "sources" / "music_library" / "contract.json").read_text())
    assert json.loads(snippet) == {"plays": contract["datasets"]["plays"]}


def test_the_packaging_command_is_the_one_the_demo_and_e2e_run():
    commands = [line for block in fenced("sh") for line in block.splitlines() if "tools/package.py" in line]
    assert commands == [demo_music_library.PACKAGE_COMMAND]
    for folder in re.findall(r"--(?:sources|lambda|glue)-dir (\S+)", demo_music_library.PACKAGE_COMMAND):
        assert (REPO / folder).is_dir(), folder


def test_every_make_target_and_path_named_exists():
    makefile = (REPO / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z0-9-]*):", makefile, flags=re.M))
    named = set(re.findall(r"\bmake ([a-z][a-z0-9-]*)", DOC))
    assert named and named <= targets, named - targets
    assert "PRODUCT" in makefile and "demo_music_library" in (REPO / "tools" / "demo.py").read_text()
    paths = {
        p for p in re.findall(r"`((?:sources|envs|modules|tools|glue_jobs|lambda_src|tests)/[^` ]*)`", DOC)
    }
    missing = [p for p in paths if "<" not in p and not (REPO / p).exists()]
    assert paths and missing == []


@pytest.mark.parametrize("argument", ["--hooks_module"])
def test_the_hook_argument_described_exists(argument):
    assert argument in DOC
    assert argument.lstrip("-") in (REPO / "src" / "lakehouse_common" / "silver_job.py").read_text()
