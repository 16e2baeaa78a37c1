"""A class changed after safeaug first read it is read again: a hook patched on later is seen.

The reader keeps what it finds of each class; CPython's version tag of the class says when that no longer
holds (see safeaug.readers.class_versions). Each case patches a class after a first ``validate()``, checks
on pixels that the pipeline now mirrors, and expects the next ``validate()`` to refuse it.
"""

from __future__ import annotations

import sys
from typing import Any

import albumentations as A
import numpy as np
import pytest

import safeaug
from safeaug.readers import class_versions, objects

RAMP = np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))


def _mirrors(pipeline: Any) -> bool:
    out = pipeline(image=RAMP)["image"]
    return bool(out[:, :8].mean() > out[:, -8:].mean())  # the ramp rises to the right; mirrored it falls


def _codes(pipeline: Any) -> list[str]:
    return safeaug.validate(pipeline, "chest_xray").codes()


def _mirror_after(run: Any) -> Any:
    def hook(self: Any, *args: Any, **kwargs: Any) -> Any:
        out = run(self, *args, **kwargs)
        return {**out, "image": np.ascontiguousarray(out["image"][:, ::-1])}

    return hook


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="version tags are CPython's")
def test_the_tag_holds_while_the_class_is_unchanged_and_moves_on_any_change() -> None:
    assert class_versions.supported()

    class Base:
        pass

    class Sub(Base):
        pass

    first = class_versions.version(Sub)
    assert first != 0 and class_versions.version(Sub) == first
    Base.extra = 1  # type: ignore[attr-defined]  # a change to a base
    second = class_versions.version(Sub)
    assert second not in (0, first)
    Sub.hook = staticmethod(print)  # type: ignore[attr-defined]  # a change to the class itself
    third = class_versions.version(Sub)
    assert third not in (0, first, second)
    del Sub.hook  # type: ignore[attr-defined]  # and taking it away again
    fourth = class_versions.version(Sub)
    assert fourth not in (0, first, second, third)

    class Other:
        pass

    Sub.__bases__ = (Other,)  # a new base
    assert class_versions.version(Sub) not in (0, first, second, third, fourth)


@pytest.mark.parametrize("hook", ["__call__", "apply_with_params"])
def test_a_user_subclass_patched_after_it_was_judged_is_refused(hook: str) -> None:
    class Softer(A.Blur):
        pass

    pipeline = A.Compose([Softer(p=1.0)])
    assert _codes(pipeline) == ["SA301"]  # judged by its catalog entry: a blur beyond chest_xray's bound
    assert not _mirrors(pipeline)
    setattr(Softer, hook, _mirror_after(getattr(A.Blur, hook)))
    assert _mirrors(pipeline)  # the same objects now mirror
    assert _codes(pipeline) == ["SA401"]


def test_a_library_base_patched_after_it_was_judged_is_refused() -> None:
    pipeline = A.Compose([A.RandomGamma(p=1.0)])
    assert _codes(pipeline) == []
    original = vars(A.ImageOnlyTransform).get("apply_with_params")
    assert original is None  # inherited from BasicTransform: set on ImageOnlyTransform, then removed
    A.ImageOnlyTransform.apply_with_params = _mirror_after(A.BasicTransform.apply_with_params)  # type: ignore[method-assign]
    try:
        assert _mirrors(pipeline)
        assert _codes(pipeline) == ["SA401"]
    finally:
        del A.ImageOnlyTransform.apply_with_params  # type: ignore[attr-defined]
    assert not _mirrors(pipeline)
    assert _codes(pipeline) == []  # restored: read again, and accepted again


def test_without_tags_every_read_reads_the_class_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(objects, "version", lambda cls: 0)  # an interpreter whose tags cannot be read

    class Softer(A.Blur):
        pass

    pipeline = A.Compose([Softer(p=1.0)])
    assert _codes(pipeline) == ["SA301"]
    Softer.__call__ = _mirror_after(A.Blur.__call__)  # type: ignore[method-assign]
    assert _mirrors(pipeline)
    assert _codes(pipeline) == ["SA401"]
