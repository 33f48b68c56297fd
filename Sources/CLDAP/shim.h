#ifndef CATALYSTWELLS_CLDAP_SHIM_H
#define CATALYSTWELLS_CLDAP_SHIM_H
/* OpenLDAP's client library (Debian's libldap, TLS through GnuTLS). Swift imports neither variadic nor
 * `void *`-typed options comfortably, and some option values are pointers that are not pointers to data
 * (LDAP_OPT_OFF): these wrappers pass exactly the argument type each option documents (ldap_get_option(3)). */
#define LDAP_DEPRECATED 0
#include <ldap.h>
#include <sys/time.h>

/* TLS 1.2, for LDAP_OPT_X_TLS_PROTOCOL_MIN (a macro expression Swift does not import). */
static const int cw_ldap_tls_1_2 = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;

/* An int-valued option (LDAP_OPT_PROTOCOL_VERSION, LDAP_OPT_X_TLS_REQUIRE_CERT, LDAP_OPT_X_TLS_PROTOCOL_MIN,
 * LDAP_OPT_X_TLS_NEWCTX). */
static inline int cw_ldap_set_int(LDAP *ld, int option, int value) {
    return ldap_set_option(ld, option, &value);
}

/* A string-valued option (LDAP_OPT_X_TLS_CACERTFILE). */
static inline int cw_ldap_set_string(LDAP *ld, int option, const char *value) {
    return ldap_set_option(ld, option, value);
}

/* A struct timeval option (LDAP_OPT_NETWORK_TIMEOUT, LDAP_OPT_TIMEOUT), whole seconds. */
static inline int cw_ldap_set_timeout(LDAP *ld, int option, long seconds) {
    struct timeval value = { .tv_sec = seconds, .tv_usec = 0 };
    return ldap_set_option(ld, option, &value);
}

/* Referrals are never chased: LDAP_OPT_REFERRALS takes LDAP_OPT_OFF, a null pointer constant. */
static inline int cw_ldap_referrals_off(LDAP *ld) {
    return ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
}

/* The server's or the library's last diagnostic message (free it with ldap_memfree), or NULL. */
static inline char *cw_ldap_diagnostic(LDAP *ld) {
    char *message = NULL;
    if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &message) != LDAP_OPT_SUCCESS) { return NULL; }
    return message;
}

/* A simple bind (RFC 4513 §5.1.3): the DN and the password as a length-counted value, so nothing is cut at a NUL. */
static inline int cw_ldap_simple_bind(LDAP *ld, const char *dn, const char *password, ber_len_t length) {
    struct berval credentials = { .bv_len = length, .bv_val = (char *)password };
    return ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &credentials, NULL, NULL, NULL);
}

/* A subtree search with a time limit (seconds, also sent to the server) and a size limit. */
static inline int cw_ldap_search(LDAP *ld, const char *base, const char *filter, char **attributes, long seconds, int sizelimit,
                                 LDAPMessage **result) {
    struct timeval timeout = { .tv_sec = seconds, .tv_usec = 0 };
    return ldap_search_ext_s(ld, base, LDAP_SCOPE_SUBTREE, filter, attributes, 0, NULL, NULL, &timeout, sizelimit, result);
}
#endif
