"""Starts the real appointd binary once per test session, on the backend named by
APPOINTD_TEST_DATABASE_URL ("sqlite" or unset: a fresh SQLite file; otherwise a
postgresql:// URL of an empty database made by tools/test.sh)."""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("APPOINTD_BIN", os.path.join(ROOT, "build", "appointd"))
JWT_SECRET = "test-secret-test-secret-test-secret-0123456789"
ADMIN_PASSWORD = "admin-password-123"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_shared_binary = None


def binary_for_others():
    """build/appointd copied where any user may run it: the checkout may be
    in a directory only root may enter (CI clones into `mktemp -d`)."""
    global _shared_binary
    if _shared_binary is None:
        home = tempfile.mkdtemp(prefix="appointd-bin-")
        os.chmod(home, 0o755)
        _shared_binary = os.path.join(home, "appointd")
        shutil.copy2(os.path.join(ROOT, "build", "appointd"), _shared_binary)
        os.chmod(_shared_binary, 0o755)
    return _shared_binary


class Server:
    """One appointd process. env overrides the defaults below. as_user runs the
    plain build/appointd as that user: the valgrind and sanitizer
    wrappers write their reports where only root may."""

    def __init__(self, database_url, as_user=None, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.env = dict(os.environ)
        self.env.update({
            "APPOINTD_HOST": "127.0.0.1",
            "APPOINTD_PORT": str(self.port),
            "DATABASE_URL": database_url,
            "JWT_SECRET": JWT_SECRET,
            "BCRYPT_COST": "4",
            "APPOINTD_LOG_LEVEL": "warn",
            "APPOINTD_REQUEST_TIMEOUT": "3",
            # The suite signs up hundreds of users from 127.0.0.1; test_signup_limits.py
            # tests the limit on servers of its own.
            "SIGNUP_MAX_PER_IP": "1000000",
        })
        self.env.update({k: str(v) for k, v in env.items()})
        self.log = tempfile.NamedTemporaryFile(prefix="appointd-", suffix=".log", delete=False)
        cmd, who = [BIN, "serve"], {}
        if as_user:
            cmd = [binary_for_others(), "serve"]
            who = {"user": as_user, "group": pwd.getpwnam(as_user).pw_gid, "extra_groups": []}
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, **who)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"appointd exited with {self.proc.returncode}; log: {self.log.name}")
            try:
                if requests.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"appointd did not answer /health within 20 s; log: {self.log.name}")

    def run(self, *args, input=None, extra_env=None):
        env = dict(self.env)
        env.update(extra_env or {})
        return subprocess.run([BIN, *args], env=env, input=input, capture_output=True, text=True, timeout=60)

    def stop(self):
        """SIGTERM; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("APPOINTD_TEST_DATABASE_URL", "sqlite")
    if url == "sqlite":
        url = "sqlite:" + str(tmp_path_factory.mktemp("db") / "appointd.db")
    return url


@pytest.fixture(scope="session")
def server(database_url):
    srv = Server(database_url)
    yield srv
    assert srv.stop() == 0, "appointd did not exit 0 on SIGTERM"


@pytest.fixture(scope="session")
def base_url(server):
    return server.url


@pytest.fixture(scope="session")
def backend(database_url):
    return "postgresql" if database_url.startswith("postgres") else "sqlite"


def unique_email(prefix="user"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


class Client:
    """A logged-in user: .user is the User object, .token the access token."""

    def __init__(self, base_url, user, token, password, refresh_token=None):
        self.base_url, self.user, self.token, self.password = base_url, user, token, password
        self.refresh_token = refresh_token

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    def request(self, method, path, **kw):
        headers = dict(self.headers)
        headers.update(kw.pop("headers", {}))
        return requests.request(method, self.base_url + path, headers=headers, timeout=30, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def login(base_url, email, password):
    r = requests.post(base_url + "/api/v1/auth/login", json={"email": email, "password": password}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def new_user(base_url, role="customer", name=None):
    """A Client signed up and logged in on the server at base_url."""
    email, password = unique_email(role), "password-" + uuid.uuid4().hex[:8]
    body = {"name": name or f"Test {role}", "email": email, "password": password, "role": role}
    r = requests.post(base_url + "/api/v1/auth/signup", json=body, timeout=30)
    assert r.status_code == 201, r.text
    tokens = login(base_url, email, password)
    return Client(base_url, r.json(), tokens["access_token"], password, tokens["refresh_token"])


@pytest.fixture(scope="session")
def make_user(base_url):
    """make_user(role="customer", name=None) -> Client signed up and logged in."""
    return lambda role="customer", name=None: new_user(base_url, role, name)


@pytest.fixture(scope="session")
def admin(server):
    email = unique_email("admin")
    res = server.run("create-admin", "--email", email, "--name", "Admin",
                     extra_env={"APPOINTD_ADMIN_PASSWORD": ADMIN_PASSWORD})
    assert res.returncode == 0, res.stderr
    tokens = login(server.url, email, ADMIN_PASSWORD)
    me = requests.get(server.url + "/api/v1/users/me",
                      headers={"Authorization": "Bearer " + tokens["access_token"]}, timeout=30).json()
    return Client(server.url, me, tokens["access_token"], ADMIN_PASSWORD, tokens["refresh_token"])


@pytest.fixture
def customer(make_user):
    return make_user("customer")


@pytest.fixture
def provider(make_user):
    return make_user("provider")


# --- Every response is held against openapi.json (STYLE.md, 12) -------------------------
# Each request the suite makes is recorded; at the end every route of the document must
# have been called, and every status seen must be one the document lists for its route.
import json as _json
import re as _re
import urllib.parse as _urlparse

_OPENAPI = _json.load(open(os.path.join(ROOT, "src", "api", "openapi.json")))
_SEEN = {}
_real_request = requests.sessions.Session.request


def _template_of(path):
    for template in _OPENAPI["paths"]:
        pattern = "^" + _re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        if _re.match(pattern, path):
            return template
    return None


def _recording_request(self, method, url, *args, **kwargs):
    response = _real_request(self, method, url, *args, **kwargs)
    path = _urlparse.urlsplit(url).path
    template = _template_of(path)
    if template and method.lower() in _OPENAPI["paths"][template]:
        _SEEN.setdefault((method.upper(), template), set()).add(response.status_code)
    return response


requests.sessions.Session.request = _recording_request


def _undocumented_statuses():
    problems = []
    for (method, template), statuses in sorted(_SEEN.items()):
        documented = _OPENAPI["paths"][template][method.lower()]["responses"]
        for status in sorted(statuses):
            if str(status) not in documented and f"{str(status)[0]}XX" not in documented:
                problems.append(f"{method} {template} answered {status}, not in openapi.json")
    return problems


def pytest_sessionfinish(session, exitstatus):
    if exitstatus != 0 or session.config.getoption("-k") or session.config.getoption("-m") \
            or len(session.items) < 100:
        return  # a partial run cannot judge coverage
    never = [f"{m.upper()} {p}" for p, ops in _OPENAPI["paths"].items() for m in ops
             if m in ("get", "post", "put", "patch", "delete") and (m.upper(), p) not in _SEEN]
    problems = _undocumented_statuses() + [f"{r} was never called by the suite" for r in never]
    if problems:
        print("\nopenapi.json check failed:\n  " + "\n  ".join(problems))
        session.exitstatus = 1
    else:
        print(f"\nopenapi.json check: all {len(_SEEN)} operations called, every status documented")
