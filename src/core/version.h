/* The build's identity: the version (the Makefile's VERSION, the one place
 * it is written) and the git commit it was built from ("unknown" outside a
 * checkout). Static strings. */
#ifndef CORE_VERSION_H
#define CORE_VERSION_H
extern const char version_number[];
extern const char version_commit[];
#endif
