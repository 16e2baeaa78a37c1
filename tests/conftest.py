from __future__ import annotations

import os
import warnings

from hypothesis import HealthCheck, settings

# "ci" keeps the whole suite within CI's budget on 2 cores; "thorough" is for local soak runs.
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=False
)
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# albumentations warns about argument renames and update checks; tests assert on safeaug's behaviour.
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
warnings.filterwarnings("ignore", module="albumentations")
