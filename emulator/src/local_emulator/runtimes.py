"""The Python environments AWS runs code in, rebuilt locally: which interpreter, which packages.

AWS runs a Lambda handler or a Glue job in an environment it defines: a Python version and a fixed
set of packages (the runtime's, a layer's, Glue's provided modules). Code that imports anything
else fails there. The emulator reproduces those environments so it fails here too:

- each environment is a venv of the right Python minor version (pyenv's or the system's; never the
  emulator's own interpreter unless the version matches) whose site-packages stay empty, plus one
  `pip install --target` folder per package set, put on PYTHONPATH in AWS's order;
- every package set is DATA below (`PACKAGE_SETS`), with the AWS or project document it follows;
  the Lambda layer ARN -> package set mapping is `layer_package_set`;
- folders are built once into the cache (`EMULATOR_RUNTIME_CACHE`, default
  `~/.cache/local-emulator/runtimes`), keyed by a hash of the Python version and the pins, under a
  file lock (several emulators and worktrees share it), and reused afterwards;
- a missing Python raises `RuntimeUnavailable` naming the version and how to install it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional


class RuntimeUnavailable(RuntimeError):
    """The Python an AWS runtime needs is not installed, or its packages could not be installed."""


@dataclass(frozen=True)
class PackageSet:
    """Packages installed together into one folder (`pip install --target`)."""

    name: str
    python: str  # minor version, e.g. "3.12"
    requirements: tuple[str, ...]
    source: str  # the document the list follows
    # Top-level names deleted after the install: what AWS strips from a layer because the runtime
    # provides it (boto3, botocore, s3transfer, urllib3 for the SDK for pandas layer).
    remove: tuple[str, ...] = ()


# --- Lambda -------------------------------------------------------------------------------------

# The SDK a Python Lambda runtime includes. AWS documents that its version depends on the runtime
# release (https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html#python-sdk-included) and
# updates it with runtime releases; one release of that line is pinned here per runtime.
_LAMBDA_SDK = ("boto3==1.40.4", "botocore==1.40.4", "s3transfer==0.13.1", "urllib3==1.26.20")

LAMBDA_RUNTIMES: dict[str, PackageSet] = {
    f"python{version}": PackageSet(
        name=f"lambda-python{version}",
        python=version,
        requirements=_LAMBDA_SDK,
        source="https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html#python-sdk-included",
    )
    for version in ("3.10", "3.11", "3.12", "3.13")
}

# AWS SDK for pandas managed layer, release 3.17.0. Contents from the release's own build script
# (building/lambda/build-lambda-layer.sh at tag 3.17.0: `pip install .[redshift,mysql,postgres,
# gremlin,opensearch,openpyxl] pyarrow==24.0.0`, then boto*, urllib3*, s3transfer* removed because
# the runtime has them) with the versions of the release's uv.lock for Python >= 3.11 (pandas
# 3.0.1, numpy 2.4.2). Layer ARNs: docs/source/layers.rst of the same release
# (https://aws-sdk-pandas.readthedocs.io/en/3.17.0/layers.html).
AWS_SDK_PANDAS_VERSION = "3.17.0"
AWS_SDK_PANDAS_ACCOUNT = "336392948345"
# Layer version number per Python of release 3.17.0 (the same in every region the table lists
# under account 336392948345, e.g. eu-west-1: AWSSDKPandas-Python312:29, -Python312-Arm64:29).
AWS_SDK_PANDAS_LAYER_VERSIONS = {"3.10": 36, "3.11": 33, "3.12": 29, "3.13": 14}


def _sdk_pandas_layer(python: str) -> PackageSet:
    return PackageSet(
        name=f"layer-aws-sdk-pandas-{AWS_SDK_PANDAS_VERSION}-py{python}",
        python=python,
        requirements=(
            f"awswrangler[redshift,mysql,postgres,gremlin,opensearch,openpyxl]=={AWS_SDK_PANDAS_VERSION}",
            "pyarrow==24.0.0",
            "pandas==3.0.1" if python >= "3.11" else "pandas==2.3.3",
            "numpy==2.4.2" if python >= "3.11" else "numpy==2.2.6",
        ),
        source="aws/aws-sdk-pandas 3.17.0: building/lambda/build-lambda-layer.sh, uv.lock, layers.rst",
        remove=("boto3", "botocore", "s3transfer", "urllib3"),
    )


_LAYER_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:"
    r"AWSSDKPandas-Python3(?P<minor>\d+)(?P<arm>-Arm64)?:(?P<version>\d+)$"
)


def sdk_pandas_layer_arn(region: str, python: str, architecture: str) -> str:
    """The ARN of the pinned AWS SDK for pandas release for one Python/architecture in a region."""
    suffix = "-Arm64" if architecture == "arm64" else ""
    layer = f"AWSSDKPandas-Python{python.replace('.', '')}{suffix}"
    version = AWS_SDK_PANDAS_LAYER_VERSIONS[python]
    return f"arn:aws:lambda:{region}:{AWS_SDK_PANDAS_ACCOUNT}:layer:{layer}:{version}"


def layer_package_set(arn: str) -> Optional[PackageSet]:
    """The package set of an AWS-managed layer version the emulator knows, else None."""
    match = _LAYER_ARN.match(arn)
    if not match or match.group("account") != AWS_SDK_PANDAS_ACCOUNT:
        return None
    python = f"3.{match.group('minor')}"
    if AWS_SDK_PANDAS_LAYER_VERSIONS.get(python) != int(match.group("version")):
        return None
    return _sdk_pandas_layer(python)


# --- Glue ---------------------------------------------------------------------------------------

# Glue 5.0 Spark jobs: Python 3.11 with "Python modules already provided in AWS Glue" (5.0 column,
# https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-python-libraries.html#glue-modules-provided).
# The data and AWS-access modules of that list; awswrangler is NOT among them (the AWS SDK for pandas
# install guide: PySpark jobs need --additional-python-modules). pyspark is the project's local Spark
# standing in for Glue's Spark 3.5 (the Glue ETL jars do not exist locally). Plotting and ML modules
# of the list (matplotlib, plotly, scikit-learn, scipy) are left out to keep the first build short:
# a job importing them fails here and would not on AWS (reported in the emulator README).
GLUE_5_SPARK = PackageSet(
    name="glue-5.0-spark",
    python="3.11",
    requirements=(
        "boto3==1.34.131",
        "botocore==1.34.131",
        "s3transfer==0.10.2",
        "aiobotocore==2.13.1",
        "s3fs==2024.6.1",
        "fsspec==2024.6.1",
        "pandas==2.2.2",
        "numpy==1.26.4",
        "pyarrow==17.0.0",
        "python-dateutil==2.9.0.post0",
        "pytz==2024.1",
        "requests==2.32.2",
        "urllib3==1.26.19",
        "packaging==24.1",
        "pyspark==3.5.9",
    ),
    source="https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-python-libraries.html#glue-modules-provided",
)

# Glue Python shell, Python 3.9, `library-set: analytics`: the preinstalled analytics set
# (https://docs.aws.amazon.com/glue/latest/dg/add-job-python.html#python-shell-supported-library),
# the generation tools/py39_check.sh's "analytics" profile checks against.
GLUE_PYTHONSHELL_39_ANALYTICS = PackageSet(
    name="glue-pythonshell-3.9-analytics",
    python="3.9",
    requirements=(
        "boto3==1.22.13",
        "botocore==1.25.13",
        "s3transfer==0.5.2",
        "awswrangler==2.15.1",
        "pandas==1.4.2",
        "numpy==1.22.3",
        "pyarrow==7.0.0",
        "python-dateutil==2.8.2",
        "pytz==2022.1",
        "requests==2.27.1",
        "urllib3==1.26.9",
    ),
    source="https://docs.aws.amazon.com/glue/latest/dg/add-job-python.html#python-shell-supported-library",
)

# Python shell 3.9 without the analytics set (library-set absent/none): boto3 only.
GLUE_PYTHONSHELL_39 = PackageSet(
    name="glue-pythonshell-3.9",
    python="3.9",
    requirements=("boto3==1.22.13", "botocore==1.25.13", "s3transfer==0.5.2"),
    source="https://docs.aws.amazon.com/glue/latest/dg/add-job-python.html#python-shell-supported-library",
)


def glue_package_set(job_type: str, glue_version: str, python_version: str, library_set: str) -> PackageSet:
    """The environment Glue runs a job in; RuntimeUnavailable for combinations not reproduced."""
    if job_type == "glueetl" and glue_version == "5.0":
        return GLUE_5_SPARK
    if job_type == "pythonshell" and python_version == "3.9":
        return GLUE_PYTHONSHELL_39_ANALYTICS if library_set == "analytics" else GLUE_PYTHONSHELL_39
    raise RuntimeUnavailable(
        f"the emulator reproduces Glue 5.0 Spark jobs and Python shell 3.9 jobs; this job is {job_type} "
        f"(GlueVersion {glue_version or 'unset'}, PythonVersion {python_version or 'unset'})"
    )


# --- building -----------------------------------------------------------------------------------


def cache_root() -> Path:
    configured = os.environ.get("EMULATOR_RUNTIME_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "local-emulator" / "runtimes"


def _python_candidates(version: str) -> list[Path]:
    found: list[Path] = []
    on_path = shutil.which(f"python{version}")
    if on_path:
        found.append(Path(on_path))
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    found += sorted(pyenv_root.glob(f"versions/{version}.*/bin/python{version}"), reverse=True)
    found += [Path(f"/usr/bin/python{version}"), Path(f"/usr/local/bin/python{version}")]
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        found.append(Path(sys.executable))
    return found


_FOUND: dict[str, Path] = {}


def find_python(version: str) -> Path:
    """An interpreter of exactly this minor version (pyenv shims that do not resolve are skipped)."""
    if version in _FOUND:
        return _FOUND[version]
    for candidate in _python_candidates(version):
        if not candidate.exists():
            continue
        probe = subprocess.run(
            [str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            _FOUND[version] = candidate
            return candidate
    raise RuntimeUnavailable(
        f"Python {version} is not installed, and the AWS runtime being emulated runs Python {version}. "
        f"Install it with `pyenv install {version}` (or `apt-get install python{version}`), or put "
        f"python{version} on PATH."
    )


def _key(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


class _Lock:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "w")  # noqa: SIM115 - held until __exit__

    def __enter__(self) -> None:
        fcntl.flock(self._file, fcntl.LOCK_EX)

    def __exit__(self, *_exc: object) -> None:
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()


def interpreter(version: str) -> Path:
    """A venv of Python `version` with nothing in its site-packages (built once, cached)."""
    base = find_python(version)
    root = cache_root() / f"python{version}-{_key(str(base.resolve()))}"
    python = root / "bin" / "python"
    if python.exists():
        return python
    with _Lock(cache_root() / ".locks" / f"{root.name}.lock"):
        if not python.exists():
            staging = root.with_name(root.name + ".tmp")
            shutil.rmtree(staging, ignore_errors=True)
            subprocess.run([str(base), "-m", "venv", "--without-pip", str(staging)], check=True)
            staging.rename(root)
    return python


def install(package_set: PackageSet, extra: tuple[str, ...] = ()) -> Path:
    """The `--target` folder holding `package_set` (+ `extra` requirements); built once, cached."""
    requirements = (*package_set.requirements, *extra)
    key = _key(package_set.python, *requirements, *package_set.remove)
    folder = cache_root() / f"{package_set.name}-{key}"
    done = folder / ".emulator-runtime.json"
    if done.exists():
        return folder
    base = find_python(package_set.python)
    with _Lock(cache_root() / ".locks" / f"{folder.name}.lock"):
        if done.exists():
            return folder
        staging = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONNOUSERSITE": "1"}
        command = [str(base), "-m", "pip", "install", "--quiet", "--no-compile", "--target", str(staging)]
        result = subprocess.run(
            [*command, *requirements], capture_output=True, text=True, env=env, check=False
        )
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise RuntimeUnavailable(
                f"could not install {package_set.name} for Python {package_set.python}: "
                f"{(result.stderr or result.stdout).strip()[-1500:]}"
            )
        for name in package_set.remove:
            for path in staging.glob(f"{name}*"):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        (staging / ".emulator-runtime.json").write_text(
            json.dumps(
                {"python": package_set.python, "requirements": requirements, "source": package_set.source}
            ),
        )
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    return folder
