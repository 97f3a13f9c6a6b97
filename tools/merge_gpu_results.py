#!/usr/bin/env python3
"""Merges the outputs of scripts/gpu-check.sh into one JSON (bench/results/<gpu>-<date>.json).

Inputs (each optional: a missing, empty, partial or unreadable file gives nulls, never a failure):
  --ours-b1 F     csm-bench --model M --device cuda --dtype bfloat16 --frames N --json   (one stream)
  --ours-sweep F  csm-bench --benchmark ... --json-out F                                  (stream batches)
  --hf F          tools/hf_csm_bench.py --mode both --json F
  --probe F       tools/torch_graph_frame_probe.py --json F
  --steps F       tab-separated lines written by gpu-check.sh: name, exit status, seconds, note
Output fields:
  gpu, model, dtype, batch, frames, date, torch
  ours, hf_eager, hf_compile: {ms_per_frame, rtf, first_audio_ms, peak_mem_gib, ...}; ours also carries
      realtime_streams, host_syncs_per_frame, frame_is_static, aten_ops_per_frame, cuda_graphs (null until
      csm-bench prints them), backbone/depth-decoder split, and the source of each number
  torch_graph_probe: {ms_per_frame (one CUDA graph per frame, at `batch`), eager_ms_per_frame, rtf,
      realtime_streams (the best over its batches), peak_mem_gib}
  realtime_streams, host_syncs_per_frame: ours, repeated at the top for a quick look
  batch_sweep: {ours: [...], torch_graph_probe: [...]}, one row per batch
  steps: what ran, its exit status and time
Notes: HF's first_audio_ms is generate(max_new_tokens=1) (prefill + one frame, no Mimi decode); ours is the
streaming session's first chunk of audio. peak_mem_gib: the allocator's peak (HF: max_memory_allocated).

  python3 tools/merge_gpu_results.py --out X.json [--gpu NAME] [--model M] [--dtype D] [--batch B] [--frames N]
      [--ours-b1 F] [--ours-sweep F] [--hf F] [--probe F] [--steps F]
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
       "realtime_streams", "host_syncs_per_frame")
FRAME_MS = 80.0


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


def ours_section(b1, sweep, batch):
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
    rows = []
    for r in (sweep or {}).get("runs", []) if isinstance(sweep, dict) else []:
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
           for r in (sweep.get("out_of_memory") or [] if isinstance(sweep, dict) else []) if isinstance(r, dict)]
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


def read_steps(path):
    steps = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines() if path else []
    except OSError:
        lines = []
    for line in lines:
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        try:
            rc = int(parts[1])
        except ValueError:
            rc = None
        steps[parts[0]] = {"exit_status": rc, "seconds": rnd(float(parts[2]) if parts[2] else None, 1),
                           "status": "ok" if rc == 0 else ("timeout" if rc in (124, 137) else
                                                            ("skipped" if rc is None else "failed")),
                           "note": parts[3] if len(parts) > 3 and parts[3] else None}
    return steps


def merge(a) -> dict:
    b1, sweep, hf, probe = load(a.ours_b1), load(a.ours_sweep), load(a.hf), load(a.probe)
    ours, ours_rows, ours_oom = ours_section(b1, sweep, a.batch)
    probe_out, probe_rows = probe_section(probe, a.batch)
    gpu = a.gpu or get(hf, "modes", "eager", "gpu_name") or get(hf, "modes", "compile", "gpu_name")
    if not gpu and isinstance(probe, dict) and probe.get("device") not in (None, "cpu"):
        gpu = probe["device"]
    torch_version = (get(hf, "modes", "eager", "versions", "torch") or get(probe, "torch"))
    return {
        "gpu": gpu or None,
        "model": a.model or get(b1, "model") or get(sweep, "model"),
        "dtype": a.dtype or get(b1, "dtype") or get(sweep, "dtype"),
        "batch": a.batch,
        "frames": a.frames,
        "date": a.date or _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "torch": torch_version,
        "ours": ours,
        "hf_eager": hf_section(get(hf, "modes", "eager"), get(hf, "settings", "frames")),
        "hf_compile": hf_section(get(hf, "modes", "compile"), get(hf, "settings", "frames")),
        "torch_graph_probe": probe_out,
        "realtime_streams": ours["realtime_streams"],
        "host_syncs_per_frame": ours["host_syncs_per_frame"],
        "batch_sweep": {"ours": ours_rows, "ours_out_of_memory": ours_oom, "torch_graph_probe": probe_rows},
        "hf_mimi_decode_ms": rnd(get(hf, "mimi_decode", "ms_mean")),
        "steps": read_steps(a.steps),
    }


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
    for name in ("ours-b1", "ours-sweep", "hf", "probe", "steps"):
        ap.add_argument(f"--{name}", metavar="FILE")
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
