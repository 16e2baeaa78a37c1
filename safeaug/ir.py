"""The neutral pipeline tree every reader produces and every rule reads.

A live ``A.Compose``, an ``A.to_dict`` dict and a YAML file all become the same :class:`Node` tree, so
the verdict for a pipeline does not depend on how it arrived.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

# How a composition combines its children.
#   sequence      every child in order (Compose, Sequential, ReplayCompose, SelectiveChannelTransform)
#   one_of        exactly one child, drawn with weights from the children's ``p`` (OneOf)
#   some_of       ``n`` children drawn uniformly, each applied with its own ``p`` (SomeOf, RandomOrder)
#   one_or_other  the first child with probability ``p``, else the second (OneOrOther)
Mode = Literal["sequence", "one_of", "some_of", "one_or_other"]

COMPOSE_MODES: dict[str, Mode] = {
    "Compose": "sequence",
    "Sequential": "sequence",
    "ReplayCompose": "sequence",
    "SelectiveChannelTransform": "sequence",
    "OneOf": "one_of",
    "SomeOf": "some_of",
    "RandomOrder": "some_of",
    "OneOrOther": "one_or_other",
    # safeaug's own validated Compose, as albumentations.to_dict names it
    "safeaug.compose.Compose": "sequence",
}


class Note(NamedTuple):
    """Something a reader noticed about a node that the policy alone cannot see.

    For example an argument the installed albumentations would silently ignore. The validator turns
    each note of a node that can run into a finding with this code and severity.
    """

    code: str
    severity: Literal["error", "warning"]
    message: str
    fix: str = ""
    reason: str = ""


@dataclass(slots=True)
class Node:
    """One transform or composition.

    ``name`` is the short class name (``"HorizontalFlip"``) for albumentations classes and the dotted
    path for anything else. ``params`` holds the arguments as they were given or stored, *without*
    defaults filled in; ``p`` is the probability (``None`` when the source gave none). ``location``
    is the path in the tree (``transforms[2].transforms[0]``) and ``line`` the source line when read
    from a file. ``obj`` is the live transform when the tree came from objects; ``mro`` the names of
    its classes, most derived first, so that subclasses can inherit catalog entries. ``notes`` are what
    the reader noticed (see :class:`Note`). A root read from a file with several pipelines in it has a
    ``location`` naming where in the file it sits (``train_pipeline``); its children extend it.

    Readers build nodes and nothing changes them afterwards. (Not a frozen dataclass only because
    frozen construction is three times slower, and reading must stay cheap next to building a pipeline.)
    """

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    p: float | None = None
    children: tuple[Node, ...] = ()
    mode: Mode | None = None
    location: str = ""
    line: int | None = None
    obj: Any = field(default=None, compare=False, repr=False)
    mro: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    # Other readings of the arguments, judged too: the envelope is the union over ``params`` and each
    # of these. A config written for another albumentations line means one thing to its author and
    # another to the installed line (which drops arguments it does not know): both must be safe.
    alt_params: tuple[Mapping[str, Any], ...] = ()
    # The policy a saved ``safeaug.Compose`` records (``{"id": ..., "arguments"|"definition": ...}``): the
    # linter judges the pipeline against it when no policy is configured for the file.
    policy: Mapping[str, Any] | None = field(default=None, compare=False)
    # The class as the config writes it, when it is read as another (``JpegCompression``, removed in 2.0, is
    # read as ``ImageCompression``): findings name it as written.
    written: str = field(default="", compare=False)
    # A step of another library's pipeline read as albumentations' transforms (mmcv's ``RandomResizedCrop``,
    # whose ``scale`` is its output size): findings quote none of the albumentations arguments it was read with.
    foreign: bool = field(default=False, compare=False)
    # The library whose training settings the node was read from ("ultralytics", "detectron2", "timm"): findings
    # say what to write in that library's words. Empty for anything else.
    settings: str = field(default="", compare=False)

    @property
    def is_composition(self) -> bool:
        return self.mode is not None

    def walk(self) -> Iterator[Node]:
        """This node and all below it, depth first, in order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def leaves(self) -> Iterator[Node]:
        for node in self.walk():
            if not node.is_composition:
                yield node


def child_location(parent: str, index: int, key: str = "transforms") -> str:
    return f"{parent}.{key}[{index}]" if parent else f"{key}[{index}]"
