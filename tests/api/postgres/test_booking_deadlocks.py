"""PostgreSQL only: crowds of overlapping bookings take turns instead of
deadlocking under the exclusion constraint. Each deadlock costs a request the
server's deadlock_timeout (a second), and chains of them ran past the
statement timeout (a 503) in CI; the database's own deadlock counter shows
whether any happened."""
import subprocess
import threading
import time

from booking_helpers import (book, book_ok, fresh_database, future_monday, lz, make_service, open_provider,
                             parse_z, sql_rows)
from conftest import Server, new_user
from test_booking_races import race


def backends(url):
    return int(sql_rows(url, "SELECT count(*) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()")[0][0])


def deadlocks_after_stop(srv, url):
    """The database's deadlock count once srv's connections have ended (a
    backend reports its counters when it exits)."""
    assert srv.stop() == 0
    deadline = time.monotonic() + 30
    while backends(url) > 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert backends(url) == 0
    return int(sql_rows(url, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")[0][0])


def test_overlapping_crowds_never_deadlock(server, tmp_path):
    url = fresh_database(server.database_url, tmp_path)
    srv = Server(url)
    try:
        make_user = lambda role: new_user(srv.url, role)  # noqa: E731
        p, s = open_provider(make_user, windows=(("monday", "08:00", "20:00"),), duration_minutes=60,
                             slot_interval_minutes=15, buffer_before_minutes=15, buffer_after_minutes=15)
        s2 = make_service(p, name="Short", duration_minutes=30, slot_interval_minutes=15)
        customers = [make_user("customer") for _ in range(30)]
        day = future_monday()
        statuses = []
        # Three rounds, each 30 requests whose occupied ranges all overlap
        # one another across hour boundaries (09:45-11:15 and so on).
        for hour in (9, 12, 15):
            calls = []
            for i, c in enumerate(customers):
                minutes = hour * 60 + 15 * (i % 7)
                start = lz(day, f"{minutes // 60:02d}:{minutes % 60:02d}")
                calls.append((srv.url, c.token, {"service_id": (s if i % 3 else s2)["id"], "start": start}))
            statuses += [r[0] for r in race(calls)]
        assert all(st in (201, 409) for st in statuses), statuses
        assert statuses.count(201) >= 3, statuses
    finally:
        deadlocks = deadlocks_after_stop(srv, url)
    assert deadlocks == 0


def test_a_cancellation_waits_for_no_booking_of_its_hour(server, make_user):
    """A booking takes its hours' advisory locks; a cancellation, which
    cannot conflict with anyone, takes none. With one hour's lock held
    elsewhere, a cancellation in that hour answers at once while a booking
    in it waits until the lock is let go."""
    p, s = open_provider(make_user, duration_minutes=30, slot_interval_minutes=30)
    c = make_user("customer")
    day = future_monday()
    b = book_ok(c, s["id"], lz(day, "10:00"))
    hour = int(parse_z(b["start"]).timestamp()) // 3600
    key = (p.user["id"] << 24) | (hour & 16777215)
    holder = subprocess.Popen(["psql", "-X", "-q", "-At", "-d", server.database_url, "-c",
                               f"SELECT pg_advisory_lock({key}), pg_sleep(30)"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not sql_rows(server.database_url, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' "
                           f"AND granted AND objid = {key & 0xffffffff}"):
            assert time.monotonic() < deadline, "the lock was never taken"
            time.sleep(0.05)
        answers = {}
        booking = threading.Thread(target=lambda: answers.update(b2=book(c, s["id"], lz(day, "10:30"))))
        booking.start()
        t0 = time.monotonic()
        r = c.post(f"/api/v1/bookings/{b['id']}/cancel", json={})
        assert r.status_code == 200, r.text
        assert time.monotonic() - t0 < 2
        booking.join(1)
        assert booking.is_alive(), "the booking in the locked hour did not wait"
    finally:
        sql_rows(server.database_url, "SELECT pg_terminate_backend(pid) FROM pg_locks "
                 f"WHERE locktype = 'advisory' AND granted AND objid = {key & 0xffffffff}")
        holder.wait(30)
    booking.join(30)
    assert answers["b2"].status_code == 201, answers["b2"].text
