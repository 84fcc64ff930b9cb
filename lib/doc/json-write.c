/*
 * The JSON writer: deterministic output, one member or item a line indented with tabs (or compact),
 * numbers as their text, strings escaped minimally.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "doc/doc-internal.h"

/* Output is staged in a small buffer: most pieces are a few bytes, and sf_buf_put() per piece would
 * cost more than the rest of the writer. */
struct writer {
	struct sf_buf *out;
	bool compact;
	bool bad_utf8;
	size_t n;
	char stage[4096];
};

static void flush(struct writer *w)
{
	if (w->n)
		sf_buf_put(w->out, w->stage, w->n);
	w->n = 0;
}

/* Not `= { ... }`: that would clear the whole stage on every call. */
static void writer_init(struct writer *w, struct sf_buf *out, bool compact)
{
	w->out = out;
	w->compact = compact;
	w->bad_utf8 = false;
	w->n = 0;
}

static void put(struct writer *w, const void *p, size_t n)
{
	if (n > sizeof(w->stage) - w->n) {
		flush(w);
		if (n >= sizeof(w->stage)) {
			sf_buf_put(w->out, p, n);
			return;
		}
	}
	memcpy(w->stage + w->n, p, n);
	w->n += n;
}

static void putc_(struct writer *w, char c)
{
	if (w->n == sizeof(w->stage))
		flush(w);
	w->stage[w->n++] = c;
}


/* Writes the literal; bytes that are not UTF-8 become U+FFFD (so the output is always JSON) and
 * set w->bad_utf8. */
static void put_string(struct writer *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;

	putc_(w, '"');
	while (p < end) {
		unsigned char c = *p;
		char esc[6];
		size_t n = 2, k;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0x80) {
			k = sf_utf8_len(p, end);
			if (k) {
				p += k;
				continue;
			}
		}
		put(w, run, (size_t)(p - run));
		esc[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			if (c >= 0x80) {
				w->bad_utf8 = true;
				put(w, "\xEF\xBF\xBD", 3);
				n = 0;
				break;
			}
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
			break;
		}
		put(w, esc, n);
		run = ++p;
	}
	put(w, run, (size_t)(p - run));
	putc_(w, '"');
}

void sf_json_put_string(struct sf_buf *out, const char *s, size_t len)
{
	struct writer w;

	writer_init(&w, out, false);
	put_string(&w, s, len);
	flush(&w);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 8259 number grammar. */
static bool json_number(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	if (p < end && *p == '-')
		p++;
	if (p == end || !is_digit(*p))
		return false;
	if (*p++ == '0') {
		if (p < end && is_digit(*p))
			return false;
	} else {
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && *p == '.') {
		if (++p == end || !is_digit(*p))
			return false;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !is_digit(*p))
			return false;
		while (p < end && is_digit(*p))
			p++;
	}
	return p == end;
}

/*
 * Number text that is not JSON (trees read from YAML: "+1", "0x1F", "007", ".5", "1.") is written
 * in its JSON form; what JSON cannot hold (".inf", ".nan") is refused.
 */
static int put_number(struct writer *w, const struct sf_node *node)
{
	const char *s = node->str, *p, *end;
	char text[24];
	uint64_t u;
	int64_t i;

	if (!s)
		return -EINVAL;
	if (json_number(s, node->len)) {
		put(w, s, node->len);
		return 0;
	}
	if (sf_node_u64(node, &u) == 0) {
		put(w, text, (size_t)snprintf(text, sizeof(text), "%" PRIu64, u));
		return 0;
	}
	if (sf_node_i64(node, &i) == 0) {
		put(w, text, (size_t)snprintf(text, sizeof(text), "%" PRId64, i));
		return 0;
	}
	/* [-+]? digits? ('.' digits?)? ([eE] [-+]? digits)? with at least one mantissa digit. */
	p = s;
	end = s + node->len;
	bool neg = p < end && *p == '-';
	if (p < end && (*p == '-' || *p == '+'))
		p++;
	const char *int_start = p;
	while (p < end && is_digit(*p))
		p++;
	const char *int_end = p, *frac_start = p, *frac_end = p;
	if (p < end && *p == '.') {
		frac_start = ++p;
		while (p < end && is_digit(*p))
			p++;
		frac_end = p;
	}
	if (int_end == int_start && frac_end == frac_start)
		return -EINVAL;
	const char *exp = p;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !is_digit(*p))
			return -EINVAL;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p != end)
		return -EINVAL;
	while (int_end - int_start > 1 && *int_start == '0')
		int_start++;
	if (neg)
		putc_(w, '-');
	if (int_end == int_start)
		putc_(w, '0');
	else
		put(w, int_start, (size_t)(int_end - int_start));
	if (frac_end > frac_start) {
		putc_(w, '.');
		put(w, frac_start, (size_t)(frac_end - frac_start));
	}
	put(w, exp, (size_t)(end - exp));
	return 0;
}

static void indent(struct writer *w, unsigned depth)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
	const size_t n = sizeof(tabs) - 1;

	putc_(w, '\n');
	for (; depth > n; depth -= n)
		put(w, tabs, n);
	put(w, tabs, depth);
}

/* depth: containers around node. Trees deeper than the readers accept (or cyclic) are refused. */
static int put_node(struct writer *w, const struct sf_node *node, unsigned depth)
{
	int r;

	if (!node)
		return -EINVAL;
	switch (node->kind) {
	case SF_NODE_NULL:
		put(w, "null", 4);
		return 0;
	case SF_NODE_BOOL:
		if (node->boolean)
			put(w, "true", 4);
		else
			put(w, "false", 5);
		return 0;
	case SF_NODE_NUMBER:
		return put_number(w, node);
	case SF_NODE_STRING:
		if (!node->str)
			return -EINVAL;
		put_string(w, node->str, node->len);
		return 0;
	case SF_NODE_ARRAY:
	case SF_NODE_OBJECT:
		break;
	default:
		return -EINVAL;
	}
	if (depth >= SF_DOC_MAX_DEPTH)
		return -ELOOP;
	bool array = node->kind == SF_NODE_ARRAY;
	putc_(w, array ? '[' : '{');
	for (size_t i = 0; i < node->len; i++) {
		if (i)
			putc_(w, ',');
		if (!w->compact)
			indent(w, depth + 1);
		if (array) {
			r = put_node(w, node->items[i], depth + 1);
		} else {
			const struct sf_member *m = &node->members[i];
			if (!m->key)
				return -EINVAL;
			put_string(w, m->key, m->key_len);
			if (w->compact)
				putc_(w, ':');
			else
				put(w, ": ", 2);
			r = put_node(w, m->value, depth + 1);
		}
		if (r < 0)
			return r;
		if (w->out->oom)
			return -ENOMEM;
	}
	if (node->len && !w->compact)
		indent(w, depth);
	putc_(w, array ? ']' : '}');
	return 0;
}

int sf_node_write_json(const struct sf_node *node, unsigned flags, struct sf_buf *out)
{
	struct writer w;
	int r;

	writer_init(&w, out, flags & SF_JSON_COMPACT);
	r = put_node(&w, node, 0);
	if (!w.compact && r == 0)
		putc_(&w, '\n');
	flush(&w);
	if (r < 0)
		return r;
	if (out->oom)
		return -ENOMEM;
	/* Strings that were not UTF-8 were written with U+FFFD: the output differs from the tree.
	 */
	return w.bad_utf8 ? -EILSEQ : 0;
}
