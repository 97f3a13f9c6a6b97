# Sourced by sanitize.sh, tsan.sh and fuzz.sh: configures an instrumented build.
# configure_sanitized DIR "COMPILE FLAGS" "LINK FLAGS" [more cmake arguments...]
# The link flags go to executables, shared libraries and modules alike, so that
# the SentencePiece bridge module is instrumented like everything it is loaded into.
configure_sanitized() {
  local dir="$1" compile="$2" link="$3"
  shift 3
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$compile" \
    -DCMAKE_EXE_LINKER_FLAGS="$link" -DCMAKE_SHARED_LINKER_FLAGS="$link" -DCMAKE_MODULE_LINKER_FLAGS="$link" "$@"
}
