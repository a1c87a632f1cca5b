"""PostgreSQL only: crowds of overlapping bookings take turns instead of
deadlocking under the exclusion constraint. Each deadlock costs a request the
server's deadlock_timeout (a second), and chains of them ran past the
statement timeout (a 503) in CI; the database's own deadlock counter shows
whether any happened."""
import time

from booking_helpers import fresh_database, future_monday, lz, make_service, open_provider, sql_rows
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
