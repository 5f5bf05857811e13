/* status: the names of recipient statuses (see status.h). */
#include "mail/status.h"

#include <string.h>

static const char *const STATUS_NAMES[ST_COUNT] = { "delivered", "bounced", "deferred", "dropped" };

const char *status_name(RcptStatus s)
{
    return s >= 0 && s < ST_COUNT ? STATUS_NAMES[s] : "?";
}

int status_from_name(const char *name)
{
    for (int i = 0; i < ST_COUNT; i++) {
        if (strcmp(STATUS_NAMES[i], name) == 0) {
            return i;
        }
    }
    return -1;
}
