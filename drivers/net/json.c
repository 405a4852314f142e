/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Streaming JSON writer.
 */
#include <inttypes.h>
#include <math.h>

#include "json.h"

static void
json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Separator, indentation and key before a value. */
static void
json_prefix(struct vhp_json *w, const char *key)
{
	int i;

	if (w->depth > 0) {
		if (w->has_items[w->depth - 1])
			fputc(',', w->f);
		w->has_items[w->depth - 1] = true;
		fputc('\n', w->f);
		for (i = 0; i < w->depth; i++)
			fputs("  ", w->f);
	}
	if (key != NULL) {
		json_string(w->f, key);
		fputs(": ", w->f);
	}
}

void
vhp_json_init(struct vhp_json *w, FILE *f)
{
	int i;

	w->f = f;
	w->depth = 0;
	w->error = false;
	for (i = 0; i < VHP_JSON_MAX_DEPTH; i++)
		w->has_items[i] = false;
}

int
vhp_json_finish(struct vhp_json *w)
{
	fputc('\n', w->f);
	if (w->depth != 0 || w->error || ferror(w->f))
		return -1;
	return 0;
}

static void
json_open(struct vhp_json *w, const char *key, char c)
{
	json_prefix(w, key);
	fputc(c, w->f);
	if (w->depth >= VHP_JSON_MAX_DEPTH) {
		w->error = true;
		return;
	}
	w->has_items[w->depth++] = false;
}

static void
json_close(struct vhp_json *w, char c)
{
	int i;

	if (w->depth == 0) {
		w->error = true;
		return;
	}
	w->depth--;
	if (w->has_items[w->depth]) {
		fputc('\n', w->f);
		for (i = 0; i < w->depth; i++)
			fputs("  ", w->f);
	}
	fputc(c, w->f);
}

void
vhp_json_obj_begin(struct vhp_json *w, const char *key)
{
	json_open(w, key, '{');
}

void
vhp_json_obj_end(struct vhp_json *w)
{
	json_close(w, '}');
}

void
vhp_json_arr_begin(struct vhp_json *w, const char *key)
{
	json_open(w, key, '[');
}

void
vhp_json_arr_end(struct vhp_json *w)
{
	json_close(w, ']');
}

void
vhp_json_u64(struct vhp_json *w, const char *key, uint64_t v)
{
	json_prefix(w, key);
	fprintf(w->f, "%" PRIu64, v);
}

void
vhp_json_i64(struct vhp_json *w, const char *key, int64_t v)
{
	json_prefix(w, key);
	fprintf(w->f, "%" PRId64, v);
}

void
vhp_json_double(struct vhp_json *w, const char *key, double v)
{
	json_prefix(w, key);
	if (isfinite(v))
		fprintf(w->f, "%.3f", v);
	else
		fputs("null", w->f);
}

void
vhp_json_bool(struct vhp_json *w, const char *key, bool v)
{
	json_prefix(w, key);
	fputs(v ? "true" : "false", w->f);
}

void
vhp_json_str(struct vhp_json *w, const char *key, const char *s)
{
	json_prefix(w, key);
	if (s == NULL)
		fputs("null", w->f);
	else
		json_string(w->f, s);
}

void
vhp_json_hex(struct vhp_json *w, const char *key, uint64_t v)
{
	json_prefix(w, key);
	fprintf(w->f, "\"0x%" PRIx64 "\"", v);
}

void
vhp_json_null(struct vhp_json *w, const char *key)
{
	json_prefix(w, key);
	fputs("null", w->f);
}
