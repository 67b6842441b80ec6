/* lib/version.c: the one version string every binary reports. */
#include "version.h"

const char *
bgpbus_version(void)
{
    return "bgpbus " BGPBUS_VERSION;
}
