// SPDX-License-Identifier: GPL-2.0
/*
 * The quirks of KMEs met in the field (quirk.h): their names, and the one
 * piece of one that is more than a condition where it applies, the HTML
 * error page. The conditions themselves sit where the standard behaviour
 * is decided: api.c (stored_key_count, the empty store, number) and
 * server.c (the error body, Connection: close).
 */
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmesim.h"
#include "quirk.h"

static const struct {
	const char *name;
	enum quirk quirk;
} quirks[] = {
	{ "stored-count-pending", QUIRK_STORED_COUNT_PENDING },
	{ "empty-400", QUIRK_EMPTY_400 },
	{ "html-errors", QUIRK_HTML_ERRORS },
	{ "get-ignores-number", QUIRK_GET_IGNORES_NUMBER },
	{ "ignores-number", QUIRK_IGNORES_NUMBER },
	{ "connection-close", QUIRK_CONNECTION_CLOSE },
};

int quirk_parse(const char *name, unsigned int *q)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(quirks); i++) {
		if (!strcmp(name, quirks[i].name)) {
			*q |= quirks[i].quirk;
			return 0;
		}
	}
	return -EINVAL;
}

const char *quirk_names(unsigned int q, char *buf, size_t len)
{
	size_t i, used = 0;

	snprintf(buf, len, "none");
	for (i = 0; i < ARRAY_SIZE(quirks) && used < len; i++)
		if (q & quirks[i].quirk)
			used += snprintf(buf + used, len - used, "%s%s",
					 used ? "," : "", quirks[i].name);
	return buf;
}

bool quirk_ignores_number(unsigned int q, bool post)
{
	return (q & QUIRK_IGNORES_NUMBER) ||
	       (!post && (q & QUIRK_GET_IGNORES_NUMBER));
}

/* Appends @s to @out (room for 6 bytes per byte of @s), HTML-escaped. */
static size_t escape(char *out, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		switch (*s) {
		case '<':
			n += sprintf(out + n, "&lt;");
			break;
		case '>':
			n += sprintf(out + n, "&gt;");
			break;
		case '&':
			n += sprintf(out + n, "&amp;");
			break;
		case '"':
			n += sprintf(out + n, "&quot;");
			break;
		default:
			out[n++] = *s;
		}
	}
	out[n] = '\0';
	return n;
}

/*
 * As a web server or proxy in front of a KME writes its error pages: the
 * status in the title and the heading, the message in a paragraph, one
 * element a line.
 */
char *quirk_html(unsigned int status, const char *message, size_t *len)
{
	const char *reason = MHD_get_reason_phrase_for(status);
	size_t room = strlen(message) * 6 + 256;
	char *html = malloc(room), *esc = malloc(room);
	int n;

	if (!html || !esc) {
		free(html);
		free(esc);
		return NULL;
	}
	escape(esc, message);
	n = snprintf(html, room,
		     "<!DOCTYPE html>\n"
		     "<html>\n"
		     "<head><title>%u %s</title></head>\n"
		     "<body>\n"
		     "<h1>%u %s</h1>\n"
		     "<p>%s</p>\n"
		     "</body>\n"
		     "</html>\n", status, reason, status, reason, esc);
	free(esc);
	if (n < 0 || (size_t)n >= room) {
		free(html);
		return NULL;
	}
	*len = n;
	return html;
}
