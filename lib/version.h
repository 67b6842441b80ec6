/* lib/version.h: the one version string every binary reports (`version`, --version). */
#ifndef BGPBUS_LIB_VERSION_H
#define BGPBUS_LIB_VERSION_H

/* "bgpbus X.Y.Z", from the CMake project version. */
const char *bgpbus_version(void);

#endif
