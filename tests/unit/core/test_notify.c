/* Unit tests of src/core/notify.c: what reaches a socket standing in for
 * systemd's NOTIFY_SOCKET. Criterion runs each test in a process of its
 * own, so the environment variable set here stays in the test. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/notify.h"

struct listener {
    int fd;
    char dir[64];
    char path[108];
};

static void listen_as_systemd(struct listener *l)
{
    snprintf(l->dir, sizeof l->dir, "/tmp/appointd-notify.XXXXXX");
    cr_assert_not_null(mkdtemp(l->dir));
    snprintf(l->path, sizeof l->path, "%s/notify", l->dir);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memcpy(addr.sun_path, l->path, strlen(l->path) + 1);
    l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(l->fd, 0);
    cr_assert_eq(bind(l->fd, (struct sockaddr *)&addr, sizeof addr), 0);
    /* A bound on the wait, so that a message never sent fails the test. */
    struct timeval tv = {.tv_sec = 10};
    cr_assert_eq(setsockopt(l->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    cr_assert_eq(setenv("NOTIFY_SOCKET", l->path, 1), 0);
}

/* The next datagram, NUL-terminated, in buf; its length. */
static ssize_t next_message(struct listener *l, char *buf, size_t len)
{
    ssize_t n = recv(l->fd, buf, len - 1, 0);
    cr_assert_geq(n, 0, "no notification arrived");
    buf[n] = '\0';
    return n;
}

static void close_listener(struct listener *l)
{
    close(l->fd);
    unlink(l->path);
    rmdir(l->dir);
}

Test(notify, ready_names_the_address)
{
    struct listener l;
    char buf[1024];
    listen_as_systemd(&l);
    notify_ready("127.0.0.1", 8123);
    next_message(&l, buf, sizeof buf);
    cr_assert_str_eq(buf, "READY=1\nSTATUS=listening on 127.0.0.1:8123");
    close_listener(&l);
}

Test(notify, stopping)
{
    struct listener l;
    char buf[1024];
    listen_as_systemd(&l);
    notify_stopping();
    next_message(&l, buf, sizeof buf);
    cr_assert(strncmp(buf, "STOPPING=1\n", 11) == 0, "got \"%s\"", buf);
    close_listener(&l);
}

Test(notify, a_long_host_still_sends_ready)
{
    struct listener l;
    char buf[1024], host[600];
    memset(host, 'h', sizeof host - 1);
    host[sizeof host - 1] = '\0';
    listen_as_systemd(&l);
    notify_ready(host, 1);
    ssize_t n = next_message(&l, buf, sizeof buf);
    cr_assert(strncmp(buf, "READY=1\nSTATUS=listening on hhh", 31) == 0, "got \"%.40s\"", buf);
    cr_assert_lt(n, (ssize_t)sizeof host, "the status was not cut short");
    close_listener(&l);
}
