"""Concurrent bookings: at most one of overlapping requests wins, through one
or two appointd processes sharing the database (API.md, Bookings)."""
import datetime as dt
import threading

import requests

from booking_helpers import API, all_pages, future_monday, lz, make_service, open_provider, parse_z
from conftest import Server


def race(calls, headers=None):
    """Runs every (base_url, token, body) POST /bookings at once, each from its
    own thread on an already open connection (with headers besides the
    token). Returns the responses in order."""
    n = len(calls)
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        base_url, token, body = calls[i]
        with requests.Session() as s:
            s.headers["Authorization"] = "Bearer " + token
            s.headers.update(headers or {})
            try:
                s.get(base_url + "/health", timeout=30)  # open the connection first
            finally:
                barrier.wait(timeout=60)
            try:
                r = s.post(base_url + f"{API}/bookings", json=body, timeout=60)
                results[i] = (r.status_code, r.json() if r.content else None)
            except Exception as e:  # recorded, so the assertion shows it
                results[i] = ("error", repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return results


def check_one_winner(results):
    statuses = [r[0] for r in results]
    assert statuses.count(201) == 1, results
    losers = [r for r in results if r[0] != 201]
    assert all(r[0] == 409 and r[1].get("code") == "slot_unavailable" for r in losers), losers
    assert len(losers) == len(results) - 1


def confirmed_of(admin, provider_id, day):
    """Every confirmed booking of provider_id starting on day (UTC), as admin."""
    items = all_pages(admin, f"{API}/bookings",
                      {"status": "confirmed", "from": lz(day, "00:00"), "to": lz(day, "24:00")})
    return [b for b in items if b["provider_id"] == provider_id]


def assert_no_overlap(bookings, services):
    """No two occupied intervals [start - bb, end + ba) overlap (each booking
    with its own service's buffers, which were not changed here)."""
    spans = []
    for b in bookings:
        svc = services[b["service_id"]]
        s = parse_z(b["start"]) - dt.timedelta(minutes=svc["buffer_before_minutes"])
        e = parse_z(b["end"]) + dt.timedelta(minutes=svc["buffer_after_minutes"])
        spans.append((s, e, b["id"]))
    spans.sort()
    for (s1, e1, id1), (s2, e2, id2) in zip(spans, spans[1:]):
        assert not (s1 < e2 and s2 < e1), (id1, id2, spans)


def test_same_slot_40_threads(make_user, admin, base_url):
    p, s = open_provider(make_user)
    day = future_monday()
    start = lz(day, "10:00")
    customers = [make_user("customer") for _ in range(40)]
    results = race([(base_url, c.token, {"service_id": s["id"], "start": start}) for c in customers])
    check_one_winner(results)
    winner = next(r[1] for r in results if r[0] == 201)
    assert winner["start"] == start
    got = confirmed_of(admin, p.user["id"], day)
    assert [b["id"] for b in got] == [winner["id"]]
    assert p.get(f"{API}/bookings").json()["total"] == 1


def test_overlapping_starts_with_buffers_30_threads(make_user, admin, base_url):
    # 60 minutes every 15 with 15/15 buffers, plus a 30-minute service without
    # buffers, in 09:00-13:00: many different starts that all overlap.
    p, s = open_provider(make_user, windows=(("monday", "09:00", "13:00"),), duration_minutes=60,
                         slot_interval_minutes=15, buffer_before_minutes=15, buffer_after_minutes=15)
    s2 = make_service(p, name="Short", duration_minutes=30, slot_interval_minutes=15)
    services = {s["id"]: s, s2["id"]: s2}
    day = future_monday()
    base = dt.datetime.combine(day, dt.time(9, 0), dt.timezone.utc)
    customers = [make_user("customer") for _ in range(30)]
    calls = []
    for i, c in enumerate(customers):
        svc = s if i % 3 else s2
        start = base + dt.timedelta(minutes=15 * (i % 13))
        calls.append((base_url, c.token, {"service_id": svc["id"], "start": start.strftime("%Y-%m-%dT%H:%M:%SZ")}))
    results = race(calls)
    wins = [r[1] for r in results if r[0] == 201]
    assert len(wins) >= 1, results
    assert all(r[0] in (201, 409) for r in results), results
    assert all(r[1].get("code") == "slot_unavailable" for r in results if r[0] == 409), results
    got = confirmed_of(admin, p.user["id"], day)
    assert sorted(b["id"] for b in got) == sorted(b["id"] for b in wins)
    assert_no_overlap(got, services)


def test_same_slot_two_processes(make_user, admin, server, base_url):
    p, s = open_provider(make_user, windows=(("monday", "09:00", "13:00"),), duration_minutes=60,
                         slot_interval_minutes=15, buffer_before_minutes=15, buffer_after_minutes=15)
    day = future_monday()
    second = Server(server.database_url)
    try:
        urls = [base_url, second.url]
        customers = [make_user("customer") for _ in range(40)]
        start = lz(day, "10:00")
        results = race([(urls[i % 2], c.token, {"service_id": s["id"], "start": start})
                        for i, c in enumerate(customers)])
        check_one_winner(results)
        got = confirmed_of(admin, p.user["id"], day)
        assert len(got) == 1 and got[0]["start"] == start

        # Different overlapping starts through both processes.
        base = dt.datetime.combine(day, dt.time(9, 0), dt.timezone.utc)
        calls = [(urls[i % 2], c.token,
                  {"service_id": s["id"],
                   "start": (base + dt.timedelta(minutes=15 * (i % 13))).strftime("%Y-%m-%dT%H:%M:%SZ")})
                 for i, c in enumerate(customers)]
        results = race(calls)
        assert all(r[0] in (201, 409) for r in results), results
        assert any(r[0] == 201 for r in results), results  # 11:30 and 12:00 still fit
        got = confirmed_of(admin, p.user["id"], day)
        assert len(got) == 1 + sum(1 for r in results if r[0] == 201)
        assert_no_overlap(got, {s["id"]: s})
    finally:
        assert second.stop() == 0, "second appointd did not exit 0 on SIGTERM"
