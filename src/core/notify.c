#include "core/notify.h"

#include <stdio.h>
#include <systemd/sd-daemon.h>

#include "core/log.h"
#include "core/banned.h"

/* A failed notification is logged, never fatal: under systemd the unit then
 * fails on its own start timeout, which names the cause better than we can. */
static void tell(const char *state)
{
    int r = sd_notify(0, state);
    if (r < 0)
        log_warn("cannot notify the service manager (errno %d)", -r);
}

void notify_ready(const char *host, int port)
{
    char msg[320];
    /* A long host is cut short, which only shortens what systemctl shows. */
    snprintf(msg, sizeof msg, "READY=1\nSTATUS=listening on %s:%d", host, port);
    tell(msg);
}

void notify_stopping(void)
{
    tell("STOPPING=1\nSTATUS=draining requests in flight");
}
