/*
 * bus_addr: where the bus lives by default, and the ipc socket file before a listen.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bus_int.h"
#include "log.h"

/* The directory's mode is the access control of the sockets in it: only its owner gets in. */
static int
bus_dir_ensure(const char *dir)
{
    struct stat st;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        int err = errno;

        log_error("bus: cannot create runtime directory %s: %s", dir, strerror(err));
        return BUS_ESYS(err);
    }
    if (lstat(dir, &st) != 0)
        return BUS_ESYS(errno);
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
        log_error("bus: runtime directory %s is not a directory owned by uid %ld", dir,
                  (long)geteuid());
        return BUS_ESYS(EPERM);
    }
    if ((st.st_mode & 0077) != 0)
        log_warn("bus: runtime directory %s is accessible to others (mode %03o)", dir,
                 (unsigned)(st.st_mode & 0777));
    return 0;
}

static int
bus_fmt(char *buf, size_t len, const char *fmt, const char *a, const char *b)
{
    int n = snprintf(buf, len, fmt, a, b);

    if (n < 0 || (size_t)n >= len)
        return BUS_ESYS(ENAMETOOLONG);
    return 0;
}

int
bus_default_dir(char *buf, size_t len)
{
    const char *env = getenv("BGPBUS_RUNTIME_DIR");
    int rv;

    if (env != NULL && env[0] != '\0') {
        rv = bus_fmt(buf, len, "%s%s", env, "");
    } else if ((env = getenv("XDG_RUNTIME_DIR")) != NULL && env[0] != '\0') {
        rv = bus_fmt(buf, len, "%s%s", env, "/bgpbus");
    } else if (geteuid() == 0) {
        rv = bus_fmt(buf, len, "%s%s", "/run/bgpbus", "");
    } else {
        char uid[32];

        snprintf(uid, sizeof(uid), "%ld", (long)geteuid());
        rv = bus_fmt(buf, len, "%s%s", "/tmp/bgpbus-", uid);
    }
    if (rv != 0)
        return rv;
    return bus_dir_ensure(buf);
}

int
bus_default_url(enum bus_channel channel, char *buf, size_t len)
{
    char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
    const char *file = channel == BUS_CHANNEL_COMMAND ? "/command.sock" : "/events.sock";
    int rv;

    if (channel != BUS_CHANNEL_COMMAND && channel != BUS_CHANNEL_EVENTS)
        return BUS_EINVAL;
    if ((rv = bus_default_dir(dir, sizeof(dir))) != 0)
        return rv;
    return bus_fmt(buf, len, "ipc://%s%s", dir, file);
}

int
bus_ipc_prepare(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    struct stat st;
    int fd;
    int rv;

    if (strlen(path) >= sizeof(sun.sun_path)) {
        log_error("bus: ipc path too long (%zu bytes, %zu at most): %s", strlen(path),
                  sizeof(sun.sun_path) - 1, path);
        return BUS_EINVAL;
    }
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : BUS_ESYS(errno);
    if (!S_ISSOCK(st.st_mode)) {
        log_error("bus: %s exists and is not a socket; not removing it", path);
        return BUS_EADDRINUSE;
    }
    memcpy(sun.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return BUS_ESYS(errno);
    /* A live listener accepts (and sees us go at once); a dead one's file refuses. */
    rv = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
    if (rv == 0) {
        close(fd);
        log_error("bus: something already listens on %s", path);
        return BUS_EADDRINUSE;
    }
    rv = errno;
    close(fd);
    if (rv != ECONNREFUSED)
        return BUS_ESYS(rv);
    if (unlink(path) != 0 && errno != ENOENT)
        return BUS_ESYS(errno);
    log_info("bus: removed stale socket %s", path);
    return 0;
}
