/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quirks: ways in which KMEs met in the field bend ETSI GS QKD 014, each a
 * correct KME otherwise, for testing SAEs such as qkdd against them. Unlike
 * the faults (kmesim.h), which break answers, a quirk is a KME's steady
 * behaviour; several may be on at once.
 */
#ifndef KMESIM_QUIRK_H
#define KMESIM_QUIRK_H

#include <stdbool.h>
#include <stddef.h>

enum quirk {
	/* stored_key_count counts the keys handed out to the master and
	 * not yet fetched by the slave: 0 at rest. */
	QUIRK_STORED_COUNT_PENDING	= 1 << 0,
	/* An empty store answers enc_keys with 400 and a "try again later"
	 * message, not 503. */
	QUIRK_EMPTY_400			= 1 << 1,
	/* Error replies are HTML pages (text/html), not the Error object. */
	QUIRK_HTML_ERRORS		= 1 << 2,
	/* GET enc_keys ignores number: one key whatever was asked. */
	QUIRK_GET_IGNORES_NUMBER	= 1 << 3,
	/* GET and POST enc_keys ignore number. */
	QUIRK_IGNORES_NUMBER		= 1 << 4,
	/* Connection: close on every reply. */
	QUIRK_CONNECTION_CLOSE		= 1 << 5,
};

/* Adds the quirk named @name to @quirks; -EINVAL for an unknown name. */
int quirk_parse(const char *name, unsigned int *quirks);

/* The names of @quirks, comma-separated ("none" for none), into @buf. */
const char *quirk_names(unsigned int quirks, char *buf, size_t len);

/* Whether enc_keys ignores the number asked for, by GET or by POST. */
bool quirk_ignores_number(unsigned int quirks, bool post);

/*
 * The HTML page of an error reply: @status, its reason phrase and
 * @message, escaped. A malloc()ed string of *@len bytes, or NULL.
 */
char *quirk_html(unsigned int status, const char *message, size_t *len);

#endif
