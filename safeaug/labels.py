"""Label-aware transforms: a mirror (or a colour jitter) that changes the label with the image.

Some policies allow an effect only together with a change to the label: a mirrored face is fine once
the left-eye and right-eye keypoints swap, a mirrored "keep right" sign is a "keep left" sign, a
mirrored road scene needs the steering angle negated, a mirrored photo needs "left" and "right"
swapped in its caption. The transforms here do both halves, and declare it in the catalog
(``safeaug/catalog/label_aware.py``), so those policies accept them where they refuse a plain
``HorizontalFlip``:

=====================================  ==========================================  ===========================
transform                              label transform it performs                 accepted by
=====================================  ==========================================  ===========================
``HorizontalFlipWithKeypointSwap``     ``swap_left_right_keypoints``               face_landmarks
``HorizontalFlipWithClassMap``         ``traffic_sign_flip_class_map``,            traffic_signs, ct, mri
                                       ``swap_left_right_classes``
``HorizontalFlipWithSteering``         ``negate_steering``                         driving
``HorizontalFlipWithCaption``          ``rewrite_caption_left_right``              vision_language
``ColorJitterUnlessCaptionNamesColor`` ``skip_colour_when_caption_names_colour``   vision_language
=====================================  ==========================================  ===========================

Each decides once per sample, in the sampling hook of the installed albumentations line
(``get_params_dependent_on_data`` in 2.0, ``sample_parameters`` in AlbumentationsX), whether it acts;
image, masks, boxes, keypoints and labels then all follow that one decision, and the decision is in the
applied parameters (``{"flip": False, "skipped": "why"}``) that ``save_applied_params`` and
``ReplayCompose`` record. When a label cannot be changed correctly (a speed-limit sign has no
mirror image; a caption says "clockwise"), the sample is left as it is rather than given a wrong label.

Extra inputs (``caption=``, ``steering=``, ``label=``) are passed to ``A.Compose`` as keyword
arguments, like ``image=``; they need no ``additional_targets``. A missing one is an error, not a
silent flip without the label change.

``docs/labels.md`` has the word lists and the rules in full.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

import albumentations as A
import numpy as np

from safeaug.catalog._registry import Params, is_number

__all__ = [
    "CAPTION_BLOCKERS",
    "COLOUR_WORDS",
    "ColorJitterUnlessCaptionNamesColor",
    "HorizontalFlipWithCaption",
    "HorizontalFlipWithClassMap",
    "HorizontalFlipWithKeypointSwap",
    "HorizontalFlipWithSteering",
    "caption_blocker",
    "names_colour",
    "swap_left_right",
]


# ------------------------------------------------------------------------------------------ label columns
#
# Inside an ``A.Compose`` with ``label_fields``, albumentations removes each label field from the data and
# appends it as a column of the ``bboxes`` / ``keypoints`` array (strings are encoded as integers by the
# processor's label manager), then restores the fields after the last transform. A transform that changes
# labels therefore edits that column, through the same encoder.


class _Column:
    """One label field as a column of a processed bboxes/keypoints array."""

    def __init__(self, transform: Any, field: str) -> None:
        self.field = field
        self.processor: Any = None
        self.data_name = ""
        self.index = 0  # among the label columns
        self.count = 0  # number of label columns
        for processor in _processors(transform):
            fields = list(getattr(processor.params, "label_fields", None) or [])
            if field in fields:
                self.processor = processor
                self.data_name = processor.default_data_name
                self.index = fields.index(field)
                self.count = len(fields)
                break

    @property
    def found(self) -> bool:
        return self.processor is not None

    def _metadata(self) -> Any:
        manager = getattr(self.processor, "label_manager", None)
        metadata = getattr(manager, "metadata", {}).get(self.data_name, {}).get(self.field)
        if metadata is None:
            raise RuntimeError(
                f"label field {self.field!r} of {self.data_name} is not where albumentations 2.0 keeps it "
                "(processor.label_manager.metadata); this albumentations version is not supported by the "
                "label-aware transforms"
            )
        return metadata

    def position(self, array: np.ndarray) -> int:
        return int(array.shape[1]) - self.count + self.index

    def decode(self, array: np.ndarray) -> list[Any]:
        if array.size == 0:
            return []
        column = array[:, self.position(array)]
        metadata = self._metadata()
        if metadata.is_numerical:
            return [_plain(v) for v in column.tolist()]
        inverse = metadata.encoder.inverse_classes_
        return [inverse[int(v)] for v in column.tolist()]

    def encode(self, array: np.ndarray, labels: Sequence[Any]) -> np.ndarray:
        if array.size == 0:
            return array
        metadata = self._metadata()
        out: np.ndarray = array.copy()
        if metadata.is_numerical:
            bad = [v for v in labels if isinstance(v, bool) or not isinstance(v, (int, float))]
            if bad:
                raise TypeError(
                    f"label field {self.field!r} holds numbers, so it can only be mapped to numbers; got {bad[0]!r}"
                )
            out[:, self.position(array)] = np.asarray(labels, dtype=out.dtype)
        else:
            metadata.encoder.update(list(labels))  # a partner label may not have been seen yet
            out[:, self.position(array)] = np.asarray([metadata.encoder.classes_[v] for v in labels], dtype=out.dtype)
        return out


def _processors(transform: Any) -> list[Any]:
    """The bboxes and keypoints processors of the Compose running ``transform`` (none when it runs alone).

    albumentations 2.0 hands them to each transform; AlbumentationsX keeps them with the running call. Both
    give them through ``get_processor``.
    """
    found = (transform.get_processor(name) for name in ("bboxes", "keypoints"))
    return [processor for processor in found if processor is not None]


def _plain(value: Any) -> Any:
    """A label as a plain Python value: numpy scalars unwrapped, integral floats as ints (class ids)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _pairs(value: Any, what: str) -> tuple[tuple[Any, Any], ...]:
    """``{a: b}`` or ``[(a, b), ...]`` as a tuple of pairs (JSON keeps integer keys only in pairs)."""
    items = value.items() if isinstance(value, Mapping) else value
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise TypeError(f"{what}: expected a dict or a list of [from, to] pairs, got {value!r}")
    out = []
    for item in items:
        if isinstance(item, (str, bytes)) or not isinstance(item, Sequence) or len(item) != 2:
            raise TypeError(f"{what}: expected [from, to] pairs, got {item!r}")
        a, b = (_plain(v) for v in item)
        for v in (a, b):
            if not isinstance(v, Hashable):
                raise TypeError(f"{what}: labels must be hashable (strings or numbers), got {v!r}")
        out.append((a, b))
    return tuple(out)


# ------------------------------------------------------------------------------------------ the sampling hook
#
# Each transform here decides once per sample, from the data, whether it acts (``_decide``), checks before the
# coin is tossed that the data holds what the decision and the label change need (``_check_data``), and changes
# the labels after the pixels (``_relabel``). The two albumentations lines ask for data-dependent parameters
# differently: albumentations 2.0 through ``get_params_dependent_on_data(params, data)`` returning a dict, and
# AlbumentationsX through ``sample_parameters(params, data, targets, sampling)`` returning ``SampledParams``
# (it refuses, when a class is declared, one that still defines the 2.0 hook). The hooks of the installed line
# are chosen here, once; the transforms below are written once, against ``_Decides``.

_SAMPLES_PARAMETERS = hasattr(A.BasicTransform, "sample_parameters")
_HOOKS_NEEDED = (
    ("sample_parameters", "apply_in_invocation") if _SAMPLES_PARAMETERS else ("get_params_dependent_on_data",)
)
_MISSING_HOOKS = [name for name in (*_HOOKS_NEEDED, "apply_with_params") if not hasattr(A.BasicTransform, name)]
if _MISSING_HOOKS:  # a line that calls neither hook would flip without deciding: refuse rather than mislabel
    raise ImportError(
        "safeaug's label-aware transforms (HorizontalFlipWithKeypointSwap, HorizontalFlipWithClassMap, "
        "HorizontalFlipWithSteering, HorizontalFlipWithCaption, ColorJitterUnlessCaptionNamesColor) decide per sample "
        "in albumentations 2.0's get_params_dependent_on_data or AlbumentationsX's sample_parameters, checking "
        f"their inputs in __call__ or apply_in_invocation; the installed albumentations ({A.__version__}) has no "
        f"{', '.join(_MISSING_HOOKS)}. Install albumentations 2.0.8 or AlbumentationsX 2.5.1 to train with them; "
        "configs that name them are still linted."
    )


class _Decision:
    """The per-sample decision and label change; a label-aware transform overrides these."""

    _ACTS: ClassVar[str]  # the decision's key in the applied parameters: "flip" or "jitter"

    def _check_data(self, data: Mapping[str, Any]) -> None:
        """Raise when the data lacks what the label transform needs (before the coin is tossed)."""

    def _skip_reason(self, data: Mapping[str, Any]) -> str | None:
        return None

    def _relabel(self, result: dict[str, Any]) -> dict[str, Any]:
        return result

    def _decide(self, data: Mapping[str, Any]) -> dict[str, Any]:
        reason = self._skip_reason(data)
        return {self._ACTS: reason is None, "skipped": reason}


class _DataHooks(_Decision):
    """albumentations 2.0: the call checks the data, ``get_params_dependent_on_data`` decides."""

    replay_mode: bool

    def __call__(self, *args: Any, force_apply: bool = False, **kwargs: Any) -> Any:
        if not self.replay_mode:
            self._check_data(kwargs)
        return super().__call__(*args, force_apply=force_apply, **kwargs)  # type: ignore[misc]

    def get_params_dependent_on_data(self, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        sampled: dict[str, Any] = super().get_params_dependent_on_data(params, data)  # type: ignore[misc]
        return {**sampled, **self._decide(data)}

    def apply_with_params(self, params: dict[str, Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        if not params.get(self._ACTS, True):
            return dict(kwargs)
        return self._relabel(super().apply_with_params(params, *args, **kwargs))  # type: ignore[misc]


class _SamplingHooks(_Decision):
    """AlbumentationsX: every call (direct or from a Compose) enters ``apply_in_invocation``, which checks the
    data; ``sample_parameters`` decides, and the decision comes back in ``SampledParams.params``."""

    replay_mode: bool

    def apply_in_invocation(self, invocation: Any, /, *args: Any, force_apply: bool, **kwargs: Any) -> Any:
        if not self.replay_mode:
            self._check_data(kwargs)
        return super().apply_in_invocation(invocation, *args, force_apply=force_apply, **kwargs)  # type: ignore[misc]

    def sample_parameters(self, params: dict[str, Any], data: dict[str, Any], targets: Any, sampling: Any) -> Any:
        sampled = super().sample_parameters(params, data, targets, sampling)  # type: ignore[misc]
        overrides = sampling.applied_overrides
        if isinstance(overrides, dict) and overrides:  # a dict only while the applied configuration is recorded
            # The values drawn, recorded as constructor arguments of this class (the fork rebuilds a transform
            # from them, Compose.from_applied_transforms): an argument this class spells the 2.0 way gets its
            # 2.0 name, and a drawn number the range (v, v), which both lines read as exactly v.
            accepted = inspect.signature(type(self)).parameters
            for name in [k for k in overrides if k not in accepted and k.removesuffix("_range") in accepted]:
                value = overrides.pop(name)
                overrides[name.removesuffix("_range")] = (value, value) if is_number(value) else value
        return dataclasses.replace(sampled, params={**sampled.params, **self._decide(data)})

    def apply_with_params(self, sampled_params: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if not sampled_params.params.get(self._ACTS, True):
            return dict(kwargs)
        return self._relabel(super().apply_with_params(sampled_params, *args, **kwargs))  # type: ignore[misc]


_Decides: type[_Decision] = _SamplingHooks if _SAMPLES_PARAMETERS else _DataHooks


# ------------------------------------------------------------------------------------------ the flips


class _LabelAwareFlip(_Decides, A.HorizontalFlip):  # type: ignore[misc,valid-type]
    """A horizontal flip that decides per sample, from the data, whether it may flip.

    Subclasses say which extra data keys they read (``_extra_keys``), what the data must hold
    (``_check_data``), why a sample must not flip (``_skip_reason``) and how the labels change
    (``_relabel``).
    """

    _ACTS = "flip"

    def __init__(self, p: float = 0.5) -> None:
        super().__init__(p=p)
        # Extra keys are declared so that a strict Compose accepts them; they are not in `targets`, so
        # albumentations passes them through untouched and `apply_with_params` handles them here.
        self._available_keys.update(self._extra_keys())

    def _extra_keys(self) -> tuple[str, ...]:
        return ()


def _missing(transform: object, key: str, data: Mapping[str, Any], how: str) -> KeyError:
    keys = ", ".join(sorted(map(str, data))) or "none"
    return KeyError(
        f"{type(transform).__name__} needs `{key}` in the data ({how}) but got only: {keys}. Pass "
        f"`{key}=...` to the Compose call, or set `key=` to the name your dataset uses; flipping without "
        "it would leave that label wrong."
    )


class HorizontalFlipWithKeypointSwap(_LabelAwareFlip):
    """Mirror image, masks, boxes and keypoints like ``A.HorizontalFlip``, and swap left/right keypoints.

    After a mirror the point labelled "left eye" sits on the other eye. This transform swaps each pair
    so that every keypoint keeps its meaning. ``pairs`` lists the pairs in one of two ways:

    * **by position** (integers): ``pairs=[(36, 45), (39, 42), (48, 54)]`` for a 68-point face.
      Keypoints ``i`` and ``j`` exchange places in the output array, so index 36 is still the same
      landmark; label columns stay with their index.
    * **by label** (strings, or any values with ``label_field=``): ``pairs=[("left_eye", "right_eye")]``
      when ``KeypointParams(label_fields=[...])`` gives each keypoint a name. Each keypoint keeps its
      place and its label is renamed. With several label fields, name the one to use in ``label_field``.
      Integer ids in a label field work too: ``label_field="kp_id"``.

    Swapping by position is only sound while no keypoint has been removed: albumentations'
    ``KeypointParams(remove_invisible=True)`` (its default) drops keypoints that leave the image,
    which shifts every later index. That combination is refused with an error; use
    ``remove_invisible=False``, or give the keypoints an id label field and swap by label, which
    survives removal because the label travels with its keypoint.

    Performs the label transform ``swap_left_right_keypoints`` (policy ``face_landmarks``).
    """

    def __init__(
        self,
        pairs: Sequence[Sequence[Any]],
        label_field: str | None = None,
        p: float = 0.5,
    ) -> None:
        self.pairs = _pairs(pairs, "HorizontalFlipWithKeypointSwap.pairs")
        self.label_field = label_field
        if not self.pairs:
            raise ValueError(
                "HorizontalFlipWithKeypointSwap needs `pairs`: the left/right keypoint pairs to swap, e.g. "
                "pairs=[(36, 45), (39, 42)] by index or pairs=[('left_eye', 'right_eye')] by label"
            )
        if label_field is not None and not isinstance(label_field, str):
            raise TypeError(f"HorizontalFlipWithKeypointSwap.label_field: expected a string, got {label_field!r}")
        flat = [v for pair in self.pairs for v in pair]
        repeated = sorted({repr(v) for v in flat if flat.count(v) > 1})
        if repeated or any(a == b for a, b in self.pairs):
            raise ValueError(
                f"HorizontalFlipWithKeypointSwap.pairs: each keypoint may appear in one pair only, and not "
                f"with itself; {', '.join(repeated) or 'a pair'} breaks that. Symmetric points (nose tip, "
                "chin) need no pair."
            )
        ints = [isinstance(v, int) and not isinstance(v, bool) for v in flat]
        self._by_index = label_field is None and all(ints)
        if label_field is None and any(ints) and not all(ints):
            raise ValueError(
                "HorizontalFlipWithKeypointSwap.pairs mixes indices and labels; swapping some keypoints by "
                "position and others by label could swap a point twice. Use one kind (with "
                "label_field='...' for integer labels)."
            )
        if self._by_index and min(flat) < 0:
            raise ValueError("HorizontalFlipWithKeypointSwap.pairs: keypoint indices start at 0")
        self._swap = {a: b for a, b in self.pairs} | {b: a for a, b in self.pairs}
        super().__init__(p=p)

    def _extra_keys(self) -> tuple[str, ...]:
        return (self.label_field,) if self.label_field else ()

    def _field(self) -> str:
        """The keypoint label field the pairs name."""
        if self.label_field is not None:
            return self.label_field
        processor = self.get_processor("keypoints")
        fields: list[str] = list(getattr(getattr(processor, "params", None), "label_fields", None) or [])
        if len(fields) != 1:
            raise ValueError(
                "HorizontalFlipWithKeypointSwap: pairs name keypoint labels, but "
                + (
                    f"KeypointParams has {len(fields)} label fields ({', '.join(fields)}); say which with label_field="
                    if fields
                    else "the keypoints have no label field: use KeypointParams(label_fields=[...]), or "
                    "give pairs as indices"
                )
            )
        return fields[0]

    def _check_data(self, data: Mapping[str, Any]) -> None:
        processor = self.get_processor("keypoints")
        if self._by_index:
            if processor is not None and getattr(processor.params, "remove_invisible", False):
                raise ValueError(
                    "HorizontalFlipWithKeypointSwap swaps keypoints by their position in the array, but "
                    "KeypointParams(remove_invisible=True) (the default) drops keypoints that leave the image, "
                    "and one dropped keypoint shifts every index after it: pairs would then swap the wrong "
                    "landmarks. Use KeypointParams(..., remove_invisible=False), or add an id label field "
                    "(label_fields=['kp_id'], kp_id=list(range(n))) and pass label_field='kp_id'."
                )
            return
        field = self._field()
        if field not in data and not _Column(self, field).found:
            raise _missing(self, field, data, "the keypoint labels the pairs name")

    def apply_to_keypoints(self, keypoints: np.ndarray, **params: Any) -> np.ndarray:
        flipped: np.ndarray = super().apply_to_keypoints(keypoints, **params)
        if not self._by_index:
            column = _Column(self, self._field())
            if not column.found:
                return flipped  # standalone: the labels are a plain key, renamed in _relabel
            labels = column.decode(flipped)
            return column.encode(flipped, [self._swap.get(v, v) for v in labels])
        n = len(flipped)
        highest = max(v for pair in self.pairs for v in pair)
        if highest >= n:
            raise ValueError(
                f"HorizontalFlipWithKeypointSwap: pairs name keypoint {highest}, but this sample has {n} "
                "keypoints; index pairs need every keypoint present, in a fixed order"
            )
        order = np.arange(n)
        for a, b in self.pairs:
            order[a], order[b] = b, a
        processor = self.get_processor("keypoints")
        n_labels = len(getattr(getattr(processor, "params", None), "label_fields", None) or [])
        coords = flipped.shape[1] - n_labels  # label columns stay with their index
        out: np.ndarray = flipped.copy()
        out[:, :coords] = flipped[order, :coords]
        return out

    def _relabel(self, result: dict[str, Any]) -> dict[str, Any]:
        if not self._by_index:
            field = self._field()
            if field in result and not _Column(self, field).found:
                result[field] = _map_labels(result[field], lambda v: self._swap.get(v, v))
        return result


def _map_labels(value: Any, fn: Any) -> Any:
    """Apply ``fn`` to one label or to each label of a list, tuple or array, keeping the container type."""
    if isinstance(value, np.ndarray):
        return np.asarray([fn(_plain(v)) for v in value.ravel().tolist()], dtype=value.dtype).reshape(value.shape)
    if isinstance(value, (list, tuple)):
        return type(value)(fn(_plain(v)) for v in value)
    return fn(_plain(value))


def _labels_of(value: Any) -> list[Any]:
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.ravel().tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return [_plain(value)]


_MASK_KEYS = ("mask", "masks", "mask3d", "masks3d")


class HorizontalFlipWithClassMap(_LabelAwareFlip):
    """Mirror like ``A.HorizontalFlip`` and map class labels through a flip table; skip what cannot flip.

    ``class_map`` says what each class becomes in the mirror: itself for a symmetric class
    (``"stop": "stop"``), its partner for a lateral one (``"keep_left": "keep_right"``,
    ``"keep_right": "keep_left"``, or mask ids ``{0: 0, 1: 1, 2: 3, 3: 2}`` for background, liver,
    left and right kidney). A class mapped to ``None`` has no mirror image (a speed-limit sign: mirrored
    digits), and so does a class missing from the table: a sample holding such a class is not flipped
    at all (``{"flip": False, "skipped": ...}`` in its applied parameters), rather than flipped with a
    wrong label. A dict or a list of ``[from, to]`` pairs will do (pairs keep integer keys in JSON).

    ``target`` names where the labels are (one name or a list):

    * an extra key of the call, holding one label or a list of them: ``target="label"`` with
      ``transform(image=img, label="keep_left")``;
    * a label field of ``BboxParams``/``KeypointParams``: ``target="class_labels"`` maps the label of
      every box;
    * ``"mask"`` (or ``"masks"``): the values of segmentation masks; every value present must be in the
      table, background included.

    Performs the label transforms ``traffic_sign_flip_class_map`` (policy ``traffic_signs``) and
    ``swap_left_right_classes`` (policies ``ct`` and ``mri`` with ``lateral_labels``).
    """

    def __init__(
        self,
        class_map: Mapping[Any, Any] | Sequence[Sequence[Any]],
        target: str | Sequence[str] = "label",
        p: float = 0.5,
    ) -> None:
        self.class_map = _pairs(class_map, "HorizontalFlipWithClassMap.class_map")
        if not self.class_map:
            raise ValueError(
                "HorizontalFlipWithClassMap needs `class_map`: what each class becomes in a mirror, e.g. "
                "{'keep_left': 'keep_right', 'keep_right': 'keep_left', 'stop': 'stop', 'speed_30': None}"
            )
        keys = [a for a, _ in self.class_map]
        if len(set(keys)) != len(keys):
            raise ValueError("HorizontalFlipWithClassMap.class_map lists a class twice")
        names = [target] if isinstance(target, str) else list(target)
        if not names or not all(isinstance(t, str) and t for t in names):
            raise TypeError(
                "HorizontalFlipWithClassMap.target: expected the name of the labels to map (an extra key such "
                f"as 'label', a label field such as 'class_labels', or 'mask'), or a list of names; got {target!r}"
            )
        self.target = target if isinstance(target, str) else tuple(names)
        self._targets_named = tuple(names)
        self._table: dict[Any, Any] = dict(self.class_map)
        self._maps_masks = any(t in _MASK_KEYS for t in names)
        super().__init__(p=p)

    def _extra_keys(self) -> tuple[str, ...]:
        return tuple(t for t in self._targets_named if t not in _MASK_KEYS)

    def _check_data(self, data: Mapping[str, Any]) -> None:
        for name in self._targets_named:
            if name in _MASK_KEYS:
                if not self._mask_keys(data):
                    raise _missing(self, name, data, "the segmentation mask whose class ids the table maps")
            elif name not in data and not _Column(self, name).found:
                raise _missing(self, name, data, "class labels to map through class_map")

    def _mapped(self, label: Any) -> Any:
        return self._table[label]

    def _flippable(self, label: Any) -> str | None:
        if label not in self._table:
            return f"class {label!r} is not in class_map, so whether it survives a mirror is unknown"
        if self._table[label] is None:
            return f"class {label!r} has no mirror image (class_map maps it to None)"
        return None

    def _skip_reason(self, data: Mapping[str, Any]) -> str | None:
        for name in self._targets_named:
            if name in _MASK_KEYS:
                values: list[Any] = []
                for key in self._mask_keys(data):
                    masks = data[key]
                    arrays = masks if isinstance(masks, (list, tuple)) else [masks]
                    for m in arrays:
                        values += [_plain(v) for v in np.unique(np.asarray(m)).tolist()]
            elif name in data:
                values = _labels_of(data[name])
            else:
                column = _Column(self, name)
                values = column.decode(np.asarray(data[column.data_name])) if column.data_name in data else []
            for value in values:
                try:
                    reason = self._flippable(value)
                except TypeError:
                    reason = f"label {value!r} cannot be looked up in class_map"
                if reason is not None:
                    return reason
        return None

    def _map_array(self, mask: np.ndarray) -> np.ndarray:
        values, inverse = np.unique(mask, return_inverse=True)
        mapped = np.asarray([self._table[_plain(v)] for v in values.tolist()], dtype=mask.dtype)
        return mapped[inverse].reshape(mask.shape)

    def _map_column(self, array: np.ndarray, data_name: str) -> np.ndarray:
        for name in self._targets_named:
            column = _Column(self, name)
            if column.found and column.data_name == data_name:
                array = column.encode(array, [self._mapped(v) for v in column.decode(array)])
        return array

    def apply_to_bboxes(self, bboxes: np.ndarray, **params: Any) -> np.ndarray:
        return self._map_column(super().apply_to_bboxes(bboxes, **params), "bboxes")

    def apply_to_keypoints(self, keypoints: np.ndarray, **params: Any) -> np.ndarray:
        return self._map_column(super().apply_to_keypoints(keypoints, **params), "keypoints")

    def _relabel(self, result: dict[str, Any]) -> dict[str, Any]:
        for name in self._targets_named:
            if name not in _MASK_KEYS and name in result and not _Column(self, name).found:
                result[name] = _map_labels(result[name], self._mapped)
        # Masks are mapped here, once each, after the flip: the lines route them differently (2.0 flips a
        # stack of masks one `apply_to_mask` at a time, AlbumentationsX flips the stack as images).
        for key in self._mask_keys(result) if self._maps_masks else ():
            masks = result[key]
            result[key] = [self._map_array(m) for m in masks] if isinstance(masks, list) else self._map_array(masks)
        return result

    def _mask_keys(self, data: Mapping[str, Any]) -> list[str]:
        """The keys of ``data`` holding masks: mask, masks, mask3d, masks3d, and additional targets of those kinds."""
        aliases = getattr(self, "_additional_targets", {})
        return [k for k, v in data.items() if v is not None and aliases.get(k, k) in _MASK_KEYS]


class _KeyedFlip(_LabelAwareFlip):
    """A label-aware flip whose label comes in under one extra data key (``key=``)."""

    _KEY_IS: ClassVar[str]  # what the key names, for errors: "the steering value"
    _NEEDED_FOR: ClassVar[str]  # what the flip does with it: "the steering angle to negate"

    def __init__(self, key: str, p: float = 0.5) -> None:
        if not isinstance(key, str) or not key:
            raise TypeError(f"{type(self).__name__}.key: expected the name of {self._KEY_IS}, got {key!r}")
        self.key = key
        super().__init__(p=p)

    def _extra_keys(self) -> tuple[str, ...]:
        return (self.key,)

    def _check_data(self, data: Mapping[str, Any]) -> None:
        if self.key not in data:
            raise _missing(self, self.key, data, self._NEEDED_FOR)


class HorizontalFlipWithSteering(_KeyedFlip):
    """Mirror like ``A.HorizontalFlip`` and negate the steering angle passed under ``key``.

    A mirrored road turns a left curve into a right one, so the steering label changes sign. The value
    may be a number or a numpy array of numbers (a trajectory of angles); ``transform(image=img,
    steering=0.12)`` returns ``steering=-0.12`` exactly when the image was mirrored. Other lateral
    quantities (a lateral offset, ego-left/ego-right lane labels) need the same treatment and are not
    handled here. Performs the label transform ``negate_steering`` (policy ``driving``).
    """

    _KEY_IS = "the steering value"
    _NEEDED_FOR = "the steering angle to negate"

    def __init__(self, key: str = "steering", p: float = 0.5) -> None:
        super().__init__(key, p=p)

    def _check_data(self, data: Mapping[str, Any]) -> None:
        super()._check_data(data)
        value = data[self.key]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.ndarray, np.number, list, tuple)):
            raise TypeError(
                f"HorizontalFlipWithSteering: `{self.key}` must be a number or an array of numbers, "
                f"got {type(value).__name__}"
            )

    def _relabel(self, result: dict[str, Any]) -> dict[str, Any]:
        value = result[self.key]
        if isinstance(value, (list, tuple)):
            result[self.key] = type(value)(-v for v in value)
        else:
            result[self.key] = -value
        return result


# ------------------------------------------------------------------------------------------ captions

_WORD = r"(?<![A-Za-z0-9_])"  # a word starts here (hyphens and punctuation are boundaries)
_END = r"(?![A-Za-z0-9_])"
_SIDES = re.compile(_WORD + r"(left|right)(most|wards|ward|)" + _END, re.IGNORECASE)

CAPTION_BLOCKERS: tuple[tuple[str, str], ...] = (
    # (pattern, why a mirror makes the caption false and no rewrite fixes it)
    (r"(counter|anti)?-?clockwise", "a turn direction, which a mirror reverses"),
    (
        r"(north|south)?-?(east|west)(ern|ward|wards|erly)?",
        "a compass direction, which a mirror swaps while the scene stays where it is",
    ),
    (r"(left|right)[- ]?handed|lefty|righty|southpaw", "handedness, a trait of the person that a mirror fakes"),
    (r"(left|right)[- ]?wing(er|ers)?", "a political sense of left/right, not a side"),
    (
        r"says|saying|said|reads|reading|written|writing|text|texts|words?|letters?|lettering|logos?|"
        r"spelled|spells|spelling|inscription|inscribed|headline|numbers?|numbered|digits?|clocks?|o'clock",
        "text or a dial in the image, which a mirror reverses",
    ),
    # "right" meaning "directly" or "correct", "left" meaning "went away" or "remaining":
    (
        r"right (next|in|on|at|by|behind|beside|above|below|under|over|outside|inside|into|onto|through|across|"
        r"along|up|down|off|out|near|around|before|after|now|away|here|there|then|back|where|when|angles?|"
        r"angled|triangles?|side up|way up|of way|answer|choice|thing|size|time|moment)",
        "'right' meaning 'directly' or 'correct', not a side",
    ),
    (r"(all|just|exactly|that's|thats|you're|youre) right", "'right' meaning 'correct', not a side"),
    (
        r"(has|have|had|having|was|were|is|are|been|be|being|get|gets|got|getting|he|she|they|we|i|you|who|"
        r"someone|something|just|already) left",
        "'left' as a verb ('has left') or meaning 'remaining', not a side",
    ),
    (
        r"left (the|a|an|his|her|their|its|my|your|our|him|them|me|us|behind|over|alone|home|unattended|early)",
        "'left' as a verb ('left the room'), not a side",
    ),
    (r"[\"\u201c\u201d\u00ab\u00bb]", "quoted text, which is usually text in the image and reads mirrored"),
)
"""Caption words a mirror makes false and that cannot be rewritten: the flip is skipped instead."""

_BLOCKERS = [(re.compile(_WORD + f"(?:{pattern})" + _END, re.IGNORECASE), why) for pattern, why in CAPTION_BLOCKERS]
_BLOCKERS[-1] = (re.compile(CAPTION_BLOCKERS[-1][0]), CAPTION_BLOCKERS[-1][1])  # quotes are not words


def _case_kind(word: str) -> str | None:
    if word.islower():
        return "lower"
    if word.isupper():
        return "upper"
    if word[:1].isupper() and word[1:].islower():
        return "title"
    return None


def _recase(word: str, kind: str) -> str:
    return word.upper() if kind == "upper" else word.capitalize() if kind == "title" else word


def caption_blocker(caption: str) -> str | None:
    """Why a mirrored image would make ``caption`` false beyond repair, or None when it can be rewritten."""
    for pattern, why in _BLOCKERS:
        found = pattern.search(caption)
        if found:
            return f"caption has {found.group(0)!r}: {why}"
    for found in _SIDES.finditer(caption):
        if _case_kind(found.group(0)) is None:
            return f"caption has {found.group(0)!r} in mixed case, which cannot be rewritten keeping its case"
    return None


def _swap_word(found: re.Match[str]) -> str:
    word = found.group(0)
    kind = _case_kind(word)
    if kind is None:
        return word
    side, suffix = found.group(1).lower(), found.group(2).lower()
    return _recase(("right" if side == "left" else "left") + suffix, kind)


def swap_left_right(caption: str) -> str:
    """``caption`` with left and right exchanged, whole words only, keeping each word's case.

    left/right, leftmost/rightmost, leftward(s)/rightward(s), and inside hyphenated words (top-left,
    left-hand). "bright", "leftover", "copyright" and "Albright" are left alone. Applying it twice gives
    the caption back. It does not check whether the words are about sides: :func:`caption_blocker` does.
    """
    return _SIDES.sub(_swap_word, caption)


def _captions(value: Any, key: str) -> list[str]:
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"`{key}` must be a string or a list of strings, got {type(item).__name__}")
    return items


class HorizontalFlipWithCaption(_KeyedFlip):
    """Mirror like ``A.HorizontalFlip`` and swap left and right in the caption; skip what cannot be fixed.

    The caption under ``key`` (a string, or a list of strings, e.g. several reference captions) gets
    :func:`swap_left_right`: "the dog on the Left" becomes "the dog on the Right", "top-left corner"
    "top-right corner"; "bright" stays "bright". When a caption holds a word from
    :data:`CAPTION_BLOCKERS` (clockwise, east/west, left-handed, quoted or written text, "right next
    to", "has left", ...), the sample is not flipped: image and captions stay as they are, and the
    applied parameters say why. With a list, one blocked caption keeps the whole sample unflipped.

    Performs the label transform ``rewrite_caption_left_right`` (policy ``vision_language``).
    """

    _KEY_IS = "the caption"
    _NEEDED_FOR = "the caption to rewrite"

    def __init__(self, key: str = "caption", p: float = 0.5) -> None:
        super().__init__(key, p=p)

    def _check_data(self, data: Mapping[str, Any]) -> None:
        super()._check_data(data)
        _captions(data[self.key], self.key)

    def _skip_reason(self, data: Mapping[str, Any]) -> str | None:
        for caption in _captions(data[self.key], self.key):
            reason = caption_blocker(caption)
            if reason is not None:
                return reason
        return None

    def _relabel(self, result: dict[str, Any]) -> dict[str, Any]:
        value = result[self.key]
        if isinstance(value, (list, tuple)):
            result[self.key] = type(value)(swap_left_right(c) for c in value)
        else:
            result[self.key] = swap_left_right(value)
        return result


# ------------------------------------------------------------------------------------------ colour

_COLOUR_BASES = (
    *("red", "green", "blue", "yellow", "orange", "purple", "pink", "brown", "black", "white", "grey", "gray"),
    *("gold", "golden", "silver", "beige", "tan", "maroon", "navy", "teal", "turquoise", "cyan", "magenta"),
    *("violet", "indigo", "lavender", "lilac", "crimson", "scarlet", "burgundy", "olive", "lime", "khaki"),
    *("cream", "ivory", "bronze", "copper", "amber", "aqua", "coral"),
)


def _colour_forms(base: str) -> set[str]:
    forms = {base, base + "s", base + "ish"}
    if base.endswith("e"):
        forms.add(base[:-1] + "ish")  # whitish, bluish, purplish, orangish
    if base in ("red", "tan"):
        forms.add(base + base[-1] + "ish")  # reddish, tannish
    return forms


COLOUR_WORDS: frozenset[str] = frozenset(
    {form for base in _COLOUR_BASES for form in _colour_forms(base)}
    | {
        "color",
        "colors",
        "colour",
        "colours",
        "colored",
        "coloured",
        "colorful",
        "colourful",
        "multicolored",
        "multicoloured",
        "blond",
        "blonde",
        "blondes",
        "brunette",
        "redhead",
        "redheads",
    }
)
"""Words that name a colour (whole words, any case): a caption with one keeps its colours unjittered."""

_LETTERS = re.compile(r"[A-Za-z]+")


def names_colour(caption: str) -> str | None:
    """The first colour word of ``caption`` (see :data:`COLOUR_WORDS`), or None."""
    for found in _LETTERS.finditer(caption):
        if found.group(0).lower() in COLOUR_WORDS:
            return found.group(0)
    return None


# AlbumentationsX renamed ColorJitter's arguments (brightness -> brightness_range, ...).
_X_COLOR_JITTER = "brightness_range" in inspect.signature(A.ColorJitter.__init__).parameters


class ColorJitterUnlessCaptionNamesColor(_Decides, A.ColorJitter):  # type: ignore[misc,valid-type]
    """``A.ColorJitter``, skipped for a sample whose caption names a colour.

    "A red bus" stays true under brightness and contrast jitter, but not under a hue shift or
    desaturation; so when the caption under ``key`` (a string or a list of strings) holds a word from
    :data:`COLOUR_WORDS` ("red", "greyish", "Golden", "colourful", ...), the whole jitter is skipped for
    that sample and the applied parameters say why. Captions without one are jittered as
    ``A.ColorJitter`` would.

    Performs the label transform ``skip_colour_when_caption_names_colour`` (policy ``vision_language``).
    Augment the Pairs (WACV 2024) does the same for image-text training.
    """

    _ACTS = "jitter"

    def __init__(
        self,
        brightness: tuple[float, float] | float = (0.8, 1.2),
        contrast: tuple[float, float] | float = (0.8, 1.2),
        saturation: tuple[float, float] | float = (0.8, 1.2),
        hue: tuple[float, float] | float = (-0.5, 0.5),
        p: float = 0.5,
        key: str = "caption",
        **renamed: Any,
    ) -> None:
        if not isinstance(key, str) or not key:
            raise TypeError(f"ColorJitterUnlessCaptionNamesColor.key: expected the name of the caption, got {key!r}")
        self.key = key
        ranges: dict[str, Any] = {"brightness": brightness, "contrast": contrast, "saturation": saturation, "hue": hue}
        for name, value in renamed.items():  # AlbumentationsX spells them brightness_range, ...
            if not name.endswith("_range") or name[: -len("_range")] not in ranges:
                raise TypeError(f"ColorJitterUnlessCaptionNamesColor got an unexpected argument {name!r}")
            ranges[name[: -len("_range")]] = value
        if _X_COLOR_JITTER:
            # The fork takes (low, high) pairs only; a bare number given under a 2.0 name means what 2.0.8 reads
            # it as: brightness=0.2 is (0.8, 1.2), hue=0.1 is (-0.1, 0.1).
            read = Params(type(self).__name__, ranges, {})
            for name in set(ranges).difference(k.removesuffix("_range") for k in renamed):
                if is_number(ranges[name]):
                    ranges[name] = read.range(name, "symmetric" if name == "hue" else "around_one")
            super().__init__(**{f"{k}_range": v for k, v in ranges.items()}, p=p)
            for name in ranges:  # the 2.0 names, which this class's signature and safeaug's catalog read
                setattr(self, name, getattr(self, f"{name}_range"))
        else:
            super().__init__(**ranges, p=p)
        self._available_keys.add(key)

    def _check_data(self, data: Mapping[str, Any]) -> None:
        if self.key not in data:
            raise _missing(self, self.key, data, "the caption whose colour words decide")
        _captions(data[self.key], self.key)

    def _skip_reason(self, data: Mapping[str, Any]) -> str | None:
        for caption in _captions(data[self.key], self.key):
            word = names_colour(caption)
            if word is not None:
                return f"caption names the colour {word!r}"
        return None
