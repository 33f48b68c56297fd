#ifndef CATALYSTWELLS_CFASTCGI_SHIM_H
#define CATALYSTWELLS_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

/*
 * Waiting for a connection without signals.
 *
 * Each request thread waits in its own epoll set for the shared listening socket (registered with
 * EPOLLEXCLUSIVE, so one connection wakes one idle thread rather than all of them) and for the worker's wake
 * descriptor (an eventfd that a drain makes readable for good). The listening socket is non-blocking, so a
 * thread that loses the race for a connection gets EAGAIN from accept instead of blocking there, and a drain
 * never needs to interrupt a thread with a signal: a signal landing inside libfcgi's accept, after the
 * connection was taken but before its first bytes arrived, makes libfcgi close that connection (nginx: 502).
 * (epoll_event is a packed struct on x86_64, which is why this lives in C.)
 */

/** Makes `fd` non-blocking; 0 on success, -1 with errno. */
static inline int cw_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    if (flags & O_NONBLOCK) return 0;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/** A descriptor that becomes readable for good once `cw_wake_all` has run; -1 with errno on failure. */
static inline int cw_wake_create(void) {
    return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

/** Makes `wake_fd` readable; every waiter returns, now and later. */
static inline void cw_wake_all(int wake_fd) {
    uint64_t one = 1;
    ssize_t written;
    do { written = write(wake_fd, &one, sizeof one); } while (written < 0 && errno == EINTR);
}

/** An epoll set over `listen_fd` (exclusive) and `wake_fd`; -1 with errno on failure. */
static inline int cw_waiter_create(int listen_fd, int wake_fd) {
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) return -1;
    struct epoll_event listen_event = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data = { .u32 = 1 } };
    struct epoll_event wake_event = { .events = EPOLLIN, .data = { .u32 = 2 } };
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &listen_event) < 0
        || epoll_ctl(epfd, EPOLL_CTL_ADD, wake_fd, &wake_event) < 0) {
        int saved = errno;
        close(epfd);
        errno = saved;
        return -1;
    }
    return epfd;
}

/**
 * Waits up to `timeout_ms`. Returns a bit set: 1 when a connection may be waiting, 2 when the wake descriptor
 * fired (both may be set); 0 on timeout or an interrupted wait; -1 with errno on failure.
 */
static inline int cw_waiter_wait(int epfd, int timeout_ms) {
    struct epoll_event events[2];
    int count = epoll_wait(epfd, events, 2, timeout_ms);
    if (count < 0) return errno == EINTR ? 0 : -1;
    int result = 0;
    for (int i = 0; i < count; i++) result |= (int)events[i].data.u32;
    return result;
}
#endif
