# expect:
# policy: face_landmarks
"""A landmark pipeline with the keypoint-swapping flip, read without being run."""

import albumentations as A

import safeaug

PAIRS = [(36, 45), (39, 42), (48, 54)]

train = A.Compose(
    [
        safeaug.HorizontalFlipWithKeypointSwap(pairs=PAIRS, p=0.5),
        A.Affine(rotate=(-15, 15), scale=(0.9, 1.1), p=0.5),
    ],
    keypoint_params=A.KeypointParams(format="xy", remove_invisible=False),
)
