"""The extraction worker: a second interpreter that imports the product extractor and nothing else.

`python -m monitor.crawl.extract_worker` reads batches of pages from stdin and writes their records
to stdout, each message a 4-byte big-endian length and a pickle. It imports only the standard library
and `spiders.extract.product` (lxml, price tables): about a fifth of the crawler's memory, where a
`multiprocessing` worker would bring a resource tracker process and the parent's main module.
"""

from __future__ import annotations

import pickle
import struct
import sys
from typing import IO

Item = tuple[bytes, str, "dict[str, str] | None", "str | None"]
HEADER = struct.Struct(">I")


def extract_many(items: list[Item]) -> list[tuple[object, str | None]]:
    """A batch of pages in one message: the round trip is paid once per batch, not per page."""
    from spiders.extract.product import extract_product

    out: list[tuple[object, str | None]] = []
    for body, url, selectors, content_type in items:
        try:
            out.append((extract_product(body, url, selectors=selectors, content_type=content_type), None))
        except Exception as exc:  # noqa: BLE001  (reported per page; one bad page must not fail the batch)
            out.append((None, f"{type(exc).__name__}: {exc}"))
    return out


def read_message(stream: IO[bytes]) -> object | None:
    """The next message, or None at the end of the stream."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


def write_message(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def serve(inbox: IO[bytes], outbox: IO[bytes]) -> None:
    import spiders.extract.product  # noqa: F401  (loaded before the first batch arrives)

    while (items := read_message(inbox)) is not None:
        write_message(outbox, extract_many(items))  # type: ignore[arg-type]


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
