"""The waitlist (API.md, "Intelligent scheduling"): entries and their rules,
and serving them when a change frees slots."""
import datetime as dt
import time

import pytest
import requests

from booking_helpers import (API, UTC, all_pages, assert_409, assert_422, book_ok, future_monday, iso_z,
                             local, lz, make_service, open_provider, parse_z, set_week)
from sse_helpers import open_bearer

WL = f"{API}/waitlist"
ENTRY_FIELDS = {"id", "service_id", "customer_id", "from", "to", "auto_book", "status", "booking_id",
                "slot", "created_at"}


def entry(client, service_id, start, end, auto_book=None, status=201):
    body = {"service_id": service_id, "from": iso_z(start) if isinstance(start, dt.datetime) else start,
            "to": iso_z(end) if isinstance(end, dt.datetime) else end}
    if auto_book is not None:
        body["auto_book"] = auto_book
    r = client.post(WL, json=body)
    assert r.status_code == status, r.text
    return r.json()


def wait_status(client, entry_id, status, timeout=5):
    """Polls the entry until it has status (serving takes well under a second)."""
    deadline, e = time.time() + timeout, None
    while time.time() < deadline:
        e = client.get(f"{WL}/{entry_id}").json()
        if e["status"] == status:
            return e
        time.sleep(0.05)
    raise AssertionError(f"entry {entry_id} is {e and e['status']}, not {status}")


def stays(client, entry_id, status, seconds=1.5):
    """The entry keeps status for seconds (the job runs every 150 ms)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        e = client.get(f"{WL}/{entry_id}").json()
        assert e["status"] == status, e
        time.sleep(0.1)
    return e


def audit_of(admin, entry_id, action):
    r = admin.get(f"{API}/audit", params={"target_type": "waitlist_entry", "target_id": entry_id,
                                          "action": action})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def day_range(day):
    return local(day, "00:00"), local(day, "24:00")


# --- entries and their rules ------------------------------------------------------

def test_create_get_list_delete(make_user, admin):
    p, s = open_provider(make_user)
    c = make_user("customer")
    day = future_monday()
    start, end = day_range(day)
    r = c.post(WL, json={"service_id": s["id"], "from": iso_z(start), "to": iso_z(end)})
    assert r.status_code == 201, r.text
    e = r.json()
    assert set(e) == ENTRY_FIELDS
    assert r.headers["Location"] == f"{WL}/{e['id']}"
    assert e["status"] == "active" and e["auto_book"] is False and e["booking_id"] is None
    assert e["slot"] is None and e["customer_id"] == c.user["id"] and e["service_id"] == s["id"]
    assert e["from"] == iso_z(start) and e["to"] == iso_z(end)
    assert c.get(f"{WL}/{e['id']}").json() == e
    assert admin.get(f"{WL}/{e['id']}").json() == e
    page = c.get(WL).json()
    assert page["total"] == 1 and page["items"] == [e] and page["limit"] == 50 and page["offset"] == 0
    assert e["id"] in [x["id"] for x in all_pages(admin, WL)]
    # Others see nothing: 404 as if it did not exist, an empty page for a provider.
    other = make_user("customer")
    for who in (other, p):
        r = who.get(f"{WL}/{e['id']}")
        assert r.status_code == 404 and r.json() == {"detail": "Waitlist entry not found"}
        assert who.delete(f"{WL}/{e['id']}").status_code == 404
    assert p.get(WL).json()["total"] == 0 and other.get(WL).json()["items"] == []
    assert c.delete(f"{WL}/{e['id']}").status_code == 204
    assert c.get(f"{WL}/{e['id']}").status_code == 404
    assert c.delete(f"{WL}/{e['id']}").status_code == 404
    e2 = entry(c, s["id"], start, end, auto_book=True)
    assert e2["auto_book"] is True
    assert admin.delete(f"{WL}/{e2['id']}").status_code == 204
    assert [a["action"] for a in audit_of(admin, e["id"], None)] == ["waitlist.deleted", "waitlist.created"]
    assert audit_of(admin, e2["id"], "waitlist.deleted")[0]["actor_id"] == admin.user["id"]


def test_ids_and_list_order(make_user):
    _, s = open_provider(make_user)
    c = make_user("customer")
    start, end = day_range(future_monday())
    ids = [entry(c, s["id"], start, end)["id"] for _ in range(3)]
    assert [e["id"] for e in c.get(WL).json()["items"]] == ids
    page = c.get(WL, params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 3 and [e["id"] for e in page["items"]] == [ids[1]]
    assert_422(c.get(WL, params={"limit": 0}), "limit")
    assert_422(c.get(f"{WL}/0"), "id")


def test_only_customers_create(make_user, admin, base_url):
    p, s = open_provider(make_user)
    start, end = day_range(future_monday())
    body = {"service_id": s["id"], "from": iso_z(start), "to": iso_z(end)}
    for who in (p, admin):
        r = who.post(WL, json=body)
        assert r.status_code == 403, r.text
    r = requests.post(base_url + WL, json=body, timeout=10)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
    assert requests.get(base_url + WL, timeout=10).status_code == 401


def test_bounds(make_user):
    _, s = open_provider(make_user)
    c = make_user("customer")
    now = dt.datetime.now(UTC).replace(microsecond=0)
    day = now + dt.timedelta(days=10)
    sid = s["id"]
    assert_422(c.post(WL, json={"from": iso_z(day), "to": iso_z(day + dt.timedelta(hours=1))}), "service_id")
    assert_422(c.post(WL, json={"service_id": sid, "to": iso_z(day)}), "from")
    assert_422(c.post(WL, json={"service_id": sid, "from": iso_z(day)}), "to")
    assert_422(c.post(WL, json={"service_id": sid, "from": "2030-01-01T10:00:00", "to": iso_z(day)}), "from")
    assert_422(c.post(WL, json={"service_id": sid, "from": iso_z(day), "to": iso_z(day + dt.timedelta(hours=1)),
                                "auto_book": "yes"}), "auto_book")
    # from < to
    assert_422(c.post(WL, json={"service_id": sid, "from": iso_z(day), "to": iso_z(day)}), "to")
    assert_422(c.post(WL, json={"service_id": sid, "from": iso_z(day + dt.timedelta(hours=1)),
                                "to": iso_z(day)}), "to")
    # to in the future
    assert_422(c.post(WL, json={"service_id": sid, "from": iso_z(now - dt.timedelta(days=2)),
                                "to": iso_z(now - dt.timedelta(days=1))}), "to")
    # at most 62 days
    entry(c, sid, day, day + dt.timedelta(days=62))
    assert_422(c.post(WL, json={"service_id": sid, "from": iso_z(day),
                                "to": iso_z(day + dt.timedelta(days=62, seconds=1))}), "to")
    # a range that began already is fine
    entry(c, sid, now - dt.timedelta(days=1), now + dt.timedelta(days=1))
    assert_422(c.post(WL, json=[1]))
    r = c.post(WL, json={"service_id": 10 ** 9, "from": iso_z(day), "to": iso_z(day + dt.timedelta(hours=1))})
    assert r.status_code == 404 and r.json() == {"detail": "Service not found"}


def test_inactive_service_404(make_user):
    p, s = open_provider(make_user)
    c = make_user("customer")
    assert p.delete(f"{API}/services/{s['id']}").status_code == 204
    start, end = day_range(future_monday())
    r = c.post(WL, json={"service_id": s["id"], "from": iso_z(start), "to": iso_z(end)})
    assert r.status_code == 404, r.text


def test_twenty_active_then_waitlist_limit(make_user, server, backend):
    from booking_helpers import sql_rows
    _, s = open_provider(make_user)
    c = make_user("customer")
    start, end = day_range(future_monday())
    made = [entry(c, s["id"], start, end) for _ in range(20)]
    r = c.post(WL, json={"service_id": s["id"], "from": iso_z(start), "to": iso_z(end)})
    body = assert_409(r, "waitlist_limit")
    assert isinstance(body["detail"], str) and body["detail"]
    # Another customer is not counted against.
    entry(make_user("customer"), s["id"], start, end)
    # A deleted one frees a place; an expired one does not count.
    assert c.delete(f"{WL}/{made[0]['id']}").status_code == 204
    e = entry(c, s["id"], start, end)
    assert_409(c.post(WL, json={"service_id": s["id"], "from": iso_z(start), "to": iso_z(end)}), "waitlist_limit")
    past = int(time.time()) - 10
    if backend == "sqlite":
        sql_rows(server.database_url, f"UPDATE waitlist_entries SET to_at = {past} WHERE id = {e['id']}")
    else:
        sql_rows(server.database_url,
                 f"UPDATE waitlist_entries SET to_at = to_timestamp({past}) WHERE id = {e['id']}")
    assert c.get(f"{WL}/{e['id']}").json()["status"] == "expired"
    entry(c, s["id"], start, end)


def test_concurrent_creates_at_19_one_wins(make_user):
    import threading
    _, s = open_provider(make_user)
    c = make_user("customer")
    start, end = day_range(future_monday())
    for _ in range(19):
        entry(c, s["id"], start, end)
    body = {"service_id": s["id"], "from": iso_z(start), "to": iso_z(end)}
    barrier, codes = threading.Barrier(20), []

    def worker():
        with requests.Session() as sess:
            sess.headers["Authorization"] = "Bearer " + c.token
            sess.get(c.base_url + "/health", timeout=30)
            barrier.wait(timeout=60)
            codes.append(sess.post(c.base_url + WL, json=body, timeout=60).status_code)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(codes) == [201] + [409] * 19, codes
    assert c.get(WL).json()["total"] == 20


def test_idempotency_key(make_user):
    _, s = open_provider(make_user)
    c = make_user("customer")
    start, end = day_range(future_monday())
    body = {"service_id": s["id"], "from": iso_z(start), "to": iso_z(end)}
    h = {"Idempotency-Key": "wl-" + str(time.time())}
    r1, r2 = c.post(WL, json=body, headers=h), c.post(WL, json=body, headers=h)
    assert r1.status_code == r2.status_code == 201, (r1.text, r2.text)
    assert r1.json()["id"] == r2.json()["id"] and r2.headers["Location"] == r1.headers["Location"]
    assert c.get(WL).json()["total"] == 1


@pytest.mark.slow_under_valgrind  # timing-bound
def test_expired_shown_at_once(make_user, server, backend):
    from booking_helpers import sql_rows
    _, s = open_provider(make_user)
    c = make_user("customer")
    now = dt.datetime.now(UTC)
    e = entry(c, s["id"], now - dt.timedelta(hours=1), now + dt.timedelta(seconds=2))
    assert e["status"] == "active"
    time.sleep(2.2)
    # Shown expired on read at once; the job writes it within about a second.
    assert c.get(f"{WL}/{e['id']}").json()["status"] == "expired"
    deadline = time.time() + 5
    while time.time() < deadline:
        if sql_rows(server.database_url, f"SELECT status FROM waitlist_entries WHERE id = {e['id']}") == [("expired",)]:
            break
        time.sleep(0.1)
    assert sql_rows(server.database_url, f"SELECT status FROM waitlist_entries WHERE id = {e['id']}") == [("expired",)]


# --- serving -----------------------------------------------------------------------

@pytest.mark.slow_under_valgrind  # timing-bound
def test_cancel_auto_books_the_older_entry(make_user, admin):
    p, s = open_provider(make_user)
    holder, older, younger = make_user("customer"), make_user("customer"), make_user("customer")
    day = future_monday()
    b = book_ok(holder, s["id"], lz(day, "10:00"))
    stream = open_bearer(older)
    try:
        e1 = entry(older, s["id"], local(day, "09:00"), local(day, "12:00"), auto_book=True)
        e2 = entry(younger, s["id"], local(day, "09:30"), local(day, "11:30"), auto_book=True)
        r = holder.post(f"{API}/bookings/{b['id']}/cancel", json={})
        assert r.status_code == 200, r.text
        got = wait_status(older, e1["id"], "booked")
        assert got["slot"] == {"start": lz(day, "10:00"), "end": lz(day, "11:00")}
        booking = older.get(f"{API}/bookings/{got['booking_id']}").json()
        assert booking["customer_id"] == older.user["id"] and booking["start"] == lz(day, "10:00")
        assert booking["status"] == "confirmed" and booking["service_id"] == s["id"]
        stays(younger, e2["id"], "active", 1.0)
        evs = stream.events(2, timeout=5)
        assert [f["event"] for f in evs] == ["booking.created", "waitlist.booked"]
        import json
        assert json.loads(evs[0]["data"])["id"] == booking["id"]
        data = json.loads(evs[1]["data"])
        assert data["id"] == e1["id"] and data["status"] == "booked" and data["booking_id"] == booking["id"]
        assert int(evs[0]["id"]) < int(evs[1]["id"])
        assert stream.quiet(0.5) == []
    finally:
        stream.close()
    a = audit_of(admin, e1["id"], "waitlist.booked")
    assert len(a) == 1 and a[0]["actor_id"] is None and a[0]["details"]["by"] == "waitlist"
    created = admin.get(f"{API}/audit", params={"target_type": "booking", "target_id": booking["id"],
                                                "action": "booking.created"}).json()["items"]
    assert len(created) == 1 and created[0]["actor_id"] is None
    assert created[0]["details"] == {"by": "waitlist", "waitlist_entry_id": e1["id"]}
    # The provider sees the booking, not the waitlist events.
    assert p.get(f"{API}/bookings/{booking['id']}").status_code == 200


@pytest.mark.slow_under_valgrind  # timing-bound
def test_notify_only_once(make_user, admin):
    _, s = open_provider(make_user)
    holder, waiting = make_user("customer"), make_user("customer")
    day = future_monday()
    b1 = book_ok(holder, s["id"], lz(day, "10:00"))
    b2 = book_ok(holder, s["id"], lz(day, "14:00"))
    stream = open_bearer(waiting)
    try:
        e = entry(waiting, s["id"], local(day, "09:00"), local(day, "17:00"))
        assert holder.post(f"{API}/bookings/{b1['id']}/cancel").status_code == 200
        got = wait_status(waiting, e["id"], "notified")
        assert got["slot"] == {"start": lz(day, "10:00"), "end": lz(day, "11:00")} and got["booking_id"] is None
        # The slot is only offered, not booked.
        assert holder.get(f"{API}/bookings", params={"status": "confirmed"}).json()["total"] == 1
        assert holder.post(f"{API}/bookings/{b2['id']}/cancel").status_code == 200
        time.sleep(1.0)
        evs = stream.quiet(0.5)
        assert [f["event"] for f in evs] == ["waitlist.slot_available"], evs
        assert waiting.get(f"{WL}/{e['id']}").json()["slot"]["start"] == lz(day, "10:00")
    finally:
        stream.close()
    assert len(audit_of(admin, e["id"], "waitlist.notified")) == 1


@pytest.mark.slow_under_valgrind  # timing-bound
def test_freed_slot_outside_every_range_serves_nobody(make_user):
    _, s = open_provider(make_user)
    holder, waiting = make_user("customer"), make_user("customer")
    day = future_monday()
    b = book_ok(holder, s["id"], lz(day, "10:00"))
    e1 = entry(waiting, s["id"], local(day, "11:00"), local(day, "17:00"))
    e2 = entry(waiting, s["id"], local(day, "09:00"), local(day, "10:30"), auto_book=True)
    assert holder.post(f"{API}/bookings/{b['id']}/cancel").status_code == 200
    stays(waiting, e1["id"], "active")
    assert waiting.get(f"{WL}/{e2['id']}").json()["status"] == "active"


@pytest.mark.slow_under_valgrind  # timing-bound
def test_reschedule_away_serves_an_entry(make_user):
    _, s = open_provider(make_user)
    holder, waiting = make_user("customer"), make_user("customer")
    day = future_monday()
    b = book_ok(holder, s["id"], lz(day, "10:00"))
    e = entry(waiting, s["id"], local(day, "10:00"), local(day, "11:00"), auto_book=True)
    r = holder.post(f"{API}/bookings/{b['id']}/reschedule", json={"start": lz(day, "15:00")})
    assert r.status_code == 200, r.text
    got = wait_status(waiting, e["id"], "booked")
    assert waiting.get(f"{API}/bookings/{got['booking_id']}").json()["start"] == lz(day, "10:00")


@pytest.mark.slow_under_valgrind  # timing-bound
def test_deleted_time_off_serves_an_entry(make_user):
    p, s = open_provider(make_user)
    waiting = make_user("customer")
    day = future_monday()
    r = p.post(f"{API}/providers/{p.user['id']}/time-off",
               json={"start": lz(day, "09:00"), "end": lz(day, "12:00"), "reason": "away"})
    assert r.status_code == 201, r.text
    t = r.json()
    e = entry(waiting, s["id"], local(day, "09:00"), local(day, "10:00"))
    stays(waiting, e["id"], "active", 0.5)
    assert p.delete(f"{API}/providers/{p.user['id']}/time-off/{t['id']}").status_code == 204
    got = wait_status(waiting, e["id"], "notified")
    assert got["slot"]["start"] == lz(day, "09:00")


@pytest.mark.slow_under_valgrind  # timing-bound
def test_widened_availability_serves_an_entry(make_user):
    p, s = open_provider(make_user, windows=(("monday", "09:00", "12:00"),))
    waiting = make_user("customer")
    day = future_monday()
    e = entry(waiting, s["id"], local(day, "17:00"), local(day, "19:00"), auto_book=True)
    stays(waiting, e["id"], "active", 0.5)
    set_week(p, "UTC", [("monday", "09:00", "12:00"), ("monday", "17:00", "18:00")])
    got = wait_status(waiting, e["id"], "booked")
    assert got["slot"] == {"start": lz(day, "17:00"), "end": lz(day, "18:00")}


@pytest.mark.slow_under_valgrind  # timing-bound
def test_service_rules_serve_an_entry(make_user):
    p, s = open_provider(make_user, windows=(("monday", "09:00", "11:00"),), duration_minutes=120)
    waiting = make_user("customer")
    day = future_monday()
    e = entry(waiting, s["id"], local(day, "10:00"), local(day, "11:00"))
    stays(waiting, e["id"], "active", 0.5)
    r = p.patch(f"{API}/services/{s['id']}", json={"duration_minutes": 60, "slot_interval_minutes": 60})
    assert r.status_code == 200, r.text
    assert wait_status(waiting, e["id"], "notified")["slot"]["start"] == lz(day, "10:00")


@pytest.mark.slow_under_valgrind  # timing-bound
def test_deactivated_customer_skipped(make_user, admin):
    _, s = open_provider(make_user)
    holder, gone, next_one = make_user("customer"), make_user("customer"), make_user("customer")
    day = future_monday()
    b = book_ok(holder, s["id"], lz(day, "10:00"))
    e_gone = entry(gone, s["id"], local(day, "09:00"), local(day, "12:00"), auto_book=True)
    e_next = entry(next_one, s["id"], local(day, "09:00"), local(day, "12:00"), auto_book=True)
    r = admin.patch(f"{API}/users/{gone.user['id']}", json={"is_active": False})
    assert r.status_code == 200, r.text
    assert holder.post(f"{API}/bookings/{b['id']}/cancel").status_code == 200
    got = wait_status(next_one, e_next["id"], "booked")
    assert admin.get(f"{API}/bookings/{got['booking_id']}").json()["customer_id"] == next_one.user["id"]
    assert admin.get(f"{WL}/{e_gone['id']}").json()["status"] == "active"


@pytest.mark.slow_under_valgrind  # timing-bound
def test_another_service_of_the_provider_is_served(make_user):
    p, s = open_provider(make_user)
    short = make_service(p, name="Short", duration_minutes=30)
    holder, waiting = make_user("customer"), make_user("customer")
    day = future_monday()
    b = book_ok(holder, s["id"], lz(day, "10:00"))
    e = entry(waiting, short["id"], local(day, "10:30"), local(day, "11:00"), auto_book=True)
    assert holder.post(f"{API}/bookings/{b['id']}/cancel").status_code == 200
    got = wait_status(waiting, e["id"], "booked")
    assert got["slot"] == {"start": lz(day, "10:30"), "end": lz(day, "11:00")}


@pytest.mark.slow_under_valgrind  # timing-bound
def test_slots_inside_min_notice_pass_to_the_next_entry(make_user):
    """The oldest entry holds only freed slots inside the service's minimum
    notice, which nobody can book: the next entry, which holds a later freed
    slot, is served, and the oldest stays active."""
    now = dt.datetime.now(UTC).replace(microsecond=0)
    t = now.replace(minute=0, second=0) + dt.timedelta(hours=2)  # 60 to 120 min from now
    # A fixed-offset zone where t is 10:00, so that the day's window holds
    # t to t + 3 h whatever the hour this runs at (Etc/GMT-k is UTC+k).
    k = (10 - t.hour + 12) % 24 - 12
    tz = "UTC" if k == 0 else f"Etc/GMT{-k:+d}"
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    p, long_ = open_provider(make_user, tz=tz, windows=[(d, "06:00", "20:00") for d in days],
                             duration_minutes=180, slot_interval_minutes=60)
    short = make_service(p, name="Short", duration_minutes=30, slot_interval_minutes=30,
                         min_notice_minutes=150)
    holder, oldest, younger = make_user("customer"), make_user("customer"), make_user("customer")
    b = book_ok(holder, long_["id"], iso_z(t))
    m = dt.timedelta(minutes=1)
    # Slots t and t + 30 min start before now + 150 min: inside the notice.
    e_old = entry(oldest, short["id"], t, t + 60 * m, auto_book=True)
    e_young = entry(younger, short["id"], t, t + 180 * m, auto_book=True)
    assert holder.post(f"{API}/bookings/{b['id']}/cancel").status_code == 200
    got = wait_status(younger, e_young["id"], "booked")
    start = parse_z(got["slot"]["start"])
    # The earliest freed slot outside the notice when the job served it.
    assert start in (t + 60 * m, t + 90 * m) and start >= now + 150 * m, got
    booking = younger.get(f"{API}/bookings/{got['booking_id']}").json()
    assert booking["customer_id"] == younger.user["id"] and booking["service_id"] == short["id"]
    stays(oldest, e_old["id"], "active", 1.0)
