"""A server that can stop answering: a TCP relay on 127.0.0.1 in front of the real one.

Pointing a workstation at the relay and stopping it makes the server unreachable at the same
address (host, port and database unchanged, so the keychain entry of a remembered password
still matches), which a closed port of its own would not give.
"""

from __future__ import annotations

import contextlib
import socket
import threading

ACCEPT_POLL = 0.05


class TcpProxy:
    """Relays connections to (host, port) from 127.0.0.1:`port`; `stop` refuses them again."""

    def __init__(self, host: str, port: int, listen_port: int = 0) -> None:
        self.target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", listen_port))
        self._listener.settimeout(ACCEPT_POLL)
        self.port: int = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.accepted = 0  # the connections relayed so far
        self._thread = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
                self.accepted += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """Close the port and cut every relayed connection: the server 'went away'."""
        self._stopping.set()
        self._thread.join()
        self._listener.close()
        with self._lock:
            ends, self._open = self._open, set()
        for end in ends:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
