"""GET /api/v1/services/{id}/suggestions over HTTP (API.md, Intelligent
scheduling; the ranking rule is docs/SCHEDULING.md)."""
import datetime as dt

import requests

from booking_helpers import (API, assert_422, book_ok, future_monday, get_slots, lz, make_service,
                             open_provider, parse_z, starts)

BERLIN = "Europe/Berlin"
WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def url(sid):
    return f"{API}/services/{sid}/suggestions"


def suggest(client, sid, day_from, day_to=None, **params):
    """The 200 body of suggestions for the local dates [day_from, day_to]."""
    q = {"from": str(day_from), "to": str(day_to or day_from)}
    q.update({k: str(v) for k, v in params.items()})
    r = client.get(url(sid), params=q)
    assert r.status_code == 200, r.text
    return r.json()


def pairs(items):
    return [(x["start"], x["end"]) for x in items]


def test_exactly_the_offered_slots(make_user):
    p, s = open_provider(make_user, windows=(("monday", "09:00", "13:00"), ("tuesday", "09:00", "12:00")),
                         duration_minutes=60, slot_interval_minutes=30)
    day = future_monday()
    c = make_user("customer")
    book_ok(c, s["id"], lz(day, "10:00"))
    tue = day + dt.timedelta(days=1)
    slots = get_slots(c, s["id"], day, tue)
    body = suggest(c, s["id"], day, tue, limit=50)
    assert body["service_id"] == s["id"]
    assert body["provider_id"] == p.user["id"]
    assert body["timezone"] == "UTC"
    got = body["suggestions"]
    # limit=50 on a small range: the whole slots set, each once, in some order.
    assert len(got) == len(slots) == len(set(pairs(got)))
    assert sorted(pairs(got)) == sorted(pairs(slots))
    for x in got:
        assert isinstance(x["score"], int) and x["score"] >= 0
        assert x["reasons"] and all(isinstance(w, str) and w for w in x["reasons"])
    # Best first: scores never rise, and equal scores go by start.
    for a, b in zip(got, got[1:]):
        assert (a["score"], parse_z(b["start"])) >= (b["score"], parse_z(a["start"])), (a, b)
    # The default limit is 5, a subset of the slots and the head of the full order.
    five = suggest(c, s["id"], day, tue)["suggestions"]
    assert len(five) == 5 and five == got[:5]
    # A longer range: still a subset of that range's slots.
    week_slots = set(pairs(get_slots(c, s["id"], day, day + dt.timedelta(days=13))))
    week = suggest(c, s["id"], day, day + dt.timedelta(days=13), limit=50)["suggestions"]
    assert len(week) == min(50, len(week_slots)) and set(pairs(week)) <= week_slots


def test_exact_order_scores_and_short_gap(make_user):
    # 09:00-13:00, 60 minutes every 30; a booking at 10:00-11:00. Offered:
    # 09:00 (window start and the booking: +2), 11:00 (after the booking,
    # 60 free minutes after it: +1), 12:00 (60 free before, window end: +1),
    # 11:30 (30 minutes on each side, shorter than any service: -2).
    p, s = open_provider(make_user, windows=(("monday", "09:00", "13:00"),), duration_minutes=60,
                         slot_interval_minutes=30)
    day = future_monday()
    c = make_user("customer")
    book_ok(c, s["id"], lz(day, "10:00"))
    got = suggest(c, s["id"], day, limit=50)["suggestions"]
    assert starts(got) == [lz(day, h) for h in ("09:00", "11:00", "12:00", "11:30")]
    # 20000 (nothing asked) + 100 x (compactness + 2) + earliness (99 minus the
    # percentage of the day gone by at the start).
    assert [x["score"] for x in got] == [20462, 20354, 20349, 20052]
    assert got[0]["reasons"] == ["at the start of the day's hours", "next to a booking starting at 10:00"]
    assert got[1]["reasons"] == ["next to a booking ending at 11:00"]
    assert got[2]["reasons"] == ["at the end of the day's hours"]
    assert got[3]["reasons"] == ["leaves a 30-minute gap (11:00 to 11:30) that no service fits",
                                 "leaves a 30-minute gap (12:30 to 13:00) that no service fits"]

    # A 30-minute service of the same provider can use those gaps: no longer too short.
    short = make_service(p, name="Short", duration_minutes=30)
    got = suggest(c, s["id"], day, limit=50)["suggestions"]
    assert starts(got) == [lz(day, h) for h in ("09:00", "11:00", "12:00", "11:30")]
    assert got[3]["score"] == 20252
    assert got[3]["reasons"] == ["the free time on both sides can still be booked"]
    # Inactive services do not count.
    assert p.delete(f"{API}/services/{short['id']}").status_code == 204
    assert suggest(c, s["id"], day, limit=50)["suggestions"][3]["score"] == 20052


def test_next_to_booking_beats_lone_slot(make_user):
    _, s = open_provider(make_user, windows=(("monday", "09:00", "17:00"),), duration_minutes=60)
    day = future_monday()
    c = make_user("customer")
    book_ok(c, s["id"], lz(day, "13:00"))
    got = suggest(c, s["id"], day, limit=50)["suggestions"]
    order = starts(got)
    # Touching something (window edges, the booking) first, by start; then the lone ones.
    assert order == [lz(day, h) for h in ("09:00", "12:00", "14:00", "16:00", "10:00", "11:00", "15:00")]
    by_start = {x["start"]: x for x in got}
    assert "next to a booking starting at 13:00" in by_start[lz(day, "12:00")]["reasons"]
    assert "next to a booking ending at 14:00" in by_start[lz(day, "14:00")]["reasons"]
    assert by_start[lz(day, "12:00")]["score"] > by_start[lz(day, "10:00")]["score"]


def test_buffers_count_in_adjacency(make_user):
    # 60 minutes with 30 minutes' buffer after, every 30 minutes, 09:00-13:00:
    # a booking at 09:00 occupies 09:00-10:30, so 10:30 is next to it.
    _, s = open_provider(make_user, windows=(("monday", "09:00", "13:00"),), duration_minutes=60,
                         slot_interval_minutes=30, buffer_after_minutes=30)
    day = future_monday()
    c = make_user("customer")
    book_ok(c, s["id"], lz(day, "09:00"))
    got = suggest(c, s["id"], day, limit=50)["suggestions"]
    # Free time between bookings must hold 60 + 30 minutes; before the
    # window's end 60 will do (a buffer after may hang over the end).
    assert starts(got) == [lz(day, h) for h in ("10:30", "12:00", "11:30", "11:00")]
    assert got[0]["reasons"] == ["next to a booking ending at 10:30"]
    assert got[1]["reasons"] == ["at the end of the day's hours"]
    assert got[2]["reasons"] == ["leaves a 60-minute gap (10:30 to 11:30) that no service fits",
                                 "at the end of the day's hours"]


def test_asked_days_and_hours_win(make_user):
    _, s = open_provider(make_user, windows=[(d, "09:00", "17:00") for d in WEEK], duration_minutes=60)
    day = future_monday()
    c = make_user("customer")
    # Monday's 12:00 is next to a booking: compact, but not what is asked.
    book_ok(c, s["id"], lz(day, "13:00"))
    end = day + dt.timedelta(days=6)
    got = suggest(c, s["id"], day, end, days="tue, THU", after="10:00", before="12:00", limit=50)["suggestions"]
    tue, thu = day + dt.timedelta(days=1), day + dt.timedelta(days=3)
    asked = [lz(tue, "10:00"), lz(tue, "11:00"), lz(thu, "10:00"), lz(thu, "11:00")]
    assert starts(got[:4]) == asked
    assert got[0]["reasons"][:2] == ["Tuesday, as asked", "within the asked hours, 10:00 to 12:00"]
    assert got[2]["reasons"][0] == "Thursday, as asked"
    assert all(x["score"] >= 20000 for x in got[:4]) and all(x["score"] < 20000 for x in got[4:])
    # Next come the slots that meet one of the two asks.
    assert all(10000 <= x["score"] < 20000 for x in got[4:50] if x["score"] >= 10000)
    monday_noon = [x for x in got if x["start"] == lz(day, "12:00")]
    assert monday_noon and "Monday, not one of the asked days" in monday_noon[0]["reasons"]
    # Only hours asked: every day counts; a slot ending at `before` is in.
    got = suggest(c, s["id"], day, end, before="10:00", limit=7)["suggestions"]
    assert starts(got) == [lz(day + dt.timedelta(days=i), "09:00") for i in range(7)]
    # Full day names, any case.
    got = suggest(c, s["id"], day, end, days="Sunday", limit=1)["suggestions"]
    assert got[0]["start"] == lz(end, "09:00") and got[0]["reasons"][0] == "Sunday, as asked"


def test_days_and_reasons_local_to_timezone(make_user):
    # Berlin hours, read in Tokyo: Berlin's monday 20:00-24:00 is Tokyo's tuesday.
    _, s = open_provider(make_user, tz=BERLIN, windows=(("monday", "20:00", "24:00"),), duration_minutes=60)
    day = future_monday(BERLIN)
    c = make_user("customer")
    book_ok(c, s["id"], lz(day, "21:00", BERLIN))
    tue = day + dt.timedelta(days=1)
    body = suggest(c, s["id"], tue, timezone="Asia/Tokyo", days="tue", limit=50)
    assert body["timezone"] == "Asia/Tokyo"
    assert sorted(starts(body["suggestions"])) == sorted(starts(get_slots(c, s["id"], tue, tz="Asia/Tokyo")))
    first = body["suggestions"][0]
    assert first["start"] == lz(day, "20:00", BERLIN)
    tokyo_booking = parse_z(lz(day, "21:00", BERLIN)) + dt.timedelta(hours=9)
    assert first["reasons"] == ["Tuesday, as asked", "at the start of the day's hours",
                                f"next to a booking starting at {tokyo_booking:%H:%M}"]
    # In the provider's own zone, the same slot is a monday at 20:00.
    body = suggest(c, s["id"], day, days="mon", after="20:00", limit=1)
    assert body["timezone"] == BERLIN
    assert body["suggestions"][0]["reasons"][:2] == ["Monday, as asked", "within the asked hours, from 20:00"]
    assert "next to a booking starting at 21:00" in body["suggestions"][0]["reasons"]


def test_deterministic(make_user):
    _, s = open_provider(make_user, windows=[(d, "08:00", "18:00") for d in WEEK], duration_minutes=45,
                         slot_interval_minutes=15)
    day = future_monday()
    c = make_user("customer")
    book_ok(c, s["id"], lz(day, "11:00"))
    book_ok(c, s["id"], lz(day + dt.timedelta(days=2), "15:15"))
    q = {"from": str(day), "to": str(day + dt.timedelta(days=20)), "days": "mon,wed", "after": "09:30",
         "limit": 50}
    a = c.get(url(s["id"]), params=q)
    b = c.get(url(s["id"]), params=q)
    assert a.status_code == b.status_code == 200
    assert a.content == b.content
    assert len(a.json()["suggestions"]) == 50


def test_validation_422(make_user):
    _, s = open_provider(make_user)
    c = make_user("customer")
    day = future_monday()
    base = {"from": str(day), "to": str(day)}

    def bad(field, **params):
        q = dict(base)
        q.update(params)
        q = {k: v for k, v in q.items() if v is not None}
        r = c.get(url(s["id"]), params=q)
        assert_422(r, field)
        assert all(d["loc"][0] == "query" for d in r.json()["detail"])

    bad("from", **{"from": None})
    bad("to", to=None)
    bad("from", **{"from": "2031-02-30"})
    bad("to", to=str(day - dt.timedelta(days=1)))
    bad("to", to=str(day + dt.timedelta(days=62)))
    bad("timezone", timezone="Mars/Base")
    for days in ("funday", "mon,funday", "", "mon,", "mo"):
        bad("days", days=days)
    for t in ("9:00", "09:60", "24:00", "noon", ""):
        bad("after", after=t)
    for t in ("25:00", "12:5", "x", ""):
        bad("before", before=t)
    bad("before", after="12:00", before="10:00")
    bad("before", after="10:00", before="10:00")
    for limit in ("0", "51", "-1", "five", ""):
        bad("limit", limit=limit)
    # One 422 names every bad parameter at once.
    r = c.get(url(s["id"]), params={"from": "x", "to": str(day), "days": "x", "limit": "0"})
    assert_422(r, "from", "days", "limit")
    # The edges are fine.
    r = c.get(url(s["id"]), params=dict(base, to=str(day + dt.timedelta(days=61)), limit="50",
                                        after="00:00", before="24:00"))
    assert r.status_code == 200, r.text
    assert len(r.json()["suggestions"]) == 50
    assert c.get(url(s["id"]), params=dict(base, limit="1")).json()["suggestions"].__len__() == 1


def test_unknown_and_inactive_service_404(make_user):
    p, s = open_provider(make_user)
    c = make_user("customer")
    day = future_monday()
    q = {"from": str(day), "to": str(day)}
    r = c.get(url(987654321), params=q)
    assert r.status_code == 404, r.text
    assert r.json() == {"detail": "Service not found"}
    assert p.delete(f"{API}/services/{s['id']}").status_code == 204
    r = c.get(url(s["id"]), params=q)
    assert r.status_code == 404, r.text
    assert r.json() == {"detail": "Service not found"}


def test_suggestions_need_a_token(make_user, base_url):
    _, s = open_provider(make_user)
    day = future_monday()
    r = requests.get(base_url + url(s["id"]), params={"from": str(day), "to": str(day)}, timeout=30)
    assert r.status_code == 401
    assert r.json() == {"detail": "Not authenticated"}
    assert r.headers.get("WWW-Authenticate") == "Bearer"
