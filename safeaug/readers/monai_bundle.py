"""MONAI bundle configs (JSON or YAML read by ``monai.bundle.ConfigParser``), made plain before they are read.

A bundle writes components as ``{"_target_": "RandFlipd", "keys": "@image_keys", "prob": 0.5}``:

* ``_target_`` may be a bare class name, which MONAI looks up in its own modules: a name ``monai.transforms``
  exports becomes its canonical name (``monai.transforms.RandFlipd``); other names are left as written.
* ``"@id"`` is a reference to another part of the same file (``@train#preprocessing``; ``#`` or ``::``
  between the keys, a number for a list item): it is replaced by what it names, read the same way. A
  component handed to something that is not a MONAI transform (``Dataset(transform="@preprocessing")``) is
  read once, where it is defined.
  ``"%id"`` (a macro) copies a part of the same file too; ``"%file.json#id"`` names another file.
* ``"$..."`` is a Python expression MONAI evaluates (``"$@rot_deg * 3.14 / 180"``), and a macro from another
  file or a reference the file does not hold cannot be known without running the application: each becomes
  an :class:`~safeaug.readers.generic.Opaque` value, which the reader reports (SA501) for the transform alone.
* ``_disabled_: true`` removes a component from its list (MONAI does not build it); ``_requires_``, ``_desc_``
  and ``_mode_`` are instructions to the parser, not arguments, and are dropped.

Nothing is evaluated and nothing is imported.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from typing import Any

from safeaug.libraries import canonical
from safeaug.readers.references import MAX_HOPS, MAX_VALUES, MISSING, Expansion, Path, expand, lookup
from safeaug.readers.vocabulary import is_albumentations_name

_PARSER_KEYS = frozenset({"_requires_", "_desc_", "_mode_", "_disabled_"})
_SEPARATORS = re.compile(r"#|::")
_FILE = re.compile(r"^(.*?\.(?:json|ya?ml))(?:#|::|$)(.*)$", re.IGNORECASE)
_MONAI = "monai.transforms."


def monai_target(name: str) -> str | None:
    """The canonical name of a bundle ``_target_`` naming a MONAI transform, bare or dotted; else None."""
    if name.startswith(("$", "@", "%")):
        return None
    if "." in name:
        return canonical(name) if name.startswith("monai.") else None
    return canonical(_MONAI + name)


def is_bundle(data: Any) -> bool:
    """Whether a document is written for MONAI's ConfigParser: a ``_target_`` names a MONAI transform and the
    document uses bundle syntax (references, expressions, macros) or a bare MONAI class name that is not also
    an albumentations one."""
    targets: list[str] = []
    syntax = False
    stack = [data]
    seen = 0
    while stack and seen < MAX_VALUES:
        value = stack.pop()
        seen += 1
        if isinstance(value, Mapping):
            target = value.get("_target_")
            if isinstance(target, str):
                targets.append(target)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and value[:1] in ("@", "$", "%") and not value.startswith("${"):
            syntax = True
    monai = [t for t in targets if monai_target(t) is not None]
    if not monai:
        return False
    bare = any("." not in t and not is_albumentations_name(t) for t in monai)
    return syntax or bare


def prepare(data: Any, lines: Mapping[Path, int], source: str | None = None) -> tuple[Any, bool]:
    """``data`` resolved as MONAI's parser would read it (see the module docstring), and whether any value
    stayed unreadable. A document that is not a bundle is returned as it is."""
    if not is_bundle(data):
        return data, False
    return expand(_State(data, lines), data, source, "`@`")


class _State(Expansion):
    def walk(self, value: Any, path: Path, hops: int, inside: bool = False) -> Any:
        """``inside``: the value is an argument (or child) of a MONAI transform or composition."""
        self.counted()
        if isinstance(value, Mapping):
            out = {}
            target = value.get("_target_")
            component = isinstance(target, str) and monai_target(target) is not None
            for key, item in value.items():
                if key in _PARSER_KEYS:
                    continue
                if key == "_target_" and isinstance(item, str):
                    out[key] = monai_target(item) or item  # an expression or unknown name stays: it is reported
                    continue
                out[key] = self.walk(item, (*path, key), hops, inside or component)
            return out
        if isinstance(value, list):
            return [
                self.walk(item, (*path, i), hops, inside)
                for i, item in enumerate(value)
                if not (isinstance(item, Mapping) and _disabled(item))
            ]
        if isinstance(value, str) and value[:1] in ("@", "%"):
            return self.reference(value, path, hops, inside)
        if isinstance(value, str) and value.startswith("$"):
            return self.opaque(value, path)
        return value

    def reference(self, text: str, path: Path, hops: int, inside: bool) -> Any:
        body = text[1:]
        if text.startswith("%") and _FILE.match(body):
            return self.opaque(text, path)  # a macro from another file
        target = _path(body)
        if target is None or hops > MAX_HOPS:
            return self.opaque(text, path)
        found = lookup(self.root, target)
        if found is MISSING:
            return self.opaque(text, path)
        if not inside and isinstance(found, Mapping) and "_target_" in found:
            # A component handed to something that is not a transform (a dataset's `transform`): MONAI builds
            # it once, where it is defined, and that is where it is read; a copy here would be read twice.
            return text
        return self.walk(found, target, hops + 1, inside)  # a subtree that refers to itself ends at the hop limit


def _disabled(item: Mapping[Any, Any]) -> bool:
    """``_disabled_`` set to true (MONAI also reads the strings "true" and "1"); an expression is not known to
    disable anything, so the component is read."""
    flag = item.get("_disabled_")
    if isinstance(flag, bool):
        return flag
    return isinstance(flag, str) and flag.strip().lower() in ("true", "1")


def _path(body: str) -> Path | None:
    if not body:
        return None
    parts: list[Hashable] = []
    for part in _SEPARATORS.split(body):
        if part == "":
            return None
        parts.append(int(part) if part.isdigit() else part)
    return tuple(parts)
