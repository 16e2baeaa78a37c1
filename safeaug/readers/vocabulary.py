"""Arguments written for any albumentations line, read with their author's meaning in the 2.0.8 vocabulary.

:func:`translate` takes a transform name and its arguments as written and returns what the catalog
reads: the 2.0.8 class name, the intended arguments, the arguments the *installed* line will actually
use (it drops names it does not know), and a warning for each argument that will be dropped.
The installed line is found from the package metadata, without importing albumentations.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal, NamedTuple

from safeaug._installed import Installed as Installed
from safeaug._installed import installed_line as installed_line
from safeaug.catalog._renames import (
    EXTRA_PARAMETERS,
    OLD_ARGUMENTS,
    OLD_CLASSES,
    OLD_DEFAULTS,
    OLD_POSITIONAL,
    REMOVED_IN_X,
    X_ARGUMENTS,
    X_ONLY_ARGUMENTS,
    X_ONLY_CLASSES,
    X_ONLY_UNMODELLED,
    Conversion,
    x_name,
)
from safeaug.catalog._signatures import BASES, DEFAULTS, PARAMETERS, POSITIONAL, REQUIRED
from safeaug.ir import COMPOSE_MODES, Note
from safeaug.rules import IGNORED_ARGUMENT, UNKNOWN_TRANSFORM
from safeaug.rules import show as _show


def parameters(name: str) -> frozenset[str] | None:
    """Every 2.0.8 parameter name of a class, or None for a class outside albumentations 2.0.8."""
    found = PARAMETERS.get(name) or EXTRA_PARAMETERS.get(name)
    if found is None:
        return None
    return _parameter_set(name)


@cache
def _parameter_set(name: str) -> frozenset[str]:
    # A subclass stores its base class's arguments too (`to_dict` of FrequencyMasking holds XYMasking's).
    names = set(PARAMETERS.get(name) or EXTRA_PARAMETERS.get(name) or ())
    for base in BASES.get(name, ()):
        names.update(PARAMETERS.get(base, ()))
    return frozenset(names)


def is_albumentations_name(name: str) -> bool:
    """A class albumentations has (had, in 1.x, or has in AlbumentationsX) under this short name."""
    return (
        name in PARAMETERS
        or name in EXTRA_PARAMETERS
        or name in OLD_CLASSES
        or name == "Flip"
        or name in X_ONLY_CLASSES
        or name in COMPOSE_MODES
    )


# A key the readers add to the arguments of a call whose positional arguments were read in 1.x order.
OLD_ORDER = "<1.x positional>"


def positional_order(name: str, values: list[Any]) -> tuple[tuple[str, ...], bool]:
    """The parameter names of ``name``'s positional arguments ``values``, and whether that is the 1.x order.

    The 1.x order is taken where the values do not fit 2.0.8's signature but fit 1.x's
    (``RandomResizedCrop(512, 512)`` is 1.x ``height, width``; 2.0.8 would read ``size=512, scale=512``).
    """
    order = POSITIONAL.get(name, ())
    old = OLD_POSITIONAL.get(name)
    if old is None or not values:
        return order, False
    old_order, index, test = old
    if not order:
        return old_order, True  # a class removed in 2.0: only its 1.x signature exists
    if index >= len(values):
        return order, False
    value = values[index]
    if test == "number":
        fits_1x = _is_number(value)
    else:
        ends = [value] if _is_number(value) else list(value) if isinstance(value, (list, tuple)) else []
        fits_1x = bool(ends) and all(_is_number(v) for v in ends) and max(ends) > 1
    return (old_order, True) if fits_1x else (order, False)


class Translation(NamedTuple):
    name: str
    params: dict[str, Any]
    p: float | None
    alt_params: tuple[dict[str, Any], ...]
    notes: tuple[Note, ...]


def translate(name: str, args: Mapping[str, Any], p: float | None) -> Translation:
    """Read ``name(**args)`` (any albumentations line) as 2.0.8 ``name(**params)``.

    ``args`` excludes ``p``, which is given as ``p`` (``None`` when absent). A removed 1.x class becomes
    its 2.0 replacement with the same effect; arguments renamed between lines are renamed; each argument
    the installed line would drop becomes an ``SA502`` warning, and ``alt_params`` holds what that line runs.
    """
    original = name
    given_p = p  # as the file writes it (an `always_apply=True` below makes it 1.0)
    positional_1x = OLD_ORDER in args
    if positional_1x:
        args = {k: v for k, v in args.items() if k != OLD_ORDER}
    old_class = OLD_CLASSES.get(name)
    fixed: dict[str, Any] = {}
    if old_class is not None:
        name, fixed = old_class[0], dict(old_class[1])
    known = parameters(name)
    if known is None:  # a class outside 2.0.8 (AlbumentationsX-only, or a user's own): arguments as given
        return Translation(name, dict(args), p, (), ())

    if old_class is None and not positional_1x and known.issuperset(args) and _x_dropped(name).isdisjoint(args):
        return Translation(name, dict(args), p, (), ())  # the common case: every line reads these arguments alike
    installed = installed_line()
    intended: dict[str, Any] = dict(fixed)
    runs: dict[str, Any] = dict(fixed)
    dropped: list[tuple[str, str, str]] = []  # (argument as written, 2.0.8 name it stands for, line that knows it)
    unmodelled: list[Note] = []
    pairs: dict[str, dict[str, Any]] = {}  # 2.0.8 name -> {"low": ..., "high": ...} from two 1.x arguments
    old_table = {**OLD_ARGUMENTS["*"], **OLD_ARGUMENTS.get(name, {}), **OLD_ARGUMENTS.get(original, {})}
    x_table = X_ARGUMENTS.get(name, {})
    x_renamed = frozenset(x_table.values())
    on_x = installed.line == "X"
    honours_old = installed.line == "1.x" or old_class is not None  # a removed class fails loudly elsewhere

    for key, value in args.items():
        if key in known:
            intended[key] = value
            if on_x and key in REMOVED_IN_X.get(name, ()):
                dropped.append((key, "", "2.0"))
            elif on_x and key in x_renamed and key not in x_table:
                dropped.append((key, key, "2.0"))
            else:
                runs[key] = value
        elif key in x_table:
            target = x_table[key]
            intended.setdefault(target, value)
            if on_x:
                runs.setdefault(target, value)
            else:
                dropped.append((key, target, "X"))
        elif key in X_ONLY_ARGUMENTS.get(name, ()):
            if not on_x:
                dropped.append((key, "", "X"))
            elif key in X_ONLY_UNMODELLED.get(name, ()):
                unmodelled.append(unmodelled_note(name, key, value))
        elif key in old_table:
            target, conversion = old_table[key]
            if conversion in ("low", "high"):
                pairs.setdefault(target, {})[conversion] = value
            elif target == "p":
                if value is True:
                    p = 1.0  # 1.x: always applied, whatever p says
                    if not honours_old:
                        dropped.append((key, target, "1.x"))
                continue
            else:
                intended[target] = _convert(conversion, value)
                if honours_old:
                    runs[target] = intended[target]
            if not honours_old:
                dropped.append((key, target, "1.x"))
        else:
            dropped.append((key, "", "?"))

    if old_class is not None:  # a removed class's own defaults, where they differ from its replacement's
        for key, value in OLD_DEFAULTS.get(original, {}).items():
            if key in args or key not in old_table:
                continue
            target, conversion = old_table[key]
            if conversion in ("low", "high"):
                pairs.setdefault(target, {}).setdefault(conversion, value)
            elif target not in intended:
                intended[target] = runs[target] = _convert(conversion, value)
    for target, ends in pairs.items():
        intended[target] = _pair(original if original in OLD_DEFAULTS else name, old_table, target, ends)
        if honours_old:
            runs[target] = intended[target]

    # Required arguments the 1.x ones stood for (one missing altogether is the user's mistake, said elsewhere).
    required = [k for k, v in DEFAULTS.get(name, {}).items() if v == REQUIRED and k not in runs and k in intended]
    builds = installed.line == "1.x" or (old_class is None and not positional_1x and not required)
    if not builds:
        # The installed line refuses to build it: say so once, and judge only what the author meant.
        notes: tuple[Note, ...] = (_refused_note(original, name, args, intended, required, positional_1x, installed),)
        return Translation(name, intended, p, (), notes)
    notes = tuple(unmodelled) + tuple(
        _dropped_note(name, key, target, line, args, given_p, intended, installed)
        for key, target, line in dropped
        if not _changes_nothing(name, args[key], target, intended)
    )
    alt = (runs,) if notes and runs != intended else ()
    return Translation(name, intended, p, alt, notes)


def _refused_note(
    original: str,
    name: str,
    args: Mapping[str, Any],
    intended: Mapping[str, Any],
    required: list[str],
    positional_1x: bool,
    installed: Installed,
) -> Note:
    """SA502 for a transform the installed line will not build: a removed class, 1.x arguments it needs."""
    written = ", ".join(f"{k}={_show(v)}" for k, v in intended.items())
    if original != name:
        message = (
            f"`{original}` was removed in albumentations 2.0: {installed.label} has no such class, so this "
            f"pipeline will not build. safeaug judged it as the `{name}` that does the same."
        )
        fix = f"Write `{name}({', '.join(f'{k}={_show(v)}' for k, v in intended.items())})` instead of `{original}`."
    elif positional_1x:
        message = (
            f"`{name}` is called with albumentations 1.x positional arguments ({', '.join(k for k in args)}); "
            f"{installed.label} reads them as other parameters and refuses to build it. safeaug judged the 1.x "
            f"meaning."
        )
        fix = f"Write `{name}({written})` with keywords."
    else:
        old = ", ".join(f"`{k}`" for k in args if k not in (parameters(name) or ()))
        message = (
            f"`{name}` is given {old}, albumentations 1.x arguments; {installed.label} needs "
            f"{', '.join(f'`{r}`' for r in required)} instead and refuses to build it without. safeaug judged "
            f"the 1.x meaning."
        )
        fix = f"Write `{name}({written})`."
    return Note(IGNORED_ARGUMENT, "error", message, fix=fix, reason=_REFUSED_REASON)


@cache
def _x_dropped(name: str) -> frozenset[str]:
    """2.0.8 arguments of ``name`` that AlbumentationsX does not know (renamed or removed)."""
    renamed = frozenset(X_ARGUMENTS.get(name, {}).values()) - frozenset(X_ARGUMENTS.get(name, {}))
    return renamed | REMOVED_IN_X.get(name, frozenset())


def _changes_nothing(name: str, value: Any, target: str, intended: Mapping[str, Any]) -> bool:
    """Dropping this argument leaves what runs unchanged (``value=None``, a fill equal to the default, ...)."""
    if value is None:
        return True
    if not target or target == "p" or target not in intended:
        return False
    default = DEFAULTS.get(name, {}).get(target, _NO_DEFAULT)
    return _same(intended[target], default)


_NO_DEFAULT = object()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if _is_number(a) and _is_number(b):
        return math.isclose(float(a), float(b))
    return bool(a == b) if type(a) is type(b) else False


def _pair(owner: str, table: Mapping[str, tuple[str, Conversion]], target: str, ends: dict[str, Any]) -> Any:
    defaults = OLD_DEFAULTS.get(owner, {})
    low_key = next((k for k, (t, c) in table.items() if t == target and c == "low"), None)
    high_key = next((k for k, (t, c) in table.items() if t == target and c == "high"), None)
    high = ends.get("high", defaults.get(high_key) if high_key else None)
    low = ends.get("low", defaults.get(low_key) if low_key else None)
    if low is None:
        low = high
    if high is None:
        high = low
    return (low, high)


def _convert(conversion: Conversion, value: Any) -> Any:
    try:
        return _converted(conversion, value)
    except (TypeError, ValueError):
        return value  # not a value of the expected shape: passed on for the catalog to refuse with its message


def _converted(conversion: Conversion, value: Any) -> Any:
    if conversion in ("same", "low", "high"):
        return value
    if conversion == "flag_p":
        return 1.0 if value is True else None
    if conversion == "pair":
        return (value, value) if _is_number(value) else value
    if conversion == "interpolation_pair":
        return {"downscale": value, "upscale": value}
    if conversion == "var_to_std":
        lo, hi = (0.0, value) if _is_number(value) else _two(value)
        return (math.sqrt(max(lo, 0.0)) / 255.0, math.sqrt(max(hi, 0.0)) / 255.0)
    if conversion == "pixel_mean":
        if _is_number(value):
            return (value / 255.0, value / 255.0)
        lo, hi = _two(value)
        return (lo / 255.0, hi / 255.0)
    if conversion == "px_to_std":
        lo, hi = (0.0, value) if _is_number(value) else _two(value)
        return (lo / 255.0, hi / 255.0)
    # threshold: Solarize's threshold in pixel units (> 1) or as a fraction
    lo, hi = (value, value) if _is_number(value) else _two(value)
    scale = 255.0 if max(lo, hi) > 1 else 1.0
    return (lo / scale, hi / scale)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _two(value: Any) -> tuple[float, float]:
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(_is_number(v) for v in value):
        return float(value[0]), float(value[1])
    raise ValueError(value)


_LINE_WORDS = {"1.x": "albumentations 1.x", "2.0": "albumentations 2.0.x", "X": "AlbumentationsX (2.2 and later)"}


def _dropped_note(
    name: str,
    key: str,
    target: str,
    line: str,
    args: Mapping[str, Any],
    p: float | None,
    intended: Mapping[str, Any],
    installed: Installed,
) -> Note:
    value = args[key]
    if target == "p":
        given = f"p={_show(p)}" if p is not None else f"p={_show(DEFAULTS.get(name, {}).get('p', 0.5))} (the default)"
        message = (
            f"`{name}({key}={value!r})`: `{key}` is an albumentations 1.x argument; {installed.label} ignores it, "
            f"so `{name}` runs with probability {given} instead of always."
        )
        return Note(IGNORED_ARGUMENT, "warning", message, fix=f"Write `p=1.0` instead of `{key}=True`.", reason=_REASON)
    if line == "?":
        known = sorted(parameters(name) or ())
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"Did you mean `{close[0]}`?" if close else f"`{name}` takes: {', '.join(known)}."
        message = (
            f"`{name}({key}=...)`: no albumentations line has an argument `{key}` for `{name}`; {installed.label} "
            f"ignores it and runs `{name}` without it."
        )
        return Note(IGNORED_ARGUMENT, "warning", message, fix=f"Remove `{key}` or fix its name. {hint}", reason=_REASON)
    if not target:  # an argument with no counterpart on the installed line
        message = (
            f"`{name}({key}=...)`: `{key}` is an {_LINE_WORDS[line]} argument with no counterpart in "
            f"{installed.label}, which ignores it and runs `{name}` with its own defaults."
        )
        return Note(
            IGNORED_ARGUMENT,
            "warning",
            message,
            fix=f"Remove `{key}`, or install the albumentations line the config was written for.",
            reason=_REASON,
        )
    write = x_name(name, target) if installed.line == "X" else target
    default = DEFAULTS.get(name, {}).get(target)
    runs = f"the default `{write}={_show(default)}`" if default is not None else f"no `{write}`"
    message = (
        f"`{name}({key}={_show(value)})`: `{key}` is an {_LINE_WORDS[line]} argument; {installed.label} ignores "
        f"it and runs `{name}` with {runs} instead."
    )
    fix = f"Write `{write}={_show(intended.get(target, value))}`" + (
        "." if installed.found else " (or the name your albumentations line uses)."
    )
    return Note(IGNORED_ARGUMENT, "warning", message, fix=fix, reason=_REASON)


def dropped_by_object(name: str, dropped: list[str], holds: Any) -> tuple[Note, ...]:
    """SA502 for a live transform built with arguments the installed albumentations dropped.

    albumentations lists them on the object (``invalid_args``) after warning once; what the object runs is
    read from it as usual, so the verdict is right, but the author meant something else. ``holds(name)`` is
    the object's value of an argument (``None`` when it has none).
    """
    installed = installed_line()
    on_x = installed.line == "X"
    x_table = X_ARGUMENTS.get(name, {})
    old_table = {**OLD_ARGUMENTS["*"], **OLD_ARGUMENTS.get(name, {})}
    notes = []
    for key in dropped:
        if not isinstance(key, str) or key == "strict":
            continue
        if key in x_table:  # AlbumentationsX's name, on 2.0
            target = x_table[key]
        elif key in old_table:  # albumentations 1.x's name
            target = old_table[key][0]
        else:
            target = key if on_x and key in x_table.values() else ""  # 2.0's name, on AlbumentationsX
        write = x_name(name, target) if on_x and target else target
        value = holds(write) if write else None
        runs = f"runs with `{write}={_show(value)}`" if value is not None else "runs without it"
        if target == "p":  # always_apply=True: applied always, in 1.x
            runs = f"runs with probability `p={_show(value)}` instead of always"
        message = (
            f"`{name}` was built with `{key}`, which {installed.label} does not take: it dropped the argument "
            f"(with only a warning) and {runs}."
        )
        if target == "p":
            fix = f"Write `p=1.0` instead of `{key}=True`."
        elif write:
            fix = f"Write `{write}=...` (what `{key}` meant there) instead of `{key}`."
        else:
            close = difflib.get_close_matches(key, sorted(parameters(name) or ()), n=1)
            fix = f"Remove `{key}` or fix its name." + (f" Did you mean `{close[0]}`?" if close else "")
        notes.append(Note(IGNORED_ARGUMENT, "warning", message, fix=fix, reason=_REASON))
    return tuple(notes)


_REFUSED_REASON = (
    "A pipeline the installed albumentations cannot build stops training at start-up, or sends whoever fixes it "
    "in a hurry to a setting nobody chose; safeaug judges what the config meant, so the fix keeps its meaning."
)
_REASON = (
    "albumentations drops arguments it does not know with at most a warning at start-up, so the pipeline "
    "would train with a setting nobody chose; safeaug judges both what was meant and what will run."
)


# The label parameters' arguments that AlbumentationsX renamed (2.0.8 name -> AlbumentationsX name).
_LABEL_PARAMS_X = {"format": "coord_format", "clip": "clip_bboxes_on_input"}


def label_params(kind: Literal["KeypointParams", "BboxParams"], **kwargs: Any) -> Any:
    """albumentations' ``KeypointParams`` or ``BboxParams``, arguments given in their 2.0.8 names.

    AlbumentationsX refuses ``format`` (it reads ``coord_format``): the installed line's spelling is used.
    """
    import albumentations as A

    cls = getattr(A, kind)
    accepted = _accepted(cls)
    spelled = {
        (_LABEL_PARAMS_X[k] if k not in accepted and _LABEL_PARAMS_X.get(k) in accepted else k): v
        for k, v in kwargs.items()
    }
    return cls(**spelled)


def unmodelled_note(name: str, key: str, value: Any) -> Note:
    """An AlbumentationsX-only argument the catalog does not model (``X_ONLY_UNMODELLED``), set by a config."""
    return Note(
        UNKNOWN_TRANSFORM,
        "error",
        f"`{name}({key}={_show(value)})`: `{key}` is an AlbumentationsX argument that changes what `{name}` may do "
        "beyond what safeaug's catalog describes, so this transform cannot be judged as configured.",
        fix=f"Leave `{key}` at its default, or judge this transform by running it: `safeaug.validate(..., probe=True)` "
        "on the live pipeline, or `safeaug.wrap(...)`.",
        reason="A transform safeaug does not understand is refused, never passed: its effect could be anything the "
        "argument allows, a mirror or a colour change included.",
    )


@cache
def _accepted(cls: type) -> frozenset[str]:
    import inspect

    return frozenset(inspect.signature(cls).parameters)
