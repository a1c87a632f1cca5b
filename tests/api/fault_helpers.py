"""Booking load for the fault tests (test_faults_*.py, postgres/test_pg_restart.py):
threads that book while something breaks, a record of every answer, and the
checks that hold afterwards whatever broke: every acknowledged booking is in
the database with its event and its audit row, and no two confirmed bookings
of the provider overlap."""
import datetime as dt
import itertools
import json
import os
import sqlite3
import subprocess
import threading
import time

import requests

from booking_helpers import API, future_monday, iso_z, make_service, set_week
from conftest import new_user

UNAVAILABLE = {"detail": "Service Unavailable"}
READY_DOWN = {"status": "ok", "database": "unavailable"}
ALL_WEEK = [(d, "00:00", "24:00") for d in
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")]
# A hang guard, not a timing assertion: any answer must come well within it.
CLIENT_TIMEOUT = 20


class BookingLoad:
    """`threads` customers booking 5-minute slots of one provider until stop().
    Every slot is tried by two threads, so the no-overlap rule is exercised
    too (one 201, one 409). answers: (status, body or error text, booking id,
    seconds taken)."""

    def __init__(self, url, threads=4):
        self.url = url
        pc = new_user(url, "provider")
        set_week(pc, "UTC", ALL_WEEK)
        self.provider = pc.user
        self.service = make_service(pc, duration_minutes=5, slot_interval_minutes=5)
        self.customers = [new_user(url, "customer") for _ in range(threads)]
        self.day0 = dt.datetime.combine(future_monday(min_days=14), dt.time(0, 0), tzinfo=dt.timezone.utc)
        self.next_slot = itertools.count()
        self.lock = threading.Lock()
        self.answers = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(c,), daemon=True) for c in self.customers]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def _slot(self):
        with self.lock:
            n = next(self.next_slot) // 2
        return self.day0 + dt.timedelta(minutes=5 * n)

    def _run(self, customer):
        with requests.Session() as s:
            headers = dict(customer.headers)
            while not self.stopping.is_set():
                body = {"service_id": self.service["id"], "start": iso_z(self._slot())}
                t0 = time.monotonic()
                try:
                    r = s.post(self.url + f"{API}/bookings", json=body, headers=headers, timeout=CLIENT_TIMEOUT)
                    try:
                        payload = r.json()
                    except ValueError:
                        payload = r.text
                    bid = payload.get("id") if r.status_code == 201 and isinstance(payload, dict) else None
                    answer = (r.status_code, payload, bid, time.monotonic() - t0)
                except requests.RequestException as e:
                    answer = ("error", repr(e), None, time.monotonic() - t0)
                with self.lock:
                    self.answers.append(answer)
                if answer[0] == "error":
                    time.sleep(0.05)  # the server may be gone for good (SIGTERM): do not spin
                elif answer[0] == 503:
                    time.sleep(0.01)  # as a client would back off; keeps the 2 cores for the server

    def count(self, status):
        with self.lock:
            return sum(1 for a in self.answers if a[0] == status)

    def wait_for(self, status, n, seconds):
        """Waits (bounded) until n answers of status have come since now."""
        base = self.count(status)
        deadline = time.monotonic() + seconds
        while self.count(status) < base + n:
            assert time.monotonic() < deadline, f"fewer than {n} answers {status} within {seconds} s: {self.summary()}"
            time.sleep(0.02)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(CLIENT_TIMEOUT + 10)
        assert not any(t.is_alive() for t in self.threads), "a booking request hung"
        return self

    def summary(self):
        with self.lock:
            out = {}
            for a in self.answers:
                out[str(a[0])] = out.get(str(a[0]), 0) + 1
            return out

    def latency(self):
        """p50, p99 and max seconds of every answer, for the report."""
        with self.lock:
            took = sorted(a[3] for a in self.answers)
        if not took:
            return {}
        return {"p50_ms": round(took[len(took) // 2] * 1000, 1),
                "p99_ms": round(took[min(len(took) - 1, int(len(took) * 0.99))] * 1000, 1),
                "max_ms": round(took[-1] * 1000, 1)}

    def acknowledged(self):
        with self.lock:
            return sorted(a[2] for a in self.answers if a[0] == 201)

    def assert_only(self, allowed):
        """Every answer is one of allowed, and every 503 has the contract's body."""
        with self.lock:
            answers = list(self.answers)
        odd = [a for a in answers if a[0] not in allowed]
        assert not odd, f"unexpected answers: {odd[:5]} ({self.summary()})"
        bad_503 = [a for a in answers if a[0] == 503 and a[1] != UNAVAILABLE]
        assert not bad_503, bad_503[:5]
        bad_409 = [a for a in answers if a[0] == 409 and
                   not (isinstance(a[1], dict) and a[1].get("code") == "slot_unavailable")]
        assert not bad_409, bad_409[:5]


def sqlite_path(url):
    return url[len("sqlite:"):]


# What must hold of the bookings table whatever broke, in SQL both engines
# run. The event's data is the Booking as JSON; its id is found by text so
# that one query serves both engines.
CHECKS = {
    "without their booking.created event":
        "SELECT b.id FROM bookings b WHERE b.provider_id = {pid} AND NOT EXISTS (SELECT 1 FROM events e "
        "WHERE e.type = 'booking.created' AND e.provider_id = b.provider_id "
        "AND e.data LIKE '{{\"id\":' || b.id || ',%')",
    "without their booking.created audit row":
        "SELECT b.id FROM bookings b WHERE b.provider_id = {pid} AND NOT EXISTS (SELECT 1 FROM audit_log a "
        "WHERE a.action = 'booking.created' AND a.target_type = 'booking' AND a.target_id = b.id)",
    "overlapping another confirmed booking":
        "SELECT a.id FROM bookings a JOIN bookings b ON a.provider_id = b.provider_id AND a.id < b.id "
        "WHERE a.provider_id = {pid} AND a.status = 'confirmed' AND b.status = 'confirmed' "
        "AND a.occupied_start < b.occupied_end AND b.occupied_start < a.occupied_end",
}


def rows(database_url, sql):
    if database_url.startswith("sqlite:"):
        con = sqlite3.connect(sqlite_path(database_url), timeout=30)
        try:
            return [tuple(str(c) for c in r) for r in con.execute(sql).fetchall()]
        finally:
            con.close()
    out = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", database_url,
                          "-c", sql], capture_output=True, text=True, timeout=60, check=True).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def assert_nothing_lost(database_url, load):
    """Every 201 of load is a confirmed booking in the database, every booking
    of its provider has its event and audit row, none overlap."""
    pid = int(load.provider["id"])
    stored = {int(r[0]) for r in rows(database_url, f"SELECT id FROM bookings WHERE provider_id = {pid} "
                                                    "AND status = 'confirmed'")}
    acked = load.acknowledged()
    assert acked, f"no booking was acknowledged: {load.summary()}"
    missing = [b for b in acked if b not in stored]
    assert not missing, f"{len(missing)} acknowledged bookings are not in the database: {missing[:10]}"
    for what, sql in CHECKS.items():
        bad = rows(database_url, sql.format(pid=pid))
        assert not bad, f"bookings {what}: {bad[:10]}"
    return len(stored)


def ready(url):
    """(status, body) of /health/ready."""
    r = requests.get(url + "/health/ready", timeout=CLIENT_TIMEOUT)
    return r.status_code, r.json()


def wait_ready(url, want, seconds):
    """Polls /health/ready until it answers want; returns the seconds it took.
    Bounded: fails after seconds (a hang guard, not a timing check)."""
    t0 = time.monotonic()
    while True:
        status, body = ready(url)
        if status == want:
            return time.monotonic() - t0
        assert time.monotonic() - t0 < seconds, f"/health/ready still {status} {body} after {seconds} s"
        time.sleep(0.1)


def record(what, **figures):
    """Figures for docs/RELIABILITY.md: printed, and appended as one JSON line
    to $APPOINTD_SOAK_REPORT when tools/soak.sh set it. Never asserted."""
    line = json.dumps({"what": what, **figures}, sort_keys=True)
    print(f"\n[figures] {line}")
    path = os.environ.get("APPOINTD_SOAK_REPORT")
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")
