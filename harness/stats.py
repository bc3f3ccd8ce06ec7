"""Statistics for comparing backends, from scipy (imported on first use)."""

from __future__ import annotations

from harness.errors import HarnessError


def _binomtest():
    try:
        from scipy.stats import binomtest
    except ImportError:
        raise HarnessError("the statistics need scipy: pip install 'wic-harness[report]'"
                           ) from None
    return binomtest


def wilson_interval(passed: int, total: int, alpha: float = 0.05) -> tuple[float, float]:
    """The Wilson score interval of an accuracy (95% by default)."""
    if total == 0:
        return float("nan"), float("nan")
    interval = _binomtest()(passed, total).proportion_ci(1 - alpha, method="wilson")
    return float(interval.low), float(interval.high)


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Exact McNemar test: the two-sided binomial p-value of the discordant pairs (expectations
    one backend passes and the other fails). 1.0 when there are none."""
    if only_a + only_b == 0:
        return 1.0
    return float(_binomtest()(only_a, only_a + only_b, 0.5).pvalue)
