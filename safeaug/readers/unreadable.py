"""Values a reader cannot know without running code, and what it says about them.

Python source builds values from variables, calls and ``**kwargs``; a YAML file may interpolate
``${oc.env:ROT}``. Each such value is an :class:`Opaque`; the pipeline reader asks here which of them
matter. An unreadable argument the catalog reads to describe the transform is an ``SA501`` error for
that transform alone (it is then judged at its default, or not at all); one that cannot change what the
transform does (an interpolation flag, a fill value) is no reason to refuse the pipeline; an unreadable
probability is read as "may run", its worst case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from safeaug.catalog._registry import Params, defaults_for, get_entry
from safeaug.catalog._signatures import REQUIRED
from safeaug.ir import Node, Note
from safeaug.rules import BAD_PARAMETER


class Opaque:
    """A value that cannot be known without running code: a variable or call in Python source, or an
    interpolation that points outside its YAML file."""

    __slots__ = ("call", "line", "text")

    def __init__(self, text: str, line: int | None, call: str | None = None) -> None:
        self.text = text
        self.line = line
        self.call = call  # the dotted name called, when the value is a call of a non-albumentations class

    def __repr__(self) -> str:
        return f"<{self.text}>"


# Arguments that cannot change what a transform does to the image's content or geometry: an
# unreadable value there is no reason to refuse the pipeline.
_HARMLESS = frozenset(
    {
        "interpolation",
        "mask_interpolation",
        "fill",
        "fill_mask",
        "fill_value",
        "mask_fill_value",
        "value",
        "mask_value",
        "cval",
        "cval_mask",
        "bbox_params",
        "keypoint_params",
        "additional_targets",
        "is_check_shapes",
        "strict",
        "seed",
        "save_applied_params",
        "save_key",
        "read_fn",
        "reference_images",
        "metadata_key",
        "always_apply",
        # Lambda's functions: Lambda is an unknown transform whatever they are
        "image",
        "mask",
        "keypoints",
        "bboxes",
        "name",
    }
)
_OPAQUE_REASON = (
    "safeaug reads configs without running them; a value it cannot read could be anything, so the pipeline "
    "cannot be shown to be safe."
)


def unreadable_notes(name: str, args: dict[str, Any], *, composition: bool) -> tuple[Note, ...]:
    """Errors for what cannot be read statically and always matters: ``**kwargs``, ``p``, a transform list.

    Other unreadable arguments are judged after renaming, by whether the catalog reads them
    (:func:`unreadable_argument_notes`); a composition's other arguments never change what it does.
    """
    notes: list[Note] = []
    for key in [k for k, v in args.items() if isinstance(v, Opaque)]:
        value = args[key]
        if key == "transforms":
            message = (
                f"`{name}({value.text})`: the transforms come from `{value.text}`, which cannot be read statically."
            )
            fix = "Write the list of transforms in the call, or assign it once at module level as a literal list."
        elif key == "**":
            del args[key]
            spread = value.text if value.text.startswith("*") else f"**{value.text}"  # `*args` is spelt already
            message = f"`{name}({spread})`: arguments unpacked from `{value.text}` cannot be read statically."
            fix = f"Write the arguments of `{name}` out as literals."
        elif key == "p":
            del args[key]  # read as "may run", its worst case: the transform is judged as if it always could
            continue
        elif composition:
            del args[key]
            continue
        else:
            continue
        notes.append(Note(BAD_PARAMETER, "error", message, fix=fix, reason=_OPAQUE_REASON))
    return tuple(notes)


class _Read(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


class _Recorder(Params):
    """Parameters that raise :class:`_Read` when the catalog reads one of ``blocked``."""

    __slots__ = ("blocked",)

    def __init__(
        self, transform: str, given: Mapping[str, Any], defaults: Mapping[str, Any], blocked: set[str]
    ) -> None:
        super().__init__(transform, given, defaults)
        self.blocked = blocked

    def raw(self, name: str) -> Any:
        if name in self.blocked:
            raise _Read(name)
        return super().raw(name)


def _catalog_reads(name: str, params: Mapping[str, Any], keys: list[str]) -> set[str]:
    """Which of ``keys`` the catalog entry of ``name`` reads to describe the transform."""
    entry = get_entry(name)
    if entry is None or entry.unknown:
        return set()  # an unknown transform is reported as such, whatever its arguments
    defaults = defaults_for(name)
    given = dict(params)
    read: set[str] = set()
    for _ in range(len(keys) + 1):
        try:
            entry.describe(_Recorder(name, given, defaults, set(keys) - read))
        except _Read as hit:
            read.add(hit.name)
            if defaults.get(hit.name, REQUIRED) == REQUIRED:
                return set(keys)  # no value to go on with: count every one as read
            given[hit.name] = defaults[hit.name]  # go on as if it were left out
            continue
        except Exception:  # the other arguments are bad: the validator will say so
            return set(keys)
        return read
    return read


def unreadable_argument_notes(name: str, params: dict[str, Any], alt: tuple[dict[str, Any], ...]) -> tuple[Note, ...]:
    """An error for each unreadable argument the catalog reads; it is left out (judged at its default)."""
    keys = [k for k, v in params.items() if isinstance(v, Opaque) and k not in _HARMLESS]
    if not keys:
        return ()
    notes: list[Note] = []
    required = {k for k, v in defaults_for(name).items() if v == REQUIRED}
    for key in sorted(_catalog_reads(name, params, keys), key=keys.index):
        value = params[key]
        if key not in required:
            for reading in (params, *alt):
                reading.pop(key, None)
        notes.append(
            Note(
                BAD_PARAMETER,
                "error",
                f"`{name}({key}={value.text})`: the value of `{key}` cannot be read without running the code (it "
                f"comes from outside the file, or is changed after it is set), and it decides what `{name}` does; "
                f"safeaug judged nothing else of this `{name}`.",
                fix=f"Write `{key}` as a literal number, pair or string, or refer to a value the file sets once "
                "(a module-level constant in Python, `${key.path}` to a key of the same file in YAML).",
                reason=_OPAQUE_REASON,
            )
        )
    return tuple(notes)


def opaque_transform(value: Opaque, location: str) -> Node:
    """A transform the source builds in a way that cannot be read without running it."""
    if value.call is not None:  # a call of something that is not albumentations: a user's transform
        return Node(name=value.call, location=location, line=value.line, mro=(value.call,))
    note = Note(
        BAD_PARAMETER,
        "error",
        f"`{value.text}` cannot be read without running the code, so what it adds to the pipeline is unknown.",
        fix="Write the transform in the pipeline itself, or assign it once at module level "
        "(`flip = A.HorizontalFlip(p=0.5)`).",
        reason=_OPAQUE_REASON,
    )
    return Node(name=value.text, location=location, line=value.line, mro=(value.text,), notes=(note,))


def unfollowed(value: Opaque, location: str) -> Node:
    """Albumentations passed on as a value (``lib=A``, ``getattr(A, name)``, ``{"flip": A.HorizontalFlip}``):
    whatever is built through it cannot be read without running the code."""
    note = Note(
        BAD_PARAMETER,
        "error",
        f"`{value.text}` passes albumentations on as a value; the transforms built through it cannot be "
        "followed without running the code, so they are unknown and may mirror, turn or zoom past the policy.",
        fix="Call the transforms through the name albumentations is imported as (`A.HorizontalFlip(p=0.5)`), "
        "or through an alias assigned once at module level (`T = A`, `Flip = A.HorizontalFlip`).",
        reason=_OPAQUE_REASON,
    )
    return Node(name=value.text, location=location, line=value.line, mro=(value.text,), notes=(note,))


def changed_after_built(name: str, change: str, line: int) -> Note:
    """The note for a pipeline the source changes in place after building it (``train.transforms[0].p = 1``)."""
    return Note(
        BAD_PARAMETER,
        "error",
        f"`{name}` is changed after it is built (`{change}`, line {line}), so what runs is not the pipeline as "
        "written; safeaug judged it as written and cannot tell what the change makes of it.",
        fix=f"Write the pipeline as it should run in the call that builds `{name}`, and do not change it afterwards.",
        reason=_OPAQUE_REASON,
    )
