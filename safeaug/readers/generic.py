"""Every config dialect that spells a transform as a mapping, read into the pipeline tree.

How each dialect spells a transform is in :mod:`safeaug.readers.dialects`. A file may hold any number of
pipelines anywhere in its tree (``train.transform``, ``val.transform``): :meth:`Reader.find` finds each one
that is not inside another; :meth:`Reader.build` reads one. Class paths are strings here and are never
imported.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Hashable, Mapping
from typing import Any

from safeaug.catalog._auto_names import POSITIONAL as AUTO_POSITIONAL
from safeaug.catalog._registry import defaults_for, known_names
from safeaug.catalog._renames import FLIP
from safeaug.catalog._signatures import BASES, PARAMETERS
from safeaug.errors import ConfigError, number_as_text
from safeaug.ir import COMPOSE_MODES, Node, Note, child_location
from safeaug.libraries.reading import arranged, drawn, is_library_class, spelled
from safeaug.readers import vocabulary
from safeaug.readers.detectron2 import detectron2_pipeline, is_config
from safeaug.readers.detectron2 import located as detectron2_located
from safeaug.readers.dialects import (
    NATIVE,
    SAFEAUG_COMPOSITIONS,
    Spec,
    mmengine_pipeline,
    recognise,
    resolve_class,
    rival_class,
)
from safeaug.readers.timm_settings import located as timm_located
from safeaug.readers.timm_settings import timm_pipeline
from safeaug.readers.ultralytics import Located, ultralytics_pipeline
from safeaug.readers.ultralytics import located as ultralytics_located
from safeaug.readers.unreadable import Opaque, opaque_transform, unreadable_argument_notes, unreadable_notes
from safeaug.readers.vocabulary import (
    OLD_ORDER,
    positional_order,
    translate,
)
from safeaug.rules import BAD_PARAMETER, IGNORED_ARGUMENT

Path = tuple[Hashable, ...]
Lines = Mapping[Path, int]

_PIPELINE_WORDS = ("transform", "aug", "pipeline")
# Compositions that also take their children as a mapping of names to transforms, run in the mapping's order.
_NAMED_CHILDREN = frozenset({"torchio.Compose"})


class Reader:
    """Reads specs into nodes, remembering the file and the line of every value."""

    def __init__(self, source: str | None, lines: Lines | None, *, opaque: bool = False) -> None:
        self.source = source
        self.lines: Lines = lines or {}
        self.opaque = opaque  # values may be Opaque (read from Python source)

    # ------------------------------------------------------------------ recognising transforms

    def spec(self, obj: Any, *, albu: bool, loose: bool = False) -> Spec | None:
        """The transform ``obj`` spells, if any (see :func:`~safeaug.readers.dialects.recognise`)."""
        return recognise(obj, albu=albu, loose=loose)

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
            if obj and all(s is not None for s in specs) and any(resolve_class(s.cls) for s in specs if s):
                return self._sequence(obj, path, location, albu=False)
            if any(resolve_class(s.cls) for s in specs if s) and all(
                s is not None or _named_item(item) is not None for s, item in zip(specs, obj, strict=True)
            ):  # `- Rotate: {limit: 10}` beside `- MyAug: {...}` or a bare `- HorizontalFlip`: a pipeline still
                items = [item if s is not None else _named_item(item) for s, item in zip(specs, obj, strict=True)]
                return self._sequence(items, path, location, albu=False)
            # mmdet's own steps (and an Albu among them), run on the same images; a list held under a name
            # that says it is a pipeline (`train_pipeline`, `pipeline=`) is one whatever it loads with
            named = bool(path) and isinstance(path[-1], str) and "pipeline" in path[-1].lower()
            steps = mmengine_pipeline(obj, named=named)
            if steps is None:
                return None
            node = self._sequence([data for data, _ in steps], path, location, albu=False)
            for child, (_, written) in zip(node.children, steps, strict=True):
                if written:
                    _read_as(child, written, child.line)
            return node
        spec = self.spec(obj, albu=False)
        if spec is None and isinstance(obj, Mapping):  # (a transform spelt in a dialect is never settings)
            settings = ultralytics_pipeline(obj)
            if settings is not None:  # a YOLO run's settings: the pipeline Ultralytics builds from them
                return self._settings(ultralytics_located(settings), path, location, "ultralytics")
            timm = timm_pipeline(obj)
            if timm is not None:  # a timm run's settings: the pipeline its training script builds from them
                return self._settings(timm_located(timm), path, location, "timm")
            if is_config(obj, top=not path):  # a detectron2 config: the augmentation its DatasetMapper builds
                read = detectron2_located(detectron2_pipeline(obj, self.source))
                return self._settings(read, path, location, "detectron2")
        if spec is None:
            return self._by_class(obj, path, location) if isinstance(obj, Mapping) else None
        assert spec.dialect is not None
        if spec.dialect.always_a_pipeline or resolve_class(spec.cls) is not None:
            return self.build(obj, path, location, albu=False)
        # A user's own class where a pipeline belongs (`train_transform: {_target_: mylib.Aug}`) is an
        # unknown transform, unless it merely wraps an albumentations pipeline found further down.
        key = str(path[-1]).lower() if path and isinstance(path[-1], str) else ""
        if any(word in key for word in _PIPELINE_WORDS) and not self._holdsresolve_class(obj):
            return self.build(obj, path, location, albu=False)
        return None

    def _by_class(self, obj: Mapping[Any, Any], path: Path, location: str) -> Node | None:
        """A mapping from class names to their arguments (``{HorizontalFlip: {p: 0.5}, Rotate: {limit: 10}}``),
        which a builder turns into transforms in the mapping's order: a pipeline when every key names a class
        (one at least of albumentations') and every value is a mapping of arguments or empty."""
        items = [_named_item({key: value}) for key, value in obj.items()]
        if not items or not any(resolve_class(key) for key in obj) or any(item is None for item in items):
            return None
        if any(self.spec(value, albu=False) is not None for value in obj.values()):
            return None  # `{HorizontalFlip: {_target_: ...}}`: the keys are labels of transforms written out
        children = tuple(
            self.build(item, (*path, key), _child(location, i), albu=False)
            for i, (key, item) in enumerate(zip(obj, items, strict=True))
        )
        return Node(name="Compose", children=children, mode="sequence", location=location, line=self.line(path))

    def _settings(self, steps: list[Located], path: Path, location: str, library: str) -> Node:
        """A library's pipeline read from its training settings (Ultralytics', timm's, detectron2's), each step
        named by its setting and found at its line; a setting the file does not give at the settings' first line."""
        children = []
        first = self.line(path) or 1
        for item, written, at, where in steps:
            full = (*path, *at) if at is not None else path
            child = self.build(item, full, where, albu=False)
            _read_as(child, written, (self.line(full) if at is not None else None) or first, library)
            children.append(child)
        return Node(name="Compose", children=tuple(children), mode="sequence", location=location, line=first)

    def _holdsresolve_class(self, obj: Any) -> bool:
        stack = [obj]
        while stack:
            item = stack.pop()
            if isinstance(item, Mapping):
                spec = self.spec(item, albu=False)
                if spec is not None and item is not obj and resolve_class(spec.cls) is not None:
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
            return opaque_transform(obj, location)
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
            raise self.error(f"`{spec.key}`{where} must be a class name, got {_brief(spec.cls)}", line)
        rival = rival_class(obj, spec) if isinstance(obj, Mapping) else None
        if rival is not None:
            raise self.error(
                f"the transform{where} names two classes: `{spec.key}: {spec.cls}` and `{rival[0]}: {rival[1]}`; "
                "which one is built depends on the loader that reads the file (Hydra builds `_target_`, "
                "albumentations `__class_fullname__`), so keep only the one that is meant",
                line,
            )
        if is_library_class(spec.cls):  # torchvision, MONAI, Kornia, TorchIO
            return self._library(spec, path, location, line)
        args = {k: v for k, v in spec.args.items() if k != NATIVE}  # the class's name, never an argument
        odd = next((k for k in args if not isinstance(k, str)), None)
        if odd is not None:
            raise self.error(f"{spec.cls}{where}: an argument's name must be a word, got {_brief(odd)}", line)
        origin: dict[str, Path] = {}  # where an argument given by position sits
        name = resolve_class(spec.cls)
        if spec.wrapper:
            return self._albu(args, (*path, *spec.args_path), location, line)
        for param, value in zip(AUTO_POSITIONAL.get(spec.cls, ()), spec.positional, strict=False):
            args.setdefault(param, value)  # safeaug.auto's transforms: RandAugment("ocr", 2, 9)
        if spec.transforms_at is not None:
            origin["transforms"] = spec.transforms_at
        if name is None and spec.cls in known_names():  # registered by the user under a short name
            return _user_node(spec.cls, args, location, line)
        if name is None:
            if "." not in spec.cls and not (spec.dialect is not None and spec.dialect.any_class):
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
        if spec.dialect is not None and spec.dialect.bookkeeping:  # (safeaug.auto's classes take a `params`)
            args = {k: v for k, v in args.items() if k not in spec.dialect.bookkeeping}
        unread = unreadable_notes(name, args, composition=name in COMPOSE_MODES) if self.opaque else ()
        p = self._probability(name, args.pop("p", None), where, line)
        if spec.key == NATIVE and spec.args.get("applied") is True:
            p = 1.0  # a ReplayCompose record: `ReplayCompose.replay` runs what it marks applied, whatever its p
        if name in COMPOSE_MODES:
            base = (*path, *origin["transforms"][:-1]) if "transforms" in origin else (*path, *spec.args_path)
            node = self._composition(name, args, p, base, location, line, albu=albu, key=origin.get("transforms"))
            stored = args.get("policy") if spec.cls in SAFEAUG_COMPOSITIONS else None
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
            unread = (*unread, *unreadable_argument_notes(name, translated.params, translated.alt_params))
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
        args = {k: v for k, v in spec.args.items() if k != NATIVE}  # the class's name, never an argument
        found = spelled(spec.cls, args, spec.positional, spec.args_path)
        if found is None or not found.known:  # a class the library does not export: an unknown transform
            return _user_node(spec.cls, spec.args, location, line)
        name, args = found.name, found.params
        notes = [_not_taken(name, problem) for problem in found.problems]
        notes += unreadable_notes(name, args, composition=found.composition is not None) if self.opaque else ()
        p = None if isinstance(found.p, Opaque) else found.p  # an unreadable p: "may run", its worst case
        p_value = 1.0 if p is None else self._probability(name, p, where, line)
        if found.composition is None:
            if self.opaque:
                notes += unreadable_argument_notes(name, args, ())
            return Node(
                name=name, params=args, p=p_value, location=location, line=line, mro=(name,), notes=tuple(notes)
            )
        children = found.children
        mode = found.composition.mode
        if isinstance(children, Opaque):
            notes += unreadable_notes(name, {"transforms": children}, composition=True)
            return Node(name=name, params=args, p=p_value, mode=mode, location=location, line=line, notes=tuple(notes))
        keys: list[Any] = list(range(len(children))) if isinstance(children, list) else []
        if name in _NAMED_CHILDREN and isinstance(children, Mapping) and all(isinstance(k, str) for k in children):
            keys, children = list(children), list(children.values())  # tio.Compose({"flip": ..., "turn": ...})
        if not isinstance(children, list):
            got = "nothing" if children is None else type(children).__name__
            raise self.error(
                f"{name}{where}: `{found.composition.children}` must be a list of transforms, got {got}", line
            )
        kids = tuple(
            self.build(child, (*path, *found.children_at, key), _child(location, i), albu=False)
            for i, (key, child, ok) in enumerate(
                zip(keys, children, drawn(args.get("weights"), len(children)), strict=True)
            )
            if ok
        )
        try:
            mode, args = arranged(found.composition, args, len(children))
        except ValueError as exc:
            raise self.error(f"{name}{where}: {exc}", line) from None
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

    def _probability(self, name: str, p: Any, where: str, line: int | None) -> float | None:
        if p is not None and (isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1):
            raise self.error(
                f"{name}.p{where} must be a probability between 0 and 1, got {_brief(p)}{number_as_text(p)}", line
            )
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
                raise self.error(f"{name}.n{where} must be a whole number >= 0, got {_brief(value)}", line)
            if k == "replace" and not isinstance(value, bool):
                raise self.error(f"{name}.replace{where} must be true or false, got {_brief(value)}", line)
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
                unreadable_notes("Albu", {"transforms": children}, composition=True),
            )
        if not isinstance(children, list):
            raise self.error(
                f"Albu{where}: `transforms` must be a list of transforms, got {type(children).__name__}", line
            )
        kids = tuple(
            self.build(c, (*path, "transforms", i), _child(location, i), albu=True) for i, c in enumerate(children)
        )
        return Node(name="Compose", children=kids, mode="sequence", location=location, line=line)


_BRIEF = reprlib.Repr()
_BRIEF.maxlevel, _BRIEF.maxlist, _BRIEF.maxdict, _BRIEF.maxstring, _BRIEF.maxother = 2, 3, 3, 40, 40


def _brief(value: Any) -> str:
    """A value as a message quotes it: a long list or mapping is cut short (``[[1, 2], ...]``)."""
    return _BRIEF.repr(value)


def _named_item(item: Any) -> dict[str, Any] | None:
    """An item of a list of transforms that names a class no dialect knows, as a transform mapping: a bare
    ``HorizontalFlip`` (its defaults), or ``MyAug: {...}`` in the single-key form. None for anything else."""
    if isinstance(item, str) and item.isidentifier() and item[:1].isupper():
        return {NATIVE: item}
    if isinstance(item, Mapping) and len(item) == 1:
        [(name, args)] = item.items()
        if isinstance(name, str) and name.isidentifier() and name[:1].isupper():
            if args is None:
                return {NATIVE: name}
            if isinstance(args, Mapping):
                return {NATIVE: name, **args}
    return None


def _read_as(node: Node, written: str, line: int | None, settings: str = "") -> None:
    """Name the transforms a step of another library was read as (mmcv's ``RandomFlip`` as albumentations'
    flips) as the config writes it, at its line; ``settings``: the library whose training settings it is read
    from. Done while reading, before anything else sees the nodes."""
    stack = [node]
    while stack:
        item = stack.pop()
        item.line = line
        item.foreign = True
        item.settings = settings
        if not item.is_composition:
            item.written = written
        stack.extend(item.children)


def _with_notes(node: Node, notes: tuple[Note, ...]) -> Node:
    node.notes = (*node.notes, *notes)
    return node


def _flip(args: Mapping[str, Any], p: float | None, location: str, line: int | None) -> Node:
    """albumentations 1.x ``Flip``: a horizontal, a vertical or a both-axes flip, at random.

    Read as one transform, so that each of its effects is one finding: what it may do is what the catalog's
    ``VerticalFlip`` may do (a mirror, and a half turn, which both axes at once are). Its names include
    ``Flip`` for a policy's allow and deny lists, and not ``HorizontalFlip``: allowing that must not let the
    vertical flips through.
    """
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
        name="VerticalFlip",
        params={},
        p=extra.p if extra.p is not None else 0.5,
        location=location,
        line=line,
        mro=("VerticalFlip", *BASES.get("VerticalFlip", ()), FLIP),
        notes=notes,
        written=FLIP,
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


def _user_node(name: str, args: Mapping[str, Any], location: str, line: int | None) -> Node:
    """A class that is not albumentations: its arguments as given, its ``p`` when it is a probability."""
    p = args.get("p")
    p_value = float(p) if isinstance(p, (int, float)) and not isinstance(p, bool) and 0 <= p <= 1 else None
    params = {k: v for k, v in args.items() if k != "p" and not isinstance(v, Opaque)}
    return Node(name=name, params=params, p=p_value, location=location, line=line, mro=(name,))


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
