"""A loopback listener that counts every connection made to it: the proxy the tests give Chromium.

Chromium sends every request (loopback included, with --proxy-bypass-list=<-loopback>) to the proxy
named on its command line, so a test that points it here sees each attempt to reach out.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def counting_proxy() -> Iterator[tuple[str, list[bytes]]]:
    """``(proxy URL, attempts)``: each attempt is the first bytes the client sent (b'' if none)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    attempts: list[bytes] = []
    stop = threading.Event()

    def count() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(1)
            try:
                attempts.append(conn.recv(200))
            except OSError:
                attempts.append(b"")
            conn.close()

    thread = threading.Thread(target=count, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", attempts
    finally:
        stop.set()
        thread.join()
        listener.close()
