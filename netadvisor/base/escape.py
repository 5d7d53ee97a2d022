"""Escaping text that comes from input (case files, file names, guideline data) for
the format it lands in: one function per format, and the renderers call these only.

- terminal: control characters (escape sequences, line breaks), bidirectional
  overrides and the undecodable bytes of a file name that is not UTF-8 become
  visible escapes such as \\x1b, so a name cannot drive the terminal, start a
  line of its own (a GitHub `::error` command) or reorder what is shown;
- markdown: the characters that make links, images, HTML, emphasis and tables
  are backslash-escaped and line breaks become <br>, so a note cannot add a
  table, a list or a link;
- html: what html.escape does, quotes included (HTML and the SVG inside it);
- xml: characters XML 1.0 forbids (U+FFFE, most control characters, unpaired
  surrogates) become visible escapes, then markup characters are quoted;
- csv: a cell that a spreadsheet would run as a formula (= + - @, tab, CR)
  gets a leading apostrophe;
- GitHub workflow commands (check and lint --format github): messages and
  properties escaped as the runner expects, so a name cannot end a command.
"""

from __future__ import annotations

import re

# Patterns are compiled on first use (re caches them): start-up never pays for them.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TERMINAL = f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}]"
_XML_FORBIDDEN = "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"  # what XML 1.0's Char leaves out
_MARKDOWN = r"([\\`*_\[\]<>|~])"
_SURROGATE = "[\ud800-\udfff]"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _visible(match: re.Match) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def file_name(text: str) -> str:
    """A path as text that is valid Unicode: the bytes of a name that is not UTF-8 become \\xNN.

    os.fsdecode keeps such bytes as lone surrogates, which no UTF-8 output can hold.
    Only those change; the result names the file for a reader, not for open().
    """
    if text.isprintable() or not re.search(_SURROGATE, text):
        return text
    return re.sub(_SURROGATE, _visible, text)


def terminal(text: str) -> str:
    """Text to show on a terminal or in a line-based report: one line, nothing that acts."""
    if text.isprintable():  # the common case, in C
        return text
    return re.sub(_TERMINAL, _visible, text)


def markdown(text: str) -> str:
    """Text inside a Markdown paragraph, list item or table cell: literal, on one line."""
    escaped = re.sub(_MARKDOWN, r"\\\1", terminal_lines(text))
    return escaped.replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")


def terminal_lines(text: str) -> str:
    """Like terminal(), but line breaks stay line breaks (notes written on several lines)."""
    if text.isprintable():
        return text
    return "\n".join(terminal(line) for line in text.replace("\r\n", "\n").split("\n"))


_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
_HTML_CHARS = "[&<>\"']"
_ATTRIBUTE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_ATTRIBUTE_CHARS = "[&<>\n\r\t]"


def html(text: str) -> str:
    """Text inside HTML (or SVG) elements and quoted attributes (as html.escape, whose
    module, like xml.sax's, costs start-up time)."""
    return re.sub(_HTML_CHARS, lambda m: _HTML[m.group(0)], xml_chars(text))


def xml_chars(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold (shown as escapes instead)."""
    return re.sub(_XML_FORBIDDEN, _visible, text)


_TEXT = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def xml_text(text: str) -> str:
    """XML element content on characters XML 1.0 allows (xml.sax.saxutils.escape's rules)."""
    return re.sub("[&<>]", lambda m: _TEXT[m.group(0)], xml_chars(text))


def quoteattr(text: str) -> str:
    """An XML attribute value with its quotes, on characters XML 1.0 allows: the rules of
    xml.sax.saxutils.quoteattr (whose import costs 10 ms of start-up)."""
    value = re.sub(_ATTRIBUTE_CHARS, lambda m: _ATTRIBUTE[m.group(0)], xml_chars(text))
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'


def workflow_message(text: str) -> str:
    """The message of a GitHub workflow command (::error ...::message): one line, % escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A property of a GitHub workflow command (file=..., title=...): ':' and ',' escaped too."""
    return workflow_message(text).replace(":", "%3A").replace(",", "%2C")


def csv_cell(value):
    """A CSV cell that no spreadsheet runs as a formula; numbers and empty cells unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value
