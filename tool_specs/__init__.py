"""Typed MCP tool specs generated from the Unifically provider docs (``llms-full.txt``).

The ``*.json`` files in this package are data: one file per MCP tool, written by
``python -m tool_specs.generate PATH/llms-full.txt`` and read at run time by ``mcp_server.specs``.
The generator modules (``parse``, ``params``, ``assemble``, ``derive``, ``summary``, ``families``,
``curation``, ``curate``, ``wording``, ``union``, ``build``, ``render``, ``generate``) are only needed to
regenerate them; importing this package does not import them.
"""

GENERATED_BY = "python -m tool_specs.generate"
