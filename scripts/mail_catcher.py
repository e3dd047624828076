"""A local SMTP catcher for ``make run``: keeps every mail as a .eml file and says so."""

import argparse
import asyncio
import email
import email.policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class SaveToFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        path = self.folder / f"{self.count:04d}.eml"
        path.write_bytes(envelope.content)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        print(f"[mail] {path} — {message['Subject']}", flush=True)
        return "250 OK"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--folder", type=Path, default=Path("var/mail"))
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(SaveToFolder(args.folder), hostname=args.host, port=args.port)
    controller.start()
    print(f"[mail] catching mail on {args.host}:{args.port} into {args.folder}/", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    asyncio.run(main())
