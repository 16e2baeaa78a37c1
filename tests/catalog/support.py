"""Helpers shared by the catalog tests: envelopes from names or objects, and how to compare them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from safeaug.catalog import Params, defaults_for, get_entry, resolve
from safeaug.effects import IDENTITY, Envelope
from safeaug.readers import read_object


def envelope(name: str, **given: Any) -> Envelope:
    """The envelope of transform ``name`` for arguments as a user would write them."""
    entry = get_entry(name)
    assert entry is not None, name
    return entry.envelope(Params(name, given, defaults_for(name)))


def envelope_of(transform: Any) -> Envelope:
    """The envelope of a live transform, read as the validator reads it (subclasses through the MRO)."""
    node = read_object(transform)
    found = resolve(node)
    assert found.entry is not None, node.name
    return found.entry.envelope(Params(node.name, node.params, defaults_for(found.via or node.name)))


def processed_envelope(transform: Any) -> Envelope:
    """The envelope from the arguments albumentations stored (``get_transform_init_args``)."""
    return envelope(type(transform).__name__, **transform.get_transform_init_args())


def assert_envelope(got: Envelope, expected: Envelope) -> None:
    """The same effects differ from doing nothing, with the same values."""
    assert got.differs() == expected.differs()
    for field in expected.differs():
        assert getattr(got, field) == pytest.approx(getattr(expected, field), abs=1e-4), field


def assert_fields(env: Envelope, expected: dict[str, Any]) -> None:
    """Exactly the expected fields differ from the identity, with the expected values."""
    assert set(env.differs()) == {k for k, v in expected.items() if v != getattr(IDENTITY, k)}, env.differs()
    for key, value in expected.items():
        if isinstance(value, bool):
            assert getattr(env, key) is value, key
        else:
            assert getattr(env, key) == pytest.approx(value, rel=1e-3), key


def runs(transform: Any, image: np.ndarray, n: int = 40) -> Iterator[np.ndarray]:
    """The transform applied ``n`` times with different seeds."""
    for seed in range(n):
        transform.set_random_seed(seed)
        yield transform(image=image)["image"]
