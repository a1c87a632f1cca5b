/* The waitlist job of the runner (jobs/runner.c): one process at a time, by
 * lease, serves the slots the outbox says were freed (services/waitlist.h)
 * and, once a second, marks entries whose range has passed expired. Its
 * place in the outbox is persisted (waitlist_place): this thread's copy of
 * it is only a cache. */
#ifndef JOBS_WAITLIST_H
#define JOBS_WAITLIST_H
#include "core/error.h"
#include "db/store.h"

enum app_err waitlist_job_run(struct store *s);
#endif
