// exp and erf for float loops the compiler can vectorize: libm's expf/erff are scalar calls, which made softmax
// and GELU over a transformer's activations several times slower than the GEMMs around them. Plain arithmetic
// and bit casts only, no branches, so GCC turns a loop over them into AVX-512/AVX2 code.
#pragma once
#include <cstdint>
#include <cstring>

namespace tl {

// e^x within ~2 ulp for x in [-87, 88]; 0 below about -87.3 (no subnormals), large but finite above 88.7.
// Cephes' reduction: x = n ln2 + r with |r| <= ln2/2, e^r by a degree-6 polynomial, 2^n from the exponent bits.
inline float expApprox(float x) {
  x = x < -88.0f ? -88.0f : (x > 88.5f ? 88.5f : x);
  const float kMagic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const float n = (x * 1.44269504088896341f + kMagic) - kMagic;
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // n = -127 gives exponent bits 0: the result is exactly 0 rather than a subnormal.
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// erf(x) within ~1.5e-7 (Abramowitz and Stegun 7.1.26), odd-symmetric.
inline float erfApprox(float x) {
  const float a = x < 0.0f ? -x : x;
  const float t = 1.0f / (1.0f + 0.3275911f * a);
  float p = 1.061405429f;
  p = p * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  const float y = 1.0f - p * t * expApprox(-a * a);
  return x < 0.0f ? -y : y;
}

}  // namespace tl
