#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"

static char *rendered;

static void setup(void)
{
    metrics_register_route(0, "GET", "/things");
    metrics_register_route(1, "POST", "/things");
    metrics_register_status(0, 200);
    metrics_register_status(0, 404);
}

static void teardown(void)
{
    free(rendered);
}

TestSuite(metrics, .init = setup, .fini = teardown);

Test(metrics, registered_statuses_show_at_zero)
{
    rendered = metrics_render();
    cr_assert(strstr(rendered, "appointd_http_requests_total{route=\"/things\",method=\"GET\",status=\"404\"} 0\n"));
    cr_assert_null(strstr(rendered, "route=\"/things\",method=\"GET\",status=\"409\""));
}

Test(metrics, a_method_the_path_lacks_is_counted_under_the_path)
{
    metrics_observe(0, "DELETE", 405, 10);
    rendered = metrics_render();
    cr_assert(strstr(rendered, "appointd_http_requests_total{route=\"/things\",method=\"DELETE\",status=\"405\"} 1\n"), "%s", rendered);
    cr_assert_null(strstr(rendered, "route=\"unmatched\",method=\"DELETE\",status=\"405\""));
}

Test(metrics, build_info_process_and_database_gauges)
{
    metrics_db_connections_add(2);
    metrics_db_in_use_add(1);
    metrics_set_audit_unsealed(7);
    rendered = metrics_render();
    cr_assert(strstr(rendered, "appointd_build_info{version=\""));
    cr_assert(strstr(rendered, "appointd_db_connections 2\n"));
    cr_assert(strstr(rendered, "appointd_db_connections_in_use 1\n"));
    cr_assert(strstr(rendered, "appointd_outbox_lag{outbox=\"audit\",job=\"audit_seal\"} 7\n"));
    cr_assert(strstr(rendered, "\nprocess_open_fds "));
    cr_assert(strstr(rendered, "\nprocess_resident_memory_bytes "));
    cr_assert(strstr(rendered, "\nprocess_cpu_seconds_total "));
    cr_assert(strstr(rendered, "\nprocess_max_fds "));
}

Test(metrics, outbox_lag_is_left_out_until_measured)
{
    rendered = metrics_render();
    cr_assert_null(strstr(rendered, "appointd_outbox_lag{"));
}
