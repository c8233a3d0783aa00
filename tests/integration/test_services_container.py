"""The services container builds each service once, even when several threads touch it first."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from ca_editor.app import open_services
from ca_editor.services import exporting


def test_threads_touching_a_service_first_share_one(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    services = open_services(str(db_path), seed_demo=False)
    built = []
    real = exporting.ExportService

    def slow_build(*args: object, **kwargs: object) -> object:
        time.sleep(0.05)  # long enough for every thread to arrive while the first is still building
        service = real(*args, **kwargs)  # type: ignore[arg-type]
        built.append(service)
        return service

    monkeypatch.setattr(exporting, "ExportService", slow_build)
    seen: list[object] = []
    start = threading.Barrier(4)

    def touch() -> None:
        start.wait()
        seen.append(services.exports)

    threads = [threading.Thread(target=touch) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        services.db.dispose()
    assert len(built) == 1
    assert len(seen) == 4 and all(service is built[0] for service in seen)
