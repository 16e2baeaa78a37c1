"""validate() against constructing the same ``A.Compose`` (transforms included), measured in one run.

Three pipelines under the ``chest_xray`` policy:

(a) clean: 8 transforms, nothing refused. Target: ratio <= 0.05.
(b) refused: the same with three refused transforms (a mirror, a turn past the bound, a hue shift).
    Target: ratio <= 0.10.
(c) sizes: LongestMaxSize + PadIfNeeded + RandomResizedCrop and a few photometric transforms, with an
    input size, so the size walk and frame-loss reading run.

Ratios are reported on CPU time (``time.process_time``, steadier on a loaded machine) and on wall time,
with the garbage collector off while timing (as ``timeit`` does: a collection is paid by whichever side
happens to allocate when it falls due, not by the side that made the garbage).
Every pipeline judged for the verdict was built right before it and never judged before, as
``safeaug.Compose`` judges the transforms it is given; the same pipeline judged again (which caches kept
per object would flatter) is printed beside it. An equal pipeline built again gets the verdict kept for the
first (``safeaug.validators.memo``: kept by what the objects hold, not by which objects they are), so the
verdict figure is that of a program building its pipeline again; the figure with nothing kept (a pipeline
this process has not judged before) is printed beside it too.

    python benchmarks/bench_validate.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import gc
import inspect
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import albumentations as A
import bench_foundation  # beside this script

import safeaug

warnings.filterwarnings("ignore")


def clean() -> list[Any]:
    return bench_foundation.transforms()  # the same 8 transforms the foundation benchmark times


def refused() -> list[Any]:
    return [
        *clean(),
        A.HorizontalFlip(p=0.5),
        A.Rotate(limit=45, p=0.5),
        A.HueSaturationValue(hue_shift_limit=20, p=0.5),
    ]


def sizes() -> list[Any]:
    return [
        A.LongestMaxSize(max_size=512),
        A.PadIfNeeded(min_height=512, min_width=512),
        A.RandomResizedCrop(size=(448, 448), scale=(0.8, 1.0), ratio=(0.9, 1.1), p=1.0),
        A.RandomBrightnessContrast(brightness_limit=0.1, contrast_limit=0.1, p=0.5),
        A.RandomGamma(gamma_limit=(90, 110), p=0.5),
        A.GaussNoise(std_range=(0.01, 0.02), p=0.2),
    ]


CASES: dict[str, tuple[Callable[[], list[Any]], dict[str, Any], float | None, bool]] = {
    # name: (transforms, validate keywords, target ratio, expected report.ok)
    "clean 8": (clean, {}, 0.05, True),
    "clean 8 + 3 refused": (refused, {}, 0.10, False),
    "sizes (input 1024x768)": (sizes, {"input_size": (1024, 768)}, None, False),
}


def per_call(fn: Callable[[], Any], number: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) per call."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(number):
        fn()
    return (time.process_time() - cpu) / number, (time.perf_counter() - wall) / number


def each_fresh(build: Callable[[], Any], check: Callable[[Any], Any], number: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of ``check`` per pipeline, each built (untimed) right before it is judged."""
    cpu = wall = 0.0
    for _ in range(number):
        pipeline = build()
        c, w = time.process_time(), time.perf_counter()
        check(pipeline)
        cpu += time.process_time() - c
        wall += time.perf_counter() - w
    return cpu / number, wall / number


def bench(build: Callable[[], list[Any]], kwargs: dict[str, Any], ok: bool, rounds: int) -> dict[str, float]:
    """Each round builds 40 pipelines (timed), then judges 100 pipelines, each built right before it is judged
    and never judged before (as ``safeaug.Compose`` judges the transforms it is given), then the last of them
    100 times more (the same objects again, which per-object caches would flatter: shown apart, not the
    verdict)."""
    policy = safeaug.load_policy("chest_xray")
    pipeline = A.Compose(build())
    if "input_size" not in inspect.signature(safeaug.validate).parameters:
        kwargs = {}  # an older safeaug, measured for comparison, reads no input size
    report = safeaug.validate(pipeline, policy, **kwargs)
    assert report.ok is ok, report.codes()
    builds: list[tuple[float, float]] = []
    checks: list[tuple[float, float]] = []
    again: list[tuple[float, float]] = []
    unseen: list[tuple[float, float]] = []

    def check(pipe: Any) -> None:
        safeaug.validate(pipe, policy, **kwargs)

    gc.disable()  # as timeit does: a collection falls on whichever side allocated last, not on the one that made it
    try:
        for _ in range(rounds):  # interleaved, so drift hits both sides alike
            gc.collect()
            builds.append(per_call(lambda: A.Compose(build()), 40))
            checks.append(each_fresh(lambda: A.Compose(build()), lambda p: safeaug.validate(p, policy, **kwargs), 100))
            last = A.Compose(build())
            again.append(per_call(lambda p=last: safeaug.validate(p, policy, **kwargs), 100))
            unseen.append(each_fresh(lambda: (_forget(), A.Compose(build()))[1], lambda p: check(p), 40))
    finally:
        gc.enable()
    return {
        "validate_cpu": statistics.median(c[0] for c in checks),
        "build_cpu": statistics.median(b[0] for b in builds),
        "validate_wall": statistics.median(c[1] for c in checks),
        "build_wall": statistics.median(b[1] for b in builds),
        "again_cpu": statistics.median(a[0] for a in again),
        "unseen_cpu": statistics.median(u[0] for u in unseen),
    }


def _forget() -> None:
    """Drop the verdicts safeaug keeps of the pipelines it judged (an older safeaug, measured beside it, keeps none)."""
    try:
        from safeaug.validators import memo
    except ImportError:
        return
    memo.forget()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    for name, (build, kwargs, target, ok) in CASES.items():
        r = bench(build, kwargs, ok, args.rounds)
        cpu = r["validate_cpu"] / r["build_cpu"]
        wall = r["validate_wall"] / r["build_wall"]
        verdict = "" if target is None else f" (target <= {target}) {'OK' if cpu <= target else 'MISSED'}"
        print(
            f"{name}: validate() {r['validate_cpu'] * 1e6:.0f} us CPU / {r['validate_wall'] * 1e6:.0f} us wall; "
            f"A.Compose construction {r['build_cpu'] * 1e6:.0f} us CPU / {r['build_wall'] * 1e6:.0f} us wall; "
            f"ratio {cpu:.3f} CPU, {wall:.3f} wall{verdict}; "
            f"the same pipeline judged again: ratio {r['again_cpu'] / r['build_cpu']:.3f} CPU; "
            f"a pipeline not judged before in this process (nothing kept): "
            f"ratio {r['unseen_cpu'] / r['build_cpu']:.3f} CPU"
        )


if __name__ == "__main__":
    main()
