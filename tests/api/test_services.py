"""Services: create, validate, list, patch, deactivate (API.md, Services)."""
from booking_helpers import (API, all_pages, assert_422, book_ok, future_monday, get_slots, book,
                             lz, make_service, open_provider, starts)

SERVICE_FIELDS = {"id", "provider_id", "name", "description", "duration_minutes", "buffer_before_minutes",
                  "buffer_after_minutes", "slot_interval_minutes", "min_notice_minutes", "max_advance_days",
                  "cancel_notice_minutes", "price_cents", "active", "created_at"}


def test_create_defaults(make_user):
    p = make_user("provider")
    other = make_user("provider")
    r = p.post(f"{API}/services", json={"name": "Haircut", "duration_minutes": 45,
                                        "provider_id": other.user["id"]})
    assert r.status_code == 201, r.text
    s = r.json()
    assert SERVICE_FIELDS <= set(s)
    assert isinstance(s["id"], int) and s["id"] > 0
    assert s["provider_id"] == p.user["id"]
    assert s["name"] == "Haircut"
    assert s["description"] == ""
    assert s["duration_minutes"] == 45
    assert s["buffer_before_minutes"] == 0
    assert s["buffer_after_minutes"] == 0
    assert s["slot_interval_minutes"] == 45
    assert s["min_notice_minutes"] == 0
    assert s["max_advance_days"] == 90
    assert s["cancel_notice_minutes"] == 0
    assert s["price_cents"] == 0
    assert s["active"] is True
    assert isinstance(s["created_at"], str) and s["created_at"].endswith("Z")

    got = make_user("customer").get(f"{API}/services/{s['id']}")
    assert got.status_code == 200, got.text
    assert got.json() == s


def test_create_all_fields(make_user):
    p = make_user("provider")
    body = {"name": "Massage", "description": "Relaxing", "duration_minutes": 90,
            "buffer_before_minutes": 10, "buffer_after_minutes": 20, "slot_interval_minutes": 30,
            "min_notice_minutes": 120, "max_advance_days": 30, "cancel_notice_minutes": 1440,
            "price_cents": 4500}
    s = make_service(p, **body)
    for k, v in body.items():
        assert s[k] == v, k
    assert s["provider_id"] == p.user["id"]


def test_create_bounds_accepted(make_user):
    p = make_user("provider")
    lo = make_service(p, name="x", duration_minutes=5, buffer_before_minutes=0, buffer_after_minutes=0,
                      slot_interval_minutes=5, min_notice_minutes=0, max_advance_days=1,
                      cancel_notice_minutes=0, price_cents=0, description="")
    assert lo["duration_minutes"] == 5 and lo["max_advance_days"] == 1
    hi = make_service(p, name="n" * 200, description="d" * 2000, duration_minutes=1440,
                      buffer_before_minutes=240, buffer_after_minutes=240, slot_interval_minutes=1440,
                      max_advance_days=730)
    assert hi["name"] == "n" * 200 and len(hi["description"]) == 2000
    assert hi["buffer_before_minutes"] == 240 and hi["max_advance_days"] == 730


BAD_FIELDS = [
    ("name", ""),
    ("name", "n" * 201),
    ("name", 123),
    ("name", None),
    ("description", "d" * 2001),
    ("duration_minutes", 4),
    ("duration_minutes", 1441),
    ("duration_minutes", 0),
    ("duration_minutes", "sixty"),
    ("duration_minutes", 60.5),
    ("duration_minutes", None),
    ("duration_minutes", [60]),
    ("buffer_before_minutes", -1),
    ("buffer_before_minutes", 241),
    ("buffer_after_minutes", -1),
    ("buffer_after_minutes", 241),
    ("slot_interval_minutes", 4),
    ("slot_interval_minutes", 1441),
    ("min_notice_minutes", -1),
    ("max_advance_days", 0),
    ("max_advance_days", 731),
    ("cancel_notice_minutes", -1),
    ("price_cents", -1),
    ("price_cents", {"amount": 1}),
    ("price_cents", "free"),
]


def test_create_validation(make_user):
    p = make_user("provider")
    for field, value in BAD_FIELDS:
        body = {"name": "Valid", "duration_minutes": 60}
        body[field] = value
        r = p.post(f"{API}/services", json=body)
        assert r.status_code == 422, (field, value, r.status_code, r.text)
        assert_422(r, field)
    for missing in ("name", "duration_minutes"):
        body = {"name": "Valid", "duration_minutes": 60}
        del body[missing]
        r = p.post(f"{API}/services", json=body)
        assert_422(r, missing)
    # Nothing was created by the refused requests.
    assert all_pages(p, f"{API}/services", {"provider_id": p.user["id"]}) == []


def test_create_two_bad_fields_two_details(make_user):
    p = make_user("provider")
    r = p.post(f"{API}/services", json={"name": "", "duration_minutes": 2})
    assert_422(r, "name", "duration_minutes")


def test_create_admin_needs_provider_id(make_user, admin):
    p = make_user("provider")
    r = admin.post(f"{API}/services", json={"name": "By admin", "duration_minutes": 30})
    assert_422(r, "provider_id")
    r = admin.post(f"{API}/services", json={"name": "By admin", "duration_minutes": 30,
                                            "provider_id": p.user["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["provider_id"] == p.user["id"]
    listed = all_pages(p, f"{API}/services", {"provider_id": p.user["id"]})
    assert [s["id"] for s in listed] == [r.json()["id"]]


def test_create_customer_forbidden(make_user):
    c = make_user("customer")
    r = c.post(f"{API}/services", json={"name": "Nope", "duration_minutes": 30})
    assert r.status_code == 403, r.text
    assert r.json() == {"detail": "Not enough permissions"}


def test_list_by_provider_only_active(make_user):
    p = make_user("provider")
    a = make_service(p, name="A")
    b = make_service(p, name="B")
    other = make_service(make_user("provider"), name="Other")
    c = make_user("customer")
    listed = all_pages(c, f"{API}/services", {"provider_id": p.user["id"]})
    assert sorted(s["id"] for s in listed) == sorted([a["id"], b["id"]])
    assert all(s["provider_id"] == p.user["id"] for s in listed)

    r = p.delete(f"{API}/services/{a['id']}")
    assert r.status_code == 204, r.text
    listed = all_pages(c, f"{API}/services", {"provider_id": p.user["id"]})
    assert [s["id"] for s in listed] == [b["id"]]
    r = c.get(f"{API}/services", params={"provider_id": p.user["id"]})
    assert r.json()["total"] == 1

    everything = {s["id"] for s in all_pages(c, f"{API}/services")}
    assert b["id"] in everything and other["id"] in everything
    assert a["id"] not in everything


def test_patch_permissions(make_user, admin):
    p = make_user("provider")
    s = make_service(p, name="Before", duration_minutes=30, price_cents=100)
    r = p.patch(f"{API}/services/{s['id']}", json={"name": "After", "price_cents": 250})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "After" and body["price_cents"] == 250
    assert body["duration_minutes"] == 30 and body["id"] == s["id"]

    r = make_user("provider").patch(f"{API}/services/{s['id']}", json={"name": "Stolen"})
    assert r.status_code == 403, r.text
    r = make_user("customer").patch(f"{API}/services/{s['id']}", json={"name": "Stolen"})
    assert r.status_code == 403, r.text
    assert p.get(f"{API}/services/{s['id']}").json()["name"] == "After"

    r = admin.patch(f"{API}/services/{s['id']}", json={"description": "by admin", "min_notice_minutes": 60})
    assert r.status_code == 200, r.text
    assert r.json()["description"] == "by admin" and r.json()["min_notice_minutes"] == 60
    assert r.json()["provider_id"] == p.user["id"]
    got = p.get(f"{API}/services/{s['id']}").json()
    assert got["name"] == "After" and got["description"] == "by admin"


def test_patch_validation(make_user):
    p = make_user("provider")
    s = make_service(p, duration_minutes=30)
    for field, value in [("duration_minutes", 4), ("buffer_after_minutes", 241), ("max_advance_days", 731),
                         ("name", ""), ("price_cents", -1)]:
        r = p.patch(f"{API}/services/{s['id']}", json={field: value})
        assert_422(r, field)
    assert p.get(f"{API}/services/{s['id']}").json() == s


def test_patch_unknown_service_404(make_user):
    p = make_user("provider")
    r = p.patch(f"{API}/services/987654321", json={"name": "x"})
    assert r.status_code == 404, r.text


def test_patch_does_not_move_existing_bookings(make_user):
    p, s = open_provider(make_user, windows=(("monday", "09:00", "17:00"),),
                         duration_minutes=60, slot_interval_minutes=60)
    day = future_monday()
    c = make_user("customer")
    b = book_ok(c, s["id"], lz(day, "09:00"))
    assert b["end"] == lz(day, "10:00")

    r = p.patch(f"{API}/services/{s['id']}",
                json={"duration_minutes": 90, "buffer_before_minutes": 30, "buffer_after_minutes": 30})
    assert r.status_code == 200, r.text
    assert r.json()["duration_minutes"] == 90

    got = c.get(f"{API}/bookings/{b['id']}").json()
    assert got["start"] == b["start"] and got["end"] == b["end"]
    assert got["status"] == "confirmed"

    # New slots use the new rules (90 min, 30/30 buffers) against the booking's
    # own old occupation [09:00, 10:00): 11:00 is free, 10:00 is not.
    offered = starts(get_slots(c, s["id"], day))
    assert offered == [lz(day, h) for h in ("11:00", "12:00", "13:00", "14:00", "15:00")]
    assert get_slots(c, s["id"], day)[0]["end"] == lz(day, "12:30")


def test_delete_service(make_user, admin):
    p, s = open_provider(make_user)
    day = future_monday()
    c = make_user("customer")
    b = book_ok(c, s["id"], lz(day, "09:00"))

    assert make_user("provider").delete(f"{API}/services/{s['id']}").status_code == 403
    assert c.delete(f"{API}/services/{s['id']}").status_code == 403
    assert len(get_slots(c, s["id"], day)) > 0

    r = p.delete(f"{API}/services/{s['id']}")
    assert r.status_code == 204, r.text

    r = c.get(f"{API}/services/{s['id']}/slots", params={"from": str(day), "to": str(day)})
    assert r.status_code == 404, r.text
    assert r.json() == {"detail": "Service not found"}
    r = book(c, s["id"], lz(day, "11:00"))
    assert r.status_code == 404, r.text
    assert r.json() == {"detail": "Service not found"}
    assert s["id"] not in {x["id"] for x in all_pages(c, f"{API}/services", {"provider_id": p.user["id"]})}

    # Its bookings stay.
    got = c.get(f"{API}/bookings/{b['id']}")
    assert got.status_code == 200, got.text
    assert got.json()["status"] == "confirmed"

    # An admin may deactivate too.
    s2 = make_service(p, name="Second")
    assert admin.delete(f"{API}/services/{s2['id']}").status_code == 204
    assert all_pages(c, f"{API}/services", {"provider_id": p.user["id"]}) == []


def test_get_unknown_service_404(make_user):
    r = make_user("customer").get(f"{API}/services/987654321")
    assert r.status_code == 404, r.text
    assert isinstance(r.json().get("detail"), str)
