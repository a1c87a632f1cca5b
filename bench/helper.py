#!/usr/bin/python3
"""Set-up steps of bench/run.sh that talk HTTP or SQL (standard library only).

Every command prints shell assignments (KEY='value') for run.sh to eval, or
exits non-zero with a message on standard error.

  free-port
  wait URL                                   until GET URL/health answers 200
  user URL EMAIL PASSWORD ROLE               signup (409 is fine) + login: USER_ID, TOKEN
  login URL EMAIL PASSWORD                   login of an existing user (an admin): TOKEN
  touch URL TOKEN                            a few requests of each cheap kind
  booking-setup URL N_CUSTOMERS              provider, schedule, service, customers
  webhook URL TOKEN TARGET EVENT             POST /webhooks: TARGET gets EVENT: WEBHOOK_ID
  slots-setup URL ENGINE TARGET N            a provider with two services and N bookings
                                             inserted with SQL (ENGINE sqlite: TARGET is
                                             the file; postgres: TARGET is psql's
                                             "-h H -p P -U U DB" connection words)
  probe URL TOKEN PATH                       one GET: STATUS, COUNT (of "slots"), VALID,
                                             BODY_START
  outbox-count ENGINE TARGET                 rows in events and audit_log: EVENTS, AUDIT
  wait-sealed ENGINE TARGET SECONDS          until the newest audit entry has its hash (the
                                             sealer caught up): SEALED (1/0), WAITED
  outbox-fill ENGINE TARGET N                N more rows in events and in audit_log, copies
                                             of the newest booking.created ones: FILL_SECONDS
"""
import datetime as dt
import json
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

API = "/api/v1"
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
PASSWORD = "bench-password-123"


def out(**kv):
    for k, v in kv.items():
        print(f"{k}={shlex.quote(str(v))}")


def call(url, method, path, body=None, token=None, form=None):
    """(status, parsed JSON body or None, raw text)."""
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    text = raw.decode(errors="replace")
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = None
    return status, parsed, text


class Skip(Exception):
    """The server cannot do this step (yet): the reason is reported, not fatal."""


def expect(what, got, want):
    status, body, text = got
    if status == want:
        return body
    if status in (404, 405) and isinstance(body, dict) and body.get("detail") in (
            "Not Found", "Method Not Allowed"):
        raise Skip(f"{what} answers {status} (route not implemented in this build)")
    raise Skip(f"{what} answered {status}: {text[:200]}")


def user(url, email, password, role, name="Bench user"):
    st, body, text = call(url, "POST", API + "/auth/signup",
                          {"name": name, "email": email, "password": password, "role": role})
    if st not in (201, 409):
        raise Skip(f"signup answered {st}: {text[:200]}")
    st, body, text = call(url, "POST", API + "/auth/login", {"email": email, "password": password})
    if st != 200:
        raise Skip(f"login answered {st}: {text[:200]}")
    token = body["access_token"]
    st, me, text = call(url, "GET", API + "/users/me", token=token)
    if st != 200:
        raise Skip(f"GET /users/me answered {st}: {text[:200]}")
    return me["id"], token


def open_provider(url, tag):
    """A provider open every day 00:00-24:00 UTC with one 5-minute service."""
    pid, ptoken = user(url, f"bench-{tag}-provider-{time.time_ns()}@example.com", PASSWORD, "provider",
                       name=f"Bench {tag} provider")
    weekly = [{"day": d, "start": "00:00", "end": "24:00"} for d in DAYS]
    expect(f"PUT {API}/providers/{{id}}/availability",
           call(url, "PUT", f"{API}/providers/{pid}/availability", {"timezone": "UTC", "weekly": weekly},
                token=ptoken), 200)
    svc = expect(f"POST {API}/services",
                 call(url, "POST", f"{API}/services",
                      {"name": f"Bench {tag}", "duration_minutes": 5, "slot_interval_minutes": 5,
                       "max_advance_days": 730}, token=ptoken), 201)
    return pid, ptoken, svc["id"]


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def midnight_utc(days_from_today):
    today = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return int((today + dt.timedelta(days=days_from_today)).timestamp())


def booking_setup(url, n):
    pid, ptoken, sid = open_provider(url, "booking")
    tokens = []
    cids = []
    stamp = time.time_ns()
    for i in range(n):
        cid, tok = user(url, f"bench-customer-{stamp}-{i}@example.com", PASSWORD, "customer",
                        name=f"Bench customer {i}")
        cids.append(cid)
        tokens.append(tok)
    base = midnight_utc(1)
    # One probe booking far outside the range the wrk script uses.
    expect(f"POST {API}/bookings",
           call(url, "POST", f"{API}/bookings", {"service_id": sid, "start": iso(midnight_utc(715))},
                token=tokens[0]), 201)
    out(PROVIDER_ID=pid, PROVIDER_TOKEN=ptoken, SERVICE_ID=sid, CUSTOMER_ID=cids[0], BASE=base,
        TOKENS=",".join(tokens))


def slots_setup(url, engine, target, n):
    """A provider open around the clock with a 5-minute and a 60-minute service,
    and n bookings of 5 minutes inserted with SQL: one every 10 minutes from
    00:00 to 12:00 UTC (72 a day) on consecutive days centred on today. In a
    week a week from now, the 5-minute service offers 216 slots a day (72 in
    the mornings, 144 in the afternoons) and the 60-minute service 12."""
    pid, ptoken, sid = open_provider(url, "slots")
    svc60 = expect(f"POST {API}/services",
                   call(url, "POST", f"{API}/services",
                        {"name": "Bench slots 60", "duration_minutes": 60, "slot_interval_minutes": 60,
                         "max_advance_days": 730}, token=ptoken), 201)
    cid, _ = user(url, f"bench-slots-customer-{time.time_ns()}@example.com", PASSWORD, "customer")
    per_day, step, dur = 72, 600, 300
    days = -(-n // per_day)
    first = midnight_utc(-(days // 2))
    now = int(time.time())

    def start(i):
        return first + (i // per_day) * 86400 + (i % per_day) * step

    if engine == "sqlite":
        import sqlite3
        db = sqlite3.connect(target, timeout=30)
        db.execute("PRAGMA busy_timeout = 30000")
        # Latest first: the no-overlap trigger range-scans the provider's bookings
        # that start before the new one's end, so inserting in ascending order
        # can cost O(n^2).
        rows = ((sid, pid, cid, t, t + dur, 0, 0, t, t + dur, "confirmed", "", now, now)
                for t in (start(i) for i in reversed(range(n))))
        with db:
            db.executemany(
                "INSERT INTO bookings (service_id, provider_id, customer_id, start_at, end_at,"
                " buffer_before_min, buffer_after_min, occupied_start, occupied_end, status, notes,"
                " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        db.close()
    else:
        sql = (
            "INSERT INTO bookings (service_id, provider_id, customer_id, start_at, end_at,"
            " buffer_before_min, buffer_after_min, occupied_start, occupied_end, status, notes,"
            " created_at, updated_at)"
            f" SELECT {sid}, {pid}, {cid}, t, t + interval '5 minutes', 0, 0, t,"
            " t + interval '5 minutes', 'confirmed', '', now(), now()"
            f" FROM (SELECT to_timestamp({first} + (g / {per_day}) * 86400 + (g % {per_day}) * {step}) AS t"
            f" FROM generate_series(0, {n - 1}) g) s")
        # VACUUM as well as ANALYZE: the first reads of rows fresh from a bulk
        # insert write their hint bits, and autovacuum would come during the
        # runs (a first 10 s run measured p99 5.97 ms unvacuumed, 2.62 ms
        # vacuumed, on the same 7-day slots).
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *shlex.split(target), "-c", sql,
                        "-c", "VACUUM ANALYZE bookings", "-c", "CHECKPOINT"],
                       check=True, stdout=subprocess.DEVNULL)
    day = dt.datetime.fromtimestamp(midnight_utc(7), dt.timezone.utc).date()
    out(SLOTS_SERVICE_ID=sid, SLOTS_SERVICE60_ID=svc60["id"], SLOTS_TOKEN=ptoken, SLOTS_FROM=day,
        SLOTS_TO=day + dt.timedelta(days=6), SLOTS_FIRST=iso(start(0)), SLOTS_LAST=iso(start(n - 1)))


def query(engine, target, sql):
    """Rows (lists of text) of one statement, on SQLite (target: the file) or
    through psql (target: its connection words)."""
    if engine == "sqlite":
        import sqlite3
        db = sqlite3.connect(target, timeout=30)
        try:
            return [[str(v) for v in r] for r in db.execute(sql).fetchall()]
        finally:
            db.close()
    res = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", *shlex.split(target),
                          "-c", sql], check=True, capture_output=True, text=True)
    return [line.split("|") for line in res.stdout.splitlines()]


def outbox_count(engine, target):
    (ev,), = query(engine, target, "SELECT count(*) FROM events")
    (au,), = query(engine, target, "SELECT count(*) FROM audit_log")
    out(EVENTS=ev, AUDIT=au)


def wait_sealed(engine, target, seconds):
    t0 = time.time()
    while True:
        rows = query(engine, target, "SELECT hash IS NOT NULL FROM audit_log ORDER BY id DESC LIMIT 1")
        if not rows or rows[0][0] in ("1", "t"):
            out(SEALED=1, WAITED=f"{time.time() - t0:.1f}")
            return
        if time.time() - t0 > seconds:
            out(SEALED=0, WAITED=f"{time.time() - t0:.1f}")
            return
        time.sleep(0.5)


# The rows of outbox-fill: copies of the newest booking.created event and audit
# entry (the audit entry's target_id counting up), each audit entry with a
# made-up hash: old entries are sealed, so the sealer chains only what comes
# after them (across them the chain does not verify: a throwaway database).
EVENT_TEMPLATE = "(SELECT * FROM events WHERE type = 'booking.created' ORDER BY id DESC LIMIT 1)"
AUDIT_TEMPLATE = "(SELECT * FROM audit_log WHERE action = 'booking.created' ORDER BY id DESC LIMIT 1)"
EVENT_FILL = ("INSERT INTO events (type, data, provider_id, customer_id, created_at)"
              " SELECT e.type, e.data, e.provider_id, e.customer_id, e.created_at FROM {n}, "
              + EVENT_TEMPLATE + " e")
AUDIT_FILL = ("INSERT INTO audit_log (at, actor_id, actor_email, actor_role, action, target_type,"
              " target_id, ip, user_agent, request_id, details, hash)"
              " SELECT a.at, a.actor_id, a.actor_email, a.actor_role, a.action, a.target_type,"
              " a.target_id + {g}, a.ip, a.user_agent, a.request_id, a.details, {hash} FROM {n}, "
              + AUDIT_TEMPLATE + " a")


def outbox_fill(engine, target, n):
    t0 = time.time()
    for table, template in (("events", EVENT_TEMPLATE), ("audit_log", AUDIT_TEMPLATE)):
        if not query(engine, target, "SELECT 1 FROM " + template + " t"):
            raise Skip(f"no booking.created row in {table} to copy")
    if engine == "sqlite":
        # A recursive CTE, 100 000 rows a transaction: the server's writers (the
        # sealer) wait less than their 10 s busy timeout between them.
        import sqlite3
        db = sqlite3.connect(target, timeout=30, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 30000")
        chunk = 100000
        for first in range(0, n, chunk):
            count = min(chunk, n - first)
            seq = (f"(WITH RECURSIVE s(g) AS (SELECT {first + 1} UNION ALL SELECT g + 1 FROM s"
                   f" WHERE g < {first + count}) SELECT g FROM s) n")
            db.execute("BEGIN IMMEDIATE")
            db.execute(EVENT_FILL.format(n=seq))
            db.execute(AUDIT_FILL.format(n=seq, g="n.g", hash="lower(hex(randomblob(32)))"))
            db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
    else:
        # One INSERT ... SELECT a table (the BEFORE INSERT trigger draws each id
        # under the readers' advisory lock, shared: held from the first row on),
        # then VACUUM ANALYZE, so that autovacuum does not start during the run,
        # and a CHECKPOINT.
        seq = f"generate_series(1, {n}) n(g)"
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *shlex.split(target),
                        "-c", EVENT_FILL.format(n=seq),
                        "-c", AUDIT_FILL.format(n=seq, g="n.g",
                                                hash="encode(sha256(n.g::text::bytea), 'hex')"),
                        "-c", "VACUUM ANALYZE events, audit_log", "-c", "CHECKPOINT"],
                       check=True, stdout=subprocess.DEVNULL)
    out(FILL_SECONDS=f"{time.time() - t0:.1f}")


def main(argv):
    cmd = argv[1]
    if cmd == "free-port":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            print(s.getsockname()[1])
        return 0
    if cmd == "wait":
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if call(argv[2], "GET", "/health")[0] == 200:
                    return 0
            except OSError:
                pass
            time.sleep(0.05)
        print(f"no answer from {argv[2]}/health within 30 s", file=sys.stderr)
        return 1
    try:
        if cmd == "user":
            uid, token = user(argv[2], argv[3], argv[4], argv[5])
            out(USER_ID=uid, TOKEN=token)
        elif cmd == "login":
            body = expect("POST /auth/login", call(argv[2], "POST", API + "/auth/login",
                                                  {"email": argv[3], "password": argv[4]}), 200)
            out(TOKEN=body["access_token"])
        elif cmd == "touch":
            for _ in range(3):
                call(argv[2], "GET", "/health")
                call(argv[2], "GET", "/health/ready")
                call(argv[2], "GET", API + "/users/me", token=argv[3])
                call(argv[2], "GET", "/openapi.json")
        elif cmd == "booking-setup":
            booking_setup(argv[2], int(argv[3]))
        elif cmd == "webhook":
            hook = expect(f"POST {API}/webhooks",
                          call(argv[2], "POST", API + "/webhooks", {"url": argv[4], "events": [argv[5]]},
                               token=argv[3]), 201)
            out(WEBHOOK_ID=hook["id"])
        elif cmd == "slots-setup":
            slots_setup(argv[2], argv[3], argv[4], int(argv[5]))
        elif cmd == "probe":
            st, body, text = call(argv[2], "GET", argv[4], token=argv[3])
            valid = isinstance(body, dict) and isinstance(body.get("slots"), list)
            out(STATUS=st, COUNT=len(body["slots"]) if valid else 0, VALID=int(valid),
                BODY_START=text[:120])
        elif cmd == "outbox-count":
            outbox_count(argv[2], argv[3])
        elif cmd == "wait-sealed":
            wait_sealed(argv[2], argv[3], float(argv[4]))
        elif cmd == "outbox-fill":
            outbox_fill(argv[2], argv[3], int(argv[4]))
        else:
            print(f"unknown command {cmd}", file=sys.stderr)
            return 2
    except Skip as e:
        out(SKIP=str(e))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
