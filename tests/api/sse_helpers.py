"""A Server-Sent Events client for the event stream tests: a raw socket
(HTTP/1.1, chunked), a thread that parses frames into a queue, and helpers
to open streams with a Bearer token or a ticket."""
import queue
import socket
import threading
import time
import urllib.parse

import requests

from booking_helpers import make_service, set_week

API = "/api/v1"
END = object()  # the stream ended with its last chunk: a clean end


class Stream:
    """GET path on base_url; .status, .headers (lower-case names), then frames
    from .next(): {"id", "event", "data"} for events, {"comment"} for
    comments, {"retry"} for a retry field, END at a clean end. .dirty says the
    connection closed without the last chunk."""

    def __init__(self, base_url, path=API + "/events", headers=None, params=None, timeout=10):
        u = urllib.parse.urlsplit(base_url)
        target = path + ("?" + urllib.parse.urlencode(params) if params else "")
        self.sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
        head = [f"GET {target} HTTP/1.1", f"Host: {u.hostname}:{u.port}", "Accept: text/event-stream"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        self.buf = b""
        self.frames = queue.Queue()
        self.dirty = False
        self.ended = threading.Event()
        self.raw = []  # every decoded byte string, in order
        self._read_head()
        self.sock.settimeout(None)
        self.body = b""
        if self.chunked:
            self.thread = threading.Thread(target=self._pump, daemon=True)
            self.thread.start()
        else:
            n = int(self.headers.get("content-length", "0"))
            while len(self.buf) < n:
                self._fill()
            self.body = self.buf[:n]

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def _read_head(self):
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            self.headers[k.strip().lower()] = v.strip()
        self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"

    def _chunks(self):
        while True:
            while b"\r\n" not in self.buf:
                self._fill()
            size_line, self.buf = self.buf.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(self.buf) < size + 2:
                self._fill()
            data, self.buf = self.buf[:size], self.buf[size + 2:]
            if size == 0:
                return
            yield data

    def _pump(self):
        text = ""
        frame = {}
        try:
            for data in self._chunks():
                self.raw.append(data)
                text += data.decode()
                while "\n" in text:
                    line, text = text.split("\n", 1)
                    frame = self._line(line, frame)
            self.frames.put(END)
        except (EOFError, OSError, ValueError):
            self.dirty = True
        self.ended.set()

    def _line(self, line, frame):
        if line == "":
            if frame:
                self.frames.put(frame)
            return {}
        if line.startswith(":"):
            self.frames.put({"comment": line[1:].strip()})
            return frame
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "data" and "data" in frame:
            frame["data"] += "\n" + value
        else:
            frame[field] = value
        return frame

    def next(self, timeout=5):
        return self.frames.get(timeout=timeout)

    def events(self, n, timeout=5, types=None):
        """The next n events (comments and retry fields skipped)."""
        got, deadline = [], time.time() + timeout
        while len(got) < n:
            f = self.frames.get(timeout=max(0.01, deadline - time.time()))
            assert f is not END, f"stream ended after {got}"
            if "event" in f and (types is None or f["event"] in types):
                got.append(f)
        return got

    def quiet(self, seconds):
        """Every event that comes within seconds (comments skipped)."""
        got, deadline = [], time.time() + seconds
        while True:
            try:
                f = self.frames.get(timeout=max(0.01, deadline - time.time()))
            except queue.Empty:
                return got
            if f is END:
                return got
            if "event" in f:
                got.append(f)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def ticket(client):
    r = client.post(API + "/events/ticket")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["expires_in"] == 30 and isinstance(body["ticket"], str) and body["ticket"]
    return body["ticket"]


def open_bearer(client, **kw):
    """A stream for client (a conftest Client) with its Bearer token, started."""
    headers = dict(kw.pop("headers", {}))
    headers["Authorization"] = "Bearer " + client.token
    s = Stream(client.base_url, headers=headers, **kw)
    assert s.status == 200, (s.status, s.body)
    assert s.next() == {"retry": "3000"}
    return s


def open_ticket(client, base_url=None, **kw):
    params = dict(kw.pop("params", {}))
    params["ticket"] = ticket(client)
    s = Stream(base_url or client.base_url, params=params, **kw)
    assert s.status == 200, (s.status, s.body)
    assert s.next() == {"retry": "3000"}
    return s


def metric(base_url, name):
    text = requests.get(base_url + "/metrics", timeout=10).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


def open_all_week(client):
    """A service of client (a provider) bookable around the clock, 5 minutes a slot."""
    set_week(client, "UTC", [(d, "00:00", "24:00") for d in
                             ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                              "sunday")])
    return make_service(client, duration_minutes=5, slot_interval_minutes=5)
