"""Transports of our own: `stdio` (every line answered, lines capped; built from `wire`, reading and decoding a
line, and `exchange`, protocol version and batches) and Streamable HTTP for hosted mode (`http`, `auth`)."""
