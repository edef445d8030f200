"""Run the simulator standalone: ``python -m mcp_server.simulator --port 0``.

Prints exactly one line, ``SIMULATOR_URL=http://<host>:<port>``, to stdout once listening; logs go to
stderr. SIGINT and SIGTERM shut it down cleanly (exit code 0).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from .config import SimulatorConfig
from .loopback import LoopbackSimulator
from .simulator import Simulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m mcp_server.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default 0)")
    parser.add_argument("--task-seconds", type=float, default=2.0, help="task lifecycle in seconds (default 2)")
    parser.add_argument("--api-key", default=None, help="accept only this bearer token (default: any)")
    parser.add_argument("--balance", type=float, default=100.0, help="starting balance in USD (default 100)")
    parser.add_argument("--log-level", default="INFO", help="stderr log level (default INFO)")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM."""
    config = SimulatorConfig(task_seconds=args.task_seconds, api_key=args.api_key, balance_usd=args.balance)
    async with LoopbackSimulator(Simulator(config), host=args.host, port=args.port) as loopback:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, loopback.stop)
        print(f"SIMULATOR_URL={loopback.url}", flush=True)  # stdout-ok: the standalone simulator's one line
        await loopback.wait()
    logging.getLogger(__name__).info("simulator stopped")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
