from __future__ import annotations

import os
import warnings

import pytest
from hypothesis import HealthCheck, settings

from safeaug.validators import memo

# "ci" keeps the whole suite within CI's budget on 2 cores and draws the same examples on every run, so that a
# red CI run points at a change, not at a new draw; "thorough" draws new examples each time, for soak runs that
# look for what CI's fixed draws miss.
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# albumentations warns about argument renames and update checks; tests assert on safeaug's behaviour.
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
warnings.filterwarnings("ignore", module="albumentations")


@pytest.fixture(autouse=True)
def _verdicts_judged_afresh() -> None:
    """Each test starts with no verdict kept from another (``safeaug.validators.memo``): a test that patches
    safeaug's own code, or simulates another albumentations line, sees its own verdicts."""
    memo.forget()
