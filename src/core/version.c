#include "core/version.h"

#ifndef APPOINTD_VERSION
#define APPOINTD_VERSION "unknown"
#endif
#ifndef APPOINTD_COMMIT
#define APPOINTD_COMMIT "unknown"
#endif

const char version_number[] = APPOINTD_VERSION;
const char version_commit[] = APPOINTD_COMMIT;
