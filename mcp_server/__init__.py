"""unifically-mcp: an MCP server for the Unifically API (video, image and audio generation models)."""

__version__ = "0.1.0"
