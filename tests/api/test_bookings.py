"""Bookings: create, list, visibility, cancel, reschedule, complete, idempotency
(API.md, Bookings)."""
import datetime as dt
import json
import time

from booking_helpers import (API, UTC, all_pages, assert_409, assert_422, book, book_ok, future_monday,
                             get_slots, insert_past_booking, iso_z, lz, make_service, open_provider, parse_z,
                             sql_rows, starts)
from test_booking_races import race

BOOKING_FIELDS = {"id", "service_id", "provider_id", "customer_id", "start", "end", "status", "notes",
                  "cancel_reason", "created_at", "updated_at", "cancelled_at"}
NOT_FOUND = {"detail": "Booking not found"}


def burl(bid, action=None):
    return f"{API}/bookings/{bid}" + (f"/{action}" if action else "")


def assert_next_slots_offered(client, service_id, body, asked):
    """next_slots: at most 3, ascending, each after the asked start and each
    really offered (checked against GET slots)."""
    nxt = body["next_slots"]
    assert isinstance(nxt, list) and len(nxt) <= 3, body
    asked_t = parse_z(asked) if asked.endswith("Z") else dt.datetime.fromisoformat(asked)
    prev = None
    for sl in nxt:
        st = parse_z(sl["start"])
        assert st > asked_t, (sl, asked)
        assert prev is None or st > prev, nxt
        prev = st
        d = st.date()
        offered = get_slots(client, service_id, d - dt.timedelta(days=1), d + dt.timedelta(days=1), tz="UTC")
        assert sl in offered, (sl, offered)
    return nxt


# --- create -------------------------------------------------------------------

def test_create_booking(make_user, admin):
    p, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    r = book(c, s["id"], lz(day, "10:00"), notes="first visit")
    assert r.status_code == 201, r.text
    b = r.json()
    assert BOOKING_FIELDS <= set(b)
    assert r.headers.get("Location") == f"/api/v1/bookings/{b['id']}"
    assert isinstance(b["id"], int) and b["id"] > 0
    assert b["service_id"] == s["id"]
    assert b["provider_id"] == p.user["id"]
    assert b["customer_id"] == c.user["id"]
    assert b["start"] == lz(day, "10:00") and b["end"] == lz(day, "11:00")
    assert b["status"] == "confirmed"
    assert b["notes"] == "first visit"
    assert b["cancel_reason"] is None and b["cancelled_at"] is None
    parse_z(b["created_at"])
    parse_z(b["updated_at"])
    for reader in (c, p, admin):
        got = reader.get(burl(b["id"]))
        assert got.status_code == 200, got.text
        assert got.json() == b
    # The slot is gone for everybody.
    assert lz(day, "10:00") not in starts(get_slots(make_user("customer"), s["id"], day))


def test_create_with_offset_input(make_user):
    _, s = open_provider(make_user, tz="Europe/Berlin", windows=(("monday", "09:00", "12:00"),))
    day = future_monday("Europe/Berlin")
    start_utc = parse_z(lz(day, "10:00", "Europe/Berlin"))
    offset_str = start_utc.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))).isoformat()
    assert "+05:30" in offset_str
    b = book_ok(make_user("customer"), s["id"], offset_str)
    assert b["start"] == iso_z(start_utc)


def test_create_defaults_notes_empty_and_own_customer_id(make_user):
    _, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    b = book_ok(c, s["id"], lz(day, "09:00"), customer_id=c.user["id"])
    assert b["customer_id"] == c.user["id"]
    assert b["notes"] == ""


def test_create_permissions(make_user, admin):
    p, s = open_provider(make_user)
    day = future_monday()
    c, other = make_user("customer"), make_user("customer")

    r = book(c, s["id"], lz(day, "09:00"), customer_id=other.user["id"])
    assert r.status_code == 403, r.text

    r = book(p, s["id"], lz(day, "09:00"))
    assert_422(r, "customer_id")
    r = book(p, s["id"], lz(day, "09:00"), customer_id=c.user["id"])
    assert r.status_code == 201, r.text
    assert r.json()["customer_id"] == c.user["id"]
    assert r.json()["provider_id"] == p.user["id"]
    assert c.get(burl(r.json()["id"])).status_code == 200

    r = book(make_user("provider"), s["id"], lz(day, "10:00"), customer_id=c.user["id"])
    assert r.status_code == 403, r.text

    r = book(admin, s["id"], lz(day, "10:00"))
    assert_422(r, "customer_id")
    r = book(admin, s["id"], lz(day, "10:00"), customer_id=other.user["id"])
    assert r.status_code == 201, r.text
    assert r.json()["customer_id"] == other.user["id"]

    # None of the refused requests booked anything.
    mine = all_pages(p, f"{API}/bookings")
    assert sorted(b["start"] for b in mine) == [lz(day, "09:00"), lz(day, "10:00")]


def test_slot_not_offered_409_with_next_slots(make_user):
    _, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    asked = lz(day, "09:15")
    r = book(c, s["id"], asked)
    body = assert_409(r, "slot_unavailable")
    assert body["detail"] == "Slot not available"
    nxt = assert_next_slots_offered(c, s["id"], body, asked)
    assert len(nxt) >= 1
    assert nxt[0]["start"] == lz(day, "10:00")

    # A taken slot: 409, and the taken one is not suggested.
    book_ok(make_user("customer"), s["id"], lz(day, "11:00"))
    asked = lz(day, "11:00")
    body = assert_409(book(c, s["id"], asked), "slot_unavailable")
    nxt = assert_next_slots_offered(c, s["id"], body, asked)
    assert asked not in [x["start"] for x in nxt]
    assert nxt[0]["start"] == lz(day, "12:00")

    # Outside the weekly window.
    asked = lz(day, "18:00")
    body = assert_409(book(c, s["id"], asked), "slot_unavailable")
    assert_next_slots_offered(c, s["id"], body, asked)

    # Only c's attempts failed: c has no booking.
    assert c.get(f"{API}/bookings").json()["total"] == 0


def test_slot_in_past_or_beyond_horizon_409(make_user):
    _, s = open_provider(make_user)
    c = make_user("customer")
    past = future_monday(min_days=0) - dt.timedelta(days=14)
    asked = lz(past, "09:00")
    body = assert_409(book(c, s["id"], asked), "slot_unavailable")
    nxt = assert_next_slots_offered(c, s["id"], body, asked)
    assert len(nxt) == 3  # many mondays lie ahead within 90 days

    far = future_monday(min_days=100)
    asked = lz(far, "09:00")
    body = assert_409(book(c, s["id"], asked), "slot_unavailable")
    assert body["next_slots"] == []
    assert c.get(f"{API}/bookings").json()["total"] == 0


def test_year_1_start_answers_at_once_with_the_first_offered_slots(make_user):
    """A start in year 1 used to walk every week since then, one query each
    (1 s on SQLite, 18-38 s on PostgreSQL): next_slots search from now."""
    every_day = [(d, "09:00", "17:00") for d in ("monday", "tuesday", "wednesday", "thursday", "friday",
                                                 "saturday", "sunday")]
    _, s = open_provider(make_user, windows=every_day, min_notice_minutes=60)
    c = make_user("customer")
    asked = "0001-01-01T00:00:00Z"
    first = dt.datetime.now(UTC).date()

    def offered_now():
        return get_slots(c, s["id"], first, first + dt.timedelta(days=7), tz="UTC")[:5]

    offered = offered_now()
    b = book_ok(c, s["id"], offered[0]["start"])
    t0 = time.monotonic()
    body = assert_409(book(c, s["id"], asked), "slot_unavailable")
    took = time.monotonic() - t0
    assert took < 10, f"a year-1 booking took {took:.1f} s"
    t0 = time.monotonic()
    moved = assert_409(c.post(burl(b["id"], "reschedule"), json={"start": asked}), "slot_unavailable")
    took = time.monotonic() - t0
    assert took < 10, f"a year-1 reschedule took {took:.1f} s"
    # The first three slots offered now: after the booked one, unless the
    # clock passed the next one's notice between the reads.
    assert body["next_slots"] in (offered[1:4], offered[2:5]), (body, offered)
    assert_next_slots_offered(c, s["id"], body, asked)
    # A reschedule does not count the booking itself against the new start.
    assert moved["next_slots"] in (offered[0:3], offered[1:4]), (moved, offered)
    assert c.get(burl(b["id"])).json()["start"] == b["start"]
    assert c.get(f"{API}/bookings").json()["total"] == 1


def test_create_validation(make_user):
    _, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    naive = f"{day}T09:00:00"
    assert_422(book(c, s["id"], naive), "start")
    assert_422(book(c, s["id"], f"{day} 09:00"), "start")
    assert_422(book(c, s["id"], "tomorrow"), "start")
    assert_422(c.post(f"{API}/bookings", json={"service_id": s["id"]}), "start")
    assert_422(c.post(f"{API}/bookings", json={"start": lz(day, "09:00")}), "service_id")
    assert_422(book(c, "abc", lz(day, "09:00")), "service_id")
    assert_422(book(c, s["id"], lz(day, "09:00"), notes="n" * 1001), "notes")
    assert c.get(f"{API}/bookings").json()["total"] == 0
    b = book_ok(c, s["id"], lz(day, "09:00"), notes="n" * 1000)
    assert b["notes"] == "n" * 1000


def test_create_unknown_service_404(make_user):
    c = make_user("customer")
    r = book(c, 987654321, lz(future_monday(), "09:00"))
    assert r.status_code == 404, r.text
    assert r.json() == {"detail": "Service not found"}


# --- list ---------------------------------------------------------------------

def test_list_filters_order_and_visibility(make_user, admin):
    p, s = open_provider(make_user, windows=(("monday", "09:00", "17:00"), ("tuesday", "09:00", "17:00")))
    day1 = future_monday()
    day2 = day1 + dt.timedelta(days=1)
    a, b = make_user("customer"), make_user("customer")
    a1 = book_ok(a, s["id"], lz(day1, "11:00"))
    b1 = book_ok(b, s["id"], lz(day1, "10:00"))
    a2 = book_ok(a, s["id"], lz(day2, "10:00"))
    a3 = book_ok(a, s["id"], lz(day1, "09:00"))
    r = a.post(burl(a3["id"], "cancel"), json={})
    assert r.status_code == 200, r.text
    a4 = book_ok(b, s["id"], lz(day1, "09:00"))  # same start as a3, larger id
    assert a4["id"] > a3["id"]
    order = [a3["id"], a4["id"], b1["id"], a1["id"], a2["id"]]

    page = p.get(f"{API}/bookings").json()
    assert page["total"] == 5 and page["limit"] == 50 and page["offset"] == 0
    assert [x["id"] for x in page["items"]] == order
    assert all(BOOKING_FIELDS <= set(x) for x in page["items"])

    assert [x["id"] for x in all_pages(a, f"{API}/bookings")] == [a3["id"], a1["id"], a2["id"]]
    assert [x["id"] for x in all_pages(b, f"{API}/bookings")] == [a4["id"], b1["id"]]
    assert all_pages(make_user("customer"), f"{API}/bookings") == []
    assert all_pages(make_user("provider"), f"{API}/bookings") == []

    assert [x["id"] for x in all_pages(p, f"{API}/bookings", {"status": "cancelled"})] == [a3["id"]]
    assert [x["id"] for x in all_pages(p, f"{API}/bookings", {"status": "confirmed"})] == order[1:]
    assert all_pages(p, f"{API}/bookings", {"status": "completed"}) == []
    assert [x["id"] for x in all_pages(a, f"{API}/bookings", {"status": "confirmed"})] == [a1["id"], a2["id"]]

    # from inclusive, to exclusive, on start; any offset.
    rng = {"from": lz(day1, "10:00"), "to": lz(day2, "10:00")}
    assert [x["id"] for x in all_pages(p, f"{API}/bookings", rng)] == [b1["id"], a1["id"]]
    rng = {"from": f"{day1}T11:00:00+01:00", "to": f"{day2}T11:00:00+01:00"}
    assert [x["id"] for x in all_pages(p, f"{API}/bookings", rng)] == [b1["id"], a1["id"]]
    rng = {"from": lz(day1, "10:00"), "to": lz(day2, "10:01")}
    assert [x["id"] for x in all_pages(p, f"{API}/bookings", rng)] == [b1["id"], a1["id"], a2["id"]]
    assert [x["id"] for x in all_pages(p, f"{API}/bookings", {"to": lz(day1, "10:00")})] == order[:2]
    assert [x["id"] for x in all_pages(p, f"{API}/bookings", {"from": lz(day1, "10:00")})] == order[2:]

    # Paging.
    r = p.get(f"{API}/bookings", params={"limit": 2, "offset": 1})
    assert r.status_code == 200, r.text
    pg = r.json()
    assert pg["total"] == 5 and pg["limit"] == 2 and pg["offset"] == 1
    assert [x["id"] for x in pg["items"]] == order[1:3]
    pg = p.get(f"{API}/bookings", params={"limit": 2, "offset": 4}).json()
    assert [x["id"] for x in pg["items"]] == order[4:]
    pg = p.get(f"{API}/bookings", params={"limit": 2, "offset": 10}).json()
    assert pg["items"] == [] and pg["total"] == 5
    for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "x"}):
        assert p.get(f"{API}/bookings", params=bad).status_code == 422, bad
    assert_422(p.get(f"{API}/bookings", params={"from": f"{day1}T10:00:00"}), "from")

    # The admin sees all of them, in the same order, among everybody else's.
    everything = all_pages(admin, f"{API}/bookings", {"from": lz(day1, "00:00"), "to": lz(day2, "24:00")})
    keys = [(parse_z(x["start"]), x["id"]) for x in everything]
    assert keys == sorted(keys)
    assert [x["id"] for x in everything if x["provider_id"] == p.user["id"]] == order


# --- visibility -----------------------------------------------------------------

def test_other_users_get_404(make_user):
    p, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    b = book_ok(c, s["id"], lz(day, "09:00"))
    stranger, other_provider = make_user("customer"), make_user("provider")
    for who in (stranger, other_provider):
        r = who.get(burl(b["id"]))
        assert r.status_code == 404, r.text
        assert r.json() == NOT_FOUND
        r = who.post(burl(b["id"], "cancel"), json={"reason": "not mine"})
        assert r.status_code == 404, r.text
        assert r.json() == NOT_FOUND
        r = who.post(burl(b["id"], "reschedule"), json={"start": lz(day, "12:00")})
        assert r.status_code == 404, r.text
        assert r.json() == NOT_FOUND
    r = stranger.get(burl(987654321))
    assert r.status_code == 404 and r.json() == NOT_FOUND
    assert c.get(burl(b["id"])).json() == b


# --- cancel -----------------------------------------------------------------------

def test_cancel(make_user, admin):
    p, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    b = book_ok(c, s["id"], lz(day, "09:00"))
    assert lz(day, "09:00") not in starts(get_slots(c, s["id"], day))

    r = c.post(burl(b["id"], "cancel"), json={"reason": "sick"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["id"] == b["id"]
    assert got["status"] == "cancelled"
    assert got["cancel_reason"] == "sick"
    cancelled_at = parse_z(got["cancelled_at"])
    assert abs(cancelled_at.timestamp() - time.time()) < 120
    assert got["start"] == b["start"] and got["end"] == b["end"]
    assert c.get(burl(b["id"])).json()["status"] == "cancelled"

    # Offered again at once, and bookable by someone else.
    assert lz(day, "09:00") in starts(get_slots(c, s["id"], day))
    book_ok(make_user("customer"), s["id"], lz(day, "09:00"))

    body = assert_409(c.post(burl(b["id"], "cancel"), json={}), "booking_not_changeable")
    assert body["detail"] == "Booking cannot be changed"
    assert_409(p.post(burl(b["id"], "cancel"), json={}), "booking_not_changeable")

    # Provider and admin may cancel; a body is optional.
    b2 = book_ok(c, s["id"], lz(day, "11:00"))
    r = p.post(burl(b2["id"], "cancel"), json={})
    assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    b3 = book_ok(c, s["id"], lz(day, "12:00"))
    r = admin.post(burl(b3["id"], "cancel"), json={"reason": "closed"})
    assert r.status_code == 200 and r.json()["cancel_reason"] == "closed", r.text


def test_cancel_notice(make_user, admin):
    # Bookings lie 14-20 days ahead; a 30-day notice makes every customer change too late.
    p, s = open_provider(make_user, cancel_notice_minutes=30 * 24 * 60)
    day = future_monday()
    c = make_user("customer")
    b = book_ok(c, s["id"], lz(day, "09:00"))
    assert_409(c.post(burl(b["id"], "cancel"), json={}), "booking_not_changeable")
    assert_409(c.post(burl(b["id"], "reschedule"), json={"start": lz(day, "13:00")}), "booking_not_changeable")
    assert c.get(burl(b["id"])).json() == b

    r = p.post(burl(b["id"], "reschedule"), json={"start": lz(day, "13:00")})
    assert r.status_code == 200, r.text
    assert r.json()["start"] == lz(day, "13:00")
    r = p.post(burl(b["id"], "cancel"), json={})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"

    b2 = book_ok(c, s["id"], lz(day, "10:00"))
    r = admin.post(burl(b2["id"], "cancel"), json={})
    assert r.status_code == 200, r.text

    # A 1-day notice leaves a customer free to cancel two weeks ahead.
    s2 = make_service(p, name="Short notice", cancel_notice_minutes=24 * 60)
    b3 = book_ok(c, s2["id"], lz(day, "15:00"))
    r = c.post(burl(b3["id"], "cancel"), json={})
    assert r.status_code == 200, r.text


# --- reschedule -------------------------------------------------------------------

def test_reschedule(make_user):
    p, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    b = book_ok(c, s["id"], lz(day, "09:00"), notes="keep me")
    r = c.post(burl(b["id"], "reschedule"), json={"start": lz(day, "11:00")})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["id"] == b["id"]
    assert got["start"] == lz(day, "11:00") and got["end"] == lz(day, "12:00")
    assert got["status"] == "confirmed"
    assert got["customer_id"] == c.user["id"] and got["service_id"] == s["id"]
    assert got["notes"] == "keep me"
    assert c.get(burl(b["id"])).json()["start"] == lz(day, "11:00")
    offered = starts(get_slots(c, s["id"], day))
    assert lz(day, "09:00") in offered
    assert lz(day, "11:00") not in offered
    # Still one booking.
    assert c.get(f"{API}/bookings").json()["total"] == 1

    # Another day, with an offset.
    nxt = day + dt.timedelta(days=7)
    r = p.post(burl(b["id"], "reschedule"), json={"start": f"{nxt}T16:00:00+02:00"})
    assert r.status_code == 200, r.text
    assert r.json()["start"] == lz(nxt, "14:00")

    assert_422(c.post(burl(b["id"], "reschedule"), json={"start": f"{day}T10:00:00"}), "start")
    assert_422(c.post(burl(b["id"], "reschedule"), json={}), "start")
    assert c.get(burl(b["id"])).json()["start"] == lz(nxt, "14:00")


def test_reschedule_to_unavailable_slot(make_user):
    _, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    b = book_ok(c, s["id"], lz(day, "09:00"))
    book_ok(make_user("customer"), s["id"], lz(day, "13:00"))
    before = c.get(burl(b["id"])).json()
    for asked in (lz(day, "13:00"), lz(day, "13:30"), lz(day, "20:00")):
        body = assert_409(c.post(burl(b["id"], "reschedule"), json={"start": asked}), "slot_unavailable")
        assert_next_slots_offered(c, s["id"], body, asked)
    assert c.get(burl(b["id"])).json() == before
    assert lz(day, "09:00") not in starts(get_slots(c, s["id"], day))


def test_reschedule_overlapping_own_time(make_user):
    # 60 minutes every 30: moving 09:00 to 09:30 overlaps only the booking itself.
    _, s = open_provider(make_user, windows=(("monday", "09:00", "12:00"),), duration_minutes=60,
                         slot_interval_minutes=30, buffer_before_minutes=15, buffer_after_minutes=15)
    day = future_monday()
    c = make_user("customer")
    b = book_ok(c, s["id"], lz(day, "09:00"))
    r = c.post(burl(b["id"], "reschedule"), json={"start": lz(day, "09:30")})
    assert r.status_code == 200, r.text
    assert r.json()["start"] == lz(day, "09:30") and r.json()["end"] == lz(day, "10:30")
    # Occupied now [09:15, 10:45); candidate s occupies [s - 15, s + 75).
    assert starts(get_slots(c, s["id"], day)) == [lz(day, "11:00")]
    r = c.post(burl(b["id"], "reschedule"), json={"start": lz(day, "09:00")})
    assert r.status_code == 200, r.text
    assert r.json()["start"] == lz(day, "09:00")
    assert starts(get_slots(c, s["id"], day)) == [lz(day, "10:30"), lz(day, "11:00")]


def test_reschedule_keeps_duration_and_buffers(make_user):
    p, s = open_provider(make_user, duration_minutes=60, slot_interval_minutes=60)
    day = future_monday()
    c = make_user("customer")
    b = book_ok(c, s["id"], lz(day, "09:00"))
    r = p.patch(f"{API}/services/{s['id']}",
                json={"duration_minutes": 30, "buffer_before_minutes": 30, "buffer_after_minutes": 30})
    assert r.status_code == 200, r.text
    r = c.post(burl(b["id"], "reschedule"), json={"start": lz(day, "12:00")})
    assert r.status_code == 200, r.text
    assert r.json()["start"] == lz(day, "12:00") and r.json()["end"] == lz(day, "13:00")
    # The booking still occupies [12:00, 13:00) without buffers; a new 30-minute
    # candidate occupies [s - 30, s + 60): 11:00 fits, 12:00 and 13:00 do not.
    offered = starts(get_slots(c, s["id"], day))
    assert lz(day, "11:00") in offered and lz(day, "14:00") in offered
    assert lz(day, "12:00") not in offered and lz(day, "13:00") not in offered


def test_booking_respects_min_notice_and_time_off(make_user):
    p, s = open_provider(make_user, min_notice_minutes=30 * 24 * 60)
    day = future_monday()  # 14-20 days ahead: inside the 30-day notice
    c = make_user("customer")
    asked = lz(day, "09:00")
    body = assert_409(book(c, s["id"], asked), "slot_unavailable")
    nxt = assert_next_slots_offered(c, s["id"], body, asked)
    assert len(nxt) == 3
    assert all(parse_z(x["start"]).timestamp() >= time.time() + 30 * 86400 - 120 for x in nxt), nxt

    p2, s2 = open_provider(make_user)
    r = p2.post(f"{API}/providers/{p2.user['id']}/time-off",
                json={"start": lz(day, "09:30"), "end": lz(day, "10:30"), "reason": "errand"})
    assert r.status_code == 201, r.text
    for hm in ("09:00", "10:00"):
        body = assert_409(book(c, s2["id"], lz(day, hm)), "slot_unavailable")
        assert body["next_slots"][0]["start"] == lz(day, "11:00")
    book_ok(c, s2["id"], lz(day, "11:00"))
    # Time off may cover existing bookings: they stay.
    r = p2.post(f"{API}/providers/{p2.user['id']}/time-off",
                json={"start": lz(day, "10:30"), "end": lz(day, "17:00")})
    assert r.status_code == 201, r.text
    mine = all_pages(c, f"{API}/bookings")
    assert [(x["start"], x["status"]) for x in mine] == [(lz(day, "11:00"), "confirmed")]


def test_bookings_need_a_token(base_url):
    import requests
    for m, path in (("GET", "/bookings"), ("POST", "/bookings"), ("GET", "/bookings/1"),
                    ("POST", "/bookings/1/cancel")):
        r = requests.request(m, base_url + API + path, json={}, timeout=30)
        assert r.status_code == 401, (m, path, r.status_code)
        assert r.json() == {"detail": "Not authenticated"}


def test_reschedule_cancelled_409(make_user):
    _, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    b = book_ok(c, s["id"], lz(day, "09:00"))
    assert c.post(burl(b["id"], "cancel"), json={}).status_code == 200
    assert_409(c.post(burl(b["id"], "reschedule"), json={"start": lz(day, "10:00")}), "booking_not_changeable")
    got = c.get(burl(b["id"])).json()
    assert got["status"] == "cancelled" and got["start"] == lz(day, "09:00")


# --- complete -----------------------------------------------------------------------

def _hour_ago(hours):
    t = dt.datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return t - dt.timedelta(hours=hours)


def test_complete(make_user, admin, server, backend):
    p, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    future = book_ok(c, s["id"], lz(day, "09:00"))
    assert_409(p.post(burl(future["id"], "complete"), json={}), "booking_not_changeable")
    assert c.get(burl(future["id"])).json()["status"] == "confirmed"

    start = _hour_ago(48)
    past_id = insert_past_booking(server, backend, s, c.user["id"], start, 60)
    got = c.get(burl(past_id))
    assert got.status_code == 200, got.text
    assert got.json()["start"] == iso_z(start) and got.json()["status"] == "confirmed"

    r = c.post(burl(past_id, "complete"), json={})
    assert r.status_code in (403, 404), r.text
    assert c.get(burl(past_id)).json()["status"] == "confirmed"
    assert make_user("provider").post(burl(past_id, "complete"), json={}).status_code in (403, 404)

    r = p.post(burl(past_id, "complete"), json={})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == past_id and r.json()["status"] == "completed"
    assert c.get(burl(past_id)).json()["status"] == "completed"
    assert_409(p.post(burl(past_id, "complete"), json={}), "booking_not_changeable")
    assert_409(p.post(burl(past_id, "cancel"), json={}), "booking_not_changeable")
    assert_409(admin.post(burl(past_id, "cancel"), json={}), "booking_not_changeable")
    assert_409(p.post(burl(past_id, "reschedule"), json={"start": lz(day, "12:00")}), "booking_not_changeable")
    assert c.get(burl(past_id)).json()["status"] == "completed"
    assert [x["id"] for x in all_pages(p, f"{API}/bookings", {"status": "completed"})] == [past_id]

    # An admin may complete; a started booking can no longer be cancelled.
    other = insert_past_booking(server, backend, s, c.user["id"], _hour_ago(72), 60)
    r = admin.post(burl(other, "complete"), json={})
    assert r.status_code == 200 and r.json()["status"] == "completed", r.text
    third = insert_past_booking(server, backend, s, c.user["id"], _hour_ago(96), 60)
    assert_409(p.post(burl(third, "cancel"), json={}), "booking_not_changeable")
    assert_409(c.post(burl(third, "cancel"), json={}), "booking_not_changeable")
    assert c.get(burl(third)).json()["status"] == "confirmed"


# --- idempotency ----------------------------------------------------------------------

def test_idempotency_key(make_user):
    _, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    key = {"Idempotency-Key": "key-" + str(time.time())}
    r1 = book(c, s["id"], lz(day, "09:00"), headers=key, notes="once")
    assert r1.status_code == 201, r1.text
    r2 = book(c, s["id"], lz(day, "09:00"), headers=key, notes="once")
    assert r2.status_code == r1.status_code
    assert r2.json() == r1.json()
    assert c.get(f"{API}/bookings").json()["total"] == 1

    r3 = book(c, s["id"], lz(day, "10:00"), headers=key, notes="once")
    assert_422(r3)
    assert c.get(f"{API}/bookings").json()["total"] == 1

    # Another user's key space is their own.
    c2 = make_user("customer")
    r4 = book(c2, s["id"], lz(day, "11:00"), headers=key)
    assert r4.status_code == 201, r4.text
    assert r4.json()["id"] != r1.json()["id"]

    # Key length 1-255.
    r5 = book(c, s["id"], lz(day, "12:00"), headers={"Idempotency-Key": "k" * 256})
    assert_422(r5)
    assert c.get(f"{API}/bookings").json()["total"] == 1
    r6 = book(c, s["id"], lz(day, "12:00"), headers={"Idempotency-Key": "k" * 255})
    assert r6.status_code == 201, r6.text
    r7 = book(c, s["id"], lz(day, "12:00"), headers={"Idempotency-Key": "k" * 255})
    assert (r7.status_code, r7.json()) == (201, r6.json())
    assert c.get(f"{API}/bookings").json()["total"] == 2


def test_idempotency_replays_a_conflict(make_user):
    p, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    blocker = book_ok(make_user("customer"), s["id"], lz(day, "10:00"))
    key = {"Idempotency-Key": "conflict-" + str(time.time())}
    r1 = book(c, s["id"], lz(day, "10:00"), headers=key)
    assert_409(r1, "slot_unavailable")
    # The slot becomes free, yet the same key returns the first response again
    # ("returns the first response (status and body) without booking again").
    assert p.post(burl(blocker["id"], "cancel"), json={}).status_code == 200
    r2 = book(c, s["id"], lz(day, "10:00"), headers=key)
    assert r2.status_code == 409 and r2.json() == r1.json(), r2.text
    assert c.get(f"{API}/bookings").json()["total"] == 0
    # A new key books it.
    r3 = book(c, s["id"], lz(day, "10:00"), headers={"Idempotency-Key": "fresh-" + str(time.time())})
    assert r3.status_code == 201, r3.text


def test_idempotency_replays_a_booking_cancelled_since(make_user):
    # The retry finds the slot free again; booking it would make a second
    # booking for one key, so the first answer comes back and nothing is booked.
    p, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    key = {"Idempotency-Key": "cancelled-" + str(time.time())}
    r1 = book(c, s["id"], lz(day, "11:00"), headers=key)
    assert r1.status_code == 201, r1.text
    assert c.post(burl(r1.json()["id"], "cancel"), json={}).status_code == 200
    r2 = book(c, s["id"], lz(day, "11:00"), headers=key)
    assert (r2.status_code, r2.json()) == (201, r1.json())
    assert [b["id"] for b in c.get(f"{API}/bookings").json()["items"]] == [r1.json()["id"]]


def test_idempotency_key_row_is_written_with_its_booking(make_user, server):
    _, s = open_provider(make_user)
    c = make_user("customer")
    key = "row-" + str(time.time())
    r = book(c, s["id"], lz(future_monday(), "12:00"), headers={"Idempotency-Key": key})
    assert r.status_code == 201, r.text
    rows = sql_rows(server.database_url, "SELECT status_code, response_body, length(request_hash) "
                                         f"FROM idempotency_keys WHERE key = '{key}'")
    assert len(rows) == 1
    assert rows[0][0] == "201" and rows[0][2] == "64"
    assert json.loads(rows[0][1]) == r.json()


def test_idempotency_key_older_than_a_day_books_anew(make_user, server):
    _, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    key = "old-" + str(time.time())
    first = book(c, s["id"], lz(day, "13:00"), headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    older = ("created_at - 90000" if server.database_url.startswith("sqlite:")
             else "created_at - interval '25 hours'")
    sql_rows(server.database_url, f"UPDATE idempotency_keys SET created_at = {older} WHERE key = '{key}'")
    again = book(c, s["id"], lz(day, "14:00"), headers={"Idempotency-Key": key})
    assert again.status_code == 201, again.text
    assert again.json()["id"] != first.json()["id"]
    assert c.get(f"{API}/bookings").json()["total"] == 2
    replay = book(c, s["id"], lz(day, "14:00"), headers={"Idempotency-Key": key})
    assert (replay.status_code, replay.json()) == (201, again.json())


def test_idempotency_twins_at_once_make_one_booking(make_user, base_url):
    _, s = open_provider(make_user)
    c = make_user("customer")
    key = "twins-" + str(time.time())
    body = {"service_id": s["id"], "start": lz(future_monday(), "15:00")}
    calls = [(base_url, c.token, body)] * 12
    results = race(calls, headers={"Idempotency-Key": key})
    made = {r[1]["id"] for r in results if r[0] == 201}
    assert len(made) == 1, results
    assert all(r[0] == 201 or (r[0] == 409 and r[1]["code"] == "idempotency_in_flight") for r in results), results
    assert c.get(f"{API}/bookings").json()["total"] == 1
