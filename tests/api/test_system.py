"""System endpoints and the conventions every route shares (API.md: Conventions, System)."""
import gzip
import re
import time
import uuid
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import requests

T = 30


def content_type(r):
    return r.headers.get("Content-Type", "").split(";")[0].strip().lower()


def assert_json_response(r):
    assert content_type(r) == "application/json", r.headers.get("Content-Type")


def norm_path(path):
    """'/api/v1/users/{user_id}' -> '/api/v1/users/{}' so parameter names do not matter."""
    return re.sub(r"\{[^}]*\}", "{}", path)


# Every endpoint of the contract's System, Auth, Users, Providers, Services, Slots and
# Bookings sections.
CONTRACT_ENDPOINTS = [
    ("get", "/health"),
    ("get", "/health/ready"),
    ("get", "/openapi.json"),
    ("get", "/docs"),
    ("get", "/metrics"),
    ("post", "/api/v1/auth/signup"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/users/me"),
    ("patch", "/api/v1/users/me"),
    ("post", "/api/v1/users/me/password"),
    ("get", "/api/v1/users"),
    ("get", "/api/v1/users/{}"),
    ("patch", "/api/v1/users/{}"),
    ("get", "/api/v1/providers"),
    ("get", "/api/v1/providers/{}"),
    ("get", "/api/v1/providers/{}/availability"),
    ("put", "/api/v1/providers/{}/availability"),
    ("post", "/api/v1/providers/{}/time-off"),
    ("get", "/api/v1/providers/{}/time-off"),
    ("delete", "/api/v1/providers/{}/time-off/{}"),
    ("post", "/api/v1/services"),
    ("get", "/api/v1/services"),
    ("get", "/api/v1/services/{}"),
    ("patch", "/api/v1/services/{}"),
    ("delete", "/api/v1/services/{}"),
    ("get", "/api/v1/services/{}/slots"),
    ("post", "/api/v1/bookings"),
    ("get", "/api/v1/bookings"),
    ("get", "/api/v1/bookings/{}"),
    ("post", "/api/v1/bookings/{}/cancel"),
    ("post", "/api/v1/bookings/{}/reschedule"),
    ("post", "/api/v1/bookings/{}/complete"),
]


# ---------------------------------------------------------------- health


def test_health_exact_body(base_url):
    r = requests.get(base_url + "/health", timeout=T)
    assert r.status_code == 200
    assert_json_response(r)
    assert r.json() == {"status": "ok"}


def test_health_ready(base_url):
    r = requests.get(base_url + "/health/ready", timeout=T)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    assert r.json() == {"status": "ok", "database": "ok"}


# ---------------------------------------------------------------- openapi


def openapi(base_url):
    r = requests.get(base_url + "/openapi.json", timeout=T)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    return r.json()


def test_openapi_version_is_3_1(base_url):
    doc = openapi(base_url)
    assert isinstance(doc.get("openapi"), str) and re.fullmatch(r"3\.1\.\d+", doc["openapi"]), doc.get("openapi")
    assert isinstance(doc.get("info"), dict) and doc["info"].get("title") and doc["info"].get("version")


def test_openapi_lists_every_contract_endpoint(base_url):
    doc = openapi(base_url)
    paths = doc.get("paths")
    assert isinstance(paths, dict) and paths
    listed = {}
    for path, item in paths.items():
        for method in item:
            listed.setdefault(norm_path(path), set()).add(method.lower())
    missing = [f"{m.upper()} {p}" for m, p in CONTRACT_ENDPOINTS if m not in listed.get(p, set())]
    assert not missing, f"endpoints missing from /openapi.json: {missing}"


def test_openapi_has_schemas(base_url):
    doc = openapi(base_url)
    schemas = doc.get("components", {}).get("schemas", {})
    assert isinstance(schemas, dict) and schemas, "no components.schemas"
    # The signup operation describes its JSON request body.
    signup = next(item for path, item in doc["paths"].items() if path == "/api/v1/auth/signup")["post"]
    content = signup.get("requestBody", {}).get("content", {})
    assert "application/json" in content and content["application/json"].get("schema"), signup


def test_openapi_oauth2_password_security_scheme(base_url):
    doc = openapi(base_url)
    schemes = doc.get("components", {}).get("securitySchemes", {})
    oauth = [s for s in schemes.values() if s.get("type") == "oauth2"]
    assert oauth, f"no oauth2 security scheme in {schemes}"
    flows = [s.get("flows", {}).get("password") for s in oauth]
    flows = [f for f in flows if f]
    assert flows, f"no password flow in {oauth}"
    assert any(f.get("tokenUrl") == "/api/v1/auth/token" for f in flows), flows


# ---------------------------------------------------------------- docs


class AssetParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets = []  # (tag, url)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.assets.append(("script", a["src"]))
        elif tag == "link" and a.get("href"):
            self.assets.append(("link", a["href"]))


def docs_assets(base_url):
    r = requests.get(base_url + "/docs", timeout=T)
    assert r.status_code == 200
    assert content_type(r) == "text/html", r.headers.get("Content-Type")
    p = AssetParser()
    p.feed(r.text)
    return r, p.assets


def test_docs_is_html_with_only_local_assets(base_url):
    r, assets = docs_assets(base_url)
    assert "<html" in r.text.lower()
    assert any(tag == "script" for tag, _ in assets), "Swagger UI needs at least one script asset"
    own = urlparse(base_url).netloc
    for tag, url in assets:
        parsed = urlparse(urljoin(base_url + "/docs", url.strip()))
        assert parsed.scheme in ("http", "https") and parsed.netloc == own, f"{tag} loads {url} from another host"


def test_docs_assets_are_served(base_url):
    r, assets = docs_assets(base_url)
    texts = [r.text]
    for tag, url in assets:
        full = urljoin(base_url + "/docs", url)
        a = requests.get(full, timeout=T)
        assert a.status_code == 200, f"{full} -> {a.status_code}"
        assert a.content, f"{full} is empty"
        path = urlparse(full).path
        if path.endswith(".js"):
            assert "javascript" in a.headers.get("Content-Type", ""), (full, a.headers.get("Content-Type"))
        if path.endswith(".css"):
            assert content_type(a) == "text/css", (full, a.headers.get("Content-Type"))
        texts.append(a.text)
    # Somewhere (the page or its initializer script) Swagger UI is pointed at the schema.
    assert any("openapi.json" in t for t in texts), "Swagger UI is not configured with /openapi.json"


def test_docs_asset_paths_work_behind_a_path_prefix(base_url):
    # A proxy serving appointd at /booking/ strips the prefix: every asset the
    # page names must resolve under the prefix, not at the host's root.
    _, assets = docs_assets(base_url)
    for tag, url in assets:
        path = urlparse(urljoin("http://proxy.example/booking/docs", url)).path
        assert path.startswith("/booking/"), f"{tag} {url} leaves the prefix"
        r = requests.get(base_url + path[len("/booking"):], timeout=T)
        assert r.status_code == 200, (url, r.status_code)
    page = requests.get(base_url + "/docs", timeout=T).text
    assert '"/openapi.json"' not in page and "new URL(\"openapi.json\"" in page


def test_docs_oauth2_redirect_page_and_its_script_are_served(base_url):
    r = requests.get(base_url + "/docs/oauth2-redirect.html", timeout=T)
    assert r.status_code == 200 and content_type(r) == "text/html"
    assert 'src="oauth2-redirect.js"' in r.text
    js = requests.get(base_url + "/docs/oauth2-redirect.js", timeout=T)
    assert js.status_code == 200 and "javascript" in js.headers["Content-Type"] and js.content


def raw_get(base_url, path, headers):
    """GET without requests' own decoding: (status, headers, body bytes)."""
    r = requests.get(base_url + path, headers=headers, timeout=T, stream=True)
    body = r.raw.read(decode_content=False)
    return r.status_code, r.headers, body


def test_docs_bundle_is_served_gzip_compressed_to_clients_that_take_it(base_url):
    for path in ("/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/openapi.json"):
        st, h, plain = raw_get(base_url, path, {"Accept-Encoding": "identity"})
        assert st == 200 and "Content-Encoding" not in h
        assert "Accept-Encoding" in h.get("Vary", "")
        st, hz, packed = raw_get(base_url, path, {"Accept-Encoding": "br, gzip;q=0.8"})
        assert st == 200 and hz["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in hz.get("Vary", "")
        assert len(packed) < len(plain) / 2 and gzip.decompress(packed) == plain, path
        assert hz["ETag"] != h["ETag"]  # two representations, two tags
        st, h0, body = raw_get(base_url, path, {"Accept-Encoding": "gzip;q=0, deflate"})
        assert st == 200 and "Content-Encoding" not in h0 and body == plain
    # Small files have no compressed twin, and none is served on its own.
    st, h, _ = raw_get(base_url, "/docs/favicon-32x32.png", {"Accept-Encoding": "gzip"})
    assert st == 200 and "Content-Encoding" not in h
    assert "Accept-Encoding" not in h.get("Vary", "")
    assert requests.get(base_url + "/docs/swagger-ui-bundle.js.gz", timeout=T).status_code == 404


def test_docs_caching_headers_and_revalidation(base_url):
    st, h, _ = raw_get(base_url, "/docs/swagger-ui-bundle.js", {"Accept-Encoding": "gzip"})
    assert h["Cache-Control"] == "public, max-age=86400"
    tag = h["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{16}"', tag)
    st, h2, body = raw_get(base_url, "/docs/swagger-ui-bundle.js",
                           {"Accept-Encoding": "gzip", "If-None-Match": f'"other", W/{tag}'})
    assert st == 304 and body == b"" and h2["ETag"] == tag
    # The identity representation has its own tag: the gzip one does not match it.
    st, _, body = raw_get(base_url, "/docs/swagger-ui-bundle.js",
                          {"Accept-Encoding": "identity", "If-None-Match": tag})
    assert st == 200 and body
    for path in ("/docs", "/openapi.json"):
        st, h, _ = raw_get(base_url, path, {})
        assert st == 200 and h["Cache-Control"] == "no-cache" and h["ETag"]
        st, _, body = raw_get(base_url, path, {"If-None-Match": h["ETag"]})
        assert st == 304 and body == b""


# ---------------------------------------------------------------- metrics

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def metrics(base_url):
    r = requests.get(base_url + "/metrics", timeout=T)
    assert r.status_code == 200
    ctype = r.headers.get("Content-Type", "")
    assert ctype.split(";")[0].strip() == "text/plain", ctype
    assert "version=0.0.4" in ctype.replace(" ", ""), ctype
    samples = []
    for line in r.text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = dict(LABEL.findall(m.group(3) or ""))
        samples.append((m.group(1), labels, float(m.group(4))))
    return r.text, samples


def find(samples, name, **labels):
    return [v for n, l, v in samples if n == name and all(l.get(k) == v2 for k, v2 in labels.items())]


def test_metrics_request_counter_increases(base_url):
    requests.get(base_url + "/health", timeout=T)
    _, before = metrics(base_url)
    v1 = find(before, "appointd_http_requests_total", route="/health", method="GET", status="200")
    assert len(v1) == 1, "no appointd_http_requests_total{route=\"/health\",method=\"GET\",status=\"200\"}"
    for _ in range(3):
        assert requests.get(base_url + "/health", timeout=T).status_code == 200
    _, after = metrics(base_url)
    v2 = find(after, "appointd_http_requests_total", route="/health", method="GET", status="200")
    assert len(v2) == 1
    assert v2[0] >= v1[0] + 3, (v1, v2)


def test_metrics_exact_series_line(base_url):
    requests.get(base_url + "/health", timeout=T)
    text, _ = metrics(base_url)
    assert re.search(r'^appointd_http_requests_total\{route="/health",method="GET",status="200"\} \d+(\.\d+)?(e\+?\d+)?\s*$',
                     text, re.M), "exact series line for /health missing"


def test_metrics_histogram_gauge_and_process_start(base_url):
    requests.get(base_url + "/health", timeout=T)
    text, samples = metrics(base_url)
    assert re.search(r"^# TYPE appointd_http_requests_total counter\s*$", text, re.M)
    assert re.search(r"^# TYPE appointd_http_request_duration_seconds histogram\s*$", text, re.M)
    inf = find(samples, "appointd_http_request_duration_seconds_bucket", le="+Inf")
    assert inf and max(inf) >= 1, "no le=\"+Inf\" bucket with observations"
    assert find(samples, "appointd_http_request_duration_seconds_count")
    assert find(samples, "appointd_http_request_duration_seconds_sum")
    in_flight = find(samples, "appointd_http_requests_in_flight")
    assert in_flight and all(v >= 0 for v in in_flight)
    start = find(samples, "process_start_time_seconds")
    assert len(start) == 1
    assert time.time() - 24 * 3600 < start[0] <= time.time() + 1, start


# ---------------------------------------------------------------- 404 / 405 / trailing slash


def test_unknown_path_404(base_url):
    for path in ["/nope", "/api/v1/nope", "/api/v1/users/me/nope", "/api/v2/auth/login"]:
        r = requests.get(base_url + path, timeout=T)
        assert r.status_code == 404, path
        assert_json_response(r)
        assert r.json() == {"detail": "Not Found"}, path


def allow_set(r):
    return {m.strip().upper() for m in r.headers.get("Allow", "").split(",") if m.strip()}


def test_wrong_method_405_with_allow(base_url):
    cases = [
        ("DELETE", "/health", {"GET"}),
        ("POST", "/health", {"GET"}),
        ("PUT", "/api/v1/auth/signup", {"POST"}),
        ("GET", "/api/v1/auth/login", {"POST"}),
        ("DELETE", "/api/v1/users/me", {"GET", "PATCH"}),
    ]
    for method, path, allowed in cases:
        r = requests.request(method, base_url + path, timeout=T)
        assert r.status_code == 405, (method, path, r.status_code)
        assert_json_response(r)
        assert r.json() == {"detail": "Method Not Allowed"}, (method, path)
        got = allow_set(r)
        assert allowed <= got, (method, path, r.headers.get("Allow"))
        assert method not in got, (method, path, r.headers.get("Allow"))


def test_trailing_slash_is_404(base_url):
    for path in ["/health/", "/api/v1/auth/signup/", "/api/v1/users/me/", "/metrics/"]:
        r = requests.get(base_url + path, timeout=T, allow_redirects=False)
        assert r.status_code == 404, (path, r.status_code)
        assert r.json() == {"detail": "Not Found"}


# ---------------------------------------------------------------- X-Request-ID


def test_request_id_echoed_on_every_kind_of_response(base_url):
    cases = [
        ("GET", "/health", {}),
        ("GET", "/nope", {}),                          # 404
        ("DELETE", "/health", {}),                     # 405
        ("GET", "/api/v1/users/me", {}),               # 401
        ("POST", "/api/v1/auth/signup", {"data": b"{bad", "headers": {"Content-Type": "application/json"}}),  # 422
        ("GET", "/metrics", {}),
        ("GET", "/docs", {}),
    ]
    for method, path, kw in cases:
        rid = "test-" + uuid.uuid4().hex
        headers = dict(kw.pop("headers", {}))
        headers["X-Request-ID"] = rid
        r = requests.request(method, base_url + path, headers=headers, timeout=T, **kw)
        assert r.headers.get("X-Request-ID") == rid, (method, path, r.status_code, r.headers.get("X-Request-ID"))


def test_request_id_generated_when_absent(base_url):
    seen = set()
    for method, path in [("GET", "/health"), ("GET", "/nope"), ("DELETE", "/health"), ("GET", "/api/v1/users/me"),
                         ("GET", "/health")]:
        r = requests.request(method, base_url + path, timeout=T)
        rid = r.headers.get("X-Request-ID")
        assert rid and rid.strip(), (method, path, r.status_code)
        seen.add(rid)
    assert len(seen) == 5, f"generated request ids are not unique: {seen}"
