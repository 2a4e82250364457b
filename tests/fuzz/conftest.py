"""Hypothesis profiles for the parser fuzz tests.

The default run keeps every fuzz test to a few hundred inputs so CI stays fast;
`BALIE_FUZZ=long` (used by benchmarks/fuzz.py) lifts the limit to `BALIE_FUZZ_EXAMPLES` so the
same properties run for as long as the caller lets them.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=300, deadline=None, derandomize=True)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("BALIE_FUZZ_EXAMPLES", "10000000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("long" if os.environ.get("BALIE_FUZZ") == "long" else "ci")
