#!/usr/bin/env python3
"""HF transformers eager CSM generation on the CPU: the baseline that `csm-bench --compare-hf` puts beside ours.

Builds CsmForConditionalGeneration with the CSM-1B config (tools/hf_csm_bench.py's build_full_config: CsmConfig
defaults + the llama3 RoPE of the released checkpoint), or a tiny one with --tiny (2 layers, dim 64: seconds),
random init with --seed, fp32, torch.set_num_threads(--threads), and with --save DIR writes it with
save_pretrained(DIR) (safetensors + config.json in transformers 5 spelling) so that csm-bench loads the identical
weights. Then times the plain eager generate() (dynamic KV cache, no compile) on the CPU.

Prompt: the 30 ids csm-bench's model bench uses: <|begin_of_text|>=128000, 1000 + 37*i for i < 28, 128001.
Sampling: top-k 50, temperature 0.9 for backbone and depth decoder (csm-bench's defaults), seeded.

Per-frame time, prefill excluded: after one untimed warm-up generate(), --runs times each of
generate(max_new_tokens=1) [prefill + 1 frame] and generate(max_new_tokens=N) [prefill + N frames];
ms_per_frame = (median wall(N) - median wall(1)) / (frames(N) - frames(1)).
CSM has no eos_token_id (it stops when a frame's codebooks are all 0, rare with random weights), so the frames
actually made are recorded. stdout: one JSON object; stderr: progress. Exit 3: transformers missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # a CPU tool: never touch a GPU

BOS, EOS = 128000, 128001
TRANSFORMERS_VERSION = "5.17.0"
MIN_FREE_BYTES_FULL = 8 * 10**9  # fp32 CSM-1B is about 6.2 GB on disk


def log(msg: str):
    print(f"[hf_cpu_bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def prompt_ids() -> list[int]:
    """The same 30 ids as csm-bench's synthetic_prompt() (app/csm-bench/model_bench.cpp)."""
    return [BOS] + [1000 + 37 * i for i in range(28)] + [EOS]


def build_config(tiny: bool):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from hf_csm_bench import BACKBONE_ROPE, DECODER_ROPE, build_full_config, make_config  # noqa: E402
    if not tiny:
        return build_full_config()
    from transformers import CsmConfig, CsmDepthDecoderConfig
    dd = make_config(CsmDepthDecoderConfig, DECODER_ROPE, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                     num_key_value_heads=2, head_dim=16, intermediate_size=128, backbone_hidden_size=64)
    return make_config(CsmConfig, BACKBONE_ROPE, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                       num_key_value_heads=2, head_dim=16, intermediate_size=128, depth_decoder_config=dd)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--save", metavar="DIR", help="save_pretrained the model to DIR (created; must be empty)")
    ap.add_argument("--frames", type=int, default=3, help="frames of the long generate() (>= 2)")
    ap.add_argument("--runs", type=int, default=1, help="timed generate() calls of each length")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch.set_num_threads")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tiny", action="store_true", help="2 layers, dim 64 (a test), instead of CSM-1B")
    ap.add_argument("--greedy", action="store_true", help="greedy instead of top-k 50, temperature 0.9")
    args = ap.parse_args()
    if args.frames < 2:
        ap.error("--frames must be >= 2 (the per-frame time is the difference of N and 1 frames)")

    try:
        import torch
        import transformers
        from transformers import CsmForConditionalGeneration
    except ImportError as e:
        print(f"hf_cpu_bench: {e}. It needs torch and transformers; install transformers into this Python "
              f"({sys.executable}):\n"
              f"  {sys.executable} -m pip install transformers=={TRANSFORMERS_VERSION}", file=sys.stderr)
        return 3
    transformers.logging.set_verbosity_error()
    torch.set_num_threads(args.threads)

    if args.save:
        save = Path(args.save)
        save.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(save).free
        if not args.tiny and free < MIN_FREE_BYTES_FULL:
            print(f"hf_cpu_bench: {free / 1e9:.1f} GB free under {save}; fp32 CSM-1B needs about 6.2 GB "
                  f"(8 GB asked for)", file=sys.stderr)
            return 4

    res: dict = {"tool": "hf_cpu_bench", "python": sys.version.split()[0], "torch": torch.__version__,
                 "transformers": transformers.__version__, "threads": torch.get_num_threads(),
                 "config": "tiny (2 layers, dim 64)" if args.tiny else "csm-1b", "dtype": "float32",
                 "seed": args.seed}
    t0 = time.perf_counter()
    cfg = build_config(args.tiny)
    torch.manual_seed(args.seed)
    model = CsmForConditionalGeneration(cfg).to(torch.float32).eval()
    with torch.no_grad():  # the released model shares one audio-embedding table (as hf_csm_bench.py does)
        bb = model.backbone_model.embed_tokens.embed_audio_tokens.weight
        dd = model.depth_decoder.model.embed_tokens.weight
        if bb.data_ptr() != dd.data_ptr() and bb.shape == dd.shape:
            dd.copy_(bb)
    res["load_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    res["parameters"] = sum(p.numel() for n, p in model.named_parameters() if not n.startswith("codec_model."))
    log(f"built {res['config']} ({res['parameters'] / 1e6:.1f} M parameters without Mimi) in {res['load_ms']:.0f} ms")

    if args.save:
        t0 = time.perf_counter()
        gen_cfg = model.generation_config
        model.save_pretrained(args.save)  # safetensors by default in transformers 5
        model.generation_config = gen_cfg
        res["save_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        res["saved_to"] = str(args.save)
        log(f"saved to {args.save} in {res['save_ms']:.0f} ms")

    ids = prompt_ids()
    input_ids = torch.tensor([ids])
    attn = torch.ones_like(input_ids)
    if args.greedy:
        sampling = dict(do_sample=False, depth_decoder_do_sample=False)
    else:
        sampling = dict(do_sample=True, temperature=0.9, top_k=50, depth_decoder_do_sample=True,
                        depth_decoder_temperature=0.9, depth_decoder_top_k=50)
    res["sampling"] = sampling
    res["prompt_tokens"] = len(ids)

    def run(n: int, seed: int) -> tuple[float, int]:
        torch.manual_seed(seed)
        t = time.perf_counter()
        with torch.inference_mode():
            out = model.generate(input_ids=input_ids, attention_mask=attn, max_new_tokens=n, **sampling)
        dt = time.perf_counter() - t
        seq = out if isinstance(out, torch.Tensor) else out.sequences
        return dt * 1000, int(seq.shape[1])

    log("warm-up generate(2 frames) ...")
    run(2, args.seed)
    one, many = [], []
    for r in range(args.runs):
        log(f"run {r + 1}/{args.runs}: generate(1 frame) ...")
        one.append(run(1, args.seed + r))
        log(f"run {r + 1}/{args.runs}: generate({args.frames} frames) ...")
        many.append(run(args.frames, args.seed + r))
        log(f"  {one[-1][0]:.0f} ms for {one[-1][1]} frame(s), {many[-1][0]:.0f} ms for {many[-1][1]} frames")
    ms1 = statistics.median(m for m, _ in one)
    msn = statistics.median(m for m, _ in many)
    f1 = min(f for _, f in one)
    fn = min(f for _, f in many)
    extra = 0
    while fn > f1 and msn <= ms1 and extra < 4:
        # A hiccup of a busy machine outweighed the frames' own time: more runs, then the medians again.
        extra += 1
        log(f"generate({args.frames} frames) took no longer than generate(1 frame): extra run {extra}")
        one.append(run(1, args.seed + args.runs + extra))
        many.append(run(args.frames, args.seed + args.runs + extra))
        ms1 = statistics.median(m for m, _ in one)
        msn = statistics.median(m for m, _ in many)
    res.update(frames=fn, frames_requested=args.frames, runs=args.runs, generate_1_frame_ms=round(ms1, 2),
               generate_n_frames_ms=round(msn, 2))
    res["runs"] = len(one)
    if fn > f1 and msn > ms1:
        res["ms_per_frame"] = round((msn - ms1) / (fn - f1), 3)
        res["method"] = ("(median generate(N frames) - median generate(1 frame)) / (frames made - 1): the prompt "
                         "prefill and generate()'s setup cancel out; eager, dynamic cache, no compile")
    else:
        res["ms_per_frame"] = round(msn / max(fn, 1), 3)
        res["method"] = ("wall / frames, prefill included: " +
                         ("generate(N) stopped after 1 frame (all-zero frame)" if fn <= f1 else
                          "the timings were too noisy for the difference of medians"))
    res["rtf"] = round(res["ms_per_frame"] / 80.0, 4)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
