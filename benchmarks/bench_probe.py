"""How long probing one transform to a verdict takes, against running it bare in albumentations.

Run: ``python benchmarks/bench_probe.py``. For each common transform of the catalog it times
``validate(A.Compose([t]), "natural", probe=True)`` with ``t`` turned into a user subclass that
overrides ``apply`` (so safeaug has no entry for it and probes it, 16 runs), and the same 16 runs
bare (``t(image=...)`` on a 64x64 image). It prints each, then the medians and their ratio. The
target is a median of at most 20 ms per transform to a verdict.
"""

from __future__ import annotations

import statistics
import time
import warnings
from typing import Any

import albumentations as A
import numpy as np

import safeaug
from safeaug.probing import probe

SEEDS = 16
REPEATS = 5
TARGET_MS = 20.0


def hidden(t: Any) -> Any:
    """The same transform as a user subclass that overrides ``apply``: safeaug has no entry for it, so it probes."""
    cls = type(t)

    def apply(self: Any, img: Any, *args: Any, **params: Any) -> Any:
        return cls.apply(self, img, *args, **params)

    sub = type(f"My{cls.__name__}", (cls,), {"apply": apply, "__module__": "bench_probe"})
    # Built as a user builds their subclass, so that its target functions are bound to it (a copy of ``t``
    # with its class swapped would keep ``t``'s, and every deep copy the probe makes would drag ``t`` along).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sub(**{**t.get_transform_init_args(), "p": t.p})


def common() -> list[Any]:
    return [
        A.HorizontalFlip(p=1),
        A.VerticalFlip(p=1),
        A.Rotate(limit=15, p=1),
        A.Affine(scale=(0.9, 1.1), rotate=(-10, 10), translate_percent=0.05, p=1),
        A.ShiftScaleRotate(p=1),
        A.RandomResizedCrop(size=(64, 64), scale=(0.8, 1.0), p=1),
        A.RandomBrightnessContrast(p=1),
        A.RandomGamma(p=1),
        A.HueSaturationValue(p=1),
        A.ColorJitter(p=1),
        A.CLAHE(p=1),
        A.GaussianBlur(p=1),
        A.GaussNoise(p=1),
        A.CoarseDropout(p=1),
        A.ElasticTransform(p=1),
        A.GridDistortion(p=1),
        A.InvertImg(p=1),
        A.ToGray(p=1),
    ]


def best_of(fn: Any) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    warnings.simplefilter("ignore")
    image = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    probe(A.NoOp())  # imports and caches out of the timing
    assert probe(hidden(A.HorizontalFlip(p=1))).envelope.mirror
    probed, bare = [], []
    print(f"{'transform':26s} {'probe+verdict':>14s} {'bare x16':>10s} {'ratio':>7s}")
    for t in common():
        pipeline = A.Compose([hidden(t)])
        assert safeaug.validate(pipeline, "natural", probe=True).codes().count("SA408") == 1

        def verdict(pipe: Any = pipeline) -> None:
            safeaug.validate(pipe, "natural", probe=True)

        def run_bare(tr: Any = t) -> None:
            for _ in range(SEEDS):
                tr(image=image)

        p_time, b_time = best_of(verdict), best_of(run_bare)
        probed.append(p_time)
        bare.append(b_time)
        print(f"{type(t).__name__:26s} {p_time * 1e3:11.1f} ms {b_time * 1e3:7.2f} ms {p_time / b_time:7.1f}")
    mp, mb = statistics.median(probed), statistics.median(bare)
    print(f"\nmedian: probe to a verdict {mp * 1e3:.1f} ms; bare albumentations x{SEEDS} {mb * 1e3:.2f} ms")
    print(f"ratio {mp / mb:.1f}")
    print(f"target: median <= {TARGET_MS:g} ms:", "met" if mp * 1e3 <= TARGET_MS else "NOT met")


if __name__ == "__main__":
    main()
