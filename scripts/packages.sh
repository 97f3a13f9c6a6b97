# The one list of Debian/Ubuntu packages, sourced by install-deps.sh (everything: a
# developer's machine and CI) and setup-gpu-box.sh (a headless GPU box: the engine's
# build only). Edit here, nowhere else.
# shellcheck disable=SC2034
engine_packages=(
  build-essential cmake ninja-build ccache pkg-config git
  nlohmann-json3-dev libpcre2-dev libsentencepiece-dev sentencepiece
  libsndfile1-dev libsoxr-dev libpulse-dev libssl-dev libcurl4-openssl-dev libboost-dev
  libgtest-dev libgmock-dev sox curl
)
# LibTorch 1.13 (CPU) for machines without PyTorch; a GPU box builds against PyTorch's own.
debian_torch_packages=(libtorch-dev libopenblas0-openmp)
studio_packages=(qt6-base-dev qt6-multimedia-dev qt6-tools-dev qt6-l10n-tools libqt6sql6-sqlite libqcustomplot-dev libfftw3-dev)
test_packages=(
  libbenchmark-dev xvfb xauth pulseaudio pulseaudio-utils imagemagick espeak-ng clang libclang-rt-14-dev
  nginx-light python3 python3-venv desktop-file-utils appstream dpkg-dev
)

# missing_packages NAME... : the ones not installed yet.
missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
