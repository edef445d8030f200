"""Transports: stdio (the default) and Streamable HTTP (hosted mode)."""
