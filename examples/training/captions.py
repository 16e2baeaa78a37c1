"""Image-caption pairs: flip and colour-jitter only where the caption stays true.

HorizontalFlipWithCaption swaps "left" and "right" in the caption when it mirrors the image, and skips
the flip for captions it cannot rewrite ("clockwise", text in the image, ...).
ColorJitterUnlessCaptionNamesColor skips the jitter when the caption names a colour. Both are accepted
by the vision_language policy, which refuses plain HorizontalFlip and ColorJitter.
Run: python examples/training/captions.py
"""

import albumentations as A
import numpy as np

import safeaug

# A tiny dataset: random images stand in for photos; the captions are what matters here.
CAPTIONS = [
    "a dog on the left of a bench",
    "the leftmost car is parked, the other turns right",
    "a red kite in the top-right corner",
    "a wheel turning clockwise",
    "a sign that says STOP",
    "two people, one on the Left",
]
rng = np.random.default_rng(0)
DATASET = [(rng.integers(0, 256, (64, 96, 3), dtype=np.uint8), caption) for caption in CAPTIONS]

for plain in (A.HorizontalFlip(), A.ColorJitter()):
    report = safeaug.validate([plain], "vision_language")
    print(f"{type(plain).__name__} under vision_language: {'accepted' if report.ok else 'refused'}")



def decided(out: dict, transform: A.BasicTransform) -> dict:
    """What ``transform`` decided in the call that gave ``out`` ({} when its coin said no).

    albumentations 2.0 records it in ``applied_transforms``; AlbumentationsX records only the transform's
    arguments there and keeps the decision in ``transform.params["params"]``.
    """
    name = type(transform).__name__
    for applied, params in out["applied_transforms"]:
        if applied.rsplit(".", 1)[-1] == name:
            return transform.params.get("params", params)
    return {}


flip = safeaug.HorizontalFlipWithCaption(key="caption", p=1.0)  # p=1 so every sample shows its decision
jitter = safeaug.ColorJitterUnlessCaptionNamesColor(brightness=0.2, saturation=0.3, hue=0.05, p=1.0)
pipeline = safeaug.Compose(
    [
        flip,
        jitter,
        A.RandomResizedCrop(size=(64, 64), scale=(0.5, 1.0)),
    ],
    policy="vision_language",
    save_applied_params=True,
    seed=0,
)
print("HorizontalFlipWithCaption + ColorJitterUnlessCaptionNamesColor under vision_language: accepted")

for image, caption in DATASET:
    out = pipeline(image=image, caption=caption)
    flipped, jittered = decided(out, flip), decided(out, jitter)
    print(f"{caption!r} -> {out['caption']!r}")
    print(
        f"    flipped={flipped['flip']} ({flipped['skipped'] or 'rewritten'}); "
        f"colour jittered={jittered['jitter']} ({jittered['skipped'] or 'no colour word'})"
    )
