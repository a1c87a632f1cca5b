#include "models/suggestion.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

void suggestion_list_release(struct suggestion_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}
