// SPDX-License-Identifier: GPL-2.0
/*
 * qkdctl key: load, flush and export the keys of a link.
 *
 * Key material reaches qkdctl only through a file or standard input, never
 * its command line (which every user can read in /proc). Every buffer it
 * passes through is wiped when done: stdio's buffer (ours, by setvbuf),
 * the line, and the batch of parsed keys. No message quotes an input line.
 *
 * A load sends QKD_KEY_BATCH_MAX keys per message, each message all or
 * nothing; a batch is parsed whole before it is sent, so a malformed line
 * sends nothing of its batch, and one in the first batch nothing at all
 * (before the socket is even opened). Earlier batches stay loaded, and the
 * error says how many keys they held.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "parse.h"
#include "qkdctl.h"

/* A key line is at most 170 characters; room for generous spacing. */
#define LINE_MAX_LEN 512

void key_usage(FILE *f)
{
	fprintf(f,
		"Usage: qkdctl [-j] [-n NETNS] key load LINK [file PATH]\n"
		"       qkdctl [-n NETNS] key flush LINK [dir { in | out }]\n"
		"       qkdctl [-j] [-n NETNS] key export LINK dir { in | out } keyring RING desc DESC\n"
		"       qkdctl key help\n"
		"load reads one key per line from PATH, or else standard input:\n"
		"  { in | out } KEYID HEX\n"
		"KEYID is a UUID, HEX the key material (the link's key-bits / 4 digits);\n"
		"blank lines and lines starting with # are skipped. Keys go in batches of\n"
		"%d, each all or nothing. A malformed line or a key the kernel refuses\n"
		"stops the load with exit status 1: nothing of that batch is loaded, the\n"
		"batches before it stay, and the error names the line and says how many\n"
		"keys went in. load prints nothing on success (with -j, the count).\n"
		"flush discards the keys of one direction, or of both.\n"
		"export moves the link's oldest key of that direction into a new logon key\n"
		"DESC (\"PREFIX:NAME\") in keyring RING, and prints its serial;\n"
		"RING := { SERIAL | @t | @p | @s | @u | @us | @g }.\n",
		QKD_KEY_BATCH_MAX);
}

struct loader {
	FILE *f;
	const char *path;	/* for messages; NULL for stdin */
	unsigned long line;	/* number of the last line read */
	unsigned long loaded;	/* keys the kernel took */
	unsigned int n;		/* keys in the batch */
	bool eof;
	unsigned long lines[QKD_KEY_BATCH_MAX];	/* input line of each key */
	struct qkd_key keys[QKD_KEY_BATCH_MAX];
	char buf[LINE_MAX_LEN];
	char iobuf[BUFSIZ];	/* stdio's buffer, so that it can be wiped */
};

/* ", 512 keys loaded before the error", or "" for none. */
static const char *loaded_note(const struct loader *ld, char *buf, size_t len)
{
	if (!ld->loaded)
		return "";
	snprintf(buf, len, "; %lu key%s loaded before the error", ld->loaded,
		 ld->loaded == 1 ? "" : "s");
	return buf;
}

static int bad_line(struct qkdctl *c, const struct loader *ld,
		    const char *why)
{
	char note[64];

	return qkdctl_fail(c, -EINVAL, "line %lu: %s%s", ld->line, why,
			   loaded_note(ld, note, sizeof(note)));
}

/*
 * The kernel refused a batch: one line with its extack text, the input
 * line of the key it named, the room left in the pools and what went in
 * before.
 */
static int refused(struct qkdctl *c, const struct loader *ld, int ret)
{
	struct qkd_err *e = &c->err;
	const char *what = e->msg[0] ? e->msg : strerror(-ret);
	char where[64] = "", room[64] = "", note[64];
	char text[sizeof(e->msg)];
	const char *name;

	if (e->bad_attr == QKD_A_KEYS && e->bad_key >= 0 &&
	    (unsigned int)e->bad_key < ld->n) {
		snprintf(where, sizeof(where), " (line %lu)",
			 ld->lines[e->bad_key]);
	} else if (e->bad_attr >= 0 || e->miss_type >= 0) {
		int type = e->bad_attr >= 0 ? e->bad_attr : e->miss_type;
		char number[16];

		name = qkd_attr_name(type);
		if (!name) {
			snprintf(number, sizeof(number), "type %d", type);
			name = number;
		}
		snprintf(where, sizeof(where), " (%sattribute %s)",
			 e->bad_attr >= 0 ? "" : "missing ", name);
	}
	if (e->has_room)
		snprintf(room, sizeof(room), "; room left: out %u, in %u",
			 e->room.out, e->room.in);
	/* A long extack text is cut: the line stays one line. */
	if (snprintf(text, sizeof(text), "%s%s%s%s", what, where, room,
		     loaded_note(ld, note, sizeof(note))) >= (int)sizeof(text))
		text[sizeof(text) - 2] = '.';
	return qkdctl_fail(c, ret, "%s", text);
}

static int read_error(struct qkdctl *c, const struct loader *ld)
{
	return qkdctl_fail(c, -EIO, "cannot read %s: %s",
			   ld->path ? ld->path : "standard input", strerror(errno));
}

/*
 * Reads a piece of a line into ld->buf: 1 when it ends the line (with its
 * newline, or at the end of the input), 0 when the line goes on, -1 at
 * the end of the input. The buffer is zeroed first, so that a newline
 * found in it is this line's, even after a NUL byte.
 */
static int read_piece(struct loader *ld, bool *nul)
{
	char *nl;

	memset(ld->buf, 0, sizeof(ld->buf));
	if (!fgets(ld->buf, sizeof(ld->buf), ld->f))
		return -1;
	nl = memchr(ld->buf, '\n', sizeof(ld->buf) - 1);
	*nul = nl ? strlen(ld->buf) < (size_t)(nl - ld->buf) : false;
	return nl || feof(ld->f);
}

/*
 * Reads the next line into ld->buf: 1 for a line, 0 at the end of the
 * input, or a negative errno. A comment may be of any length, a key line
 * may not.
 */
static int read_line(struct qkdctl *c, struct loader *ld)
{
	bool comment, nul;
	int ret;

	ret = read_piece(ld, &nul);
	if (ret < 0)
		return ferror(ld->f) ? read_error(c, ld) : 0;
	ld->line++;
	comment = ld->buf[strspn(ld->buf, " \t")] == '#';
	if (comment) {
		/* The rest of a long comment: read on, and drop it. */
		while (!ret)
			ret = read_piece(ld, &nul);
		if (ferror(ld->f))
			return read_error(c, ld);
		ld->buf[0] = '\0';
		return 1;
	}
	if (!ret)
		return bad_line(c, ld, "line too long");
	if (nul)
		return bad_line(c, ld, "NUL byte in the line");
	return 1;
}

/* Fills ld->keys with the next batch; ld->eof once the input ends. */
static int read_batch(struct qkdctl *c, struct loader *ld)
{
	const char *why = NULL;
	int ret;

	ld->n = 0;
	while (ld->n < QKD_KEY_BATCH_MAX) {
		ret = read_line(c, ld);
		if (ret < 0)
			return ret;
		if (ret == 0) {
			ld->eof = true;
			break;
		}
		ret = parse_key_line(ld->buf, &ld->keys[ld->n], &why);
		if (ret < 0)
			return bad_line(c, ld, why);
		if (ret == 0)
			ld->lines[ld->n++] = ld->line;
	}
	return 0;
}

static int load(struct qkdctl *c, struct loader *ld, const char *link)
{
	int ret;

	while (!ld->eof) {
		ret = read_batch(c, ld);
		if (!ret && ld->n && !c->nl)
			ret = qkdctl_open(c);
		if (!ret && ld->n) {
			ret = qkd_key_add(c->nl, link, ld->keys, ld->n, &c->err);
			if (ret)
				ret = refused(c, ld, ret);
		}
		explicit_bzero(ld->keys, sizeof(ld->keys));
		if (ret)
			return ret;
		ld->loaded += ld->n;
	}
	return 0;
}

static int print_loaded(struct qkdctl *c, const char *link,
			unsigned long loaded)
{
	struct json_object *obj;
	int ret;

	if (!c->json)
		return 0;
	obj = json_object_new_object();
	if (!obj)
		return -ENOMEM;
	ret = json_add_string(obj, "link", link);
	if (!ret)
		ret = json_add_uint(obj, "loaded", loaded);
	if (ret) {
		json_object_put(obj);
		return ret;
	}
	return json_print_free(obj);
}

static int key_load(struct qkdctl *c, int argc, char **argv)
{
	struct loader *ld;
	const char *path = NULL;
	int ret;

	if (argc < 1)
		return usage_error("key", "missing link NAME");
	ret = check_link_name("key", argv[0]);
	if (ret)
		return ret;
	if (argc >= 2 && strcmp(argv[1], "file"))
		return usage_error("key", "unexpected \"%s\" after NAME (keys come from a file or stdin)",
				   argv[1]);
	if (argc == 2)
		return usage_error("key", "missing PATH after \"file\"");
	if (argc > 3)
		return usage_error("key", "unexpected \"%s\" after PATH", argv[3]);
	if (argc == 3)
		path = argv[2];

	ld = calloc(1, sizeof(*ld));
	if (!ld)
		return -ENOMEM;
	ld->path = path;
	ld->f = path ? fopen(path, "re") : stdin;
	if (!ld->f) {
		ret = -errno;
		free(ld);
		return qkdctl_fail(c, ret, "cannot open %s: %s", path,
				   strerror(-ret));
	}
	setvbuf(ld->f, ld->iobuf, _IOFBF, sizeof(ld->iobuf));

	ret = load(c, ld, argv[0]);
	/*
	 * Closed, stdin too, before the wipe: stdio lets go of our buffer
	 * then, and no exit handler touches it after the free.
	 */
	fclose(ld->f);
	if (!ret)
		ret = print_loaded(c, argv[0], ld->loaded);
	explicit_bzero(ld, sizeof(*ld));
	free(ld);
	return ret;
}

static int parse_dir(const char *val, uint8_t *dir)
{
	int d = qkd_dir_parse(val);

	if (d < 0)
		return usage_error("key", "unknown dir \"%s\" (in or out)", val);
	*dir = d;
	return 0;
}

static int key_flush(struct qkdctl *c, int argc, char **argv)
{
	uint8_t dir = 0;
	int ret, d = -1;

	if (argc < 1)
		return usage_error("key", "missing link NAME");
	ret = check_link_name("key", argv[0]);
	if (ret)
		return ret;
	if (argc >= 2) {
		if (strcmp(argv[1], "dir"))
			return usage_error("key", "unexpected \"%s\" after NAME", argv[1]);
		if (argc == 2)
			return usage_error("key", "missing value for \"dir\"");
		if (argc > 3)
			return usage_error("key", "unexpected \"%s\" after dir", argv[3]);
		ret = parse_dir(argv[2], &dir);
		if (ret)
			return ret;
		d = dir;
	}
	ret = qkdctl_open(c);
	if (!ret)
		ret = qkd_key_flush(c->nl, argv[0], d, &c->err);
	return ret;
}

struct export_args {
	const char *link;
	uint8_t dir;
	int32_t keyring;
	const char *desc;
	bool has_dir, has_keyring;
};

static int parse_export(struct export_args *a, int argc, char **argv)
{
	int i, ret;

	if (argc < 1)
		return usage_error("key", "missing link NAME");
	ret = check_link_name("key", argv[0]);
	if (ret)
		return ret;
	a->link = argv[0];

	for (i = 1; i < argc; i += 2) {
		const char *word = argv[i], *val = argv[i + 1];
		bool dup;

		if (strcmp(word, "dir") && strcmp(word, "keyring") &&
		    strcmp(word, "desc"))
			return usage_error("key", "unknown attribute \"%s\"", word);
		if (i + 1 >= argc)
			return usage_error("key", "missing value for \"%s\"", word);
		dup = !strcmp(word, "dir") ? a->has_dir :
		      !strcmp(word, "keyring") ? a->has_keyring : !!a->desc;
		if (dup)
			return usage_error("key", "duplicate attribute \"%s\"", word);

		if (!strcmp(word, "dir")) {
			ret = parse_dir(val, &a->dir);
			if (ret)
				return ret;
			a->has_dir = true;
		} else if (!strcmp(word, "keyring")) {
			if (parse_keyring(val, &a->keyring))
				return usage_error("key",
						   "invalid keyring \"%s\" (a serial, or @t, @p, @s, @u, @us or @g)",
						   val);
			a->has_keyring = true;
		} else {
			if (strlen(val) > QKD_KEY_DESC_MAX)
				return usage_error("key", "desc is too long (at most %d characters)",
						   QKD_KEY_DESC_MAX);
			a->desc = val;
		}
	}
	if (!a->has_dir)
		return usage_error("key", "missing dir");
	if (!a->has_keyring)
		return usage_error("key", "missing keyring");
	if (!a->desc)
		return usage_error("key", "missing desc");
	return 0;
}

static int print_export(struct qkdctl *c, const struct export_args *a,
			int32_t serial, const uint8_t id[QKD_KEY_ID_LEN])
{
	struct json_object *obj;
	char uuid[UUID_STR_LEN];
	int ret;

	if (!c->json) {
		printf("%d\n", serial);
		return 0;
	}
	format_uuid(id, uuid);
	obj = json_object_new_object();
	if (!obj)
		return -ENOMEM;
	ret = json_add_int(obj, "serial", serial);
	if (!ret)
		ret = json_add_string(obj, "link", a->link);
	if (!ret)
		ret = json_add_string(obj, "dir", qkd_dir_name(a->dir));
	if (!ret)
		ret = json_add_string(obj, "key-id", uuid);
	if (ret) {
		json_object_put(obj);
		return ret;
	}
	return json_print_free(obj);
}

static int key_export(struct qkdctl *c, int argc, char **argv)
{
	struct export_args a = {};
	uint8_t id[QKD_KEY_ID_LEN];
	int32_t serial;
	int ret;

	ret = parse_export(&a, argc, argv);
	if (!ret)
		ret = qkdctl_open(c);
	if (!ret)
		ret = qkd_key_export(c->nl, a.link, a.dir, a.keyring, a.desc,
				     &serial, id, &c->err);
	if (!ret)
		ret = print_export(c, &a, serial, id);
	return ret;
}

static int key_help(struct qkdctl *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	key_usage(stdout);
	return 0;
}

static const struct qkdctl_cmd key_cmds[] = {
	{ "load", key_load },
	{ "flush", key_flush },
	{ "export", key_export },
	{ "help", key_help },
};

int cmd_key(struct qkdctl *c, int argc, char **argv)
{
	if (argc == 0)
		return usage_error("key", "missing key command");
	return qkdctl_dispatch(c, "key", key_cmds, ARRAY_SIZE(key_cmds), argc, argv);
}
