"""The server of ``fsr-opt serve`` for the tests: the bundled example loaded and solved once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from fsr_opt.web.server import ServeConfig, create_app, prepare
from fsr_opt.web.workspace import Start

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_XLSX = ROOT / "data" / "bergamo-2025" / "units.xlsx"
LOCAL = "http://127.0.0.1:8765"
# Every change the page sends carries this header (server.CHANGE_HEADER).
CHANGE = {"x-fsr-opt": "1"}


@pytest.fixture(scope="session")
def start() -> Start:
    """The bundled example and rule set, loaded and their baseline solved."""
    return prepare(ServeConfig())


@pytest.fixture
def make_client(start: Start) -> Iterator[Callable[..., TestClient]]:
    """Build clients of a new server; each client is one browser (its own cookies)."""
    clients: list[TestClient] = []

    def make(config: ServeConfig | None = None, *, base_url: str = LOCAL,
             app_start: Start | None = None) -> TestClient:
        app = create_app(config or ServeConfig(), app_start or start)
        client = TestClient(app, base_url=base_url)
        client.__enter__()  # runs the lifespan: its end removes the visitors' folders
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """One browser on a new server of the bundled example."""
    return make_client()
