"""Face keypoints with a flip that swaps left and right landmarks.

A plain HorizontalFlip moves the person's left eye to the image's left while its keypoint is still
called "left_eye"; the face_landmarks policy refuses it. HorizontalFlipWithKeypointSwap mirrors the
image and renames each left/right pair, so the labels stay true. Run: python examples/training/face_keypoints.py
"""

import albumentations as A
from skimage.data import astronaut

import safeaug

# Hand-placed on skimage's astronaut photo (x, y in pixels). COCO convention: "left" is the person's
# left, which appears on the image's right.
KEYPOINTS = {
    "right_eye": (202, 101),
    "left_eye": (246, 102),
    "right_mouth": (204, 141),
    "left_mouth": (244, 141),
}
PAIRS = [("left_eye", "right_eye"), ("left_mouth", "right_mouth")]

plain = safeaug.validate([A.HorizontalFlip()], "face_landmarks")
print("HorizontalFlip under face_landmarks:", "accepted" if plain.ok else "refused")
for finding in plain.findings:
    print(f"  {finding.code}: {finding.message}")

swap = safeaug.HorizontalFlipWithKeypointSwap(pairs=PAIRS, p=0.5)
pipeline = safeaug.Compose(
    [
        swap,
        A.Affine(rotate=(-15, 15), scale=(0.9, 1.1), p=0.7),
    ],
    policy="face_landmarks",
    # The coordinate format is the first argument: `format` in albumentations 2.0, `coord_format` in AlbumentationsX.
    keypoint_params=A.KeypointParams("xy", label_fields=["names"]),
    save_applied_params=True,  # records each transform's decision, e.g. {"flip": True}
    seed=7,
)
print("HorizontalFlipWithKeypointSwap under face_landmarks: accepted")

image = astronaut()
flips = 0
for i in range(8):
    out = pipeline(image=image, keypoints=list(KEYPOINTS.values()), names=list(KEYPOINTS))
    points = dict(zip(out["names"], out["keypoints"], strict=True))
    # The flip's decision: in `applied_transforms` on albumentations 2.0; AlbumentationsX records only the
    # arguments there and keeps the decision in the transform's `params["params"]`.
    record = [params for name, params in out["applied_transforms"] if name.endswith(type(swap).__name__)]
    mirrored = bool(record) and bool(swap.params.get("params", record[0]).get("flip", False))
    flips += mirrored
    # The person's left eye must still be on the image's right, flipped or not.
    ok = points["left_eye"][0] > points["right_eye"][0] and points["left_mouth"][0] > points["right_mouth"][0]
    left, right = points["left_eye"][0], points["right_eye"][0]
    print(f"sample {i}: mirrored={mirrored!s:5} left_eye x={left:5.0f} right_eye x={right:5.0f} ok={ok}")
    assert ok, "left and right landmarks crossed"
print(f"{flips} of 8 samples mirrored; every left landmark kept its side")
