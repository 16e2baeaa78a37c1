"""Every config dialect that spells a transform as a mapping, read into the pipeline tree.

A transform may be written as

* ``{"__class_fullname__": "Rotate", "limit": 10}``                       (``albumentations.save``, 1.x and 2.x)
* ``{"_target_": "albumentations.Rotate", "limit": 10}``                 (Hydra; ``_args_``, ``_partial_``)
* ``{"class_path": "albumentations.Rotate", "init_args": {...}}``        (jsonargparse / LightningCLI)
* ``{"class_name": "Rotate", "params": {...}}``
* ``{"name": "Rotate", "params": {...}}``
* ``{"type": "Rotate", "limit": 10}`` inside ``{"type": "Albu", "transforms": [...]}``   (mmdet / mmengine)

and a file may hold any number of pipelines anywhere in its tree (``train.transform``, ``val.transform``).
:func:`find_pipelines` finds each one that is not inside another; :func:`build_node` reads one.
Class paths are strings here and are never imported.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, NamedTuple

from safeaug.catalog import Params, defaults_for, get_entry, known_names
from safeaug.catalog._defaults import BASES, REQUIRED
from safeaug.catalog._renames import FLIP
from safeaug.catalog.auto import POSITIONAL as AUTO_POSITIONAL
from safeaug.errors import ConfigError
from safeaug.ir import COMPOSE_MODES, Node, Note, child_location
from safeaug.libraries.reading import drawn, is_library_class, spelled
from safeaug.readers import vocabulary
from safeaug.readers._signatures import PARAMETERS
from safeaug.readers.vocabulary import (
    OLD_ORDER,
    is_albumentations_name,
    positional_order,
    translate,
)
from safeaug.rules import BAD_PARAMETER, IGNORED_ARGUMENT

Path = tuple[Hashable, ...]
Lines = Mapping[Path, int]

NATIVE = "__class_fullname__"
# mmdet / mmseg / mmpretrain wrappers whose `transforms` list runs as an albumentations Compose.
ALBU_WRAPPERS = frozenset({"Albu", "Albumentations", "Albumentation"})
# Keys of a native node that are not init arguments (ReplayCompose records add `id`, `params`, `applied`).
_NATIVE_STRUCTURE = frozenset({NATIVE, "transforms", "p", "id", "params", "applied"})
_HYDRA_KEYS = frozenset({"_target_", "_args_", "_partial_", "_recursive_", "_convert_"})
_PIPELINE_WORDS = ("transform", "aug", "pipeline")


class Spec(NamedTuple):
    """One transform as written: its class string, where that string is, and its arguments."""

    cls: str
    key: str  # the key holding the class string
    args: Mapping[str, Any]
    args_path: Path  # where the arguments live, for lines
    positional: Sequence[Any]  # Hydra `_args_`
    transforms_at: Path | None = None  # where the list of child transforms sits, when not under `transforms`


class Reader:
    """Reads specs into nodes, remembering the file and the line of every value."""

    def __init__(self, source: str | None, lines: Lines | None, *, opaque: bool = False) -> None:
        self.source = source
        self.lines: Lines = lines or {}
        self.opaque = opaque  # values may be Opaque (read from Python source)

    # ------------------------------------------------------------------ recognising transforms

    def spec(self, obj: Any, *, albu: bool, loose: bool = False) -> Spec | None:
        """The transform ``obj`` spells, if any. ``loose``: inside a pipeline, any ``name`` is a class name."""
        if not isinstance(obj, Mapping):
            return None
        cls = obj.get(NATIVE)
        if cls is not None:
            return Spec(cls, NATIVE, obj, (), ())
        cls = obj.get("_target_")
        if isinstance(cls, str):
            args = {k: v for k, v in obj.items() if k not in _HYDRA_KEYS}
            positional = obj.get("_args_") or ()
            return Spec(cls, "_target_", args, (), positional if isinstance(positional, list) else ())
        cls = obj.get("class_path")
        if isinstance(cls, str):
            init = obj.get("init_args")
            return Spec(cls, "class_path", init if isinstance(init, Mapping) else {}, ("init_args",), ())
        cls = obj.get("type")
        if albu and isinstance(cls, str):  # inside mmdet's Albu, `type` names the class (`name` may be an argument)
            return Spec(cls, "type", {k: v for k, v in obj.items() if k != "type"}, (), ())
        for key in ("class_name", "name"):
            cls = obj.get(key)
            if isinstance(cls, str) and (key == "class_name" or loose or _albumentations(cls) is not None):
                params = obj.get("params")
                if isinstance(params, Mapping):
                    return Spec(cls, key, params, ("params",), ())
                if isinstance(params, list) and cls in COMPOSE_MODES:  # `name: OneOf, params: [...]`
                    return Spec(cls, key, {"transforms": params}, (), (), ("params",))
                return Spec(cls, key, {k: v for k, v in obj.items() if k != key}, (), ())
        cls = obj.get("type")
        if isinstance(cls, str) and (
            _scope(cls) in ALBU_WRAPPERS or _wraps_albumentations(obj) or is_library_class(cls)
        ):
            return Spec(cls, "type", {k: v for k, v in obj.items() if k != "type"}, (), ())
        if loose and len(obj) == 1:  # the single-key form: `- VerticalFlip: {p: 0.25}`
            [(cls, args)] = obj.items()
            if isinstance(cls, str) and _albumentations(cls) is not None and "." not in cls:
                if args is None or isinstance(args, Mapping):
                    return Spec(cls, cls, args or {}, (cls,), ())
                if isinstance(args, list) and cls in COMPOSE_MODES:  # `- OneOf: [...]`
                    return Spec(cls, cls, {"transforms": args}, (), (), (cls,))
        return None

    # ------------------------------------------------------------------ finding pipelines

    def find(self, data: Any) -> list[Node]:
        """Every pipeline in a document that is not inside another, in document order."""
        if isinstance(data, Mapping) and NATIVE not in data and isinstance(data.get("transform"), Mapping):
            inner = data["transform"]
            if NATIVE in inner and len([k for k in data if k != "__version__"]) == 1:
                return [self.build(inner, ("transform",), "", albu=False)]  # an `albumentations.save` document
        roots: list[Node] = []
        stack: list[tuple[Any, Path]] = [(data, ())]
        while stack:
            obj, path = stack.pop()
            found = self._root(obj, path)
            if found is not None:
                roots.append(found)
                continue
            if isinstance(obj, Mapping):
                stack.extend((v, (*path, k)) for k, v in reversed(list(obj.items())) if isinstance(v, (Mapping, list)))
            elif isinstance(obj, list):
                stack.extend(
                    (v, (*path, i)) for i, v in reversed(list(enumerate(obj))) if isinstance(v, (Mapping, list))
                )
        return roots

    def _root(self, obj: Any, path: Path) -> Node | None:
        location = _location(path)
        if isinstance(obj, list):
            specs = [self.spec(item, albu=False, loose=True) for item in obj]  # a misspelt name is read, then refused
            if obj and all(s is not None for s in specs) and any(_known_class(s.cls) for s in specs if s):
                return self._sequence(obj, path, location, albu=False)
            return None
        spec = self.spec(obj, albu=False)
        if spec is None:
            return None
        if spec.key in (NATIVE, "type") or _known_class(spec.cls):  # `type`: an Albu wrapper
            return self.build(obj, path, location, albu=False)
        # A user's own class where a pipeline belongs (`train_transform: {_target_: mylib.Aug}`) is an
        # unknown transform, unless it merely wraps an albumentations pipeline found further down.
        key = str(path[-1]).lower() if path and isinstance(path[-1], str) else ""
        if any(word in key for word in _PIPELINE_WORDS) and not self._holds_albumentations(obj):
            return self.build(obj, path, location, albu=False)
        return None

    def _holds_albumentations(self, obj: Any) -> bool:
        stack = [obj]
        while stack:
            item = stack.pop()
            if isinstance(item, Mapping):
                spec = self.spec(item, albu=False)
                if spec is not None and item is not obj and _known_class(spec.cls):
                    return True
                stack.extend(v for v in item.values() if isinstance(v, (Mapping, list)))
            elif isinstance(item, list):
                stack.extend(v for v in item if isinstance(v, (Mapping, list)))
        return False

    def _sequence(self, items: list[Any], path: Path, location: str, *, albu: bool) -> Node:
        children = tuple(self.build(item, (*path, i), _child(location, i), albu=albu) for i, item in enumerate(items))
        return Node(name="Compose", children=children, mode="sequence", location=location, line=self.line(path))

    # ------------------------------------------------------------------ reading one transform

    def line(self, path: Path, key: str | None = None) -> int | None:
        if key is not None:
            found = self.lines.get((*path, key))
            if found is not None:
                return found
        return self.lines.get(path)

    def error(self, message: str, line: int | None) -> ConfigError:
        return ConfigError(message, path=self.source, line=line)

    def build(self, obj: Any, path: Path, location: str, *, albu: bool) -> Node:
        where = f" at {location}" if location else ""
        if isinstance(obj, Opaque):
            return self._opaque_transform(obj, location)
        spec = self.spec(obj, albu=albu, loose=True)
        if spec is None:
            line = self.line(path)
            if not isinstance(obj, Mapping):
                raise self.error(f"expected a transform (a mapping){where}, got {type(obj).__name__}", line)
            keys = ", ".join(sorted(map(str, obj))) or "none"
            raise self.error(
                f"transform{where} has no `{NATIVE}` (nor `_target_`, `class_path`, `class_name` or `name` naming "
                f"its class); keys found: {keys}",
                line,
            )
        line = self.line(path, spec.key)
        if not isinstance(spec.cls, str) or not spec.cls:
            raise self.error(f"`{spec.key}`{where} must be a class name, got {spec.cls!r}", line)
        if is_library_class(spec.cls):  # torchvision, MONAI, Kornia, TorchIO
            return self._library(spec, path, location, line)
        args = dict(spec.args)
        origin: dict[str, Path] = {}  # where an argument given by position sits
        name = _albumentations(spec.cls)
        if spec.key == "type" and (_scope(spec.cls) in ALBU_WRAPPERS or (not albu and _wraps_albumentations(obj))):
            return self._albu(args, (*path, *spec.args_path), location, line)
        for param, value in zip(AUTO_POSITIONAL.get(spec.cls, ()), spec.positional, strict=False):
            args.setdefault(param, value)  # safeaug.auto's transforms: RandAugment("ocr", 2, 9)
        if spec.transforms_at is not None:
            origin["transforms"] = spec.transforms_at
        if name is None and spec.cls in known_names():  # registered by the user under a short name
            return _user_node(spec.cls, args, location, line)
        if name is None:
            if "." not in spec.cls and spec.key not in ("class_path", "_target_"):
                raise self.error(
                    f"unknown transform {spec.cls!r}{where}: albumentations has no such class and none was registered"
                    + _suggest(spec.cls),
                    line,
                )
            # A user's class (or anything else): never imported, read as an unknown transform.
            return _user_node(spec.cls, args, location, line)
        if spec.positional:
            order, old = positional_order(name, list(spec.positional))
            if old:
                args[OLD_ORDER] = True
            if len(spec.positional) > len(order):
                raise self.error(
                    f"{name}{where}: `_args_` has {len(spec.positional)} values but {name} takes "
                    f"{len(order)} positional arguments",
                    line,
                )
            for i, (param, value) in enumerate(zip(order, spec.positional, strict=False)):
                if param not in args:
                    args[param] = value
                    origin[param] = ("_args_", i)
        if spec.key == NATIVE:
            args = {k: v for k, v in args.items() if k not in _NATIVE_STRUCTURE or k in ("transforms", "p")}
        unread = _unreadable(name, args, composition=name in COMPOSE_MODES) if self.opaque else ()
        p = self._probability(name, args.pop("p", None), where, line)
        if name in COMPOSE_MODES:
            base = (*path, *origin["transforms"][:-1]) if "transforms" in origin else (*path, *spec.args_path)
            node = self._composition(name, args, p, base, location, line, albu=albu, key=origin.get("transforms"))
            stored = args.get("policy") if spec.cls in _SAFEAUG_COMPOSITIONS else None
            if isinstance(stored, str):  # safeaug.Compose(..., policy="chest_xray") in Python source
                stored = {"id": stored}
            if isinstance(stored, Mapping):
                node.policy = stored  # nodes are built here and never changed afterwards
            return _with_notes(node, unread) if unread else node
        if name == FLIP:
            return _flip(args, p, location, line)
        translated = translate(name, args, p)
        written = name if translated.name != name else ""  # a class removed in 2.0, read as its replacement
        name = translated.name
        if self.opaque:
            unread = (*unread, *_unreadable_arguments(name, translated.params, translated.alt_params))
        notes = (*unread, *translated.notes)
        p_value = translated.p
        defaults = defaults_for(name)
        if p_value is None and isinstance(defaults.get("p"), (int, float)):
            p_value = float(defaults["p"])
        return Node(
            name=name,
            params=translated.params,
            p=p_value,
            location=location,
            line=line,
            mro=(name, *BASES.get(name, ())),
            notes=notes,
            alt_params=translated.alt_params,
            written=written,
        )

    def _library(self, spec: Spec, path: Path, location: str, line: int | None) -> Node:
        """A class of another library (see ``safeaug.libraries``), by its canonical name."""
        where = f" at {location}" if location else ""
        found = spelled(spec.cls, spec.args, spec.positional, spec.args_path)
        if found is None or not found.known:  # a class the library does not export: an unknown transform
            return _user_node(spec.cls, spec.args, location, line)
        name, args = found.name, found.params
        notes = [_not_taken(name, problem) for problem in found.problems]
        notes += _unreadable(name, args, composition=found.composition is not None) if self.opaque else ()
        p = None if isinstance(found.p, Opaque) else found.p  # an unreadable p: "may run", its worst case
        p_value = 1.0 if p is None else self._probability(name, p, where, line)
        if found.composition is None:
            if self.opaque:
                notes += _unreadable_arguments(name, args, ())
            return Node(
                name=name, params=args, p=p_value, location=location, line=line, mro=(name,), notes=tuple(notes)
            )
        children = found.children
        mode = found.composition.mode
        if isinstance(children, Opaque):
            notes += _unreadable(name, {"transforms": children}, composition=True)
            return Node(name=name, params=args, p=p_value, mode=mode, location=location, line=line, notes=tuple(notes))
        if not isinstance(children, list):
            got = "nothing" if children is None else type(children).__name__
            raise self.error(
                f"{name}{where}: `{found.composition.children}` must be a list of transforms, got {got}", line
            )
        kids = tuple(
            self.build(child, (*path, *found.children_at, i), _child(location, i), albu=False)
            for i, (child, ok) in enumerate(zip(children, drawn(args.get("weights"), len(children)), strict=True))
            if ok
        )
        return Node(
            name=name,
            params=args,
            p=p_value,
            children=kids,
            mode=mode,
            location=location,
            line=line,
            notes=tuple(notes),
        )

    def _opaque_transform(self, value: Opaque, location: str) -> Node:
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

    def _probability(self, name: str, p: Any, where: str, line: int | None) -> float | None:
        if p is not None and (isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1):
            raise self.error(f"{name}.p{where} must be a probability between 0 and 1, got {p!r}", line)
        return float(p) if p is not None else None

    def _composition(
        self,
        name: str,
        args: dict[str, Any],
        p: float | None,
        path: Path,
        location: str,
        line: int | None,
        *,
        albu: bool,
        key: Path | None = None,
    ) -> Node:
        where = f" at {location}" if location else ""
        children = args.get("transforms")
        step: Hashable | None = key[-1] if key else "transforms"
        if name == "OneOrOther" and children is None:
            children = [c for c in (args.get("first"), args.get("second")) if c is not None]
            step = None
        if isinstance(children, Opaque):
            return Node(name=name, p=p, mode=COMPOSE_MODES[name], location=location, line=line)
        if not isinstance(children, list):
            raise self.error(
                f"{name}{where}: `transforms` must be a list of transforms, got {type(children).__name__}", line
            )
        params = {k: v for k, v in args.items() if k in ("n", "replace")}
        for k, value in params.items():
            if k == "n" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise self.error(f"{name}.n{where} must be a whole number >= 0, got {value!r}", line)
            if k == "replace" and not isinstance(value, bool):
                raise self.error(f"{name}.replace{where} must be true or false, got {value!r}", line)
        kids = tuple(
            self.build(
                c,
                (*path, step, i) if step is not None else (*path, ("first", "second")[i]),
                _child(location, i),
                albu=albu,
            )
            for i, c in enumerate(children)
        )
        return Node(
            name=name, params=params, p=p, children=kids, mode=COMPOSE_MODES[name], location=location, line=line
        )

    def _albu(self, args: Mapping[str, Any], path: Path, location: str, line: int | None) -> Node:
        """mmdet's ``Albu``: its ``transforms`` (``type=`` dicts) run as an albumentations ``Compose``."""
        where = f" at {location}" if location else ""
        children = args.get("transforms")
        if isinstance(children, Opaque):
            return _with_notes(
                Node(name="Compose", mode="sequence", location=location, line=line),
                _unreadable("Albu", {"transforms": children}, composition=True),
            )
        if not isinstance(children, list):
            raise self.error(
                f"Albu{where}: `transforms` must be a list of transforms, got {type(children).__name__}", line
            )
        kids = tuple(
            self.build(c, (*path, "transforms", i), _child(location, i), albu=True) for i, c in enumerate(children)
        )
        return Node(name="Compose", children=kids, mode="sequence", location=location, line=line)


class Opaque:
    """A value in Python source that cannot be known without running it (a variable, a call)."""

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


def _unreadable(name: str, args: dict[str, Any], *, composition: bool) -> tuple[Note, ...]:
    """Errors for what cannot be read statically and always matters: ``**kwargs``, ``p``, a transform list.

    Other unreadable arguments are judged after renaming, by whether the catalog reads them
    (:func:`_unreadable_arguments`); a composition's other arguments never change what it does.
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
            message = f"`{name}(**{value.text})`: arguments unpacked from `{value.text}` cannot be read statically."
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


def _unreadable_arguments(name: str, params: dict[str, Any], alt: tuple[dict[str, Any], ...]) -> tuple[Note, ...]:
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


def _with_notes(node: Node, notes: tuple[Note, ...]) -> Node:
    node.notes = (*node.notes, *notes)
    return node


def _flip(args: Mapping[str, Any], p: float | None, location: str, line: int | None) -> Node:
    """albumentations 1.x ``Flip``: a horizontal, a vertical or a both-axes flip, at random.

    Both axes at once is a half turn, which the catalog's ``VerticalFlip`` (a mirror plus a half turn) covers.
    """
    branches = tuple(
        Node(kind, {}, 1.0, location=_child(location, i, "flip"), line=line, mro=(kind,), written=FLIP)
        for i, kind in enumerate(("HorizontalFlip", "VerticalFlip"))
    )
    extra = translate("HorizontalFlip", args, p)
    notes = extra.notes
    installed = vocabulary.installed_line()
    if installed.line != "1.x":
        removed = Note(
            IGNORED_ARGUMENT,
            "error",
            f"`{FLIP}` was removed in albumentations 2.0: {installed.label} has no such class, so this pipeline will "
            "not build. safeaug judged it as what it did: a horizontal, a vertical or a both-axes flip, at random.",
            fix="Write the flips it chose among explicitly (`A.OneOf([A.HorizontalFlip(p=1), A.VerticalFlip(p=1)], "
            "p=0.5)`), or remove it where a mirror makes the label false.",
            reason=_REMOVED_REASON,
        )
        notes = (removed, *notes)
    return Node(
        name=FLIP,
        params={},
        p=extra.p if extra.p is not None else 0.5,
        children=branches,
        mode="one_of",
        location=location,
        line=line,
        notes=notes,
    )


_REMOVED_REASON = (
    "A pipeline the installed albumentations cannot build stops training at start-up, or sends whoever fixes it "
    "in a hurry to a replacement with another meaning; safeaug judges what the class did."
)


def _not_taken(name: str, problem: str) -> Note:
    short = name.rsplit(".", 1)[-1]
    return Note(
        BAD_PARAMETER,
        "error",
        f"`{name}`: {problem}; the library refuses to build it, so the pipeline does not run as written.",
        fix=f"Write `{short}` with the arguments its signature has.",
        reason="A pipeline that cannot be built stops training at start-up, or is changed in a hurry by whoever "
        "meets the error; safeaug judges the arguments the class takes.",
    )


def _known_class(cls: Any) -> bool:
    """An albumentations class, or a class of another library safeaug reads."""
    return _albumentations(cls) is not None or is_library_class(cls)


def _user_node(name: str, args: Mapping[str, Any], location: str, line: int | None) -> Node:
    """A class that is not albumentations: its arguments as given, its ``p`` when it is a probability."""
    p = args.get("p")
    p_value = float(p) if isinstance(p, (int, float)) and not isinstance(p, bool) and 0 <= p <= 1 else None
    params = {k: v for k, v in args.items() if k != "p" and not isinstance(v, Opaque)}
    return Node(name=name, params=params, p=p_value, location=location, line=line, mro=(name,))


def _wraps_albumentations(obj: Mapping[str, Any]) -> bool:
    """An mmdet/mmseg wrapper of its own (``type='AlbuGray'``): a ``transforms`` list of albumentations dicts."""
    children = obj.get("transforms")
    if not isinstance(children, list) or not children:
        return False
    for child in children:
        cls = child.get("type") if isinstance(child, Mapping) else None
        if not isinstance(cls, str) or _albumentations(cls) is None:
            return False
    return True


def _scope(cls: str) -> str:
    """``mmdet.Albu`` -> ``Albu`` (mmengine registries accept a scope prefix)."""
    return cls.rsplit(".", 1)[-1]


# safeaug's validated compositions, as ``albumentations.to_dict`` names them: they run as their base class.
_SAFEAUG_COMPOSITIONS = {
    "safeaug.compose.Compose": "Compose",
    "safeaug.compose.ReplayCompose": "ReplayCompose",
    "safeaug.Compose": "Compose",
    "safeaug.ReplayCompose": "ReplayCompose",
}


def _albumentations(cls: str) -> str | None:
    """The short albumentations class name a class string refers to, or None for anything else."""
    if not isinstance(cls, str):
        return None
    if cls in _SAFEAUG_COMPOSITIONS:
        return _SAFEAUG_COMPOSITIONS[cls]
    if cls in COMPOSE_MODES:
        return cls
    if cls.startswith(("albumentations.", "albumentationsx.")):
        return cls.rsplit(".", 1)[-1]
    if "." not in cls and is_albumentations_name(cls):
        return cls
    return None


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, sorted(known_names() | set(COMPOSE_MODES) | set(PARAMETERS)), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _child(location: str, index: int, key: str = "transforms") -> str:
    return child_location(location, index, key)


def _location(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
