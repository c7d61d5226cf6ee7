"""docs/build-your-own-product.md follows the repository: its module calls are the ones
envs/music_library makes, its contract snippet is the music contract's, its commands exist."""

import json
import re
import zipfile
from pathlib import Path

import demo_music_library
import package
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
    blocks = [block for block in fenced("hcl") if block.startswith("module ")]
    assert len(blocks) == 2
    for block in blocks:
        header = block.splitlines()[0]
        assert block == top_level_block(ENV_MAIN, header), f"{header} differs from envs/music_library/main.tf"
    shown = {block.splitlines()[0] for block in blocks}
    assert shown == {'module "storage" {', 'module "product" {'}


def test_the_products_entry_shown_is_the_one_envs_local_passes():
    [block] = [block for block in fenced("hcl") if not block.startswith("module ")]
    assert "products = var.music_library ? {" in block
    indented = "".join(f"  {line}" if line else line for line in block.splitlines(keepends=True))
    assert indented in (REPO / "envs" / "local" / "main.tf").read_text()
    # The same product, alone in envs/music_library: same contract, same gold script and datasets.
    for line in ("contract_path = ", "script   = ", "datasets = "):
        shown = next(x.strip() for x in block.splitlines() if x.strip().startswith(line))
        assert shown in ENV_MAIN, shown


def test_the_apply_command_shown_sets_the_variable_envs_local_declares():
    assert "TF_VAR_music_library=true make apply ENV=local" in DOC
    assert 'variable "music_library" {' in (REPO / "envs" / "local" / "main.tf").read_text()


def test_the_contract_snippet_is_the_music_contract():
    [snippet] = fenced("json")
    contract = json.loads((REPO / "sources" / "music_library" / "contract.json").read_text())
    assert json.loads(snippet) == {"plays": contract["datasets"]["plays"]}


def package_commands() -> list[str]:
    return [line for block in fenced("sh") for line in block.splitlines() if "tools/package.py" in line]


def test_the_packaging_command_is_the_one_the_demo_and_e2e_run():
    commands = [command for command in package_commands() if "--hooks-dir" not in command]
    assert commands == [demo_music_library.PACKAGE_COMMAND]
    for folder in re.findall(r"--(?:sources|lambda|glue)-dir (\S+)", demo_music_library.PACKAGE_COMMAND):
        assert (REPO / folder).is_dir(), folder


def test_every_make_target_and_path_named_exists():
    makefile = (REPO / "Makefile").read_text()
    # A rule may name several targets ("plan apply destroy: venv").
    targets = {t for rule in re.findall(r"^([a-z][a-z0-9 -]*):", makefile, flags=re.M) for t in rule.split()}
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


HOOKS_DIR = "my_product/hooks"


def test_the_hooks_command_is_the_products_build_plus_its_hook_folder():
    [command] = [command for command in package_commands() if "--hooks-dir" in command]
    build, out = demo_music_library.PACKAGE_COMMAND.split(" --out ")
    assert command == f"{build} --hooks-dir {HOOKS_DIR} --out {out}"
    assert "silver_hooks_module" in (REPO / "modules" / "data_product" / "variables.tf").read_text()
    assert "silver_hooks" in (REPO / "modules" / "medallion_pipeline" / "variables.tf").read_text()


def test_the_hooks_command_builds_the_hooks_zip_the_doc_names(tmp_path, monkeypatch, capsys):
    """The documented command, run from a checkout with the doc's hook folder in it."""
    [command] = [command for command in package_commands() if "--hooks-dir" in command]
    hooks = tmp_path / HOOKS_DIR
    hooks.mkdir(parents=True)
    (hooks / "my_hooks.py").write_text("def silver_transform(frame, dataset):\n    return frame\n")
    args = command.split()[2:]
    args = [str(hooks) if a == HOOKS_DIR else str(REPO / a) if (REPO / a).is_dir() else a for a in args]
    args[args.index("--out") + 1] = str(tmp_path / "out")
    monkeypatch.chdir(REPO)
    assert package.main(args) == 0, capsys.readouterr().err
    with zipfile.ZipFile(tmp_path / "out" / "glue" / "silver_hooks.zip") as archive:
        assert archive.namelist() == ["my_hooks.py"]
    assert "glue/silver_hooks.zip" in DOC
