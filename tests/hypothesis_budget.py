"""How many examples a property with an explicit budget runs, scaled to the active profile.

A ``@settings(max_examples=...)`` on a test wins over any profile, so a profile alone cannot
make such a test run longer. Properties whose budget is set in code call :func:`examples`,
which scales their budget by the active profile's ``max_examples`` over hypothesis' default
of 100. ``tests/conftest.py`` registers ``x10``::

    .venv/bin/python -m pytest -p no:cacheprovider --hypothesis-profile=x10 <paths>
"""

from __future__ import annotations

from hypothesis import settings

HYPOTHESIS_DEFAULT_EXAMPLES = 100


def examples(budget: int) -> int:
    """``budget`` scaled by the active profile (``budget`` itself under the default one)."""
    return max(1, budget * settings().max_examples // HYPOTHESIS_DEFAULT_EXAMPLES)
