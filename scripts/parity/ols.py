"""Reference values for Ouro's OLS (Sources/Ouro/Stats/OLS.swift) from statsmodels and scipy.

Writes one JSON fixture with, per case, the input data, the options, and statsmodels' coef, se, t,
p, 95% CI, R², adjusted R², the VIFs (statsmodels.stats.outliers_influence) and the k-fold CV R²
(folds from Ouro's own shuffle, re-implemented below: xoshiro256** seeded by SplitMix64,
Lemire's bounded integers, Fisher-Yates from the end; the fixture also stores the permutation).
Also a table of Student t quantiles and two-sided p-values from scipy.stats.t.
Run through scripts/parity/ols.sh.
"""
import json
import sys

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.outliers_influence import variance_inflation_factor

M = (1 << 64) - 1


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


class Xoshiro256:
    """xoshiro256** exactly as Sources/Ouro/Random/Xoshiro.swift."""

    def __init__(self, seed):
        state = seed & M
        s = []
        for _ in range(4):
            state = (state + 0x9E3779B97F4A7C15) & M
            s.append(mix(state))
        self.s = s

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & M

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (self.rotl((s1 * 5) & M, 7) * 9) & M
        t = (s1 << 17) & M
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self.rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def int_below(self, b):
        m = self.next() * b
        if (m & M) < b:
            t = ((1 << 64) - b) % b
            while (m & M) < t:
                m = self.next() * b
        return m >> 64

    def shuffle(self, a):
        i = len(a) - 1
        while i > 0:
            j = self.int_below(i + 1)
            a[i], a[j] = a[j], a[i]
            i -= 1


def zscore(v):
    v = np.asarray(v, dtype=float)
    return (v - v.mean()) / v.std(ddof=1)


def case(name, y, xs, standardize, folds, seed):
    names = list(xs.keys())
    yy = zscore(y) if standardize else np.asarray(y, float)
    cols = [zscore(xs[k]) if standardize else np.asarray(xs[k], float) for k in names]
    X = sm.add_constant(np.column_stack(cols), has_constant="add")
    fit = sm.OLS(yy, X).fit()
    ci = fit.conf_int(alpha=0.05)
    vif = [variance_inflation_factor(X, j) for j in range(1, X.shape[1])]
    n = len(yy)
    order = list(range(n))
    Xoshiro256(seed).shuffle(order)
    sse_cv, start = 0.0, 0
    for f in range(folds):
        size = n // folds + (1 if f < n % folds else 0)
        test = order[start:start + size]
        start += size
        train = np.setdiff1d(np.arange(n), test)
        b = sm.OLS(yy[train], X[train]).fit().params
        pred = X[test] @ b
        sse_cv += float(np.sum((yy[test] - pred) ** 2))
    sst = float(np.sum((yy - yy.mean()) ** 2))
    return {
        "name": name, "standardize": standardize, "folds": folds, "seed": seed,
        "y": [float(v) for v in y], "x": [{"name": k, "values": [float(v) for v in xs[k]]} for k in names],
        "order": order,
        "coef": fit.params.tolist(), "se": fit.bse.tolist(), "t": fit.tvalues.tolist(), "p": fit.pvalues.tolist(),
        "ci_lower": ci[:, 0].tolist(), "ci_upper": ci[:, 1].tolist(),
        "r2": float(fit.rsquared), "adj_r2": float(fit.rsquared_adj), "cv_r2": 1 - sse_cv / sst, "vif": vif,
    }


def main(out):
    rng = np.random.default_rng(20261125)
    cases = []
    n = 80
    a = rng.normal(size=n)
    b = 0.6 * a + 0.8 * rng.normal(size=n)
    c = rng.uniform(-2, 2, size=n)
    y = 1 + 2 * a - b + 0.5 * c + 1.5 * rng.normal(size=n)
    cases.append(case("standardized_three", y, {"a": a, "b": b, "c": c}, True, 10, 7))
    n = 37
    u = rng.gamma(2.0, 3.0, size=n)
    v = rng.normal(10, 4, size=n) + 0.2 * u
    y = 50 - 1.3 * u + 0.7 * v + 5 * rng.normal(size=n)
    cases.append(case("raw_two", y, {"u": u, "v": v}, False, 5, 3))
    n = 8
    w = rng.normal(size=n)
    y = 0.3 * w + rng.normal(size=n)
    cases.append(case("small_one", y, {"w": w}, True, 4, 1))
    tq = []
    for df in [1.0, 2.5, 6.0, 30.0, 200.0]:
        for p in [0.6, 0.9, 0.975, 0.999]:
            tq.append({"df": df, "p": p, "quantile": float(stats.t.ppf(p, df))})
    tp = []
    for df in [1.0, 3.0, 10.0, 77.0]:
        for t in [0.0, 0.5, 1.96, 4.0, 12.0]:
            tp.append({"df": df, "t": t, "p_two_sided": float(2 * stats.t.sf(t, df))})
    doc = {
        "generator": f"scripts/parity/ols.py (numpy {np.__version__}, scipy {scipy.__version__}, statsmodels {statsmodels.__version__})",
        "cases": cases, "t_quantiles": tq, "t_p_values": tp,
    }
    with open(out, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
