"""The wording of a transform that breaks a bound alone is kept between validate() calls: it must read the
same as wording made afresh, whatever was worded before it."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import safeaug
from safeaug.validators import messages


def _config(name: str, **args: Any) -> dict[str, Any]:
    return {"transform": {"__class_fullname__": "Compose", "transforms": [{"__class_fullname__": name, **args}]}}


# Alike in what they do (so alike in value and bound), unlike in what was written: the words quote it.
CONFIGS = [
    _config("Rotate", limit=45, p=0.5),
    _config("Rotate", limit=[-45, 45], p=0.5),
    _config("Rotate", limit=45.0, p=0.5),
    _config("Rotate", p=0.5),  # the default, said as the default
    _config("Rotate", limit=[-90, 90], p=0.5),  # the default's value, written
    _config("SafeRotate", limit=45, p=0.5),
    _config("HueSaturationValue", hue_shift_limit=20, p=0.5),
    _config("HueSaturationValue", hue_shift_limit=[-20, 20], p=0.5),
    _config("HueSaturationValue", p=0.5),
    _config("RandomBrightnessContrast", brightness_limit=0.6, p=0.5),
    _config("RandomBrightnessContrast", brightness_limit=[-0.6, 0.6], p=0.5),
    _config("HorizontalFlip", p=0.5),
]


def _words(config: dict[str, Any], policy: str) -> list[tuple[str, str, str]]:
    return [(f.code, f.message, f.fix) for f in safeaug.validate(config, policy).findings]


@pytest.mark.parametrize("policy", ["chest_xray", "natural", "fundus"])
def test_kept_words_read_as_words_made_afresh(policy: str) -> None:
    afresh = []
    for config in CONFIGS:
        messages._WORDS.clear()
        afresh.append(_words(config, policy))
    assert len({str(w) for w in afresh}) >= 5  # the configs are worded differently
    for order in (CONFIGS, CONFIGS[::-1], list(itertools.chain(CONFIGS, CONFIGS))):
        messages._WORDS.clear()
        for config in order:
            assert _words(config, policy) == afresh[CONFIGS.index(config)]


def test_the_words_quote_what_was_written() -> None:
    messages._WORDS.clear()
    said = [_words(c, "chest_xray")[0][1] for c in CONFIGS[:5]]
    assert "`limit=45`" in said[0]
    assert "`limit=(-45, 45)`" in said[1]
    assert said[2] == said[0]  # 45.0 is said as 45 (a different key, the same words)
    assert "the default" in said[3] and "the default" not in said[4]
