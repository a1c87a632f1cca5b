"""The audit log: GET /api/v1/audit, what each change writes, the hash chain,
audit-verify and retention (API.md, Audit).

Tests on the shared session server find their own entries by target or actor.
Tests that need the whole log to themselves (exact totals, the chain, tampering,
retention) start their own appointd on a fresh database."""
import concurrent.futures
import datetime as dt
import hashlib
import json
import re
import sqlite3
import subprocess
import time
import uuid

import pytest
import requests

from booking_helpers import (API, UTC, assert_409, book, book_ok, future_monday, insert_past_booking, iso_z, lz,
                             make_service, open_provider, set_week)
from conftest import ADMIN_PASSWORD, Client, Server, unique_email

T = 30
AUDIT = f"{API}/audit"
UA = "appointd-audit-test/1.0 (+https://example.com/audit; probe=\"q\")"
ENTRY_FIELDS = {"id", "at", "actor_id", "actor_email", "actor_role", "action", "target_type", "target_id",
                "ip", "user_agent", "request_id", "details", "hash"}
ZERO = "0" * 64
FORBIDDEN = {"detail": "Not enough permissions"}
SEAL_WAIT = 10  # seconds: the sealer runs every second


# --- helpers --------------------------------------------------------------------------


def tag():
    """(request id, headers): a distinctive User-Agent and our own X-Request-ID,
    plus an X-Forwarded-For that must be ignored (no TRUSTED_PROXIES)."""
    rid = "audit-" + uuid.uuid4().hex
    return rid, {"User-Agent": UA, "X-Request-ID": rid, "X-Forwarded-For": "203.0.113.77"}


def audit_page(client, **params):
    r = client.get(AUDIT, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    page = r.json()
    assert set(page) >= {"items", "total", "limit", "offset"}, page
    for e in page["items"]:
        assert_entry_shape(e)
    return page


def audit_all(client, **params):
    """Every entry matching params, newest first (as the endpoint orders them)."""
    items, offset = [], 0
    while True:
        page = audit_page(client, limit=100, offset=offset, **params)
        items.extend(page["items"])
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            assert len(items) == page["total"], (len(items), page["total"])
            ids = [e["id"] for e in items]
            assert len(set(ids)) == len(ids), f"paging repeated entries: {ids}"
            return items


def of_target(admin, target_type, target_id, **params):
    return audit_all(admin, target_type=target_type, target_id=target_id, **params)


def actions(entries):
    return [e["action"] for e in entries]


def only(admin, action, target_type, target_id):
    """The single entry of action about the target; fails unless there is exactly one."""
    got = of_target(admin, target_type, target_id, action=action)
    assert len(got) == 1, (action, target_type, target_id, got)
    return got[0]


def assert_entry_shape(e):
    assert ENTRY_FIELDS <= set(e), e
    assert isinstance(e["id"], int) and e["id"] > 0, e
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["at"]), e["at"]
    assert isinstance(e["details"], dict), e
    assert e["target_type"] in ("user", "provider", "time_off", "service", "booking", "waitlist_entry",
                                "webhook"), e
    assert e["hash"] is None or re.fullmatch(r"[0-9a-f]{64}", e["hash"]), e


def at_of(e):
    return dt.datetime.strptime(e["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def assert_entry(e, action, actor, target_type, target_id, rid=None, t0=None):
    """actor: a User object, or None for the command line / nobody. rid: the
    X-Request-ID the request sent (then ip and user_agent are checked too)."""
    assert e["action"] == action, e
    assert (e["target_type"], e["target_id"]) == (target_type, target_id), e
    if actor is None:
        assert (e["actor_id"], e["actor_email"], e["actor_role"]) == (None, None, None), e
    else:
        assert (e["actor_id"], e["actor_email"], e["actor_role"]) == (actor["id"], actor["email"], actor["role"]), e
    if rid is not None:
        assert e["request_id"] == rid, e
        assert e["ip"] == "127.0.0.1", e
        assert e["user_agent"] == UA, e
    if t0 is not None:
        assert t0 - 1 <= at_of(e).timestamp() <= time.time() + 1, (e["at"], t0)


def signup(base_url, role="customer", name=None, headers=None, password=None):
    """Signs up a new user; returns (User, password)."""
    email, password = unique_email(role), password or "pw-" + uuid.uuid4().hex[:12]
    r = requests.post(base_url + f"{API}/auth/signup", headers=headers or {}, timeout=T,
                      json={"name": name or f"Audit {role}", "email": email, "password": password, "role": role})
    assert r.status_code == 201, r.text
    return r.json(), password


def login_r(base_url, email, password, headers=None):
    return requests.post(base_url + f"{API}/auth/login", json={"email": email, "password": password},
                         headers=headers or {}, timeout=T)


def client_for(base_url, user, password):
    r = login_r(base_url, user["email"], password)
    assert r.status_code == 200, r.text
    tok = r.json()
    return Client(base_url, user, tok["access_token"], password, tok["refresh_token"])


def canonical(e):
    """The entry's JSON as the endpoint returns it, without hash, keys sorted, no spaces."""
    body = {k: v for k, v in e.items() if k != "hash"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev, e):
    return hashlib.sha256((prev + canonical(e)).encode("utf-8")).hexdigest()


def first_mismatch(entries, prev=ZERO):
    """The id of the first entry (in id order) whose hash does not follow; None if all do."""
    for e in sorted(entries, key=lambda x: x["id"]):
        if e["hash"] != chain_hash(prev, e):
            return e["id"]
        prev = e["hash"]
    return None


def wait_sealed(admin, at_least=1):
    """Polls (bounded) until the log holds at least at_least entries and every one has a hash."""
    deadline = time.time() + SEAL_WAIT
    while True:
        entries = audit_all(admin)
        if len(entries) >= at_least and all(e["hash"] for e in entries):
            return entries
        if time.time() > deadline:
            unsealed = [e["id"] for e in entries if not e["hash"]]
            pytest.fail(f"{len(unsealed)} of {len(entries)} entries still without hash after {SEAL_WAIT} s: "
                        f"{unsealed[:10]}")
        time.sleep(0.2)


def verify(srv):
    res = srv.run("audit-verify")
    return res.returncode, res.stdout + res.stderr


def broken_at(output):
    m = re.search(r"audit chain broken at entry (\d+)\b", output)
    assert m, output
    return int(m.group(1))


# --- the database, for what the API cannot do -----------------------------------------


def _sqlite_path(url):
    rest = url[len("sqlite:"):]
    return rest[2:] if rest.startswith("//") else rest


def psql(url, sql):
    res = subprocess.run(["/usr/bin/psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def db_exec(url, sql, params=()):
    """Runs one statement with ? placeholders on either engine."""
    if url.startswith("sqlite:"):
        con = sqlite3.connect(_sqlite_path(url), timeout=30)
        try:
            con.execute(sql, params)
            con.commit()
        finally:
            con.close()
        return
    parts = sql.split("?")
    assert len(parts) == len(params) + 1, sql
    text = parts[0] + "".join(sql_literal(p) + rest for p, rest in zip(params, parts[1:]))
    psql(url, text)


def set_column(url, entry_id, column, value):
    assert column in ("details", "action", "hash", "at", "actor_email")
    db_exec(url, f"UPDATE audit_log SET {column} = ? WHERE id = ?", (value, entry_id))


def age_entries(url, upto_id, days):
    """Moves the at of every entry with id <= upto_id days into the past."""
    if url.startswith("sqlite:"):
        db_exec(url, "UPDATE audit_log SET at = ? WHERE id <= ?", (int(time.time()) - days * 86400, upto_id))
    else:
        psql(url, f"UPDATE audit_log SET at = now() - interval '{int(days)} days' WHERE id <= {int(upto_id)}")


@pytest.fixture
def fresh(database_url, tmp_path):
    """fresh(**env) -> (Server on a new, empty database, its admin Client). Stopped and
    removed afterwards."""
    made = []

    def start(**env):
        n = len(made)
        if database_url.startswith("postgres"):
            name = f"audit_{uuid.uuid4().hex[:12]}"
            psql(database_url, f"CREATE DATABASE {name}")
            url = database_url.rsplit("/", 1)[0] + "/" + name
        else:
            url = "sqlite:" + str(tmp_path / f"audit-{n}.db")
        srv = Server(url, **env)
        made.append(srv)
        email = unique_email("admin")
        res = srv.run("create-admin", "--email", email, "--name", "Admin",
                      extra_env={"APPOINTD_ADMIN_PASSWORD": ADMIN_PASSWORD})
        assert res.returncode == 0, res.stderr
        r = login_r(srv.url, email, ADMIN_PASSWORD)
        assert r.status_code == 200, r.text
        tok = r.json()
        me = requests.get(srv.url + f"{API}/users/me", headers={"Authorization": "Bearer " + tok["access_token"]},
                          timeout=T).json()
        return srv, Client(srv.url, me, tok["access_token"], ADMIN_PASSWORD, tok["refresh_token"])

    yield start
    codes = []
    for srv in made:
        codes.append(srv.stop())
        if srv.database_url.startswith("postgres"):
            psql(database_url, f"DROP DATABASE IF EXISTS {srv.database_url.rsplit('/', 1)[1]} WITH (FORCE)")
    assert codes == [0] * len(made), codes


# --- authentication -------------------------------------------------------------------


def test_signup_login_token_logout_each_write_one_entry(admin, base_url):
    t0 = time.time()
    rid_signup, h = tag()
    email, password = unique_email("audited"), "pw-" + uuid.uuid4().hex[:12]
    r = requests.post(base_url + f"{API}/auth/signup", headers=h, timeout=T,
                      json={"name": "Audited Person", "email": email, "password": password, "role": "provider"})
    assert r.status_code == 201, r.text
    assert r.headers["X-Request-ID"] == rid_signup
    user = r.json()

    rid_login, h = tag()
    r = login_r(base_url, email, password, headers=h)
    assert r.status_code == 200, r.text
    rid_token, h = tag()
    r = requests.post(base_url + f"{API}/auth/token", data={"username": email, "password": password},
                      headers=h, timeout=T)
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]

    rid_logout, h = tag()
    h["Authorization"] = "Bearer " + token
    r = requests.post(base_url + f"{API}/auth/logout", headers=h, timeout=T)
    assert r.status_code == 204, r.text

    got = of_target(admin, "user", user["id"])
    assert actions(got) == ["user.logout", "user.login", "user.login", "user.signup"], got
    logout, token_login, login, sign = got
    # user.signup's actor is the new user.
    assert_entry(sign, "user.signup", user, "user", user["id"], rid_signup, t0)
    assert_entry(login, "user.login", user, "user", user["id"], rid_login, t0)
    assert_entry(token_login, "user.login", user, "user", user["id"], rid_token, t0)
    assert_entry(logout, "user.logout", user, "user", user["id"], rid_logout, t0)
    # Newest first.
    assert [e["id"] for e in got] == sorted((e["id"] for e in got), reverse=True)
    # The same entries under the actor filter.
    mine = audit_all(admin, actor_id=user["id"])
    assert [e["id"] for e in mine] == [e["id"] for e in got]


def test_failed_logins_are_audited_without_an_actor(admin, make_user, base_url):
    t0 = time.time()
    c = make_user("customer")
    wrong = "wrong-" + uuid.uuid4().hex
    rid, h = tag()
    r = login_r(base_url, c.user["email"], wrong, headers=h)
    assert r.status_code == 401, r.text
    e = only(admin, "user.login_failed", "user", c.user["id"])
    assert_entry(e, "user.login_failed", None, "user", c.user["id"], rid, t0)
    assert e["details"].get("email") == c.user["email"], e
    assert wrong not in json.dumps(e)

    # An e-mail nobody has: no user to point at, the e-mail in details.
    nobody = unique_email("nobody")
    rid, h = tag()
    r = login_r(base_url, nobody, wrong, headers=h)
    assert r.status_code == 401, r.text
    failures = [x for x in audit_all(admin, action="user.login_failed", **{"from": iso_z(dt.datetime.fromtimestamp(t0 - 1, UTC))})
                if x["details"].get("email") == nobody]
    assert len(failures) == 1, failures
    assert_entry(failures[0], "user.login_failed", None, "user", None, rid, t0)

    # A deactivated user with the right password fails too, and is audited as such.
    r = admin.patch(f"{API}/users/{c.user['id']}", json={"is_active": False})
    assert r.status_code == 200, r.text
    rid, h = tag()
    r = login_r(base_url, c.user["email"], c.password, headers=h)
    assert r.status_code == 401, r.text
    got = of_target(admin, "user", c.user["id"], action="user.login_failed")
    assert len(got) == 2, got
    assert_entry(got[0], "user.login_failed", None, "user", c.user["id"], rid, t0)
    assert got[0]["details"].get("email") == c.user["email"]
    assert c.password not in json.dumps(got)
    # Failed logins never count as logins: only make_user's own login is there.
    assert len(of_target(admin, "user", c.user["id"], action="user.login")) == 1


def test_password_change_is_audited_once(admin, make_user, base_url):
    t0 = time.time()
    c = make_user("customer")
    r = c.post(f"{API}/users/me/password", json={"current_password": "not-" + c.password,
                                                  "new_password": "another-password-1"})
    assert r.status_code == 400, r.text
    r = c.post(f"{API}/users/me/password", json={"current_password": c.password, "new_password": "short"})
    assert r.status_code == 422, r.text
    assert of_target(admin, "user", c.user["id"], action="user.password_changed") == []

    rid, h = tag()
    r = c.post(f"{API}/users/me/password", headers=h,
               json={"current_password": c.password, "new_password": "brand-new-password-1"})
    assert r.status_code == 204, r.text
    e = only(admin, "user.password_changed", "user", c.user["id"])
    assert_entry(e, "user.password_changed", c.user, "user", c.user["id"], rid, t0)
    assert actions(of_target(admin, "user", c.user["id"])) == ["user.password_changed", "user.login", "user.signup"]


# --- users ----------------------------------------------------------------------------


def test_user_updated_holds_from_and_to_of_changed_fields_only(admin, make_user, base_url):
    t0 = time.time()
    c = make_user("customer", name="Before Name")
    uid = c.user["id"]

    rid, h = tag()
    r = c.patch(f"{API}/users/me", json={"name": "After Name"}, headers=h)
    assert r.status_code == 200, r.text
    e = only(admin, "user.updated", "user", uid)
    assert_entry(e, "user.updated", c.user, "user", uid, rid, t0)
    assert e["details"] == {"name": {"from": "Before Name", "to": "After Name"}}, e

    # Admin: role and is_active change, the name sent is the same and so absent.
    rid, h = tag()
    r = admin.patch(f"{API}/users/{uid}", json={"role": "provider", "is_active": False, "name": "After Name"},
                    headers=h)
    assert r.status_code == 200, r.text
    got = of_target(admin, "user", uid, action="user.updated")
    assert len(got) == 2, got
    assert_entry(got[0], "user.updated", admin.user, "user", uid, rid, t0)
    assert got[0]["details"] == {"role": {"from": "customer", "to": "provider"},
                                 "is_active": {"from": True, "to": False}}, got[0]

    rid, h = tag()
    r = admin.patch(f"{API}/users/{uid}", json={"is_active": True, "name": "Admin Chose"}, headers=h)
    assert r.status_code == 200, r.text
    got = of_target(admin, "user", uid, action="user.updated")
    assert len(got) == 3, got
    assert_entry(got[0], "user.updated", admin.user, "user", uid, rid, t0)
    assert got[0]["details"] == {"is_active": {"from": False, "to": True},
                                 "name": {"from": "After Name", "to": "Admin Chose"}}, got[0]

    # Refused changes write nothing.
    assert admin.patch(f"{API}/users/{uid}", json={"role": "superuser"}).status_code == 422
    assert admin.patch(f"{API}/users/{uid}", json={"name": ""}).status_code == 422
    c = client_for(base_url, c.user, c.password)  # deactivation ended c's sessions
    assert c.patch(f"{API}/users/me", json={"name": "x" * 101}).status_code == 422
    other = make_user("customer")
    r = other.patch(f"{API}/users/{uid}", json={"name": "Hijacked"})
    assert r.status_code == 403 and r.json() == FORBIDDEN
    assert len(of_target(admin, "user", uid, action="user.updated")) == 3
    assert actions(of_target(admin, "user", uid))[0] == "user.login"  # the new login above, nothing after
    assert of_target(admin, "user", uid, action="user.updated", actor_id=other.user["id"]) == []


def test_admin_created_on_the_command_line(server, admin):
    email = unique_email("cliadmin")
    password = "cli-password-" + uuid.uuid4().hex[:8]
    res = server.run("create-admin", "--email", email, "--name", "Cli Admin", input=password + "\n")
    assert res.returncode == 0, res.stderr
    users = []
    offset = 0
    while True:
        page = admin.get(f"{API}/users", params={"role": "admin", "limit": 100, "offset": offset}).json()
        users += page["items"]
        offset += 100
        if offset >= page["total"]:
            break
    (new,) = [u for u in users if u["email"] == email]
    got = of_target(admin, "user", new["id"])
    assert actions(got) == ["admin.created"], got
    e = got[0]
    # The command line: no actor, no request; details say where it came from.
    assert_entry(e, "admin.created", None, "user", new["id"])
    assert (e["ip"], e["user_agent"], e["request_id"]) == (None, None, None), e
    assert "command line" in json.dumps(e["details"]).lower() or "cli" in json.dumps(e["details"]).lower(), e
    assert password not in json.dumps(e) and "$2b$" not in json.dumps(e)


# --- providers ------------------------------------------------------------------------


def test_availability_and_time_off_are_audited(admin, make_user):
    t0 = time.time()
    p = make_user("provider")
    pid = p.user["id"]
    week = {"timezone": "Europe/Berlin", "weekly": [{"day": "monday", "start": "09:00", "end": "12:00"}]}

    rid, h = tag()
    r = p.put(f"{API}/providers/{pid}/availability", json=week, headers=h)
    assert r.status_code == 200, r.text
    e = only(admin, "availability.updated", "provider", pid)
    assert_entry(e, "availability.updated", p.user, "provider", pid, rid, t0)

    rid, h = tag()
    week["weekly"].append({"day": "tuesday", "start": "10:00", "end": "11:00"})
    r = admin.put(f"{API}/providers/{pid}/availability", json=week, headers=h)
    assert r.status_code == 200, r.text
    got = of_target(admin, "provider", pid, action="availability.updated")
    assert len(got) == 2, got
    assert_entry(got[0], "availability.updated", admin.user, "provider", pid, rid, t0)

    # Refused: not an IANA zone (422), another provider (403).
    bad = dict(week, timezone="Mars/Olympus")
    assert p.put(f"{API}/providers/{pid}/availability", json=bad).status_code == 422
    other = make_user("provider")
    assert other.put(f"{API}/providers/{pid}/availability", json=week).status_code == 403
    assert len(of_target(admin, "provider", pid)) == 2

    day = future_monday()
    rid, h = tag()
    r = p.post(f"{API}/providers/{pid}/time-off", headers=h,
               json={"start": lz(day, "09:00"), "end": lz(day, "10:00"), "reason": "dentist"})
    assert r.status_code == 201, r.text
    toff = r.json()
    e = only(admin, "time_off.created", "time_off", toff["id"])
    assert_entry(e, "time_off.created", p.user, "time_off", toff["id"], rid, t0)

    assert p.post(f"{API}/providers/{pid}/time-off",
                  json={"start": lz(day, "10:00"), "end": lz(day, "09:00")}).status_code == 422
    assert other.post(f"{API}/providers/{pid}/time-off",
                      json={"start": lz(day, "11:00"), "end": lz(day, "12:00")}).status_code == 403
    assert other.delete(f"{API}/providers/{pid}/time-off/{toff['id']}").status_code == 403

    rid, h = tag()
    r = p.delete(f"{API}/providers/{pid}/time-off/{toff['id']}", headers=h)
    assert r.status_code == 204, r.text
    assert p.delete(f"{API}/providers/{pid}/time-off/{toff['id']}").status_code == 404
    got = of_target(admin, "time_off", toff["id"])
    assert actions(got) == ["time_off.deleted", "time_off.created"], got
    assert_entry(got[0], "time_off.deleted", p.user, "time_off", toff["id"], rid, t0)
    # Nothing else was written by the refused requests: p's own entries only.
    assert sorted(actions(audit_all(admin, actor_id=pid))) == sorted(
        ["user.signup", "user.login", "availability.updated", "time_off.created", "time_off.deleted"])
    assert [x for x in audit_all(admin, actor_id=other.user["id"]) if x["action"] not in ("user.signup", "user.login")] == []


# --- services -------------------------------------------------------------------------


def test_service_changes_are_audited(admin, make_user):
    t0 = time.time()
    p = make_user("provider")
    rid, h = tag()
    r = p.post(f"{API}/services", headers=h,
               json={"name": "Audit cut", "duration_minutes": 60, "slot_interval_minutes": 30})
    assert r.status_code == 201, r.text
    svc = r.json()
    e = only(admin, "service.created", "service", svc["id"])
    assert_entry(e, "service.created", p.user, "service", svc["id"], rid, t0)

    rid, h = tag()
    r = p.patch(f"{API}/services/{svc['id']}", headers=h,
                json={"duration_minutes": 45, "price_cents": 2500, "name": "Audit cut"})
    assert r.status_code == 200, r.text
    e = only(admin, "service.updated", "service", svc["id"])
    assert_entry(e, "service.updated", p.user, "service", svc["id"], rid, t0)
    assert e["details"] == {"duration_minutes": {"from": 60, "to": 45},
                            "price_cents": {"from": 0, "to": 2500}}, e

    rid, h = tag()
    r = admin.patch(f"{API}/services/{svc['id']}", json={"description": "Now described"}, headers=h)
    assert r.status_code == 200, r.text
    got = of_target(admin, "service", svc["id"], action="service.updated")
    assert len(got) == 2, got
    assert_entry(got[0], "service.updated", admin.user, "service", svc["id"], rid, t0)
    assert got[0]["details"] == {"description": {"from": "", "to": "Now described"}}, got[0]

    # Refused: 422, another provider's 403, a customer's 403.
    assert p.patch(f"{API}/services/{svc['id']}", json={"duration_minutes": 1}).status_code == 422
    other = make_user("provider")
    assert other.patch(f"{API}/services/{svc['id']}", json={"name": "Mine now"}).status_code == 403
    assert other.delete(f"{API}/services/{svc['id']}").status_code == 403
    cust = make_user("customer")
    assert cust.post(f"{API}/services", json={"name": "Nope", "duration_minutes": 30}).status_code == 403
    assert audit_all(admin, action="service.created", actor_id=cust.user["id"]) == []
    assert len(of_target(admin, "service", svc["id"])) == 3

    rid, h = tag()
    r = p.delete(f"{API}/services/{svc['id']}", headers=h)
    assert r.status_code == 204, r.text
    got = of_target(admin, "service", svc["id"])
    assert actions(got) == ["service.deactivated", "service.updated", "service.updated", "service.created"], got
    assert_entry(got[0], "service.deactivated", p.user, "service", svc["id"], rid, t0)


# --- bookings -------------------------------------------------------------------------


def _hours_ago(hours):
    t = dt.datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return t - dt.timedelta(hours=hours)


def test_booking_changes_are_audited(admin, make_user, server, backend):
    t0 = time.time()
    p, s = open_provider(make_user)
    day = future_monday()
    c, c2 = make_user("customer"), make_user("customer")

    rid, h = tag()
    r = book(c, s["id"], lz(day, "09:00"), headers=h)
    assert r.status_code == 201, r.text
    b = r.json()
    e = only(admin, "booking.created", "booking", b["id"])
    assert_entry(e, "booking.created", c.user, "booking", b["id"], rid, t0)

    # The same slot again: 409, no entry.
    assert_409(book(c2, s["id"], lz(day, "09:00")), "slot_unavailable")
    assert audit_all(admin, action="booking.created", actor_id=c2.user["id"]) == []

    # A failed reschedule writes nothing; a good one holds the old and new start.
    book_ok(c2, s["id"], lz(day, "11:00"))
    assert_409(c.post(f"{API}/bookings/{b['id']}/reschedule", json={"start": lz(day, "11:00")}), "slot_unavailable")
    assert c.post(f"{API}/bookings/{b['id']}/reschedule", json={"start": f"{day}T12:00:00"}).status_code == 422
    assert actions(of_target(admin, "booking", b["id"])) == ["booking.created"]
    rid, h = tag()
    r = c.post(f"{API}/bookings/{b['id']}/reschedule", json={"start": lz(day, "13:00")}, headers=h)
    assert r.status_code == 200, r.text
    e = only(admin, "booking.rescheduled", "booking", b["id"])
    assert_entry(e, "booking.rescheduled", c.user, "booking", b["id"], rid, t0)
    assert e["details"].get("start") == {"from": lz(day, "09:00"), "to": lz(day, "13:00")}, e

    # Someone else's booking: 404, nothing written.
    assert c2.post(f"{API}/bookings/{b['id']}/cancel", json={}).status_code == 404
    rid, h = tag()
    r = c.post(f"{API}/bookings/{b['id']}/cancel", json={"reason": "moved away"}, headers=h)
    assert r.status_code == 200, r.text
    assert_409(c.post(f"{API}/bookings/{b['id']}/cancel", json={}), "booking_not_changeable")
    got = of_target(admin, "booking", b["id"])
    assert actions(got) == ["booking.cancelled", "booking.rescheduled", "booking.created"], got
    assert_entry(got[0], "booking.cancelled", c.user, "booking", b["id"], rid, t0)

    # A provider booking on behalf of a customer is the actor.
    rid, h = tag()
    r = book(p, s["id"], lz(day, "15:00"), headers=h, customer_id=c.user["id"])
    assert r.status_code == 201, r.text
    e = only(admin, "booking.created", "booking", r.json()["id"])
    assert_entry(e, "booking.created", p.user, "booking", r.json()["id"], rid, t0)

    # An Idempotency-Key replay changes nothing and writes nothing.
    key = {"Idempotency-Key": "audit-" + uuid.uuid4().hex}
    r1 = book(c, s["id"], lz(day, "16:00"), headers=key)
    assert r1.status_code == 201, r1.text
    r2 = book(c, s["id"], lz(day, "16:00"), headers=key)
    assert (r2.status_code, r2.json()) == (201, r1.json())
    assert actions(of_target(admin, "booking", r1.json()["id"])) == ["booking.created"]

    # Completion: not before the start (409), then by the provider once.
    future = book_ok(c, s["id"], lz(day, "10:00"))
    assert_409(p.post(f"{API}/bookings/{future['id']}/complete", json={}), "booking_not_changeable")
    assert actions(of_target(admin, "booking", future["id"])) == ["booking.created"]
    past = insert_past_booking(server, backend, s, c.user["id"], _hours_ago(48), 60)
    assert of_target(admin, "booking", past) == []
    assert c.post(f"{API}/bookings/{past}/complete", json={}).status_code in (403, 404)
    rid, h = tag()
    r = p.post(f"{API}/bookings/{past}/complete", json={}, headers=h)
    assert r.status_code == 200, r.text
    assert_409(p.post(f"{API}/bookings/{past}/complete", json={}), "booking_not_changeable")
    got = of_target(admin, "booking", past)
    assert actions(got) == ["booking.completed"], got
    assert_entry(got[0], "booking.completed", p.user, "booking", past, rid, t0)


def test_refused_requests_write_no_entry_at_all(admin, make_user, base_url):
    """On the (sequential) session server: a run of refused requests leaves the
    whole log exactly as it was."""
    p, s = open_provider(make_user)
    day = future_monday()
    c, stranger, other_p = make_user("customer"), make_user("customer"), make_user("provider")
    b = book_ok(c, s["id"], lz(day, "09:00"))
    toff = p.post(f"{API}/providers/{p.user['id']}/time-off",
                  json={"start": lz(day, "16:00"), "end": lz(day, "17:00")}).json()
    key = {"Idempotency-Key": "refused-" + uuid.uuid4().hex}
    first = book(c, s["id"], lz(day, "14:00"), headers=key)
    assert first.status_code == 201, first.text

    before = audit_page(admin, limit=1)
    refused = [
        (409, lambda: book(stranger, s["id"], lz(day, "09:00"))),
        (409, lambda: c.post(f"{API}/bookings/{b['id']}/reschedule", json={"start": lz(day, "14:00")})),
        (409, lambda: p.post(f"{API}/bookings/{b['id']}/complete", json={})),
        (404, lambda: stranger.post(f"{API}/bookings/{b['id']}/cancel", json={})),
        (422, lambda: book(c, s["id"], lz(day, "15:00"), headers=key)),  # same key, other body
        (201, lambda: book(c, s["id"], lz(day, "14:00"), headers=key)),  # a replay changes nothing
        (403, lambda: stranger.post(f"{API}/services", json={"name": "x", "duration_minutes": 30})),
        (403, lambda: other_p.patch(f"{API}/services/{s['id']}", json={"name": "taken"})),
        (422, lambda: p.patch(f"{API}/services/{s['id']}", json={"duration_minutes": 0})),
        (403, lambda: other_p.put(f"{API}/providers/{p.user['id']}/availability",
                                  json={"timezone": "UTC", "weekly": []})),
        (422, lambda: p.put(f"{API}/providers/{p.user['id']}/availability",
                            json={"timezone": "UTC", "weekly": [{"day": "funday", "start": "09:00", "end": "10:00"}]})),
        (403, lambda: other_p.delete(f"{API}/providers/{p.user['id']}/time-off/{toff['id']}")),
        (404, lambda: p.delete(f"{API}/providers/{p.user['id']}/time-off/987654321")),
        (403, lambda: c.patch(f"{API}/users/{stranger.user['id']}", json={"name": "Hijack"})),
        (422, lambda: admin.patch(f"{API}/users/{stranger.user['id']}", json={"is_active": "maybe"})),
        (404, lambda: admin.patch(f"{API}/users/987654321", json={"name": "Ghost"})),
        (400, lambda: c.post(f"{API}/users/me/password",
                             json={"current_password": "wrong-password", "new_password": "whatever-123"})),
        (409, lambda: requests.post(base_url + f"{API}/auth/signup", timeout=T,
                                    json={"name": "Dup", "email": c.user["email"], "password": "password-123"})),
        (422, lambda: requests.post(base_url + f"{API}/auth/signup", timeout=T,
                                    json={"name": "Root", "email": unique_email("root"), "password": "password-123",
                                          "role": "admin"})),
        (401, lambda: requests.post(base_url + f"{API}/auth/refresh", json={"refresh_token": "x" * 32 + ".y"},
                                    timeout=T)),
    ]
    for status, call in refused:
        r = call()
        assert r.status_code == status, (status, r.status_code, r.text)
    after = audit_page(admin, limit=1)
    assert after["total"] == before["total"], (before["total"], after["total"])
    assert after["items"][0]["id"] == before["items"][0]["id"]


# --- the endpoint: filters, paging, access --------------------------------------------


def test_filters_order_and_paging(fresh):
    srv, adm = fresh()
    users = []
    for role in ("customer", "provider", "customer"):
        u, pw = signup(srv.url, role)
        users.append(client_for(srv.url, u, pw))
    time.sleep(1.1)  # the rest lies in a later second than the above
    a, p, b = users
    set_week(p, "UTC", [("monday", "09:00", "17:00")])
    svc = make_service(p)
    booking = book_ok(a, svc["id"], lz(future_monday(), "09:00"))
    assert b.patch(f"{API}/users/me", json={"name": "Renamed"}).status_code == 200
    assert login_r(srv.url, a.user["email"], "wrong-password-1").status_code == 401
    # Sealed first: pages read later must hold the same entries, hashes included
    # (under valgrind the sealer can lag a page or two behind).
    wait_sealed(adm, at_least=13)

    everything = audit_page(adm)
    assert everything["limit"] == 50 and everything["offset"] == 0
    full = audit_all(adm)
    assert everything["items"] == full[:50]
    # admin.created, login, 3 x (signup, login), availability, service, booking, update, failed login.
    assert len(full) == 13, actions(full)
    ids = [e["id"] for e in full]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert [at_of(e) for e in full] == sorted((at_of(e) for e in full), reverse=True)
    assert actions(full)[:2] == ["user.login_failed", "user.updated"]
    assert actions(full)[-1] == "admin.created"

    def check(params, want):
        got = audit_all(adm, **params)
        assert [e["id"] for e in got] == [e["id"] for e in want], (params, actions(got), actions(want))
        assert want, params  # each filter below selects something, and not everything
        assert len(want) < len(full), params

    check({"action": "user.login"}, [e for e in full if e["action"] == "user.login"])
    check({"action": "booking.created"}, [e for e in full if e["action"] == "booking.created"])
    check({"actor_id": a.user["id"]}, [e for e in full if e["actor_id"] == a.user["id"]])
    check({"actor_id": p.user["id"], "action": "service.created"},
          [e for e in full if e["actor_id"] == p.user["id"] and e["action"] == "service.created"])
    check({"target_type": "user"}, [e for e in full if e["target_type"] == "user"])
    check({"target_type": "user", "target_id": b.user["id"]},
          [e for e in full if e["target_type"] == "user" and e["target_id"] == b.user["id"]])
    check({"target_type": "booking", "target_id": booking["id"]},
          [e for e in full if e["target_type"] == "booking" and e["target_id"] == booking["id"]])
    check({"target_type": "provider"}, [e for e in full if e["target_type"] == "provider"])
    assert audit_all(adm, action="user.logout") == []
    assert audit_all(adm, target_type="webhook") == []
    assert audit_all(adm, actor_id=987654321) == []
    assert audit_all(adm, target_type="service", target_id=booking["id"] + 1000) == []

    # from (inclusive) and to (exclusive) on at, any offset.
    seconds = sorted({at_of(e) for e in full})
    assert len(seconds) >= 2, seconds
    for t in seconds[1:]:
        z = iso_z(t)
        check({"from": z}, [e for e in full if at_of(e) >= t])
        check({"to": z}, [e for e in full if at_of(e) < t])
        plus2 = t.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()
        check({"from": plus2}, [e for e in full if at_of(e) >= t])
        check({"from": iso_z(seconds[0]), "to": z}, [e for e in full if seconds[0] <= at_of(e) < t])
    (upd,) = [e for e in full if e["action"] == "user.updated"]
    check({"from": iso_z(at_of(upd)), "action": "user.updated"}, [upd])
    assert audit_all(adm, to=iso_z(at_of(upd)), action="user.updated") == []
    assert audit_all(adm, **{"from": iso_z(seconds[-1] + dt.timedelta(seconds=1))}) == []
    assert audit_all(adm, to=iso_z(seconds[0])) == []

    # Paging.
    pg = audit_page(adm, limit=3, offset=2)
    assert (pg["total"], pg["limit"], pg["offset"]) == (13, 3, 2)
    assert pg["items"] == full[2:5]
    pg = audit_page(adm, limit=5, offset=10)
    assert pg["items"] == full[10:] and len(pg["items"]) == 3
    pg = audit_page(adm, limit=5, offset=13)
    assert pg["items"] == [] and pg["total"] == 13
    pg = audit_page(adm, limit=1, offset=0, actor_id=a.user["id"])
    assert pg["total"] == len([e for e in full if e["actor_id"] == a.user["id"]]) and len(pg["items"]) == 1
    pg = audit_page(adm, limit=100)
    assert pg["items"] == full


def assert_422(r, loc):
    assert r.status_code == 422, (r.status_code, r.text)
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail, detail
    for d in detail:
        assert isinstance(d.get("msg"), str) and isinstance(d.get("type"), str), d
    assert loc in [d["loc"] for d in detail], (loc, detail)


def test_bad_filter_values_are_422(admin):
    cases = [
        ({"target_id": 5}, ["query", "target_id"]),
        ({"target_type": "planet"}, ["query", "target_type"]),
        ({"target_type": "planet", "target_id": 5}, ["query", "target_type"]),
        ({"target_type": "user", "target_id": "abc"}, ["query", "target_id"]),
        ({"target_type": "user", "target_id": 0}, ["query", "target_id"]),
        ({"actor_id": "abc"}, ["query", "actor_id"]),
        ({"actor_id": 0}, ["query", "actor_id"]),
        ({"from": "yesterday"}, ["query", "from"]),
        ({"from": "2026-13-45T00:00:00Z"}, ["query", "from"]),
        ({"from": "2026-01-01T00:00:00"}, ["query", "from"]),
        ({"to": "2026-01-01 00:00"}, ["query", "to"]),
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 101}, ["query", "limit"]),
        ({"limit": "x"}, ["query", "limit"]),
        ({"offset": -1}, ["query", "offset"]),
    ]
    for params, loc in cases:
        assert_422(admin.get(AUDIT, params=params), loc)
    assert audit_page(admin, target_type="user", limit=1)["limit"] == 1
    assert audit_page(admin, limit=100)["limit"] == 100


def test_audit_is_for_admins_only(make_user, base_url):
    for role in ("customer", "provider"):
        r = make_user(role).get(AUDIT)
        assert r.status_code == 403, r.text
        assert r.json() == FORBIDDEN
    r = requests.get(base_url + AUDIT, timeout=T)
    assert r.status_code == 401
    assert r.json() == {"detail": "Not authenticated"}
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")
    r = requests.get(base_url + AUDIT, headers={"Authorization": "Bearer not.a.token"}, timeout=T)
    assert r.status_code == 401
    assert r.json() == {"detail": "Could not validate credentials"}


# --- secrets --------------------------------------------------------------------------


def test_no_secret_anywhere_in_the_audit_log(admin, make_user, base_url):
    secrets = []
    p1 = "First-Secret-" + uuid.uuid4().hex[:10]
    user, _ = signup(base_url, "customer", password=p1)
    email = user["email"]
    secrets.append(p1)

    def tokens(r):
        assert r.status_code == 200, r.text
        tok = r.json()
        refresh_token = tok["refresh_token"]
        secrets.extend([tok["access_token"], refresh_token, refresh_token.split(".")[-1]])
        return tok

    tok = tokens(login_r(base_url, email, p1))
    tok2 = tokens(requests.post(base_url + f"{API}/auth/refresh", json={"refresh_token": tok["refresh_token"]},
                                timeout=T))
    # A reused refresh token revokes the session.
    assert requests.post(base_url + f"{API}/auth/refresh", json={"refresh_token": tok["refresh_token"]},
                         timeout=T).status_code == 401
    tok3 = tokens(requests.post(base_url + f"{API}/auth/token", data={"username": email, "password": p1}, timeout=T))
    c = Client(base_url, user, tok3["access_token"], p1, tok3["refresh_token"])
    p2 = "Second-Secret-" + uuid.uuid4().hex[:10]
    secrets.append(p2)
    r = c.post(f"{API}/users/me/password", json={"current_password": p1, "new_password": p2})
    assert r.status_code == 204, r.text
    wrong = "Wrong-Secret-" + uuid.uuid4().hex[:10]
    secrets.append(wrong)
    assert login_r(base_url, email, wrong).status_code == 401
    assert login_r(base_url, email, p1).status_code == 401
    tok4 = tokens(login_r(base_url, email, p2))
    c.token = tok4["access_token"]
    assert c.post(f"{API}/auth/logout").status_code == 204
    secrets += [admin.token, admin.refresh_token, admin.password]
    assert tok2["access_token"] != tok["access_token"]

    mine = audit_all(admin, target_type="user", target_id=user["id"])
    assert {"user.signup", "user.login", "user.login_failed", "user.password_changed", "user.logout"} <= \
        set(actions(mine)), actions(mine)

    # The whole log, every page, as raw text.
    texts, offset = [], 0
    while True:
        r = admin.get(AUDIT, params={"limit": 100, "offset": offset})
        assert r.status_code == 200, r.text
        texts.append(r.text)
        page = r.json()
        offset += len(page["items"])
        for e in page["items"]:
            for key in _keys(e["details"]):
                assert not re.search(r"password|token|secret|hash", key, re.I), (key, e)
        if not page["items"] or offset >= page["total"]:
            break
    whole = "\n".join(texts)
    assert email in whole
    for s in secrets:
        assert s not in whole, s[:12]
    for marker in ("$2b$", "$2a$", "$2y$"):
        assert marker not in whole, marker
    assert not re.search(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.", whole), "a JWT in the audit log"


def _keys(v):
    if isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from _keys(x)
    elif isinstance(v, list):
        for x in v:
            yield from _keys(x)


# --- the chain ------------------------------------------------------------------------


def _varied_activity(srv, adm):
    """Entries of many kinds, with text that JSON must escape or keep as UTF-8."""
    u, pw = signup(srv.url, "provider", name='Zoë "the" \\ back/slash 🎉 ünïcode')
    p = client_for(srv.url, u, pw)
    set_week(p, "Europe/Berlin", [("monday", "09:00", "17:00")])
    svc = make_service(p, name="Straße & Co <b>", description="Line one — “quoted” / ½")
    day = future_monday("Europe/Berlin")
    cu, cpw = signup(srv.url, "customer", name="日本語の名前")
    c = client_for(srv.url, cu, cpw)
    b = book_ok(c, svc["id"], lz(day, "10:00", "Europe/Berlin"), notes="nothing secret")
    assert c.post(f"{API}/bookings/{b['id']}/reschedule", json={"start": lz(day, "12:00", "Europe/Berlin")}).status_code == 200
    assert c.post(f"{API}/bookings/{b['id']}/cancel", json={"reason": "ß"}).status_code == 200
    assert login_r(srv.url, "nobody-é@example.com", "wrong-password").status_code in (401, 422)
    assert login_r(srv.url, cu["email"], "wrong-password").status_code == 401
    assert adm.patch(f"{API}/users/{cu['id']}", json={"name": "Ünïcode → renamed"}).status_code == 200
    assert p.patch(f"{API}/services/{svc['id']}", json={"price_cents": 1999}).status_code == 200
    assert p.delete(f"{API}/services/{svc['id']}").status_code == 204
    return p, c


def test_every_entry_is_sealed_and_the_chain_recomputes(fresh):
    srv, adm = fresh()
    _varied_activity(srv, adm)
    entries = wait_sealed(adm, at_least=15)
    assert first_mismatch(entries) is None
    # Every entry is chained, in id order, from 64 zeros.
    ordered = sorted(entries, key=lambda e: e["id"])
    assert ordered[0]["hash"] == chain_hash(ZERO, ordered[0])
    code, out = verify(srv)
    assert code == 0, out
    assert "audit chain ok" in out, out

    # New entries extend the chain; sealed hashes never change.
    sealed = {e["id"]: e["hash"] for e in entries}
    signup(srv.url, "customer")
    more = wait_sealed(adm, at_least=len(entries) + 1)
    assert len(more) == len(entries) + 1
    assert {e["id"]: e["hash"] for e in more if e["id"] in sealed} == sealed
    assert first_mismatch(more) is None
    assert verify(srv)[0] == 0


def test_audit_verify_names_the_tampered_entry(fresh):
    srv, adm = fresh()
    _varied_activity(srv, adm)
    entries = sorted(wait_sealed(adm, at_least=15), key=lambda e: e["id"])
    assert verify(srv)[0] == 0
    url = srv.database_url
    victim = next(e for e in entries[3:] if e["action"] == "user.login_failed")

    # details edited: the entry itself no longer matches.
    set_column(url, victim["id"], "details", json.dumps({"email": "someone-else@example.com"}))
    code, out = verify(srv)
    assert code == 1, out
    assert broken_at(out) == victim["id"], out
    # The endpoint shows the edit, and a recomputation finds it at the same entry.
    assert first_mismatch(audit_all(adm)) == victim["id"]
    set_column(url, victim["id"], "details", json.dumps(victim["details"], sort_keys=True, separators=(",", ":"),
                                                        ensure_ascii=False))
    code, out = verify(srv)
    assert code == 0, out

    # action edited.
    target = entries[5]
    set_column(url, target["id"], "action", "user.logout" if target["action"] == "user.login" else "user.login")
    code, out = verify(srv)
    assert code == 1, out
    assert broken_at(out) == target["id"], out
    set_column(url, target["id"], "action", target["action"])
    assert verify(srv)[0] == 0

    # A forged hash: that entry is the first that does not match.
    forged = entries[7]
    set_column(url, forged["id"], "hash", "f" * 64)
    code, out = verify(srv)
    assert code == 1 and broken_at(out) == forged["id"], out
    set_column(url, forged["id"], "hash", forged["hash"])
    assert verify(srv)[0] == 0

    # A row removed from the middle: the next one no longer follows.
    gone, after = entries[9], entries[10]
    db_exec(url, "DELETE FROM audit_log WHERE id = ?", (gone["id"],))
    code, out = verify(srv)
    assert code == 1 and broken_at(out) == after["id"], out


def test_chain_holds_under_concurrent_writers_of_two_processes(fresh):
    srv, adm = fresh()
    second = Server(srv.database_url)
    try:
        def job(i):
            base = (srv.url, second.url)[i % 2]
            if i % 3 == 0:
                signup(base, "customer")
            else:
                assert login_r(base, unique_email("ghost"), "wrong-password").status_code == 401
            return i

        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            assert len(list(pool.map(job, range(60)))) == 60
        expected = 2 + 20 * 1 + 40  # admin.created + login; 20 signups; 40 failed logins
        entries = wait_sealed(adm, at_least=expected)
        assert len(entries) == expected, actions(entries)
        assert first_mismatch(entries) is None
        code, out = verify(srv)
        assert code == 0, out
    finally:
        assert second.stop() == 0


def test_hash_matches_json_with_control_characters(fresh):
    """A name may hold a control character (U+001F); the canonical JSON escapes it as
    json.dumps does (\\u001f), and the chain still recomputes."""
    srv, adm = fresh()
    r = adm.patch(f"{API}/users/me", json={"name": "unit\x1fseparator\ttab"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "unit\x1fseparator\ttab"
    entries = wait_sealed(adm, at_least=3)
    e = only(adm, "user.updated", "user", adm.user["id"])
    assert e["details"]["name"]["to"] == "unit\x1fseparator\ttab"
    assert first_mismatch(entries) is None, canonical(e)
    assert verify(srv)[0] == 0


def test_user_agent_that_is_not_utf8_is_still_audited_and_sealed(fresh):
    """A User-Agent with bytes that are not UTF-8 (HTTP allows obs-text), or one
    whose cut at the stored length splits a character, must not cost the request
    its entry nor stop the sealer."""
    srv, adm = fresh()
    r = requests.post(srv.url + f"{API}/auth/signup", headers={"User-Agent": b"Latin1-Agent \xe9\xff"}, timeout=T,
                      json={"name": "Latin", "email": unique_email("latin"), "password": "password-123"})
    assert r.status_code == 201, r.text
    latin = r.json()
    long_agent = "Agent/" + "é" * 300
    r = requests.post(srv.url + f"{API}/auth/signup", headers={"User-Agent": long_agent.encode()}, timeout=T,
                      json={"name": "Long", "email": unique_email("long"), "password": "password-123"})
    assert r.status_code == 201, r.text
    long_user = r.json()
    signup(srv.url, "customer")  # an ordinary one after them
    page = audit_page(adm, limit=100)
    assert page["total"] == 5, actions(page["items"])
    assert len(page["items"]) == 5, f"the list shows {len(page['items'])} of its {page['total']} entries"
    entries = wait_sealed(adm, at_least=5)
    assert len(entries) == 5, actions(entries)
    e = only(adm, "user.signup", "user", latin["id"])
    assert isinstance(e["user_agent"], str) and e["user_agent"].startswith("Latin1-Agent"), e
    e = only(adm, "user.signup", "user", long_user["id"])
    assert e["user_agent"] and long_agent.startswith(e["user_agent"].rstrip("\ufffd")), e
    assert first_mismatch(entries) is None
    assert verify(srv)[0] == 0


# --- retention ------------------------------------------------------------------------


def test_retention_prunes_old_entries_and_keeps_the_chain_verifiable(fresh):
    srv, adm = fresh(AUDIT_RETENTION_DAYS=1, RETENTION_INTERVAL_SECONDS=1)
    for _ in range(3):
        u, pw = signup(srv.url, "customer")
        client_for(srv.url, u, pw)
    entries = sorted(wait_sealed(adm, at_least=8), key=lambda e: e["id"])
    assert len(entries) == 8
    old, kept = entries[:3], entries[3:]
    age_entries(srv.database_url, old[-1]["id"], 3)

    deadline = time.time() + SEAL_WAIT
    while True:
        now = audit_all(adm)
        if not {e["id"] for e in old} & {e["id"] for e in now}:
            break
        assert time.time() < deadline, f"retention left {[e['id'] for e in now if e['id'] <= old[-1]['id']]}"
        time.sleep(0.2)
    assert [e["id"] for e in now] == [e["id"] for e in reversed(kept)]
    assert {e["id"]: e["hash"] for e in now} == {e["id"]: e["hash"] for e in kept}
    # The rest still follows from the last pruned entry's hash.
    assert first_mismatch(now, prev=old[-1]["hash"]) is None
    code, out = verify(srv)
    assert code == 0, out

    # The chain goes on after pruning.
    signup(srv.url, "provider")
    more = wait_sealed(adm, at_least=len(kept) + 1)
    assert len(more) == len(kept) + 1
    assert first_mismatch(more, prev=old[-1]["hash"]) is None
    code, out = verify(srv)
    assert code == 0, out

    # And it is still checked from where it was cut: an edit of the first kept entry shows.
    set_column(srv.database_url, kept[0]["id"], "actor_email", "forged@example.com")
    code, out = verify(srv)
    assert code == 1 and broken_at(out) == kept[0]["id"], out


# --- the session server's own chain ----------------------------------------------------


def test_session_server_chain_verifies(server, admin):
    entries = wait_sealed(admin)
    assert first_mismatch(entries) is None
    code, out = verify(server)
    assert code == 0, out
