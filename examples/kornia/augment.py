"""Kornia augmentation built in Python source: ``python -m safeaug lint examples/kornia/augment.py --policy ocr``
reads it without running it. Refused for OCR: the flip mirrors glyphs and the random order may apply the turn
of up to 10 degrees twice (``random_apply=3`` draws three of two members, with replacement)."""

import kornia.augmentation as K

augment = K.ImageSequential(
    K.RandomHorizontalFlip(p=0.5),
    K.RandomRotation(degrees=10.0, p=0.5),
    random_apply=3,
)
