#!/usr/bin/python3
"""Event-stream load for bench/run.sh (standard library only, asyncio).

  hold URL TOKEN N READY_FILE
      opens N streams of GET /api/v1/events with TOKEN, writes READY_FILE
      ("OPEN <n>") once every one has its first line, and keeps reading them
      until SIGTERM; then prints OPEN, EVENTS (events read, all streams) and
      CLOSED (streams the server ended early) as shell assignments.
  fanout URL STREAM_TOKEN N BOOK_TOKEN SERVICE_ID BASE K
      opens N streams with STREAM_TOKEN (a provider: each of its bookings
      reaches every one), then makes K bookings one after another (100 ms
      apart) with BOOK_TOKEN, and times each stream's copy of each booking's
      event from the booking's 201 (the 201 read, then the event parsed: the
      client's own reading is in the figure). Prints OPEN, DELIVERED,
      MISSING, P50_MS, P99_MS, MAX_MS.
"""
import asyncio
import datetime as dt
import json
import resource
import shlex
import signal
import sys
import time
import urllib.parse

API = "/api/v1"


def out(**kv):
    for k, v in kv.items():
        print(f"{k}={shlex.quote(str(v))}")


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Stream:
    """One GET /api/v1/events, read line by line."""

    def __init__(self, host, port, token):
        self.host, self.port, self.token = host, port, token
        self.opened = asyncio.get_running_loop().create_future()
        self.events = 0
        self.ended = False
        self.on_event = None  # called with (id, type, data text) as each event completes

    async def run(self):
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError as e:
            if not self.opened.done():
                self.opened.set_exception(e)
            return
        writer.write((f"GET {API}/events HTTP/1.1\r\nHost: {self.host}\r\n"
                      f"Authorization: Bearer {self.token}\r\nAccept: text/event-stream\r\n\r\n").encode())
        try:
            status = await reader.readline()
            if b" 200 " not in status:
                raise OSError(f"stream answered {status!r}")
            while (await reader.readline()) not in (b"\r\n", b""):
                pass  # headers
            await self.read_body(reader)
        except (OSError, asyncio.IncompleteReadError) as e:
            if not self.opened.done():
                self.opened.set_exception(e)
        finally:
            self.ended = True
            writer.close()

    async def read_body(self, reader):
        """Chunked transfer coding, SSE lines inside."""
        pending = b""
        ev = {}
        while True:
            size_line = await reader.readline()
            if not size_line:
                return
            size = int(size_line.strip().split(b";")[0] or b"0", 16)
            if size == 0:
                return
            pending += await reader.readexactly(size)
            await reader.readexactly(2)
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if not self.opened.done():
                    self.opened.set_result(True)
                if line == b"":
                    if "data" in ev:
                        self.events += 1
                        if self.on_event:
                            self.on_event(ev.get("id"), ev.get("event"), ev["data"])
                    ev = {}
                elif not line.startswith(b":"):
                    k, _, v = line.decode().partition(":")
                    ev[k] = v[1:] if v.startswith(" ") else v


async def open_streams(url, token, n):
    u = urllib.parse.urlsplit(url)
    streams = [Stream(u.hostname, u.port, token) for _ in range(n)]
    tasks = []
    for i in range(0, n, 200):  # in batches: the listen backlog is finite
        batch = streams[i:i + 200]
        tasks += [asyncio.ensure_future(s.run()) for s in batch]
        await asyncio.gather(*(s.opened for s in batch))
    return streams, tasks


async def hold(url, token, n, ready_file):
    streams, tasks = await open_streams(url, token, n)
    with open(ready_file, "w") as f:
        f.write(f"OPEN {len(streams)}\n")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    out(OPEN=len(streams), EVENTS=sum(s.events for s in streams),
        CLOSED=sum(1 for s in streams if s.ended))
    for t in tasks:
        t.cancel()


async def post_booking(host, port, token, service_id, start):
    reader, writer = await asyncio.open_connection(host, port)
    body = json.dumps({"service_id": service_id, "start": start}).encode()
    writer.write((f"POST {API}/bookings HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                  f"Connection: close\r\n\r\n").encode() + body)
    raw = await reader.read()
    t = time.monotonic()
    writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    if b" 201 " not in head.split(b"\r\n")[0]:
        raise RuntimeError(f"booking answered {head[:80]!r}")
    return json.loads(payload)["id"], t


async def fanout(url, stream_token, n, book_token, service_id, base, k):
    arrivals = {}  # booking id -> list of monotonic arrival times

    def seen(_id, _type, data):
        arrivals.setdefault(json.loads(data)["id"], []).append(time.monotonic())

    streams, tasks = await open_streams(url, stream_token, n)
    for s in streams:
        s.on_event = seen
    u = urllib.parse.urlsplit(url)
    made = []
    for i in range(k):
        start = dt.datetime.fromtimestamp(base + i * 300, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        made.append(await post_booking(u.hostname, u.port, book_token, service_id, start))
        await asyncio.sleep(0.1)
    await asyncio.sleep(2)
    delays = sorted((a - t) * 1000 for bid, t in made for a in arrivals.get(bid, []))
    want = n * k
    pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))] if delays else float("nan")
    out(OPEN=len(streams), DELIVERED=len(delays), MISSING=want - len(delays),
        P50_MS=f"{pick(0.50):.2f}", P99_MS=f"{pick(0.99):.2f}",
        MAX_MS=f"{delays[-1]:.2f}" if delays else "nan")
    for t in tasks:
        t.cancel()


def main(argv):
    raise_nofile()
    if argv[1] == "hold":
        asyncio.run(hold(argv[2], argv[3], int(argv[4]), argv[5]))
    elif argv[1] == "fanout":
        asyncio.run(fanout(argv[2], argv[3], int(argv[4]), argv[5], int(argv[6]), int(argv[7]),
                           int(argv[8])))
    else:
        print(f"unknown command {argv[1]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
