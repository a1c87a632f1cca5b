/* Tells the service manager (systemd's Type=notify) where the process is in
 * its life. Without NOTIFY_SOCKET in the environment every call does
 * nothing, so the binary runs the same by hand, in tests and under systemd. */
#ifndef CORE_NOTIFY_H
#define CORE_NOTIFY_H

/* READY=1: the migrations are applied and the server listens on host:port
 * (shown as the unit's status). */
void notify_ready(const char *host, int port);
/* STOPPING=1: the SIGTERM drain has begun. */
void notify_stopping(void);
#endif
