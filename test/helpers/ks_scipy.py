"""Oracle for test/stats.test.ts: scipy's two-sided two-sample KS p-values.

Reads a JSON list of cases on stdin and prints a JSON list of results, floats as repr() strings (exact round trip).
  {"kind": "samples", "n", "m", "shift", "method"}: runs ks_2samp on real samples, x = (lcm/n) * [1..n] and
      y = (lcm/m) * [1..m] + shift (integers), and returns its statistic and p-value.
  {"kind": "d", "n", "m", "d", "method"}: the p-value for a given statistic d, through the same internals that
      ks_2samp ends with (the exact lattice count, else kstwo.sf at N = round(n m / (n + m))).
"""
import json
import math
import sys
import warnings

import numpy as np
from scipy import stats
from scipy.stats._stats_py import _attempt_exact_2kssamp


def samples(case):
    n, m = case["n"], case["m"]
    g = math.gcd(n, m)
    x = (m // g) * np.arange(1, n + 1, dtype=np.float64)
    y = (n // g) * np.arange(1, m + 1, dtype=np.float64) + case["shift"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = stats.ks_2samp(x, y, method=case["method"])
    return {"statistic": repr(float(res.statistic)), "pvalue": repr(float(res.pvalue)),
            "warnings": [str(w.message) for w in caught]}


def given_d(case):
    n, m, d, method = case["n"], case["m"], float(case["d"]), case["method"]
    g = math.gcd(n, m)
    if method == "auto":
        method = "exact" if max(n, m) <= 10000 else "asymp"
    elif method == "exact" and n // g >= np.iinfo(np.int32).max / (m // g):
        method = "asymp"
    prob = np.nan
    if method == "exact":
        ok, d, prob = _attempt_exact_2kssamp(n, m, g, np.float64(d), "two-sided")
        if not ok:
            method = "asymp"
    if method == "asymp":
        big, small = sorted([float(n), float(m)], reverse=True)
        prob = stats.kstwo.sf(d, np.round(big * small / (big + small)))
    return {"statistic": repr(float(d)), "pvalue": repr(float(np.clip(prob, 0, 1))), "warnings": []}


def main():
    cases = json.load(sys.stdin)
    out = [samples(c) if c["kind"] == "samples" else given_d(c) for c in cases]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
