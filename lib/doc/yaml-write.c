/*
 * The YAML writer: a tree out through libyaml's emitter, block style, two-space indent, no line
 * folding, UTF-8 as is. Reading the output back gives the same tree, kinds included.
 *
 * Strings are plain when that reads back as the same string, and quoted otherwise (or when they
 * were quoted in the source): single quotes, or double quotes where escapes are needed. We also
 * quote what a YAML 1.1 reader such as Kubernetes' would take for something else (yes, off, 0644,
 * 1:30, 2024-01-01), so the output means the same there. Strings with line breaks use literal block
 * style (`|`) where libyaml allows it. NUL bytes are written as the "\0" escape. Nodes shared by
 * aliases are written out in full each time.
 */
#include <errno.h>
#include <limits.h>

#include <yaml.h>

#include "doc/doc-internal.h"
#include "doc/yaml-internal.h"

struct writer {
	yaml_emitter_t emitter;
	struct sf_buf *out;
	struct sf_error *err;
};

static int on_output(void *data, unsigned char *buffer, size_t size)
{
	struct sf_buf *out = data;
	sf_buf_put(out, buffer, size);
	return !out->oom;
}

static int oom(struct writer *w)
{
	return sf_error_set(w->err, -ENOMEM, "out of memory");
}

static int emit(struct writer *w, yaml_event_t *ev)
{
	/* The emitter owns the event from here, whether it succeeds or not. */
	if (yaml_emitter_emit(&w->emitter, ev))
		return 0;
	if (w->out->oom || w->emitter.error == YAML_MEMORY_ERROR)
		return oom(w);
	return sf_error_set(w->err, -EINVAL, "cannot write YAML: %s",
			    w->emitter.problem ? w->emitter.problem : "emitter error");
}

/* Strict UTF-8: what libyaml accepts, and what our reader gives back unchanged. */
static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, min, v;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			need = 1, min = 0x80, v = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2, min = 0x800, v = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3, min = 0x10000, v = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= need)
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			v = v << 6 | (s[i + k] & 0x3f);
		}
		if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

static bool word_in(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && memcmp(s, *words, n) == 0)
			return true;
	return false;
}

/* Would a YAML 1.1 reader take this plain text for a boolean, number, date or merge key? */
static bool yaml11_special(const char *s, size_t n)
{
	static const char *const words[] = {
	    "y",  "Y",	"yes", "Yes", "YES", "n",   "N",  "no", "No", "NO",
	    "on", "On", "ON",  "off", "Off", "OFF", "<<", "=",	NULL,
	};
	size_t i = 0;

	if (word_in(s, n, words))
		return true;
	/* Numbers in every 1.1 form (0b1, 0644, 1_000, 1:30, 1e3) and dates: quote them all. */
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i < n && s[i] == '.')
		i++;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return false;
	for (; i < n; i++)
		if (!strchr("0123456789abcdefABCDEFxXoO_:.+-", s[i]) || !s[i])
			return false;
	return true;
}

static bool needs_quotes(const char *s, size_t n)
{
	return n == 0 || sf_yaml_resolve_plain(s, n) != SF_NODE_STRING || yaml11_special(s, n) ||
	       memchr(s, 0, n);
}

static int emit_scalar(struct writer *w, const char *s, size_t n, bool quote, bool block)
{
	yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
	yaml_event_t ev;

	if (n > INT_MAX)
		return sf_error_set(w->err, -EINVAL, "cannot write YAML: a string is too long");
	if (!valid_utf8((const unsigned char *)s, n))
		return sf_error_set(w->err, -EINVAL, "cannot write YAML: a string is not UTF-8");
	if (block && memchr(s, '\n', n))
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (quote || needs_quotes(s, n))
		style = YAML_SINGLE_QUOTED_SCALAR_STYLE; /* libyaml's own choice when plain fails */
	/* Not plain_implicit: libyaml falls back to a quoted style, never to plain. */
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)n,
					  style == YAML_PLAIN_SCALAR_STYLE, 1, style))
		return oom(w);
	return emit(w, &ev);
}

static int emit_plain(struct writer *w, const char *s)
{
	yaml_event_t ev;
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
					  YAML_PLAIN_SCALAR_STYLE))
		return oom(w);
	return emit(w, &ev);
}

static int write_node(struct writer *w, const struct sf_node *node, unsigned depth)
{
	yaml_event_t ev;
	int r;

	if (!node)
		return sf_error_set(w->err, -EINVAL, "cannot write YAML: missing node");
	switch (node->kind) {
	case SF_NODE_NULL:
		return emit_plain(w, "null");
	case SF_NODE_BOOL:
		return emit_plain(w, node->boolean ? "true" : "false");
	case SF_NODE_NUMBER:
		if (sf_yaml_resolve_plain(node->str, node->len) != SF_NODE_NUMBER)
			return sf_error_set(w->err, -EINVAL,
					    "cannot write YAML: \"%.*s\" is not a YAML number",
					    node->len > 64 ? 64 : (int)node->len, node->str);
		return emit_plain(w, node->str);
	case SF_NODE_STRING:
		return emit_scalar(w, node->str, node->len, node->quoted, true);
	case SF_NODE_ARRAY:
	case SF_NODE_OBJECT:
		break;
	default:
		return sf_error_set(w->err, -EINVAL, "cannot write YAML: unknown node kind %d",
				    (int)node->kind);
	}

	if (depth >= SF_DOC_MAX_DEPTH)
		return sf_error_set(w->err, -EINVAL,
				    "cannot write YAML: nesting deeper than %d levels",
				    SF_DOC_MAX_DEPTH);
	if (node->kind == SF_NODE_ARRAY) {
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							  YAML_BLOCK_SEQUENCE_STYLE))
			return oom(w);
		if ((r = emit(w, &ev)) < 0)
			return r;
		for (size_t i = 0; i < node->len; i++)
			if ((r = write_node(w, node->items[i], depth + 1)) < 0)
				return r;
		yaml_sequence_end_event_initialize(&ev);
		return emit(w, &ev);
	}
	if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE))
		return oom(w);
	if ((r = emit(w, &ev)) < 0)
		return r;
	for (size_t i = 0; i < node->len; i++) {
		const struct sf_member *m = &node->members[i];
		if ((r = emit_scalar(w, m->key, m->key_len, false, false)) < 0 ||
		    (r = write_node(w, m->value, depth + 1)) < 0)
			return r;
	}
	yaml_mapping_end_event_initialize(&ev);
	return emit(w, &ev);
}

static int write_stream(struct writer *w, const struct sf_node *node)
{
	yaml_event_t ev;
	int r;

	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if ((r = emit(w, &ev)) < 0)
		return r;
	if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1))
		return oom(w);
	if ((r = emit(w, &ev)) < 0 || (r = write_node(w, node, 0)) < 0)
		return r;
	yaml_document_end_event_initialize(&ev, 1);
	if ((r = emit(w, &ev)) < 0)
		return r;
	yaml_stream_end_event_initialize(&ev);
	if ((r = emit(w, &ev)) < 0)
		return r;
	if (!yaml_emitter_flush(&w->emitter))
		return w->out->oom ? oom(w) : sf_error_set(w->err, -EIO, "cannot write YAML");
	return 0;
}

int sf_node_write_yaml(const struct sf_node *node, struct sf_buf *out, struct sf_error *err)
{
	struct writer w = {.out = out, .err = err};
	size_t start = out->len;
	int r;

	if (!yaml_emitter_initialize(&w.emitter))
		return oom(&w);
	yaml_emitter_set_output(&w.emitter, on_output, out);
	yaml_emitter_set_encoding(&w.emitter, YAML_UTF8_ENCODING);
	yaml_emitter_set_unicode(&w.emitter, 1);
	yaml_emitter_set_width(&w.emitter, -1);
	yaml_emitter_set_indent(&w.emitter, 2);
	yaml_emitter_set_break(&w.emitter, YAML_LN_BREAK);
	r = write_stream(&w, node);
	yaml_emitter_delete(&w.emitter);
	if (r < 0 && out->data) {
		/* Leave out as it was: no half-written document. */
		out->len = start;
		out->data[start] = 0;
	}
	return r;
}
