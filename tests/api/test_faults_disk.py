"""SQLite on a full disk (docs/RELIABILITY.md): the database lives on a 8 MiB
tmpfs of its own; while bookings come in, a filler file takes the rest of it.
Bookings then answer 503 with the contract's body, /health/ready 503, the log
names SQLite's error, nothing half-written is left behind, and once the
filler is gone the server serves again by itself. The tests run as root
(tools/test.sh), which mounting needs."""
import os
import sqlite3
import subprocess

import pytest
import requests

from booking_helpers import iso_z
from conftest import Server
from fault_helpers import (READY_DOWN, UNAVAILABLE, BookingLoad, assert_nothing_lost, ready, record,
                           sqlite_path, wait_ready)

@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=True)


def fill(path):
    """Writes path until the file system has no room left; returns its size.
    Unbuffered: a buffered file would raise ENOSPC again on close."""
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while True:
            size += os.write(fd, b"\0" * 4096)
    except OSError as e:
        assert e.errno == 28, e  # ENOSPC, nothing else
    finally:
        os.close(fd)
    return size


def test_full_disk_answers_503_keeps_every_booking_and_recovers(small_disk):
    url = "sqlite:" + str(small_disk / "appointd.db")
    srv = Server(url, APPOINTD_LOG_LEVEL="warn")
    load = None
    try:
        load = BookingLoad(srv.url).start()
        load.wait_for(201, 20, 30)
        assert ready(srv.url) == (200, {"status": "ok", "database": "ok"})

        filler = small_disk / "filler"
        fill(filler)
        load.wait_for(503, 20, 30)
        # Reads still work: the database is there, only writes fail.
        assert requests.get(srv.url + "/health", timeout=10).status_code == 200
        r = load.customers[0].get("/api/v1/bookings")
        assert r.status_code == 200, r.text
        assert ready(srv.url) == (503, READY_DOWN)

        filler.unlink()
        recovered = wait_ready(srv.url, 200, 20)
        load.wait_for(201, 20, 30)
        load.stop()
        record("sqlite full disk", recovery_s=round(recovered, 3), answers=load.summary())
        load.assert_only({201, 409, 503})
    finally:
        if load:
            load.stopping.set()
        code = srv.stop()
    assert code == 0
    log = open(srv.log.name, errors="replace").read()
    assert "database or disk is full" in log, log[-2000:]
    # The misleading follow-ups of a failed write are gone.
    assert "cannot rollback" not in log and "no such savepoint" not in log, log[-2000:]

    con = sqlite3.connect(sqlite_path(url))
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        con.close()
    assert_nothing_lost(url, load)


def test_a_503_of_a_full_disk_has_the_contracts_body(small_disk):
    """One booking on a full disk, alone: the answer is exactly the contract's."""
    url = "sqlite:" + str(small_disk / "appointd.db")
    srv = Server(url)
    try:
        load = BookingLoad(srv.url, threads=1)
        fill(small_disk / "filler")
        c = load.customers[0]
        r = c.post("/api/v1/bookings", json={"service_id": load.service["id"], "start": iso_z(load.day0)})
        assert r.status_code == 503 and r.json() == UNAVAILABLE, r.text
        assert r.headers["Content-Type"].startswith("application/json")
    finally:
        assert srv.stop() == 0
