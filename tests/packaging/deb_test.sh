#!/usr/bin/env bash
# Builds the Debian packages with CPack, unpacks them into a private root (no
# container, nothing installed system-wide) and runs the installed programs.
set -euo pipefail
build="$1"; source="$2"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
shopt -s nullglob
debs=("$work"/out/*.deb)
((${#debs[@]} >= 1)) || { echo "no .deb was made"; cat "$work/cpack.log"; exit 1; }
for deb in "${debs[@]}"; do
  echo "== $(basename "$deb")"
  dpkg-deb -I "$deb" | grep -E "Package|Depends|Version"
  dpkg-deb -x "$deb" "$work/root"
done
tools=$(ls "$work"/out/csm-tools_*.deb)
dpkg-deb -f "$tools" Depends | grep -q libtorch1.13 || { echo "csm-tools does not depend on libtorch"; exit 1; }
dpkg-deb -f "$tools" Depends | grep -q libsentencepiece0 || { echo "csm-tools lacks libsentencepiece0 (loaded at run time)"; exit 1; }
root="$work/root"
test -x "$root/usr/bin/csm-stream" && test -f "$root/usr/lib/csm-studio/libcsm_spm_bridge.so"
"$root/usr/bin/csm-stream" --help | grep -q -- "--chunk-size-ms"
"$root/usr/bin/csm-stream" --text "Installed and running." --max-audio-ms 400 --out "$work/demo.wav" 2>"$work/run.log"
grep -q "noise, not speech" "$work/run.log"
frames=$(soxi -s "$work/demo.wav")
[[ "$frames" == 9600 ]] || { echo "demo.wav has $frames samples, expected 9600"; exit 1; }
if [[ -f "$root/usr/share/applications/csm-studio.desktop" ]]; then
  test -x "$root/usr/bin/csm-studio"
  test -f "$root/usr/share/icons/hicolor/256x256/apps/csm-studio.png"
  if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$root/usr/share/applications/csm-studio.desktop"; fi
  if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net --pedantic "$root/usr/share/metainfo/io.github.csm_studio.metainfo.xml" || \
      appstreamcli validate --no-net "$root/usr/share/metainfo/io.github.csm_studio.metainfo.xml"
  fi
fi
echo "1 passed, 0 failed"
