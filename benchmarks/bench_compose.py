"""safeaug.Compose per-sample cost, as ratios against albumentations.Compose measured in the same run.

For a typical chest X-ray training pipeline on grey 224x224, 256x256 and 512x512 images:

1. throughput of ``safeaug.Compose`` (audit off) against ``albumentations.Compose``. Target: ratio >= 0.99;
2. throughput with ``audit=True``, and its overhead in microseconds per sample. Target at 224x224:
   ratio >= 0.995;
3. the audit's own checks (the unchanged-pipeline check and the reading of applied parameters), timed
   inside real calls at 224x224, where the image work before them has evicted their data from the
   caches (with the throughput ratio their time alone would give: a figure without the rounds' noise),
   and timed alone in a warm loop; and, for comparison, what ``save_applied_params=True`` costs
   albumentations per sample (the other way to see the applied parameters).

Every round rebuilds each pipeline with the round number as seed, in a fresh random order, and runs the
same number of calls, so the pipelines draw the same parameters and drift hits all alike; a second
``albumentations.Compose`` built alike shows this machine's noise floor. Each size starts with an
untimed round. Ratios are medians of per-round ratios, with a 95% interval for that median (from the
order statistics of the rounds): a verdict whose interval straddles the target is within this
machine's noise, and says so.

    python benchmarks/bench_compose.py [--rounds 25] [--calls 20]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import albumentations as A
import numpy as np

import safeaug

warnings.filterwarnings("ignore")

AUDIT_TARGET = 0.995  # throughput of audit=True against albumentations.Compose at 224x224


def transforms() -> list[Any]:
    return [
        A.Affine(rotate=(-10, 10), scale=(0.9, 1.1), translate_percent=(-0.05, 0.05), p=0.7),
        A.OneOf([A.ElasticTransform(alpha=30, sigma=6), A.GridDistortion(distort_limit=0.2)], p=0.3),
        A.RandomBrightnessContrast(brightness_limit=0.15, contrast_limit=0.15, p=0.8),
        A.RandomGamma(gamma_limit=(85, 115), p=0.5),
        A.CLAHE(clip_limit=2.0, p=0.2),
        A.GaussNoise(std_range=(0.01, 0.03), p=0.2),
    ]


BUILDERS: dict[str, Callable[[int], Any]] = {
    "albumentations": lambda seed: A.Compose(transforms(), seed=seed),
    "albumentations again": lambda seed: A.Compose(transforms(), seed=seed),
    "safeaug": lambda seed: safeaug.Compose(transforms(), policy="chest_xray", seed=seed),
    "safeaug audit": lambda seed: safeaug.Compose(transforms(), policy="chest_xray", seed=seed, audit=True),
    "albumentations save_applied_params": lambda seed: A.Compose(transforms(), seed=seed, save_applied_params=True),
}


def per_call(fn: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def median_interval(values: list[float]) -> tuple[float, float]:
    """A distribution-free 95% interval for the median of ``values`` (order statistics, normal approximation)."""
    ordered = sorted(values)
    n = len(ordered)
    half = 1.96 * math.sqrt(n) / 2
    lo, hi = max(0, math.floor(n / 2 - half)), min(n - 1, math.ceil(n / 2 + half) - 1)
    return ordered[lo], ordered[hi]


def bench_size(size: int, rounds: int, calls: int) -> dict[str, list[float]]:
    """Seconds per call of every pipeline, one entry per round (after one untimed round)."""
    image = np.random.default_rng(size).integers(0, 256, (size, size), dtype=np.uint8)
    names = list(BUILDERS)
    for name in names:  # warm-up: lazy imports, first-touch of the heap, caches of every pipeline's code
        pipeline = BUILDERS[name](rounds)
        per_call(lambda p=pipeline: p(image=image), calls)
    took: dict[str, list[float]] = {name: [] for name in names}
    for i in range(rounds):
        # A fresh random order each round: a rotation keeps neighbours together, so whatever one pipeline
        # leaves in the caches would always be met by the same next one.
        order = random.Random(i).sample(names, len(names))
        built = {name: BUILDERS[name](i) for name in order}
        for name in order:
            took[name].append(per_call(lambda p=built[name]: p(image=image), calls))
    return took


def bench_checks(rounds: int) -> tuple[float, float]:
    """Microseconds of the audit's unchanged-pipeline check, and of reading the applied parameters, alone."""
    safe = safeaug.Compose(transforms(), policy="chest_xray", seed=0, audit=True)
    image = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)
    safe(image=image)
    auditor = safe._auditor
    assert auditor is not None
    before, after = [], []
    unseen = [None] * len(auditor.seen)

    def read_applied() -> None:
        auditor.seen = list(unseen)  # as if every transform had just run
        auditor.after(safe)

    for _ in range(rounds):
        before.append(per_call(lambda: auditor.before(safe), 2000))
        safe(image=image)
        after.append(per_call(read_applied, 2000))
    return statistics.median(before) * 1e6, statistics.median(after) * 1e6


def bench_checks_in_calls(size: int, rounds: int, calls: int) -> tuple[float, float]:
    """Microseconds of the same two checks timed inside real calls of ``size`` x ``size`` images."""
    image = np.random.default_rng(size).integers(0, 256, (size, size), dtype=np.uint8)
    before: list[float] = []
    after: list[float] = []
    clock = time.perf_counter

    for i in range(rounds):
        safe = safeaug.Compose(transforms(), policy="chest_xray", seed=i, audit=True)
        auditor = safe._auditor
        assert auditor is not None
        check, read = auditor.before, auditor.after

        def timed_check(owner: Any, check: Callable[[Any], None] = check) -> None:
            start = clock()
            check(owner)
            before.append(clock() - start)

        def timed_read(owner: Any, read: Callable[[Any], None] = read) -> None:
            start = clock()
            read(owner)
            after.append(clock() - start)

        auditor.before, auditor.after = timed_check, timed_read  # type: ignore[method-assign]
        for _ in range(calls):
            safe(image=image)
    return statistics.median(before) * 1e6, statistics.median(after) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    budget = 0.0
    base_224 = 0.0
    for size in (224, 256, 512):
        took = bench_size(size, args.rounds, args.calls)
        base = took["albumentations"]
        if size == 224:  # what the audit target leaves for the audit per sample
            base_224 = statistics.median(base) * 1e6
            budget = (1 / AUDIT_TARGET - 1) * base_224

        def ratios(name: str, base: list[float] = base, took: dict[str, list[float]] = took) -> list[float]:
            # Paired per round: the same seed draws the same parameters, so the ratio cancels their cost.
            return [b / t for b, t in zip(base, took[name], strict=True)]

        def ratio(name: str) -> float:
            return statistics.median(ratios(name))

        def interval(name: str) -> str:
            lo, hi = median_interval(ratios(name))
            return f"[{lo:.3f}, {hi:.3f}]"

        def judged(name: str, target: float) -> str:
            """OK or MISSED by the median; either is only noise when the interval holds the target."""
            lo, hi = median_interval(ratios(name))
            verdict = "OK" if ratio(name) >= target else "MISSED"
            return f"{verdict}, within this machine's noise" if lo < target <= hi else verdict

        def extra_us(name: str, base: list[float] = base, took: dict[str, list[float]] = took) -> float:
            return statistics.median(t - b for b, t in zip(base, took[name], strict=True)) * 1e6

        off, on = ratio("safeaug"), ratio("safeaug audit")
        verdict = judged("safeaug", 0.99)
        print(f"{size}x{size} grey, albumentations.Compose {statistics.median(base) * 1e6:.0f} us per sample:")
        print(
            f"  safeaug.Compose, audit off: throughput ratio {off:.3f} {interval('safeaug')} (target >= 0.99) {verdict}"
        )
        target = ""
        if size == 224:
            target = f" (target >= {AUDIT_TARGET}) {judged('safeaug audit', AUDIT_TARGET)}"
        print(
            f"  safeaug.Compose, audit on:  throughput ratio {on:.3f} {interval('safeaug audit')}{target}, "
            f"{extra_us('safeaug audit'):+.1f} us per sample"
        )
        saved = extra_us("albumentations save_applied_params")
        print(f"  albumentations with save_applied_params=True: {saved:+.1f} us per sample")
        floor = ratio("albumentations again")
        print(
            "  noise floor (albumentations.Compose against a second one built alike): "
            f"{floor:.3f} {interval('albumentations again')}"
        )
    check, applied = bench_checks_in_calls(224, args.rounds, args.calls)
    print(
        f"audit checks inside 224x224 calls: unchanged-pipeline check {check:.1f} us, "
        f"applied-parameter reading {applied:.1f} us; as a throughput ratio on their own "
        f"{base_224 / (base_224 + check + applied):.3f} (target >= {AUDIT_TARGET})"
    )
    check, applied = bench_checks(args.rounds)
    print(f"audit checks alone: unchanged-pipeline check {check:.1f} us, applied-parameter reading {applied:.1f} us")
    print(
        f"the audit target leaves {budget:.1f} us per 224x224 sample; the two checks alone, warm, take "
        f"{check + applied:.1f} us"
    )


if __name__ == "__main__":
    main()
