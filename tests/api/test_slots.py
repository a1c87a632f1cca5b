"""GET /api/v1/services/{id}/slots over HTTP (API.md, Slots)."""
import datetime as dt
import time

from booking_helpers import (API, assert_422, book_ok, future_monday, get_slots, lz, make_service,
                             open_provider, parse_z, slot, starts, local, today)

BERLIN = "Europe/Berlin"


def slots_url(sid):
    return f"{API}/services/{sid}/slots"


def test_berlin_monday_exact_utc_starts(make_user):
    p, s = open_provider(make_user, tz=BERLIN, windows=(("monday", "09:00", "12:00"),), duration_minutes=60)
    day = future_monday(BERLIN)
    c = make_user("customer")
    r = c.get(slots_url(s["id"]), params={"from": str(day), "to": str(day)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["service_id"] == s["id"]
    assert body["provider_id"] == p.user["id"]
    assert body["timezone"] == BERLIN
    expected = [slot(local(day, h, BERLIN), 60) for h in ("09:00", "10:00", "11:00")]
    assert body["slots"] == expected
    # The UTC offset really was applied (Berlin is UTC+1 or UTC+2).
    first = parse_z(body["slots"][0]["start"])
    assert first.hour in (7, 8) and first.minute == 0

    # A whole week holds the one monday; two weeks hold two, ascending.
    week = get_slots(c, s["id"], day, day + dt.timedelta(days=6))
    assert week == expected
    two = get_slots(c, s["id"], day - dt.timedelta(days=1), day + dt.timedelta(days=7))
    nxt = day + dt.timedelta(days=7)
    assert two == expected + [slot(local(nxt, h, BERLIN), 60) for h in ("09:00", "10:00", "11:00")]


def test_interval_and_window_end(make_user):
    # 50-minute service every 20 minutes in 09:00-11:00: starts while s + 50 <= 11:00.
    _, s = open_provider(make_user, windows=(("wednesday", "09:00", "11:00"),),
                         duration_minutes=50, slot_interval_minutes=20)
    day = future_monday() + dt.timedelta(days=2)
    got = get_slots(make_user("customer"), s["id"], day)
    assert got == [slot(local(day, h), 50) for h in ("09:00", "09:20", "09:40", "10:00")]


def test_timezone_param_reads_dates(make_user):
    # 20:00-24:00 Berlin is 18:00/19:00-22:00/23:00 UTC: in Tokyo (UTC+9, no DST)
    # every one of these starts falls on the tuesday.
    _, s = open_provider(make_user, tz=BERLIN, windows=(("monday", "20:00", "24:00"),), duration_minutes=60)
    day = future_monday(BERLIN)
    tuesday = day + dt.timedelta(days=1)
    c = make_user("customer")
    expected = [slot(local(day, h, BERLIN), 60) for h in ("20:00", "21:00", "22:00", "23:00")]
    assert get_slots(c, s["id"], day) == expected

    r = c.get(slots_url(s["id"]), params={"from": str(day), "to": str(day), "timezone": "Asia/Tokyo"})
    assert r.status_code == 200, r.text
    assert r.json()["slots"] == []
    assert r.json()["timezone"] == "Asia/Tokyo"
    assert get_slots(c, s["id"], tuesday, tz="Asia/Tokyo") == expected
    # In the provider's own zone the tuesday has nothing.
    assert get_slots(c, s["id"], tuesday) == []
    # UTC: all still on the monday.
    assert get_slots(c, s["id"], day, tz="UTC") == expected


def test_bad_timezone_param_422(make_user):
    _, s = open_provider(make_user)
    day = future_monday()
    r = make_user("customer").get(slots_url(s["id"]),
                                  params={"from": str(day), "to": str(day), "timezone": "Mars/Base"})
    assert_422(r, "timezone")


def test_range_validation(make_user):
    _, s = open_provider(make_user)
    c = make_user("customer")
    day = future_monday()
    url = slots_url(s["id"])

    r = c.get(url, params={"from": str(day), "to": str(day - dt.timedelta(days=1))})
    assert_422(r)
    r = c.get(url, params={"from": str(day), "to": str(day + dt.timedelta(days=61))})
    assert r.status_code == 200, r.text
    assert len(r.json()["slots"]) > 0
    r = c.get(url, params={"from": str(day), "to": str(day + dt.timedelta(days=62))})
    assert_422(r)
    for bad in ("2031-02-30", "2031-2-3", "soon", "2031-02-03T00:00:00Z", ""):
        r = c.get(url, params={"from": bad, "to": str(day)})
        assert r.status_code == 422, (bad, r.status_code, r.text)
        assert_422(r, "from")
    r = c.get(url, params={"from": str(day), "to": "2031-13-01"})
    assert_422(r, "to")
    r = c.get(url, params={"to": str(day)})
    assert_422(r, "from")
    for d in r.json()["detail"]:
        assert d["loc"][0] == "query"


def test_unknown_and_inactive_service_404(make_user):
    p, s = open_provider(make_user)
    c = make_user("customer")
    day = future_monday()
    r = c.get(slots_url(987654321), params={"from": str(day), "to": str(day)})
    assert r.status_code == 404, r.text
    assert r.json() == {"detail": "Service not found"}
    assert p.delete(f"{API}/services/{s['id']}").status_code == 204
    r = c.get(slots_url(s["id"]), params={"from": str(day), "to": str(day)})
    assert r.status_code == 404, r.text
    assert r.json() == {"detail": "Service not found"}


def test_slots_need_a_token(make_user, base_url):
    import requests
    _, s = open_provider(make_user)
    day = future_monday()
    r = requests.get(base_url + slots_url(s["id"]), params={"from": str(day), "to": str(day)}, timeout=30)
    assert r.status_code == 401


def test_booking_removes_slots_with_buffers(make_user):
    # duration 60, every 30 min, 30 min buffer after, window 09:00-13:00.
    p, s = open_provider(make_user, windows=(("monday", "09:00", "13:00"),), duration_minutes=60,
                         slot_interval_minutes=30, buffer_after_minutes=30)
    # Another service of the same provider: 30 min with a 30 min buffer before.
    s2 = make_service(p, name="Short", duration_minutes=30, buffer_before_minutes=30)
    day = future_monday()
    c = make_user("customer")
    all_starts = [lz(day, h) for h in ("09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00")]
    assert starts(get_slots(c, s["id"], day)) == all_starts

    book_ok(c, s["id"], lz(day, "10:00"))
    # The booking occupies [10:00, 11:30); a candidate s occupies [s, s + 90).
    assert starts(get_slots(c, s["id"], day)) == [lz(day, "11:30"), lz(day, "12:00")]
    # For the other service a candidate occupies [s - 30, s + 30).
    assert starts(get_slots(c, s2["id"], day)) == [lz(day, h) for h in ("09:00", "09:30", "12:00", "12:30")]


def test_time_off_removes_slots(make_user):
    p, s = open_provider(make_user, windows=(("monday", "09:00", "13:00"),), duration_minutes=60)
    day = future_monday()
    c = make_user("customer")
    assert starts(get_slots(c, s["id"], day)) == [lz(day, h) for h in ("09:00", "10:00", "11:00", "12:00")]
    url = f"{API}/providers/{p.user['id']}/time-off"
    r1 = p.post(url, json={"start": lz(day, "08:00"), "end": lz(day, "10:00"), "reason": "late start"})
    assert r1.status_code == 201, r1.text
    r2 = p.post(url, json={"start": lz(day, "11:30"), "end": lz(day, "11:45")})
    assert r2.status_code == 201, r2.text
    # Half-open: time off ending at 10:00 leaves the 10:00 slot.
    assert starts(get_slots(c, s["id"], day)) == [lz(day, "10:00"), lz(day, "12:00")]
    assert p.delete(f"{url}/{r2.json()['id']}").status_code == 204
    assert starts(get_slots(c, s["id"], day)) == [lz(day, h) for h in ("10:00", "11:00", "12:00")]


def test_time_off_whole_day(make_user):
    p, s = open_provider(make_user, tz=BERLIN, windows=(("monday", "09:00", "17:00"),), duration_minutes=60)
    day = future_monday(BERLIN)
    c = make_user("customer")
    assert len(get_slots(c, s["id"], day, day + dt.timedelta(days=7))) == 16
    r = p.post(f"{API}/providers/{p.user['id']}/time-off",
               json={"start": lz(day, "00:00", BERLIN), "end": lz(day, "24:00", BERLIN)})
    assert r.status_code == 201, r.text
    got = get_slots(c, s["id"], day, day + dt.timedelta(days=7))
    nxt = day + dt.timedelta(days=7)
    assert starts(got) == [lz(nxt, f"{h:02d}:00", BERLIN) for h in range(9, 17)]


def _all_week(make_user, **fields):
    return open_provider(make_user, windows=[(d, "00:00", "24:00") for d in
                                             ("monday", "tuesday", "wednesday", "thursday", "friday",
                                              "saturday", "sunday")], **fields)


def test_min_notice_respected(make_user):
    p, s = _all_week(make_user, duration_minutes=60, min_notice_minutes=3 * 24 * 60)
    s0 = make_service(p, name="No notice", duration_minutes=60)
    c = make_user("customer")
    d0 = today()
    before = int(time.time())
    got = get_slots(c, s["id"], d0, d0 + dt.timedelta(days=6))
    got0 = get_slots(c, s0["id"], d0, d0 + dt.timedelta(days=6))
    after = time.time()
    first = parse_z(got[0]["start"]).timestamp()
    assert before + 72 * 3600 <= first < after + 72 * 3600 + 3600, got[0]
    first0 = parse_z(got0[0]["start"]).timestamp()
    assert before <= first0 < after + 3600, got0[0]
    # Every later hour is offered.
    assert [parse_z(x["start"]).timestamp() for x in got[:5]] == [first + i * 3600 for i in range(5)]


def test_max_advance_respected(make_user):
    p, s = _all_week(make_user, duration_minutes=60, max_advance_days=2)
    c = make_user("customer")
    d0 = today()
    before = int(time.time())
    got = get_slots(c, s["id"], d0, d0 + dt.timedelta(days=6))
    after = time.time()
    last = parse_z(got[-1]["start"]).timestamp()
    assert before + 2 * 86400 - 3600 < last <= after + 2 * 86400, got[-1]
    # Beyond the horizon nothing at all (default horizon 90 days).
    s90 = make_service(p, name="Default horizon", duration_minutes=60)
    far = d0 + dt.timedelta(days=95)
    assert get_slots(c, s90["id"], far, far + dt.timedelta(days=5)) == []


def _last_sunday(year, month):
    d = dt.date(year, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(year, 12, 31)
    while d.weekday() != 6:
        d -= dt.timedelta(days=1)
    return d


def _next_last_sunday(month):
    t = today(BERLIN) + dt.timedelta(days=2)
    d = _last_sunday(t.year, month)
    return d if d >= t else _last_sunday(t.year + 1, month)


def test_dst_spring_forward_gap(make_user):
    # On the last sunday of March 02:00-03:00 does not exist in Berlin (01:00Z).
    # A window from 02:30 starts at 03:30 CEST = 01:30Z; 05:00 CEST = 03:00Z.
    day = _next_last_sunday(3)
    _, s = open_provider(make_user, tz=BERLIN, windows=(("sunday", "02:30", "05:00"),),
                         duration_minutes=30, max_advance_days=730)
    got = get_slots(make_user("customer"), s["id"], day)
    z = lambda hm: f"{day}T{hm}:00Z"
    assert got == [{"start": z("01:30"), "end": z("02:00")}, {"start": z("02:00"), "end": z("02:30")},
                   {"start": z("02:30"), "end": z("03:00")}]


def test_dst_fall_back_overlap(make_user):
    # On the last sunday of October 02:00-03:00 happens twice in Berlin: 02:30 is
    # read as the earlier instant (CEST, 00:30Z); 03:30 CET is 02:30Z.
    day = _next_last_sunday(10)
    _, s = open_provider(make_user, tz=BERLIN, windows=(("sunday", "02:30", "03:30"),),
                         duration_minutes=30, max_advance_days=730)
    got = get_slots(make_user("customer"), s["id"], day)
    z = lambda hm: f"{day}T{hm}:00Z"
    assert starts(got) == [z("00:30"), z("01:00"), z("01:30"), z("02:00")]
    assert got[-1]["end"] == z("02:30")
