/* Threads that never take the process's signals. */
#ifndef CORE_THREAD_H
#define CORE_THREAD_H
#include <pthread.h>

/* pthread_create with every signal blocked in the new thread. A thread
 * started before the server blocks SIGTERM for sigwait (the job runner, the
 * SQLite checkpointer) would otherwise be where the kernel may deliver a
 * SIGTERM, whose default action ends the process without the drain. */
int thread_start_quiet(pthread_t *t, void *(*fn)(void *), void *arg);
#endif
