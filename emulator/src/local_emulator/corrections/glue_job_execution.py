"""Glue job runs execute the deployed script, like AWS Glue (moto 5.2.1 never runs any code).

AWS behaviour (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-glue-arguments.html,
https://docs.aws.amazon.com/glue/latest/dg/add-job-python.html,
https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-runs.html#aws-glue-api-jobs-runs-JobRun):
- a run executes `Command.ScriptLocation` (downloaded from S3; a missing script fails the run);
- its arguments are the job's DefaultArguments overlaid with the run's Arguments, then the
  NonOverridableArguments; Glue adds `--JOB_ID`, `--JOB_RUN_ID` and `--JOB_NAME` and passes them
  to the script as `sys.argv` (`--key value` pairs);
- `--extra-py-files` (comma-separated S3 paths of .zip/.whl/.egg/.py) are downloaded and put on the
  Python path;
- the run is STARTING, RUNNING while the script runs, then SUCCEEDED (exit 0) or FAILED with
  `ErrorMessage` = the script's exception line (e.g. `ValueError: ...`); `ExecutionTime` is in
  seconds, `CompletedOn` set at the end; a run that exceeds `Timeout` (minutes) is stopped: TIMEOUT.

Emulator specifics (documented in the README, local emulator section):
- the script runs in a subprocess of the Python the job's Glue environment has, with only the
  modules that environment provides (`local_emulator.runtimes`): Glue 5.0 Spark jobs Python 3.11
  with "Python modules already provided in AWS Glue" 5.0 (pyspark 3.5 standing in for Glue's
  Spark) plus `--additional-python-modules` (pip requirements, installed with the provided set,
  cached per list); Python shell jobs (PythonVersion 3.9) Python 3.9 with boto3, plus the analytics
  library set when DefaultArguments `library-set` is `analytics`
  (https://docs.aws.amazon.com/glue/latest/dg/add-job-python.html); `--extra-py-files` on the path
  as before. A module the job imports that its environment lacks fails the run as on AWS
  (`ModuleNotFoundError: ...`). A missing Python fails the run naming the version and the fix.
  Its AWS calls go back to the emulator over HTTPS (AWS_ENDPOINT_URL + AWS_CA_BUNDLE);
- `pythonshell` jobs: `python script.py <args>`;
- `glueetl` jobs: a bootstrap starts a local SparkSession (local[2]) and makes
  `awsglue.context.GlueContext(sc)` return a stand-in exposing that session (`spark_session`,
  `getSparkSession()`, `sparkSession`; every other GlueContext method raises NotImplementedError,
  the Glue jars are not available). Local Spark cannot read s3:// (no hadoop-aws), so before the run
  every bucket named by an argument ending in `_bucket` (e.g. `--silver_bucket`, `--gold_bucket`)
  is copied to `<run dir>/storage/<bucket>/<key>` (file mtimes = S3 LastModified) and the script
  gets `--storage_root file://<run dir>/storage`; after a successful run those folders are mirrored
  back: new or changed files are uploaded, objects whose staged file the job deleted are deleted
  from S3; Hadoop side files (names starting with `.` or `_`: `.*.crc`, `_SUCCESS`, `_temporary`)
  are never uploaded. A failed run changes nothing in S3.
  The staging reads as the job's role, as Spark's S3 connector does on AWS (it lists the path's
  prefix, `s3:ListBucket` with `s3:prefix`, and gets each object, `s3:GetObject`, with the job
  role's credentials: https://docs.aws.amazon.com/glue/latest/dg/create-an-iam-role.html): a
  prefix is staged only where the role may list it (the emulator walks the bucket's folders
  from the root down and lists, over HTTPS as the role, the first level the role's policies
  allow listing, asking the judge without recording for the levels above, which a Spark read of
  a deeper path never lists), and each listed object is fetched as the role (a denied GetObject
  leaves the object out and is recorded like every denial). A script that then reads a path the
  role may not list fails as on AWS with AccessDenied, and that `s3:ListBucket` is judged and
  recorded (Spark's `Path does not exist` for a staged path is mapped back to its S3 prefix).
- logs: stdout/stderr of each run are kept in `<state dir>/glue-job-runs/<job>/<run id>.log`
  (named in the server log) and written to CloudWatch Logs `/aws-glue/jobs/output` and
  `/aws-glue/jobs/error` (`<--custom-logGroup-prefix>/output|error` when a Spark job sets it;
  python shell: `/aws-glue/python-jobs/...`), stream = run id, as Glue does;
- setting `glue_job_run.execute` (default true). With false, runs are simulated (the timing of
  `glue_jobs`: `glue_job_run.seconds`, `glue_job_run.failed_jobs`) and no script is needed.
  Runs matched by `glue_job_run.failed_jobs` (see `glue_jobs`) fail without running in both modes.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Optional

from botocore.exceptions import ClientError

from local_emulator import runtime, runtimes
from local_emulator.constants import ACCOUNT_ID, REGION
from local_emulator.corrections.glue_jobs import forced_failure
from local_emulator.env import client_env
from local_emulator.iam import credentials, judge
from local_emulator.iam import services as iam_services
from local_emulator.iam.credentials import RoleNotAssumable
from local_emulator.iam.hook import global_context
from local_emulator.patching import target

LOG = logging.getLogger("local_emulator.glue")

# Runs a glueetl script with a local SparkSession behind awsglue's GlueContext name.
_SPARK_BOOTSTRAP = r"""
import runpy, sys, types

from pyspark.sql import SparkSession

spark = (
    SparkSession.builder.master("local[2]").appName(sys.argv[2])
    .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
    .config("spark.sql.shuffle.partitions", "2").config("spark.sql.session.timeZone", "UTC")
    .config("spark.sql.catalogImplementation", "in-memory")
    .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC -XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    .getOrCreate()
)


class GlueContext:
    # Local stand-in: the Glue jars (DynamicFrame, Glue catalog, S3 connectors) do not exist here.
    def __init__(self, spark_context, **_options):
        self._sc = spark_context
        self.spark_session = spark
        self.sparkSession = spark

    def getSparkSession(self):
        return spark

    def __getattr__(self, name):
        raise NotImplementedError(f"GlueContext.{name} is not available in the local emulator")


try:
    import awsglue.context as context_module
except ImportError:
    sys.modules["awsglue"] = types.ModuleType("awsglue")
    context_module = types.ModuleType("awsglue.context")
    sys.modules["awsglue.context"] = context_module
context_module.GlueContext = GlueContext
script = sys.argv[1]
sys.argv = [script] + sys.argv[3:]
try:
    runpy.run_path(script, run_name="__main__")
finally:
    spark.stop()
"""

# sitecustomize for runs whose botocore predates AWS_ENDPOINT_URL (Python shell 3.9 analytics set).
_ENDPOINT_SHIM = Path(__file__).resolve().parent.parent / "endpoint_shim"

_EXCEPTION_LINE = re.compile(
    r"^(?:__main__\.)?([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)\w*)(:.*)?$"
)
_MAX_ERROR = 2000


class JobExecution:
    """One run's process and outcome; read by the run's status/as_dict (glue_jobs)."""

    def __init__(self, run: Any, job: Any) -> None:
        self.run = run
        self.job = job
        self.state = "STARTING"
        self.error: Optional[str] = None
        self.started = time.monotonic()
        self.finished: Optional[float] = None
        self.log_path: Optional[Path] = None
        self._process: Optional[subprocess.Popen[str]] = None

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def finish(self, state: str, error: Optional[str] = None) -> None:
        self.error = error[:_MAX_ERROR] if error else None
        self.finished = time.monotonic()
        self.state = state

    def start(self) -> None:
        threading.Thread(
            target=self._run_safely, name=f"glue-run-{self.run.job_run_id[:12]}", daemon=True
        ).start()

    def _run_safely(self) -> None:
        try:
            self._run()
        except Exception as exc:  # the run must end in a terminal state whatever happens
            LOG.exception("glue job run %s crashed in the emulator", self.run.job_run_id)
            self.finish("FAILED", f"Emulator error: {type(exc).__name__}: {exc}")

    def _run(self) -> None:
        run_dir = Path(tempfile.mkdtemp(prefix=f"glue-{self.job.name}-"))
        try:
            self._run_in(run_dir)
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)

    def _command(
        self, kind: str, script: Path, argv: list[str], paths: list[Path], arguments: dict[str, str]
    ) -> tuple[list[str], dict[str, str]]:
        """The job's Glue interpreter running the script, with only what its environment provides."""
        python, provided = _job_runtime(self.job, arguments)
        if kind == "glueetl":
            cmd = [str(python), "-s", "-c", _SPARK_BOOTSTRAP, str(script), self.job.name, *argv]
        else:
            cmd = [str(python), "-s", str(script), *argv]
        env = _environment([*paths, provided, _ENDPOINT_SHIM])
        env.update(_interpreter_environment(python))
        return cmd, env

    def _role_session(self) -> Optional[dict[str, str]]:
        """The job's role as Glue assumes it, or None (run FAILED) when Glue may not assume it.

        On AWS the role reads the script and `--extra-py-files` ("the role ... must have access to
        the script location in Amazon S3", Glue's job IAM docs) and runs the script, so both act
        as the role here; an empty dict means the judge is off."""
        try:
            return iam_services.glue_job_session(self.job, self.run.job_run_id)
        except RoleNotAssumable as exc:
            self.finish("FAILED", f"Glue could not assume the job's role: {exc}")
            return None

    def _execute(
        self, cmd: list[str], env: dict[str, str], argv: list[str], run_dir: Path
    ) -> tuple[str, bool]:
        """Run the job's process under its timeout; (stderr, timed out). Output goes to its log."""
        self.log_path = _log_path(self.job.name, self.run.job_run_id)
        LOG.warning("glue job %s run %s: log %s", self.job.name, self.run.job_run_id, self.log_path)
        timeout = float(self.run.timeout) * 60 if self.run.timeout else None
        self.state = "RUNNING"
        with open(self.log_path, "w") as log_file:
            log_file.write(f"$ {' '.join(cmd[:2])} ... {' '.join(argv)}\n")
            log_file.flush()
            self._process = subprocess.Popen(
                cmd, cwd=run_dir, env=env, stdout=log_file, stderr=subprocess.PIPE, text=True
            )
            try:
                _, stderr = self._process.communicate(timeout=timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                self._process.kill()
                _, stderr = self._process.communicate()
                timed_out = True
            log_file.write(stderr)
        return stderr, timed_out

    def _run_in(self, run_dir: Path) -> None:
        session = self._role_session()
        if session is None:
            return
        as_role = runtime.server_client("s3", session)
        command = self.job.command or {}
        kind = command.get("Name", "glueetl")
        arguments = dict(self.run.arguments or {})
        script_location = str(command.get("ScriptLocation") or "")
        try:
            script, extra = _fetch_code(as_role, script_location, arguments, run_dir)
        except _DownloadError as exc:
            self.finish("FAILED", str(exc))
            return
        staged: dict[str, dict[str, tuple[int, int]]] = {}
        storage = run_dir / "storage"
        stager = _Stager(as_role, session)
        if kind == "glueetl":
            for bucket in _bucket_arguments(arguments):
                staged[bucket] = stager.stage(bucket, storage / bucket)
            arguments.setdefault("--storage_root", f"file://{storage}")
        argv = _script_argv(self.job.name, self.run.job_run_id, arguments)
        try:
            cmd, env = self._command(kind, script, argv, [*extra, script.parent], arguments)
        except runtimes.RuntimeUnavailable as exc:
            self.finish("FAILED", f"Local emulator: {exc}")
            return
        env.update(session)  # the script acts as the job's role
        stderr, timed_out = self._execute(cmd, env, argv, run_dir)
        output = self.log_path.read_text(errors="replace")
        _write_cloudwatch(_log_group_prefix(kind, arguments), self.run.job_run_id, output, stderr)
        if timed_out:
            minutes = self.run.timeout
            self.finish("TIMEOUT", f"Job run timed out after {minutes} minute(s) (Timeout = {minutes}).")
        elif self._process.returncode != 0:
            denial = stager.unlisted_read(stderr, storage) if kind == "glueetl" else None
            self.finish("FAILED", denial or _error_message(stderr, self._process.returncode))
        else:
            try:
                for bucket, before in staged.items():  # what Spark wrote, written as the role
                    _mirror_back(as_role, bucket, storage / bucket, before)
            except Exception as exc:
                self.finish("FAILED", f"Emulator could not copy the job's output back to S3: {exc}")
                return
            self.finish("SUCCEEDED")


class _DownloadError(Exception):
    pass


def _split_s3_uri(uri: str) -> tuple[str, str]:
    match = re.match(r"^s3://([^/]+)/(.+)$", uri)
    if not match:
        raise _DownloadError(f"{uri!r} is not an s3://bucket/key location")
    return match.group(1), match.group(2)


def _download(s3: Any, uri: str, folder: Path) -> Path:
    bucket, key = _split_s3_uri(uri)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / key.rsplit("/", 1)[-1]
    try:
        s3.download_file(bucket, key, str(path))
    except Exception as exc:
        raise _DownloadError(f"Failed to download {uri}: {exc}") from exc
    return path


def _fetch_code(
    s3: Any, script_location: str, arguments: dict[str, str], run_dir: Path
) -> tuple[Path, list[Path]]:
    """The script and the `--extra-py-files`, downloaded with `s3` (the job role's client)."""
    script = _download(s3, script_location, run_dir / "script")
    extra = [
        _download(s3, uri.strip(), run_dir / "extra")
        for uri in str(arguments.get("--extra-py-files", "")).split(",")
        if uri.strip()
    ]
    return script, extra


def _bucket_arguments(arguments: dict[str, str]) -> list[str]:
    return sorted({value for key, value in arguments.items() if key.endswith("_bucket") and value})


def _is_side_file(relative: str) -> bool:
    """Hadoop/Spark bookkeeping (`.part-0.crc`, `_SUCCESS`, `_temporary/`): never an S3 object."""
    return any(part.startswith((".", "_")) for part in relative.split("/"))


def _fingerprint(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


class _Stager:
    """Stages what the job's role may read of a bucket, as Spark's S3 reads would see it."""

    def __init__(self, s3: Any, session: dict[str, str]) -> None:
        self.s3 = s3  # the job role's client (the admin key when IAM is off)
        key = session.get("AWS_ACCESS_KEY_ID")
        self.principal = credentials.principal_for(key) if key else None

    def may_list(self, bucket: str, prefix: str, record: bool = False) -> bool:
        """Would the role's `s3:ListBucket` with this `s3:prefix` be allowed (recorded only when
        asked: the walk above the paths a script reads is the emulator's, not the job's)?"""
        if self.principal is None:
            return True
        context = {**global_context(self.principal, REGION), "s3:prefix": prefix}
        decision = judge.decide(
            self.principal,
            "s3:ListBucket",
            f"arn:aws:s3:::{bucket}",
            context,
            record=record,
            origin=f"glue job Spark read of s3://{bucket}/{prefix}",
        )
        return decision.allowed

    def _listable_prefixes(self, bucket: str, prefix: str = "") -> list[str]:
        """The highest prefixes under `prefix` the role may list (the bucket's folders, walked
        down from the root with the emulator's own view of the bucket)."""
        if self.may_list(bucket, prefix):
            return [prefix]
        found: list[str] = []
        for child in _folders(bucket, prefix):
            found += self._listable_prefixes(bucket, child)
        return found

    def stage(self, bucket: str, folder: Path) -> dict[str, tuple[int, int]]:
        """Copy what the role may list and read to folder/<key>; return key -> (size, mtime_ns)."""
        folder.mkdir(parents=True, exist_ok=True)
        staged: dict[str, tuple[int, int]] = {}
        for prefix in self._listable_prefixes(bucket):
            pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    if not item["Key"].endswith("/") and self._fetch(bucket, item, folder / item["Key"]):
                        staged[item["Key"]] = _fingerprint(folder / item["Key"])
        return staged

    def _fetch(self, bucket: str, item: dict[str, Any], path: Path) -> bool:
        """Download one listed object as the role; False when it may not (the judge recorded it)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.s3.download_file(bucket, item["Key"], str(path))
        except ClientError as exc:
            path.unlink(missing_ok=True)
            LOG.warning("glue staging: s3://%s/%s not readable by the job role: %s", bucket, item["Key"], exc)
            return False
        modified = item["LastModified"].timestamp()
        os.utime(path, (modified, modified))
        return True

    def unlisted_read(self, stderr: str, storage: Path) -> Optional[str]:
        """A failed read of a staged path the role may not list: judged and recorded as the
        `s3:ListBucket` Spark makes on AWS, and the run's error is AWS's AccessDenied."""
        for match in _PATH_NOT_FOUND.finditer(stderr):
            path = match.group(1).removeprefix("file:").lstrip("/")
            root = str(storage).lstrip("/")
            if not path.startswith(root + "/"):
                continue
            bucket, _, key = path[len(root) + 1 :].partition("/")
            prefix = key.rstrip("/") + "/" if key else ""
            if not self.may_list(bucket, prefix, record=True) and credentials.mode() == "enforce":
                return (
                    f"java.nio.file.AccessDeniedException: s3://{bucket}/{prefix}: listing as the job role: "
                    "AccessDenied: not authorized to perform s3:ListBucket "
                    f"on arn:aws:s3:::{bucket} (s3:prefix {prefix!r})"
                )
        return None


# Spark's AnalysisException for a path with nothing at it (PATH_NOT_FOUND).
_PATH_NOT_FOUND = re.compile(r"Path does not exist: (file:\S+?)\.?(?:\s|$)")


def _folders(bucket: str, prefix: str) -> list[str]:
    """The bucket's "folders" one level under `prefix`, from the emulator's own state (structure
    only: no object is read this way)."""
    from moto.s3.models import s3_backends  # noqa: PLC0415 - moto loads lazily

    found = s3_backends[ACCOUNT_ID]["aws"].buckets.get(bucket)
    folders: set[str] = set()
    for key in list(found.keys.keys()) if found is not None else []:
        if key.startswith(prefix) and "/" in key[len(prefix) :]:
            folders.add(prefix + key[len(prefix) :].split("/", 1)[0] + "/")
    return sorted(folders)


def _mirror_back(s3: Any, bucket: str, folder: Path, before: dict[str, tuple[int, int]]) -> None:
    after = {
        path.relative_to(folder).as_posix(): path
        for path in folder.rglob("*")
        if path.is_file() and not _is_side_file(path.relative_to(folder).as_posix())
    }
    for key, path in sorted(after.items()):
        if before.get(key) != _fingerprint(path):
            s3.upload_file(str(path), bucket, key)
    for key in sorted(set(before) - set(after)):
        if not (folder / key).exists():
            s3.delete_object(Bucket=bucket, Key=key)


def _script_argv(job_name: str, run_id: str, arguments: dict[str, str]) -> list[str]:
    """Glue passes `--key value` pairs; keys without `--` (e.g. `library-set`) configure Glue itself."""
    merged = {"--JOB_ID": f"j_{run_id[3:]}", "--JOB_RUN_ID": run_id, "--JOB_NAME": job_name}
    merged.update({key: value for key, value in arguments.items() if key.startswith("--")})
    argv: list[str] = []
    for key, value in merged.items():
        argv += [key, str(value)]
    return argv


def _job_runtime(job: Any, arguments: dict[str, str]) -> tuple[Path, Path]:
    """The job's Glue interpreter and the folder of modules its environment provides."""
    command = job.command or {}
    package_set = runtimes.glue_package_set(
        str(command.get("Name", "glueetl")),
        str(job.glue_version or ""),
        str(command.get("PythonVersion") or ""),
        str(arguments.get("library-set", "")),
    )
    additional = tuple(
        module.strip()
        for module in str(arguments.get("--additional-python-modules", "")).split(",")
        if module.strip()
    )
    return runtimes.interpreter(package_set.python), runtimes.install(package_set, extra=additional)


def _interpreter_environment(python: Path) -> dict[str, str]:
    return {"PYSPARK_PYTHON": str(python), "PYSPARK_DRIVER_PYTHON": str(python), "PYTHONNOUSERSITE": "1"}


def _environment(python_path: list[Path]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "PYTHON", "MOTO_"))}
    env.update(client_env(runtime.server_info["port"], ca_bundle=runtime.server_info["ca_bundle"]))
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(str(p) for p in python_path),
            "PYTHONUNBUFFERED": "1",
            "PYSPARK_PYTHON": sys.executable,
            "PYSPARK_DRIVER_PYTHON": sys.executable,
        }
    )
    return env


def _state_dir() -> Path:
    configured = runtime.server_info.get("state_dir")
    if configured:
        return Path(configured)
    return Path(str(runtime.server_info["ca_bundle"])).parent


def _log_path(job_name: str, run_id: str) -> Path:
    folder = _state_dir() / "glue-job-runs" / job_name
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{run_id}.log"


def _error_message(stderr: str, returncode: int) -> str:
    """The last exception line of the traceback, as Glue shows it (e.g. `ValueError: ...`)."""
    for line in reversed(stderr.splitlines()):
        match = _EXCEPTION_LINE.match(line.strip())
        if match:
            return match.group(1) + (match.group(2) or "")
    return f"Command failed with exit code {returncode}"


def _log_group_prefix(kind: str, arguments: dict[str, str]) -> str:
    """Glue 5.0 Spark jobs log to `<--custom-logGroup-prefix>/output|error` when it is set
    (https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging.html)."""
    if kind == "pythonshell":
        return "/aws-glue/python-jobs"
    return str(arguments.get("--custom-logGroup-prefix") or "/aws-glue/jobs").rstrip("/")


def _write_cloudwatch(prefix: str, run_id: str, output: str, stderr: str) -> None:
    try:
        from moto.logs.models import logs_backends  # noqa: PLC0415 - moto loaded lazily like the server

        backend = logs_backends["123456789012"][REGION]
        now = int(time.time() * 1000)
        for group, text in ((f"{prefix}/output", output), (f"{prefix}/error", stderr)):
            backend.ensure_log_group(group)
            if run_id not in backend.groups[group].streams:
                backend.create_log_stream(group, run_id)
            events = [{"timestamp": now, "message": line} for line in text.splitlines()[-5000:] if line]
            if events:
                backend.put_log_events(group, run_id, events)
    except Exception:  # logging must never change the run's outcome
        LOG.debug("could not write CloudWatch logs for %s", run_id, exc_info=True)


def apply() -> None:
    models = "moto.glue.models"
    owner, attr, start_job_run = target(models, "FakeJob.start_job_run")

    def start_and_execute(self: Any, *args: Any, **kwargs: Any) -> str:
        run_id = start_job_run(self, *args, **kwargs)
        run = next(r for r in self.job_runs if r.job_run_id == run_id)
        if runtime.settings.get("glue_job_run", "execute") and not forced_failure(self.name, run.arguments):
            execution = JobExecution(run, self)
            run._emu_execution = execution
            execution.start()
        return run_id

    setattr(owner, attr, start_and_execute)
