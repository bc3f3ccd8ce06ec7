"""Safe YAML reading with line numbers, for suite files.

Only plain data is accepted: strings, numbers, booleans, null, lists and mappings. No tag is ever
constructed into an object, aliases are shared rather than expanded (an "alias bomb" costs
nothing), duplicate keys are errors, and files that are too large or not UTF-8 are refused
before parsing.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import yaml

from harness.errors import SuiteError

# PyYAML builds Python objects for every node: about 2 s per MiB here. Larger suites are
# better split (the runner shares contexts across suites anyway).
MAX_BYTES = 8 * 1024 * 1024

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
    """A mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class YamlList(list):
    """A list that remembers the line of itself and of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


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
    too_big = [f"{name}: larger than a suite may be ({MAX_BYTES} bytes). Split it into "
               "several suite files."]
    if info.st_size > MAX_BYTES:
        raise SuiteError(name, too_big)
    with open(path, "rb") as handle:
        raw = handle.read(MAX_BYTES + 1)  # the size may have changed since stat
    if len(raw) > MAX_BYTES:
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
    try:
        node = yaml.compose(text, Loader=_Loader)
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
    except RecursionError:
        raise SuiteError(name, [f"{name}: YAML is nested too deeply."]) from None
    if node is None:
        return None
    try:
        return _Converter(name).convert(node)
    except RecursionError:
        raise SuiteError(name, [f"{name}: YAML is nested too deeply."]) from None


class _Converter:
    def __init__(self, name: str):
        self.name = name
        self.memo: dict[int, Any] = {}
        self.constructor = yaml.constructor.SafeConstructor()  # per load: it caches nodes

    def fail(self, node: yaml.Node, message: str) -> SuiteError:
        return SuiteError(self.name, [f"{self.name}:{node.start_mark.line + 1}: {message}"])

    def convert(self, node: yaml.Node) -> Any:
        if id(node) in self.memo:  # an alias: share the object, never expand it
            return self.memo[id(node)]
        if isinstance(node, yaml.ScalarNode):
            value = self.scalar(node)
            self.memo[id(node)] = value
            return value
        if isinstance(node, yaml.SequenceNode):
            self.check_tag(node, "tag:yaml.org,2002:seq")
            out = YamlList()
            out.line, out.item_lines = node.start_mark.line + 1, []
            self.memo[id(node)] = out
            for item in node.value:
                out.append(self.convert(item))
                out.item_lines.append(item.start_mark.line + 1)
            return out
        if isinstance(node, yaml.MappingNode):
            self.check_tag(node, "tag:yaml.org,2002:map")
            out = YamlMap()
            out.line, out.key_lines = node.start_mark.line + 1, {}
            self.memo[id(node)] = out
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, "merge keys (<<) are not supported; write keys out.")
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.fail(key_node, "a mapping key must be a plain string.")
                key = self.scalar(key_node)
                if key in out:
                    first = out.key_lines[key]
                    hint = "" if isinstance(key, str) else (
                        " (YAML reads unquoted keys such as 1, yes and true as numbers or "
                        "booleans, some of them equal; quote the keys)")
                    raise self.fail(key_node, f"duplicate key {key!r} (first on line {first})"
                                    f"{hint}.")
                out[key] = self.convert(value_node)
                out.key_lines[key] = key_node.start_mark.line + 1
            return out
        raise self.fail(node, f"unsupported YAML node {type(node).__name__}.")

    def check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            raise self.fail(node, f"YAML tag {node.tag} is not allowed in a suite.")

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag in _AS_TEXT_TAGS:
            return node.value
        if node.tag not in _PLAIN_TAGS:
            raise self.fail(
                node,
                f"YAML tag {node.tag} is not allowed in a suite (only strings, numbers, "
                "booleans, null, lists and mappings).",
            )
        try:
            return self.constructor.construct_object(node)
        except (ValueError, KeyError, TypeError, yaml.YAMLError):
            kind = node.tag.rsplit(":", 1)[-1]
            raise self.fail(node, f"{node.value[:40]!r} is not a valid {kind}.") from None
