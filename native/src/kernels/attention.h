// Multi-head scaled dot-product attention, fused: q [B, Sq, D], k and v [B, Sk, D] with D = H * hd, each head a
// column slice of width hd, read in place (strided GEMMs, no head transposes). Per (batch, head) the scores are
// one [Sq, Sk] block that becomes the probabilities, the one thing kept for the backward pass.
#pragma once
#include <cstddef>

namespace tl {

struct AttnDims {
  int B, Sq, Sk, H, hd;
  int D() const { return H * hd; }
  size_t probs() const { return static_cast<size_t>(B) * H * Sq * Sk; }
};

// out = softmax(scale q k^T + mask) v per head; probs [B, H, Sq, Sk] receives the softmax. keyMask [B, Sk] (may
// be null) hides keys where it is 0; causal hides key j from query i when j > i (PyTorch's is_causal). A query
// that sees no key gets a zero output and zero gradients.
void attentionForward(const AttnDims& d, const float* q, const float* k, const float* v, const float* keyMask,
                      bool causal, float scale, float* out, float* probs);

// Gradients of the forward pass with the probabilities it stored; dq, dk, dv (each may be null) are overwritten.
void attentionBackward(const AttnDims& d, const float* q, const float* k, const float* v, const float* probs,
                       const float* dout, float* dq, float* dk, float* dv, float scale);

}  // namespace tl
