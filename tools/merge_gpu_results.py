#!/usr/bin/env python3
"""Merges the outputs of scripts/gpu-check.sh into one JSON (bench/results/<gpu>-<date>.json).

gpu-check.sh runs this after every step (and before each, with --running), so the JSON on disk always holds what
was measured so far; a run cut at any point leaves a valid file that names the steps done and those not reached.
Inputs (each optional: a missing, empty, partial or unreadable file gives nulls, never a failure):
  --ours-b1 F     csm-bench --model M --device cuda --dtype bfloat16 --frames N --json   (one stream)
  --ours-sweep F  csm-bench --benchmark ... --json-out F  (stream batches; repeat it: one file per batch)
  --hf F          tools/hf_csm_bench.py --mode eager|compile|both --json F  (repeat it: modes are combined,
                  the first file that has a mode gives it)
  --probe F       tools/torch_graph_frame_probe.py --json F
  --versions F    gpu-check's python3 report: torch, CUDA, cuDNN, GPU name, driver, transformers
  --info F        csm-bench --info --json (libtorch; sdpa_backend when csm-bench reports one)
  --steps F       tab-separated lines written by gpu-check.sh: name, exit status, seconds, note[, limit s, status]
  --plan F        tab-separated lines: name, cap s, min s, group (every step gpu-check means to run, in order)
  --running NAME  the step under way; --complete: the run has ended; --deadline S, --elapsed S: its clock
Output fields:
  gpu, model, dtype, batch, frames, date, torch
  versions: {torch, cuda, cudnn, gpu, driver, python, transformers, libtorch[, sdpa_backend]}; sdpa_backend is
      repeated at the top, both only when csm-bench --info reports it
  ours, hf_eager, hf_compile: {ms_per_frame, rtf, first_audio_ms, peak_mem_gib, ...}; ours also carries
      realtime_streams, host_syncs_per_frame, frame_is_static, aten_ops_per_frame, cuda_graphs (null until
      csm-bench prints them), backbone/depth-decoder split, and the source of each number
  torch_graph_probe: {ms_per_frame (one CUDA graph per frame, at `batch`), eager_ms_per_frame, rtf,
      realtime_streams (the best over its batches), peak_mem_gib}
  realtime_streams, host_syncs_per_frame: ours, repeated at the top for a quick look
  batch_sweep: {ours: [...], torch_graph_probe: [...]}, one row per batch
  steps: every planned step in order: status (ok, failed, timeout, out of memory, interrupted, skipped, running,
      not reached), exit status, seconds, limit_s (the time it was given), cap_s (its budget), note
  progress: {complete, deadline_s, elapsed_s, running, done (ran to their end: ok, failed, timeout, out of memory),
      failed (failed, timeout), interrupted, skipped, not_reached (running or not started)}
Notes: HF's first_audio_ms is generate(max_new_tokens=1) (prefill + one frame, no Mimi decode); ours is the
streaming session's first chunk of audio. peak_mem_gib: the allocator's peak (HF: max_memory_allocated).

  python3 tools/merge_gpu_results.py --out X.json [--gpu NAME] [--model M] [--dtype D] [--batch B] [--frames N]
      [--ours-b1 F] [--ours-sweep F]... [--hf F]... [--probe F] [--versions F] [--info F] [--steps F] [--plan F]
      [--running NAME] [--complete] [--deadline S] [--elapsed S]
  python3 tools/merge_gpu_results.py --check X.json      # exit 1 unless X.json has every field
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import sys
from pathlib import Path

METRICS = ("ms_per_frame", "rtf", "first_audio_ms", "peak_mem_gib")
OURS_EXTRA = ("realtime_streams", "host_syncs_per_frame", "frame_is_static", "aten_ops_per_frame", "cuda_graphs")
TOP = ("gpu", "model", "dtype", "batch", "frames", "ours", "hf_eager", "hf_compile", "torch_graph_probe",
       "realtime_streams", "host_syncs_per_frame", "versions", "steps", "progress")
FRAME_MS = 80.0
VERSION_KEYS = ("torch", "cuda", "cudnn", "gpu", "driver", "python", "transformers")


def load(path: str | None):
    """The JSON in path, or None. Tolerates a missing file and a file cut short."""
    if not path:
        return None
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    # csm-bench may print a log line before the JSON: take the first '{' on.
    start = text.find("{")
    if start > 0:
        try:
            return json.loads(text[start:])
        except ValueError:
            return None
    return None


def num(x):
    """A finite number, else None."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return x if math.isfinite(x) else None


def rnd(x, digits=3):
    x = num(x)
    return None if x is None else round(x, digits)


def get(d, *keys):
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def ours_section(b1, sweeps, batch):
    out = {k: None for k in METRICS + OURS_EXTRA}
    out.update(backbone_ms_per_frame=None, depth_decoder_ms_per_frame=None, times_the_floor=None, source={})
    if isinstance(b1, dict):
        out["ms_per_frame"] = rnd(b1.get("ms_per_frame"))
        out["rtf"] = rnd(b1.get("rtf"), 4)
        out["backbone_ms_per_frame"] = rnd(b1.get("backbone_ms_per_frame"))
        out["depth_decoder_ms_per_frame"] = rnd(b1.get("depth_decoder_ms_per_frame"))
        out["times_the_floor"] = rnd(b1.get("times_the_floor"))
        for k in ("host_syncs_per_frame", "frame_is_static", "aten_ops_per_frame", "cuda_graphs"):
            if b1.get(k) is not None:
                out[k] = b1[k]
        out["source"]["ms_per_frame"] = "csm-bench --model (one stream)"
        for src, dst in (("peak_mem_gib", "peak_mem_gib"), ("peak_device_gib", "peak_mem_gib"),
                         ("first_audio_ms", "first_audio_ms")):
            if out[dst] is None and num(b1.get(src)) is not None:
                out[dst] = rnd(b1[src])
    sweeps = [sw for sw in sweeps if isinstance(sw, dict)]
    rows = []
    for r in (r for sw in sweeps for r in (sw.get("runs") or [])):
        if not isinstance(r, dict):
            continue
        rtf = num(r.get("rtf"))
        rows.append({"batch": r.get("stream_batch"), "cuda_graphs": r.get("cuda_graphs"),
                     "chunk_size_ms": r.get("chunk_size_ms"), "frame_batch_size": r.get("frame_batch_size"),
                     "rtf": rnd(rtf, 4), "ms_per_frame": rnd(None if rtf is None else rtf * FRAME_MS),
                     "first_audio_ms": rnd(r.get("first_audio_ms"), 1),
                     "realtime_streams": rnd(r.get("realtime_streams"), 2),
                     "peak_mem_gib": rnd(r.get("peak_device_gib")), "peak_rss_gib": rnd(r.get("peak_rss_gib")),
                     "host_syncs_per_frame": r.get("host_syncs_per_frame")})
    oom = [{"batch": r.get("stream_batch"), "cuda_graphs": r.get("cuda_graphs")}
           for sw in sweeps for r in (sw.get("out_of_memory") or []) if isinstance(r, dict)]
    # The row at `batch`, graphs on where measured, for the single-stream numbers.
    at_batch = [r for r in rows if r["batch"] == batch]
    at_batch.sort(key=lambda r: (r["cuda_graphs"] is not True, r["rtf"] if r["rtf"] is not None else 1e30))
    if at_batch:
        best = at_batch[0]
        out["first_audio_ms"] = best["first_audio_ms"] if out["first_audio_ms"] is None else out["first_audio_ms"]
        out["peak_mem_gib"] = best["peak_mem_gib"] if out["peak_mem_gib"] is None else out["peak_mem_gib"]
        out["source"]["first_audio_ms"] = f"csm-bench --benchmark, {batch} stream(s)"
        if out["ms_per_frame"] is None:
            out["ms_per_frame"], out["rtf"] = best["ms_per_frame"], best["rtf"]
            out["source"]["ms_per_frame"] = f"csm-bench --benchmark, {batch} stream(s) (RTF x 80 ms)"
        if out["cuda_graphs"] is None:
            out["cuda_graphs"] = best["cuda_graphs"]
        if out["host_syncs_per_frame"] is None:
            out["host_syncs_per_frame"] = best["host_syncs_per_frame"]
    streams = [r["realtime_streams"] for r in rows if r["realtime_streams"] is not None]
    out["realtime_streams"] = max(streams) if streams else None
    return out, rows, oom


def hf_section(mode_result, frames):
    out = {k: None for k in METRICS}
    out["status"] = get(mode_result, "status")
    out["frames"] = frames  # per timed generate() call
    steady = get(mode_result, "steady")
    if isinstance(steady, dict):
        out["ms_per_frame"] = rnd(steady.get("ms_per_frame_mean"))
        out["rtf"] = rnd(steady.get("rtf_mean"), 4)
        out["peak_mem_gib"] = rnd(steady.get("peak_gpu_mem_gib"))
        out["frames_each"] = steady.get("frames_each")
    elif isinstance(get(mode_result, "runs"), list) and mode_result["runs"]:  # cut short: the runs done
        runs = [r for r in mode_result["runs"] if isinstance(r, dict) and num(r.get("wall_s")) and r.get("frames")]
        if runs:
            frames, wall = sum(r["frames"] for r in runs), sum(r["wall_s"] for r in runs)
            out["ms_per_frame"] = rnd(wall * 1000 / frames)
            out["rtf"] = rnd(wall / (frames * FRAME_MS / 1000), 4)
            out["partial"] = True
    out["first_audio_ms"] = rnd(None if num(get(mode_result, "first_frame_latency_s", "mean")) is None
                                else mode_result["first_frame_latency_s"]["mean"] * 1000, 1)
    if out["status"] is None:
        out["status"] = "not run"
    return out


def probe_section(probe, batch):
    out = {"ms_per_frame": None, "eager_ms_per_frame": None, "rtf": None, "realtime_streams": None,
           "peak_mem_gib": None, "batch": batch, "device": get(probe, "device")}
    rows = []
    for r in get(probe, "runs") or []:
        if not isinstance(r, dict):
            continue
        rows.append({"batch": r.get("batch"), "graph_ms_per_frame": rnd(r.get("graph_ms_per_frame")),
                     "eager_ms_per_frame": rnd(r.get("eager_ms_per_frame")),
                     "realtime_streams": rnd(r.get("graph_realtime_streams"), 2),
                     "peak_mem_gib": rnd(r.get("peak_mem_gib"))})
    for r in rows:
        if r["batch"] == batch:
            out["ms_per_frame"] = r["graph_ms_per_frame"]
            out["eager_ms_per_frame"] = r["eager_ms_per_frame"]
            out["peak_mem_gib"] = r["peak_mem_gib"]
            ms = r["graph_ms_per_frame"] if r["graph_ms_per_frame"] is not None else None
            out["rtf"] = rnd(None if ms is None else ms / FRAME_MS, 4)
    streams = [r["realtime_streams"] for r in rows if r["realtime_streams"] is not None]
    out["realtime_streams"] = max(streams) if streams else None
    return out, rows


def read_lines(path):
    try:
        return Path(path).read_text(encoding="utf-8").splitlines() if path else []
    except OSError:
        return []


def read_steps(path, plan_path=None, running=None):
    """The steps recorded in `path`, in the order of the plan; planned steps without a record are "running" (the
    one under way) or "not reached"."""
    plan = {}
    for line in read_lines(plan_path):
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0]:
            plan[parts[0]] = {"cap_s": int(parts[1]) if parts[1].isdigit() else None,
                              "min_s": int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None}
    done = {}
    for line in read_lines(path):
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        try:
            rc = int(parts[1])
        except ValueError:
            rc = None
        try:
            seconds = rnd(float(parts[2]) if parts[2] else None, 1)
        except ValueError:
            seconds = None
        status = parts[5] if len(parts) > 5 and parts[5] else (
            "ok" if rc == 0 else ("timeout" if rc in (124, 137) else ("skipped" if rc is None else "failed")))
        done[parts[0]] = {"status": status, "exit_status": rc, "seconds": seconds,
                          "limit_s": int(parts[4]) if len(parts) > 4 and parts[4].lstrip("-").isdigit() else None,
                          "note": parts[3] if len(parts) > 3 and parts[3] else None}
    steps = {}
    for name, budget in plan.items():
        if name in done:
            steps[name] = done[name]
        else:
            steps[name] = {"status": "running" if name == running else "not reached", "exit_status": None,
                           "seconds": None, "limit_s": None, "note": None}
        steps[name]["cap_s"] = budget["cap_s"]
    for name, rec in done.items():  # recorded but not planned (an older gpu-check, a hand-made steps file)
        steps.setdefault(name, rec)
    return steps


def progress_section(a, steps):
    by = lambda *states: [k for k, v in steps.items() if v["status"] in states]
    return {"complete": bool(a.complete), "deadline_s": a.deadline, "elapsed_s": a.elapsed,
            "running": None if a.complete else a.running,
            "done": by("ok", "failed", "timeout", "out of memory"), "failed": by("failed", "timeout"),
            "interrupted": by("interrupted"), "skipped": by("skipped"), "not_reached": by("running", "not reached")}


def versions_section(versions, info, hf, probe):
    out = {k: get(versions, k) for k in VERSION_KEYS}
    if out["torch"] is None:
        out["torch"] = get(hf, "modes", "eager", "versions", "torch") or get(probe, "torch")
    if out["transformers"] is None:
        out["transformers"] = get(hf, "modes", "eager", "versions", "transformers")
    out["libtorch"] = get(info, "libtorch")
    if isinstance(info, dict) and "sdpa_backend" in info:  # csm-bench reports it from some version on
        out["sdpa_backend"] = info["sdpa_backend"]
    return out


def combine_hf(docs):
    """One hf_csm_bench document from several (one per mode): the first that has a mode gives it."""
    docs = [d for d in docs if isinstance(d, dict)]
    out = {"settings": next((d["settings"] for d in docs if isinstance(d.get("settings"), dict)), None), "modes": {}}
    for d in docs:
        for mode, r in (d.get("modes") or {}).items():
            out["modes"].setdefault(mode, r)
        if out.get("mimi_decode") is None and isinstance(d.get("mimi_decode"), dict):
            out["mimi_decode"] = d["mimi_decode"]
    return out if docs else None


def merge(a) -> dict:
    b1, probe = load(a.ours_b1), load(a.probe)
    sweeps = [load(f) for f in a.ours_sweep or []]
    sweep = next((sw for sw in sweeps if isinstance(sw, dict)), None)
    hf = combine_hf([load(f) for f in a.hf or []])
    versions = versions_section(load(a.versions), load(a.info), hf, probe)
    ours, ours_rows, ours_oom = ours_section(b1, sweeps, a.batch)
    probe_out, probe_rows = probe_section(probe, a.batch)
    gpu = (a.gpu or versions["gpu"] or get(hf, "modes", "eager", "gpu_name")
           or get(hf, "modes", "compile", "gpu_name"))
    if not gpu and isinstance(probe, dict) and probe.get("device") not in (None, "cpu"):
        gpu = probe["device"]
    steps = read_steps(a.steps, a.plan, a.running)
    for name, st in steps.items():  # gpu-check runs one csm-bench per batch: a batch that did not fit at all
        batch = name[len("sweep:b"):] if name.startswith("sweep:b") else ""
        if st["status"] == "out of memory" and batch.isdigit() and not any(r["batch"] == int(batch) for r in ours_oom):
            ours_oom.append({"batch": int(batch), "cuda_graphs": None, "note": st["note"]})
    doc = {
        "gpu": gpu or None,
        "model": a.model or get(b1, "model") or get(sweep, "model"),
        "dtype": a.dtype or get(b1, "dtype") or get(sweep, "dtype"),
        "batch": a.batch,
        "frames": a.frames,
        "date": a.date or _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "torch": versions["torch"],
        "versions": versions,
        "ours": ours,
        "hf_eager": hf_section(get(hf, "modes", "eager"), get(hf, "settings", "frames")),
        "hf_compile": hf_section(get(hf, "modes", "compile"), get(hf, "settings", "frames")),
        "torch_graph_probe": probe_out,
        "realtime_streams": ours["realtime_streams"],
        "host_syncs_per_frame": ours["host_syncs_per_frame"],
        "batch_sweep": {"ours": ours_rows, "ours_out_of_memory": ours_oom, "torch_graph_probe": probe_rows},
        "hf_mimi_decode_ms": rnd(get(hf, "mimi_decode", "ms_mean")),
        "steps": steps,
        "progress": progress_section(a, steps),
    }
    if "sdpa_backend" in versions:
        doc["sdpa_backend"] = versions["sdpa_backend"]
    return doc


def check(path) -> int:
    doc = load(path)
    if not isinstance(doc, dict):
        print(f"merge_gpu_results: {path} is not a JSON object", file=sys.stderr)
        return 1
    missing = [k for k in TOP if k not in doc]
    for sec in ("ours", "hf_eager", "hf_compile"):
        missing += [f"{sec}.{k}" for k in METRICS if not isinstance(doc.get(sec), dict) or k not in doc[sec]]
    missing += [f"torch_graph_probe.{k}" for k in ("ms_per_frame", "realtime_streams")
                if not isinstance(doc.get("torch_graph_probe"), dict) or k not in doc["torch_graph_probe"]]
    if missing:
        print(f"merge_gpu_results: {path} lacks {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", help="merged JSON to write (default: stdout)")
    ap.add_argument("--check", metavar="JSON", help="only check that JSON has every field")
    ap.add_argument("--gpu"), ap.add_argument("--model"), ap.add_argument("--dtype"), ap.add_argument("--date")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--frames", type=int)
    for name in ("ours-b1", "probe", "versions", "info", "steps", "plan"):
        ap.add_argument(f"--{name}", metavar="FILE")
    for name in ("ours-sweep", "hf"):
        ap.add_argument(f"--{name}", metavar="FILE", action="append")
    ap.add_argument("--running", metavar="STEP", help="the step under way (a partial merge)")
    ap.add_argument("--complete", action="store_true", help="the run has ended (the last merge)")
    ap.add_argument("--deadline", type=int, metavar="S")
    ap.add_argument("--elapsed", type=int, metavar="S")
    a = ap.parse_args()
    if a.check:
        return check(a.check)
    doc = merge(a)
    text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(a.out + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(a.out)
        return check(a.out)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
