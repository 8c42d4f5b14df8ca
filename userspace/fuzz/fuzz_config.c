// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: qkdd's configuration file (config.c: config_parse(), its
 * line reader and libinih's handler; options.c: option_set() with the
 * host:port, URL, address, number and word parsers, the last through
 * qkdctl's parse.c). An input is the file, read through fmemopen().
 *
 * Paths in the file are checked with access(): /dev/null is the one the
 * seeds use. Beyond the sanitizers' findings, the target checks the
 * promises of qkdd.h: 0 with nothing printed and at least one link, or
 * -EINVAL with every problem on a line of its own that names the file.
 */
#include <errno.h>
#include <stdio.h>
#include <strings.h>
#include <curl/curl.h>

#include "qkdd.h"
#include "fuzz.h"

#define NAME "fuzz.conf"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* As qkdd's main() does before it reads its file (kme_global_init()). */
	return curl_global_init(CURL_GLOBAL_DEFAULT) ? -1 : 0;
}

/* Every line of @errs reads "qkdd: fuzz.conf:LINE: ..." or "qkdd: fuzz.conf: ...". */
static void check_errors(const char *errs, size_t len)
{
	const char *p = errs, *nl;

	CHECK(strlen(errs) == len);
	while (*p) {
		CHECK(!strncmp(p, "qkdd: " NAME ":", sizeof("qkdd: " NAME ":") - 1));
		nl = strchr(p, '\n');
		CHECK(nl);
		p = nl + 1;
	}
}

static void check_conf(const struct qkdd_conf *conf)
{
	const struct qkdd_link_conf *l;
	unsigned int i;

	CHECK(conf->n_links >= 1);
	for (i = 0; i < conf->n_links; i++) {
		l = &conf->links[i];
		CHECK_STR(l->kl.name);
		CHECK(l->kl.name[0]);
		CHECK_STR(l->kl.local_sae);
		CHECK_STR(l->kl.peer_sae);
		CHECK_STR(l->kme);
		CHECK(!strncasecmp(l->kme, "https:", 6));
		CHECK_STR(l->peer_name);
		CHECK_STR(l->peer.host);
		CHECK_STR(l->peer.port);
		CHECK(l->role == QKDD_MASTER || l->role == QKDD_SLAVE);
		CHECK(l->role == QKDD_SLAVE || l->peer.host[0]);
	}
	CHECK(!conf->has_listen || conf->listen.host[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qkdd_conf conf;
	char *errs = NULL;
	size_t errs_len = 0;
	FILE *in, *err;
	int ret;

	/* fmemopen() takes no empty buffer. */
	in = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	err = open_memstream(&errs, &errs_len);
	CHECK(in && err);

	ret = config_parse(in, NAME, &conf, err);
	fclose(in);
	fclose(err);
	if (!ret) {
		CHECK(!errs_len);
		check_conf(&conf);
	} else {
		CHECK(ret == -EINVAL);
		CHECK(errs_len);
		check_errors(errs, errs_len);
	}
	config_free(&conf);
	free(errs);
	return 0;
}
