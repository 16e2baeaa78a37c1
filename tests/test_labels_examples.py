"""The label-aware training examples run and say what they should."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "training"


def _run(name: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=300, cwd=EXAMPLES.parent.parent
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_face_keypoints_example_keeps_the_left_eye_left() -> None:
    lines = _run("face_keypoints.py")
    assert lines[0] == "HorizontalFlip under face_landmarks: refused"
    assert lines[1].startswith("  SA101: `HorizontalFlip` may mirror the image")
    assert "swap_left_right_keypoints" not in lines[1]  # the message speaks of what it does, the fix names it
    assert "HorizontalFlipWithKeypointSwap under face_landmarks: accepted" in lines
    samples = [line for line in lines if line.startswith("sample ")]
    assert len(samples) == 8 and all(line.endswith("ok=True") for line in samples)
    mirrored = [re.search(r"mirrored=(\w+)", line).group(1) for line in samples]  # type: ignore[union-attr]
    assert set(mirrored) == {"True", "False"}
    for line in samples:
        left, right = (float(x) for x in re.findall(r"_eye x=\s*(-?\d+)", line))
        assert left > right
    assert lines[-1] == f"{mirrored.count('True')} of 8 samples mirrored; every left landmark kept its side"


def test_captions_example_rewrites_or_skips() -> None:
    lines = _run("captions.py")
    assert lines[:3] == [
        "HorizontalFlip under vision_language: refused",
        "ColorJitter under vision_language: refused",
        "HorizontalFlipWithCaption + ColorJitterUnlessCaptionNamesColor under vision_language: accepted",
    ]
    text = "\n".join(lines)
    assert "'a dog on the left of a bench' -> 'a dog on the right of a bench'" in text
    assert (
        "'the leftmost car is parked, the other turns right' -> 'the rightmost car is parked, the other turns left'"
        in text
    )
    assert "'a red kite in the top-right corner' -> 'a red kite in the top-left corner'" in text
    assert "colour jittered=False (caption names the colour 'red')" in text
    assert "'a wheel turning clockwise' -> 'a wheel turning clockwise'" in text
    assert "flipped=False (caption has 'clockwise'" in text
    assert "'a sign that says STOP' -> 'a sign that says STOP'" in text
    assert "'two people, one on the Left' -> 'two people, one on the Right'" in text
