"""``python -m bot.emulator``: the Bot API emulator as a server of its own (for bench/)."""

from __future__ import annotations

import argparse
import asyncio
import signal

from bot.emulator.server import Emulator


async def serve(port: int, token: str) -> None:
    emulator = Emulator(token, port=port, control=True)
    await emulator.start()
    print(f"emulator listening on {emulator.base_url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.emulator",
                                     description="Run the Telegram Bot API emulator.")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456789:EMULATOR-token-for-local-use-only_000")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.token))


if __name__ == "__main__":
    main()
