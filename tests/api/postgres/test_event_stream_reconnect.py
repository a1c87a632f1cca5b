"""PostgreSQL only: the event dispatcher's connection is cut; it reconnects,
LISTENs again, and streams go on getting events within a second."""
import subprocess
import time

from booking_helpers import book_ok, future_monday, lz
from conftest import Server, new_user
from sse_helpers import open_all_week, open_bearer


def psql(url, sql):
    return subprocess.run(["psql", url, "-At", "-c", sql], capture_output=True, text=True,
                          timeout=30, check=True).stdout.strip()


def listens(srv):
    return open(srv.log.name).read().count("postgresql: LISTEN appointd_events")


def test_the_dispatcher_listens_again_after_its_connection_is_cut(server):
    srv = Server(server.database_url, APPOINTD_LOG_LEVEL="info")
    try:
        provider = new_user(srv.url, "provider")
        svc = open_all_week(provider)
        customer = new_user(srv.url)
        s = open_bearer(customer)
        assert listens(srv) == 1
        # The dispatchers' connections (this server's and the suite's), known
        # by the outbox query they keep running; the workers' are left alone,
        # since a request whose unit of work loses its connection is a 503.
        cut = int(psql(srv.database_url, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                         "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                                         "AND query LIKE '%FROM events WHERE id > $1 ORDER BY id LIMIT $2'"))
        assert cut >= 1
        deadline = time.time() + 10
        while listens(srv) < 2:
            assert time.time() < deadline, "no LISTEN after the reconnect"
            time.sleep(0.05)
        day = future_monday(min_days=50)
        for hour in ("01:00", "02:00"):
            t0 = time.time()
            b = book_ok(customer, svc["id"], lz(day, hour))
            (e,) = s.events(1, timeout=2)
            assert time.time() - t0 < 1.0
            assert e["event"] == "booking.created" and f'"id":{b["id"]},' in e["data"]
        s.close()
    finally:
        assert srv.stop() == 0
