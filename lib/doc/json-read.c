/*
 * The strict JSON reader (RFC 8259): one iterative pass over the input builds the tree in the
 * document's arena; every node and member name keeps its line and column (1-based, in characters).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "doc/doc-internal.h"

/* Strings up to this length are shared: profiles repeat the same keys and values many times. */
#define INTERN_MAX 64

struct frame {
	struct sf_node *node; /* ARRAY or OBJECT being filled */
	size_t base;	      /* its first entry in the items or members stack */
};

struct intern_slot {
	const char *s;
	uint32_t len, hash;
};

struct reader {
	struct sf_doc *doc;
	struct sf_error *err;
	const char *start, *end, *p;
	unsigned line;
	const char *line_start;
	/* UTF-8 continuation bytes between line_start and p: columns count characters. */
	size_t cont;

	char *buf; /* decoded string with escapes */
	size_t buf_len, buf_cap;
	/* Children of the open containers, copied into the arena when the container closes. */
	struct sf_node **items;
	size_t nitems, items_cap;
	struct sf_member *members;
	size_t nmembers, members_cap;
	struct intern_slot *intern;
	size_t nintern, intern_cap;

	unsigned depth;
	struct frame frames[SF_DOC_MAX_DEPTH];
};

/* Line and column of a position, counted from the start: only for errors, so speed is moot. */
static void locate(const struct reader *r, const char *at, unsigned *line, unsigned *col)
{
	const char *ls = r->start;
	unsigned l = 1, c = 1;

	for (const char *q = r->start; q < at; q++)
		if (*q == '\n') {
			l++;
			ls = q + 1;
		}
	for (const char *q = ls; q < at; q++)
		if (((unsigned char)*q & 0xC0) != 0x80)
			c++;
	*line = l;
	*col = c;
}

static int fail(struct reader *r, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct reader *r, const char *at, const char *fmt, ...)
{
	unsigned line, col;
	va_list ap;

	locate(r, at, &line, &col);
	va_start(ap, fmt);
	sf_error_vset_at(r->err, -EINVAL, r->doc->name, line, col, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int nomem(struct reader *r)
{
	return sf_error_set_at(r->err, -ENOMEM, r->doc->name, 0, 0, "out of memory");
}


/* Why the bytes at s are not UTF-8, for the message. */
static const char *utf8_problem(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0];

	if (c >= 0x80 && c < 0xC0)
		return "a continuation byte without a lead byte";
	if (c == 0xC0 || c == 0xC1 ||
	    (end - s >= 2 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xF0 && s[1] < 0x90))))
		return "an overlong encoding";
	if (c == 0xED && end - s >= 2 && s[1] >= 0xA0)
		return "a UTF-16 surrogate encoded in UTF-8";
	if (c > 0xF4)
		return "a byte that never occurs in UTF-8";
	if (c == 0xF4 && end - s >= 2 && s[1] >= 0x90)
		return "beyond U+10FFFF";
	return "an incomplete multi-byte sequence";
}

/* What is at `at`, for messages: "'x'", "end of input", "NUL byte", "U+00A0", "byte 0xFF". */
static const char *describe(const struct reader *r, const char *at, char *buf, size_t size)
{
	const unsigned char *s = (const unsigned char *)at;

	if (at >= r->end)
		return "end of input";
	if (*s == 0)
		return "NUL byte";
	if (*s == '\'')
		return "\"'\"";
	if (*s >= 0x20 && *s < 0x7F) {
		snprintf(buf, size, "'%c'", *s);
		return buf;
	}
	if (*s < 0x80) {
		snprintf(buf, size, "control character U+%04X", *s);
		return buf;
	}
	size_t n = sf_utf8_len(s, (const unsigned char *)r->end);
	if (!n) {
		snprintf(buf, size, "byte 0x%02X (not UTF-8)", *s);
		return buf;
	}
	unsigned cp = n == 2   ? (s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu)
		      : n == 3 ? (s[0] & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu)
			       : (s[0] & 0x07u) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 |
				     (s[3] & 0x3Fu);
	snprintf(buf, size, "'%.*s' (U+%04X)", (int)n, at, cp);
	return buf;
}

/* The opening bracket of the innermost open container, for "is not closed" hints. */
static const char *unclosed(const struct reader *r, char *buf, size_t size)
{
	if (!r->depth)
		return "";
	const struct sf_node *n = r->frames[r->depth - 1].node;
	snprintf(buf, size, " (the '%c' at %u:%u is not closed)",
		 n->kind == SF_NODE_ARRAY ? '[' : '{', n->line, n->col);
	return buf;
}

static inline void skip_ws(struct reader *r)
{
	const char *p = r->p;

	for (; p < r->end; p++) {
		char c = *p;
		if (c == ' ' || c == '\t' || c == '\r')
			continue;
		if (c != '\n')
			break;
		r->line++;
		r->line_start = p + 1;
		r->cont = 0;
	}
	r->p = p;
}

static struct sf_node *new_node(struct reader *r, enum sf_node_kind kind)
{
	struct sf_node *n = sf_arena_alloc(r->doc->arena, sizeof(*n));
	if (n) {
		n->kind = kind;
		n->line = r->line;
		n->col = (unsigned)((size_t)(r->p - r->line_start) - r->cont + 1);
	}
	return n;
}

/* Eight bytes at a time: only short strings are hashed, and this is on every string's path. */
static uint32_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = n * 0x9E3779B97F4A7C15ull;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = 0;
		memcpy(&w, s + i, n - i < 8 ? n - i : 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 32;
	}
	return (uint32_t)h;
}

static bool intern_grow(struct reader *r)
{
	size_t cap = r->intern_cap ? r->intern_cap * 2 : 256;
	struct intern_slot *t = calloc(cap, sizeof(*t));
	if (!t)
		return false;
	for (size_t i = 0; i < r->intern_cap; i++) {
		struct intern_slot *o = &r->intern[i];
		if (!o->s)
			continue;
		size_t j = o->hash & (cap - 1);
		while (t[j].s)
			j = (j + 1) & (cap - 1);
		t[j] = *o;
	}
	free(r->intern);
	r->intern = t;
	r->intern_cap = cap;
	return true;
}

/* A NUL-terminated arena copy of s; short strings are shared (nodes hold them as const). */
static const char *save_string(struct reader *r, const char *s, size_t n)
{
	if (n > INTERN_MAX)
		return sf_arena_strndup(r->doc->arena, s, n);
	if (r->nintern * 2 >= r->intern_cap && !intern_grow(r))
		return NULL;
	uint32_t h = hash_bytes(s, n);
	size_t j = h & (r->intern_cap - 1);
	for (; r->intern[j].s; j = (j + 1) & (r->intern_cap - 1)) {
		struct intern_slot *e = &r->intern[j];
		if (e->hash == h && e->len == n && memcmp(e->s, s, n) == 0)
			return e->s;
	}
	char *copy = sf_arena_strndup(r->doc->arena, s, n);
	if (!copy)
		return NULL;
	r->intern[j] = (struct intern_slot){copy, (uint32_t)n, h};
	r->nintern++;
	return copy;
}

static bool buf_put(struct reader *r, const char *s, size_t n)
{
	if (r->buf_cap - r->buf_len < n) {
		size_t cap = r->buf_cap ? r->buf_cap : 256;
		while (cap - r->buf_len < n) {
			if (cap > SIZE_MAX / 2)
				return false;
			cap *= 2;
		}
		char *b = realloc(r->buf, cap);
		if (!b)
			return false;
		r->buf = b;
		r->buf_cap = cap;
	}
	if (n)
		memcpy(r->buf + r->buf_len, s, n);
	r->buf_len += n;
	return true;
}

static bool buf_put_utf8(struct reader *r, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_put(r, u, n);
}

static int hex4(const struct reader *r, const char *s, unsigned *out)
{
	unsigned v = 0;

	if (r->end - s < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* The escape at q (a backslash): append what it stands for, return the position after it. */
static const char *parse_escape(struct reader *r, const char *q, int *res)
{
	char tmp[48];
	unsigned cp, lo;
	char c;

	*res = 0;
	if (r->end - q < 2) {
		*res = fail(r, q, "unterminated string: input ends after '\\'");
		return q;
	}
	switch (q[1]) {
	case '"':
	case '\\':
	case '/':
		c = q[1];
		break;
	case 'b':
		c = '\b';
		break;
	case 'f':
		c = '\f';
		break;
	case 'n':
		c = '\n';
		break;
	case 'r':
		c = '\r';
		break;
	case 't':
		c = '\t';
		break;
	case 'u':
		if (hex4(r, q + 2, &cp) < 0) {
			*res = fail(r, q, "'\\u' must be followed by four hexadecimal digits");
			return q;
		}
		if (cp >= 0xDC00 && cp <= 0xDFFF) {
			*res = fail(
			    r, q,
			    "lone UTF-16 low surrogate \\u%04X: it must follow a high surrogate "
			    "(\\uD800-\\uDBFF); strings must be valid Unicode",
			    cp);
			return q;
		}
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (r->end - q < 12 || q[6] != '\\' || q[7] != 'u' ||
			    hex4(r, q + 8, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF) {
				*res = fail(
				    r, q,
				    "lone UTF-16 high surrogate \\u%04X: it must be followed by "
				    "a low surrogate (\\uDC00-\\uDFFF); strings must be valid "
				    "Unicode",
				    cp);
				return q;
			}
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			q += 6;
		}
		if (!buf_put_utf8(r, cp))
			*res = nomem(r);
		return q + 6;
	default:
		*res = fail(r, q,
			    "invalid escape '\\' followed by %s: JSON allows \\\" \\\\ \\/ \\b \\f "
			    "\\n \\r \\t and \\uXXXX",
			    describe(r, q + 1, tmp, sizeof(tmp)));
		return q;
	}
	if (!buf_put(r, &c, 1))
		*res = nomem(r);
	return q + 2;
}

/* The string whose opening quote is at r->p: decode, validate, save; r->p moves past it. */
static int parse_string(struct reader *r, const char **out, size_t *len)
{
	const char *q = r->p + 1, *run = q, *end = r->end, *s;
	size_t cont = 0, n;
	bool escaped = false;
	int res;

	r->buf_len = 0;
	for (;;) {
		while (q < end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20 &&
		       (unsigned char)*q < 0x80)
			q++;
		if (q == end)
			return fail(r, r->p, "unterminated string: missing closing '\"'");
		unsigned char c = (unsigned char)*q;
		if (c == '"')
			break;
		if (c == '\\') {
			if (!buf_put(r, run, (size_t)(q - run)))
				return nomem(r);
			escaped = true;
			q = parse_escape(r, q, &res);
			if (res < 0)
				return res;
			run = q;
			continue;
		}
		if (c == '\n' || c == '\r')
			return fail(
			    r, q,
			    "line break inside a string: is the closing '\"' missing? (write "
			    "\\n for a newline in a string)");
		if (c < 0x20)
			return fail(
			    r, q,
			    "raw control character U+%04X in a string: write it as an escape "
			    "(\\t, \\u%04X)",
			    c, c);
		n = sf_utf8_len((const unsigned char *)q, (const unsigned char *)end);
		if (!n)
			return fail(
			    r, q,
			    "invalid UTF-8 in a string (byte 0x%02X: %s): JSON text must be UTF-8",
			    c, utf8_problem((const unsigned char *)q, (const unsigned char *)end));
		cont += n - 1;
		q += n;
	}
	if (escaped) {
		if (!buf_put(r, run, (size_t)(q - run)))
			return nomem(r);
		s = r->buf;
		n = r->buf_len;
	} else {
		s = r->p + 1;
		n = (size_t)(q - s);
	}
	*out = save_string(r, s, n);
	if (!*out)
		return nomem(r);
	*len = n;
	r->cont += cont;
	r->p = q + 1;
	return 0;
}

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
	       c == '.' || c == '+' || c == '-';
}

static int parse_number(struct reader *r, struct sf_node *node)
{
	const char *s = r->p, *p = s, *end = r->end;

	if (*p == '-')
		p++;
	if (p == end || !is_digit(*p))
		return fail(r, p, "expected a digit after '-'");
	if (*p == '0') {
		p++;
		if (p < end && is_digit(*p))
			return fail(r, s, "numbers must not have leading zeros");
	} else {
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && *p == '.') {
		p++;
		if (p == end || !is_digit(*p))
			return fail(r, p,
				    "expected a digit after the decimal point (write 1.0, not 1.)");
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !is_digit(*p))
			return fail(r, p, "expected a digit in the exponent");
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && is_word(*p)) {
		const char *w = p;
		while (w < end && is_word(*w) && w - s < 40)
			w++;
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
			return fail(r, s, "invalid number '%.*s': JSON numbers are decimal",
				    (int)(w - s), s);
		return fail(r, s, "invalid number '%.*s'", (int)(w - s), s);
	}
	node->str = save_string(r, s, (size_t)(p - s));
	if (!node->str)
		return nomem(r);
	node->len = (size_t)(p - s);
	r->p = p;
	return 0;
}

/* The n bytes at s spell lit, ignoring case. */
static bool word_is(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && strncasecmp(s, lit, n) == 0;
}

static int parse_word(struct reader *r, struct sf_node *node)
{
	const char *s = r->p, *w = s;
	size_t n;

	while (w < r->end && is_word(*w) && w - s < 40)
		w++;
	n = (size_t)(w - s);
	if (n == 4 && memcmp(s, "true", 4) == 0) {
		node->kind = SF_NODE_BOOL;
		node->boolean = true;
	} else if (n == 5 && memcmp(s, "false", 5) == 0) {
		node->kind = SF_NODE_BOOL;
	} else if (n == 4 && memcmp(s, "null", 4) == 0) {
		node->kind = SF_NODE_NULL;
	} else if (word_is(s, n, "true") || word_is(s, n, "false") || word_is(s, n, "null")) {
		return fail(r, s,
			    "unexpected '%.*s': JSON literals are lowercase (true, false, null)",
			    (int)n, s);
	} else if (word_is(s, n, "nan") || word_is(s, n, "infinity")) {
		return fail(r, s, "unexpected '%.*s': JSON has no NaN or Infinity", (int)n, s);
	} else {
		return fail(r, s,
			    "unexpected '%.*s': expected a value (strings need double quotes)",
			    (int)n, s);
	}
	r->p = w;
	return 0;
}

/* A scalar value at r->p (not end of input, not '[' or '{'). */
static struct sf_node *parse_scalar(struct reader *r, int *res)
{
	char tmp[48];
	const char *p = r->p;
	char c = *p;
	struct sf_node *node;

	if (c == '"' || c == '-' || is_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z')) {
		node = new_node(r, SF_NODE_STRING);
		if (!node) {
			*res = nomem(r);
			return NULL;
		}
		if (c == '"') {
			*res = parse_string(r, &node->str, &node->len);
		} else if (c == '-' || is_digit(c)) {
			node->kind = SF_NODE_NUMBER;
			*res = parse_number(r, node);
		} else {
			*res = parse_word(r, node);
		}
		return *res < 0 ? NULL : node;
	}
	switch (c) {
	case '+':
		*res = fail(r, p, "numbers must not start with '+'");
		break;
	case '.':
		*res =
		    fail(r, p, "numbers need a digit before the decimal point (write 0.5, not .5)");
		break;
	case '\'':
		*res = fail(r, p, "unexpected \"'\": JSON strings need double quotes");
		break;
	case '/':
	case '#':
		*res = fail(r, p, "unexpected '%c': JSON does not allow comments", c);
		break;
	case 0:
		*res = fail(
		    r, p, "unexpected NUL byte: expected a value (is the file binary or UTF-16?)");
		break;
	default:
		*res =
		    fail(r, p, "unexpected %s: expected a value", describe(r, p, tmp, sizeof(tmp)));
		break;
	}
	return NULL;
}

static bool push_item(struct reader *r, struct sf_node *item)
{
	if (r->nitems == r->items_cap) {
		size_t cap = r->items_cap ? r->items_cap * 2 : 64;
		struct sf_node **v = reallocarray(r->items, cap, sizeof(*v));
		if (!v)
			return false;
		r->items = v;
		r->items_cap = cap;
	}
	r->items[r->nitems++] = item;
	return true;
}

static bool push_member(struct reader *r, struct sf_member *m)
{
	if (r->nmembers == r->members_cap) {
		size_t cap = r->members_cap ? r->members_cap * 2 : 32;
		struct sf_member *v = reallocarray(r->members, cap, sizeof(*v));
		if (!v)
			return false;
		r->members = v;
		r->members_cap = cap;
	}
	r->members[r->nmembers++] = *m;
	return true;
}

/*
 * Room for n children. Exact, except that sf_node_append() assumes a capacity of the next power
 * of two once there are more than four, so appending to a read tree stays in bounds.
 */
static size_t child_capacity(size_t n)
{
	size_t cap = 4;

	if (n <= 4 || (n & (n - 1)) == 0)
		return n;
	while (cap < n)
		cap *= 2;
	return cap;
}

/* Close the innermost container: its children move from the stack into the arena. */
static struct sf_node *close_container(struct reader *r)
{
	struct frame *f = &r->frames[--r->depth];
	struct sf_node *node = f->node;
	size_t n, bytes;

	if (node->kind == SF_NODE_ARRAY) {
		n = r->nitems - f->base;
		if (n) {
			bytes = child_capacity(n) * sizeof(*node->items);
			node->items = sf_arena_alloc(r->doc->arena, bytes);
			if (!node->items)
				return NULL;
			memcpy(node->items, r->items + f->base, n * sizeof(*node->items));
		}
		r->nitems = f->base;
	} else {
		n = r->nmembers - f->base;
		if (n) {
			bytes = child_capacity(n) * sizeof(*node->members);
			node->members = sf_arena_alloc(r->doc->arena, bytes);
			if (!node->members)
				return NULL;
			memcpy(node->members, r->members + f->base, n * sizeof(*node->members));
		}
		r->nmembers = f->base;
	}
	node->len = n;
	return node;
}

/* A member name at r->p (which must be '"') and the ':' after it. */
static int parse_key(struct reader *r, const char *after)
{
	char tmp[48];
	struct sf_member m = {0};
	int res;

	if (*r->p != '"') {
		const char *p = r->p;
		if (*p == '\'')
			return fail(r, p, "member names need double quotes, not single quotes");
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_')
			return fail(r, p,
				    "expected a member name in double quotes %s, found %s: member "
				    "names must be quoted",
				    after, describe(r, p, tmp, sizeof(tmp)));
		return fail(r, p, "expected a member name in double quotes %s, found %s", after,
			    describe(r, p, tmp, sizeof(tmp)));
	}
	m.line = r->line;
	m.col = (unsigned)((size_t)(r->p - r->line_start) - r->cont + 1);
	res = parse_string(r, &m.key, &m.key_len);
	if (res < 0)
		return res;
	skip_ws(r);
	if (r->p == r->end || *r->p != ':') {
		char hint[64];
		return fail(r, r->p, "expected ':' after the member name, found %s%s",
			    describe(r, r->p, tmp, sizeof(tmp)), unclosed(r, hint, sizeof(hint)));
	}
	r->p++;
	if (!push_member(r, &m))
		return nomem(r);
	return 0;
}

/* Open an array or object at r->p; *done is set when it closes at once ([] or {}). */
static struct sf_node *open_container(struct reader *r, bool *done, int *res)
{
	bool array = *r->p == '[';
	struct sf_node *node;

	*done = false;
	if (r->depth == SF_DOC_MAX_DEPTH) {
		*res = fail(r, r->p, "nesting deeper than %d levels", SF_DOC_MAX_DEPTH);
		return NULL;
	}
	node = new_node(r, array ? SF_NODE_ARRAY : SF_NODE_OBJECT);
	if (!node) {
		*res = nomem(r);
		return NULL;
	}
	r->frames[r->depth++] = (struct frame){node, array ? r->nitems : r->nmembers};
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == (array ? ']' : '}')) {
		r->p++;
		r->depth--;
		*done = true;
		return node;
	}
	if (!array) {
		if (r->p == r->end) {
			char hint[64];
			*res = fail(r, r->p, "unexpected end of input after '{'%s",
				    unclosed(r, hint, sizeof(hint)));
			return NULL;
		}
		*res = parse_key(r, "or '}' after '{'");
		if (*res < 0)
			return NULL;
	}
	return node;
}

/*
 * After a value inside the innermost container: store it, then read ',' (and the next member name)
 * or the closing bracket. Returns 1 when a value must follow, 0 when the container closed (its node
 * in *closed), or a negative error.
 */
static int after_value(struct reader *r, struct sf_node *value, struct sf_node **closed)
{
	char tmp[48], hint[64];
	struct frame *f = &r->frames[r->depth - 1];
	bool array = f->node->kind == SF_NODE_ARRAY;
	char close = array ? ']' : '}';
	const char *comma;

	if (array) {
		if (!push_item(r, value))
			return nomem(r);
	} else {
		r->members[r->nmembers - 1].value = value;
	}
	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		*closed = close_container(r);
		return *closed ? 0 : nomem(r);
	}
	if (r->p == r->end || *r->p != ',') {
		const char *p = r->p;
		bool starts_value =
		    p < r->end && (*p == '"' || *p == '[' || *p == '{' || *p == '-' ||
				   is_digit(*p) || (*p >= 'a' && *p <= 'z'));
		return fail(r, p, "expected ',' or '%c' after %s, found %s%s", close,
			    array ? "an array item" : "a member value",
			    describe(r, p, tmp, sizeof(tmp)),
			    p == r->end	   ? unclosed(r, hint, sizeof(hint))
			    : starts_value ? " (missing ','?)"
					   : "");
	}
	comma = r->p++;
	skip_ws(r);
	if (r->p < r->end && (*r->p == ']' || *r->p == '}')) {
		if (*r->p == close)
			return fail(
			    r, comma,
			    "unexpected ',' before '%c': JSON does not allow trailing commas",
			    close);
		return fail(r, r->p, "unexpected '%c' after ',': expected %s", *r->p,
			    array ? "a value" : "a member name");
	}
	if (!array) {
		if (r->p == r->end)
			return fail(r, r->p, "unexpected end of input after ','%s",
				    unclosed(r, hint, sizeof(hint)));
		int res = parse_key(r, "after ','");
		if (res < 0)
			return res;
	}
	return 1;
}

static int check_encoding(struct reader *r)
{
	const unsigned char *s = (const unsigned char *)r->start;
	size_t len = (size_t)(r->end - r->start);

	if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		return fail(
		    r, r->start,
		    "the file starts with a UTF-8 byte order mark (EF BB BF): JSON text must "
		    "not begin with one (RFC 8259, section 8.1); remove it");
	if (len >= 2 && ((s[0] == 0xFE && s[1] == 0xFF) || (s[0] == 0xFF && s[1] == 0xFE)))
		return fail(r, r->start,
			    "the file starts with a UTF-16 byte order mark: the file must be UTF-8 "
			    "(convert it, e.g. with iconv -f UTF-16 -t UTF-8)");
	if (len >= 4 && ((s[0] && !s[1] && s[2] && !s[3]) || (!s[0] && s[1] && !s[2] && s[3])))
		return fail(r, r->start,
			    "the file looks like UTF-16 (NUL bytes between characters): the file "
			    "must be UTF-8 (convert it, e.g. with iconv -f UTF-16 -t UTF-8)");
	return 0;
}

static int parse(struct reader *r, struct sf_node **root)
{
	char tmp[48], hint[64];
	struct sf_node *v;
	int res = check_encoding(r);

	if (res < 0)
		return res;
	for (;;) {
		/* A value is expected at r->p. */
		skip_ws(r);
		if (r->p == r->end) {
			if (r->start == r->end)
				return fail(r, r->p, "empty input: expected a value");
			return fail(r, r->p, "unexpected end of input: expected a value%s",
				    unclosed(r, hint, sizeof(hint)));
		}
		if (*r->p == '[' || *r->p == '{') {
			bool done;
			v = open_container(r, &done, &res);
			if (!v)
				return res;
			if (!done)
				continue;
		} else {
			v = parse_scalar(r, &res);
			if (!v)
				return res;
		}
		/* v is complete: hand it to its container, closing as many as end here. */
		for (;;) {
			if (!r->depth) {
				skip_ws(r);
				if (r->p < r->end)
					return fail(
					    r, r->p,
					    "unexpected %s after the JSON value: a document "
					    "holds exactly one value",
					    describe(r, r->p, tmp, sizeof(tmp)));
				*root = v;
				return 0;
			}
			res = after_value(r, v, &v);
			if (res < 0)
				return res;
			if (res == 1)
				break;
		}
	}
}

int sf_json_parse(struct sf_doc *doc, const char *data, size_t len, struct sf_error *err)
{
	struct reader *r = calloc(1, sizeof(*r));
	struct sf_node *root = NULL;
	int res;

	if (!r)
		return sf_error_set_at(err, -ENOMEM, doc->name, 0, 0, "out of memory");
	r->doc = doc;
	r->err = err;
	r->start = r->p = r->line_start = data;
	r->end = data + len;
	r->line = 1;
	res = parse(r, &root);
	if (res == 0 && sf_doc_add_root(doc, root) < 0)
		res = nomem(r);
	free(r->buf);
	free(r->items);
	free(r->members);
	free(r->intern);
	free(r);
	return res;
}
