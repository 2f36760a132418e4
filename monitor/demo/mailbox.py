"""A real SMTP server on 127.0.0.1 that keeps every mail it receives as an .eml file in a folder.

The demo's alert channel and the tests' email receiver: Apprise sends to it over real SMTP
(`apprise_url()`), and a person can open the folder with any mail program.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import itertools
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

from aiosmtpd.smtp import SMTP

from monitor.demo.running import Running


class _SaveToFolder:
    def __init__(self, folder: Path, reply_delay: float = 0.0) -> None:
        self.folder = folder
        self.reply_delay = reply_delay
        self.receiving: tuple[str, int] | None = None  # the sender's address while its reply waits
        self._counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001 - aiosmtpd's hook signature
        content = (
            envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode("utf-8")
        )
        name = f"{time.time_ns()}-{next(self._counter):05d}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(content)
        partial.rename(self.folder / name)  # a reader never sees half a mail
        if self.reply_delay:  # the mail is here, the sender does not know yet: a window to kill it in
            self.receiving = session.peer
            await asyncio.sleep(self.reply_delay)
            self.receiving = None
        return "250 Message accepted for delivery"


class LocalMailbox(Running):
    """aiosmtpd on its own event-loop thread; `start()` returns the port (an ephemeral one by default)."""

    def __init__(self, folder: Path, port: int = 0, reply_delay: float = 0.0) -> None:
        """`reply_delay`: seconds between keeping a mail and telling the sender it was accepted."""
        self.folder = Path(folder)
        self.port = port
        self.handler = _SaveToFolder(self.folder, reply_delay)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None

    def start(self) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        handler = self.handler
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="rivalwatch-mailbox", daemon=True)
        self._thread.start()

        async def serve() -> asyncio.base_events.Server:
            return await loop.create_server(
                lambda: SMTP(handler, hostname="rivalwatch-mailbox", enable_SMTPUTF8=True),
                host="127.0.0.1",
                port=self.port,
            )

        self._server = asyncio.run_coroutine_threadsafe(serve(), loop).result(timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    def stop(self) -> None:
        loop, server = self._loop, self._server
        if loop is None:
            return
        if server is not None:

            async def close() -> None:
                server.close()
                await server.wait_closed()

            asyncio.run_coroutine_threadsafe(close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        loop.close()
        self._loop = self._server = self._thread = None


    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.eml"))

    def messages(self) -> list[EmailMessage]:
        """Every mail received so far, oldest first."""
        out = []
        for path in self.files():
            with path.open("rb") as fh:
                out.append(email.message_from_binary_file(fh, policy=email.policy.default))
        return out

    def apprise_url(self, to: str = "ops@example.com", sender: str = "rivalwatch@example.com") -> str:
        """The Apprise URL that delivers to this mailbox (plain SMTP, no TLS, no login)."""
        if not self.port:
            raise RuntimeError("start() the mailbox first: its port is chosen when it starts")
        return f"mailto://127.0.0.1:{self.port}?from={quote(sender)}&to={quote(to)}&mode=insecure"
