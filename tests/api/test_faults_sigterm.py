"""SIGTERM under booking load, on the suite's engine (docs/RELIABILITY.md):
the process exits 0 within a bounded wait, what was answered is kept, and
nothing is answered 500. (test_lifecycle.py covers one request in flight,
keep-alive load on reads and the drain's bound.)"""
import signal
import subprocess
import time
import uuid

from conftest import Server
from fault_helpers import BookingLoad, assert_nothing_lost, record


def own_database(database_url, tmp_path):
    """A database of its own: a new SQLite file, or a new PostgreSQL database
    beside the suite's (dropped by the caller)."""
    if database_url.startswith("sqlite:"):
        return "sqlite:" + str(tmp_path / "term.db"), None
    name = "term_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", "-X", "-q", "-d", database_url, "-c", f"CREATE DATABASE {name}"],
                   check=True, capture_output=True, timeout=60)
    return database_url.rsplit("/", 1)[0] + "/" + name, name


def test_sigterm_under_booking_load_exits_zero_and_keeps_every_booking(database_url, tmp_path):
    url, pg_name = own_database(database_url, tmp_path)
    srv = Server(url)
    load = None
    try:
        load = BookingLoad(srv.url, threads=6).start()
        load.wait_for(201, 30, 30)
        t0 = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        code = srv.proc.wait(timeout=10)  # the hang guard of the brief
        took = time.monotonic() - t0
        load.stop()
        log = open(srv.log.name, errors="replace").read()
        assert code == 0, f"exit code {code}; log: {log[-2000:]}"
        # After the exit only connection errors are possible; before it, the
        # answers of a booking.
        load.assert_only({201, 409, 503, "error"})
        kept = assert_nothing_lost(url, load)
        record("sigterm under booking load", engine=url.split(":")[0], exit_s=round(took, 3),
               confirmed=kept, answers=load.summary())
    finally:
        if load:
            load.stopping.set()
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()
        if pg_name:
            subprocess.run(["psql", "-X", "-q", "-d", database_url, "-c",
                            f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"], capture_output=True, timeout=60)
