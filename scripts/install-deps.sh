#!/usr/bin/env bash
# Installs every Debian 12 package the build and the tests need. Idempotent.
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopenblas0-openmp nlohmann-json3-dev libpcre2-dev libsentencepiece-dev sentencepiece
  libsndfile1-dev libsoxr-dev libpulse-dev libssl-dev libcurl4-openssl-dev libgtest-dev libgmock-dev libbenchmark-dev
  desktop-file-utils appstream dpkg-dev
  qt6-base-dev qt6-multimedia-dev qt6-tools-dev qt6-l10n-tools libqt6sql6-sqlite libqcustomplot-dev
  xvfb xauth pulseaudio pulseaudio-utils imagemagick sox espeak-ng clang libclang-rt-14-dev
  libboost-dev nginx-light curl python3 python3-venv
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
