"""Providers: directory, weekly availability and time off (API.md, Providers)."""
import requests

from booking_helpers import API, all_pages, assert_422, set_week


def avail_url(pid):
    return f"{API}/providers/{pid}/availability"


def timeoff_url(pid):
    return f"{API}/providers/{pid}/time-off"


# --- directory ----------------------------------------------------------------

def test_list_providers_shows_providers_only(make_user):
    p = make_user("provider", name="Dr Listed")
    c = make_user("customer")
    items = all_pages(c, f"{API}/providers")
    by_id = {i["id"]: i for i in items}
    assert p.user["id"] in by_id
    assert c.user["id"] not in by_id
    mine = by_id[p.user["id"]]
    assert mine["name"] == "Dr Listed"
    assert mine["timezone"] == "UTC"
    assert {"id", "name", "timezone"} <= set(mine)
    for item in items:
        assert "password" not in item and "password_hash" not in item


def test_list_providers_is_a_page(make_user):
    make_user("provider")
    make_user("provider")
    c = make_user("customer")
    r = c.get(f"{API}/providers", params={"limit": 1, "offset": 0})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["limit"] == 1 and page["offset"] == 0
    assert page["total"] >= 2
    assert len(page["items"]) == 1
    r2 = c.get(f"{API}/providers", params={"limit": 1, "offset": 1}).json()
    assert r2["items"][0]["id"] != page["items"][0]["id"]
    assert c.get(f"{API}/providers", params={"limit": 0}).status_code == 422
    assert c.get(f"{API}/providers", params={"limit": 101}).status_code == 422
    assert c.get(f"{API}/providers", params={"offset": -1}).status_code == 422


def test_providers_need_a_token(base_url, make_user):
    p = make_user("provider")
    for path in (f"{API}/providers", f"{API}/providers/{p.user['id']}", avail_url(p.user["id"]),
                 timeoff_url(p.user["id"])):
        r = requests.get(base_url + path, timeout=30)
        assert r.status_code == 401, (path, r.status_code)
        assert r.json() == {"detail": "Not authenticated"}
        assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_get_provider(make_user, admin):
    p = make_user("provider", name="Dr Get")
    for reader in (make_user("customer"), make_user("provider"), admin, p):
        r = reader.get(f"{API}/providers/{p.user['id']}")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["id"] == p.user["id"]
        assert body["name"] == "Dr Get"
        assert body["timezone"] == "UTC"


def test_get_provider_not_a_provider_is_404(make_user, admin):
    c = make_user("customer")
    r = c.get(f"{API}/providers/{c.user['id']}")
    assert r.status_code == 404, r.text
    assert "detail" in r.json()
    r = c.get(f"{API}/providers/{admin.user['id']}")
    assert r.status_code == 404, r.text
    r = c.get(f"{API}/providers/987654321")
    assert r.status_code == 404, r.text
    r = c.get(avail_url(987654321))
    assert r.status_code == 404, r.text


def test_provider_timezone_follows_availability(make_user):
    p = make_user("provider")
    set_week(p, "Europe/Berlin", [("monday", "09:00", "12:00")])
    r = make_user("customer").get(f"{API}/providers/{p.user['id']}")
    assert r.json()["timezone"] == "Europe/Berlin"


# --- availability ---------------------------------------------------------------

def test_availability_default(make_user):
    p = make_user("provider")
    r = make_user("customer").get(avail_url(p.user["id"]))
    assert r.status_code == 200, r.text
    assert r.json() == {"timezone": "UTC", "weekly": []}


def test_availability_put_replaces_and_sorts(make_user):
    p = make_user("provider")
    weekly = [
        {"day": "sunday", "start": "10:00", "end": "12:00"},
        {"day": "monday", "start": "13:00", "end": "14:00"},
        {"day": "wednesday", "start": "08:00", "end": "09:00"},
        {"day": "monday", "start": "09:00", "end": "10:00"},
        {"day": "friday", "start": "18:00", "end": "24:00"},
    ]
    r = p.put(avail_url(p.user["id"]), json={"timezone": "America/New_York", "weekly": weekly})
    assert r.status_code == 200, r.text
    expected = {"timezone": "America/New_York", "weekly": [
        {"day": "monday", "start": "09:00", "end": "10:00"},
        {"day": "monday", "start": "13:00", "end": "14:00"},
        {"day": "wednesday", "start": "08:00", "end": "09:00"},
        {"day": "friday", "start": "18:00", "end": "24:00"},
        {"day": "sunday", "start": "10:00", "end": "12:00"},
    ]}
    assert r.json() == expected
    got = make_user("customer").get(avail_url(p.user["id"]))
    assert got.status_code == 200
    assert got.json() == expected

    # A second PUT replaces the whole schedule.
    r = p.put(avail_url(p.user["id"]), json={"timezone": "Asia/Tokyo",
                                            "weekly": [{"day": "tuesday", "start": "07:30", "end": "08:45"}]})
    assert r.status_code == 200, r.text
    assert p.get(avail_url(p.user["id"])).json() == {
        "timezone": "Asia/Tokyo", "weekly": [{"day": "tuesday", "start": "07:30", "end": "08:45"}]}

    # And an empty one clears it.
    r = p.put(avail_url(p.user["id"]), json={"timezone": "UTC", "weekly": []})
    assert r.status_code == 200, r.text
    assert p.get(avail_url(p.user["id"])).json() == {"timezone": "UTC", "weekly": []}


def test_availability_touching_windows_ok(make_user):
    p = make_user("provider")
    weekly = [{"day": "thursday", "start": "12:00", "end": "13:00"},
              {"day": "thursday", "start": "09:00", "end": "12:00"}]
    r = p.put(avail_url(p.user["id"]), json={"timezone": "UTC", "weekly": weekly})
    assert r.status_code == 200, r.text
    assert r.json()["weekly"] == [{"day": "thursday", "start": "09:00", "end": "12:00"},
                                  {"day": "thursday", "start": "12:00", "end": "13:00"}]


def test_availability_same_times_on_different_days_ok(make_user):
    p = make_user("provider")
    weekly = [{"day": d, "start": "00:00", "end": "24:00"} for d in
              ("sunday", "saturday", "friday", "thursday", "wednesday", "tuesday", "monday")]
    r = p.put(avail_url(p.user["id"]), json={"timezone": "UTC", "weekly": weekly})
    assert r.status_code == 200, r.text
    assert [w["day"] for w in r.json()["weekly"]] == [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


BAD_SCHEDULES = [
    ("Mars/Base", [{"day": "monday", "start": "09:00", "end": "12:00"}]),
    ("+05:00", [{"day": "monday", "start": "09:00", "end": "12:00"}]),
    ("", [{"day": "monday", "start": "09:00", "end": "12:00"}]),
    ("UTC", [{"day": "funday", "start": "09:00", "end": "12:00"}]),
    ("UTC", [{"day": "monday", "start": "9:00", "end": "12:00"}]),
    ("UTC", [{"day": "monday", "start": "09:00", "end": "24:01"}]),
    ("UTC", [{"day": "monday", "start": "09:00", "end": "12:60"}]),
    ("UTC", [{"day": "monday", "start": "09:00", "end": "25:00"}]),
    ("UTC", [{"day": "monday", "start": "0900", "end": "12:00"}]),
    ("UTC", [{"day": "monday", "start": "10:00", "end": "10:00"}]),
    ("UTC", [{"day": "monday", "start": "11:00", "end": "10:00"}]),
    ("UTC", [{"day": "monday", "start": "24:00", "end": "24:00"}]),
    ("UTC", [{"day": "monday", "start": "09:00", "end": "12:00"},
             {"day": "monday", "start": "11:00", "end": "13:00"}]),
    ("UTC", [{"day": "monday", "start": "09:00", "end": "17:00"},
             {"day": "monday", "start": "10:00", "end": "11:00"}]),
    ("UTC", [{"day": "monday", "start": "09:00", "end": "12:00"},
             {"day": "monday", "start": "09:00", "end": "12:00"}]),
]


def test_availability_validation(make_user):
    p = make_user("provider")
    good = {"timezone": "Europe/Berlin", "weekly": [{"day": "friday", "start": "08:00", "end": "09:00"}]}
    assert p.put(avail_url(p.user["id"]), json=good).status_code == 200
    for tz, weekly in BAD_SCHEDULES:
        r = p.put(avail_url(p.user["id"]), json={"timezone": tz, "weekly": weekly})
        assert r.status_code == 422, (tz, weekly, r.status_code, r.text)
        assert_422(r)
    # Nothing of a refused schedule was kept.
    assert p.get(avail_url(p.user["id"])).json() == good


def test_availability_zone_names_are_the_system_zone_list(make_user):
    """Files under /usr/share/zoneinfo that are not zones of tzdata's list
    were accepted; right/Europe/Berlin put a 09:00 December window at 07:00Z."""
    p = make_user("provider")
    weekly = [{"day": "monday", "start": "09:00", "end": "17:00"}]
    for tz in ("right/Europe/Berlin", "posix/Europe/Berlin", "right/UTC", "localtime", "posixrules",
               "Factory", "Europe//Berlin", "Europe/./Berlin", "tzdata.zi", "posix", "Etc"):
        r = p.put(avail_url(p.user["id"]), json={"timezone": tz, "weekly": weekly})
        assert_422(r, "timezone")
        assert p.get(avail_url(p.user["id"])).json()["timezone"] == "UTC", tz
    for tz in ("Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Calcutta", "UTC", "Etc/UTC"):
        r = p.put(avail_url(p.user["id"]), json={"timezone": tz, "weekly": weekly})
        assert r.status_code == 200, (tz, r.text)
        assert r.json()["timezone"] == tz
        assert p.get(avail_url(p.user["id"])).json()["timezone"] == tz
        p.put(avail_url(p.user["id"]), json={"timezone": "UTC", "weekly": []})


def test_availability_end_2400_accepted(make_user):
    p = make_user("provider")
    r = p.put(avail_url(p.user["id"]),
              json={"timezone": "UTC", "weekly": [{"day": "saturday", "start": "22:00", "end": "24:00"}]})
    assert r.status_code == 200, r.text
    assert r.json()["weekly"] == [{"day": "saturday", "start": "22:00", "end": "24:00"}]


def test_availability_write_permissions(make_user, admin):
    p = make_user("provider")
    body = {"timezone": "Europe/Paris", "weekly": [{"day": "monday", "start": "09:00", "end": "10:00"}]}
    other = make_user("provider")
    r = other.put(avail_url(p.user["id"]), json=body)
    assert r.status_code == 403, r.text
    r = make_user("customer").put(avail_url(p.user["id"]), json=body)
    assert r.status_code == 403, r.text
    assert p.get(avail_url(p.user["id"])).json() == {"timezone": "UTC", "weekly": []}
    r = admin.put(avail_url(p.user["id"]), json=body)
    assert r.status_code == 200, r.text
    assert p.get(avail_url(p.user["id"])).json() == body


# --- time off -------------------------------------------------------------------

def test_time_off_create_list_delete(make_user):
    p = make_user("provider")
    pid = p.user["id"]
    r = p.post(timeoff_url(pid), json={"start": "2031-03-04T10:00:00+01:00",
                                       "end": "2031-03-04T12:30:00+01:00", "reason": "dentist"})
    assert r.status_code == 201, r.text
    t = r.json()
    assert isinstance(t["id"], int) and t["id"] > 0
    assert t["provider_id"] == pid
    assert t["start"] == "2031-03-04T09:00:00Z"
    assert t["end"] == "2031-03-04T11:30:00Z"
    assert t["reason"] == "dentist"

    r2 = p.post(timeoff_url(pid), json={"start": "2031-03-05T00:00:00Z", "end": "2031-03-06T00:00:00Z"})
    assert r2.status_code == 201, r2.text
    t2 = r2.json()
    assert t2["start"] == "2031-03-05T00:00:00Z" and t2["end"] == "2031-03-06T00:00:00Z"

    reader = make_user("customer")
    r = reader.get(timeoff_url(pid))
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 2
    assert {i["id"] for i in page["items"]} == {t["id"], t2["id"]}
    listed = {i["id"]: i for i in page["items"]}[t["id"]]
    assert listed["start"] == t["start"] and listed["end"] == t["end"]

    r = p.delete(f"{timeoff_url(pid)}/{t['id']}")
    assert r.status_code == 204, r.text
    page = p.get(timeoff_url(pid)).json()
    assert page["total"] == 1
    assert [i["id"] for i in page["items"]] == [t2["id"]]
    r = p.delete(f"{timeoff_url(pid)}/{t['id']}")
    assert r.status_code == 404, r.text


def test_time_off_validation(make_user):
    p = make_user("provider")
    url = timeoff_url(p.user["id"])
    bad = [
        {"start": "2031-03-04T12:00:00Z", "end": "2031-03-04T12:00:00Z"},
        {"start": "2031-03-04T13:00:00Z", "end": "2031-03-04T12:00:00Z"},
        {"start": "2031-03-04T10:00:00", "end": "2031-03-04T12:00:00Z"},
        {"start": "2031-03-04T10:00:00Z", "end": "2031-03-04T12:00:00"},
        {"start": "2031-03-04", "end": "2031-03-05"},
        {"start": "not a time", "end": "2031-03-04T12:00:00Z"},
        {"end": "2031-03-04T12:00:00Z"},
        {"start": "2031-03-04T10:00:00Z"},
    ]
    for body in bad:
        r = p.post(url, json=body)
        assert r.status_code == 422, (body, r.status_code, r.text)
        assert_422(r)
    # +01:00 is 1 h ahead of UTC: 12:30+01:00 == 11:30Z, so start 11:00Z < end.
    r = p.post(url, json={"start": "2031-03-04T11:00:00Z", "end": "2031-03-04T12:30:00+01:00"})
    assert r.status_code == 201, r.text
    # ...and 11:30Z is not before 12:30+01:00.
    r = p.post(url, json={"start": "2031-03-04T11:30:00Z", "end": "2031-03-04T12:30:00+01:00"})
    assert r.status_code == 422, r.text
    assert p.get(url).json()["total"] == 1


def test_time_off_write_permissions(make_user, admin):
    p = make_user("provider")
    url = timeoff_url(p.user["id"])
    body = {"start": "2031-04-01T08:00:00Z", "end": "2031-04-01T09:00:00Z", "reason": "x"}
    assert make_user("provider").post(url, json=body).status_code == 403
    assert make_user("customer").post(url, json=body).status_code == 403
    assert p.get(url).json()["total"] == 0

    r = p.post(url, json=body)
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    assert make_user("provider").delete(f"{url}/{tid}").status_code == 403
    assert make_user("customer").delete(f"{url}/{tid}").status_code == 403
    assert p.get(url).json()["total"] == 1

    r = admin.post(url, json={"start": "2031-04-02T08:00:00Z", "end": "2031-04-02T09:00:00Z"})
    assert r.status_code == 201, r.text
    assert r.json()["provider_id"] == p.user["id"]
    assert admin.delete(f"{url}/{tid}").status_code == 204
    assert [i["id"] for i in p.get(url).json()["items"]] == [r.json()["id"]]
