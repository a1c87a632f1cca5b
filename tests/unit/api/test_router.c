/* Unit tests of src/api/router.c with the real route table of
 * src/api/routes.c. API.md "Conventions": paths have no trailing slash; an
 * unknown path is a 404; a known path with a wrong method is a 405 whose
 * Allow header lists the path's methods. */
#include <criterion/criterion.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/http.h"
#include "api/router.h"

struct match {
    int idx;
    char path[512];
    const char *params[REQUEST_MAX_PARAMS];
    char allow[128];
};

static void match(const char *method, const char *path, struct match *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->path, sizeof m->path, "%s", path);
    /* Poison the allow buffer: the router must set it. */
    memset(m->allow, 'Q', sizeof m->allow - 1);
    m->idx = router_match(method, m->path, m->params, m->allow, sizeof m->allow);
}

/* Asserts method path matches the route (method, template). */
static void expect_route(const char *method, const char *path, const char *tmpl,
                         struct match *m)
{
    match(method, path, m);
    cr_assert_geq(m->idx, 0, "%s %s did not match (allow \"%s\")", method, path, m->allow);
    cr_assert_lt((size_t)m->idx, n_routes);
    cr_assert_str_eq(routes[m->idx].method, method, "%s %s", method, path);
    cr_assert_str_eq(routes[m->idx].path, tmpl, "%s %s", method, path);
}

static void expect_405(const char *method, const char *path, const char *allow)
{
    struct match m;
    match(method, path, &m);
    cr_assert_eq(m.idx, -1, "%s %s matched route %d", method, path, m.idx);
    cr_assert_str_eq(m.allow, allow, "%s %s: Allow \"%s\", want \"%s\"", method, path, m.allow, allow);
}

static void expect_404(const char *method, const char *path)
{
    struct match m;
    match(method, path, &m);
    cr_assert_eq(m.idx, -1, "%s %s matched route %s %s", method, path,
                 m.idx >= 0 ? routes[m.idx].method : "", m.idx >= 0 ? routes[m.idx].path : "");
    cr_assert_str_eq(m.allow, "", "%s %s: Allow \"%s\", want \"\"", method, path, m.allow);
}

Test(router, static_routes)
{
    struct match m;
    expect_route("GET", "/health", "/health", &m);
    cr_assert_eq(routes[m.idx].handler, health_get);
    cr_assert_eq(routes[m.idx].auth, AUTH_NONE);
    expect_route("GET", "/health/ready", "/health/ready", &m);
    cr_assert_eq(routes[m.idx].handler, health_ready);
    expect_route("GET", "/openapi.json", "/openapi.json", &m);
    cr_assert_eq(routes[m.idx].handler, openapi_get);
    expect_route("GET", "/metrics", "/metrics", &m);
    cr_assert_eq(routes[m.idx].handler, metrics_get);
    expect_route("POST", "/api/v1/auth/login", "/api/v1/auth/login", &m);
    cr_assert_eq(routes[m.idx].handler, auth_login_post);
    expect_route("POST", "/api/v1/auth/logout", "/api/v1/auth/logout", &m);
    cr_assert_eq(routes[m.idx].auth, AUTH_USER);
    expect_route("GET", "/api/v1/users", "/api/v1/users", &m);
    cr_assert_eq(routes[m.idx].handler, users_list_get);
    cr_assert_eq(routes[m.idx].auth, AUTH_ADMIN);
}

Test(router, literal_segment_wins_over_parameter)
{
    struct match m;
    expect_route("GET", "/api/v1/users/me", "/api/v1/users/me", &m);
    cr_assert_eq(routes[m.idx].handler, users_me_get);
    cr_assert_null(m.params[0]);
    expect_route("PATCH", "/api/v1/users/me", "/api/v1/users/me", &m);
    cr_assert_eq(routes[m.idx].handler, users_me_patch);
    expect_route("GET", "/api/v1/users/12", "/api/v1/users/{id}", &m);
    cr_assert_eq(routes[m.idx].handler, users_get_one);
    cr_assert_str_eq(m.params[0], "12");
}

Test(router, path_parameters)
{
    struct match m;
    expect_route("GET", "/api/v1/bookings/17", "/api/v1/bookings/{id}", &m);
    cr_assert_str_eq(m.params[0], "17");
    cr_assert_null(m.params[1]);
    expect_route("POST", "/api/v1/bookings/17/cancel", "/api/v1/bookings/{id}/cancel", &m);
    cr_assert_str_eq(m.params[0], "17");
    expect_route("POST", "/api/v1/bookings/5/reschedule", "/api/v1/bookings/{id}/reschedule", &m);
    cr_assert_str_eq(m.params[0], "5");
    expect_route("GET", "/api/v1/services/3/slots", "/api/v1/services/{id}/slots", &m);
    cr_assert_str_eq(m.params[0], "3");
    expect_route("DELETE", "/api/v1/services/abc", "/api/v1/services/{id}", &m);
    cr_assert_str_eq(m.params[0], "abc", "the router matches any segment; handlers validate");
    expect_route("GET", "/docs/swagger-ui.css", "/docs/{asset}", &m);
    cr_assert_str_eq(m.params[0], "swagger-ui.css");
    expect_route("PUT", "/api/v1/providers/9/availability", "/api/v1/providers/{id}/availability", &m);
    cr_assert_str_eq(m.params[0], "9");
}

Test(router, two_path_parameters)
{
    struct match m;
    expect_route("DELETE", "/api/v1/providers/5/time-off/7",
                                  "/api/v1/providers/{id}/time-off/{time_off_id}", &m);
    cr_assert_eq(routes[m.idx].handler, providers_time_off_delete);
    cr_assert_str_eq(m.params[0], "5");
    cr_assert_str_eq(m.params[1], "7");
    cr_assert_null(m.params[2]);
    /* The params point into the caller's copy. */
    cr_assert(m.params[0] >= m.path && m.params[0] < m.path + sizeof m.path);
    cr_assert(m.params[1] >= m.path && m.params[1] < m.path + sizeof m.path);

    expect_route("DELETE", "/api/v1/providers/123456/time-off/987654321",
                     "/api/v1/providers/{id}/time-off/{time_off_id}", &m);
    cr_assert_str_eq(m.params[0], "123456");
    cr_assert_str_eq(m.params[1], "987654321");
}

Test(router, wrong_method_lists_allow)
{
    expect_405("DELETE", "/health", "GET, HEAD");
    expect_405("POST", "/health", "GET, HEAD");
    expect_405("GET", "/api/v1/users/me/password", "POST");
    expect_405("GET", "/api/v1/auth/login", "POST");
    expect_405("DELETE", "/api/v1/users/12", "GET, HEAD, PATCH");
    expect_405("GET", "/api/v1/providers/5/time-off/7", "DELETE");
    expect_405("DELETE", "/api/v1/providers/5/availability", "GET, HEAD, PUT");
    expect_405("DELETE", "/api/v1/providers/5/time-off", "POST, GET, HEAD");
    expect_405("PUT", "/api/v1/services/5", "GET, HEAD, PATCH, DELETE");
    expect_405("DELETE", "/api/v1/bookings", "POST, GET, HEAD");
    expect_405("GET", "/api/v1/bookings/1/cancel", "POST");
    expect_405("POST", "/api/v1/bookings/1", "GET, HEAD");
    expect_405("POST", "/api/v1/services/1/slots", "GET, HEAD");
}

/* /api/v1/users/me is matched by both /api/v1/users/me and
 * /api/v1/users/{id}: each method must still be listed once. */
Test(router, allow_lists_each_method_once)
{
    expect_405("DELETE", "/api/v1/users/me", "GET, HEAD, PATCH");
    expect_405("PUT", "/api/v1/users/me", "GET, HEAD, PATCH");
}

Test(router, methods_are_case_sensitive)
{
    expect_405("get", "/health", "GET, HEAD");
    expect_405("Get", "/api/v1/bookings", "POST, GET, HEAD");
}

Test(router, unknown_paths)
{
    expect_404("GET", "/");
    expect_404("GET", "");
    expect_404("GET", "health");
    expect_404("GET", "/healthz");
    expect_404("GET", "/HEALTH");
    expect_404("GET", "/api");
    expect_404("GET", "/api/v1");
    expect_404("GET", "/api/v2/users/me");
    expect_404("GET", "/api/v1/nope");
    expect_404("GET", "/api/v1/bookings/1/2");
    expect_404("GET", "/api/v1/providers/5/time-off/7/8");
    expect_404("GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p");
}

Test(router, trailing_slashes_and_empty_segments)
{
    expect_404("GET", "/health/");
    expect_404("GET", "/api/v1/users/");
    expect_404("GET", "/api/v1/users/me/");
    expect_404("GET", "/api/v1/bookings/");
    expect_404("POST", "/api/v1/bookings/");
    expect_404("GET", "/api/v1/bookings//cancel");
    expect_404("POST", "/api/v1/bookings//cancel");
    expect_404("DELETE", "/api/v1/providers//time-off/7");
    expect_404("DELETE", "/api/v1/providers/5/time-off/");
    expect_404("GET", "/docs/");
    expect_404("GET", "//health");
}

Test(router, small_allow_buffer_is_terminated)
{
    char path[64] = "/api/v1/services/5";
    char allow[8];
    memset(allow, 'Q', sizeof allow);
    const char *params[REQUEST_MAX_PARAMS] = {0};
    cr_assert_eq(router_match("PUT", path, params, allow, sizeof allow), -1);
    cr_assert_lt(strlen(allow), sizeof allow);
    cr_assert_eq(strncmp(allow, "GET, HE", 7), 0, "got %s", allow);
}

Test(router, head_finds_the_get_route_and_is_listed_beside_get)
{
    struct match m;
    match("HEAD", "/api/v1/users/12", &m);
    cr_assert_geq(m.idx, 0, "HEAD did not match (allow \"%s\")", m.allow);
    cr_assert_str_eq(routes[m.idx].method, "GET");
    cr_assert_str_eq(routes[m.idx].path, "/api/v1/users/{id}");
    cr_assert_str_eq(m.params[0], "12");
    expect_405("HEAD", "/api/v1/auth/login", "POST");
    expect_405("HEAD", "/api/v1/bookings/1/cancel", "POST");
    expect_405("POST", "/api/v1/services/1/slots", "GET, HEAD");
}

Test(router, path_route_finds_the_first_route_of_a_path_whatever_the_method)
{
    int idx = router_path_route("/health");
    cr_assert(idx >= 0);
    cr_assert_str_eq(routes[idx].path, "/health");
    idx = router_path_route("/api/v1/bookings/12/cancel");
    cr_assert(idx >= 0);
    cr_assert_str_eq(routes[idx].path, "/api/v1/bookings/{id}/cancel");
    cr_assert_eq(router_path_route("/nope"), -1);
    cr_assert_eq(router_path_route("no-slash"), -1);
}
