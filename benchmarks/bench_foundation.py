"""Foundation benchmarks, as ratios against albumentations itself, measured in one run.

1. ``safeaug.validate()`` on an 8-transform pipeline, against the time albumentations takes to
   construct the same ``Compose`` (transforms included). Target: ratio <= 0.1.
2. ``safeaug.Compose`` call throughput against ``albumentations.Compose`` on a 512x512 RGB image,
   same seed, interleaved rounds. Target: ratio >= 0.99.

    python benchmarks/bench_foundation.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import albumentations as A
import numpy as np

import safeaug

warnings.filterwarnings("ignore")


def transforms() -> list[Any]:
    return [
        A.Affine(rotate=(-10, 10), scale=(0.9, 1.1), translate_percent=(-0.05, 0.05), p=0.7),
        A.ElasticTransform(alpha=30, sigma=6, p=0.3),
        A.GridDistortion(num_steps=5, distort_limit=0.3, p=0.3),
        A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=0.8),
        A.RandomGamma(gamma_limit=(80, 120), p=0.5),
        A.CLAHE(clip_limit=2.0, p=0.3),
        A.GaussianBlur(sigma_limit=(0.3, 0.8), p=0.2),
        A.GaussNoise(std_range=(0.01, 0.03), p=0.2),
    ]


def per_call(fn: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def bench_validate(rounds: int) -> tuple[float, float]:
    policy = safeaug.load_policy("chest_xray")
    pipeline = A.Compose(transforms())
    assert safeaug.validate(pipeline, policy).ok
    build, check = [], []
    for _ in range(rounds):  # interleaved, so drift hits both sides alike
        build.append(per_call(lambda: A.Compose(transforms()), 50))
        check.append(per_call(lambda: safeaug.validate(pipeline, policy), 200))
    return statistics.median(build), statistics.median(check)


def bench_throughput(rounds: int) -> tuple[float, float]:
    """Median throughput ratios: safeaug.Compose and a second albumentations.Compose against albumentations.Compose.

    All pipelines are rebuilt with the round number as seed (in rotating order) and run the same
    number of calls, so they draw the same parameters; the albumentations-vs-albumentations pair shows
    the noise floor of this machine in the same run.
    """
    image = np.random.default_rng(0).integers(0, 256, (512, 512, 3), dtype=np.uint8)
    builders: dict[str, Callable[[], Any]] = {
        "safeaug": lambda seed: safeaug.Compose(transforms(), policy="chest_xray", seed=seed),
        "albumentations": lambda seed: A.Compose(transforms(), seed=seed),
        "albumentations again": lambda seed: A.Compose(transforms(), seed=seed),
    }
    ratios: dict[str, list[float]] = {"ours": [], "again": []}
    names = list(builders)
    for i in range(rounds):
        order = names[i % len(names) :] + names[: i % len(names)]
        built = {name: builders[name](i) for name in order}
        took: dict[str, float] = {}
        for name in order:
            took[name] = per_call(lambda p=built[name]: p(image=image), 20)
        # Paired per round: the same seed draws the same parameters, so the ratio cancels their cost.
        ratios["ours"].append(took["albumentations"] / took["safeaug"])
        ratios["again"].append(took["albumentations"] / took["albumentations again"])
    return statistics.median(ratios["ours"]), statistics.median(ratios["again"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    build, check = bench_validate(args.rounds)
    ratio = check / build
    print(
        f"validate(): {check * 1e6:.0f} us; A.Compose construction: {build * 1e6:.0f} us; "
        f"ratio {ratio:.3f} (target <= 0.1) {'OK' if ratio <= 0.1 else 'MISSED'}"
    )
    ratio, floor = bench_throughput(args.rounds)
    print(
        f"call on 512x512: throughput of safeaug.Compose / albumentations.Compose {ratio:.3f} "
        f"(target >= 0.99) {'OK' if ratio >= 0.99 else 'MISSED'}; noise floor, albumentations.Compose against "
        f"a second one built alike: {floor:.3f}"
    )


if __name__ == "__main__":
    main()
