"""Safe YAML reading with line numbers, for suite files.

Only plain data is accepted: strings, numbers, booleans, null, lists and mappings. No tag is ever
constructed into an object, aliases are shared rather than expanded (an "alias bomb" costs
nothing), duplicate keys are errors, and files that are too large or not UTF-8 are refused
before parsing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from harness.errors import SuiteError

# A guard against hostile files, not against real suites: 256 MiB is about 900,000 tests, read in
# about 0.4 s per MiB with about 15x the file's size in memory. HARNESS_MAX_SUITE_BYTES moves it.
MAX_BYTES = 256 * 1024 * 1024
ENV_MAX_BYTES = "HARNESS_MAX_SUITE_BYTES"


def max_bytes() -> int:
    given = os.environ.get(ENV_MAX_BYTES, "").strip()
    return int(given) if given.isdigit() else MAX_BYTES

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
# "2020-01-01" stays the text it is; a lone "=" (YAML 1.1's value key) too.
_AS_TEXT_TAGS = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value"}


class YamlMap(dict):
    """A mapping that remembers the line of itself and of each key (1-based). The key lines
    are kept as a list in key order, not a dict: a large suite holds millions of maps."""

    __slots__ = ("line", "lines")

    def __init__(self, line: int = 0):
        super().__init__()
        self.line = line
        self.lines: list[int] = []

    def line_of_key(self, key: Any) -> int | None:
        return next((line for k, line in zip(self, self.lines) if k == key), None)


class YamlList(list):
    """A list that remembers the line of itself and of each item (1-based)."""

    __slots__ = ("line", "item_lines")

    def __init__(self, line: int = 0):
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


def line_of(value: Any, default: int = 0) -> int:
    """The line a value read by `load_yaml_file` starts on (0 when unknown)."""
    return getattr(value, "line", default)


def _tab_indented(text: str, line: int) -> bool:
    lines = text.splitlines()
    return 0 < line <= len(lines) and lines[line - 1][:1] == "\t"


def load_yaml_file(path: str | Path) -> Any:
    """Read one YAML document as plain data; every problem is a SuiteError naming the file."""
    path = Path(path)
    name = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SuiteError(name, [f"{name}: no such file. Check the path."]) from None
    except OSError as exc:
        raise SuiteError(name, [f"{name}: cannot read it ({exc.strerror})."]) from None
    if stat.S_ISDIR(info.st_mode):
        raise SuiteError(name, [f"{name}: is a folder; give the path of a .yaml suite file."])
    if not stat.S_ISREG(info.st_mode):
        raise SuiteError(name, [f"{name}: not a regular file (a device or pipe?)."])
    limit = max_bytes()
    too_big = [f"{name}: larger than a suite may be ({limit} bytes). Split it into "
               f"several suite files, or raise the limit with {ENV_MAX_BYTES}=BYTES."]
    if info.st_size > limit:
        raise SuiteError(name, too_big)
    chunks, size = [], 0
    with open(path, "rb") as handle:  # in chunks: it may have grown since stat
        while size <= limit and (chunk := handle.read(1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
    raw = b"".join(chunks)
    if len(raw) > limit:
        raise SuiteError(name, too_big)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SuiteError(
            name,
            [f"{name}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}). "
             "Save the file as UTF-8."],
        ) from None
    return load_yaml_text(text, name)


def load_yaml_text(text: str, name: str) -> Any:
    """One YAML document of `text` as plain data, line numbers kept; every problem is a
    SuiteError naming `name` (the file it is, or will be)."""
    try:
        return _Builder(name).build(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        if "\t" in (exc.problem or "") or _tab_indented(text, line):
            raise SuiteError(name, [f"{name}:{line}: a tab indents this line; YAML indents "
                                    "with spaces only: replace the tabs with spaces."]) from None
        what = " ".join(s for s in (exc.context, exc.problem) if s)
        raise SuiteError(name, [f"{name}:{line}: YAML syntax error: {what}."]) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        char = chr(exc.character) if isinstance(exc.character, int) else exc.character
        raise SuiteError(name, [f"{name}:{line}: character {char!r} is not allowed in YAML; "
                                "remove it."]) from None
    except yaml.YAMLError as exc:
        raise SuiteError(name, [f"{name}: YAML error: {exc}"]) from None


MAX_DEPTH = 64  # far deeper than a suite; a guard against files nested to exhaust the stack
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"


class _Builder:
    """Plain data from the parser's events, built as they come: no node graph is held (for a
    large suite the graph takes several times the memory of the data), aliases are shared,
    never expanded, and line numbers are kept."""

    def __init__(self, name: str):
        self.name = name
        self.anchors: dict[str, Any] = {}
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()
        self.plain: dict[str, Any] = {}  # plain scalars read so far: keys repeat a lot
        self.typed: dict[tuple[str, str], Any] = {}

    def fail(self, event: yaml.Event, message: str) -> SuiteError:
        return SuiteError(self.name, [f"{self.name}:{event.start_mark.line + 1}: {message}"])

    def build(self, events) -> Any:
        # each open collection: (container, the key waiting for its value or None, anchor)
        stack: list[list[Any]] = []
        root: Any = None
        documents = 0

        def add(value: Any, event: yaml.Event) -> None:
            nonlocal root
            if not stack:
                root = value
                return
            top = stack[-1]
            container = top[0]
            if isinstance(container, YamlList):
                container.append(value)
                container.item_lines.append(event.start_mark.line + 1)
            elif top[1] is _NO_KEY:  # a key
                if isinstance(value, (YamlMap, YamlList)):
                    raise self.fail(event, "a mapping key must be a plain string.")
                if value in container:
                    first = container.line_of_key(value)
                    hint = "" if isinstance(value, str) else (
                        " (YAML reads unquoted keys such as 1, yes and true as numbers or "
                        "booleans, some of them equal; quote the keys)")
                    raise self.fail(event, f"duplicate key {value!r} (first on line {first})"
                                    f"{hint}.")
                top[1] = value
                container.lines.append(event.start_mark.line + 1)
            else:
                container[top[1]] = value
                top[1] = _NO_KEY

        for event in events:
            kind = type(event)
            if kind is yaml.ScalarEvent:
                value = self.scalar(event)
                if value is _MERGE_KEY and stack and stack[-1][1] is _NO_KEY:
                    raise self.fail(event, "merge keys (<<) are not supported; write keys out.")
                if event.anchor:
                    self.anchors[event.anchor] = value
                add(value, event)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                expected = _MAP if kind is yaml.MappingStartEvent else _SEQ
                if event.tag not in (None, "!", expected):
                    raise self.fail(event, f"YAML tag {event.tag} is not allowed in a suite.")
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(event, "YAML is nested too deeply.")
                line = event.start_mark.line + 1
                container: Any = (YamlMap(line) if kind is yaml.MappingStartEvent
                                  else YamlList(line))
                if event.anchor:
                    self.anchors[event.anchor] = container
                add(container, event)
                stack.append([container, _NO_KEY])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
            elif kind is yaml.AliasEvent:
                if event.anchor not in self.anchors:
                    raise self.fail(event, f"unknown alias *{event.anchor}.")
                add(self.anchors[event.anchor], event)  # shared, never expanded
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.fail(event, "YAML syntax error: more than one document; a suite "
                                    "is one document (remove the ---).")
        return root

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        value = event.value
        tag = event.tag
        if tag in (None, "!"):
            if event.style or not event.implicit[0]:
                return value  # quoted: text
            found = self.plain.get(value)
            if found is None:
                found = self.plain[value] = self._resolve(value, event)
            return found
        return self._typed(tag, value, event)

    def _resolve(self, value: str, event: yaml.ScalarEvent) -> Any:
        tag = self.resolver.resolve(yaml.ScalarNode, value, (True, False))
        if tag == _MERGE:
            return _MERGE_KEY
        return self._typed(tag, value, event)

    def _typed(self, tag: str, value: str, event: yaml.ScalarEvent) -> Any:
        if tag == "tag:yaml.org,2002:str" or tag in _AS_TEXT_TAGS:
            return value
        if tag not in _PLAIN_TAGS:
            raise self.fail(
                event,
                f"YAML tag {tag} is not allowed in a suite (only strings, numbers, booleans, "
                "null, lists and mappings).",
            )
        key = (tag, value)
        if key not in self.typed:
            try:
                self.typed[key] = self.constructor.construct_object(yaml.ScalarNode(tag, value))
            except (ValueError, KeyError, TypeError, yaml.YAMLError):
                kind = tag.rsplit(":", 1)[-1]
                raise self.fail(event, f"{value[:40]!r} is not a valid {kind}.") from None
        return self.typed[key]


_NO_KEY = object()  # a mapping waits for a key
_MERGE_KEY = object()  # `<<`, refused as a key


def data_line(data: Any) -> int:
    """The line a mapping or list starts on (0: unknown)."""
    return line_of(data)


def key_line(data: Any, key: Any, default: int = 0) -> int:
    """The line of a key of a mapping, else `default`, else the mapping's own line."""
    found = data.line_of_key(key) if isinstance(data, YamlMap) else None
    return found or default or line_of(data)


def item_line(data: Any, index: int, default: int = 0) -> int:
    """The line of the index-th item of a list, else `default`, else the list's own line."""
    if isinstance(data, YamlList) and index < len(data.item_lines):
        return data.item_lines[index]
    return default or line_of(data)
