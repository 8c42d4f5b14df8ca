// SPDX-License-Identifier: GPL-2.0
/*
 * qkdctl sa: the IPsec SAs the module installed for the namespace's links,
 * one line each. An SA names the key it was derived from by ID and index;
 * the kernel never sends its material, so there is none to print.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "parse.h"
#include "qkdctl.h"

void sa_usage(FILE *f)
{
	fprintf(f,
		"Usage: qkdctl [-j] [-n NETNS] sa { show | list } [LINK]\n"
		"       qkdctl sa help\n"
		"Prints the SAs of LINK, or of every link, one per line:\n"
		"  LINK DIR spi SPI key KEYID index N STATE age SECONDSs bytes N packets N\n"
		"STATE := { active | pending | retiring | holding }; KEYID and index name\n"
		"the QKD key the SA was derived from. \"qkdctl link rekey\" replaces the\n"
		"outbound SA at once.\n");
}

static void print_sa(const struct qkd_sa *sa)
{
	char uuid[UUID_STR_LEN], dir[16], state[16];

	format_uuid(sa->key_id, uuid);
	printf("%s %s spi 0x%08" PRIx32 " key %s index %" PRIu64
	       " %s age %" PRIu32 "s bytes %" PRIu64 " packets %" PRIu64 "\n",
	       sa->link, enum_word(qkd_dir_name(sa->dir), sa->dir, dir, sizeof(dir)),
	       sa->spi, uuid, sa->key_index,
	       enum_word(qkd_sa_state_name(sa->state), sa->state, state, sizeof(state)),
	       sa->age, sa->bytes, sa->packets);
}

/* Appends one object to @arr, with the members of the text line. */
static int json_sa(struct json_object *arr, const struct qkd_sa *sa)
{
	struct json_object *obj = json_object_new_object();
	char uuid[UUID_STR_LEN];
	int ret;

	if (!obj)
		return -ENOMEM;
	format_uuid(sa->key_id, uuid);
	ret = json_add_string(obj, "link", sa->link);
	if (!ret)
		ret = json_add_word(obj, "dir", qkd_dir_name(sa->dir), sa->dir);
	if (!ret)
		ret = json_add_uint(obj, "spi", sa->spi);
	if (!ret)
		ret = json_add_string(obj, "key-id", uuid);
	if (!ret)
		ret = json_add_uint(obj, "key-index", sa->key_index);
	if (!ret)
		ret = json_add_word(obj, "state", qkd_sa_state_name(sa->state),
				    sa->state);
	if (!ret)
		ret = json_add_uint(obj, "age", sa->age);
	if (!ret)
		ret = json_add_uint(obj, "bytes", sa->bytes);
	if (!ret)
		ret = json_add_uint(obj, "packets", sa->packets);
	if (ret) {
		json_object_put(obj);
		return ret;
	}
	return json_append(arr, obj);
}

static int show_one(const struct qkd_sa *sa, void *arg)
{
	struct json_object *arr = arg;

	if (arr)
		return json_sa(arr, sa);
	print_sa(sa);
	return 0;
}

static int sa_show(struct qkdctl *c, int argc, char **argv)
{
	const char *link = argc == 1 ? argv[0] : NULL;
	struct json_object *arr = NULL;
	struct qkd_link l;
	int ret;

	if (argc > 1)
		return usage_error("sa", "unexpected \"%s\" after LINK", argv[1]);
	ret = link ? check_link_name("sa", link) : 0;
	if (!ret)
		ret = qkdctl_open(c);
	/*
	 * The kernel's SA dump shows nothing for a name it does not know;
	 * asking for the link first turns a typo into its "no link" error.
	 */
	if (!ret && link)
		ret = qkd_link_get(c->nl, link, &l, &c->err);
	if (ret)
		return ret;

	if (c->json) {
		arr = json_object_new_array();
		if (!arr)
			return -ENOMEM;
	}
	ret = qkd_sa_dump(c->nl, link, show_one, arr, &c->err);
	if (arr) {
		if (ret) {
			json_object_put(arr);
			return ret;
		}
		return json_print_free(arr);
	}
	return ret;
}

static int sa_help(struct qkdctl *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	sa_usage(stdout);
	return 0;
}

static const struct qkdctl_cmd sa_cmds[] = {
	{ "show", sa_show },
	{ "list", sa_show },
	{ "help", sa_help },
};

int cmd_sa(struct qkdctl *c, int argc, char **argv)
{
	if (argc == 0)
		return sa_show(c, 0, argv);
	return qkdctl_dispatch(c, "sa", sa_cmds, ARRAY_SIZE(sa_cmds), argc, argv);
}
