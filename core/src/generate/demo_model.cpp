#include "generate/demo_model.h"

namespace csm {

CsmConfig demo_csm_config() {
  CsmConfig c;
  c.format = "demo";
  const RopeConfig rope{500000.0, true, 32.0, 1.0, 4.0, 8192.0};
  c.backbone = {4, 256, 8, 2, 32, 768, 1e-5, 2048, rope};
  c.decoder = {2, 128, 4, 2, 32, 384, 1e-5, 32, rope};
  c.text_vocab = 258;  // the byte tokenizer
  c.audio_vocab = 2051;
  c.num_codebooks = 32;
  return c;
}

MimiConfig demo_mimi_config() {
  MimiConfig c;
  c.hidden = 64;
  c.filters = 8;
  c.layers = 2;
  c.heads = 4;
  c.head_dim = 16;
  c.intermediate = 128;
  c.codebook_dim = 16;
  c.quantizer_dim = 16;
  c.upsample_groups = 64;
  return c;
}

}  // namespace csm
