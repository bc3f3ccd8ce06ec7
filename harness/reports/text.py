"""Plain-text and markdown layouts of a table (headers and rows of cells), and the one place
each text format escapes a value: `markdown_text` for markdown,
`csv_cell` for CSV. Every value is text: it renders as the characters it holds and cannot
open a tag, a link, an image, a heading or a spreadsheet formula."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An aligned plain-text table."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


# -- markdown --------------------------------------------------------------------------------

# Backslash-escaped everywhere (CommonMark: any ASCII punctuation may be): what opens code,
# emphasis, strikethrough, links, images, HTML, entities, headings, table cells, mentions, maths.
_MARKDOWN_ALWAYS = frozenset("\\`*~[]<>&#!|@$")
# Escaped where they could mean something: "_" but inside a word (emphasis never starts there:
# batch_size stays as it is), ":" before "/" (a URL's scheme://), "." but between digits
# (www.host, a domain, "1." opening a list; 0.1234 stays as it is).
_MARKDOWN_AT = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|:(?=/)|(?<!\d)\.|\.(?!\d)")


def visible(value: Any) -> str:
    """`value` as text, each control character (Unicode category Cc) other than whitespace
    written out as an escape, like \\x1b."""
    return "".join(escaped_char(c) if unicodedata.category(c) == "Cc" and not c.isspace()
                   else c for c in str(value))


def escaped_char(char: str) -> str:
    """One character written out as a Python escape: \\x1b, \\u202e."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _one_line(value: Any) -> str:
    """Visible text on one line: every run of whitespace (newlines, tabs) one space."""
    return " ".join(visible(value).split())


def markdown_text(value: Any) -> str:
    """`value` as literal markdown text on one line, for a table cell or after fixed text on
    a line: "<b>" becomes "\\<b\\>", which GitHub renders as <b>."""
    text = "".join("\\" + c if c in _MARKDOWN_ALWAYS else c for c in _one_line(value))
    return _MARKDOWN_AT.sub(lambda m: "\\" + m.group(), text)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured markdown table, every header and cell through `markdown_text`."""
    def line(cells: Iterable[str]) -> str:
        return "| " + " | ".join(map(markdown_text, cells)) + " |"

    return "\n".join([line(headers), "|" + "---|" * len(headers), *map(line, rows)])


# -- CSV -------------------------------------------------------------------------------------

# what a spreadsheet reads as the start of a formula (OWASP, CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula, with a leading ' ("=1+1"
    becomes "'=1+1"), and each carriage return in it a newline (the csv module leaves a field
    with a bare one unquoted under "\\n" line ends, which splits the row); numbers, booleans and
    None unchanged."""
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + text if value.startswith(FORMULA_START) else text


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """Every cell of a row (a dict, for csv.DictWriter) through `csv_cell`."""
    return {key: csv_cell(value) for key, value in row.items()}
