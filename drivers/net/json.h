/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A small streaming JSON writer (objects, arrays, numbers, strings), used
 * by the application's stats file and by the drivers' own fields.
 *
 * Every value call takes a key: pass it inside an object, NULL inside an
 * array or at the top level. Commas and indentation are handled here.
 */
#ifndef VHP_JSON_H
#define VHP_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Deepest nesting supported. */
#define VHP_JSON_MAX_DEPTH	16

/** Writer state. */
struct vhp_json {
	FILE *f;				/**< output */
	int depth;				/**< open containers */
	bool error;				/**< nesting misuse seen */
	bool has_items[VHP_JSON_MAX_DEPTH];	/**< container not empty */
};

/** Start writing to @p f. */
void vhp_json_init(struct vhp_json *w, FILE *f);

/**
 * Finish: checks every container was closed and writes a newline.
 * @return 0, or -1 on misuse or an output error.
 */
int vhp_json_finish(struct vhp_json *w);

/** Open an object. */
void vhp_json_obj_begin(struct vhp_json *w, const char *key);
/** Close the current object. */
void vhp_json_obj_end(struct vhp_json *w);
/** Open an array. */
void vhp_json_arr_begin(struct vhp_json *w, const char *key);
/** Close the current array. */
void vhp_json_arr_end(struct vhp_json *w);

/** Write an unsigned integer. */
void vhp_json_u64(struct vhp_json *w, const char *key, uint64_t v);
/** Write a signed integer. */
void vhp_json_i64(struct vhp_json *w, const char *key, int64_t v);
/** Write a number (non-finite values are written as null). */
void vhp_json_double(struct vhp_json *w, const char *key, double v);
/** Write true or false. */
void vhp_json_bool(struct vhp_json *w, const char *key, bool v);
/** Write a string, escaped (NULL writes null). */
void vhp_json_str(struct vhp_json *w, const char *key, const char *s);
/** Write @p v as a "0x..." hexadecimal string. */
void vhp_json_hex(struct vhp_json *w, const char *key, uint64_t v);
/** Write null. */
void vhp_json_null(struct vhp_json *w, const char *key);

#ifdef __cplusplus
}
#endif

#endif /* VHP_JSON_H */
