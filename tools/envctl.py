"""`make plan|apply|destroy ENV=<local|dev|prod>`: terraform for one environment.

local: talks to the emulator on EMULATOR_PORT (it must be up: `make emulator-up`), state on disk,
       applies and destroys without prompting; after an apply it stores the sample site's
       credentials in the pipeline's secret (what an operator does once with put-secret-value).
dev/prod: a real AWS account with your credentials; the S3 backend is configured from
       envs/<env>/backend.hcl (copy backend.hcl.example); apply/destroy ask for confirmation
       unless AUTO_APPROVE=1.

Python drives Terraform through tools/terraform.sh (offline provider mirror) with subprocess:
python-terraform (last release 2020) predates `-chdir`, `terraform test` and JSON output of
newer CLIs, so a thin wrapper is both smaller and more honest.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
TERRAFORM = REPO_ROOT / "tools" / "terraform.sh"
ENVS = ("local", "dev", "prod")


def env_dir(env: str) -> Path:
    if env not in ENVS:
        raise SystemExit(f"ENV must be one of {', '.join(ENVS)}; got {env!r}")
    return REPO_ROOT / "envs" / env


def emulator_environment(port: int) -> dict[str, str]:
    """AWS_* variables pointing terraform at a running emulator; exits with advice if it is down."""
    from local_emulator.cli import is_healthy  # noqa: PLC0415 - only the local env needs it
    from local_emulator.constants import default_state_dir  # noqa: PLC0415
    from local_emulator.env import client_env, https_endpoint  # noqa: PLC0415

    if not is_healthy(port, default_state_dir(port)):
        raise SystemExit(f"The emulator is not running on port {port}: run `make emulator-up` first.")
    variables = client_env(port)
    variables["TF_VAR_emulator_endpoint"] = https_endpoint(port)
    # The local WordPress site runs next to the emulator (tools/local_site.py).
    variables["TF_VAR_wordpress_site_port"] = os.environ.get("WORDPRESS_PORT") or str(port + 2)
    return variables


def terraform(
    env: str, args: Sequence[str], extra_env: Mapping[str, str], capture: bool = False
) -> subprocess.CompletedProcess[str]:
    command = [str(TERRAFORM), f"-chdir={env_dir(env)}", *args]
    return subprocess.run(
        command,
        env={**os.environ, **extra_env},
        check=False,
        text=True,
        capture_output=capture,
    )


def init(env: str, extra_env: Mapping[str, str]) -> None:
    args = ["init", "-input=false", "-no-color"]
    if env != "local":
        backend = env_dir(env) / "backend.hcl"
        if not backend.exists():
            raise SystemExit(
                f"{backend} is missing: copy backend.hcl.example, set your state bucket and region."
            )
        args.append(f"-backend-config={backend}")
    result = terraform(env, args, extra_env, capture=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(result.returncode)


def build_artifacts() -> None:
    """Lambda zips and Glue scripts must exist before Terraform hashes them."""
    package = REPO_ROOT / "tools" / "package.py"
    if package.exists():
        subprocess.run([sys.executable, str(package)], check=True, stdout=subprocess.DEVNULL)


def flatten_outputs(raw: Mapping[str, Any]) -> dict[str, Any]:
    """`terraform output -json` -> name: value, with the env's `lakehouse` object spread out
    (every env exposes modules/lakehouse_environment's outputs as that one object)."""
    values = {name: value["value"] for name, value in raw.items()}
    lakehouse = values.pop("lakehouse", None) or {}
    return {**lakehouse, **values}


def outputs(env: str, extra_env: Mapping[str, str]) -> dict[str, Any]:
    result = terraform(env, ["output", "-json"], extra_env, capture=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return flatten_outputs(json.loads(result.stdout or "{}"))


def store_sample_credentials(secret_arn: str, extra_env: Mapping[str, str]) -> None:
    """The local sample site's exporter and password into the emulator's secret."""
    import boto3  # noqa: PLC0415 - only the local env needs it
    from wordpress_sample.server import SAMPLE_CREDENTIALS  # noqa: PLC0415

    session = boto3.session.Session(
        aws_access_key_id=extra_env.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=extra_env.get("AWS_SECRET_ACCESS_KEY", "test"),
        region_name=extra_env.get("AWS_DEFAULT_REGION", "eu-west-1"),
    )
    client = session.client(
        "secretsmanager",
        endpoint_url=extra_env.get("AWS_ENDPOINT_URL"),
        verify=extra_env.get("AWS_CA_BUNDLE") or True,
    )
    username, password = SAMPLE_CREDENTIALS
    client.put_secret_value(
        SecretId=secret_arn, SecretString=json.dumps({"username": username, "application_password": password})
    )
    print(f"stored the local sample site's credentials in {secret_arn}")


def run(action: str, env: str, port: int, auto_approve: bool) -> int:
    extra_env = emulator_environment(port) if env == "local" else {}
    build_artifacts()
    init(env, extra_env)
    approve = ["-auto-approve"] if (env == "local" or auto_approve) else []
    if action == "plan":
        args = ["plan", "-input=false", "-detailed-exitcode"]
    elif action == "apply":
        args = ["apply", "-input=false", *approve]
    else:
        args = ["destroy", "-input=false", *approve]
    code = terraform(env, args, extra_env).returncode
    if action == "apply" and env == "local" and code == 0:
        store_sample_credentials(outputs(env, extra_env)["pipeline_credentials_secret_arn"], extra_env)
    # plan's detailed exit code 2 means "changes present", not an error.
    return 0 if (action == "plan" and code == 2) else code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=("plan", "apply", "destroy"))
    parser.add_argument("--env", default=os.environ.get("ENV", "local"), choices=ENVS)
    parser.add_argument("--port", type=int, default=int(os.environ.get("EMULATOR_PORT", "4566")))
    args = parser.parse_args(argv)
    return run(args.action, args.env, args.port, os.environ.get("AUTO_APPROVE") == "1")


if __name__ == "__main__":
    sys.exit(main())
