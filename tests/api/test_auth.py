"""Authentication: /api/v1/auth (API.md: Conventions, Authentication)."""
import base64
import calendar
import hashlib
import hmac
import json
import re
import statistics
import threading
import time
import uuid

import requests

from conftest import JWT_SECRET, unique_email

T = 30
SIGNUP = "/api/v1/auth/signup"
LOGIN = "/api/v1/auth/login"
TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"
USER_FIELDS = {"id", "name", "email", "role", "is_active", "created_at"}
UTC_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
BAD_CREDENTIALS = {"detail": "Could not validate credentials"}
BAD_LOGIN = {"detail": "Incorrect email or password"}


# ---------------------------------------------------------------- helpers


def signup(base_url, **body):
    body.setdefault("name", "Test User")
    body.setdefault("email", unique_email())
    body.setdefault("password", "password-" + uuid.uuid4().hex[:8])
    return requests.post(base_url + SIGNUP, json=body, timeout=T), body


def post_raw(base_url, path, data, content_type="application/json"):
    return requests.post(base_url + path, data=data, headers={"Content-Type": content_type}, timeout=T)


def do_login(base_url, email, password):
    return requests.post(base_url + LOGIN, json={"email": email, "password": password}, timeout=T)


def me(base_url, authorization=None):
    headers = {} if authorization is None else {"Authorization": authorization}
    return requests.get(base_url + ME, headers=headers, timeout=T)


def bearer(token):
    return "Bearer " + token


def assert_422(r, *locs):
    """A FastAPI-shaped 422 whose detail has an entry for each of locs (tuples)."""
    assert r.status_code == 422, (r.status_code, r.text)
    assert r.headers.get("Content-Type", "").split(";")[0].strip() == "application/json"
    detail = r.json().get("detail")
    assert isinstance(detail, list) and detail, r.text
    for entry in detail:
        assert isinstance(entry, dict) and isinstance(entry.get("loc"), list) and entry["loc"], entry
        assert isinstance(entry.get("msg"), str) and isinstance(entry.get("type"), str), entry
        assert entry["loc"][0] in ("body", "query", "path", "header"), entry
    got = [list(e["loc"]) for e in detail]
    for loc in locs:
        assert list(loc) in got, f"no 422 entry for {list(loc)} in {got}"
    return detail


def assert_401(r, body):
    assert r.status_code == 401, (r.status_code, r.text)
    assert r.json() == body
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer"), r.headers.get("WWW-Authenticate")


def keys_deep(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from keys_deep(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from keys_deep(v)


def assert_no_secret(r, *secrets):
    assert "$2b$" not in r.text and "$2a$" not in r.text and "$2y$" not in r.text, r.text
    for s in secrets:
        assert s not in r.text, f"response echoes a password: {r.text}"
    try:
        body = r.json()
    except ValueError:
        return
    assert not [k for k in keys_deep(body) if "password" in str(k).lower()], r.text


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jwt_parts(token):
    h, p, s = token.split(".")
    return json.loads(b64url_decode(h)), json.loads(b64url_decode(p)), s


def make_jwt(header, payload, key=JWT_SECRET, digest=None):
    """Signs with HMAC-<digest> (hashlib.sha256/384/512); digest None gives an empty signature."""
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64url(json.dumps(payload, separators=(",", ":")).encode()))
    sig = "" if digest is None else b64url(hmac.new(key.encode(), signing_input.encode(), digest).digest())
    return signing_input + "." + sig


def fresh_account(base_url, role="customer"):
    r, body = signup(base_url, role=role)
    assert r.status_code == 201, r.text
    tokens = do_login(base_url, body["email"], body["password"])
    assert tokens.status_code == 200, tokens.text
    return r.json(), body, tokens.json()


# ---------------------------------------------------------------- signup


def test_signup_returns_user(base_url):
    before = time.time()
    r, body = signup(base_url, name="Alice Example")
    assert r.status_code == 201, r.text
    assert r.headers.get("Content-Type", "").split(";")[0].strip() == "application/json"
    user = r.json()
    assert set(user) == USER_FIELDS, user
    assert isinstance(user["id"], int) and not isinstance(user["id"], bool) and user["id"] > 0
    assert user["name"] == "Alice Example"
    assert user["email"] == body["email"]
    assert user["role"] == "customer"
    assert user["is_active"] is True
    assert UTC_SECONDS.match(user["created_at"]), user["created_at"]
    created = calendar.timegm(time.strptime(user["created_at"], "%Y-%m-%dT%H:%M:%SZ"))
    assert before - 120 <= created <= time.time() + 120, (user["created_at"], before)
    assert_no_secret(r, body["password"])


def test_signup_provider_role(base_url):
    r, _ = signup(base_url, role="provider")
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "provider"


def test_signup_explicit_customer_role(base_url):
    r, _ = signup(base_url, role="customer")
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "customer"


def test_signup_email_trimmed_and_lowercased(base_url):
    local = "MiXeD-" + uuid.uuid4().hex[:10].upper()
    r, _ = signup(base_url, email=f"  {local}@Example.COM \t")
    assert r.status_code == 201, r.text
    assert r.json()["email"] == f"{local.lower()}@example.com"


def test_signup_ignores_server_owned_fields(base_url):
    r, _ = signup(base_url, id=999999, is_active=False, created_at="2000-01-01T00:00:00Z", unknown="x")
    assert r.status_code == 201, r.text
    user = r.json()
    assert user["id"] != 999999
    assert user["is_active"] is True
    assert user["created_at"] != "2000-01-01T00:00:00Z"


def test_signup_name_validation(base_url):
    for name in ["", "   ", "\t \n", "a" * 101, "é" * 101]:
        r, _ = signup(base_url, name=name)
        assert_422(r, ("body", "name"))


def test_signup_name_limits_count_characters(base_url):
    for name in ["a" * 100, "é" * 100, "日" * 100, "x"]:
        r, _ = signup(base_url, name=name)
        assert r.status_code == 201, (len(name), r.text)
        assert r.json()["name"] == name


def test_signup_name_length_after_trimming(base_url):
    r, _ = signup(base_url, name="  " + "b" * 100 + "  ")
    assert r.status_code == 201, r.text


def test_signup_invalid_emails(base_url):
    for email in ["plainaddress", "missing-at.example.com", "user@", "@example.com", "us er@example.com",
                  "a@b@example.com", "", "   "]:
        r, _ = signup(base_url, email=email)
        assert_422(r, ("body", "email"))


# The "email" format as JSON Schema validators check it (ajv-formats' full
# mode, which generated clients use): a dot-atom local part and a host name.
EMAIL_FORMAT = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                          r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
                          re.IGNORECASE)


def test_signup_accepts_exactly_the_documents_email_format(base_url):
    # The document says "format": "email"; a client that checks it rejected
    # the server's own answers for the first two before they were refused.
    tag = uuid.uuid4().hex[:8]
    candidates = ["x..y@ex.com", "üser@ex.com", ".x@ex.com", "x.@ex.com", "x@-ex.com", "x@ex-.com",
                  "x@ex..com", "x@ex", "x@ex_ample.com", '"q"@ex.com', "x@ex.com.", "x@.ex.com",
                  f"o'brien+{tag}@mail.example.co", f"a.b-c_d{tag}@x.io", f"{tag}!#$%&*/=?^`{{|}}~@ex.com",
                  f"u{tag}@xn--bcher-kva.example", f"u{tag}@1.2.3.com"]
    for email in candidates:
        r, _ = signup(base_url, email=email)
        if EMAIL_FORMAT.match(email):
            assert r.status_code == 201, (email, r.text)
        else:
            assert_422(r, ("body", "email"))


def long_email(total):
    """A syntactically valid address of exactly `total` characters (local part 64, labels <= 63)."""
    local = ("u" + uuid.uuid4().hex * 3)[:64]
    rest = total - 64 - 1 - 4  # '@' and '.com'
    labels = []
    while rest > 0:
        n = min(63, rest)
        if rest - n == 1:  # avoid leaving a lone '.'
            n -= 1
        labels.append("d" * n)
        rest -= n + 1
    email = local + "@" + ".".join(labels) + ".com"
    assert len(email) == total, len(email)
    return email


def test_signup_email_length(base_url):
    r, _ = signup(base_url, email=long_email(254))
    assert r.status_code == 201, r.text
    r, _ = signup(base_url, email=long_email(255))
    assert_422(r, ("body", "email"))


def test_signup_password_too_short(base_url):
    pw = "Zq7#xYw"  # 7 bytes
    r, _ = signup(base_url, password=pw)
    assert_422(r, ("body", "password"))
    assert_no_secret(r, pw)


def test_signup_password_too_long(base_url):
    pw = "Q" + uuid.uuid4().hex * 2 + "r" * 8  # 1 + 64 + 8 = 73 bytes
    assert len(pw.encode()) == 73
    r, body = signup(base_url, password=pw)
    assert_422(r, ("body", "password"))
    assert_no_secret(r, pw)
    assert do_login(base_url, body["email"], pw).status_code == 401


def test_signup_password_limits_count_bytes(base_url):
    # 37 two-byte characters = 74 bytes: too long although only 37 characters.
    r, _ = signup(base_url, password="é" * 37)
    assert_422(r, ("body", "password"))
    # 36 two-byte characters = 72 bytes and 4 of them = 8 bytes: both fine.
    for pw in ["é" * 36, "éééé"]:
        r, body = signup(base_url, password=pw)
        assert r.status_code == 201, r.text
        assert do_login(base_url, body["email"], pw).status_code == 200


def test_password_72_bytes_is_not_truncated(base_url):
    pw = ("P" + uuid.uuid4().hex * 3)[:72]
    assert len(pw.encode()) == 72
    r, body = signup(base_url, password=pw)
    assert r.status_code == 201, r.text
    ok = do_login(base_url, body["email"], pw)
    assert ok.status_code == 200, ok.text
    bad = do_login(base_url, body["email"], pw + "x")
    assert bad.status_code in (401, 422), bad.text
    assert "access_token" not in bad.text


def test_signup_admin_role_rejected_and_nothing_created(base_url):
    r, body = signup(base_url, role="admin")
    assert_422(r, ("body", "role"))
    assert_401(do_login(base_url, body["email"], body["password"]), BAD_LOGIN)
    # The email is still free.
    r2, _ = signup(base_url, email=body["email"])
    assert r2.status_code == 201, r2.text


def test_signup_unknown_role_rejected(base_url):
    for role in ["superuser", "Admin", "CUSTOMER", "", None, 1]:
        r, _ = signup(base_url, role=role)
        assert_422(r, ("body", "role"))


def test_signup_missing_fields(base_url):
    full = {"name": "N", "email": unique_email(), "password": "password-123"}
    for field in full:
        body = {k: v for k, v in full.items() if k != field}
        r = requests.post(base_url + SIGNUP, json=body, timeout=T)
        assert_422(r, ("body", field))
    r = requests.post(base_url + SIGNUP, json={}, timeout=T)
    assert_422(r, ("body", "name"), ("body", "email"), ("body", "password"))


def test_signup_wrong_json_types(base_url):
    for field, value in [("name", 123), ("name", ["a"]), ("email", 5), ("email", {"a": 1}),
                         ("password", 12345678), ("password", True), ("name", None)]:
        r, _ = signup(base_url, **{field: value})
        assert_422(r, ("body", field))


def test_signup_body_not_an_object(base_url):
    for raw in [b"[]", b'[{"name":"a"}]', b'"string"', b"123", b"null", b"true"]:
        r = post_raw(base_url, SIGNUP, raw)
        detail = assert_422(r)
        assert detail[0]["loc"][0] == "body"


def test_signup_invalid_json(base_url):
    for raw in [b"{bad json}", b"{'name': 'a'}", b"", b"{", b"\xff\xfe{}", b'{"name": "a",}']:
        r = post_raw(base_url, SIGNUP, raw)
        detail = assert_422(r)
        assert detail[0]["loc"][0] == "body"


def test_signup_wrong_content_type(base_url):
    raw = json.dumps({"name": "N", "email": unique_email(), "password": "password-123"}).encode()
    for ctype in ["text/plain", "application/x-www-form-urlencoded"]:
        r = post_raw(base_url, SIGNUP, raw, content_type=ctype)
        assert_422(r)


def test_signup_duplicated_json_key(base_url):
    email = unique_email()
    raw = ('{"name":"a","name":"b","email":"%s","password":"password-123"}' % email).encode()
    r = post_raw(base_url, SIGNUP, raw)
    assert_422(r)
    assert_401(do_login(base_url, email, "password-123"), BAD_LOGIN)


def test_signup_duplicated_key_nested_and_case(base_url):
    email = unique_email()
    raw = ('{"email":"%s","name":"a","password":"password-123","password":"password-456"}' % email).encode()
    assert_422(post_raw(base_url, SIGNUP, raw))


def test_signup_truncated_json(base_url):
    email = unique_email()
    full = '{"name":"a","email":"%s","password":"password-123"}' % email
    for cut in [len(full) - 1, len(full) // 2, 1]:
        r = post_raw(base_url, SIGNUP, full[:cut].encode())
        assert_422(r)


def test_signup_duplicate_email(base_url):
    r, body = signup(base_url)
    assert r.status_code == 201
    local, domain = body["email"].split("@")
    variant = "  " + local.upper() + "@" + domain.upper() + "  "
    r2, _ = signup(base_url, email=variant, name="Other")
    assert r2.status_code == 409, r2.text
    assert r2.json() == {"detail": "Email already registered", "code": "email_taken"}
    r3, _ = signup(base_url, email=body["email"])
    assert r3.status_code == 409
    assert r3.json()["code"] == "email_taken"


def test_concurrent_signups_one_email(base_url):
    email = unique_email("race")
    n = 20
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        body = {"name": f"Racer {i}", "email": email, "password": f"password-{i:04d}"}
        barrier.wait()
        try:
            results[i] = requests.post(base_url + SIGNUP, json=body, timeout=60)
        except requests.RequestException as e:  # recorded, asserted below
            results[i] = e

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    codes = sorted(getattr(r, "status_code", repr(r)) for r in results)
    assert codes.count(201) == 1 and codes.count(409) == n - 1, codes
    for r in results:
        if r.status_code == 409:
            assert r.json() == {"detail": "Email already registered", "code": "email_taken"}


# ---------------------------------------------------------------- login


def test_login_success(base_url):
    user, body, _ = fresh_account(base_url)
    r = do_login(base_url, body["email"], body["password"])
    assert r.status_code == 200, r.text
    assert r.headers.get("Content-Type", "").split(";")[0].strip() == "application/json"
    tok = r.json()
    assert isinstance(tok.get("access_token"), str) and tok["access_token"]
    assert tok.get("token_type") == "bearer"
    assert isinstance(tok.get("expires_in"), int) and not isinstance(tok["expires_in"], bool)
    assert tok["expires_in"] > 0
    assert isinstance(tok.get("refresh_token"), str) and tok["refresh_token"]
    assert tok["refresh_token"] != tok["access_token"]
    assert_no_secret(r, body["password"])
    m = me(base_url, bearer(tok["access_token"]))
    assert m.status_code == 200, m.text
    assert m.json()["id"] == user["id"]
    assert_no_secret(m, body["password"])


def test_login_email_is_normalised(base_url):
    _, body, _ = fresh_account(base_url)
    r = do_login(base_url, "  " + body["email"].upper() + " ", body["password"])
    assert r.status_code == 200, r.text


def test_login_validation(base_url):
    assert_422(requests.post(base_url + LOGIN, json={"email": unique_email()}, timeout=T), ("body", "password"))
    assert_422(requests.post(base_url + LOGIN, json={"password": "password-123"}, timeout=T), ("body", "email"))
    assert_422(post_raw(base_url, LOGIN, b"[]"))
    assert_422(post_raw(base_url, LOGIN, b"{nope"))


def test_login_failures_identical(base_url):
    _, body, _ = fresh_account(base_url)
    wrong = do_login(base_url, body["email"], body["password"] + "-wrong")
    unknown = do_login(base_url, unique_email("nobody"), body["password"])
    assert_401(wrong, BAD_LOGIN)
    assert_401(unknown, BAD_LOGIN)
    assert wrong.content == unknown.content


def test_login_timing_similar(base_url):
    _, body, _ = fresh_account(base_url)
    unknown_email = unique_email("ghost")
    do_login(base_url, body["email"], body["password"])  # warm-up
    t_unknown, t_wrong = [], []
    for i in range(5):
        t0 = time.perf_counter()
        r = do_login(base_url, unknown_email, "wrong-password-1")
        t_unknown.append(time.perf_counter() - t0)
        assert r.status_code == 401
        t0 = time.perf_counter()
        r = do_login(base_url, body["email"], "wrong-password-1")
        t_wrong.append(time.perf_counter() - t0)
        assert r.status_code == 401
    a, b = statistics.median(t_unknown), statistics.median(t_wrong)
    assert max(a, b) < 3 * min(a, b), f"unknown-email median {a:.4f}s vs wrong-password median {b:.4f}s"


def bcrypt_total(base_url):
    text = requests.get(base_url + "/metrics", timeout=T).text
    m = re.search(r"^appointd_bcrypt_total (\d+)$", text, re.M)
    assert m, "no appointd_bcrypt_total in /metrics"
    return int(m.group(1))


def test_every_failed_login_costs_one_bcrypt(base_url):
    """A wrong password over 72 bytes answered in 2 ms for a registered email
    and 200+ ms for an unknown one (which burns a bcrypt): the work itself is
    counted, not timed. Each failure (and each success) is exactly one."""
    _, body, _ = fresh_account(base_url)
    ghost = unique_email("ghost")
    cases = [(body["email"], "x" * 73), (ghost, "x" * 73), (body["email"], "y" * 1000),
             (ghost, "y" * 1000), (body["email"], "wrong-password-1"), (ghost, "wrong-password-1"),
             (body["email"].upper(), "z" * 100)]
    for email, password in cases:
        before = bcrypt_total(base_url)
        assert_401(do_login(base_url, email, password), BAD_LOGIN)
        r = requests.post(base_url + TOKEN, data={"username": email, "password": password}, timeout=T)
        assert_401(r, BAD_LOGIN)
        spent = bcrypt_total(base_url) - before
        assert spent == 2, f"two failed logins of {email} with {len(password)} bytes cost {spent} bcrypt"
    before = bcrypt_total(base_url)
    assert do_login(base_url, body["email"], body["password"]).status_code == 200
    assert bcrypt_total(base_url) - before == 1


def test_token_endpoint_form(base_url):
    user, body, _ = fresh_account(base_url)
    r = requests.post(base_url + TOKEN, data={"username": body["email"], "password": body["password"]}, timeout=T)
    assert r.status_code == 200, r.text
    tok = r.json()
    assert tok.get("token_type") == "bearer"
    assert isinstance(tok.get("expires_in"), int) and tok["expires_in"] > 0
    assert tok.get("access_token") and tok.get("refresh_token")
    m = me(base_url, bearer(tok["access_token"]))
    assert m.status_code == 200 and m.json()["id"] == user["id"]
    wrong = requests.post(base_url + TOKEN, data={"username": body["email"], "password": "not-the-password"}, timeout=T)
    assert_401(wrong, BAD_LOGIN)


def test_token_endpoint_rejects_json(base_url):
    _, body, _ = fresh_account(base_url)
    r = requests.post(base_url + TOKEN, json={"username": body["email"], "password": body["password"]}, timeout=T)
    assert_422(r)
    assert "access_token" not in r.text


def test_token_endpoint_missing_fields(base_url):
    r = requests.post(base_url + TOKEN, data={"username": unique_email()}, timeout=T)
    assert_422(r, ("body", "password"))


# ---------------------------------------------------------------- JWT


def test_jwt_claims(base_url):
    user, body, tok = fresh_account(base_url, role="provider")
    header, payload, sig = jwt_parts(tok["access_token"])
    assert header.get("alg") == "HS256", header
    assert payload.get("sub") == str(user["id"]), payload
    assert payload.get("role") == "provider"
    for claim in ("iat", "exp"):
        assert isinstance(payload.get(claim), int), payload
    now = time.time()
    assert now - 120 <= payload["iat"] <= now + 120
    assert payload["exp"] > payload["iat"]
    assert abs((payload["exp"] - payload["iat"]) - tok["expires_in"]) <= 5, (payload, tok["expires_in"])
    assert isinstance(payload.get("jti"), str) and payload["jti"]
    assert isinstance(payload.get("iss"), str) and payload["iss"]
    # jti is unique per token.
    tok2 = do_login(base_url, body["email"], body["password"]).json()
    assert jwt_parts(tok2["access_token"])[1]["jti"] != payload["jti"]


def test_resigned_token_with_same_claims_is_accepted(base_url):
    """Control for the forgery tests below: our HS256 signing matches the server's."""
    user, _, tok = fresh_account(base_url)
    header, payload, _ = jwt_parts(tok["access_token"])
    token = make_jwt({"alg": "HS256", "typ": "JWT"}, payload, digest=hashlib.sha256)
    r = me(base_url, bearer(token))
    assert r.status_code == 200, r.text
    assert r.json()["id"] == user["id"]


def test_bad_tokens_rejected(base_url):
    _, _, tok = fresh_account(base_url)
    access = tok["access_token"]
    header, payload, sig = jwt_parts(access)
    now = int(time.time())
    h256 = {"alg": "HS256", "typ": "JWT"}
    no_exp = {k: v for k, v in payload.items() if k != "exp"}
    hp = access.rsplit(".", 1)[0]
    other_sig = b64url(hmac.new(b"some-other-secret", hp.encode(), hashlib.sha256).digest())
    cases = {
        "alg none": make_jwt({"alg": "none", "typ": "JWT"}, payload),
        "alg None": make_jwt({"alg": "None", "typ": "JWT"}, payload),
        "HS512": make_jwt({"alg": "HS512", "typ": "JWT"}, payload, digest=hashlib.sha512),
        "HS384": make_jwt({"alg": "HS384", "typ": "JWT"}, payload, digest=hashlib.sha384),
        "HS256 header, HS512 signature": make_jwt(h256, payload, digest=hashlib.sha512),
        "bad signature": hp + "." + other_sig,
        "signature stripped": hp + ".",
        "payload tampered": make_jwt(h256, dict(payload, role="admin"), key="wrong-key", digest=hashlib.sha256),
        "expired": make_jwt(h256, dict(payload, iat=now - 7200, exp=now - 3600), digest=hashlib.sha256),
        "missing exp": make_jwt(h256, no_exp, digest=hashlib.sha256),
        "wrong iss": make_jwt(h256, dict(payload, iss="evil-issuer-" + uuid.uuid4().hex[:6]), digest=hashlib.sha256),
        "unknown sub": make_jwt(h256, dict(payload, sub="987654321"), digest=hashlib.sha256),
        "garbage": "this-is-not-a-jwt",
        "garbage dots": "a.b.c",
    }
    for name, token in cases.items():
        r = me(base_url, bearer(token))
        assert r.status_code == 401, (name, r.status_code, r.text)
        assert r.json() == BAD_CREDENTIALS, (name, r.text)
        assert r.headers.get("WWW-Authenticate", "").startswith("Bearer"), name
    # The genuine token still works: nothing above was rejected for another reason.
    assert me(base_url, bearer(access)).status_code == 200


def test_bearer_with_empty_token(base_url):
    # A FastAPI OAuth2PasswordBearer backend sees the scheme "Bearer" with an empty token here
    # (servers strip the trailing space), and an empty token fails validation.
    for value in ["Bearer ", "Bearer"]:
        r = me(base_url, value)
        assert r.status_code == 401, (value, r.status_code)
        assert r.headers.get("WWW-Authenticate", "").startswith("Bearer"), value
        assert r.json() == BAD_CREDENTIALS, (repr(value), r.json())


def test_no_token(base_url):
    assert_401(me(base_url), {"detail": "Not authenticated"})
    r = requests.post(base_url + LOGOUT, timeout=T)
    assert_401(r, {"detail": "Not authenticated"})


def test_deactivated_user(base_url, admin):
    user, body, tok = fresh_account(base_url)
    assert me(base_url, bearer(tok["access_token"])).status_code == 200
    r = admin.patch(f"/api/v1/users/{user['id']}", json={"is_active": False})
    assert r.status_code == 200, r.text
    assert r.json()["is_active"] is False
    assert_401(me(base_url, bearer(tok["access_token"])), BAD_CREDENTIALS)
    assert_401(do_login(base_url, body["email"], body["password"]), BAD_LOGIN)
    r = requests.post(base_url + REFRESH, json={"refresh_token": tok["refresh_token"]}, timeout=T)
    assert r.status_code == 401, r.text
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")


# ---------------------------------------------------------------- refresh / logout


def refresh(base_url, token):
    return requests.post(base_url + REFRESH, json={"refresh_token": token}, timeout=T)


def test_refresh_rotation_and_reuse_detection(base_url):
    user, _, tok = fresh_account(base_url)
    r = refresh(base_url, tok["refresh_token"])
    assert r.status_code == 200, r.text
    new = r.json()
    assert new.get("token_type") == "bearer"
    assert isinstance(new.get("expires_in"), int) and new["expires_in"] > 0
    assert new.get("access_token") and new.get("refresh_token")
    assert new["refresh_token"] != tok["refresh_token"]
    assert new["access_token"] != tok["access_token"]
    m = me(base_url, bearer(new["access_token"]))
    assert m.status_code == 200 and m.json()["id"] == user["id"]
    # Reusing the old refresh token fails ...
    reuse = refresh(base_url, tok["refresh_token"])
    assert reuse.status_code == 401, reuse.text
    assert reuse.headers.get("WWW-Authenticate", "").startswith("Bearer")
    assert "access_token" not in reuse.text
    # ... and revokes the whole session.
    again = refresh(base_url, new["refresh_token"])
    assert again.status_code == 401, again.text


def test_refresh_reuse_revokes_session_access_tokens(base_url):
    _, _, tok = fresh_account(base_url)
    new = refresh(base_url, tok["refresh_token"]).json()
    assert refresh(base_url, tok["refresh_token"]).status_code == 401
    assert_401(me(base_url, bearer(new["access_token"])), BAD_CREDENTIALS)


def test_refresh_invalid(base_url):
    for token in ["garbage", "", "a.b.c"]:
        r = refresh(base_url, token)
        assert r.status_code in (401, 422), (token, r.status_code)
        assert "access_token" not in r.text
    assert_422(requests.post(base_url + REFRESH, json={}, timeout=T), ("body", "refresh_token"))


def test_logout(base_url):
    _, body, tok = fresh_account(base_url)
    other = do_login(base_url, body["email"], body["password"]).json()
    r = requests.post(base_url + LOGOUT, headers={"Authorization": bearer(tok["access_token"])}, timeout=T)
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert_401(me(base_url, bearer(tok["access_token"])), BAD_CREDENTIALS)
    assert refresh(base_url, tok["refresh_token"]).status_code == 401
    # Another login session of the same user is untouched.
    assert me(base_url, bearer(other["access_token"])).status_code == 200


# ---------------------------------------------------------------- secrets never leak


def test_no_password_in_any_response(base_url, admin):
    pw = "Secret-" + uuid.uuid4().hex
    r, body = signup(base_url, password=pw)
    responses = [r]
    uid = r.json()["id"]
    responses.append(do_login(base_url, body["email"], pw))
    tok = responses[-1].json()
    responses.append(me(base_url, bearer(tok["access_token"])))
    responses.append(admin.get(f"/api/v1/users/{uid}"))
    responses.append(admin.get("/api/v1/users", params={"limit": 100}))
    responses.append(admin.patch(f"/api/v1/users/{uid}", json={"name": "Renamed"}))
    responses.append(signup(base_url, email=body["email"], password=pw)[0])  # 409
    responses.append(requests.post(base_url + TOKEN, data={"username": body["email"], "password": pw}, timeout=T))
    for resp in responses:
        assert resp.status_code < 500, resp.text
        assert_no_secret(resp, pw)
