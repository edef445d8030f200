"""Split ``llms-full.txt`` into pages, and each page into headings, markdown tables, prose and curl examples.

The file is a concatenation of documentation pages, each introduced by a title between two lines of
``=`` characters. Inside a page, ``#`` headings nest, code fences hold curl examples (the JSON after
``-d '`` is ``{"model": ..., "input": {...}}``), and ``|``-delimited blocks are tables. Everything here is
plain data (frozen dataclasses); no knowledge of particular models lives in this module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_RULE = re.compile(r"^={20,}\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_MODEL_ID = re.compile(r"^[a-z0-9-]+/[a-z0-9.\-]+$")
_DATA_START = re.compile(r"^\s*(?:-d|--data(?:-raw)?)\s+'")


@dataclass(frozen=True)
class Table:
    """A markdown table: ``headers`` and ``rows`` are the stripped cell texts (markup kept)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    line: int
    headings: tuple[str, ...]
    intro: str

    def col(self, *names: str) -> int | None:
        """Index of the first header equal (case-insensitively) to one of ``names``."""
        lowered = [h.lower() for h in self.headers]
        for name in names:
            if name.lower() in lowered:
                return lowered.index(name.lower())
        return None

    def records(self) -> list[dict[str, str]]:
        """Rows as dicts keyed by lower-cased header."""
        keys = [h.lower() for h in self.headers]
        return [dict(zip(keys, row, strict=False)) for row in self.rows]


@dataclass(frozen=True)
class Example:
    """One curl example: the ``input`` object sent for ``model``; ``line`` is the line of ``-d '``."""

    title: str
    model: str
    input: dict
    line: int
    headings: tuple[str, ...]


@dataclass(frozen=True)
class Prose:
    """A non-empty text line outside tables and code fences."""

    text: str
    line: int
    headings: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    """One documentation page. ``model_ids`` come from its ``## Model`` fence or ``## Models`` table."""

    title: str
    line: int
    end: int
    text: str
    model_ids: tuple[str, ...]
    model_notes: dict[str, str]
    tables: tuple[Table, ...]
    examples: tuple[Example, ...]
    prose: tuple[Prose, ...]


def split_cells(line: str) -> tuple[str, ...]:
    """Cells of a ``| a | b |`` line, stripped."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return tuple(cell.strip() for cell in body.split("|"))


def _is_separator(cells: tuple[str, ...]) -> bool:
    return all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c) and any(cells)


def split_pages(text: str) -> list[tuple[str, int, list[str]]]:
    """``(title, title_line, body_lines)`` for every ``=====``-delimited page (lines are 1-based)."""
    lines = text.split("\n")
    starts = [i for i in range(len(lines) - 2) if _RULE.match(lines[i]) and _RULE.match(lines[i + 2])]
    pages = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        pages.append((lines[start + 1].strip(), start + 2, lines[start + 3 : end]))
    return pages


def _read_example(body: list[str], i: int, first_line: int, headings: list[str]) -> tuple[Example | None, int]:
    """Parse the JSON payload starting at ``body[i]``; return (example or None, index of its last line)."""
    buf = [_DATA_START.sub("", body[i], count=1)]
    j = i
    while not body[j].rstrip().endswith("'") and j + 1 < len(body):
        j += 1
        buf.append(body[j])
    payload = "\n".join(buf).rstrip()[:-1]
    try:
        data = json.loads(payload)
    except json.JSONDecodeError:
        return None, j
    if not isinstance(data, dict) or "model" not in data or not isinstance(data.get("input"), dict):
        return None, j
    title = headings[-1] if headings else ""
    return Example(title, data["model"], data["input"], first_line + i, tuple(headings)), j


def parse_page(title: str, title_line: int, body: list[str]) -> Page:
    """Walk one page's lines, collecting headings, tables, prose, examples and the model ids."""
    first_line = title_line + 2
    stack: list[tuple[int, str]] = []
    tables: list[Table] = []
    examples: list[Example] = []
    prose: list[Prose] = []
    intro: list[str] = []
    model_ids: list[str] = []
    notes: dict[str, str] = {}
    in_fence = False
    fence_lines: list[str] = []
    i = 0
    while i < len(body):
        line = body[i]
        headings = [t for _, t in stack]
        if line.strip().startswith("```"):
            if in_fence and headings and headings[-1] == "Model":
                model_ids.extend(x.strip() for x in fence_lines if _MODEL_ID.match(x.strip()))
            in_fence, fence_lines = not in_fence, []
        elif in_fence:
            fence_lines.append(line)
            if _DATA_START.match(line):
                example, i = _read_example(body, i, first_line, headings)
                if example:
                    examples.append(example)
        elif (m := _HEADING.match(line)) is not None:
            level = len(m.group(1))
            stack = [(lv, t) for lv, t in stack if lv < level] + [(level, m.group(2))]
            intro = []
        elif line.lstrip().startswith("|"):
            start = i
            raw = []
            while i < len(body) and body[i].lstrip().startswith("|"):
                raw.append(split_cells(body[i]))
                i += 1
            i -= 1
            # Two tables written back to back (no blank line) split where a header/separator pair starts.
            cuts = [k for k in range(len(raw) - 1) if _is_separator(raw[k + 1])]
            for a, b in zip(cuts, cuts[1:] + [len(raw)], strict=False):
                table = Table(raw[a], tuple(raw[a + 2 : b]), first_line + start + a, tuple(headings), " ".join(intro))
                tables.append(table)
                if headings and headings[-1] == "Models":
                    for row in table.rows:
                        mid = row[0].strip("` ")
                        if _MODEL_ID.match(mid):
                            model_ids.append(mid)
                            cells = zip(table.headers[1:], row[1:], strict=False)
                            notes[mid] = "; ".join(
                                c if h.lower() == "description" else f"{h}: {c}" for h, c in cells if c)
            intro = []
        elif line.strip():
            prose.append(Prose(line.strip(), first_line + i, tuple(headings)))
            intro.append(line.strip())
        i += 1
    text = "\n".join([f"# {title}", *body]).rstrip() + "\n"
    return Page(title, title_line, first_line + len(body) - 1, text, tuple(dict.fromkeys(model_ids)),
                notes, tuple(tables), tuple(examples), tuple(prose))


def parse_document(text: str) -> list[Page]:
    """Every page of the document, in order."""
    return [parse_page(title, line, body) for title, line, body in split_pages(text)]
