"""Runtime environments build themselves from PyPI once into the cache, then are reused."""

from __future__ import annotations

import subprocess

from local_emulator import runtimes


def test_a_package_set_installs_into_an_empty_cache_once_and_strips_what_aws_strips(monkeypatch, tmp_path):
    monkeypatch.setenv("EMULATOR_RUNTIME_CACHE", str(tmp_path))
    package_set = runtimes.PackageSet(
        name="probe",
        python="3.12",
        requirements=("s3transfer==0.13.1",),  # pulls botocore, urllib3, jmespath, python-dateutil, six
        source="test",
        remove=("botocore", "urllib3"),
    )
    folder = runtimes.install(package_set)
    assert folder.parent == tmp_path
    names = {path.name.split("-")[0] for path in folder.iterdir()}
    assert "s3transfer" in names and "jmespath" in names
    assert not {"botocore", "urllib3"} & names  # removed as the SDK for pandas layer build does
    stamp = (folder / ".emulator-runtime.json").stat().st_mtime_ns
    assert runtimes.install(package_set) == folder  # reused, not rebuilt
    assert (folder / ".emulator-runtime.json").stat().st_mtime_ns == stamp

    python = runtimes.interpreter("3.12")
    probe = subprocess.run(
        [str(python), "-s", "-c", "import sys; print(sys.version_info[:2]); import pandas"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.stdout.strip() == "(3, 12)"
    assert "No module named 'pandas'" in probe.stderr  # the venv's site-packages stay empty
