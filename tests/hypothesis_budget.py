"""How many examples a property with an explicit budget runs, scaled to the active profile.

A ``@settings(max_examples=...)`` on a test wins over any profile, so a profile alone cannot
make such a test run longer. Properties whose budget is set in code call :func:`examples`,
which scales their budget by the active profile's ``max_examples`` over hypothesis' default
of 100. ``tests/conftest.py`` registers ``x10``::

    .venv/bin/python -m pytest -p no:cacheprovider --hypothesis-profile=x10 <paths>

``ci`` (loaded when ``CI=true``, or with ``--hypothesis-profile=ci``) keeps hypothesis' default
budget for most properties; those that drive the public flows from the recorded fixtures take
:func:`per_flow` examples per call: :data:`CI_EXAMPLES_PER_FLOW` there.
"""

from __future__ import annotations

from hypothesis import settings

HYPOTHESIS_DEFAULT_EXAMPLES = 100
CI_PROFILE = "ci"
CI_EXAMPLES_PER_FLOW = 2000
# Outside CI: enough to catch a regression in a targeted run, fast on a shared machine.
LOCAL_EXAMPLES_PER_FLOW = 60


def examples(budget: int) -> int:
    """``budget`` scaled by the active profile (``budget`` itself under the default one)."""
    return max(1, budget * settings().max_examples // HYPOTHESIS_DEFAULT_EXAMPLES)


def per_flow() -> int:
    """Examples per public call of the recorded-flow properties: 2,000 under ``ci``, else
    :data:`LOCAL_EXAMPLES_PER_FLOW` scaled by the active profile (``x10``: 600)."""
    if settings.get_current_profile_name() == CI_PROFILE:
        return CI_EXAMPLES_PER_FLOW
    return examples(LOCAL_EXAMPLES_PER_FLOW)
