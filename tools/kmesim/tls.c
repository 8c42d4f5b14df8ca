// SPDX-License-Identifier: GPL-2.0
/*
 * Client authentication. libmicrohttpd, given a trust list
 * (MHD_OPTION_HTTPS_MEM_TRUST), asks every client for a certificate
 * (GNUTLS_CERT_REQUEST) but neither requires one nor verifies it, so a
 * client without a certificate, or with one from another CA, completes the
 * handshake. Every request is therefore checked here, against the same
 * trust list, before anything else; the caller answers 401 with a JSON
 * message when this fails.
 */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kmesim.h"
#include "tls.h"

/* A CN becomes the SAE ID, a path segment and a log field: keep it plain. */
static bool plain(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '/')
			return false;
	return true;
}

static __printf(3, 4) int reject(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EACCES;
}

/*
 * The subject CN of the client certificate of @conn into @sae, once the
 * certificate chain is verified against the CA and allowed for TLS client
 * authentication; otherwise -EACCES with the reason in @why.
 */
int tls_client_sae(struct MHD_Connection *conn, char *sae, size_t len,
		   char *why, size_t why_len)
{
	gnutls_typed_vdata_st purpose = {
		.type = GNUTLS_DT_KEY_PURPOSE_OID,
		.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT,
	};
	const union MHD_ConnectionInfo *info;
	const gnutls_datum_t *chain;
	gnutls_session_t session;
	gnutls_datum_t text;
	gnutls_x509_crt_t crt;
	unsigned int n = 0, status = 0;
	size_t size;
	int ret;

	info = MHD_get_connection_info(conn,
				       MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!info || !info->tls_session)
		return reject(why, why_len, "no TLS session");
	session = info->tls_session;
	chain = gnutls_certificate_get_peers(session, &n);
	if (!chain || !n)
		return reject(why, why_len, "a client certificate is required");
	ret = gnutls_certificate_verify_peers(session, &purpose, 1, &status);
	if (ret < 0)
		return reject(why, why_len, "client certificate: %s",
			      gnutls_strerror(ret));
	if (status) {
		if (gnutls_certificate_verification_status_print(status,
				GNUTLS_CRT_X509, &text, 0) < 0)
			return reject(why, why_len, "client certificate rejected");
		reject(why, why_len, "client certificate rejected: %s",
		       (const char *)text.data);
		gnutls_free(text.data);
		/* GnuTLS ends the text with a space. */
		for (size = strlen(why); size && why[size - 1] == ' '; size--)
			why[size - 1] = '\0';
		return -EACCES;
	}

	size = len;
	if (gnutls_x509_crt_init(&crt) < 0)
		return reject(why, why_len, "out of memory");
	ret = gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER);
	if (ret >= 0)
		ret = gnutls_x509_crt_get_dn_by_oid(crt,
						    GNUTLS_OID_X520_COMMON_NAME,
						    0, 0, sae, &size);
	gnutls_x509_crt_deinit(crt);
	if (ret < 0 || !size || !plain(sae))
		return reject(why, why_len,
			      "the client certificate has no usable subject CN");
	return 0;
}
