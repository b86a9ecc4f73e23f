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
// Cross-entropy over rows of logits[N,C] whose targets may be ignoreIndex (that row counts for nothing; any other
// target outside [0, C) throws InputError). Stores each counted row's log(sum(exp(z - max))) in lse (the
// log-sum-exp less the row's max) and returns the sum of the counted rows' losses. float64 computes the log-sum-exp and
// the loss in double (the logits cast to double first); otherwise exps are float and only the sum is double. Rows run
// on the kernel pool when threads allow.
double crossEntropyForward(const float* logits, const int32_t* targets, double* lse, size_t N, size_t C,
                           int64_t ignoreIndex, bool float64);
// dlogits = (softmax(logits) - onehot(target)) * scale for counted rows, 0 for ignored ones; the softmax is
// recomputed from lse and the row's max (in double with float64, so a probability near 1 keeps a gradient).
void crossEntropyBackward(const float* logits, const int32_t* targets, const double* lse, float* dlogits, size_t N,
                          size_t C, int64_t ignoreIndex, double scale, bool float64);
// Rows whose argmax (the first, on ties) equals the label.
size_t countCorrect(const float* logits, const int32_t* labels, size_t N, size_t C);
double mseForward(const float* pred, const float* target, size_t n);  // mean squared error
// dpred = 2 (pred - target) gradOut / n.
void mseBackward(const float* pred, const float* target, float* dpred, size_t n, double gradOut);

}  // namespace tl
