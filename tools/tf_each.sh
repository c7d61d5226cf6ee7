#!/usr/bin/env bash
# tools/tf_each.sh validate|test DIR...  — init (offline mirror, no backend) and run `terraform
# validate` or `terraform test` in each directory, TF_JOBS (default 2) at a time. Each directory's
# output is printed whole when it finishes; the exit code is non-zero if any directory failed.
set -euo pipefail
action=$1; shift
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
logs="$(mktemp -d)"
trap 'rm -rf "${logs}"' EXIT

run_one() {
  local dir=$1 log
  log="${logs}/$(echo "${dir}" | tr '/' '_').log"
  {
    echo "== terraform ${action} ${dir}"
    "${repo_root}/tools/terraform.sh" -chdir="${dir}" init -backend=false -input=false -no-color >/dev/null
    "${repo_root}/tools/terraform.sh" -chdir="${dir}" "${action}" -no-color
  } >"${log}" 2>&1 && status=ok || status=FAILED
  cat "${log}"
  echo "== ${status}: ${dir}"
  [[ ${status} == ok ]]
}
export -f run_one
export action repo_root logs

printf '%s\n' "$@" | xargs -P "${TF_JOBS:-2}" -I{} bash -c 'run_one "$@"' _ {}
