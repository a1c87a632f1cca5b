/* CPU-heavy work (bcrypt) in Linux's background scheduling class, SCHED_IDLE:
 * any other thread that wakes up preempts it at once, so the I/O threads
 * answer /health and finished requests while every core is hashing. */
#ifndef CORE_CPU_H
#define CORE_CPU_H
#include <stdbool.h>

/* Finds out once whether a thread may return from SCHED_IDLE (root, or
 * CAP_SYS_NICE, or a high enough RLIMIT_NICE). Without it, begin and end do
 * nothing: a thread must never be left in the background class. */
bool cpu_background_init(void);
void cpu_background_begin(void);
void cpu_background_end(void);
#endif
