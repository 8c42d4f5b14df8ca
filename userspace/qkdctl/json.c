// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>

#include "json.h"

/* json_object_object_add() takes the value's reference only on success. */
static int add(struct json_object *obj, const char *key,
	       struct json_object *val)
{
	if (!val)
		return -ENOMEM;
	if (json_object_object_add(obj, key, val)) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

int json_add_string(struct json_object *obj, const char *key, const char *val)
{
	return add(obj, key, json_object_new_string(val));
}

int json_add_uint(struct json_object *obj, const char *key, uint64_t val)
{
	return add(obj, key, json_object_new_uint64(val));
}

int json_add_int(struct json_object *obj, const char *key, int64_t val)
{
	return add(obj, key, json_object_new_int64(val));
}

int json_add_word(struct json_object *obj, const char *key, const char *name,
		  unsigned int v)
{
	return name ? json_add_string(obj, key, name) : json_add_uint(obj, key, v);
}

int json_add_object(struct json_object *obj, const char *key,
		    struct json_object *val)
{
	return add(obj, key, val);
}

int json_append(struct json_object *arr, struct json_object *val)
{
	if (!val)
		return -ENOMEM;
	if (json_object_array_add(arr, val)) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

int json_print_free(struct json_object *obj)
{
	int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE;
	const char *s;
	int ret = 0;

	/* json-c spreads an empty array over two lines; "[]" reads better. */
	if (json_object_is_type(obj, json_type_array) &&
	    !json_object_array_length(obj))
		flags = JSON_C_TO_STRING_PLAIN;
	s = json_object_to_json_string_ext(obj, flags);
	if (!s || puts(s) == EOF)
		ret = s ? -EIO : -ENOMEM;
	json_object_put(obj);
	return ret;
}

int json_print_line_free(struct json_object *obj)
{
	const char *s;
	int ret = 0;

	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || puts(s) == EOF || fflush(stdout) == EOF)
		ret = s ? -EIO : -ENOMEM;
	json_object_put(obj);
	return ret;
}
