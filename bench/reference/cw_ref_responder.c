/*
 * cw_ref_responder: the C floor that bench/foundation.sh compares catalystwells against.
 *
 * It does what the Swift pool does for the two benchmarked routes, with nothing else:
 *   GET /livez    {"site":"app","status":"ok"}                               (no database)
 *   GET /healthz  {"database":"up","schema_version":N,"site":"app","status":"ok"}
 *                 from a prepared "SELECT MAX(version) AS version FROM schema_migrations"
 * with the same response headers (Content-Type, Cache-Control, X-Request-ID, Content-Length).
 *
 * Process model, like `catalystwells serve`: one parent creates the unix socket (libfcgi's
 * FCGX_OpenSocket, backlog 1024, mode 0666), then forks --workers children before any thread exists;
 * each child calls FCGX_Init once, mysql_library_init once, and runs --threads threads, each with its own
 * FCGX_Request (heap, fixed address) and its own MariaDB connection and prepared statement, all accepting on
 * the same socket. SIGTERM or SIGINT to the parent stops the children and removes the socket.
 *
 * Build: gcc -O2 -pthread -o cw_ref_responder cw_ref_responder.c $(pkg-config --cflags --libs fcgi libmariadb)
 * Run:   cw_ref_responder --socket PATH --workers N --threads T --db-socket PATH --db-user USER
 *                         --db-password-file FILE --db-name NAME
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcgiapp.h>
#include <getopt.h>
#include <mysql.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define QUERY "SELECT MAX(version) AS version FROM schema_migrations"
#define MAX_WORKERS 64

static const char *socket_path;
static const char *db_socket;
static const char *db_user;
static const char *db_name;
static char db_password[256];
static int workers = 2;
static int threads = 4;
static int listen_fd = -1;

/* One thread's connection and statement, rebuilt after the server goes away. */
struct db {
    MYSQL *mysql;
    MYSQL_STMT *stmt;
    MYSQL_BIND result;
    long long version;
    my_bool is_null;
    my_bool error;
};

static void db_close(struct db *d) {
    if (d->stmt) mysql_stmt_close(d->stmt);
    if (d->mysql) mysql_close(d->mysql);
    d->stmt = NULL;
    d->mysql = NULL;
}

static int db_open(struct db *d) {
    unsigned int timeout = 3;
    d->mysql = mysql_init(NULL);
    if (!d->mysql) return -1;
    mysql_options(d->mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    timeout = 10;
    mysql_options(d->mysql, MYSQL_OPT_READ_TIMEOUT, &timeout);
    mysql_options(d->mysql, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    mysql_options(d->mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(d->mysql, "localhost", db_user, db_password, db_name, 0, db_socket, 0)) {
        fprintf(stderr, "cw_ref_responder: connect: %s\n", mysql_error(d->mysql));
        db_close(d);
        return -1;
    }
    d->stmt = mysql_stmt_init(d->mysql);
    if (!d->stmt || mysql_stmt_prepare(d->stmt, QUERY, strlen(QUERY)) != 0) {
        fprintf(stderr, "cw_ref_responder: prepare: %s\n", d->stmt ? mysql_stmt_error(d->stmt) : "out of memory");
        db_close(d);
        return -1;
    }
    memset(&d->result, 0, sizeof d->result);
    d->result.buffer_type = MYSQL_TYPE_LONGLONG;
    d->result.buffer = &d->version;
    d->result.is_null = &d->is_null;
    d->result.error = &d->error;
    return 0;
}

static int lost_connection(unsigned int code) {
    return code == 2002 || code == 2006 || code == 2013 || code == 2056;
}

/* Runs the statement once: 0 and *version (or *is_null) on success, the error code otherwise. */
static unsigned int db_try(struct db *d, long long *version, int *is_null) {
    if (!d->mysql && db_open(d) != 0) return 2002;
    if (mysql_stmt_execute(d->stmt) != 0) return mysql_stmt_errno(d->stmt);
    if (mysql_stmt_bind_result(d->stmt, &d->result) != 0 || mysql_stmt_store_result(d->stmt) != 0) {
        unsigned int code = mysql_stmt_errno(d->stmt);
        mysql_stmt_free_result(d->stmt);
        return code ? code : 1;
    }
    int rows = 0, rc;
    while ((rc = mysql_stmt_fetch(d->stmt)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
        if (rows++ == 0) {
            *version = d->version;
            *is_null = d->is_null;
        }
    }
    unsigned int code = rc == 1 ? mysql_stmt_errno(d->stmt) : 0;
    mysql_stmt_free_result(d->stmt);
    if (code) return code;
    if (rows == 0) *is_null = 1;
    return 0;
}

/* The schema version; a lost connection is rebuilt and the read retried once. */
static int db_version(struct db *d, long long *version, int *is_null) {
    unsigned int code = db_try(d, version, is_null);
    if (code && lost_connection(code)) {
        db_close(d);
        code = db_try(d, version, is_null);
    }
    if (code) {
        if (lost_connection(code)) db_close(d);
        return -1;
    }
    return 0;
}

static void respond(FCGX_Request *r, int status, const char *reason, const char *body, int length) {
    const char *id = FCGX_GetParam("REQUEST_ID", r->envp);
    char head[512];
    int n = snprintf(head, sizeof head,
        "Status: %d %s\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        "Cache-Control: no-store\r\n"
        "X-Request-ID: %s\r\n"
        "Content-Length: %d\r\n\r\n",
        status, reason, id && strlen(id) <= 64 ? id : "-", length);
    FCGX_PutStr(head, n, r->out);
    FCGX_PutStr(body, length, r->out);
}

static void handle(FCGX_Request *r, struct db *d) {
    const char *method = FCGX_GetParam("REQUEST_METHOD", r->envp);
    const char *uri = FCGX_GetParam("REQUEST_URI", r->envp);
    size_t path_length = uri ? strcspn(uri, "?") : 0;
    char body[256];
    int n;
    if (method && strcmp(method, "GET") == 0 && path_length == 6 && strncmp(uri, "/livez", 6) == 0) {
        n = snprintf(body, sizeof body, "{\"site\":\"app\",\"status\":\"ok\"}");
        respond(r, 200, "OK", body, n);
    } else if (method && strcmp(method, "GET") == 0 && path_length == 8 && strncmp(uri, "/healthz", 8) == 0) {
        long long version = 0;
        int is_null = 0;
        if (db_version(d, &version, &is_null) == 0 && !is_null) {
            n = snprintf(body, sizeof body,
                "{\"database\":\"up\",\"schema_version\":%lld,\"site\":\"app\",\"status\":\"ok\"}", version);
            respond(r, 200, "OK", body, n);
        } else {
            n = snprintf(body, sizeof body, "{\"database\":\"down\",\"site\":\"app\",\"status\":\"unavailable\"}");
            respond(r, 503, "Service Unavailable", body, n);
        }
    } else {
        n = snprintf(body, sizeof body, "{\"error\":\"not_found\",\"error_description\":\"No such page.\"}");
        respond(r, 404, "Not Found", body, n);
    }
}

static void *serve(void *unused) {
    (void)unused;
    mysql_thread_init();
    struct db d;
    memset(&d, 0, sizeof d);
    db_open(&d); /* a failure here is retried on the first /healthz */
    FCGX_Request *request = calloc(1, sizeof *request);
    if (!request || FCGX_InitRequest(request, listen_fd, 0) != 0) {
        fprintf(stderr, "cw_ref_responder: FCGX_InitRequest failed\n");
        exit(1);
    }
    for (;;) {
        if (FCGX_Accept_r(request) < 0) {
            if (errno != EINTR) usleep(10000);
            continue;
        }
        handle(request, &d);
        FCGX_Finish_r(request);
    }
    return NULL;
}

/* One worker process: threads accept until SIGTERM (or the parent's death) ends the process. */
static void run_worker(pid_t parent, const sigset_t *stop) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(0);
    if (FCGX_Init() != 0) {
        fprintf(stderr, "cw_ref_responder: FCGX_Init failed\n");
        _exit(1);
    }
    if (mysql_library_init(0, NULL, NULL) != 0) {
        fprintf(stderr, "cw_ref_responder: mysql_library_init failed\n");
        _exit(1);
    }
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 1 << 20);
    for (int i = 0; i < threads; i++) {
        pthread_t thread;
        if (pthread_create(&thread, &attributes, serve, NULL) != 0) {
            fprintf(stderr, "cw_ref_responder: pthread_create failed\n");
            _exit(1);
        }
    }
    int signal_number;
    sigwait(stop, &signal_number);
    _exit(0);
}

static void usage(void) {
    fprintf(stderr,
        "usage: cw_ref_responder --socket PATH [--workers N] [--threads T] --db-socket PATH --db-user USER\n"
        "                        --db-password-file FILE --db-name NAME\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *password_file = NULL;
    static const struct option options[] = {
        {"socket", required_argument, NULL, 's'},
        {"workers", required_argument, NULL, 'w'},
        {"threads", required_argument, NULL, 't'},
        {"db-socket", required_argument, NULL, 'd'},
        {"db-user", required_argument, NULL, 'u'},
        {"db-password-file", required_argument, NULL, 'p'},
        {"db-name", required_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    int option;
    while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (option) {
        case 's': socket_path = optarg; break;
        case 'w': workers = atoi(optarg); break;
        case 't': threads = atoi(optarg); break;
        case 'd': db_socket = optarg; break;
        case 'u': db_user = optarg; break;
        case 'p': password_file = optarg; break;
        case 'n': db_name = optarg; break;
        default: usage();
        }
    }
    if (!socket_path || !db_socket || !db_user || !password_file || !db_name) usage();
    if (workers < 1 || workers > MAX_WORKERS || threads < 1 || threads > 256) usage();

    FILE *file = fopen(password_file, "r");
    if (!file || !fgets(db_password, sizeof db_password, file)) {
        fprintf(stderr, "cw_ref_responder: cannot read %s\n", password_file);
        return 1;
    }
    fclose(file);
    db_password[strcspn(db_password, "\r\n")] = '\0';

    /* Set before libfcgi looks at the dispositions, and blocked in every thread: sigwait takes them. */
    signal(SIGPIPE, SIG_IGN);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigset_t parent_set = stop;
    sigaddset(&parent_set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &parent_set, NULL);

    unlink(socket_path);
    listen_fd = FCGX_OpenSocket(socket_path, 1024);
    if (listen_fd < 0 || chmod(socket_path, 0666) != 0) {
        fprintf(stderr, "cw_ref_responder: cannot listen on %s: %s\n", socket_path, strerror(errno));
        return 1;
    }

    pid_t parent = getpid();
    pid_t children[MAX_WORKERS];
    for (int i = 0; i < workers; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("cw_ref_responder: fork");
            return 1;
        }
        if (pid == 0) {
            sigset_t child_set = stop; /* SIGCHLD back to normal in the worker */
            sigprocmask(SIG_SETMASK, &child_set, NULL);
            run_worker(parent, &stop);
        }
        children[i] = pid;
    }

    int running = workers;
    for (;;) {
        int signal_number;
        sigwait(&parent_set, &signal_number);
        if (signal_number != SIGCHLD) break;
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            fprintf(stderr, "cw_ref_responder: worker %d exited (status %d)\n", (int)pid, status);
            for (int i = 0; i < workers; i++)
                if (children[i] == pid) children[i] = 0;
            running--;
        }
        if (running <= 0) break;
    }
    for (int i = 0; i < workers; i++)
        if (children[i] > 0) kill(children[i], SIGTERM);
    while (wait(NULL) > 0 || errno == EINTR) {
    }
    unlink(socket_path);
    return running <= 0 ? 1 : 0;
}
