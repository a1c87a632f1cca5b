/* The job runner: work that no request waits for (today the audit sealer and
 * retention; webhook delivery, reminders and the waitlist join it). It owns
 * its threads, one per job, and each thread owns its database connection.
 * Any number of appointd processes may run it on one database: a job runs
 * in the process holding its lease (job_leases), one at a time. Started from
 * main.c after migrations; stopped on SIGTERM before the database closes. */
#ifndef JOBS_RUNNER_H
#define JOBS_RUNNER_H
#include <stdbool.h>

#include "core/config.h"

/* Starts every job's thread. False when a thread could not be made. */
bool jobs_start(const struct config *cfg);
/* Wakes every job, lets the one running finish, joins the threads and gives
 * their leases back so another process takes over at once. */
void jobs_stop(void);
#endif
