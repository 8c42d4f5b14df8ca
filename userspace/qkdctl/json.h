/* SPDX-License-Identifier: GPL-2.0 */
/* The -j output of qkdctl, built with json-c. */
#ifndef QKDCTL_JSON_H
#define QKDCTL_JSON_H

#include <stdint.h>
#include <json.h>

/* Add a member to an object; 0 or -ENOMEM. */
int json_add_string(struct json_object *obj, const char *key, const char *val);
int json_add_uint(struct json_object *obj, const char *key, uint64_t val);
int json_add_int(struct json_object *obj, const char *key, int64_t val);
/*
 * The word of an enum value, or for a value newer than qkdctl (@name
 * NULL) its number; 0 or -ENOMEM.
 */
int json_add_word(struct json_object *obj, const char *key, const char *name,
		  unsigned int v);
/* Adds @val, whose reference it takes (dropped on failure); 0 or -ENOMEM. */
int json_add_object(struct json_object *obj, const char *key,
		    struct json_object *val);
/* Appends @val to @arr, whose reference it takes; 0 or -ENOMEM. */
int json_append(struct json_object *arr, struct json_object *val);

/* Prints @obj to stdout, pretty, with a newline, and drops it; 0 or -EIO. */
int json_print_free(struct json_object *obj);
/* The same on one line, compact, flushed at once (for monitor). */
int json_print_line_free(struct json_object *obj);

#endif /* QKDCTL_JSON_H */
