#pragma once
// Causal Conv1d and ConvTranspose1d as Mimi uses them (spec §3.2), each in a
// whole-signal form and a streaming form whose carried state makes chunked
// output equal the whole-signal output.
#include <ATen/ATen.h>

namespace csm {

// conv1d of x [B, in, L] (no padding, groups 1) as one product per stream: each row's
// output is exactly what it is alone, whatever rows share the call (oneDNN's batched
// convolution picks its blocking by batch size, and a stream's audio then changes in
// the last bits with its neighbours). What the CPU's streaming decoder uses.
at::Tensor conv1d_stream_by_stream(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                                   int64_t stride, int64_t dilation);

struct CausalConv1d {
  at::Tensor weight;  // [out, in/groups, K]
  at::Tensor bias;    // [out] or undefined
  int64_t stride = 1;
  int64_t dilation = 1;
  int64_t groups = 1;
  bool replicate_pad = false;  // `downsample` pads with copies of the first step, not zeros

  int64_t effective_kernel() const { return (weight.size(2) - 1) * dilation + 1; }
  int64_t left_pad() const { return effective_kernel() - stride; }
  // Whole signal [B, C, L] -> [B, out, ceil(L / stride)] with the reference's extra right pad.
  at::Tensor forward(const at::Tensor& x) const;
  // Streaming: `state` holds the last left_pad() input steps (created on first use).
  at::Tensor step(const at::Tensor& x, at::Tensor& state) const;
  // A fresh streaming state for `rows` streams (undefined when there is nothing to keep).
  at::Tensor make_state(int64_t rows) const;
};

struct CausalConvTranspose1d {
  at::Tensor weight;  // [in, out/groups, K]
  at::Tensor bias;
  int64_t stride = 1;
  int64_t groups = 1;

  int64_t overlap() const { return weight.size(2) - stride; }
  // Whole signal [B, C, T] -> [B, out, T * stride] (the last K - s outputs trimmed).
  at::Tensor forward(const at::Tensor& x) const;
  // Streaming: `partial` holds the K - s output steps still awaiting the next input.
  at::Tensor step(const at::Tensor& x, at::Tensor& partial) const;
  at::Tensor make_state(int64_t rows) const;  // zeros: nothing awaits yet
};

}  // namespace csm
