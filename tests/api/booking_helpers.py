"""Helpers shared by the Phase 2 tests (providers, services, slots, bookings)."""
import datetime as dt
import sqlite3
import subprocess
import time
import uuid
from zoneinfo import ZoneInfo

API = "/api/v1"
UTC = dt.timezone.utc
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


# --- time -------------------------------------------------------------------

def iso_z(t):
    """An aware datetime as the server writes it: UTC, whole seconds, Z."""
    return t.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_z(s):
    assert isinstance(s, str) and s.endswith("Z"), s
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def today(tz="UTC"):
    return dt.datetime.now(ZoneInfo(tz)).date()


def future_date(tz="UTC", weekday=0, min_days=14):
    """The first local date in tz with the given weekday (0 = monday) that is at
    least min_days after today there."""
    d = today(tz) + dt.timedelta(days=min_days)
    while d.weekday() != weekday:
        d += dt.timedelta(days=1)
    return d


def future_monday(tz="UTC", min_days=14):
    return future_date(tz, 0, min_days)


def local(day, hhmm, tz="UTC"):
    """Wall time hhmm of date day in tz, as an aware UTC datetime (fold=0: the
    earlier instant of a repeated time; a gap time is read with the offset in
    force before the gap, i.e. moved forward by the gap)."""
    h, m = map(int, hhmm.split(":"))
    extra = dt.timedelta(0)
    if h == 24:
        h, extra = 0, dt.timedelta(days=1)
    naive = dt.datetime(day.year, day.month, day.day, h, m) + extra
    return naive.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def lz(day, hhmm, tz="UTC"):
    """local() formatted as the server's UTC Z string."""
    return iso_z(local(day, hhmm, tz))


def slot(start, minutes):
    """{"start", "end"} for an aware datetime start and a duration."""
    return {"start": iso_z(start), "end": iso_z(start + dt.timedelta(minutes=minutes))}


# --- API shortcuts ----------------------------------------------------------

def set_week(provider_client, tz, windows, provider_id=None):
    """PUT the provider's whole weekly schedule. windows: (day, start, end)
    tuples or {"day", "start", "end"} dicts. provider_id defaults to the
    client's own id (an admin passes the provider's)."""
    pid = provider_id if provider_id is not None else provider_client.user["id"]
    weekly = [w if isinstance(w, dict) else {"day": w[0], "start": w[1], "end": w[2]} for w in windows]
    r = provider_client.put(f"{API}/providers/{pid}/availability", json={"timezone": tz, "weekly": weekly})
    assert r.status_code == 200, r.text
    return r.json()


def make_service(client, **fields):
    """POST /services as client; fields override a 60-minute default service."""
    body = {"name": "Consultation", "duration_minutes": 60}
    body.update(fields)
    r = client.post(f"{API}/services", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def get_slots(client, service_id, date_from, date_to=None, tz=None):
    """The slots list of GET /services/{id}/slots (asserting 200)."""
    params = {"from": str(date_from), "to": str(date_to or date_from)}
    if tz:
        params["timezone"] = tz
    r = client.get(f"{API}/services/{service_id}/slots", params=params)
    assert r.status_code == 200, r.text
    return r.json()["slots"]


def starts(slots):
    return [s["start"] for s in slots]


def book(client, service_id, start, headers=None, **extra):
    """POST /bookings; returns the response. start: datetime or string;
    extra: more body fields (customer_id, notes)."""
    if isinstance(start, dt.datetime):
        start = iso_z(start)
    body = {"service_id": service_id, "start": start}
    body.update(extra)
    return client.post(f"{API}/bookings", json=body, headers=headers or {})


def book_ok(client, service_id, start, **extra):
    r = book(client, service_id, start, **extra)
    assert r.status_code == 201, r.text
    return r.json()


def open_provider(make_user, tz="UTC", windows=(("monday", "09:00", "17:00"),), **service_fields):
    """A new provider with a weekly schedule and one service.
    Returns (provider_client, service)."""
    p = make_user("provider")
    set_week(p, tz, windows)
    return p, make_service(p, **service_fields)


def all_pages(client, path, params=None, limit=100):
    """Every item of a paged list."""
    items, offset = [], 0
    while True:
        q = dict(params or {})
        q.update({"limit": limit, "offset": offset})
        r = client.get(path, params=q)
        assert r.status_code == 200, r.text
        page = r.json()
        items.extend(page["items"])
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return items


def assert_422(r, *fields):
    """A FastAPI-shaped 422 whose details name each of fields."""
    assert r.status_code == 422, (r.status_code, r.text)
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail, detail
    for d in detail:
        assert isinstance(d.get("loc"), list) and d["loc"] and d["loc"][0] in ("body", "query", "path", "header"), d
        assert "msg" in d and "type" in d, d
    for f in fields:
        assert any(f in d["loc"] for d in detail), (f, detail)


def assert_409(r, code):
    assert r.status_code == 409, (r.status_code, r.text)
    body = r.json()
    assert body.get("code") == code, body
    return body


# --- the database, for what the API cannot do -------------------------------

def _sqlite_path(url):
    rest = url[len("sqlite:"):]
    if rest.startswith("//"):
        rest = rest[2:]
    return rest


def insert_past_booking(server, backend, service, customer_id, start_utc, minutes):
    """Writes a confirmed booking of service (a Service object) for customer_id
    at start_utc (aware datetime, usually in the past) lasting minutes, with the
    service's buffers, straight into the database. Returns its id."""
    s = int(start_utc.timestamp())
    e = s + minutes * 60
    bb, ba = service["buffer_before_minutes"], service["buffer_after_minutes"]
    now = int(time.time())
    vals = dict(sid=int(service["id"]), pid=int(service["provider_id"]), cid=int(customer_id),
                s=s, e=e, bb=int(bb), ba=int(ba), os=s - bb * 60, oe=e + ba * 60, now=now)
    if backend == "sqlite":
        con = sqlite3.connect(_sqlite_path(server.database_url), timeout=30)
        try:
            cur = con.execute(
                "INSERT INTO bookings (service_id, provider_id, customer_id, start_at, end_at,"
                " buffer_before_min, buffer_after_min, occupied_start, occupied_end, status, notes,"
                " cancel_reason, created_at, updated_at, cancelled_at)"
                " VALUES (:sid, :pid, :cid, :s, :e, :bb, :ba, :os, :oe, 'confirmed', '', NULL,"
                " :now, :now, NULL)", vals)
            con.commit()
            return cur.lastrowid
        finally:
            con.close()
    sql = ("INSERT INTO bookings (service_id, provider_id, customer_id, start_at, end_at,"
           " buffer_before_min, buffer_after_min, occupied_start, occupied_end, status, notes,"
           " cancel_reason, created_at, updated_at, cancelled_at)"
           " VALUES ({sid}, {pid}, {cid}, to_timestamp({s}), to_timestamp({e}), {bb}, {ba},"
           " to_timestamp({os}), to_timestamp({oe}), 'confirmed', '', NULL,"
           " to_timestamp({now}), to_timestamp({now}), NULL) RETURNING id").format(**vals)
    res = subprocess.run(["/usr/bin/psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", server.database_url, "-c", sql],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return int(res.stdout.strip().splitlines()[0])


def sql_rows(database_url, sql):
    """Rows of one SQL query straight from the database (tuples of text)."""
    if database_url.startswith("sqlite:"):
        con = sqlite3.connect(_sqlite_path(database_url), timeout=30)
        try:
            rows = con.execute(sql).fetchall()
            con.commit()
            return [tuple("" if v is None else str(v) for v in row) for row in rows]
        finally:
            con.close()
    res = subprocess.run(["/usr/bin/psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                          "-d", database_url, "-c", sql], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return [tuple(line.split("\t")) for line in res.stdout.splitlines() if line]


def fresh_database(database_url, tmp_path):
    """The URL of a new, empty database on the same backend as database_url."""
    if database_url.startswith("sqlite:"):
        return "sqlite:" + str(tmp_path / f"fresh-{uuid.uuid4().hex[:8]}.db")
    name = "fresh_" + uuid.uuid4().hex[:12]
    sql_rows(database_url, f"CREATE DATABASE {name}")
    return database_url.rsplit("/", 1)[0] + "/" + name
