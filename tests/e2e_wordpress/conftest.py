"""envs/local applied on an emulator of its own, reading a REAL WordPress (Debian's packages with
the lakehouse-export plugin, tools/wordpress_local) with incremental statistics."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import pytest
from envctl import flatten_outputs
from local_emulator.handle import running_emulator
from wordpress_local import site as wordpress

from tests.e2e.conftest import AppliedEnv, build_artifacts, leftovers_of, store_site_credentials


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[wordpress.LocalWordPress]:
    with wordpress.running(tmp_path_factory.mktemp("e2e-wp")) as local:
        yield local


@pytest.fixture(scope="package")
def applied_real_env(
    site: wordpress.LocalWordPress, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppliedEnv]:
    with running_emulator(tmp_path_factory.mktemp("e2e-wp-emulator")) as emulator:
        work_dir = tmp_path_factory.mktemp("envs-local-wp")
        env = {
            **os.environ,
            **emulator.env,
            "TF_VAR_emulator_endpoint": emulator.endpoint,
            "TF_VAR_wordpress_site_port": str(site.port),
            "TF_VAR_statistics_incremental": "true",
            "TF_DATA_DIR": str(work_dir / ".terraform"),
            "TF_IN_AUTOMATION": "1",
        }
        applied = AppliedEnv(emulator, work_dir, env, {}, 0.0, None)  # type: ignore[arg-type]
        build_artifacts()
        applied.terraform(
            "init", "-input=false", "-no-color", f"-backend-config=path={work_dir / 'terraform.tfstate'}"
        )
        started = time.monotonic()
        applied.terraform("apply", "-input=false", "-no-color", "-auto-approve")
        applied.apply_seconds = time.monotonic() - started
        applied.outputs = flatten_outputs(
            json.loads(applied.terraform("output", "-json", "-no-color").stdout)
        )
        exporter = site.user("exporter")
        store_site_credentials(
            emulator,
            applied.output("pipeline_credentials_secret_arn"),
            exporter["login"],
            exporter["application_password"],
        )
        try:
            yield applied
        finally:
            applied.terraform("destroy", "-input=false", "-no-color", "-auto-approve")
            assert leftovers_of(emulator) == {}
