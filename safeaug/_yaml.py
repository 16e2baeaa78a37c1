"""Safe YAML/JSON loading that remembers the line of every value, for messages that point at a line.

Only plain data is ever constructed (``yaml.SafeLoader``): tags such as ``!!python/object`` are refused.
PyYAML's C loader (libyaml) is used when it is available: it keeps the marks that give line numbers
and reads a typical pipeline config several times faster than the pure-Python loader.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from functools import lru_cache
from typing import Any

import yaml

from safeaug.errors import ConfigError

Path = tuple[Hashable, ...]

# Limits that keep hostile files (alias bombs, absurd nesting) from hanging the reader.
MAX_DEPTH = 200
MAX_NODES = 200_000


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_PLAIN = "tag:safeaug,2025:plain"  # an unquoted scalar whose type is decided when the data is built


class _LineLoader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader, with scalar types decided in one pass by :class:`_Builder` rather than during
    composition (PyYAML resolves every scalar in Python even with the C parser; most are keys and strings)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers


@lru_cache(maxsize=4096)  # keys and small values repeat across a config (and across files)
def _implicit_tag(value: str) -> str:
    """The tag YAML 1.1 gives an unquoted scalar (as PyYAML's safe resolver does)."""
    for tag, regexp in _IMPLICIT.get(value[:1] if value else "", []) + _IMPLICIT.get(None, []):
        if regexp.match(value):
            return str(tag)
    return "tag:yaml.org,2002:str"


_LEAD = re.compile(r"^[ \t?-]+", re.MULTILINE)  # a line's leading run of spaces and indicators


def _maybe_deep(text: str) -> bool:
    """False only when the document provably nests at most MAX_DEPTH levels (then no exact check is needed).

    Flow collections nest one level per ``[`` or ``{``. A block collection nested in another starts at least
    one column further right every two levels (a sequence may sit at its parent key's column, its entries
    cannot), and it starts within the line's leading run of spaces and ``-``/``?`` indicators. So the depth
    is at most twice the widest such run plus the number of brackets. libyaml's composer recurses in C, so
    a document that might nest deeper is checked event by event before it is composed.
    """
    brackets = text.count("[") + text.count("{")
    if brackets > MAX_DEPTH:
        return True
    lead = max(map(len, _LEAD.findall(text)), default=0)
    return 2 * (lead + 2) + brackets > MAX_DEPTH


def _check_depth(text: str, source: str) -> None:
    """Refuse absurd nesting before composing (composers recurse once per level)."""
    depth = 0
    for event in yaml.parse(text, Loader=_LineLoader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise ConfigError(
                    f"nesting deeper than {MAX_DEPTH} levels; no augmentation pipeline is this deep",
                    path=source,
                    line=event.start_mark.line + 1 if event.start_mark is not None else None,
                )
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def load_with_lines(text: str, source: str) -> tuple[Any, dict[Path, int]]:
    """Parse YAML (or JSON, which YAML reads too) and map each value's path to its 1-based line.

    A key written twice in one mapping is an error (see :func:`load_lenient`)."""
    data, lines, twice = load_lenient(text, source)
    if twice is not None:
        raise twice
    return data, lines


def load_lenient(text: str, source: str) -> tuple[Any, dict[Path, int], ConfigError | None]:
    """:func:`load_with_lines`, with the error for the first key written twice returned rather than raised
    (the last value kept, as PyYAML keeps it): a YAML file that holds no pipeline is none of the linter's
    business, whatever its keys."""
    try:
        return _load(text, source)
    except (RecursionError, MemoryError):
        raise ConfigError(
            "nesting too deep to read; no augmentation pipeline is nested this deeply", path=source
        ) from None


_MAX_DIGITS = 4000  # below Python's limit on int(str) (4300 digits)


def huge_number(text: str, source: str) -> ConfigError | None:
    """The error for a number too long to convert, with its line; None when there is none."""
    found = re.search(rf"\d{{{_MAX_DIGITS + 1},}}", text)
    if found is None:
        return None
    return ConfigError(
        f"a number with {len(found.group())} digits; no augmentation setting is that large",
        path=source,
        line=text.count("\n", 0, found.start()) + 1,
    )


def load_json(text: str, source: str) -> Any:
    """JSON data (no lines: see :func:`json_lines`, needed only when the file holds a pipeline)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"invalid JSON: {exc.msg} (column {exc.colno})", path=source, line=exc.lineno) from None
    except ValueError:  # an integer longer than Python converts
        raise huge_number(text, source) or ConfigError("invalid JSON: a number cannot be read", path=source) from None
    except (RecursionError, MemoryError):
        raise ConfigError(
            f"nesting deeper than {MAX_DEPTH} levels; no augmentation pipeline is nested this deeply",
            path=source,
            line=_json_deep_line(text),
        ) from None


def _json_deep_line(text: str) -> int | None:
    """The line where a JSON document first nests deeper than MAX_DEPTH levels."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        first = match.group()[0]
        if first in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, match.start()) + 1
        elif first in "]}":
            depth -= 1
    return None


# JSON tokens that open, close or separate values, or are values: strings (escapes kept), numbers, literals.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|-?[0-9][0-9eE+.-]*|true|false|null')


class _Duplicate(Exception):
    def __init__(self, key: str, first: int, second: int) -> None:
        super().__init__(key)
        self.key, self.first, self.second = key, first, second


def json_lines(text: str, source: str) -> dict[Path, int]:
    """The line of every container and key of a JSON document, found in one scan of its tokens.

    The document has already been parsed by ``json.loads`` (so it is valid JSON); this only finds where
    each container starts and the line of each key (a member's value is at its key's line), as the YAML
    reader records them. Numbers and literals are not even matched: only strings, brackets and commas.
    """
    try:
        return _scan_json_lines(text)
    except _Duplicate as twice:
        raise ConfigError(
            f"the key {twice.key!r} is written twice in one object (lines {twice.first} and {twice.second}); JSON "
            "readers disagree on which one counts (Python's keeps the last), so write it once",
            path=source,
            line=twice.second,
        ) from None
    except (ValueError, IndexError, KeyError):  # not reachable for valid JSON; read the slow way then
        return _yaml_json_lines(text, source)


# Strings (a key when a colon follows), brackets and commas: what tells where each container and key is.
_JSON_STRUCTURE = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"(\s*:)?|[{}\[\],]')


def _scan_json_lines(text: str) -> dict[Path, int]:
    out: dict[Path, int] = {}
    # One frame per open container: [path, is_object, next index (arrays), current key (objects)]
    stack: list[list[Any]] = []
    line = 1
    last = 0
    count = text.count
    for match in _JSON_STRUCTURE.finditer(text):
        start = match.start()
        token = text[start]
        if token == ",":
            if stack and not stack[-1][1]:
                stack[-1][2] += 1
            continue
        if token in "}]":
            stack.pop()
            continue
        line += count("\n", last, start)
        last = start
        if token == '"':
            if match.group(2) is None:  # a string value: its line is its key's; in an array, its own
                raw = match.group(1)
                if stack and not stack[-1][1] and (raw if "\\" not in raw else json.loads(f'"{raw}"'))[:1].isupper():
                    out.setdefault((*stack[-1][0], stack[-1][2]), line)  # a bare class name (`"HorizontalFlip"`)
                continue
            raw = match.group(1)
            key = raw if "\\" not in raw else json.loads(f'"{raw}"')
            frame = stack[-1]
            frame[3] = key
            at: Path = (*frame[0], key)
            if at in out:
                raise _Duplicate(key, out[at], line)
            out[at] = line
            continue
        # a container opens
        if not stack:
            path: Path = ()
        else:
            frame = stack[-1]
            path = (*frame[0], frame[3]) if frame[1] else (*frame[0], frame[2])
        out.setdefault(path, line)
        stack.append([path, token == "{", 0, None])
    return out


def _yaml_json_lines(text: str, source: str) -> dict[Path, int]:
    """The line of every container and key of a JSON document (read as YAML, which keeps marks)."""
    try:
        if _maybe_deep(text):
            _check_depth(text, source)
        node = _LineLoader(text).get_single_node()
    except yaml.YAMLError:
        return {}  # JSON that YAML cannot read (rare escapes): findings without lines rather than none
    except (RecursionError, MemoryError):
        return {}
    if node is None:
        return {}
    return _lines(node)


def _load(text: str, source: str) -> tuple[Any, dict[Path, int], ConfigError | None]:
    if source.endswith(".json"):
        return load_json(text, source), json_lines(text, source), None
    loader = _LineLoader(text)
    try:
        if _maybe_deep(text):
            _check_depth(text, source)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(f"invalid YAML: {exc.problem or exc}", path=source, line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", path=source) from None
    if node is None:
        return None, {}, None
    try:
        aliases = _alias_lines(text) if "*" in text else None
        builder = _Builder(loader, source, merges="<<" in text, aliases=aliases)
        data, lines = builder.document(node)
        return data, lines, builder.duplicate
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(
            f"YAML tag not allowed here: {exc.problem}; only plain data is read", path=source, line=line
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", path=source) from None


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")


class _Builder:
    """One pass over the composed node tree: plain data, the line of every container and mapping key,
    and the limits on depth and on the size of the data once aliases are expanded.

    Common scalars (strings, plain integers and decimals, booleans, null) are built here; anything
    else goes to PyYAML's safe constructor, which refuses every non-standard tag.
    """

    __slots__ = ("aliases", "at", "count", "duplicate", "lines", "loader", "merges", "seen", "source")

    def __init__(self, loader: Any, source: str, *, merges: bool = True, aliases: list[int] | None = None) -> None:
        self.loader = loader
        self.source = source
        self.lines: dict[Path, int] = {}
        self.count = 0
        self.merges = merges  # False when the text holds no `<<`: no mapping needs merging
        # The lines of the aliases of collections, in document order (None: the text has none). A collection
        # reached again through an alias (`- *flip`) or merged into a mapping (`<<: *base`) is reported at the
        # line of that alias or merge, where it is used, not where its anchor stands: a finding, and a
        # suppression comment, belong to the place that runs it (`<<: *off` then `p: 1.0` runs, `off` does not).
        self.aliases = iter(aliases) if aliases is not None else None
        self.seen: set[int] = set()  # id() of the collections built so far (only when there are aliases)
        self.at: int | None = None  # while building a collection reached again: the line it is used at
        self.duplicate: ConfigError | None = None  # the first key written twice in one mapping

    def document(self, root: yaml.Node) -> tuple[Any, dict[Path, int]]:
        return self.build(root, (), 1), self.lines

    def _limit(self, node: yaml.Node, depth: int) -> None:
        self.count += 1
        if depth > MAX_DEPTH:
            raise ConfigError(
                f"nesting deeper than {MAX_DEPTH} levels; no augmentation pipeline is this deep",
                path=self.source,
                line=node.start_mark.line + 1,
            )
        if self.count > MAX_NODES:
            raise ConfigError(
                f"more than {MAX_NODES} values once aliases are expanded; refusing to read further",
                path=self.source,
                line=node.start_mark.line + 1,
            )

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag, value = node.tag, node.value
        if tag == _PLAIN:
            tag = node.tag = _implicit_tag(value)
        if tag == _STR:
            return value
        if tag == _INT and _PLAIN_INT.fullmatch(value):
            if len(value) > _MAX_DIGITS:
                raise ConfigError(
                    f"a number with {len(value.lstrip('+-'))} digits; no augmentation setting is that large",
                    path=self.source,
                    line=node.start_mark.line + 1,
                )
            return int(value)
        if tag == _FLOAT and _PLAIN_FLOAT.fullmatch(value):
            return float(value)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return self.loader.bool_values[value.lower()]
        return self.loader.construct_object(node, deep=True)

    def construct(self, node: yaml.Node) -> Any:
        """PyYAML's safe constructor, for the rare shapes built elsewhere (``!!set``, ``!!omap``, ...)."""
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, yaml.ScalarNode) and item.tag == _PLAIN:
                item.tag = _implicit_tag(item.value)
            elif isinstance(item, yaml.SequenceNode):
                stack.extend(item.value)
            elif isinstance(item, yaml.MappingNode):
                stack.extend(n for pair in item.value for n in pair)
        return self.loader.construct_object(node, deep=True)

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.count += 1
        if depth > MAX_DEPTH or self.count > MAX_NODES:
            self.count -= 1
            self._limit(node, depth)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if self.aliases is not None and self.at is None:
            if id(node) in self.seen:  # reached through an alias: built at the alias's line
                self.at = next(self.aliases, node.start_mark.line + 1)
                try:
                    return self.collection(node, path, depth)
                finally:
                    self.at = None
            self.seen.add(id(node))
        return self.collection(node, path, depth)

    def collection(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.lines.setdefault(path, self.at or node.start_mark.line + 1)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                return self.construct(node)
            for i, v in enumerate(node.value):
                if isinstance(v, yaml.ScalarNode) and v.value[:1].isupper():  # a bare class name (`- HorizontalFlip`)
                    self.lines.setdefault((*path, i), self.at or v.start_mark.line + 1)
            return [self.build(v, (*path, i), depth + 1) for i, v in enumerate(node.value)]
        if not isinstance(node, yaml.MappingNode) or node.tag != _MAP:
            return self.construct(node)
        merged_at = None
        if self.merges and any(k.tag == _PLAIN and k.value == "<<" for k, _ in node.value):
            for k, _ in node.value:
                if k.tag == _PLAIN and k.value == "<<":
                    k.tag = _MERGE
                    merged_at = merged_at or k.start_mark.line + 1
            self.loader.flatten_mapping(node)  # `<<: *base` merge keys, as PyYAML's safe loader merges them
        start, end = node.start_mark.index, node.end_mark.index
        out: dict[Any, Any] = {}
        own: dict[tuple[type, Any], int] = {}  # the keys written in this mapping itself, and their lines
        written: set[tuple[type, Any]] = (
            set()
        )  # the same, known before the merged keys are met (only when there are some)
        if merged_at is not None:
            written = {
                _typed(self.scalar(k))
                for k, _ in node.value
                if isinstance(k, yaml.ScalarNode) and start <= k.start_mark.index < end
            }
        for k, v in node.value:
            self.count += 1
            if depth >= MAX_DEPTH or self.count > MAX_NODES:
                self.count -= 1
                self._limit(k, depth + 1)
            key = self.scalar(k) if isinstance(k, yaml.ScalarNode) else self.construct(k)
            try:
                hash(key)
            except TypeError:
                raise ConfigError(
                    "a mapping key that is itself a list or mapping; only plain keys are read",
                    path=self.source,
                    line=k.start_mark.line + 1,
                ) from None
            if merged_at is not None and not start <= k.start_mark.index < end:
                if _typed(key) in written:
                    continue  # a key merged from elsewhere that the mapping writes itself: its own value wins
                if self.at is not None:
                    out[key] = self.build(v, (*path, key), depth + 1)
                    continue
                # a key merged from elsewhere: at the merge's line, and so is what it holds
                self.lines.setdefault((*path, key), merged_at)
                self.at = merged_at
                try:
                    out[key] = self.build(v, (*path, key), depth + 1)
                finally:
                    self.at = None
                continue
            if _typed(key) in own and self.duplicate is None:
                self.duplicate = ConfigError(
                    f"the key {key!r} is written twice in one mapping (lines {own[_typed(key)]} and "
                    f"{k.start_mark.line + 1}); "
                    "YAML loaders disagree on which one counts (PyYAML keeps the last, Hydra refuses the file), so "
                    "write it once",
                    path=self.source,
                    line=k.start_mark.line + 1,
                )
            own[_typed(key)] = k.start_mark.line + 1
            self.lines.setdefault((*path, key), self.at or k.start_mark.line + 1)
            out[key] = self.build(v, (*path, key), depth + 1)
        return out


def _typed(key: Any) -> tuple[type, Any]:
    """A key with its type: ``1`` and ``true`` are two keys to YAML, though Python's ``1 == True``."""
    return type(key), key


def _alias_lines(text: str) -> list[int]:
    """The line of each alias of a collection (``- *flip``, ``transforms: *base``), in document order; the
    aliases a merge key takes (``<<: *base``, ``<<: [*a, *b]``) and aliases of scalars are left out, so the
    list matches the collections :class:`_Builder` meets a second time, one by one."""
    collections: dict[str, bool] = {}  # anchor -> anchors a collection
    out: list[int] = []
    # One frame per open collection: [a mapping?, expecting a key?, the next value is merged?, items merged?]
    stack: list[list[bool]] = []

    def done(merge_key: bool = False) -> None:  # a node of the innermost collection is complete
        if stack and stack[-1][0]:
            frame = stack[-1]
            frame[2] = frame[1] and merge_key
            frame[1] = not frame[1]

    try:
        for event in yaml.parse(text, Loader=_Base):
            frame = stack[-1] if stack else None
            merged = frame is not None and (frame[3] or (frame[0] and not frame[1] and frame[2]))
            if isinstance(event, yaml.AliasEvent):
                if not merged and collections.get(event.anchor or "") and event.start_mark is not None:
                    out.append(event.start_mark.line + 1)
                done()
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor:
                    collections[event.anchor] = False
                done(event.value == "<<" and event.implicit[0])
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if event.anchor:
                    collections[event.anchor] = True
                mapping = isinstance(event, yaml.MappingStartEvent)
                stack.append([mapping, True, False, merged and not mapping])
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                stack.pop()
                done()
    except yaml.YAMLError:
        return []  # composing reports it
    return out


def _lines(root: yaml.Node) -> dict[Path, int]:
    out: dict[Path, int] = {}
    stack: list[tuple[yaml.Node, Path]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        out.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else None
                if key is not None:
                    out.setdefault((*path, key), k.start_mark.line + 1)
                    stack.append((v, (*path, key)))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                stack.append((v, (*path, i)))
    return out


def yaml_comments(text: str, needle: str = "") -> list[tuple[int, str, bool]]:
    """The comments of a YAML document that contain ``needle``: (line, text from the ``#``, nothing but
    space before it). A ``#`` inside a quoted or block scalar is text, not a comment."""
    import bisect

    spans: list[tuple[int, int]] = []
    try:
        for tok in yaml.scan(text, Loader=_Base):
            if isinstance(tok, yaml.ScalarToken):
                spans.append((tok.start_mark.index, tok.end_mark.index))
    except yaml.YAMLError:
        return []
    starts = [s for s, _ in spans]
    out = []
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if needle in line:
            for col, char in enumerate(line):
                if char != "#" or (col and not line[col - 1].isspace()):
                    continue
                at = offset + col
                i = bisect.bisect_right(starts, at) - 1
                if i >= 0 and spans[i][0] <= at < spans[i][1]:
                    continue  # inside a quoted or block scalar: text, not a comment
                if needle in line[col:]:
                    out.append((number, line[col:].rstrip("\r\n"), not line[:col].strip()))
                break
        offset += len(line)
    return out
