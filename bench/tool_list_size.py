"""What the tool list costs an agent's context, measured the way a client sends it to the model.

Model-visible: each tool's `name`, `description` and `inputSchema` as compact JSON, summed over all tools (what a
client puts into the model's context). Full: the whole `tools/list` result (output schemas, annotations and
`_meta` included). Tokens are estimated as characters / 4.

    python bench/tool_list_size.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def measure(tools: list[Any]) -> dict[str, int]:
    """Sizes of a `tools/list` result's tools (mcp_types.Tool objects)."""
    visible = sum(len(compact({"name": t.name, "description": t.description, "inputSchema": t.input_schema}))
                  for t in tools)
    full = len(compact({"tools": [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]}))
    output_schemas = sum(len(compact(t.output_schema)) for t in tools if t.output_schema)
    return {"tools": len(tools), "visible_chars": visible, "visible_tokens": visible // 4, "full_chars": full,
            "output_schema_chars": output_schemas}


async def listed_tools() -> list[Any]:
    from mcp.client import Client

    from mcp_server.server import build_server
    from mcp_server.settings import Settings

    with tempfile.TemporaryDirectory() as data:  # the server's journal, never the user's own
        async with Client(build_server(Settings(data_dir=Path(data)))) as client:
            return (await client.list_tools()).tools


def main() -> None:
    sizes = measure(anyio.run(listed_tools))
    print(f"{sizes['tools']} tools; model-visible definitions: {sizes['visible_chars']:,} chars "
          f"(~{sizes['visible_tokens']:,} tokens); full tools/list: {sizes['full_chars']:,} chars "
          f"({sizes['output_schema_chars']:,} of them output schemas)")


if __name__ == "__main__":
    main()
