#include "core/metrics_process.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/banned.h"

static void gauge(GString *out, const char *name, const char *type, const char *help, double v)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %.15g\n", name, help, name, type,
                           name, v);
}

/* Resident pages, from /proc/self/statm's second field. */
static long resident_pages(void)
{
    long size = 0, resident = -1;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &resident) != 2)
            resident = -1;
        fclose(f);
    }
    return resident;
}

/* Entries of /proc/self/fd, not counting the one opendir holds. */
static long open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    long n = -1;
    if (!d)
        return -1;
    for (struct dirent *e = readdir(d); e; e = readdir(d))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

void metrics_process_render(GString *out, int64_t start_time)
{
    struct rusage ru;
    struct rlimit rl;
    long pages = resident_pages(), fds = open_fds();
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        gauge(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
              (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    if (pages >= 0)
        gauge(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
              (double)pages * (double)sysconf(_SC_PAGESIZE));
    if (fds >= 0)
        gauge(out, "process_open_fds", "gauge", "Number of open file descriptors.", (double)fds);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        gauge(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
              (double)rl.rlim_cur);
    gauge(out, "process_start_time_seconds", "gauge",
          "Start time of the process since unix epoch in seconds.", (double)start_time);
}
