"""Buy till you die: the BG/NBD model of purchases and drop-out and the Gamma-Gamma model of
spend (Fader, Hardie and Lee), fitted by maximum likelihood; a customer's expected purchases,
probability of being alive and lifetime value.

Pure NumPy/SciPy on arrays: nothing here reads or writes the database. The engine hands in
each customer's summary of the calibration period, in weeks:

- ``x``: repeat purchases (purchase days after the first; purchases on one day count once),
- ``t_x``: the time of the last purchase since the first (the recency),
- ``T``: the time from the first purchase to the end of the calibration period,
- ``m``: the average value of the repeat purchases (for Gamma-Gamma, customers with x > 0).

Identical summaries are fitted once with a weight (``weights``): a million customers have far
fewer distinct (x, t_x, T). The log-likelihoods are written with ``gammaln``/``betaln`` and
``logaddexp``, so they stay finite where the products of Gamma functions would overflow; the
optimiser works on the logarithms of the parameters, which keeps them positive without bounds.

References:
- Fader, Hardie and Lee (2005), "Counting your customers the easy way: an alternative to the
  Pareto/NBD model", Marketing Science 24(2): 275-284 (BG/NBD, equations 6, 10 and 13).
- Fader, Hardie and Lee (2005), "RFM and CLV: using iso-value curves for customer base
  analysis", Journal of Marketing Research 42(4): 415-430, and Fader and Hardie (2013), "The
  Gamma-Gamma model of monetary value" (the spend model and its conditional expectation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

Array = NDArray[np.float64]
WEEKS_PER_MONTH = 365.25 / 12 / 7  # 4.348 weeks


class FitError(ValueError):
    """The data cannot identify the model (too few customers or repeat purchases)."""


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = float("nan")
    converged: bool = True

    @property
    def usable(self) -> bool:
        """Finite parameters whose predictions are finite (a fit to too little data can run
        off to a boundary where the hypergeometric function overflows)."""
        values = (self.r, self.alpha, self.a, self.b)
        if not all(np.isfinite(v) and v > 0 for v in values):
            return False
        check = self.expected_purchases(
            52.0, np.array([0.0, 1.0, 5.0]), np.array([0.0, 10.0, 30.0]), np.array([40.0] * 3)
        )
        return bool(np.all(np.isfinite(check)))

    def expected_purchases(self, t: float | ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
        """E[Y(t) | x, t_x, T]: the purchases each customer is expected to make in the next ``t``
        weeks (FHL 2005, eq. 10)."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        t = np.asarray(t, dtype=float)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + T + t)
        hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
        head = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
        numerator = (a + b + x - 1) / (a - 1) * (1 - head * hyp)
        return np.asarray(numerator / (1 + _dropout_odds(self, x, t_x, T)), dtype=float)

    def probability_alive(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
        """P(alive | x, t_x, T) (FHL 2005, eq. 13 of the technical note): 1 for a customer who
        has not bought again, since under BG/NBD a customer can drop out only after a purchase."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        return np.asarray(1 / (1 + _dropout_odds(self, x, t_x, T)), dtype=float)

    def expected_purchases_new(self, t: float | ArrayLike) -> Array:
        """E[X(t)]: purchases a new customer is expected to make in ``t`` weeks (eq. 9)."""
        t = np.asarray(t, dtype=float)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        hyp = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
        return np.asarray((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp), dtype=float)


def _dropout_odds(model: BgNbd, x: Array, t_x: Array, T: Array) -> Array:
    """a / (b + x - 1) × ((α + T) / (α + t_x))^(r + x) for x > 0; 0 for x = 0."""
    repeat = x > 0
    safe_x = np.where(repeat, x, 1.0)
    log_odds = (
        np.log(model.a)
        - np.log(model.b + safe_x - 1)
        + (model.r + safe_x) * (np.log(model.alpha + T) - np.log(model.alpha + t_x))
    )
    return np.where(repeat, np.exp(np.minimum(log_odds, 700.0)), 0.0)


def bgnbd_log_likelihood(
    params: ArrayLike, x: Array, t_x: Array, T: Array, weights: Array | None = None
) -> float:
    """The BG/NBD log-likelihood of (r, α, a, b) (FHL 2005, eq. 6)."""
    r, alpha, a, b = (float(v) for v in np.asarray(params, dtype=float))
    return float(np.sum(_bgnbd_terms(r, alpha, a, b, x, t_x, T) * _weights(weights, x)))


def _bgnbd_terms(r: float, alpha: float, a: float, b: float, x: Array, t_x: Array, T: Array) -> Array:
    repeat = x > 0
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    beta_ab = special.betaln(a, b)
    alive = special.betaln(a, b + x) - beta_ab - (r + x) * np.log(alpha + T)
    # The customer dropped out just after the last purchase: only for those who bought again
    # (betaln(a + 1, b - 1) is undefined for x = 0, so those terms are masked).
    safe_x = np.where(repeat, x, 1.0)
    dropped = special.betaln(a + 1, b + safe_x - 1) - beta_ab - (r + safe_x) * np.log(alpha + t_x)
    return np.asarray(common + np.where(repeat, np.logaddexp(alive, dropped), alive), dtype=float)


def fit_bgnbd(
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    start: ArrayLike = (1, 1, 1, 1),
) -> BgNbd:
    """(r, α, a, b) by maximum likelihood. ``x`` must have some repeat purchases."""
    xs, txs, Ts = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    w = _weights(None if weights is None else np.asarray(weights, dtype=float), xs)
    if w.sum() < 2 or not np.any((xs > 0) & (w > 0)):
        raise FitError("BG/NBD needs customers who bought again")
    if np.any(txs > Ts + 1e-9) or np.any(xs < 0) or np.any(txs < 0):
        raise FitError("each customer needs 0 <= t_x <= T and x >= 0")
    scale = float(w.sum())

    def negative(log_params: Array) -> float:
        r, alpha, a, b = np.exp(log_params)
        return -float(np.sum(_bgnbd_terms(r, alpha, a, b, xs, txs, Ts) * w)) / scale

    result = _minimise(negative, np.log(np.asarray(start, dtype=float)))
    r, alpha, a, b = (float(v) for v in np.exp(result.x))
    return BgNbd(r, alpha, a, b, log_likelihood=-result.fun * scale, converged=bool(result.success))


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    gamma: float
    log_likelihood: float = float("nan")
    converged: bool = True

    def expected_spend(self, x: ArrayLike, m: ArrayLike) -> Array:
        """E[M | x, m_x]: a customer's expected average purchase value, a weighted mean of the
        population's and their own (FHL 2005b, eq. 5); the population mean for x = 0."""
        x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
        p, q, gamma = self.p, self.q, self.gamma
        mx = np.where(x > 0, m, 0.0)
        return np.asarray((gamma + x * mx) * p / (p * x + q - 1), dtype=float)

    @property
    def usable(self) -> bool:
        """Finite parameters and q > 1, without which the expected spend is infinite."""
        return all(np.isfinite(v) and v > 0 for v in (self.p, self.q, self.gamma)) and self.q > 1

    @property
    def mean_spend(self) -> float:
        """The population's mean purchase value, pγ / (q − 1) (infinite for q ≤ 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("inf")


def gamma_gamma_log_likelihood(params: ArrayLike, x: Array, m: Array, weights: Array | None = None) -> float:
    p, q, gamma = (float(v) for v in np.asarray(params, dtype=float))
    return float(np.sum(_gg_terms(p, q, gamma, x, m) * _weights(weights, x)))


def _gg_terms(p: float, q: float, gamma: float, x: Array, m: Array) -> Array:
    px = p * x
    return np.asarray(
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(gamma + x * m),
        dtype=float,
    )


def fit_gamma_gamma(
    x: ArrayLike, m: ArrayLike, weights: ArrayLike | None = None, *, start: ArrayLike = (1, 1, 1)
) -> GammaGamma:
    """(p, q, γ) by maximum likelihood on the customers who bought again (x > 0, m > 0)."""
    xs, ms = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    w = _weights(None if weights is None else np.asarray(weights, dtype=float), xs)
    keep = (xs > 0) & (ms > 0) & (w > 0)
    xs, ms, w = xs[keep], ms[keep], w[keep]
    if w.sum() < 2:
        raise FitError("Gamma-Gamma needs at least two customers who bought again")
    # Amounts in rials run to billions: fitted in units of the median, then scaled back
    # (γ is a scale parameter of spend; p and q have no unit).
    unit = float(np.median(ms))
    ms = ms / unit
    scale = float(w.sum())

    def negative(log_params: Array) -> float:
        p, q, gamma = np.exp(log_params)
        return -float(np.sum(_gg_terms(p, q, gamma, xs, ms) * w)) / scale

    result = _minimise(negative, np.log(np.asarray(start, dtype=float)))
    p, q, gamma = (float(v) for v in np.exp(result.x))
    # Back in the original unit the density picks up a Jacobian of 1/unit per customer.
    log_likelihood = -result.fun * scale - scale * np.log(unit)
    return GammaGamma(
        p, q, gamma * unit, log_likelihood=float(log_likelihood), converged=bool(result.success)
    )


def _minimise(objective: Callable[[Array], float], start: Array) -> optimize.OptimizeResult:
    """L-BFGS-B on the log-parameters, polished by Nelder-Mead where it stops short. Trial
    steps far out overflow to inf, which the optimisers step back from: no warnings."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _minimise_quietly(objective, start)


def _minimise_quietly(objective: Callable[[Array], float], start: Array) -> optimize.OptimizeResult:
    result = optimize.minimize(objective, start, method="L-BFGS-B", options={"maxiter": 2000, "ftol": 1e-12})
    if not result.success or not np.isfinite(result.fun):
        result = optimize.minimize(
            objective,
            result.x if np.all(np.isfinite(result.x)) else start,
            method="Nelder-Mead",
            options={"maxiter": 20_000, "xatol": 1e-8, "fatol": 1e-12},
        )
    if not np.all(np.isfinite(result.x)) or not np.isfinite(result.fun):
        raise FitError("the likelihood could not be maximised")
    return result


def _weights(weights: Array | None, like: Array) -> Array:
    return np.ones_like(like, dtype=float) if weights is None else np.asarray(weights, dtype=float)


def discounted_purchases(
    model: BgNbd, x: ArrayLike, t_x: ArrayLike, T: ArrayLike, *, months: int, monthly_discount: float
) -> Array:
    """Σ over the next ``months`` months of the purchases expected in month k, discounted by
    (1 + d)^k: the purchase stream a lifetime value multiplies by spend and margin."""
    total = np.zeros(np.shape(np.asarray(x)), dtype=float)
    previous = np.zeros_like(total)
    for k in range(1, months + 1):
        by_now = model.expected_purchases(k * WEEKS_PER_MONTH, x, t_x, T)
        total += (by_now - previous) / (1 + monthly_discount) ** k
        previous = by_now
    return total


def lifetime_value(
    purchases: BgNbd,
    spend: GammaGamma,
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    m: ArrayLike,
    *,
    months: int,
    monthly_discount: float,
    margin: float,
) -> Array:
    """Predicted lifetime value over ``months``: discounted expected purchases × expected spend
    × margin (FHL 2005b; the discounting of lifetimes' ``customer_lifetime_value``)."""
    stream = discounted_purchases(purchases, x, t_x, T, months=months, monthly_discount=monthly_discount)
    return np.asarray(stream * spend.expected_spend(x, m) * margin, dtype=float)


def simulate(
    rng: np.random.Generator, customers: int, purchases: BgNbd, spend: GammaGamma, *, weeks: float
) -> tuple[NDArray[np.int_], Array, Array]:
    """Purchase histories drawn from the two models, each customer first buying at week 0 and
    watched for ``weeks``: (customer index, week, value) of every purchase, first ones too.

    Each customer's rate λ ~ Gamma(r, α) and drop-out chance p ~ Beta(a, b); purchases follow
    a Poisson process at rate λ, and after each repeat purchase the customer leaves with
    chance p. Their mean spend ν ~ Gamma(q, γ) and each purchase's value ~ Gamma(p, ν). What
    the tests recover the parameters from, and what the benchmark's data is made of.
    """
    rate = rng.gamma(purchases.r, 1 / purchases.alpha, customers)
    leave = rng.beta(purchases.a, purchases.b, customers)
    scale = rng.gamma(spend.q, 1 / spend.gamma, customers)
    who, when = [np.arange(customers)], [np.zeros(customers)]
    now = np.zeros(customers)
    active = np.arange(customers)
    while active.size:
        now[active] += rng.exponential(1 / rate[active])
        active = active[now[active] <= weeks]
        who.append(active)
        when.append(now[active].copy())
        active = active[rng.random(active.size) >= leave[active]]
    index = np.concatenate(who)
    values = rng.gamma(spend.p, 1 / scale[index])
    return index, np.concatenate(when), values
