#ifndef CATALYSTWELLS_CXMLSEC_SHIM_H
#define CATALYSTWELLS_CXMLSEC_SHIM_H
/* libxml2 and libxmlsec1 (OpenSSL engine) for SAML (issue 15). xmlsec names its algorithms and the crypto engine's
 * entry points with function-like macros, which Swift does not import: these one-line wrappers expose exactly the
 * ones the SAML service provider uses. Nothing here decides anything; the rules are in Swift. */
#ifndef XMLSEC_CRYPTO_OPENSSL
#define XMLSEC_CRYPTO_OPENSSL 1
#endif
#ifndef XMLSEC_NO_SIZE_T
#define XMLSEC_NO_SIZE_T 1
#endif
#ifndef XMLSEC_NO_CRYPTO_DYNAMIC_LOADING
#define XMLSEC_NO_CRYPTO_DYNAMIC_LOADING 1
#endif
/* libxml2 is built with ICU, and its encoding header would then pull ICU's own headers into this module, where they
 * clash with the copy inside Foundation. Nothing here touches the encoding handlers whose layout depends on it. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <libxml/xmlerror.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/keys.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/transforms.h>
#include <xmlsec/errors.h>
#include <xmlsec/io.h>
#include <xmlsec/crypto.h>

/* Errors are reported to the caller as return values; libxml2 and xmlsec print nothing (a hostile document must
 * not fill the log). */
static void cw_xml_quiet_generic(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }
static void cw_xml_quiet_structured(void *ctx, xmlErrorPtr error) { (void)ctx; (void)error; }
static void cw_xmlsec_quiet(const char *file, int line, const char *func, const char *errorObject, const char *errorSubject,
                            int reason, const char *msg) {
    (void)file; (void)line; (void)func; (void)errorObject; (void)errorSubject; (void)reason; (void)msg;
}

/* No document may load anything from outside: every external entity, DTD or schema request fails. */
static xmlParserInputPtr cw_xml_no_external_loader(const char *url, const char *id, xmlParserCtxtPtr context) {
    (void)url; (void)id; (void)context;
    return NULL;
}

static inline void cw_xml_silence_thread(void) {
    xmlSetGenericErrorFunc(NULL, cw_xml_quiet_generic);
    xmlSetStructuredErrorFunc(NULL, cw_xml_quiet_structured);
}

static inline void cw_xml_install_guards(void) {
    xmlSetExternalEntityLoader(cw_xml_no_external_loader);
    cw_xml_silence_thread();
    xmlSecErrorsSetCallback(cw_xmlsec_quiet);
}

static inline int cw_xmlsec_crypto_app_init(void) { return xmlSecCryptoAppInit(NULL); }
static inline int cw_xmlsec_crypto_init(void) { return xmlSecCryptoInit(); }
static inline int cw_xmlsec_check_version(void) { return xmlSecCheckVersion(); }

static inline xmlSecKeyPtr cw_xmlsec_key_load_pem(const xmlSecByte *data, xmlSecSize size, int certificate) {
    return xmlSecCryptoAppKeyLoadMemory(data, size, certificate ? xmlSecKeyDataFormatCertPem : xmlSecKeyDataFormatPem, NULL, NULL, NULL);
}
static inline int cw_xmlsec_keys_mngr_init(xmlSecKeysMngrPtr manager) { return xmlSecCryptoAppDefaultKeysMngrInit(manager); }
static inline int cw_xmlsec_keys_mngr_adopt(xmlSecKeysMngrPtr manager, xmlSecKeyPtr key) {
    return xmlSecCryptoAppDefaultKeysMngrAdoptKey(manager, key);
}

/* The algorithms a SAML signature may use: exclusive and inclusive canonicalisation (the latter two only as
 * SAML allows), the enveloped-signature transform, RSA and ECDSA with SHA-256 or better, SHA-256 or better
 * digests. SHA-1 is never enabled. */
static inline xmlSecTransformId cw_xmlsec_exc_c14n(void) { return xmlSecTransformExclC14NId; }
static inline xmlSecTransformId cw_xmlsec_exc_c14n_comments(void) { return xmlSecTransformExclC14NWithCommentsId; }
static inline xmlSecTransformId cw_xmlsec_c14n(void) { return xmlSecTransformInclC14NId; }
static inline xmlSecTransformId cw_xmlsec_c14n11(void) { return xmlSecTransformInclC14N11Id; }
static inline xmlSecTransformId cw_xmlsec_enveloped(void) { return xmlSecTransformEnvelopedId; }
static inline xmlSecTransformId cw_xmlsec_rsa_sha256(void) { return xmlSecTransformRsaSha256Id; }
static inline xmlSecTransformId cw_xmlsec_rsa_sha384(void) { return xmlSecTransformRsaSha384Id; }
static inline xmlSecTransformId cw_xmlsec_rsa_sha512(void) { return xmlSecTransformRsaSha512Id; }
static inline xmlSecTransformId cw_xmlsec_ecdsa_sha256(void) { return xmlSecTransformEcdsaSha256Id; }
static inline xmlSecTransformId cw_xmlsec_ecdsa_sha384(void) { return xmlSecTransformEcdsaSha384Id; }
static inline xmlSecTransformId cw_xmlsec_ecdsa_sha512(void) { return xmlSecTransformEcdsaSha512Id; }
static inline xmlSecTransformId cw_xmlsec_sha256(void) { return xmlSecTransformSha256Id; }
static inline xmlSecTransformId cw_xmlsec_sha384(void) { return xmlSecTransformSha384Id; }
static inline xmlSecTransformId cw_xmlsec_sha512(void) { return xmlSecTransformSha512Id; }
static inline xmlSecTransformUriType cw_xmlsec_uri_same_document(void) { return xmlSecTransformUriTypeSameDocument; }

/* The key-info data a message may bring: a key name (harmless) and, for decryption, the encrypted key; an empty list
 * would enable every kind, certificates and raw key values from the message included. */
static inline xmlSecKeyDataId cw_xmlsec_key_data_name(void) { return xmlSecKeyDataNameId; }

static inline xmlSecKeyDataId cw_xmlsec_key_data_encrypted_key(void) { return xmlSecKeyDataEncryptedKeyId; }
static inline int cw_xmlsec_enable_key_data(xmlSecKeyInfoCtxPtr info, xmlSecKeyDataId id) {
    return xmlSecPtrListAdd(&info->enabledKeyData, (xmlSecPtr)id);
}
static inline xmlSecKeyInfoCtxPtr cw_xmlsec_dsig_key_info(xmlSecDSigCtxPtr context) { return &context->keyInfoReadCtx; }
static inline xmlSecKeyInfoCtxPtr cw_xmlsec_enc_key_info(xmlSecEncCtxPtr context) { return &context->keyInfoReadCtx; }
static inline xmlSecPtrListPtr cw_xmlsec_dsig_references(xmlSecDSigCtxPtr context) { return &context->signedInfoReferences; }
static inline void cw_xml_free(void *pointer) { xmlFree(pointer); }

static inline xmlSecSize cw_xmlsec_list_size(xmlSecPtrListPtr list) { return xmlSecPtrListGetSize(list); }
static inline void *cw_xmlsec_list_item(xmlSecPtrListPtr list, xmlSecSize index) { return xmlSecPtrListGetItem(list, index); }
#endif
