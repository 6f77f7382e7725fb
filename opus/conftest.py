"""Hypothesis profiles: tests must never fail on timing, however busy the machine.

`ci` (the default, used by `make test` and CI) has no deadline and no `too_slow` health check:
a property test on a 2-core machine running other work can take many times longer than on a
quiet one, and that says nothing about the code. `dev` keeps Hypothesis's own timing checks
for anyone who wants them while writing a test (`HYPOTHESIS_PROFILE=dev`).
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("dev")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
