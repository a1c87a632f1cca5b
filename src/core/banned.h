/* Functions banned from appointd, after git's banned.h: calling one is a
 * compile error naming it ("sorry_strcpy_is_banned undeclared").
 *
 * Why each is gone, and what to use instead:
 * - strcpy, strcat, sprintf, vsprintf, gets: write past the end of their
 *   buffer whenever the input is longer than expected. Use snprintf or
 *   vsnprintf and check the result, memcpy with a known length, or the
 *   request arena.
 * - gmtime, localtime, ctime, asctime: return a pointer to one static buffer
 *   shared by every thread of the worker pool; localtime and ctime also read
 *   the process's TZ. Use core/timeutil.h for UTC and core/tz.h for zones.
 * - strtok: keeps hidden state between calls, so it is not reentrant. Parse
 *   explicitly (or strtok_r where a tokenizer really is the right tool).
 * - atoi, atol: cannot report an error, and overflow is undefined behaviour.
 *   Use strtol or strtoll with an end pointer and errno.
 *
 * Include this header after every system header (it turns the names into
 * function-like macros, which would break their declarations). Only calls are
 * caught, not the bare names. tools/lint.sh greps for the same calls. */
#ifndef CORE_BANNED_H
#define CORE_BANNED_H

#define BANNED(func) sorry_##func##_is_banned

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)

#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef ctime
#define ctime(t) BANNED(ctime)
#undef asctime
#define asctime(t) BANNED(asctime)

#undef strtok
#define strtok(s, delim) BANNED(strtok)

#undef atoi
#define atoi(s) BANNED(atoi)
#undef atol
#define atol(s) BANNED(atol)

#endif
