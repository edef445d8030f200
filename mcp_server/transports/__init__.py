"""Transports of our own: `stdio` (every line answered, lines capped), built from `wire` (reading and decoding
a line) and `exchange` (protocol version and batches)."""
