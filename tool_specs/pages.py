"""A model's documentation page as ``describe_model`` serves it: its own sections, without leftover doc markup.

* Sections of a shared page that belong to other models (``families.SECTION_MODELS``, headings naming a model)
  are left out.
* Links become their text, with the target where it helps: a model page link gives the model id, a
  resources link the ``get_resources`` tool; in-page anchors and other links keep only the text.
* Footnote asterisks go: a ``Yes*`` cell reads ``Conditional`` and its ``*Required if ...`` note loses the star.
* Image-reference placeholders that the docs print empty (`` `<<>>` ``) are named as such.
* After each example that contradicts its own parameter table, a caveat line says so and what the server
  does about it (the typed tool refuses it; ``create_task`` sends it as documented, with a warning).

Code blocks are kept verbatim (the examples are replayed exactly).
"""

from __future__ import annotations

import re

from .assemble import RawModel, models_for

_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]*)\)")
_MODEL_LINK = re.compile(r"^/models/\w+/([\w.-]+)/([\w.-]+)$")
_PLACEHOLDERS = re.compile(r"`<<>>`(?:,\s*`<<>>`)*")


def _link(m: re.Match) -> str:
    text, target = m.group(1), m.group(2)
    if (model := _MODEL_LINK.match(target)) is not None:
        return f"{text} ({model.group(1)}/{model.group(2)})"
    if target.startswith("/api-reference/resources"):
        return f"{text} (get_resources)"
    return text


def clean_line(line: str) -> str:
    """One prose/table line without links, footnote asterisks or empty placeholders."""
    line = _LINK.sub(_link, line)
    line = re.sub(r"\|\s*Yes\*\s*\|", "| Conditional |", line)
    line = re.sub(r"(?<![*\w])\*(?=[A-Z][a-z])", "", line)
    return _PLACEHOLDERS.sub("image placeholders (printed empty in the provider docs)", line)


def _own_lines(model: RawModel) -> list[tuple[int, str]]:
    """(docs line, text) of the page lines whose section applies to the model (fences kept whole)."""
    page, out = model.page, []
    stack: list[tuple[int, str]] = []
    fence = False
    first = page.line + 2
    for k, line in enumerate(page.text.split("\n")):
        number = first + k - 1
        if line.strip().startswith("```"):
            fence = not fence
        elif not fence and k and (m := _HEADING.match(line)) is not None:
            stack = [(lv, t) for lv, t in stack if lv < len(m.group(1))] + [(len(m.group(1)), m.group(2))]
        if k == 0 or model.id in models_for(page, tuple(t for _, t in stack)):
            out.append((number, line if fence or line.strip().startswith("```") else clean_line(line)))
    return out


def caveat(refused: dict) -> str:
    """The line shown after an example that contradicts its own page."""
    return (f"> Caveat: this example contradicts the parameter table ({refused['reason']}). The typed tool refuses "
            f"it; create_task sends it as documented, with a warning.")


def model_page(model: RawModel, refused: list[dict]) -> str:
    """The page text for ``describe_model`` and the model resource."""
    lines = _own_lines(model)
    out: list[str] = []
    pending: list[dict] = []
    fence = False
    for number, line in lines:
        out.append(line)
        pending += [r for r in refused if r["line"] == number]
        if line.strip().startswith("```"):
            fence = not fence
            if not fence and pending:
                out += [caveat(r) for r in pending]
                pending = []
    return "\n".join(out).rstrip() + "\n"
