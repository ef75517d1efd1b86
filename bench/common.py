"""Timing helpers and the report format shared by the benchmarks."""
from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    name: str
    per_op_ms: float
    baseline_name: str
    baseline_ms: float
    target: float
    unit: str = "ms/op"

    @property
    def ratio(self) -> float:
        return self.per_op_ms / self.baseline_ms

    @property
    def ok(self) -> bool:
        return self.ratio <= self.target

    def row(self) -> str:
        verdict = "meets" if self.ok else "MISSES"
        return (f"| {self.name} | {self.per_op_ms:.2f} | {self.baseline_name} | "
                f"{self.baseline_ms:.2f} | {self.ratio:.2f}x | ≤ {self.target:.2f}x ({verdict}) |")


def median_ms(fn: Callable[[], object], n: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, {cpu}"


def table(title: str, results: list[Result]) -> str:
    head = ("| measurement | ms/op | baseline | baseline ms/op | ratio | target |\n"
            "| --- | --- | --- | --- | --- | --- |")
    return f"### {title}\n\n{head}\n" + "\n".join(r.row() for r in results) + "\n"
