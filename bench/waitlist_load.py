#!/usr/bin/python3
"""Waitlist load for bench/run.sh (standard library only; bench/helper.py and
bench/sse_load.py supply the HTTP and stream pieces).

Each command prints shell assignments (KEY='value') for the script to eval.

  latency URL ENTRIES K
      a provider open around the clock with a 5-minute service, ENTRIES
      active auto_book waitlist entries over its next 60 days (20 a
      customer), and K bookings of another customer, 10 minutes apart. Opens
      each waiting customer's event stream, then cancels the K bookings one
      at a time (as their provider) and times, from each cancellation's 200,
      the waitlist.booked event of the booking made in its slot. Prints
      ENTRIES, SERVED, MISSING, IN_ORDER (1 when every slot went to the
      oldest entry still waiting), P50_MS, P99_MS, MAX_MS.
  cancel-setup URL ENGINE TARGET N ENTRIES [AWAY]
      a provider as above and N of its bookings inserted with SQL, back to
      back from tomorrow 00:00 UTC (ENGINE sqlite: TARGET is the file;
      postgres: psql's connection words), then ENTRIES active auto_book
      entries over the 60 days of the first ids, or with AWAY (1) over 60
      days 400 days later, which no cancellation frees. Prints CANCEL_TOKEN (the
      provider's), CANCEL_FIRST and CANCEL_LAST (booking ids), SERVICE_ID.
  served ENGINE TARGET SERVICE_ID
      BOOKED: the service's waitlist entries that were booked.
"""
import asyncio
import json
import math
import os
import shlex
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helper  # noqa: E402
from sse_load import Stream, out, raise_nofile  # noqa: E402

API = "/api/v1"
PER_CUSTOMER = 20
SPAN = 60 * 86400


def waiting_customers(url, sid, entries, base, tag):
    """Customers with `entries` active auto_book entries in all, oldest first:
    a list of (token, [entry ids])."""
    customers = []
    stamp = time.time_ns()
    for c in range(math.ceil(entries / PER_CUSTOMER)):
        _, tok = helper.user(url, f"bench-wait-{tag}-{stamp}-{c}@example.com", helper.PASSWORD, "customer")
        ids = []
        for _ in range(min(PER_CUSTOMER, entries - c * PER_CUSTOMER)):
            body = {"service_id": sid, "from": helper.iso(base), "to": helper.iso(base + SPAN),
                    "auto_book": True}
            e = helper.expect(f"POST {API}/waitlist", helper.call(url, "POST", f"{API}/waitlist", body,
                                                                 token=tok), 201)
            ids.append(e["id"])
        customers.append((tok, ids))
    return customers


async def cancel(host, port, token, booking_id):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write((f"POST {API}/bookings/{booking_id}/cancel HTTP/1.1\r\nHost: {host}\r\n"
                  f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                  f"Content-Length: 2\r\nConnection: close\r\n\r\n{{}}").encode())
    raw = await reader.read()
    t = time.monotonic()
    writer.close()
    if b" 200 " not in raw.split(b"\r\n", 1)[0]:
        raise RuntimeError(f"cancel answered {raw[:80]!r}")
    return t


async def latency(url, entries, k):
    _, ptoken, sid = helper.open_provider(url, "waitlist")
    base = helper.midnight_utc(1)
    customers = waiting_customers(url, sid, entries, base, "latency")
    _, leaver = helper.user(url, f"bench-leaver-{time.time_ns()}@example.com", helper.PASSWORD, "customer")
    starts, bids = [], []
    for i in range(k):
        start = base + 86400 + i * 600
        b = helper.expect(f"POST {API}/bookings",
                          helper.call(url, "POST", f"{API}/bookings",
                                      {"service_id": sid, "start": helper.iso(start)}, token=leaver), 201)
        starts.append(helper.iso(start))
        bids.append(b["id"])
    booking_start = {}  # booking id -> start, from booking.created
    booked = {}  # start -> (monotonic arrival, entry id)

    def seen(_id, etype, data):
        d = json.loads(data)
        if etype == "booking.created":
            booking_start[d["id"]] = d["start"]
        elif etype == "waitlist.booked" and d.get("booking_id") in booking_start:
            booked[booking_start[d["booking_id"]]] = (time.monotonic(), d["id"])

    u = urllib.parse.urlsplit(url)
    streams = [Stream(u.hostname, u.port, tok) for tok, _ in customers]
    tasks = [asyncio.ensure_future(s.run()) for s in streams]
    await asyncio.gather(*(s.opened for s in streams))
    for s in streams:
        s.on_event = seen
    delays = []
    for bid, start in zip(bids, starts):
        t = await cancel(u.hostname, u.port, ptoken, bid)
        for _ in range(500):  # 5 s at most
            if start in booked:
                delays.append((booked[start][0] - t) * 1000)
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.02)
    for t in tasks:
        t.cancel()
    order = [eid for _, ids in customers for eid in ids]
    served = [booked[s][1] for s in starts if s in booked]
    delays.sort()
    pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))] if delays else float("nan")
    out(ENTRIES=entries, SERVED=len(served), MISSING=k - len(served),
        IN_ORDER=int(served == order[:len(served)]), P50_MS=f"{pick(0.50):.1f}",
        P99_MS=f"{pick(0.99):.1f}", MAX_MS=f"{delays[-1]:.1f}" if delays else "nan")


def insert_bookings(engine, target, sid, pid, cid, first, n):
    now = int(time.time())
    if engine == "sqlite":
        import sqlite3
        db = sqlite3.connect(target, timeout=30)
        db.execute("PRAGMA busy_timeout = 30000")
        rows = ((sid, pid, cid, t, t + 300, 0, 0, t, t + 300, "confirmed", "", now, now)
                for t in (first + i * 300 for i in reversed(range(n))))  # latest first: see helper.py
        with db:
            db.executemany(
                "INSERT INTO bookings (service_id, provider_id, customer_id, start_at, end_at,"
                " buffer_before_min, buffer_after_min, occupied_start, occupied_end, status, notes,"
                " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        db.close()
        return
    sql = ("INSERT INTO bookings (service_id, provider_id, customer_id, start_at, end_at,"
           " buffer_before_min, buffer_after_min, occupied_start, occupied_end, status, notes,"
           " created_at, updated_at)"
           f" SELECT {sid}, {pid}, {cid}, t, t + interval '5 minutes', 0, 0, t,"
           " t + interval '5 minutes', 'confirmed', '', now(), now()"
           f" FROM (SELECT to_timestamp({first} + g * 300) AS t FROM generate_series(0, {n - 1}) g) s;"
           " ANALYZE bookings;")
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *shlex.split(target), "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def cancel_setup(url, engine, target, n, entries, away):
    pid, ptoken, sid = helper.open_provider(url, "cancel")
    cid, _ = helper.user(url, f"bench-cancel-customer-{time.time_ns()}@example.com", helper.PASSWORD,
                         "customer")
    base = helper.midnight_utc(1)
    insert_bookings(engine, target, sid, pid, cid, base, n)
    (lo, hi), = helper.query(engine, target,
                             f"SELECT min(id), max(id) FROM bookings WHERE service_id = {sid}")
    # cancel.lua goes through the ids in order: the entries wait over the 60
    # days of the first ones (on SQLite the latest were inserted first).
    if engine == "sqlite":
        base += (n - 1) * 300 + 300 - SPAN
    if away:
        base += 400 * 86400
    waiting_customers(url, sid, entries, base, f"cancel-{sid}")
    if engine != "sqlite":
        # Every round leaves 40 000 more rows behind: without this, the
        # autovacuum of earlier rounds' rows lands in later rounds at random
        # and moves cancellations/s more than what the rounds compare.
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *shlex.split(target),
                        "-c", "VACUUM ANALYZE", "-c", "CHECKPOINT"], check=True, stdout=subprocess.DEVNULL)
    out(CANCEL_TOKEN=ptoken, CANCEL_FIRST=lo, CANCEL_LAST=hi, SERVICE_ID=sid)


def main(argv):
    raise_nofile()
    try:
        if argv[1] == "latency":
            asyncio.run(latency(argv[2], int(argv[3]), int(argv[4])))
        elif argv[1] == "cancel-setup":
            cancel_setup(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]),
                         len(argv) > 7 and argv[7] == "1")
        elif argv[1] == "served":
            (n,), = helper.query(argv[2], argv[3], "SELECT count(*) FROM waitlist_entries"
                                 f" WHERE service_id = {int(argv[4])} AND status = 'booked'")
            out(BOOKED=n)
        else:
            print(f"unknown command {argv[1]}", file=sys.stderr)
            return 2
    except helper.Skip as e:
        out(SKIP=str(e))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
