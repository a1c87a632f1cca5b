"""Operating features: --version and build info, the standard process and
database metrics, route labels of 405 and 413, counters at 0 from the start,
promtool's check of /metrics, *_FILE secrets and the database wait at start."""
import os
import re
import subprocess
import time
import uuid

import pytest
import requests

from conftest import BIN, JWT_SECRET, ROOT, Server

METRIC_LINE = re.compile(r'^(\w+)(\{[^}]*\})? (\S+)$')


def scrape(url):
    r = requests.get(url + "/metrics", timeout=10)
    assert r.status_code == 200
    return r.text


def sample(text, name, **labels):
    """The value of the series name{labels} (labels in any order), or None."""
    for line in text.splitlines():
        m = METRIC_LINE.match(line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if got == labels:
            return float(m.group(3))
    return None


def makefile_version():
    with open(os.path.join(ROOT, "Makefile")) as f:
        return re.search(r"^VERSION := (\S+)$", f.read(), re.M).group(1)


def git_commit():
    r = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else "unknown"


def test_version_names_the_makefile_version_and_commit():
    r = subprocess.run([BIN, "--version"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0
    assert r.stdout.strip() == f"appointd {makefile_version()} (commit {git_commit()})"


def test_build_info_metric_matches_version(base_url):
    text = scrape(base_url)
    assert sample(text, "appointd_build_info", version=makefile_version(), commit=git_commit()) == 1


def test_process_and_database_metrics(base_url):
    text = scrape(base_url)
    for name in ("process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                 "process_max_fds", "process_start_time_seconds"):
        assert sample(text, name) is not None and sample(text, name) > 0, name
    assert sample(text, "process_open_fds") <= sample(text, "process_max_fds")
    # The readiness prober and the job runner hold connections from the start.
    assert sample(text, "appointd_db_connections") >= 1
    assert sample(text, "appointd_db_connections_in_use") >= 0


def test_outbox_lag_is_measured_by_the_job_runner(base_url, make_user):
    make_user()  # a signup writes an audit entry the sealer then seals
    deadline, lag = time.time() + 30, None
    while time.time() < deadline:
        lag = sample(scrape(base_url), "appointd_outbox_lag", outbox="audit", job="audit_seal")
        if lag == 0:
            break
        time.sleep(0.2)
    assert lag == 0, f"audit outbox lag never came back to 0 (last {lag})"


def test_405_and_413_are_labelled_with_their_route(base_url):
    before = scrape(base_url)
    assert requests.delete(base_url + "/health", timeout=10).status_code == 405
    big = b'{"email": "' + b"a" * 20000 + b'"}'
    r = requests.post(base_url + "/api/v1/auth/login", data=big,
                      headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 413
    after = scrape(base_url)
    def count(text, **labels):
        return sample(text, "appointd_http_requests_total", **labels) or 0
    assert count(after, route="/health", method="DELETE", status="405") == \
        count(before, route="/health", method="DELETE", status="405") + 1
    assert count(after, route="/api/v1/auth/login", method="POST", status="413") == \
        count(before, route="/api/v1/auth/login", method="POST", status="413") + 1
    assert sample(after, "appointd_http_requests_total", route="unmatched", method="DELETE", status="405") is None


def test_counters_exist_at_zero_before_the_first_request(database_url):
    srv = Server(database_url)
    try:
        text = scrape(srv.url)
        for route, method, status in (("/api/v1/bookings", "POST", "201"), ("/api/v1/bookings", "POST", "409"),
                                      ("/api/v1/auth/login", "POST", "429"), ("/health/ready", "GET", "503"),
                                      ("/docs", "GET", "200")):
            assert sample(text, "appointd_http_requests_total", route=route, method=method, status=status) == 0, \
                (route, method, status)
    finally:
        assert srv.stop() == 0


def test_promtool_accepts_metrics(base_url, make_user):
    make_user()
    requests.delete(base_url + "/health", timeout=10)
    requests.get(base_url + "/no-such-path", timeout=10)
    r = subprocess.run(["promtool", "check", "metrics"], input=scrape(base_url), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


# --- *_FILE secrets ---------------------------------------------------------------------

def test_secrets_from_files(database_url, tmp_path):
    (tmp_path / "jwt").write_text(JWT_SECRET + "\n")
    (tmp_path / "db").write_text(database_url + "\n")
    srv = Server("", JWT_SECRET="", JWT_SECRET_FILE=tmp_path / "jwt", DATABASE_URL_FILE=tmp_path / "db")
    try:
        email, password = f"file-{uuid.uuid4().hex[:8]}@example.com", "password-123"
        r = requests.post(srv.url + "/api/v1/auth/signup", timeout=30,
                          json={"name": "F", "email": email, "password": password, "role": "customer"})
        assert r.status_code == 201, r.text
        token = requests.post(srv.url + "/api/v1/auth/login", json={"email": email, "password": password},
                              timeout=30).json()["access_token"]
    finally:
        assert srv.stop() == 0
    # A server given the secret directly accepts the token: the file's newline was stripped.
    other = Server(database_url)
    try:
        r = requests.get(other.url + "/api/v1/users/me", headers={"Authorization": "Bearer " + token}, timeout=30)
        assert r.status_code == 200 and r.json()["email"] == email
    finally:
        assert other.stop() == 0


def run_serve(env, timeout=60):
    full = dict(os.environ)
    full.update({"APPOINTD_HOST": "127.0.0.1", "APPOINTD_PORT": "1", "JWT_SECRET": JWT_SECRET})
    full.update({k: str(v) for k, v in env.items()})
    return subprocess.run([BIN, "serve"], env=full, capture_output=True, text=True, timeout=timeout)


def test_variable_and_its_file_together_is_a_start_up_error(tmp_path, database_url):
    (tmp_path / "db").write_text(database_url)
    r = run_serve({"DATABASE_URL": database_url, "DATABASE_URL_FILE": tmp_path / "db"})
    assert r.returncode == 2
    assert "DATABASE_URL and DATABASE_URL_FILE" in r.stderr


def test_unreadable_secret_file_is_a_start_up_error(tmp_path, database_url):
    r = run_serve({"DATABASE_URL": database_url, "JWT_SECRET": "", "JWT_SECRET_FILE": tmp_path / "missing"})
    assert r.returncode == 2
    assert "JWT_SECRET_FILE" in r.stderr and "missing" in r.stderr


# --- waiting for the database at start --------------------------------------------------

def unreachable_url(backend, tmp_path):
    if backend == "sqlite":
        return f"sqlite:{tmp_path}/not-yet/appointd.db"
    with __import__("socket").socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"postgresql://postgres@127.0.0.1:{port}/appointd"


def test_gives_up_after_the_wait_with_the_database_error(backend, tmp_path):
    r = run_serve({"DATABASE_URL": unreachable_url(backend, tmp_path), "APPOINTD_DB_WAIT_SECONDS": "1"})
    assert r.returncode == 1
    tries = re.findall(r"database not reachable \(try (\d+)", r.stderr)
    assert len(tries) >= 2 and tries[:2] == ["1", "2"], r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert " ERROR " in last and ("unable to open" in last or "127.0.0.1" in last), last


def test_starts_once_the_database_appears(backend, database_url, tmp_path):
    if backend == "sqlite":
        url = unreachable_url(backend, tmp_path)
        make_it = lambda: os.mkdir(tmp_path / "not-yet")
    else:
        name = "wait_" + uuid.uuid4().hex[:8]
        url = database_url.rsplit("/", 1)[0] + "/" + name
        make_it = lambda: subprocess.run(["psql", database_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    full = dict(os.environ, DATABASE_URL=url, JWT_SECRET=JWT_SECRET, APPOINTD_DB_WAIT_SECONDS="60",
                APPOINTD_PORT="1", APPOINTD_JOBS="0")
    proc = subprocess.Popen([BIN, "migrate"], env=full, stderr=subprocess.PIPE, text=True)
    try:
        # Wait for a failed try before the database appears, so the wait is what is tested.
        first = proc.stderr.readline()
        assert "database not reachable (try 1" in first, first
        make_it()
        assert proc.wait(timeout=90) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
