"""Time to build an expert review against running the pipeline on the same images, measured in one run.

Three generated 256x256 12-bit chest films (examples/review/films.py) and the walk-through's pipeline
(examples/review/train.yaml: Affine, RandomBrightnessContrast, RandomGamma, GaussNoise). Reported:

1. the time ``safeaug.review.build`` takes to write the page (every effect at 25-100% of its bound in
   each direction on each film, 4 random draws per film, the PNGs and review.yaml), split into planning
   (reading the catalog) and the rest;
2. the time ``albumentations.Compose`` takes to run the pipeline once on each of the three films;
3. their ratio, and the review's cost per picture shown against one pipeline call (what is left is
   PNG encoding and building each pinned transform).

Medians over rounds; the review is built into a fresh folder each round.

    python benchmarks/bench_review.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import albumentations as A
import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "review"))

from films import write_films

from safeaug.readers import read_pipeline
from safeaug.review import build
from safeaug.review.builder import build_live
from safeaug.review.extremes import plan_transform

warnings.filterwarnings("ignore")
CONFIG = Path(__file__).resolve().parents[1] / "examples" / "review" / "train.yaml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-review-"))
    films, _ = write_films(work / "films")
    images = [cv2.imread(str(f), cv2.IMREAD_UNCHANGED).astype(np.float32) / 4095 for f in films]
    root = read_pipeline(CONFIG)
    pipeline = A.Compose(build_live(root).transforms, seed=0)
    build(CONFIG, "chest_xray", films, work / "warm", samples=4)  # imports and caches out of the timing

    review_s, plan_s, pipeline_s, pictures = [], [], [], 0
    for r in range(args.rounds):
        start = time.perf_counter()
        for leaf in root.leaves():
            plan_transform(leaf)
        plan_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        review = build(CONFIG, "chest_xray", films, work / f"round{r}", samples=4)
        review_s.append(time.perf_counter() - start)
        pictures = len(review.items) + len(films)
        calls = 50
        start = time.perf_counter()
        for _ in range(calls):
            for img in images:
                pipeline(image=img)
        pipeline_s.append((time.perf_counter() - start) / calls)

    rev, plan, pipe = statistics.median(review_s), statistics.median(plan_s), statistics.median(pipeline_s)
    per_call = pipe / len(images)
    print(f"review of {len(films)} films: {pictures} pictures (originals included), {args.rounds} rounds, medians")
    print(f"  build the review            {rev * 1000:9.1f} ms  (planning from the catalog {plan * 1000:.1f} ms)")
    print(f"  run the pipeline on 3 films {pipe * 1000:9.3f} ms  ({per_call * 1e6:.0f} us per call)")
    print(f"  ratio review / pipeline     {rev / pipe:9.0f}x")
    print(f"  per picture shown           {rev / pictures * 1000:9.2f} ms = {rev / pictures / per_call:.0f}x one call")


if __name__ == "__main__":
    main()
