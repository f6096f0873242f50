"""BG/NBD and Gamma-Gamma: the likelihoods and fits against the estimates Fader, Hardie and
Lee published on the CDNOW sample (within 1%), the recovery of known parameters from data
simulated from them, and the conditional predictions' shape."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from peyvand.analytics import btyd

# Fader, Hardie and Lee (2005a), table 1 and (2005b), the Gamma-Gamma note: the 2,357
# customers of the CDNOW sample, 39-week calibration period (1997-01-01 to 1997-09-30).
BGNBD_PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
BGNBD_LOG_LIKELIHOOD = -9582.4
GAMMA_GAMMA_PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}
CALIBRATION_END = dt.date(1997, 9, 30)


def _cdnow_file() -> Path | None:
    """CDNOW_sample.txt as the ``lifetimes`` package ships it (MIT; a dev-only dependency),
    found without importing the package."""
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "CDNOW_sample.txt"
    return path if path.is_file() else None


@pytest.fixture(scope="module")
def cdnow() -> dict[str, np.ndarray]:
    """Each customer's calibration summary in weeks; purchases on one day count once, and m is
    the mean value of the repeat purchase days."""
    path = _cdnow_file()
    # A dev dependency: a checkout without it fails here rather than skipping the check.
    assert path is not None, "the CDNOW sample ships with lifetimes==0.11.3, a dev dependency"
    spent: dict[int, dict[dt.date, float]] = {}
    for line in path.read_text().splitlines():
        _master, customer, day, _quantity, amount = line.split()
        date = dt.datetime.strptime(day, "%Y%m%d").date()
        if date <= CALIBRATION_END:
            days = spent.setdefault(int(customer), {})
            days[date] = days.get(date, 0.0) + float(amount)
    x, t_x, T, m = [], [], [], []
    for days in spent.values():
        ordered = sorted(days)
        first = ordered[0]
        x.append(len(ordered) - 1)
        t_x.append((ordered[-1] - first).days / 7)
        T.append((CALIBRATION_END - first).days / 7)
        repeat = [days[d] for d in ordered[1:]]
        m.append(sum(repeat) / len(repeat) if repeat else 0.0)
    return {
        key: np.array(values, dtype=float) for key, values in {"x": x, "t_x": t_x, "T": T, "m": m}.items()
    }


def test_the_cdnow_sample_is_the_papers(cdnow):
    assert len(cdnow["x"]) == 2357
    assert int((cdnow["x"] > 0).sum()) == 946


def test_bgnbd_fits_the_published_estimates_on_cdnow(cdnow):
    fit = btyd.fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    for name, published in BGNBD_PUBLISHED.items():
        assert getattr(fit, name) == pytest.approx(published, rel=0.01), name
    assert fit.log_likelihood == pytest.approx(BGNBD_LOG_LIKELIHOOD, abs=0.5)
    assert fit.converged


def test_the_bgnbd_likelihood_at_the_published_estimates(cdnow):
    published = [BGNBD_PUBLISHED[k] for k in ("r", "alpha", "a", "b")]
    value = btyd.bgnbd_log_likelihood(published, cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert value == pytest.approx(BGNBD_LOG_LIKELIHOOD, abs=0.5)


def test_fitting_grouped_customers_is_fitting_each(cdnow):
    keys = np.stack([cdnow["x"], cdnow["t_x"], cdnow["T"]], axis=1)
    unique, counts = np.unique(keys, axis=0, return_counts=True)
    grouped = btyd.fit_bgnbd(unique[:, 0], unique[:, 1], unique[:, 2], counts)
    assert len(unique) < len(keys)
    assert grouped.r == pytest.approx(BGNBD_PUBLISHED["r"], rel=0.01)
    assert grouped.log_likelihood == pytest.approx(BGNBD_LOG_LIKELIHOOD, abs=0.5)


def test_gamma_gamma_fits_the_published_estimates_on_cdnow(cdnow):
    fit = btyd.fit_gamma_gamma(cdnow["x"], cdnow["m"])
    for name, published in GAMMA_GAMMA_PUBLISHED.items():
        assert getattr(fit, name) == pytest.approx(published, rel=0.01), name


def test_gamma_gamma_is_the_same_in_any_currency_unit(cdnow):
    """Rials are ten times Tomans: γ scales, p and q do not, the likelihood shifts by n ln 10."""
    dollars = btyd.fit_gamma_gamma(cdnow["x"], cdnow["m"])
    tenfold = btyd.fit_gamma_gamma(cdnow["x"], cdnow["m"] * 10)
    assert tenfold.p == pytest.approx(dollars.p, rel=1e-3)
    assert tenfold.gamma == pytest.approx(dollars.gamma * 10, rel=1e-3)
    assert tenfold.log_likelihood == pytest.approx(dollars.log_likelihood - 946 * np.log(10), rel=1e-6)


# --- simulated from known parameters: always runs ---------------------------------------------

TRUE_PURCHASES = btyd.BgNbd(r=0.25, alpha=4.0, a=0.8, b=2.5)
TRUE_SPEND = btyd.GammaGamma(p=6.0, q=4.0, gamma=15.0)


@pytest.fixture(scope="module")
def simulated() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1404)
    customers = 20_000
    who, week, value = btyd.simulate(rng, customers, TRUE_PURCHASES, TRUE_SPEND, weeks=52)
    watched = rng.uniform(26, 52, customers)  # customers came at different times
    seen = week <= watched[who]
    who, week, value = who[seen], week[seen], value[seen]
    x = np.bincount(who, minlength=customers) - 1.0
    last = np.zeros(customers)
    np.maximum.at(last, who, week)
    repeat = np.bincount(who, weights=np.where(week > 0, value, 0.0), minlength=customers)
    return {"x": x, "t_x": last, "T": watched, "m": np.where(x > 0, repeat / np.maximum(x, 1), 0.0)}


def test_bgnbd_recovers_the_parameters_it_was_simulated_from(simulated):
    fit = btyd.fit_bgnbd(simulated["x"], simulated["t_x"], simulated["T"])
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fit, name) == pytest.approx(getattr(TRUE_PURCHASES, name), rel=0.15), name


def test_gamma_gamma_recovers_the_parameters_it_was_simulated_from(simulated):
    fit = btyd.fit_gamma_gamma(simulated["x"], simulated["m"])
    for name in ("p", "q", "gamma"):
        assert getattr(fit, name) == pytest.approx(getattr(TRUE_SPEND, name), rel=0.15), name


def test_fits_refuse_what_cannot_identify_them():
    with pytest.raises(btyd.FitError):
        btyd.fit_bgnbd([0, 0, 0], [0, 0, 0], [10, 20, 30])
    with pytest.raises(btyd.FitError):
        btyd.fit_bgnbd([2], [5], [3])  # t_x after T
    with pytest.raises(btyd.FitError):
        btyd.fit_gamma_gamma([0, 3], [0, 10])


# --- the predictions ---------------------------------------------------------------------------


def test_someone_who_never_bought_again_is_alive_and_the_longer_silent_the_less():
    model = TRUE_PURCHASES
    assert model.probability_alive(0, 0, 30)[()] == 1.0
    alive = model.probability_alive([3, 3, 3], [10, 10, 10], [12, 30, 52])
    assert alive[0] > alive[1] > alive[2] > 0


def test_expected_purchases_grow_with_time_and_match_a_new_customers_at_the_start():
    model = TRUE_PURCHASES
    weeks = np.array([4.0, 13.0, 52.0])
    expected = model.expected_purchases(weeks, 2, 20, 30)
    assert np.all(np.diff(expected) > 0)
    # Conditioning on nothing seen (x = 0 at T = 0) leaves the unconditional expectation.
    assert model.expected_purchases(13.0, 0, 0, 0) == pytest.approx(
        model.expected_purchases_new(13.0), rel=1e-9
    )


def test_expected_spend_shrinks_a_customers_own_mean_towards_the_populations():
    spend = TRUE_SPEND
    population = spend.mean_spend
    few, many = spend.expected_spend([1, 20], [100.0, 100.0])
    # More purchases, more weight on the customer's own mean of 100.
    assert population < few < many < 100.0
    assert spend.expected_spend(0, 0)[()] == pytest.approx(spend.gamma * spend.p / (spend.q - 1))


def test_lifetime_value_without_discount_is_purchases_times_spend_times_margin():
    x, t_x, T, m = np.array([0.0, 4.0]), np.array([0.0, 20.0]), np.array([10.0, 30.0]), np.array([0.0, 40.0])
    value = btyd.lifetime_value(
        TRUE_PURCHASES, TRUE_SPEND, x, t_x, T, m, months=12, monthly_discount=0, margin=0.5
    )
    expected = TRUE_PURCHASES.expected_purchases(12 * btyd.WEEKS_PER_MONTH, x, t_x, T)
    assert value == pytest.approx(expected * TRUE_SPEND.expected_spend(x, m) * 0.5)
    discounted = btyd.lifetime_value(
        TRUE_PURCHASES, TRUE_SPEND, x, t_x, T, m, months=12, monthly_discount=0.03, margin=0.5
    )
    assert np.all(discounted < value)
