"""The floor the benchmarks compare against: a minimal one-tool server on the SDK's high-level `MCPServer`, in
the same venv. What any Python MCP server on this SDK costs before it does any work of its own.

    python bench/floor.py               # stdio
    python bench/floor.py --port 8001   # Streamable HTTP at http://127.0.0.1:8001/mcp
"""

from __future__ import annotations

import argparse

from mcp.server.mcpserver import MCPServer

server = MCPServer("floor")


@server.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, help="serve Streamable HTTP on this loopback port instead of stdio")
    port = parser.parse_args().port
    if port:
        server.run("streamable-http", host="127.0.0.1", port=port)
    else:
        server.run()
