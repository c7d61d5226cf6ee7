#!/usr/bin/env bash
# Runs terraform with a CLI config that uses the offline provider mirror when one exists and the
# public registry otherwise. Every Make verb and every test calls terraform through this script.
#   TF_PROVIDER_MIRROR=<dir containing registry.terraform.io/>  overrides the search.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_dir="${repo_root}/.cache"
mkdir -p "${cache_dir}"

find_mirror() {
  if [[ -n "${TF_PROVIDER_MIRROR:-}" ]]; then
    echo "${TF_PROVIDER_MIRROR}"
    return
  fi
  local candidate
  for candidate in /opt/tf-plugins "${HOME}/.terraform.d/plugins" /usr/share/terraform/plugins \
    /usr/local/share/terraform/plugins; do
    if [[ -d "${candidate}/registry.terraform.io/hashicorp/aws" ]]; then
      echo "${candidate}"
      return
    fi
  done
  # Last resort: a bounded search of the usual install roots.
  candidate="$(find /opt /usr/local /usr/share "${HOME}" -maxdepth 6 -type d -path '*registry.terraform.io/hashicorp/aws' 2>/dev/null | head -n1 || true)"
  if [[ -n "${candidate}" ]]; then
    echo "${candidate%/registry.terraform.io/hashicorp/aws}"
  fi
}

mirror="$(find_mirror)"
config="${cache_dir}/terraform.rc"
# Written under a per-process name, then renamed: parallel runs (tools/tf_each.sh) must not race.
tmp_config="${config}.$$.tmp"
if [[ -n "${mirror}" ]]; then
  cat >"${tmp_config}" <<RC
provider_installation {
  filesystem_mirror {
    path    = "${mirror}"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
RC
else
  # No mirror: a normal machine with internet access uses the registry.
  echo 'provider_installation { direct {} }' >"${tmp_config}"
fi
mv -f "${tmp_config}" "${config}"
export TF_CLI_CONFIG_FILE="${config}"
export TF_IN_AUTOMATION="${TF_IN_AUTOMATION:-1}"
exec terraform "$@"
