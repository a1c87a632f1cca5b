"""The event stream (API.md "Real-time updates"): tickets, framing, headers,
pings, who sees what, resume, and streams across processes."""
import datetime as dt
import json
import signal
import threading
import time

import pytest
import requests

from booking_helpers import API, book_ok, fresh_database, future_monday, lz, sql_rows
from conftest import Server, new_user
from sse_helpers import END, Stream, metric, open_all_week, open_bearer, open_ticket, ticket


@pytest.fixture
def shop(make_user):
    """A provider open around the clock with a 5-minute service."""
    pc = make_user("provider")
    return pc, open_all_week(pc)


_minute = [0]


def next_start(day=None):
    """A start no other test of this run books (5-minute steps)."""
    _minute[0] += 5
    day = day or future_monday(min_days=21)
    h, m = divmod(_minute[0], 60)
    return lz(day + dt.timedelta(days=h // 24), f"{h % 24:02d}:{m:02d}")


# --- tickets and credentials ----------------------------------------------------

def test_ticket_is_single_use(customer):
    t = ticket(customer)
    s = Stream(customer.base_url, params={"ticket": t})
    assert s.status == 200
    s.close()
    r = requests.get(customer.base_url + API + "/events", params={"ticket": t}, timeout=10)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert r.json() == {"detail": "Could not validate credentials"}


def test_unknown_ticket_is_401(base_url):
    for t in ("0" * 64, "nope", ""):
        r = requests.get(base_url + API + "/events", params={"ticket": t}, timeout=10)
        assert r.status_code == 401, t
        assert r.headers["WWW-Authenticate"] == "Bearer"
        assert r.headers["Content-Type"] == "application/json"


def test_access_token_in_url_is_refused(customer):
    for name in ("access_token", "token"):
        r = requests.get(customer.base_url + API + "/events", params={name: customer.token}, timeout=10)
        assert r.status_code == 401, name
        assert r.headers["WWW-Authenticate"] == "Bearer"
        assert r.json() == {"detail": "Not authenticated"}


def test_no_or_bad_credentials_are_401(base_url):
    r = requests.get(base_url + API + "/events", timeout=10)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert r.json() == {"detail": "Not authenticated"}
    r = requests.get(base_url + API + "/events", headers={"Authorization": "Bearer x.y.z"}, timeout=10)
    assert r.status_code == 401
    assert r.json() == {"detail": "Could not validate credentials"}
    r = requests.post(base_url + API + "/events/ticket", timeout=10)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_ticket_of_a_logged_out_session_is_401(make_user):
    c = make_user("customer")
    t = ticket(c)
    assert c.post(API + "/auth/logout").status_code == 204
    r = requests.get(c.base_url + API + "/events", params={"ticket": t}, timeout=10)
    assert r.status_code == 401


def test_bad_last_event_id_is_422(customer):
    r = requests.get(customer.base_url + API + "/events", headers={**customer.headers, "Last-Event-ID": "x"},
                     timeout=10)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["header", "Last-Event-ID"]
    r = customer.get(API + "/events", params={"last_event_id": "-1"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "last_event_id"]


# --- the stream itself -----------------------------------------------------------

def test_headers_and_retry_first(customer):
    with requests.get(customer.base_url + API + "/events", headers=customer.headers, stream=True,
                      timeout=10) as r:
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "text/event-stream"
        assert r.headers["Cache-Control"] == "no-store"
        assert r.headers["X-Accel-Buffering"] == "no"
        assert r.headers["X-Request-ID"]
        first = next(r.iter_content(chunk_size=None))
        assert first.startswith(b"retry: 3000\n\n")


def test_ping(database_url, tmp_path):
    srv = Server(database_url, EVENT_PING_SECONDS=1)
    try:
        c = new_user(srv.url)
        s = open_bearer(c)
        t0 = time.time()
        assert s.next(timeout=3) == {"comment": "ping"}
        assert s.next(timeout=3) == {"comment": "ping"}
        assert 1.2 < time.time() - t0 < 4
        s.close()
    finally:
        assert srv.stop() == 0


def test_event_framing(shop, make_user):
    pc, svc = shop
    c = make_user("customer")
    s = open_bearer(c)
    b = book_ok(c, svc["id"], next_start())
    (e,) = s.events(1, timeout=3)
    assert e["event"] == "booking.created"
    assert json.loads(e["data"]) == b
    # The bytes: retry first, then the event's three lines and a blank line.
    raw = b"".join(s.raw).decode()
    assert raw == f"retry: 3000\n\nid: {e['id']}\nevent: booking.created\ndata: {e['data']}\n\n"
    s.close()


def test_who_sees_a_booking(shop, make_user, admin):
    pc, svc = shop
    c = make_user("customer")
    other_c, other_p = make_user("customer"), make_user("provider")
    mine = {name: open_bearer(who) for name, who in
            (("customer", c), ("provider", pc), ("admin", admin))}
    # A ticket stream filters the same way.
    mine["customer_ticket"] = open_ticket(c)
    others = [open_bearer(other_c), open_ticket(other_p)]
    b = book_ok(c, svc["id"], next_start())
    c.post(f"{API}/bookings/{b['id']}/cancel", json={})
    for name, s in mine.items():
        got = [e for e in s.events(2, timeout=5) if json.loads(e["data"])["id"] == b["id"]]
        assert [e["event"] for e in got] == ["booking.created", "booking.cancelled"], name
    for s in others:
        assert s.quiet(1.0) == []
    for s in list(mine.values()) + others:
        s.close()


def test_booking_reminder_rows_are_not_streamed(server, backend, admin):
    s = open_bearer(admin)
    sql_rows(server.database_url,
             "INSERT INTO events (type, data, provider_id, customer_id, created_at) VALUES "
             "('booking.reminder', '{}', NULL, NULL, " +
             ("strftime('%s','now')" if backend == "sqlite" else "now()") + ")")
    assert s.quiet(1.0) == []
    s.close()


def test_stream_on_a_second_process_sees_a_booking_within_a_second(server, shop, make_user):
    other = Server(server.database_url)
    try:
        pc, svc = shop
        c = make_user("customer")
        s = open_ticket(c, base_url=other.url)  # the ticket from process A opens on B
        t0 = time.time()
        b = book_ok(c, svc["id"], next_start())
        (e,) = s.events(1, timeout=5.0)
        assert time.time() - t0 < 1.0, time.time() - t0
        assert json.loads(e["data"])["id"] == b["id"]
        s.close()
    finally:
        assert other.stop() == 0


def test_forty_concurrent_bookings_arrive_in_order(server, make_user, admin):
    providers = [make_user("provider") for _ in range(4)]
    svcs = [open_all_week(p) for p in providers]
    customers = [make_user("customer") for _ in range(10)]
    s = open_bearer(admin)
    day = future_monday(min_days=35)
    results, lock = [], threading.Lock()

    def one(i):
        b = book_ok(customers[i % 10], svcs[i % 4]["id"], lz(day, f"{8 + i // 4:02d}:{(i % 4) * 5:02d}"))
        with lock:
            results.append(b["id"])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = s.events(40, timeout=10)
    ids = [int(e["id"]) for e in got]
    assert ids == sorted(ids) and len(set(ids)) == 40
    booking_ids = [json.loads(e["data"])["id"] for e in got]
    assert sorted(booking_ids) == sorted(results)
    # Exactly the outbox's rows of those bookings, in its order.
    pids = ",".join(str(p.user["id"]) for p in providers)
    rows = sql_rows(server.database_url, f"SELECT id FROM events WHERE provider_id IN ({pids}) ORDER BY id")
    assert [int(r[0]) for r in rows] == ids
    assert s.quiet(0.5) == []
    s.close()


def _booked_events(c, svc, n):
    s = open_bearer(c)
    for _ in range(n):
        book_ok(c, svc["id"], next_start())
    got = s.events(n, timeout=5)
    s.close()
    return got


@pytest.mark.parametrize("how", ["header", "query"])
def test_resume_from_the_middle(shop, make_user, how):
    pc, svc = shop
    c = make_user("customer")
    got = _booked_events(c, svc, 6)
    middle = got[2]["id"]
    if how == "header":
        s = open_bearer(c, headers={"Last-Event-ID": middle})
    else:
        s = open_ticket(c, params={"last_event_id": middle})
    again = s.events(3, timeout=5)
    assert [e["id"] for e in again] == [e["id"] for e in got[3:]]
    assert [e["data"] for e in again] == [e["data"] for e in got[3:]]
    # Then live ones, none twice.
    b = book_ok(c, svc["id"], next_start())
    (live,) = s.events(1, timeout=3)
    assert json.loads(live["data"])["id"] == b["id"] and int(live["id"]) > int(got[-1]["id"])
    assert s.quiet(0.5) == []
    s.close()


def test_resume_past_retention_sends_reset(database_url, backend, tmp_path):
    # A database of its own: the suite's server holds the retention job's lease.
    database_url = fresh_database(database_url, tmp_path)
    srv = Server(database_url, RETENTION_INTERVAL_SECONDS=1, EVENT_RETENTION_HOURS=1)
    try:
        pc = new_user(srv.url, "provider")
        svc = open_all_week(pc)
        c = new_user(srv.url)
        got = _booked_events(c, svc, 3)
        ids = [int(e["id"]) for e in got]
        # The first two age past retention; the job deletes them.
        age = ("created_at - 7200" if backend == "sqlite" else "created_at - interval '2 hours'")
        sql_rows(database_url, f"UPDATE events SET created_at = {age} WHERE id <= {ids[1]}")
        deadline = time.time() + 10
        while sql_rows(database_url, f"SELECT count(*) FROM events WHERE id <= {ids[1]}")[0][0] != "0":
            assert time.time() < deadline, "retention did not run"
            time.sleep(0.2)
        s = open_bearer(c, headers={"Last-Event-ID": str(ids[0] - 1)})
        reset = s.next()
        assert reset == {"event": "reset", "data": "{}"}
        (kept,) = s.events(1)
        assert kept["id"] == str(ids[2])
        s.close()
        # From an id at or past the newest deleted one: no reset.
        s = open_bearer(c, headers={"Last-Event-ID": str(ids[1])})
        (kept,) = s.events(1)
        assert kept["id"] == str(ids[2])
        s.close()
    finally:
        assert srv.stop() == 0


# --- ends of streams -------------------------------------------------------------

def test_deactivation_closes_the_stream(database_url, admin):
    srv = Server(database_url, EVENT_SESSION_CHECK_SECONDS=1)
    try:
        c = new_user(srv.url)
        s = open_ticket(c)
        a = type(admin)(srv.url, admin.user, admin.token, admin.password)
        t0 = time.time()
        r = a.patch(f"{API}/users/{c.user['id']}", json={"is_active": False})
        assert r.status_code == 200, r.text
        assert s.ended.wait(5)
        assert time.time() - t0 < 3
        s.close()
    finally:
        assert srv.stop() == 0


def test_logout_closes_the_stream_of_its_session(database_url):
    srv = Server(database_url, EVENT_SESSION_CHECK_SECONDS=1)
    try:
        c = new_user(srv.url)
        other_session = new_user(srv.url)
        s = open_ticket(c)
        kept = open_bearer(other_session)
        assert c.post(API + "/auth/logout").status_code == 204
        assert s.ended.wait(5)
        assert not kept.ended.wait(1.5)
        s.close()
        kept.close()
    finally:
        assert srv.stop() == 0


@pytest.mark.slow_under_valgrind  # timing-bound
def test_request_timeout_does_not_cut_a_stream(database_url):
    srv = Server(database_url, APPOINTD_REQUEST_TIMEOUT=1, EVENT_PING_SECONDS=3600)
    try:
        c = new_user(srv.url)
        s = open_bearer(c)
        assert not s.ended.wait(3.5)
        s.close()
    finally:
        assert srv.stop() == 0


def test_sigterm_ends_100_streams_cleanly(database_url):
    srv = Server(database_url)
    try:
        c = new_user(srv.url)
        streams = [open_bearer(c) for _ in range(50)] + [open_ticket(c) for _ in range(50)]
        assert metric(srv.url, "appointd_event_streams_open") == 100
        t0 = time.time()
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(timeout=5) == 0
        assert time.time() - t0 < 5
        for s in streams:
            assert s.ended.wait(2)
            assert not s.dirty
            s.close()
    finally:
        srv.stop()


def test_metrics_count_streams_and_fan_out(database_url):
    srv = Server(database_url)
    try:
        pc = new_user(srv.url, "provider")
        svc = open_all_week(pc)
        c = new_user(srv.url)
        assert metric(srv.url, "appointd_event_streams_open") == 0
        before = metric(srv.url, "appointd_events_fanned_out_total")
        a, b = open_bearer(c), open_bearer(pc)
        assert metric(srv.url, "appointd_event_streams_open") == 2
        book_ok(c, svc["id"], next_start())
        a.events(1), b.events(1)
        assert metric(srv.url, "appointd_events_fanned_out_total") == before + 2
        a.close()
        b.close()
        deadline = time.time() + 20
        while metric(srv.url, "appointd_event_streams_open") != 0:
            # A closed client is noticed at the next write: a ping or an event.
            assert time.time() < deadline
            book_ok(c, svc["id"], next_start())
            time.sleep(0.2)
    finally:
        assert srv.stop() == 0


@pytest.mark.slow_under_valgrind  # timing-bound
def test_a_slow_reader_is_closed_not_buffered_without_bound(database_url, backend, tmp_path):
    database_url = fresh_database(database_url, tmp_path)
    srv = Server(database_url, EVENT_STREAM_MAX_PENDING=4096)
    try:
        a = srv.run("create-admin", "--email", "slow@example.com", "--name", "A",
                    extra_env={"APPOINTD_ADMIN_PASSWORD": "admin-password-123"})
        assert a.returncode == 0, a.stderr
        tokens = requests.post(srv.url + API + "/auth/login",
                               json={"email": "slow@example.com", "password": "admin-password-123"},
                               timeout=10).json()
        s = Stream(srv.url, headers={"Authorization": "Bearer " + tokens["access_token"]})
        assert s.status == 200
        # Stop reading: the socket buffers fill, then the stream's pending text.
        s.frames = __import__("queue").Queue(maxsize=1)
        before = metric(srv.url, "appointd_event_streams_dropped_total")
        # 2000 events of 4 kB, 8 MB: more than the kernel's socket buffers hold.
        if backend == "sqlite":
            sql = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                   "INSERT INTO events (type, data, provider_id, customer_id, created_at) "
                   "SELECT 'booking.created', '{\"pad\": \"' || hex(zeroblob(2000)) || '\"}', NULL, 1, "
                   "strftime('%s','now') FROM n")
        else:
            sql = ("INSERT INTO events (type, data, provider_id, customer_id, created_at) "
                   "SELECT 'booking.created', '{\"pad\": \"' || repeat('0', 4000) || '\"}', NULL, 1, now() "
                   "FROM generate_series(1, 2000)")
        sql_rows(database_url, sql)
        deadline = time.time() + 20
        while metric(srv.url, "appointd_event_streams_dropped_total") == before:
            assert time.time() < deadline, "the stream was not closed"
            time.sleep(0.2)
        s.close()
    finally:
        assert srv.stop() == 0


def test_cors_on_the_event_routes(database_url):
    origin = "https://app.example.com"
    srv = Server(database_url, CORS_ORIGINS=origin)
    try:
        pre = requests.options(srv.url + API + "/events", timeout=10, headers={
            "Origin": origin, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "last-event-id"})
        assert pre.status_code == 204
        assert pre.headers["Access-Control-Allow-Origin"] == origin
        assert "GET" in pre.headers["Access-Control-Allow-Methods"].split(", ")
        assert "Last-Event-ID" in pre.headers["Access-Control-Allow-Headers"]
        c = new_user(srv.url)
        s = open_ticket(c, headers={"Origin": origin})
        assert s.headers["access-control-allow-origin"] == origin
        assert s.headers["vary"] == "Origin"
        s.close()
        other = Stream(srv.url, headers={"Origin": "https://evil.example.com",
                                          "Authorization": "Bearer " + c.token})
        assert other.status == 200 and "access-control-allow-origin" not in other.headers
        other.close()
    finally:
        assert srv.stop() == 0
