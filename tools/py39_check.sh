#!/usr/bin/env bash
# Prove the silver job's code runs on Python 3.9 (Glue Python shell): build Python 3.9 venvs with
# library versions that exist for 3.9 and run the silver unit tests (and the shared helpers they
# use) in each.
#
#   tools/py39_check.sh                      # both profiles; builds the venvs on first use
#   PY39_PROFILES=pinned tools/py39_check.sh # one profile
#   PYTHON39=/path/to/python3.9 tools/py39_check.sh [extra pytest args]
#
# Profiles (versions checked with `pip download --only-binary=:all:` for cp39):
#   pinned     .venv39           the newest releases with 3.9 wheels: pandas 2.2.3, pyarrow 18.1.0,
#                                numpy 2.0.2, awswrangler 3.14.0 (for --additional-python-modules)
#   analytics  .venv39-analytics the generation of Python shell's preinstalled "analytics" library
#                                set: pandas 1.4.2, awswrangler 2.15.1 (-> pyarrow 7.0.0)
# Both use boto3/botocore 1.42.97 and moto 5.1.22: the main venv's boto3 1.44 / moto 5.2 need 3.10+.
set -euo pipefail

cd "$(dirname "$0")/.."
PROFILES=${PY39_PROFILES:-pinned analytics}
COMMON=(
  "boto3==1.42.97"
  "botocore==1.42.97"
  "moto[s3,sns,sqs,glue]==5.1.22"
  "pytest==8.3.5"
  "pytest-timeout==2.4.0"
)
PINNED=("pandas==2.2.3" "pyarrow==18.1.0" "numpy==2.0.2" "awswrangler==3.14.0" "${COMMON[@]}")
ANALYTICS=("pandas==1.4.2" "pyarrow==7.0.0" "numpy==1.26.4" "awswrangler==2.15.1" "${COMMON[@]}")

find_python39() {
  if [[ -n "${PYTHON39:-}" ]]; then echo "$PYTHON39"; return; fi
  if python3.9 -c 'import sys; assert sys.version_info[:2] == (3, 9)' 2>/dev/null; then
    echo python3.9; return
  fi
  # pyenv installs a 3.9 without selecting it; use it directly.
  local root candidate
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for candidate in "$root"/versions/3.9*/bin/python3.9; do
    if [[ -x "$candidate" ]]; then echo "$candidate"; return; fi
  done
  echo "python3.9 not found: install it or set PYTHON39" >&2
  exit 2
}

ensure_venv() {  # ensure_venv DIR PIN...  (rebuilt only when the pins change)
  local venv=$1; shift
  local wanted stamp
  wanted=$(printf '%s\n' "$@")
  stamp="$venv/.pins"
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then return; fi
  local python39
  python39=$(find_python39)
  echo "== creating $venv with $($python39 --version)"
  rm -rf "$venv"
  "$python39" -m venv "$venv"
  "$venv/bin/pip" install -qq --disable-pip-version-check --only-binary=:all: "$@"
  echo "$wanted" > "$stamp"
}

run_checks() {  # run_checks DIR [pytest args]
  local venv=$1; shift
  "$venv/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 9), sys.version'
  echo "== $venv: $("$venv/bin/python" -c 'import sys, pandas, pyarrow, awswrangler as wr; print(
    "Python", sys.version.split()[0], "pandas", pandas.__version__, "pyarrow", pyarrow.__version__,
    "awswrangler", wr.__version__)')"
  "$venv/bin/python" -m compileall -q -f glue_jobs/silver.py src/lakehouse_common >/dev/null
  # The fixture plugin is named explicitly: the unit suite's conftest also imports fixtures (Lambda,
  # emulator) that are not part of this check.
  PYTHONPATH="src:glue_jobs:tests/unit:tests/support${PYTHONPATH:+:$PYTHONPATH}" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider --noconftest -p fixtures_glue -m "not spark" \
    -W "ignore:Boto3 will no longer support Python 3.9" \
    tests/unit/test_silver_wordpress_api.py tests/unit/test_silver_merge.py tests/unit/test_s3_cleanup.py \
    tests/unit/test_silver_transform.py \
    tests/unit/test_cdc.py tests/unit/test_contract.py \
    tests/unit/test_glue_testing.py "$@"
  # The shared raw and bronze engines (paginations, landing formats, every contract kind, the
  # duplicate rule) with moto and local HTTP servers.
  PYTHONPATH="src:tests/unit:tests/support:tools${PYTHONPATH:+:$PYTHONPATH}" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider --noconftest -p fixtures_lambda \
    -W "ignore:Boto3 will no longer support Python 3.9" tests/unit/test_bronze_kinds.py tests/unit/test_raw_engine.py "$@"
}

for profile in $PROFILES; do
  case $profile in
    pinned) venv=${VENV39:-.venv39}; ensure_venv "$venv" "${PINNED[@]}" ;;
    analytics) venv=${VENV39_ANALYTICS:-.venv39-analytics}; ensure_venv "$venv" "${ANALYTICS[@]}" ;;
    *) echo "unknown profile $profile (pinned | analytics)" >&2; exit 2 ;;
  esac
  run_checks "$venv" "$@"
done
