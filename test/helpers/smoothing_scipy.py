"""Oracle for test/stats-smoothing.test.ts: scipy's normal CDF and quantile, and the Clopper-Pearson bounds.

Reads a JSON object on stdin and prints one with the same keys, floats as repr() strings (exact round trip):
  "cdf": [x, ...]                 norm.cdf(x)
  "ppf": [p, ...]                 norm.ppf(p)
  "lower": [[k, n, alpha], ...]   beta.ppf(alpha, k, n - k + 1), and 0 when k = 0: the one-sided lower bound, as
                                  statsmodels' proportion_confint(k, n, 2 * alpha, method="beta")[0]
  "upper": [[k, n, alpha], ...]   beta.isf(alpha, k + 1, n - k), and 1 when k = n: the one-sided upper bound (isf
                                  rather than ppf(1 - alpha), whose argument would round away the digits of alpha)
"""
import json
import sys

from scipy.stats import beta, norm


def lower(k, n, alpha):
    return 0.0 if k == 0 else float(beta.ppf(alpha, k, n - k + 1))


def upper(k, n, alpha):
    return 1.0 if k == n else float(beta.isf(alpha, k + 1, n - k))


def main():
    cases = json.load(sys.stdin)
    out = {
        "cdf": [repr(float(norm.cdf(x))) for x in cases["cdf"]],
        "ppf": [repr(float(norm.ppf(p))) for p in cases["ppf"]],
        "lower": [repr(lower(*c)) for c in cases["lower"]],
        "upper": [repr(upper(*c)) for c in cases["upper"]],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
