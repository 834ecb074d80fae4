"""The web application as ``congvu serve`` runs it: the FastAPI app with the document exchange endpoint and the
public notices mounted, served by uvicorn on a socket bound beforehand."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING

import uvicorn
from fastapi import FastAPI

from congvu.access.service import Access
from congvu.delivery.queue import OutboundQueue
from congvu.installation import Installation
from congvu.web.app import create_app

if TYPE_CHECKING:
    from congvu.documents.service import DocumentService

GRACEFUL_SHUTDOWN_S = 10


class QuietUvicorn(uvicorn.Server):
    """Uvicorn without its own signal handling: the application owns SIGTERM/SIGINT for every listener."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def build_web(inst: Installation, access: Access, docs: DocumentService | None = None,
              outbound: OutboundQueue | None = None) -> FastAPI:
    """The web application with the document exchange endpoint and the public notices mounted."""
    from congvu.documents.http_exchange import exchange_router
    from congvu.documents.publishing import public_router
    from congvu.documents.service import documents_for

    docs = docs or documents_for(inst)
    app = create_app(inst, access=access, outbound=outbound, documents=docs)
    app.include_router(exchange_router(docs), prefix="/api/v1/edoc")
    app.include_router(public_router(docs))
    return app


def web_server(app: FastAPI, sock: socket.socket) -> tuple[QuietUvicorn, list[socket.socket]]:
    """A uvicorn server for ``app``; run it with ``server.serve(sockets=…)`` on the returned sockets."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S)
    return QuietUvicorn(config), [sock]
