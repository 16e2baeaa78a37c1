"""Synthetic chest films: frontal radiograph-like images with the heart shadow on the patient's left.

Not real anatomy, but the features that make a mirrored or overturned film wrong are there: the heart
bulges to the patient's left (the viewer's right), the left hemidiaphragm sits lower with a gastric
bubble under it, the spine runs down the middle, and a burned-in "L" marker sits on the patient's left.
Values are 12-bit (0-4095) in a 16-bit PNG, as many detectors store them, so a viewer needs a window.
Each film comes with a lung mask and a box around the heart, to show labels drawn over the images.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def chest_film(size: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """A 12-bit film (uint16), its lung mask (uint8) and the heart's box ``[x1, y1, x2, y2]`` in pixels."""
    rng = np.random.default_rng(seed)
    s = size
    img = np.full((s, s), 0.08, np.float32)  # air around the patient
    body = np.zeros((s, s), np.uint8)
    cv2.ellipse(body, (s // 2, int(s * 0.6)), (int(s * 0.46), int(s * 0.62)), 0, 0, 360, 1, -1)
    img[body > 0] = 0.55  # soft tissue
    lungs = np.zeros((s, s), np.uint8)
    tilt = rng.uniform(-3, 3)
    # image left = patient's right; the left hemidiaphragm (image right) sits lower
    cv2.ellipse(lungs, (int(s * 0.33), int(s * 0.47)), (int(s * 0.14), int(s * 0.27)), tilt, 0, 360, 1, -1)
    cv2.ellipse(lungs, (int(s * 0.67), int(s * 0.49)), (int(s * 0.14), int(s * 0.29)), -tilt, 0, 360, 1, -1)
    img[lungs > 0] = 0.18
    for k in range(7):  # ribs: bright arcs across both lungs
        y = int(s * (0.26 + 0.065 * k))
        for cx, sign in ((int(s * 0.33), 1), (int(s * 0.67), -1)):
            arc = np.zeros((s, s), np.uint8)
            cv2.ellipse(arc, (cx, y), (int(s * 0.16), int(s * 0.05)), 8 * sign, 180, 360, 1, max(1, s // 128))
            img[(arc > 0) & (lungs > 0)] += 0.12
    heart_w = int(s * rng.uniform(0.15, 0.19))
    heart = np.zeros((s, s), np.uint8)
    centre = (int(s * 0.56), int(s * 0.62))  # bulges to the image right: the patient's left
    cv2.ellipse(heart, centre, (heart_w, int(s * 0.13)), -25, 0, 360, 1, -1)
    img[heart > 0] = 0.62
    spine = slice(int(s * 0.47), int(s * 0.53))
    img[:, spine] = np.maximum(img[:, spine], 0.7 * (body[:, spine] > 0))
    cv2.circle(img, (int(s * 0.7), int(s * 0.8)), int(s * 0.04), 0.12, -1)  # gastric bubble under the left dome
    marker = np.zeros((s, s), np.uint8)  # OpenCV writes text on 8-bit images only
    cv2.putText(marker, "L", (int(s * 0.84), int(s * 0.14)), cv2.FONT_HERSHEY_SIMPLEX, s / 200, 1, max(1, s // 100))
    img[marker > 0] = 1.0
    img = cv2.GaussianBlur(img, (0, 0), s / 256 * 1.2)
    img += rng.normal(0, 0.01, img.shape).astype(np.float32)
    film = (np.clip(img, 0, 1) * 4095).astype(np.uint16)
    ys, xs = np.nonzero(heart)
    box = [float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())]
    return film, (lungs * 255).astype(np.uint8), box


def write_films(folder: Path, count: int = 3, size: int = 256) -> tuple[list[Path], dict[str, dict[str, object]]]:
    """Write ``count`` films and their masks; return the film paths and the labels for ``safeaug review``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths, labels = [], {}
    for k in range(count):
        film, mask, box = chest_film(size, seed=k)
        path = folder / f"film{k + 1}.png"
        cv2.imwrite(str(path), film)
        cv2.imwrite(str(folder / f"film{k + 1}-lungs.png"), mask)
        paths.append(path)
        labels[path.name] = {"mask": f"film{k + 1}-lungs.png", "bboxes": [box]}
    return paths, labels
