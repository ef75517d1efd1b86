"""A minimal Socket.IO-over-WebSocket client on gevent + wsproto, light enough to
hold thousands of connections in one process (benchmarks only)."""
from __future__ import annotations

import json
import socket
import time
from typing import Any

import gevent
from gevent import socket as gsocket
from gevent.event import AsyncResult
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Message,
    Ping,
    Request,
    TextMessage,
)


class SioClient:
    def __init__(self, host: str, port: int, namespace: str, cookie: str = "", query: str = "") -> None:
        self.ns = namespace
        self.sock = gsocket.create_connection((host, port), timeout=300)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.ws = WSConnection(ConnectionType.CLIENT)
        headers = [(b"cookie", cookie.encode())] if cookie else []
        self.sock.sendall(self.ws.send(Request(host=f"{host}:{port}",
                                               target="/socket.io/?EIO=4&transport=websocket" + query,
                                               extra_headers=headers)))
        self.acks: dict[int, AsyncResult] = {}
        self.events: dict[str, AsyncResult] = {}
        self.connected = AsyncResult()
        self._next = 0
        self._buf = ""
        self.reader = gevent.spawn(self._read)

    def _send(self, text: str) -> None:
        self.sock.sendall(self.ws.send(Message(data=text)))

    def _read(self) -> None:
        while True:
            data = self.sock.recv(65536)
            if not data:
                return
            self.ws.receive_data(data)
            for ev in self.ws.events():
                if isinstance(ev, AcceptConnection):
                    continue
                if isinstance(ev, Ping):
                    self.sock.sendall(self.ws.send(ev.response()))
                elif isinstance(ev, CloseConnection):
                    return
                elif isinstance(ev, TextMessage):
                    self._buf += ev.data
                    if ev.message_finished:
                        self._packet(self._buf)
                        self._buf = ""

    def _packet(self, p: str) -> None:
        if p.startswith("0"):
            self._send(f"40{self.ns},")
        elif p == "2":
            self._send("3")
        elif p.startswith(f"40{self.ns},"):
            self.connected.set(True)
        elif p.startswith(f"44{self.ns},"):
            self.connected.set(False)
        elif p.startswith(f"43{self.ns},"):
            body = p[len(f"43{self.ns},"):]
            i = 0
            while body[i].isdigit():
                i += 1
            result = self.acks.pop(int(body[:i]), None)
            if result is not None:
                result.set(json.loads(body[i:])[0])
        elif p.startswith(f"42{self.ns},"):
            name, payload = json.loads(p[len(f"42{self.ns},"):])
            waiter = self.events.get(name)
            if waiter is not None and not waiter.ready():
                waiter.set((payload, time.perf_counter()))

    def call(self, event: str, data: Any, timeout: float = 60) -> Any:
        self._next += 1
        result = AsyncResult()
        self.acks[self._next] = result
        self._send(f"42{self.ns},{self._next}" + json.dumps([event, data]))
        return result.get(timeout=timeout)

    def expect(self, event: str) -> AsyncResult:
        self.events[event] = AsyncResult()
        return self.events[event]

    def close(self) -> None:
        try:
            self.sock.close()
        finally:
            self.reader.kill(block=False)
