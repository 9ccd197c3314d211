"""Brian2's runtime mode with NumPy code generation: no compiler needed."""

from __future__ import annotations

import contextlib
import time

from .base import Backend, Timings, register


@register
class RuntimeBackend(Backend):
    name = "runtime"

    @classmethod
    @contextlib.contextmanager
    def activated(cls, directory, **options):
        from brian2 import prefs, set_device

        set_device("runtime")
        prefs.codegen.target = "numpy"
        yield cls()

    def run(self, network, duration, progress=None) -> Timings:
        from brian2 import second

        t0 = time.perf_counter()
        network.run(0 * second)  # generates the code objects
        t1 = time.perf_counter()
        report = None
        if progress is not None:
            report = lambda elapsed, complete, start, total: progress(float(complete))  # noqa: E731
        network.run(duration, report=report, report_period=1 * second)
        return Timings(build_seconds=t1 - t0, run_seconds=time.perf_counter() - t1)
