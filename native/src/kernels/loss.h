// Losses: fused, numerically stable softmax cross-entropy (log-sum-exp with the row max subtracted) and MSE.
// Logits are row-major [N,C]; labels are class indices.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tl {

// probs = softmax(logits); returns the mean loss. Throws InputError for a label outside [0, C).
double softmaxCrossEntropyForward(const float* logits, const int32_t* labels, float* probs, size_t N, size_t C);
// dlogits = (probs - onehot(labels)) * gradOut / N. Throws InputError for a label outside [0, C).
void softmaxCrossEntropyBackward(const float* probs, const int32_t* labels, float* dlogits, size_t N, size_t C,
                                 double gradOut);
// Rows whose argmax (the first, on ties) equals the label.
size_t countCorrect(const float* logits, const int32_t* labels, size_t N, size_t C);
double mseForward(const float* pred, const float* target, size_t n);  // mean squared error
// dpred = 2 (pred - target) gradOut / n.
void mseBackward(const float* pred, const float* target, float* dpred, size_t n, double gradOut);

}  // namespace tl
