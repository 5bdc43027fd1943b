"""Settings shared by the benchmark modules (imported by name: pytest puts this folder on ``sys.path``)."""
from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUICK = os.environ.get("SIM_BENCH_QUICK", "") not in ("", "0")
"""Quick mode: tiny scales, a short horizon, no scale 10 (``SIM_BENCH_QUICK=1``)."""
SEED = 1


def best_of(function, repeat: int) -> float:
    """Shortest wall time of ``repeat`` calls of ``function()``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best
