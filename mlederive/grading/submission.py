"""A submission file → its steps, in order: one display formula per step.

Markdown: each ``$$…$$`` block, and each line that is a ``$…$`` formula alone; text between them is ignored. LaTeX:
the body of each ``align*``/``equation*`` (or ``align``, ``equation``) environment, one step per line — ``\\\\`` ends a
line, ``&`` is dropped, and a line ``&= …`` continues the chain: each ``=`` after the first side is a step of its own
(``a &= b \\\\ &= c`` is the steps a = b and b = c, numbered 1 and 2).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: a submission larger than this is refused before it is read (a derivation is a page)
MAX_BYTES = 200_000


class SubmissionError(ValueError):
    """The file cannot be read as a submission (one line: what, where, how to fix)."""


@dataclass(frozen=True)
class Line:
    """One step's LaTeX, where it starts in the file (1-based line number)."""

    latex: str
    line: int


_ENV = re.compile(r"\\begin\{(align\*?|equation\*?|gather\*?)\}(.*?)\\end\{\1\}", re.S)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_LINE = re.compile(r"^\s*\$([^$]+)\$\s*[.,]?\s*$", re.M)


def read_submission(path: str | Path) -> list[Line]:
    """The steps of the file at ``path``, or SubmissionError."""
    return steps_of(read_text(path))


def read_text(path: str | Path) -> str:
    """The text of the submission at ``path`` (UTF-8, at most MAX_BYTES), or SubmissionError."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SubmissionError("%s: cannot be read (%s)" % (path, exc.strerror or exc)) from None
    if len(data) > MAX_BYTES:
        raise SubmissionError("%s: %d bytes; a submission is at most %d (one derivation)" % (path, len(data),
                                                                                               MAX_BYTES))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SubmissionError("%s: line %d is not UTF-8 text (byte 0x%02x); save the file as UTF-8"
                              % (path, line, data[exc.start])) from None
    return text


def steps_of(text: str) -> list[Line]:
    """The steps of a submission's text (LaTeX environments if it has any, else Markdown formulas)."""
    found: list[Line] = []
    for env in _ENV.finditer(text):
        found += _environment(env.group(2), text.count("\n", 0, env.start(2)) + 1)
    if found:
        return found
    spans = []
    for m in _DISPLAY.finditer(text):
        spans.append((m.start(), m.group(1)))
    masked = _DISPLAY.sub(lambda m: " " * len(m.group(0)), text)
    for m in _INLINE_LINE.finditer(masked):
        spans.append((m.start(1), m.group(1)))
    for start, body in sorted(spans):
        first = text.count("\n", 0, start) + 1
        found += _environment(body, first) if "\\\\" in body or "&" in body else [Line(" ".join(body.split()), first)]
    return found


def _environment(body: str, first_line: int) -> list[Line]:
    """An align body's steps: one per line, a continued chain (&= …) split at each = into a = b pairs."""
    out: list[Line] = []
    lhs = None
    offset = 0
    for raw in body.split("\\\\"):
        line_no = first_line + offset + raw[:len(raw) - len(raw.lstrip())].count("\n")
        offset += raw.count("\n")
        text = " ".join(raw.replace("\\nonumber", "").split())
        if not text:
            continue
        continued = text.startswith("&=") or text.startswith("=")
        text = text.replace("&", " ").strip()
        if continued and lhs is not None:
            text = lhs + " " + text
        else:
            lhs = _first_side(text)
        out.append(Line(" ".join(text.split()), line_no))
    return out


def _first_side(text: str) -> str | None:
    """The chain's left-hand side, before the first top-level '=' (what a continued line, '&= …', is equal to)."""
    depth = 0
    for k, ch in enumerate(text):
        depth += 1 if ch in "({[" else -1 if ch in ")}]" else 0
        if ch == "=" and depth == 0:
            return text[:k].strip()
    return None
