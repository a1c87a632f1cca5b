"""appointd backup FILE: a SQLite backup taken while bookings are being made is
one consistent snapshot that a server can run on (docs/OPERATIONS.md,
"Backups and restores"). Runs on a SQLite server of its own in every pass."""
import datetime as dt
import glob
import os
import sqlite3
import threading

import requests

from booking_helpers import API, all_pages, book, fresh_database, future_monday, get_slots, \
    local, make_service, set_week
from conftest import Server, login, new_user

WEEK = [(d, "09:00", "10:00") for d in
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")]
THREADS = 4


class Booker(threading.Thread):
    """Books its own provider's 09:00 and 09:30 of one day after another
    (09:15 and 09:45 stay free, so slots have something to show) until told
    to stop. acked: (booking, request sent after the backup ended) in order."""

    def __init__(self, customer, service, first_day, backup_done):
        super().__init__(daemon=True)
        self.customer, self.service, self.day = customer, service, first_day
        self.backup_done, self.stop, self.acked, self.errors = backup_done, threading.Event(), [], []

    def run(self):
        for n in range(10_000):
            if self.stop.is_set():
                return
            start = local(self.day + dt.timedelta(days=n // 2), "09:30" if n % 2 else "09:00")
            sent_after = self.backup_done.is_set()
            r = book(self.customer, self.service["id"], start)
            if r.status_code != 201:
                self.errors.append((r.status_code, r.text))
                return
            self.acked.append((r.json(), sent_after))

    def count_after(self):
        return sum(1 for _, after in self.acked if after)


def wait_until(cond, what):
    deadline = dt.datetime.now() + dt.timedelta(seconds=60)
    while not cond():
        assert dt.datetime.now() < deadline, "gave up waiting for " + what
        threading.Event().wait(0.02)


def start_load(srv):
    first = future_monday()
    done = threading.Event()
    bookers = []
    for _ in range(THREADS):
        provider = new_user(srv.url, "provider")
        set_week(provider, "UTC", WEEK)
        service = make_service(provider, duration_minutes=15, slot_interval_minutes=15,
                               max_advance_days=730)
        bookers.append(Booker(new_user(srv.url, "customer"), service, first, done))
    for b in bookers:
        b.start()
    return first, done, bookers


def test_backup_under_load_is_a_snapshot_a_server_runs_on(tmp_path):
    srv = Server(fresh_database("sqlite:x", tmp_path))
    target = str(tmp_path / "backup.db")
    try:
        first, done, bookers = start_load(srv)
        # Each booker is past its first day: those slots no longer change.
        wait_until(lambda: all(len(b.acked) >= 3 for b in bookers), "bookings before the backup")
        before_ids = {bk["id"] for b in bookers for bk, _ in list(b.acked)}
        day1 = [get_slots(b.customer, b.service["id"], first) for b in bookers]
        res = srv.run("backup", target)
        done.set()
        assert res.returncode == 0, res.stderr
        assert "backup written to" in res.stdout
        wait_until(lambda: all(b.count_after() >= 3 or b.errors for b in bookers),
                   "bookings after the backup")
        for b in bookers:
            b.stop.set()
            b.join(timeout=30)
            assert not b.errors, b.errors
        source_lists = [all_pages(b.customer, f"{API}/bookings") for b in bookers]
    finally:
        assert srv.stop() == 0
    assert glob.glob(target + ".partial-*") == [], "the temporary file was left behind"
    check_backup_file(target, bookers, before_ids)
    check_backup_serves(target, bookers, day1, first, source_lists)


def check_backup_file(target, bookers, before_ids):
    con = sqlite3.connect(target)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        held = {row[0] for row in con.execute("SELECT id FROM bookings")}
    finally:
        con.close()
    assert before_ids <= held, "a booking acknowledged before the backup began is missing"
    for b in bookers:
        ids = [bk["id"] for bk, _ in b.acked]
        in_backup = [i in held for i in ids]
        # A snapshot: a prefix of each booker's bookings (each was committed
        # before the next was sent), and nothing sent after the backup ended.
        assert in_backup == sorted(in_backup, reverse=True), in_backup
        assert not any(i in held for (bk, after), i in zip(b.acked, ids) if after)
    acked = {bk["id"] for b in bookers for bk, _ in b.acked}
    assert held <= acked, "the backup holds a booking that was never acknowledged"
    assert held < acked, "bookings after the backup should not be in it"


def check_backup_serves(target, bookers, day1, first, source_lists):
    restored = Server("sqlite:" + target)
    try:
        assert requests.get(restored.url + "/health/ready", timeout=10).status_code == 200
        con = sqlite3.connect(target)
        held = {row[0] for row in con.execute("SELECT id FROM bookings")}
        con.close()
        for b, slots, source in zip(bookers, day1, source_lists):
            tokens = login(restored.url, b.customer.user["email"], b.customer.password)
            b.customer.base_url, b.customer.token = restored.url, tokens["access_token"]
            assert all_pages(b.customer, f"{API}/bookings") == [bk for bk in source if bk["id"] in held]
            assert get_slots(b.customer, b.service["id"], first) == slots
            assert len(slots) == 2
    finally:
        assert restored.stop() == 0


def test_backup_refuses_an_existing_file(tmp_path):
    srv = Server(fresh_database("sqlite:x", tmp_path))
    try:
        existing = tmp_path / "taken.db"
        existing.write_bytes(b"keep me")
        res = srv.run("backup", str(existing))
        assert res.returncode == 1
        assert "exists already" in res.stderr
        assert existing.read_bytes() == b"keep me"
        assert srv.run("backup").returncode == 2
    finally:
        assert srv.stop() == 0


def test_backup_on_postgresql_names_pg_dump_without_the_password(server, tmp_path):
    url = "postgresql://appointd:s3cret-pw@db.example:5433/bookings"
    res = server.run("backup", str(tmp_path / "x.dump"), extra_env={"DATABASE_URL": url})
    assert res.returncode == 1
    assert "pg_dump --format=custom --host 'db.example' --port '5433' --username 'appointd' " \
           "--dbname 'bookings'" in res.stderr, res.stderr
    assert "s3cret" not in res.stderr + res.stdout
    assert not os.path.exists(tmp_path / "x.dump")
