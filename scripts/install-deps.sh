#!/usr/bin/env bash
# Installs every Debian 12 package the build and the tests need (scripts/packages.sh
# has the list). Idempotent.
set -euo pipefail
# shellcheck source=packages.sh
source "$(dirname "$0")/packages.sh"
packages=("${engine_packages[@]}" "${debian_torch_packages[@]}" "${studio_packages[@]}" "${test_packages[@]}")
mapfile -t missing < <(missing_packages "${packages[@]}")
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
