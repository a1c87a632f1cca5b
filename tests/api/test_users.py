"""Users: /api/v1/users and the create-admin command (API.md: Users)."""
import re
import uuid

import requests

from conftest import unique_email

T = 30
USERS = "/api/v1/users"
ME = "/api/v1/users/me"
USER_FIELDS = {"id", "name", "email", "role", "is_active", "created_at"}
FORBIDDEN = {"detail": "Not enough permissions"}


def assert_422(r, *locs):
    assert r.status_code == 422, (r.status_code, r.text)
    detail = r.json().get("detail")
    assert isinstance(detail, list) and detail, r.text
    for entry in detail:
        assert isinstance(entry.get("loc"), list) and entry["loc"], entry
        assert isinstance(entry.get("msg"), str) and isinstance(entry.get("type"), str), entry
    got = [list(e["loc"]) for e in detail]
    for loc in locs:
        assert list(loc) in got, f"no 422 entry for {list(loc)} in {got}"


def do_login(base_url, email, password):
    return requests.post(base_url + "/api/v1/auth/login", json={"email": email, "password": password}, timeout=T)


def assert_user(u):
    assert USER_FIELDS <= set(u), u
    assert not [k for k in u if "password" in k.lower()], u
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", u["created_at"]), u["created_at"]


# ---------------------------------------------------------------- /me


def test_get_me(customer):
    r = customer.get(ME)
    assert r.status_code == 200, r.text
    assert r.json() == customer.user


def test_patch_me_name(customer):
    r = customer.patch(ME, json={"name": "New Name"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "New Name"
    assert r.json()["id"] == customer.user["id"]
    assert customer.get(ME).json()["name"] == "New Name"
    r = customer.patch(ME, json={"name": "é" * 100})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "é" * 100


def test_patch_me_name_validation(customer):
    for name in ["", "   ", "a" * 101, 42]:
        r = customer.patch(ME, json={"name": name})
        assert_422(r, ("body", "name"))
    assert customer.get(ME).json()["name"] == customer.user["name"]


def test_patch_me_body_must_be_object(customer):
    r = customer.patch(ME, data=b"[1]", headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text


def test_patch_me_ignores_role_email_and_is_active(customer, base_url):
    other = unique_email("other")
    r = customer.patch(ME, json={"role": "admin", "email": other, "is_active": False, "id": 1, "name": "Still Me"})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["role"] == "customer"
    assert u["email"] == customer.user["email"]
    assert u["is_active"] is True
    assert u["id"] == customer.user["id"]
    assert u["name"] == "Still Me"
    again = customer.get(ME)
    assert again.status_code == 200
    assert again.json()["role"] == "customer" and again.json()["email"] == customer.user["email"]
    # Still a customer where it matters.
    assert customer.get(USERS).status_code == 403


def test_patch_me_empty_body_changes_nothing(customer):
    r = customer.patch(ME, json={})
    assert r.status_code == 200, r.text
    assert r.json() == customer.user


def test_me_requires_auth(base_url):
    r = requests.patch(base_url + ME, json={"name": "x"}, timeout=T)
    assert r.status_code == 401
    assert r.json() == {"detail": "Not authenticated"}


# ---------------------------------------------------------------- password change


def test_change_password_wrong_current(customer, base_url):
    r = customer.post(ME + "/password", json={"current_password": "wrong-" + customer.password,
                                              "new_password": "brand-new-password"})
    assert r.status_code == 400, r.text
    assert r.json() == {"detail": "Incorrect password"}
    assert do_login(base_url, customer.user["email"], customer.password).status_code == 200


def test_change_password_success(make_user, base_url):
    c = make_user("customer")
    email = c.user["email"]
    other_session = do_login(base_url, email, c.password).json()
    new = "new-password-" + uuid.uuid4().hex[:6]
    r = c.post(ME + "/password", json={"current_password": c.password, "new_password": new})
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert do_login(base_url, email, new).status_code == 200
    old = do_login(base_url, email, c.password)
    assert old.status_code == 401
    assert old.json() == {"detail": "Incorrect email or password"}
    # Every other session is logged out; the one that changed the password is not.
    r = requests.get(base_url + ME, headers={"Authorization": "Bearer " + other_session["access_token"]}, timeout=T)
    assert r.status_code == 401, r.text
    assert requests.post(base_url + "/api/v1/auth/refresh", json={"refresh_token": other_session["refresh_token"]},
                         timeout=T).status_code == 401
    assert c.get(ME).status_code == 200


def test_change_password_validation(customer, base_url):
    r = customer.post(ME + "/password", json={"current_password": customer.password, "new_password": "short"})
    assert_422(r, ("body", "new_password"))
    r = customer.post(ME + "/password", json={"current_password": customer.password, "new_password": "x" * 73})
    assert_422(r, ("body", "new_password"))
    r = customer.post(ME + "/password", json={"new_password": "long-enough-password"})
    assert_422(r, ("body", "current_password"))
    assert do_login(base_url, customer.user["email"], customer.password).status_code == 200


# ---------------------------------------------------------------- admin-only routes


def test_admin_routes_forbidden_for_others(make_user, admin):
    target = admin.user["id"]
    victim = make_user("customer").user
    for role in ("customer", "provider"):
        c = make_user(role)
        for method, path, kw in [
            ("GET", USERS, {}),
            ("GET", USERS + "?role=provider", {}),
            ("GET", f"{USERS}/{target}", {}),
            ("GET", f"{USERS}/{c.user['id']}", {}),
            ("PATCH", f"{USERS}/{c.user['id']}", {"json": {"role": "admin"}}),
            ("PATCH", f"{USERS}/{victim['id']}", {"json": {"is_active": False}}),
            ("PATCH", f"{USERS}/{victim['id']}", {"json": {"name": "Hijacked"}}),
        ]:
            r = c.request(method, path, **kw)
            assert r.status_code == 403, (role, method, path, r.status_code, r.text)
            assert r.json() == FORBIDDEN
        assert c.get(ME).json()["role"] == role
    assert admin.get(f"{USERS}/{victim['id']}").json() == victim


def test_admin_routes_require_auth(base_url):
    r = requests.get(base_url + USERS, timeout=T)
    assert r.status_code == 401
    assert r.json() == {"detail": "Not authenticated"}


# ---------------------------------------------------------------- admin list


def test_admin_list_default_page(admin, make_user):
    make_user("customer")
    r = admin.get(USERS)
    assert r.status_code == 200, r.text
    page = r.json()
    assert set(page) >= {"items", "total", "limit", "offset"}
    assert page["limit"] == 50 and page["offset"] == 0
    assert isinstance(page["total"], int) and page["total"] >= 2
    assert len(page["items"]) == min(50, page["total"])
    for u in page["items"]:
        assert_user(u)


def test_admin_list_paging(admin, make_user):
    for _ in range(3):
        make_user("customer")
    first = admin.get(USERS, params={"limit": 2, "offset": 0}).json()
    second = admin.get(USERS, params={"limit": 2, "offset": 2}).json()
    assert first["limit"] == 2 and first["offset"] == 0
    assert second["limit"] == 2 and second["offset"] == 2
    assert len(first["items"]) == 2 and len(second["items"]) == 2
    assert first["total"] >= 4 and second["total"] == first["total"]
    ids1 = {u["id"] for u in first["items"]}
    ids2 = {u["id"] for u in second["items"]}
    assert not ids1 & ids2
    beyond = admin.get(USERS, params={"limit": 5, "offset": first["total"]}).json()
    assert beyond["items"] == [] and beyond["total"] == first["total"]
    last = admin.get(USERS, params={"limit": 100, "offset": first["total"] - 1}).json()
    assert len(last["items"]) == 1


def test_admin_list_all_pages_cover_everyone(admin, make_user):
    mine = {make_user("customer").user["id"], make_user("provider").user["id"]}
    seen, offset, total = [], 0, None
    while True:
        page = admin.get(USERS, params={"limit": 100, "offset": offset}).json()
        total = page["total"]
        seen.extend(u["id"] for u in page["items"])
        offset += 100
        if offset >= total:
            break
    assert len(seen) == len(set(seen)) == total
    assert mine <= set(seen)
    assert admin.user["id"] in seen


def test_admin_list_query_validation(admin):
    for params, loc in [
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 101}, ["query", "limit"]),
        ({"limit": -1}, ["query", "limit"]),
        ({"limit": "abc"}, ["query", "limit"]),
        ({"limit": "1.5"}, ["query", "limit"]),
        ({"offset": -1}, ["query", "offset"]),
        ({"offset": "x"}, ["query", "offset"]),
        ({"role": "bogus"}, ["query", "role"]),
    ]:
        r = admin.get(USERS, params=params)
        assert_422(r, loc)
    assert admin.get(USERS, params={"limit": 1}).status_code == 200
    assert admin.get(USERS, params={"limit": 100}).status_code == 200


def test_admin_list_role_filter(admin, make_user):
    providers = {make_user("provider").user["id"] for _ in range(2)}
    cust = make_user("customer").user["id"]
    seen, offset = set(), 0
    while True:
        r = admin.get(USERS, params={"role": "provider", "limit": 100, "offset": offset})
        assert r.status_code == 200, r.text
        page = r.json()
        for u in page["items"]:
            assert u["role"] == "provider", u
            seen.add(u["id"])
        offset += 100
        if offset >= page["total"]:
            break
    assert len(seen) == page["total"]
    assert providers <= seen
    assert cust not in seen
    admins = admin.get(USERS, params={"role": "admin", "limit": 100}).json()
    assert admin.user["id"] in {u["id"] for u in admins["items"]}
    assert all(u["role"] == "admin" for u in admins["items"])


# ---------------------------------------------------------------- admin get / patch


def test_admin_get_user(admin, customer):
    r = admin.get(f"{USERS}/{customer.user['id']}")
    assert r.status_code == 200, r.text
    assert r.json() == customer.user


def test_admin_get_unknown_user(admin):
    r = admin.get(f"{USERS}/999999999")
    assert r.status_code == 404, r.text
    assert isinstance(r.json().get("detail"), str) and r.json()["detail"]
    r = admin.patch(f"{USERS}/999999999", json={"name": "Nobody"})
    assert r.status_code == 404, r.text
    assert isinstance(r.json().get("detail"), str)


def test_admin_get_user_bad_id(admin):
    for bad in ["abc", "1.5", "1e3"]:
        r = admin.get(f"{USERS}/{bad}")
        assert r.status_code in (404, 422), (bad, r.status_code)
        assert r.status_code < 500


def test_admin_patch_user(admin, make_user, base_url):
    c = make_user("customer")
    uid = c.user["id"]
    r = admin.patch(f"{USERS}/{uid}", json={"role": "provider", "name": "Promoted"})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["role"] == "provider" and u["name"] == "Promoted" and u["id"] == uid
    assert u["email"] == c.user["email"]
    got = admin.get(f"{USERS}/{uid}").json()
    assert got["role"] == "provider" and got["name"] == "Promoted"
    # A fresh login carries the new role.
    tok = do_login(base_url, c.user["email"], c.password).json()
    r = requests.get(base_url + ME, headers={"Authorization": "Bearer " + tok["access_token"]}, timeout=T)
    assert r.json()["role"] == "provider"
    providers = admin.get(USERS, params={"role": "provider", "limit": 1}).json()
    assert providers["total"] >= 1


def test_admin_deactivate_and_reactivate(admin, make_user, base_url):
    c = make_user("customer")
    uid = c.user["id"]
    r = admin.patch(f"{USERS}/{uid}", json={"is_active": False})
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert c.get(ME).status_code == 401
    r = admin.patch(f"{USERS}/{uid}", json={"is_active": True})
    assert r.status_code == 200 and r.json()["is_active"] is True
    assert do_login(base_url, c.user["email"], c.password).status_code == 200


def test_admin_patch_validation(admin, customer):
    uid = customer.user["id"]
    for body, field in [
        ({"role": "superuser"}, "role"),
        ({"role": ""}, "role"),
        ({"role": 3}, "role"),
        ({"is_active": "maybe"}, "is_active"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 101}, "name"),
    ]:
        r = admin.patch(f"{USERS}/{uid}", json=body)
        assert_422(r, ("body", field))
    assert admin.get(f"{USERS}/{uid}").json() == customer.user


def test_admin_patch_ignores_email_and_id(admin, customer):
    uid = customer.user["id"]
    r = admin.patch(f"{USERS}/{uid}", json={"email": unique_email(), "id": uid + 1000, "name": "Kept"})
    assert r.status_code == 200, r.text
    assert r.json()["email"] == customer.user["email"] and r.json()["id"] == uid


# ---------------------------------------------------------------- create-admin


def test_create_admin_password_from_stdin(server, base_url):
    email = unique_email("cli-admin")
    res = server.run("create-admin", "--email", email, "--name", "N", input="pw-from-stdin-123\n")
    assert res.returncode == 0, res.stderr
    assert "pw-from-stdin-123" not in res.stdout + res.stderr
    r = do_login(base_url, email, "pw-from-stdin-123")
    assert r.status_code == 200, r.text
    me = requests.get(base_url + ME, headers={"Authorization": "Bearer " + r.json()["access_token"]}, timeout=T)
    assert me.json()["role"] == "admin"
    assert me.json()["name"] == "N"
    assert me.json()["email"] == email
    assert requests.get(base_url + USERS, headers={"Authorization": "Bearer " + r.json()["access_token"]},
                        timeout=T).status_code == 200


def test_create_admin_duplicate_email_fails(server, admin):
    res = server.run("create-admin", "--email", admin.user["email"], "--name", "Dup", input="another-password-1\n")
    assert res.returncode != 0, res.stdout
    res = server.run("create-admin", "--email", admin.user["email"].upper(), "--name", "Dup",
                     input="another-password-1\n")
    assert res.returncode != 0, res.stdout
    assert do_login(server.url, admin.user["email"], "another-password-1").status_code == 401
