"""The sizes along a pipeline, kept by the pipeline's shape, are what walking the same shape finds."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from safeaug import sizes
from safeaug.catalog import Params, defaults_for, get_entry
from safeaug.effects import Envelope
from safeaug.ir import Node
from safeaug.readers import read_pipeline
from tests.strategies import pipelines, transforms

# Transforms that change the frame or zoom, and one that does neither.
SIZED = (
    "Affine",
    "Blur",
    "CenterCrop",
    "LongestMaxSize",
    "Pad",
    "PadIfNeeded",
    "RandomCrop",
    "RandomResizedCrop",
    "RandomScale",
    "RandomSizedCrop",
    "Resize",
    "SmallestMaxSize",
)


def _envelopes(root: Node) -> dict[int, Envelope]:
    out = {}
    for leaf in root.leaves():
        entry = get_entry(leaf.name)
        if entry is None or entry.unknown:
            continue
        try:
            out[id(leaf)] = entry.envelope(Params(leaf.name, leaf.params, defaults_for(leaf.name)))
        except Exception:  # an argument the catalog refuses: the validator reports it, the walk skips it
            continue
    return out


def _probability(node: Node) -> float:
    return node.p if node.p is not None else 1.0


def _plain(reading: sizes.SizeReading, root: Node) -> tuple[Any, ...]:
    place = {id(node): i for i, node in enumerate(root.walk())}
    return (
        sorted((place[k], v) for k, v in reading.frames.items()),
        sorted(place[k] for k in reading.partly_known),
        [place[id(n)] for n in reading.resizers],
        reading.resolution,
        reading.worst_input,
        reading.aspect_resolution,
    )


@given(
    pipeline=pipelines(max_depth=2, leaves=transforms(names=SIZED)),
    input_size=st.none() | st.tuples(st.integers(1, 2048), st.integers(1, 2048)),
)
def test_a_kept_reading_is_what_walking_the_same_shape_finds(pipeline: Any, input_size: Any) -> None:
    first, second = read_pipeline(pipeline), read_pipeline(pipeline)  # two trees of one shape, other nodes
    sizes._KEPT.clear()
    sizes.read_sizes(first, _envelopes(first), _probability, input_size)
    envelopes = _envelopes(second)
    kept = sizes.read_sizes(second, envelopes, _probability, input_size)
    assert len(sizes._KEPT) == 1  # the second pipeline was answered from what the first one kept
    walked = sizes._read_sizes(second, envelopes, _probability, input_size)
    assert _plain(kept, second) == _plain(walked, second)


def test_another_argument_is_another_shape() -> None:
    import albumentations as A

    sizes._KEPT.clear()
    small = read_pipeline(A.Compose([A.Resize(16, 16), A.Resize(256, 256)]))
    large = read_pipeline(A.Compose([A.Resize(128, 128), A.Resize(256, 256)]))
    found = [sizes.read_sizes(r, _envelopes(r), _probability, None).resolution for r in (small, large)]
    assert found == [16 / 256, 128 / 256] and len(sizes._KEPT) == 2
