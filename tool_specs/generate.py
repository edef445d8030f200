"""Command line: ``python -m tool_specs.generate PATH/llms-full.txt [--check] [--readme-block FILE] [--out DIR]``.

Writes ``tool_specs/<tool>.json`` (one per tool) and ``tool_specs/README.md``, removing JSON files of tools
that no longer exist. ``--check`` writes nothing and exits 1 with a unified diff when a file is stale,
missing or extra. ``--readme-block FILE`` rewrites (or with ``--check`` verifies) the text between
``<!-- tools:start -->`` and ``<!-- tools:end -->`` in FILE, and only if both markers exist. The
model-visible size is printed to stderr; exceeding the budget is an error.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from .build import BuildError, build
from .render import BUDGET, all_files, replace_block, tools_table, visible_size

PACKAGE_DIR = Path(__file__).resolve().parent


def _diff(path: Path, old: str | None, new: str | None) -> str:
    a = [] if old is None else old.splitlines(keepends=True)
    b = [] if new is None else new.splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, f"{path} (committed)", f"{path} (generated)"))


def sync_dir(out: Path, files: dict[str, str], check: bool) -> list[str]:
    """Write (or compare) ``files`` into ``out``; stale ``*.json`` files are removed (or reported)."""
    diffs = []
    extra = sorted(p.name for p in out.glob("*.json") if p.name not in files) if out.exists() else []
    for name, content in sorted(files.items()):
        path = out / name
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != content:
            diffs.append(_diff(path, old, content) or f"{path}: differs\n")
            if not check:
                out.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
    for name in extra:
        path = out / name
        diffs.append(_diff(path, path.read_text(encoding="utf-8"), None) or f"{path}: extra file\n")
        if not check:
            path.unlink()
    return diffs


def sync_readme_block(path: Path, table: str, check: bool) -> list[str]:
    """Replace (or compare) the tools block of another README; untouched when the markers are missing."""
    old = path.read_text(encoding="utf-8")
    new = replace_block(old, table)
    if new is None:
        print(f"{path}: no <!-- tools:start --> / <!-- tools:end --> markers; left unchanged", file=sys.stderr)
        return []
    if new == old:
        return []
    if not check:
        path.write_text(new, encoding="utf-8")
    return [_diff(path, old, new)]


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m tool_specs.generate", description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="path to llms-full.txt")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 with a diff if stale")
    parser.add_argument("--readme-block", type=Path, metavar="FILE", help="README whose tools block to update")
    parser.add_argument("--out", type=Path, default=PACKAGE_DIR, help="output directory (default: the package)")
    args = parser.parse_args(argv)
    try:
        result = build(args.source.read_text(encoding="utf-8"))
    except BuildError as exc:
        print(f"error: the docs need a curation decision:\n{exc}", file=sys.stderr)
        return 2
    size = visible_size(result.tools)
    print(f"model-visible size: {size} characters for {len(result.tools)} tools (budget {BUDGET})", file=sys.stderr)
    if size > BUDGET:
        print(f"error: model-visible size {size} exceeds the budget {BUDGET}", file=sys.stderr)
        return 3
    diffs = sync_dir(args.out, all_files(result), args.check)
    if args.readme_block:
        diffs += sync_readme_block(args.readme_block, tools_table(result), args.check)
    if args.check and diffs:
        sys.stdout.write("".join(diffs))
        print(f"{len(diffs)} generated file(s) are stale; run: python -m tool_specs.generate {args.source}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
