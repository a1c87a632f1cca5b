"""SQLite on files appointd may not write (docs/RELIABILITY.md): the database,
its WAL and its shared memory made read-only (mode 0444) between two runs of
a server that runs as `nobody` (root writes whatever the mode says). The
server still starts and reads; every write answers 503 with the contract's
body, readiness says 503 while the file cannot be written (not only after a
request failed), the log names SQLite's error, nothing is half-written, and
with the files writable again the next start books as before. An open file
cannot be made read-only under a running server from here (a read-only
remount needs no file open for writing), so this is the case a test can make:
files left read-only by a copy, a restore or a wrong owner."""
import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import time

import pytest
import requests

from booking_helpers import API, iso_z
from conftest import Server
from fault_helpers import READY_DOWN, UNAVAILABLE, BookingLoad, ready


def db_files(path):
    return [p for p in (path, path + "-wal", path + "-shm") if os.path.exists(p)]


def counts(path):
    """Rows of bookings, events and audit_log, read as root without writing."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("bookings", "events", "audit_log"))
    finally:
        con.close()


def wait_ready(url, status, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready(url)[0] == status:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def nobodys_dir():
    """A directory of nobody's (pytest's own are root's, mode 0700)."""
    home = tempfile.mkdtemp(prefix="appointd-readonly-")
    os.chmod(home, 0o755)
    os.chown(home, 65534, 65534)  # nobody:nogroup
    try:
        yield home
    finally:
        shutil.rmtree(home)


def test_read_only_files_answer_503_change_nothing_and_serve_again(nobodys_dir):
    path = os.path.join(nobodys_dir, "appointd.db")
    url = "sqlite:" + path

    srv = Server(url, as_user="nobody", APPOINTD_LOG_LEVEL="warn")
    try:
        load = BookingLoad(srv.url, threads=1)
        c = load.customers[0]
        r = c.post(f"{API}/bookings", json={"service_id": load.service["id"], "start": iso_z(load.day0)})
        assert r.status_code == 201, r.text
    finally:
        assert srv.stop() == 0
    before = counts(path)

    for p in db_files(path):
        os.chmod(p, 0o444)
    srv = Server(url, as_user="nobody", APPOINTD_LOG_LEVEL="warn")
    try:
        c.base_url = srv.url
        # Reads work: the token's session is read, the list is read.
        r = c.get(f"{API}/bookings")
        assert r.status_code == 200 and r.json()["total"] == 1, r.text
        # Readiness notices without a request having failed first: the jobs'
        # writes fail at start-up.
        assert wait_ready(srv.url, 503, 10), ready(srv.url)
        assert ready(srv.url) == (503, READY_DOWN)
        for minutes in (30, 60):
            start = iso_z(load.day0 + dt.timedelta(minutes=minutes))
            r = c.post(f"{API}/bookings", json={"service_id": load.service["id"], "start": start})
            assert r.status_code == 503 and r.json() == UNAVAILABLE, r.text
            assert r.headers["Content-Type"].startswith("application/json")
        # Still not ready after those failures (an empty group commit succeeds
        # on a read-only file and must not count as a write that worked).
        assert ready(srv.url) == (503, READY_DOWN)
        assert requests.get(srv.url + "/health", timeout=10).status_code == 200
    finally:
        assert srv.stop() == 0
    log = open(srv.log.name, errors="replace").read()
    assert "attempt to write a readonly database" in log, log[-2000:]
    assert counts(path) == before

    for p in db_files(path):
        os.chmod(p, 0o644)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        con.close()
    srv = Server(url, as_user="nobody", APPOINTD_LOG_LEVEL="warn")
    try:
        c.base_url = srv.url
        assert wait_ready(srv.url, 200, 10), ready(srv.url)
        r = c.post(f"{API}/bookings", json={"service_id": load.service["id"],
                                             "start": iso_z(load.day0 + dt.timedelta(minutes=90))})
        assert r.status_code == 201, r.text
    finally:
        assert srv.stop() == 0
    b, e, a = counts(path)
    assert (b, e) == (before[0] + 1, before[1] + 1) and a > before[2]

