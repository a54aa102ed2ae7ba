#!/usr/bin/env python3
"""Fits the polynomials of Sources/Ouro/Embedding/VectorMath.swift and prints them with the error table
its comment quotes. Needs numpy and scipy (the system python3 has them; no venv).

  log erfc(z) = Q(z)  on [0, 4.5], degree 10, weighted by erfc (so erfc's absolute error is small)
  exp(r) = E(r)       on [-ln2/2, ln2/2], degree 6, relative error; E(0) = 1

Each fit is weighted least squares on 4000 Chebyshev points, reweighted 30 times (Lawson) towards
the minimax solution. The error table simulates the Swift code in float32: every product and every
sum rounded (no fused multiply-add), and compares with 0.5 x erfc(-x/sqrt 2) in double precision,
next to the form the encoder used before, 0.5 x (1 + erff(x/sqrt 2)) with a correctly rounded erff.
  python3 scripts/fit/gelu.py
"""
import numpy as np
from scipy.special import erf, erfc

f32 = np.float32
ZMAX = 4.5


def fit(f, a, b, deg, basis, weight, iters=30):
    x = (np.cos(np.linspace(np.pi, 0, 4000)) + 1) / 2 * (b - a) + a
    y, w = f(x), weight(x)
    A = np.stack([basis(x) ** k for k in range(deg + 1)], 1)
    lw = np.ones_like(x)
    for _ in range(iters):
        c, *_ = np.linalg.lstsq(A * (w * lw)[:, None], y * w * lw, rcond=None)
        e = np.abs((A @ c - y) * w)
        lw = lw * (e / e.max()) ** 0.5 + 1e-12
        lw /= lw.max()
    return c, e.max()


Q, eQ = fit(lambda z: np.log(erfc(z)), 0, ZMAX, 10, lambda z: z, erfc)
E, eE = fit(np.exp, -np.log(2) / 2, np.log(2) / 2, 6, lambda r: r, lambda r: 1 / np.exp(r))
E[0] = 1.0


def horner(c, x):
    acc = np.full_like(x, f32(c[-1]))
    for k in range(len(c) - 2, -1, -1):
        acc = (acc * x).astype(f32) + f32(c[k])
    return acc.astype(f32)


def exp32(x):
    x = np.maximum(x, f32(-87)).astype(f32)
    shifted = ((x * f32(1.4426950408889634)).astype(f32) + f32(12582912)).astype(f32)
    n = (shifted - f32(12582912)).astype(f32)
    r = ((x - (n * f32(0.693359375)).astype(f32)).astype(f32) - (n * f32(np.log(2) - 0.693359375)).astype(f32)).astype(f32)
    return (horner(E, r) * (2.0 ** n).astype(f32)).astype(f32)


def gelu32(x):
    a = np.abs(x)
    t = (a * f32(0.70710678118654752)).astype(f32)
    h = ((f32(0.5) * a).astype(f32) * exp32(horner(Q, t))).astype(f32)
    h = np.where(t > ZMAX, f32(0), h)
    return (np.maximum(x, f32(0)) - h).astype(f32)


def gelu_erff(x):
    er = erf((x * f32(0.70710678118654752)).astype(f32).astype(np.float64)).astype(f32)
    return ((f32(0.5) * x).astype(f32) * (f32(1) + er).astype(f32)).astype(f32)


print(f"Q (log erfc(z), degree 10): erfc's error {eQ:.2g}\n  {list(map(float, Q))}")
print(f"E (exp(r), degree 6): relative error {eE:.2g}\n  {list(map(float, E))}")
rng = np.random.default_rng(1)
x = np.concatenate([rng.normal(0, 2, 4_000_000), rng.uniform(-12, 12, 2_000_000), np.linspace(-7, 7, 2_000_001)]).astype(f32)
exact = 0.5 * x.astype(np.float64) * erfc(-x.astype(np.float64) / np.sqrt(2))
ulp = np.spacing(np.abs(exact).astype(f32)).astype(np.float64)
ours, ref = gelu32(x).astype(np.float64), gelu_erff(x).astype(np.float64)
print("range of x    this (ulp)    0.5x(1 + erff(x/sqrt2)) (ulp)")
for lo, hi in ((0, np.inf), (-1, 0), (-2, -1), (-3, -2)):
    m = (x >= lo) & (x < hi)
    print(f"[{lo}, {hi})   {(np.abs(ours[m] - exact[m]) / ulp[m]).max():6.1f}        {(np.abs(ref[m] - exact[m]) / ulp[m]).max():6.1f}")
m = x < -3
print(f"x < -3: absolute error {np.abs(ours[m] - exact[m]).max():.2g} (the erff form: {np.abs(ref[m] - exact[m]).max():.2g})")
