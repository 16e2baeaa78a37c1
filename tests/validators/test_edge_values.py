"""Degenerate arguments: every catalog entry at the edges of what albumentations 2.0.8 accepts.

Random draws inside the ranges (``tests/test_soundness.py``) rarely land on the values where code divides
by zero or a range collapses: 0, equal ends, the maximum, reversed ranges. Here each argument of each
transform :mod:`safeaug.strategies` can draw takes only such values: its spec's ends and its calm value,
0 (albumentations' own validation decides whether it is accepted; a refused build is not a draw), and
ranges with equal or reversed ends. On pixels:

* an output with NaN, or with every pixel at one value (all white, all black), is an effect the static
  envelope must hold: the content is gone (``contrast_min`` 0 or ``occlusion`` 1);
* everything else the probe measures must lie inside the static envelope, as in the soundness test.

``GaussianBlur(sigma_limit=0)`` (albumentations 1.x's default) whitened every pixel while the catalog said
"no blur"; it is now refused (``SA410``).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from test_soundness import measured_excess, static_envelope

import safeaug.strategies as sst
from safeaug.effects import Envelope
from safeaug.strategies import SPECS, Choice, Custom, Num, Pair

pytestmark = pytest.mark.slow  # a property suite: every catalog entry at the edges of its arguments, measured

EXAMPLES = max(2, settings.default.max_examples // 30)


def _edges(lo: float, hi: float, calm: Any, ints: bool) -> list[float]:
    values = {lo, hi, 0.0, *(calm if isinstance(calm, (tuple, list)) else (calm,))}
    out = sorted(float(v) for v in values if isinstance(v, (int, float)))
    return [int(v) if ints and float(v).is_integer() else v for v in out]


def _edge_strategy(spec: Any) -> st.SearchStrategy[Any]:
    if isinstance(spec, Num):
        return st.sampled_from(_edges(spec.lo, spec.hi, spec.calm, spec.ints))
    if isinstance(spec, Pair):
        ends = _edges(spec.lo, spec.hi, spec.calm, spec.ints or spec.odd)
        if spec.odd:
            ends = [e for e in ends if int(e) % 2 == 1] or [int(spec.lo)]
        one = st.sampled_from(ends)
        # equal ends, ordered ends and reversed ones (albumentations sorts, refuses or keeps them)
        return st.one_of(one.map(lambda v: (v, v)), st.tuples(one, one))
    if isinstance(spec, Choice):
        return st.sampled_from(spec.options)
    if isinstance(spec, Custom):
        return spec.strategy(1.0)
    raise TypeError(type(spec).__name__)


def edge_kwargs(name: str) -> st.SearchStrategy[dict[str, Any]]:
    fixed = st.fixed_dictionaries({key: _edge_strategy(spec) for key, spec in SPECS[name].items()})
    unpack = sst._UNPACK.get(name)
    return fixed.map(unpack) if unpack is not None else fixed


def _build(name: str, kwargs: dict[str, Any]) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sst.build(name, kwargs)
    except Exception:  # albumentations refuses the value: not something a pipeline can run
        return None


_RNG = np.random.default_rng(7)
_TEXTURE = (_RNG.random((64, 64, 3)) * 200 + 28).astype(np.uint8)  # no pixel at 0 or 255 to begin with


def destroyed_outputs(transform: Any, seeds: int = 3) -> list[str]:
    """What each run did to the content, when it left none: NaN, or every pixel at one value."""
    import albumentations as A

    found = []
    for image in (_TEXTURE, _TEXTURE.astype(np.float32) / 255.0):
        for seed in range(seeds):
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    out = A.Compose([transform], seed=seed, strict=False)(image=image)["image"]
            except Exception:
                continue  # a run that fails loudly is not a silent destruction
            out = np.asarray(out, dtype=np.float64)
            if np.isnan(out).any():
                found.append(f"NaN ({image.dtype})")
            elif out.size and out.min() == out.max():
                found.append(f"every pixel {out.flat[0]:g} ({image.dtype})")
    return found


def holds_destruction(envelope: Envelope) -> bool:
    return envelope.destroys or envelope.contrast_min <= 0.0 or envelope.occlusion >= 1.0


@pytest.mark.parametrize("name", sst.NAMES)
def test_arguments_at_their_edges_stay_inside_the_static_envelope(name: str) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        derandomize=EXAMPLES < 20,
        phases=[Phase.explicit, Phase.generate],
    )
    @given(edge_kwargs(name))
    def check(kwargs: dict[str, Any]) -> None:
        transform = _build(name, kwargs)
        assume(transform is not None)
        static = static_envelope(transform)
        destroyed = destroyed_outputs(transform)
        if destroyed:
            assert holds_destruction(static), f"{name}({kwargs}) left no content ({destroyed}); static: {static}"
            return  # nothing left for the probe to measure
        try:
            found = measured_excess(transform, seeds=4)
        except Exception:  # it fails loudly on the probe images (albumentations or OpenCV refuse the value)
            assume(False)
            return
        if static.gamma_min <= 0.0 or static.contrast_min <= 0.0:
            # A tone map that may flatten every level (HEStain with intensity scale 0 whitens the tissue)
            # erases the probe's dots, which reads as its blur ceiling: a probe limit, not a blur.
            found.pop("blur", None)
        assert found == {}, f"{name}({kwargs}) at the edges does more than its catalog entry says: {found}"

    check()


def test_the_edge_strategy_reaches_sigma_zero_that_whitens_the_image() -> None:
    # The draw that found the GaussianBlur gap: 0 is tried even where the random strategy starts at 0.1.
    transform = _build("GaussianBlur", {"blur_limit": (3, 7), "sigma_limit": (0.0, 0.0)})
    assert transform is not None
    assert destroyed_outputs(transform) and holds_destruction(static_envelope(transform))
    assert 0.0 in _edges(0.1, 3.0, (0.1, 0.1), False)
    assert not math.isnan(static_envelope(transform).brightness)
