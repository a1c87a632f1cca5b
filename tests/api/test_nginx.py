"""deploy/nginx.conf in front of two appointd processes on one database, run with
Debian's nginx: TLS, the HTTP -> HTTPS redirect, the client address through the
proxy (login limits, audit), a booking race over both upstreams, /docs, the request
id and the body limit. The config under test is the shipped file with only its
ports, certificate paths, upstream addresses and pid and log paths changed."""
import hashlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest
import requests

from booking_helpers import API, fresh_database, future_monday, lz, open_provider
from conftest import ADMIN_PASSWORD, ROOT, Client, Server, free_port, login, new_user, unique_email
from net_helpers import doc_addr, session_from
from sse_helpers import open_all_week

SHIPPED = os.path.join(ROOT, "deploy", "nginx.conf")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
LOGIN_LIMIT = 3  # LOGIN_MAX_FAILURES_IP of both processes


def render(text, values):
    """The shipped config with each (old, new) of values replaced. Each old text must
    occur exactly once, so an edit of the shipped file that the test no longer
    matches fails here instead of testing something else."""
    for old, new in values:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in deploy/nginx.conf"
        text = text.replace(old, new)
    return text


def substitutions(d, http_port, https_port, upstreams):
    return [
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("return 301 https://$host$request_uri;", f"return 301 https://$host:{https_port}$request_uri;"),
        ("/etc/appointd/tls/fullchain.pem", f"{d}/cert.pem"),
        ("/etc/appointd/tls/privkey.pem", f"{d}/key.pem"),
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{upstreams[0].port} "),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{upstreams[1].port} "),
        ("pid /run/nginx.pid;", f"pid {d}/nginx.pid;"),
        ("error_log /var/log/nginx/error.log", f"error_log {d}/error.log"),
        ("access_log /var/log/nginx/appointd-access.log", f"access_log {d}/access.log"),
    ]


class Nginx:
    """nginx in the foreground with its prefix, config, pid and logs under d."""

    def __init__(self, d):
        self.dir = d
        self.http_port, self.https_port = free_port(), free_port()
        self.conf = os.path.join(d, "nginx.conf")
        self.proc = None

    def start(self, conf_text):
        with open(self.conf, "w") as f:
            f.write(conf_text)
        # -e: nginx's own messages before it has read error_log go under d too.
        self.proc = subprocess.Popen([NGINX, "-p", self.dir, "-e", f"{self.dir}/error.log", "-c", self.conf,
                                      "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.proc.returncode}: {self.error_log()}")
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen within 20 s: {self.error_log()}")

    def error_log(self):
        try:
            return open(os.path.join(self.dir, "error.log"), errors="replace").read()
        except OSError:
            return "(no error log)"

    def access_log(self):
        return open(os.path.join(self.dir, "access.log"), errors="replace").read()

    def access_line(self, request_id):
        """nginx's access log line of the request with that id. nginx writes it after
        the response has gone, so it may come a moment after the client has read it."""
        deadline = time.time() + 10
        while True:
            lines = [l for l in self.access_log().splitlines() if f" rid={request_id} " in l]
            if lines or time.time() > deadline:
                assert len(lines) == 1, (request_id, lines)
                return lines[0]
            time.sleep(0.02)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # fast shutdown: workers and all
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Stack:
    def __init__(self, nginx, upstreams, cert, admin):
        self.nginx, self.upstreams, self.cert, self.admin = nginx, upstreams, cert, admin
        self.url = f"https://127.0.0.1:{nginx.https_port}"
        self.http_url = f"http://127.0.0.1:{nginx.http_port}"

    def session(self, address="127.0.0.1"):
        """A requests session to nginx from the given loopback address, trusting only
        the test's certificate."""
        s = session_from(address)
        s.verify = self.cert
        # Else REQUESTS_CA_BUNDLE from the environment, when set, replaces verify.
        s.trust_env = False
        return s

    def as_admin(self, method, path, **kw):
        return self.session().request(method, self.url + path, headers=self.admin.headers, timeout=30, **kw)


@pytest.fixture(scope="module")
def stack(database_url, tmp_path_factory, request):
    d = str(tmp_path_factory.mktemp("nginx"))
    cert, key = f"{d}/cert.pem", f"{d}/key.pem"
    # The subjectAltName lets the client check the name of the certificate
    # (urllib3 does not fall back to the CN), so the test uses verify=cert.
    res = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                          "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "2",
                          "-keyout", key, "-out", cert], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr

    url = fresh_database(database_url, tmp_path_factory.mktemp("nginx-db"))
    env = dict(TRUSTED_PROXIES="127.0.0.1", LOGIN_MAX_FAILURES_IP=LOGIN_LIMIT,
               LOGIN_MAX_FAILURES_EMAIL_IP=1000, LOGIN_MAX_FAILURES_EMAIL=1000, LOGIN_WINDOW_SECONDS=3600,
               # The operational default, above the upstream keepalive_timeout of the config.
               APPOINTD_REQUEST_TIMEOUT=30, APPOINTD_LOG_LEVEL="info")
    upstreams = []
    nginx = Nginx(d)

    def stop_all():
        nginx.stop()
        codes = [srv.stop() for srv in upstreams]
        assert codes == [0] * len(codes), f"appointd exit codes {codes}"
    request.addfinalizer(stop_all)

    # One after the other: the second finds the migrations applied.
    upstreams.append(Server(url, **env))
    upstreams.append(Server(url, **env))
    text = render(open(SHIPPED).read(), substitutions(d, nginx.http_port, nginx.https_port, upstreams))
    nginx.start(text)

    email = unique_email("admin")
    r = upstreams[0].run("create-admin", "--email", email, "--name", "Admin",
                         extra_env={"APPOINTD_ADMIN_PASSWORD": ADMIN_PASSWORD})
    assert r.returncode == 0, r.stderr
    tokens = login(upstreams[0].url, email, ADMIN_PASSWORD)
    admin = Client(upstreams[0].url, {"email": email}, tokens["access_token"], ADMIN_PASSWORD)
    return Stack(nginx, upstreams, cert, admin)


def test_the_tested_config_differs_from_the_shipped_one_only_in_ports_paths_and_addresses(tmp_path):
    class Port:
        port = 1
    shipped = open(SHIPPED).read()
    values = substitutions(str(tmp_path), 2, 3, [Port, Port])
    rendered = render(shipped, values)
    changed = [(a, b) for a, b in zip(shipped.splitlines(), rendered.splitlines()) if a != b]
    assert len(shipped.splitlines()) == len(rendered.splitlines())
    assert len(changed) == len(values)
    # Nothing of the operator's values is left in the directives nginx runs.
    directives = "\n".join(l for l in rendered.splitlines() if not l.lstrip().startswith("#"))
    for value in ("/etc/appointd", "/var/log", "/run/", ":8001", ":8002", "listen 80", "listen 443"):
        assert value not in directives, value


def fail_login(session, url, email, xff=None):
    headers = {"X-Forwarded-For": xff} if xff else {}
    return session.post(url + f"{API}/auth/login", json={"email": email, "password": "wrong-password"},
                        headers=headers, timeout=30).status_code


def test_login_limits_and_the_audit_log_see_the_client_not_the_proxy(stack):
    first, second = stack.session("127.0.0.2"), stack.session("127.0.0.3")
    tried = {"127.0.0.2": [], "127.0.0.3": []}
    for _ in range(LOGIN_LIMIT):
        email = unique_email("nginx-fail")
        tried["127.0.0.2"].append(email)
        assert fail_login(first, stack.url, email) == 401
    # The failures went to both processes (round robin) and count together.
    assert fail_login(first, stack.url, unique_email("nginx-fail")) == 429
    # What the client writes into X-Forwarded-For itself does not free it: nginx
    # appends the peer it saw, and that right-most address is the one counted.
    assert fail_login(first, stack.url, unique_email("nginx-fail"), xff=doc_addr()) == 429
    # Another client behind the same proxy is still let in.
    email = unique_email("nginx-fail")
    tried["127.0.0.3"].append(email)
    assert fail_login(second, stack.url, email) == 401

    r = stack.as_admin("GET", f"{API}/audit", params={"action": "user.login_failed", "limit": 100})
    assert r.status_code == 200, r.text
    ip_of = {e["details"].get("email"): e["ip"] for e in r.json()["items"]}
    for address, emails in tried.items():
        for email in emails:
            assert ip_of.get(email) == address, (email, ip_of)

    # The request log names the client. (The admin's login, straight to an upstream
    # at set-up, is the one 200 from 127.0.0.1; every failure came through nginx.)
    logs = "".join(open(srv.log.name, errors="replace").read() for srv in stack.upstreams)
    login_lines = [line for line in logs.splitlines()
                   if "POST /api/v1/auth/login 401 " in line or "POST /api/v1/auth/login 429 " in line]
    assert any(line.endswith(" 127.0.0.2") for line in login_lines), login_lines
    assert any(line.endswith(" 127.0.0.3") for line in login_lines), login_lines
    assert not any(line.endswith(" 127.0.0.1") for line in login_lines), login_lines
    # And nginx's own log has the peer it saw.
    r = first.post(stack.url + f"{API}/auth/login", json={"email": unique_email("x"), "password": "wrong-password"},
                   headers={"X-Request-ID": "login-from-2"}, timeout=30)
    assert r.status_code == 429
    assert stack.nginx.access_line("login-from-2").startswith("127.0.0.2 ")


def booking_posts(metrics_text):
    """POST /api/v1/bookings answers counted in one process's /metrics."""
    pattern = r'^appointd_http_requests_total\{route="/api/v1/bookings",method="POST",status="[^"]+"\} (\d+)$'
    return sum(int(n) for n in re.findall(pattern, metrics_text, re.M))


def test_a_booking_race_through_both_upstreams_has_one_winner(stack):
    p, s = open_provider(lambda role="customer", name=None: new_user(stack.upstreams[0].url, role, name))
    customers = [new_user(stack.upstreams[1].url, "customer") for _ in range(30)]
    start = lz(future_monday(), "10:00")
    before = [booking_posts(requests.get(srv.url + "/metrics", timeout=30).text) for srv in stack.upstreams]

    barrier = threading.Barrier(len(customers))
    results = [None] * len(customers)

    def book(i):
        with stack.session() as sess:
            sess.headers["Authorization"] = "Bearer " + customers[i].token
            try:
                sess.get(stack.url + "/health", timeout=30)  # TLS handshake done before the race
            finally:
                barrier.wait(timeout=60)
            try:
                r = sess.post(stack.url + f"{API}/bookings", json={"service_id": s["id"], "start": start}, timeout=60)
                results[i] = (r.status_code, r.json() if r.content else None)
            except Exception as e:  # recorded, so the assertion shows it
                results[i] = ("error", repr(e))

    threads = [threading.Thread(target=book, args=(i,)) for i in range(len(customers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"

    statuses = [r[0] for r in results]
    assert statuses.count(201) == 1, results
    assert all(r[0] == 409 and r[1].get("code") == "slot_unavailable" for r in results if r[0] != 201), results
    r = stack.as_admin("GET", f"{API}/bookings", params={"status": "confirmed", "limit": 100})
    assert r.status_code == 200, r.text
    mine = [b for b in r.json()["items"] if b["provider_id"] == p.user["id"]]
    assert len(mine) == 1 and mine[0]["start"] == start, mine

    # Each process answered some of the 30, and together all of them.
    after = [booking_posts(requests.get(srv.url + "/metrics", timeout=30).text) for srv in stack.upstreams]
    got = [a - b for a, b in zip(after, before)]
    assert all(n > 0 for n in got) and sum(got) == len(customers), got


def test_docs_its_assets_and_openapi_json_work_through_the_proxy(stack):
    sess = stack.session()
    # Plain HTTP is sent to HTTPS, path and query kept. http.client, not requests:
    # the suite holds every response requests sees against openapi.json, and this
    # 301 is nginx's, not appointd's.
    conn = http.client.HTTPConnection("127.0.0.1", stack.nginx.http_port, timeout=30)
    try:
        conn.request("GET", "/docs?x=1")
        r = conn.getresponse()
        assert r.status == 301, r.status
        assert r.getheader("Location") == f"{stack.url}/docs?x=1"
    finally:
        conn.close()
    r = sess.get(stack.http_url + "/docs", timeout=30)
    assert r.status_code == 200 and r.url == stack.url + "/docs", (r.status_code, r.url)
    assert r.headers["Content-Type"].startswith("text/html")
    assert "max-age=" in r.headers["Strict-Transport-Security"]
    page = r.text
    assert "SwaggerUIBundle" in page

    direct = stack.upstreams[0].url
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "docs/swagger-ui-bundle.js" in assets and "docs/swagger-ui.css" in assets, assets
    for asset in assets:
        got = sess.get(stack.url + "/" + asset, timeout=30)
        assert got.status_code == 200, (asset, got.status_code)
        # The same bytes as appointd serves itself (the bundle is over a megabyte,
        # gzip-compressed: through nginx's buffers and back unchanged).
        want = requests.get(direct + "/" + asset, timeout=30)
        assert hashlib.sha256(got.content).digest() == hashlib.sha256(want.content).digest(), asset
        assert got.headers.get("Content-Encoding") == want.headers.get("Content-Encoding"), asset
    # The page asks for openapi.json relative to itself.
    r = sess.get(stack.url + "/openapi.json", timeout=30)
    assert r.status_code == 200, r.status_code
    assert f"{API}/bookings" in r.json()["paths"]


def test_the_request_id_nginx_sets_is_the_one_appointd_answers_with(stack):
    sess = stack.session()
    r = sess.get(stack.url + "/health", timeout=30)
    assert r.status_code == 200
    rid = r.headers["X-Request-ID"]
    # nginx's $request_id is 32 hex digits (appointd's own ids are too): nginx's
    # access log holds this very one, so it is nginx's, not one appointd made up.
    assert re.fullmatch(r"[0-9a-f]{32}", rid), rid
    assert "upstream_status=200" in stack.nginx.access_line(rid)
    # appointd writes its access line just after the answer: wait for it.
    deadline = time.monotonic() + 10
    while True:
        logs = "".join(open(srv.log.name, errors="replace").read() for srv in stack.upstreams)
        if rid in logs or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert rid in logs
    # A client's own id passes through both.
    r = sess.get(stack.url + "/health", headers={"X-Request-ID": "client-chosen-id.42"}, timeout=30)
    assert r.headers["X-Request-ID"] == "client-chosen-id.42"


def test_nginx_refuses_a_body_over_1_mib_as_appointd_would(stack):
    sess = stack.session()
    limit = 1024 * 1024
    prefix = b'{"service_id": 1, "start": "2030-01-07T10:00:00Z", "pad": "'
    body = lambda n: prefix + b"p" * (n - len(prefix) - 2) + b'"}'
    r = sess.post(stack.url + f"{API}/bookings", data=body(limit + 1), timeout=30,
                  headers={"Content-Type": "application/json", "X-Request-ID": "too-large-1"})
    assert r.status_code == 413, r.status_code
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"detail": "Request body too large"}
    assert r.headers["X-Request-ID"] == "too-large-1"
    line = stack.nginx.access_line("too-large-1")
    assert "upstream=- " in line, line  # never sent to appointd
    # A body of exactly 1 MiB is appointd's to judge (no token here: its 401).
    r = sess.post(stack.url + f"{API}/bookings", data=body(limit), timeout=30,
                  headers={"Content-Type": "application/json", "X-Request-ID": "at-the-limit-1"})
    assert r.status_code == 401, r.status_code
    assert r.headers["WWW-Authenticate"] == "Bearer"
    line = stack.nginx.access_line("at-the-limit-1")
    assert "upstream=127.0.0.1:" in line, line


def test_a_stream_through_nginx_gets_a_booking_within_a_second(stack):
    """The events location passes the stream on unbuffered: the event of a
    booking made through nginx comes through nginx within a second."""
    import json
    import queue

    provider = new_user(stack.upstreams[0].url, "provider")
    svc = open_all_week(provider)
    customer = new_user(stack.upstreams[1].url)
    s = stack.session()
    chunks = queue.Queue()
    with s.get(stack.url + f"{API}/events", headers={"Authorization": "Bearer " + customer.token},
               stream=True, timeout=30) as r:
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "text/event-stream"

        def pump():
            try:
                for c in r.iter_content(chunk_size=None):
                    chunks.put(c)
            except Exception:  # the stream closed at the end of the test
                pass
        threading.Thread(target=pump, daemon=True).start()
        assert chunks.get(timeout=5).startswith(b"retry: 3000")
        t0 = time.time()
        b = s.post(stack.url + f"{API}/bookings", headers={"Authorization": "Bearer " + customer.token},
                   json={"service_id": svc["id"], "start": lz(future_monday(min_days=30), "03:00")}, timeout=30)
        assert b.status_code == 201, b.text
        text = b""
        while b"\n\n" not in text.split(b"event: booking.created", 1)[-1] or b"event: booking.created" not in text:
            text += chunks.get(timeout=max(0.01, 1.0 - (time.time() - t0)))
        assert time.time() - t0 < 1.0
        data = text.split(b"event: booking.created\ndata: ", 1)[1].split(b"\n", 1)[0]
        assert json.loads(data)["id"] == b.json()["id"]
