"""Mimi decoding with fewer codebooks against HF transformers: csm-codec decode of frames
of N codes must equal MimiModel.decode(codes[:, :N]) on the tiny fixture (issue #23).

usage: hf_mimi_depth.py FIXTURES_DIR CSM_CODEC"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
from safetensors.torch import load_file
from transformers import CsmForConditionalGeneration


def read_float_wav(path):
    data = open(path, "rb").read()
    pos = 12
    while pos < len(data):
        tag, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if tag == b"data":
            return np.frombuffer(data[pos + 8:pos + 8 + size], dtype="<f4")
        pos += 8 + size + (size & 1)
    raise ValueError(f"{path}: no data chunk")


def main():
    fixtures, codec = sys.argv[1], sys.argv[2]
    model_dir = os.path.join(fixtures, "tiny-a", "hf")
    codes = load_file(os.path.join(fixtures, "tiny-a", "expected", "expected.safetensors"))["mimi_context_codes"]
    mimi = CsmForConditionalGeneration.from_pretrained(model_dir, torch_dtype=torch.float32).codec_model.eval()
    q = codes.shape[0]
    worst, heard = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sorted({1, 2, q // 2, q}):
            with torch.no_grad():
                ref = mimi.decode(codes[None, :n].long()).audio_values.flatten().numpy()
            frames = codes[:n].t().tolist()
            path = os.path.join(tmp, f"codes{n}.json")
            with open(path, "w") as f:
                json.dump({"frames": frames}, f)
            out = os.path.join(tmp, f"out{n}.wav")
            subprocess.run([codec, "decode", path, "--model", model_dir, "--out", out, "--float"], check=True)
            ours = read_float_wav(out)
            assert ours.shape == ref.shape, (n, ours.shape, ref.shape)
            worst[n] = float(np.abs(ours - ref).max())
            heard[n] = ours
    print(json.dumps({"max_abs_difference_by_codebooks": worst}))
    bad = {n: d for n, d in worst.items() if d > 1e-4}
    assert not bad, f"decoded with fewer codebooks, ours and HF's differ: {bad}"
    # The codebooks really matter (the comparison above means something).
    assert np.abs(heard[1] - heard[q]).max() > 1e-3, "one codebook decodes like all of them"
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
