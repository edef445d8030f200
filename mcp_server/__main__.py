"""`python -m mcp_server` is the `unifically-mcp` command."""

from mcp_server.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
