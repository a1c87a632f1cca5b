"""Helpers of the webhook tests: a receiver on 127.0.0.1 that checks every
request's Standard Webhooks signature, and servers of their own (on a
database of their own, so that the suite's server, whose deliverer would
refuse 127.0.0.1, never claims their deliveries)."""
import base64
import datetime as dt
import hashlib
import hmac
import http.server
import threading
import time

import pytest

from booking_helpers import API, fresh_database, make_service, set_week
from conftest import Server, new_user

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Short timings: retries a second apart, a reminder "minute" of one second.
FAST = {"WEBHOOK_ALLOW_PRIVATE": "1", "WEBHOOK_RETRY_SCHEDULE": "1,1,1",
        "WEBHOOK_TIMEOUT_SECONDS": "2", "WEBHOOK_MINUTE_SECONDS": "1"}


def signatures_ok(secret, headers, body, tolerance=300):
    """The Standard Webhooks rule: some v1 signature of webhook-signature
    equals base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")), the key
    being the secret's base64 after "whsec_", and the timestamp is recent."""
    key = base64.b64decode(secret[len("whsec_"):])
    msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(ts)) > tolerance:
        return False
    want = base64.b64encode(hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
    given = [s.split(",", 1)[1] for s in headers["webhook-signature"].split(" ") if s.startswith("v1,")]
    return any(hmac.compare_digest(want, g) for g in given)


class Receiver:
    """A threaded HTTP server. plan[path] is a list of statuses answered to
    the first requests on path, in turn (then 200); fail_first[path] = n
    answers 500 to the first n requests of each webhook-id on path; delay
    (seconds) holds every answer back. Every request is kept in .got as
    (path, headers dict with lower-case names, body, time)."""

    def __init__(self):
        self.plan, self.got, self.lock = {}, [], threading.Lock()
        self.fail_first, self.delay = {}, 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    outer.got.append((self.path, {k.lower(): v for k, v in self.headers.items()},
                                      body, time.time()))
                    todo = outer.plan.get(self.path) or []
                    status = todo.pop(0) if todo else 200
                    wid = self.headers.get("webhook-id")
                    seen = sum(1 for g in outer.got if g[0] == self.path and g[1].get("webhook-id") == wid)
                    if seen <= outer.fail_first.get(self.path, 0):
                        status = 500
                if outer.delay:
                    time.sleep(outer.delay)
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", outer.url("/redirected"))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def on(self, path):
        with self.lock:
            return [g for g in self.got if g[0] == path]

    def wait(self, path, n, timeout=30):
        """The requests on path once there are at least n (fails after timeout)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.on(path)
            if len(got) >= n:
                return got
            time.sleep(0.05)
        raise AssertionError(f"{path}: {len(self.on(path))} requests, wanted {n}")

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def wh_database(database_url, tmp_path_factory):
    return fresh_database(database_url, tmp_path_factory.mktemp("wh"))


@pytest.fixture(scope="module")
def wh_server(wh_database):
    srv = Server(wh_database, **FAST)
    yield srv
    assert srv.stop() == 0, "appointd did not exit 0 on SIGTERM"


def admin_of(srv):
    """A Client for a new admin of srv."""
    from conftest import ADMIN_PASSWORD, Client, login, unique_email
    import requests
    email = unique_email("admin")
    res = srv.run("create-admin", "--email", email, "--name", "Admin",
                  extra_env={"APPOINTD_ADMIN_PASSWORD": ADMIN_PASSWORD})
    assert res.returncode == 0, res.stderr
    tokens = login(srv.url, email, ADMIN_PASSWORD)
    me = requests.get(srv.url + "/api/v1/users/me",
                      headers={"Authorization": "Bearer " + tokens["access_token"]}, timeout=30).json()
    return Client(srv.url, me, tokens["access_token"], ADMIN_PASSWORD, tokens["refresh_token"])


def open_provider(srv, **service_fields):
    """A provider of srv open around the clock with a 5-minute service."""
    pc = new_user(srv.url, "provider")
    set_week(pc, "UTC", [(d, "00:00", "24:00") for d in DAYS])
    fields = {"duration_minutes": 5, "slot_interval_minutes": 5}
    fields.update(service_fields)
    return pc, make_service(pc, **fields)


def next_slot(minutes_ahead=60, step=5):
    """A start on the 5-minute grid at least minutes_ahead from now (UTC)."""
    t = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes_ahead)
    t = t.replace(second=0, microsecond=0)
    t += dt.timedelta(minutes=(step - t.minute % step) % step)
    return t


def create_hook(client, url, events=("booking.created",), **extra):
    r = client.post(f"{API}/webhooks", json={"url": url, "events": list(events), **extra})
    assert r.status_code == 201, r.text
    return r.json()


def deliveries(client, hook_id):
    r = client.get(f"{API}/webhooks/{hook_id}/deliveries")
    assert r.status_code == 200, r.text
    return r.json()["items"]


def wait_delivery(client, hook_id, pred, timeout=30):
    """The deliveries page once some item satisfies pred."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        items = deliveries(client, hook_id)
        if any(pred(d) for d in items):
            return items
        time.sleep(0.1)
    raise AssertionError(f"no delivery matched: {deliveries(client, hook_id)}")
