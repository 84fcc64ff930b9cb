/*
 * The YAML reader: libyaml's event parser builds the same tree as the JSON reader, with plain
 * scalars resolved by the YAML 1.2 core schema and every node and key keeping its line and column.
 *
 * Choices worth knowing:
 * - YAML 1.2 core schema only: yes/no/on/off are strings, 0644 is the decimal number 644 (YAML 1.1
 *   readers such as Kubernetes' would take a boolean and octal 420). A %YAML 1.1 directive does
 *   not change this.
 * - Aliases share the anchored node (no copy). The nodes that aliases add when expanded are counted
 *   over the whole input and refused above SF_YAML_MAX_EXPANSION, so a "billion laughs" document
 *   costs its own size, and so does every consumer walking the tree. An alias may only name an
 *   anchor whose node is complete, so trees never hold cycles.
 * - Merge keys (`<<`) are refused: merging with override rules while duplicate keys are kept
 *   would make the tree disagree with other readers in ways the profile layer could not report.
 * - Tags: !!str, !!int, !!float, !!bool, !!null, !!seq, !!map and the non-specific `!` are
 *   honoured (a value that does not fit its tag is an error); any other tag is refused.
 * - Empty documents (nothing but comments, or a bare `---`) are skipped in both modes.
 */
#include <errno.h>
#include <stdio.h>

#include <yaml.h>

#include "doc/doc-internal.h"
#include "doc/yaml-internal.h"

/* Nodes that aliases may add to one input when expanded. */
#define SF_YAML_MAX_EXPANSION 1000000u

#define YAML_TAG(name) "tag:yaml.org,2002:" name

/* An open sequence or mapping; items collect on the heap and move to the arena when it closes. */
struct frame {
	struct sf_node *node;
	const char *anchor; /* in the arena, registered when the node is complete */
	size_t first;	    /* reader.nodes when the node began */
	void *buf;	    /* struct sf_node *[] or struct sf_member[]; kept for reuse */
	size_t n, cap;	    /* items, bytes */
	bool has_key;	    /* mapping: key read, its value comes next */
	struct sf_member key;
};

struct anchor {
	const char *name; /* NULL: free slot */
	unsigned gen;	  /* document the anchor belongs to; older ones are free slots */
	struct sf_node *node;
	const char *text; /* scalars: the text, for an alias used as a key */
	size_t text_len;
	size_t size; /* nodes the anchored node stands for, aliases expanded */
};

struct reader {
	struct sf_doc *doc;
	struct sf_error *err;
	const char *data;
	size_t len;
	unsigned flags;
	yaml_parser_t parser;

	struct frame *stack;
	size_t depth, nframes; /* open frames; frames allocated (with buffers) */

	struct anchor *anchors;
	size_t nanchors, anchors_cap;
	unsigned gen;

	size_t nodes;	/* nodes read, aliases counted expanded */
	size_t aliased; /* nodes added by aliases */

	struct sf_node *root; /* of the current document, once complete */
	bool root_empty;      /* the document holds nothing: an implicit empty scalar */
	yaml_mark_t doc_mark;
	size_t ndocs; /* non-empty documents */
};

/* Plain scalar resolution (YAML 1.2 core schema). */

static bool is_digits(const char *s, size_t n, const char *set)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(set, s[i]))
			return false;
	return true;
}

#define DEC "0123456789"

bool sf_yaml_is_int(const char *s, size_t n)
{
	if (n > 2 && s[0] == '0' && s[1] == 'x')
		return is_digits(s + 2, n - 2, DEC "abcdefABCDEF");
	if (n > 2 && s[0] == '0' && s[1] == 'o')
		return is_digits(s + 2, n - 2, "01234567");
	if (n && (s[0] == '-' || s[0] == '+')) {
		s++;
		n--;
	}
	return is_digits(s, n, DEC);
}

static size_t span(const char *s, size_t n, const char *set)
{
	size_t i = 0;
	while (i < n && s[i] && strchr(set, s[i]))
		i++;
	return i;
}

static bool is_one_of(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && memcmp(s, *words, n) == 0)
			return true;
	return false;
}

bool sf_yaml_is_float(const char *s, size_t n)
{
	static const char *const nan[] = {".nan", ".NaN", ".NAN", NULL};
	static const char *const inf[] = {".inf", ".Inf", ".INF", NULL};
	size_t i = 0, k;

	if (is_one_of(s, n, nan))
		return true;
	if (n && (s[0] == '-' || s[0] == '+'))
		i++;
	if (is_one_of(s + i, n - i, inf))
		return true;
	/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
	k = span(s + i, n - i, DEC);
	i += k;
	if (i < n && s[i] == '.') {
		size_t frac = span(s + i + 1, n - i - 1, DEC);
		if (!k && !frac)
			return false;
		i += 1 + frac;
	} else if (!k) {
		return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		k = span(s + i, n - i, DEC);
		if (!k)
			return false;
		i += k;
	}
	return i == n;
}

static bool is_null(const char *s, size_t n)
{
	static const char *const words[] = {"null", "Null", "NULL", "~", NULL};
	return n == 0 || is_one_of(s, n, words);
}

static int is_bool(const char *s, size_t n)
{
	static const char *const yes[] = {"true", "True", "TRUE", NULL};
	static const char *const no[] = {"false", "False", "FALSE", NULL};
	if (is_one_of(s, n, yes))
		return 1;
	if (is_one_of(s, n, no))
		return 0;
	return -1;
}

enum sf_node_kind sf_yaml_resolve_plain(const char *s, size_t n)
{
	if (is_null(s, n))
		return SF_NODE_NULL;
	if (is_bool(s, n) >= 0)
		return SF_NODE_BOOL;
	if (sf_yaml_is_int(s, n) || sf_yaml_is_float(s, n))
		return SF_NODE_NUMBER;
	return SF_NODE_STRING;
}

/* Errors. */

__attribute__((format(printf, 3, 4))) static int fail_at(struct reader *r, const yaml_mark_t *mark,
							 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sf_error_vset_at(r->err, -EINVAL, r->doc->name, (unsigned)mark->line + 1,
			 (unsigned)mark->column + 1, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int oom(struct reader *r)
{
	return sf_error_set_at(r->err, -ENOMEM, r->doc->name, 0, 0, "out of memory");
}

/* Length of the line break at p (CR LF, CR, LF, NEL, LS, PS as libyaml counts them), or 0. */
static size_t break_len(const unsigned char *p, size_t left)
{
	if (p[0] == '\r')
		return left > 1 && p[1] == '\n' ? 2 : 1;
	if (p[0] == '\n')
		return 1;
	if (left > 1 && p[0] == 0xc2 && p[1] == 0x85)
		return 2;
	if (left > 2 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
		return 3;
	return 0;
}

/* libyaml locates reader errors (bad UTF-8, control characters) by byte offset only. */
static void offset_to_mark(const char *data, size_t len, size_t offset, yaml_mark_t *mark)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0;

	memset(mark, 0, sizeof(*mark));
	if (offset > len)
		offset = len;
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < offset) {
		size_t b = break_len(p + i, len - i);
		if (b) {
			mark->line++;
			mark->column = 0;
			i += b;
			continue;
		}
		if ((p[i] & 0xc0) != 0x80)
			mark->column++;
		i++;
	}
}

static size_t line_start(const char *data, size_t len, size_t line)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0;

	while (line && i < len) {
		size_t b = break_len(p + i, len - i);
		if (b) {
			line--;
			i += b;
		} else {
			i++;
		}
	}
	return i;
}

/* Does line (0-based) start with indentation that holds a tab? */
static bool line_indented_with_tab(const char *data, size_t len, size_t line)
{
	for (size_t i = line_start(data, len, line);
	     i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '-'); i++)
		if (data[i] == '\t')
			return true;
	return false;
}

/* Column (0-based) of the first character of line that is not a space. */
static size_t line_indent(const char *data, size_t len, size_t line)
{
	size_t i = line_start(data, len, line), col = 0;
	for (; i < len && data[i] == ' '; i++)
		col++;
	return col;
}

static const char *hint_for(struct reader *r, const char *problem, const yaml_mark_t *mark)
{
	static const struct {
		const char *problem, *hint;
	} hints[] = {
	    {"tab character", "YAML indents with spaces only, never tabs"},
	    {"cannot start any token", "quote values that begin with '@', '`' or '%'"},
	    {"mapping values are not allowed",
	     "quote a value that holds ': ', or fix the indentation of this line"},
	    {"did not find expected key", "indent this line like the other keys of its mapping"},
	    {"did not find expected '-' indicator",
	     "indent this item like the other items of its list"},
	    {"could not find expected ':'",
	     "a key needs ': ' after it; quote long or multi-line keys"},
	    {"unexpected end of stream", "a quote or bracket is not closed"},
	    {"unknown escape character",
	     "inside double quotes write a backslash as \\\\, or use single quotes"},
	    {"expected ',' or ']'", "a flow list is not closed, or an item lacks its comma"},
	    {"expected ',' or '}'", "a flow mapping is not closed, or a member lacks its comma"},
	    {"escape code", "a \\u escape must name a character, not half a surrogate pair"},
	    {"UTF-8", "the input must be UTF-8 text"},
	    {"Unicode", "the input must be UTF-8 text"},
	    {"undefined tag handle", "declare the handle with %TAG or drop the tag"},
	    {"did not find expected node content", "a value is missing here"},
	    {"alphabetic or numeric character", "an anchor (&name) or alias (*name) needs a name; "
						"quote values that begin with & or *"},
	    {"unknown directive", "only %YAML and %TAG directives exist; quote values that begin "
				  "with %"},
	    {"incompatible YAML document", "sysfence reads YAML 1.x"},
	    {"duplicate %YAML", "give the %YAML directive once per document"},
	};

	if (line_indented_with_tab(r->data, r->len, mark->line))
		return "YAML indents with spaces only, never tabs";
	/* Past the start of its line, a missing key means the line goes on after a value. */
	if (strstr(problem, "did not find expected key") &&
	    mark->column > line_indent(r->data, r->len, mark->line))
		return "text follows a complete value: inside single quotes write ' as '', or "
		       "quote "
		       "the whole value";
	for (size_t i = 0; i < SF_ARRAY_SIZE(hints); i++)
		if (strstr(problem, hints[i].problem))
			return hints[i].hint;
	return "check the indentation and quoting around here";
}

static int parse_error(struct reader *r)
{
	yaml_parser_t *p = &r->parser;
	const char *problem = p->problem ? p->problem : "invalid YAML";
	yaml_mark_t mark = p->problem_mark;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return oom(r);
	case YAML_READER_ERROR:
		if (p->encoding != YAML_UTF8_ENCODING)
			return sf_error_set_at(r->err, -EINVAL, r->doc->name, 0, 0,
					       "%s at byte %zu (the input must be UTF-8 text)",
					       problem, p->problem_offset);
		offset_to_mark(r->data, r->len, p->problem_offset, &mark);
		if (p->problem_value == 0)
			return fail_at(r, &mark, "NUL byte in the input (the input must be text)");
		if (strstr(problem, "control characters"))
			return fail_at(r, &mark,
				       "control character 0x%02X is not allowed (write it as an "
				       "escape in a double-quoted string)",
				       (unsigned)p->problem_value);
		return fail_at(r, &mark, "%s (the input must be UTF-8 text)", problem);
	default:
		break;
	}
	if (p->encoding == YAML_UTF8_ENCODING) {
		/* At the end of input libyaml moves to a line of its own that the file lacks. */
		yaml_mark_t end;
		offset_to_mark(r->data, r->len, r->len, &end);
		if (mark.line > end.line)
			mark = end;
	}
	if (p->context &&
	    (p->context_mark.line != mark.line || p->context_mark.column != mark.column))
		return fail_at(r, &mark, "%s %s that starts at %zu:%zu (%s)", problem, p->context,
			       p->context_mark.line + 1, p->context_mark.column + 1,
			       hint_for(r, problem, &mark));
	return fail_at(r, &mark, "%s (%s)", problem, hint_for(r, problem, &mark));
}

/* Anchors: a hash table keyed by name; a document's anchors die with it (generation). */

static uint64_t hash_name(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct anchor *anchor_slot(struct anchor *tab, size_t cap, unsigned gen, const char *name)
{
	size_t i = hash_name(name) & (cap - 1);
	for (;; i = (i + 1) & (cap - 1)) {
		struct anchor *a = &tab[i];
		if (!a->name || a->gen != gen || strcmp(a->name, name) == 0)
			return a;
	}
}

static struct anchor *anchor_find(struct reader *r, const char *name)
{
	if (!r->anchors_cap)
		return NULL;
	struct anchor *a = anchor_slot(r->anchors, r->anchors_cap, r->gen, name);
	return a->name && a->gen == r->gen ? a : NULL;
}

static int anchor_grow(struct reader *r)
{
	size_t cap = r->anchors_cap ? r->anchors_cap * 2 : 64;
	struct anchor *tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < r->anchors_cap; i++) {
		struct anchor *a = &r->anchors[i];
		if (a->name && a->gen == r->gen)
			*anchor_slot(tab, cap, r->gen, a->name) = *a;
	}
	free(r->anchors);
	r->anchors = tab;
	r->anchors_cap = cap;
	return 0;
}

/* A later anchor of the same name replaces the earlier one for the aliases that follow. */
static int anchor_set(struct reader *r, const char *name, struct sf_node *node, const char *text,
		      size_t text_len, size_t size)
{
	struct anchor *a;

	if ((r->nanchors + 1) * 2 > r->anchors_cap && anchor_grow(r) < 0)
		return oom(r);
	a = anchor_slot(r->anchors, r->anchors_cap, r->gen, name);
	if (!a->name || a->gen != r->gen) {
		a->name = name;
		a->gen = r->gen;
		r->nanchors++;
	}
	a->node = node;
	a->text = text;
	a->text_len = text_len;
	a->size = size;
	return 0;
}

/* Building the tree. */

static int push_item(struct reader *r, struct frame *f, const void *item, size_t size)
{
	/* cap counts bytes: a buffer serves sequences and mappings in turn. */
	if (f->cap / size == f->n) {
		size_t cap = f->cap ? f->cap : 8 * size;
		void *buf;
		if (sf_mul_overflow(cap, 2, &cap) || !(buf = realloc(f->buf, cap)))
			return oom(r);
		f->buf = buf;
		f->cap = cap;
	}
	memcpy((char *)f->buf + f->n * size, item, size);
	f->n++;
	return 0;
}

/* Place a complete node: as the document root, an item, or the value of the pending key. */
static int attach(struct reader *r, struct sf_node *node)
{
	struct frame *f;

	if (!r->depth) {
		r->root = node;
		return 0;
	}
	f = &r->stack[r->depth - 1];
	if (f->node->kind == SF_NODE_ARRAY)
		return push_item(r, f, &node, sizeof(node));
	f->key.value = node;
	f->has_key = false;
	return push_item(r, f, &f->key, sizeof(f->key));
}

static bool expecting_key(const struct reader *r)
{
	const struct frame *f = r->depth ? &r->stack[r->depth - 1] : NULL;
	return f && f->node->kind == SF_NODE_OBJECT && !f->has_key;
}

static void set_key(struct reader *r, const char *text, size_t len, const yaml_mark_t *mark)
{
	struct frame *f = &r->stack[r->depth - 1];

	f->key.key = text;
	f->key.key_len = len;
	f->key.line = (unsigned)mark->line + 1;
	f->key.col = (unsigned)mark->column + 1;
	f->key.value = NULL;
	f->has_key = true;
}

static char *copy_anchor(struct reader *r, const yaml_char_t *anchor)
{
	return anchor ? sf_arena_strdup(r->doc->arena, (const char *)anchor) : NULL;
}

static struct sf_node *new_node(struct reader *r, enum sf_node_kind kind, const yaml_mark_t *mark)
{
	struct sf_node *n = sf_node_new(r->doc, kind);
	if (n) {
		n->line = (unsigned)mark->line + 1;
		n->col = (unsigned)mark->column + 1;
	}
	return n;
}

/* A value fit for a one-line message: control characters become '?', long ones are cut. */
static const char *clip(const char *s, size_t n, char *buf, size_t size)
{
	size_t i, max = size - 4;

	for (i = 0; i < n && i < max; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	while (i < n && i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--; /* not inside a UTF-8 sequence */
	strcpy(buf + i, i < n ? "..." : "");
	return buf;
}

/* Tags as they are usually written: !!int rather than tag:yaml.org,2002:int. */
static bool short_tag(const char *tag, const char **suffix)
{
	static const char prefix[] = YAML_TAG("");
	*suffix = strncmp(tag, prefix, sizeof(prefix) - 1) == 0 ? tag + sizeof(prefix) - 1 : tag;
	return *suffix != tag;
}

/* The kind a scalar takes from its tag and style; -EINVAL (error set) when they disagree. */
static int scalar_kind(struct reader *r, const yaml_event_t *ev, enum sf_node_kind *kind)
{
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	bool fits;

	if (!tag) {
		*kind = plain ? sf_yaml_resolve_plain(s, n) : SF_NODE_STRING;
		return 0;
	}
	if (strcmp(tag, "!") == 0 || strcmp(tag, YAML_TAG("str")) == 0) {
		*kind = SF_NODE_STRING;
		return 0;
	}
	if (strcmp(tag, YAML_TAG("int")) == 0) {
		*kind = SF_NODE_NUMBER;
		fits = sf_yaml_is_int(s, n);
	} else if (strcmp(tag, YAML_TAG("float")) == 0) {
		*kind = SF_NODE_NUMBER;
		fits = sf_yaml_is_int(s, n) || sf_yaml_is_float(s, n);
	} else if (strcmp(tag, YAML_TAG("bool")) == 0) {
		*kind = SF_NODE_BOOL;
		fits = is_bool(s, n) >= 0;
	} else if (strcmp(tag, YAML_TAG("null")) == 0) {
		*kind = SF_NODE_NULL;
		fits = is_null(s, n);
	} else {
		bool yaml = short_tag(tag, &tag);
		return fail_at(r, &ev->start_mark,
			       "unsupported tag %s%s (sysfence reads plain data: remove the tag)",
			       yaml ? "!!" : "", tag);
	}
	if (!fits) {
		bool yaml = short_tag(tag, &tag);
		char text[68];
		return fail_at(r, &ev->start_mark, "\"%s\" is not a valid %s%s",
			       clip(s, n, text, sizeof(text)), yaml ? "!!" : "", tag);
	}
	return 0;
}

static int make_scalar(struct reader *r, const yaml_event_t *ev, struct sf_node **out)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	enum sf_node_kind kind;
	struct sf_node *node;
	int ret = scalar_kind(r, ev, &kind);

	if (ret < 0)
		return ret;
	node = new_node(r, kind, &ev->start_mark);
	if (!node)
		return oom(r);
	/* Only strings: a quoted scalar tagged !!int is a number like any other. */
	node->quoted = kind == SF_NODE_STRING && ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	if (kind == SF_NODE_STRING || kind == SF_NODE_NUMBER) {
		node->str = sf_arena_strndup(r->doc->arena, s, n);
		if (!node->str)
			return oom(r);
		node->len = n;
	} else if (kind == SF_NODE_BOOL) {
		node->boolean = is_bool(s, n) == 1;
	}
	*out = node;
	return 0;
}

static int on_scalar(struct reader *r, const yaml_event_t *ev)
{
	const char *anchor_name = (const char *)ev->data.scalar.anchor;
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	struct sf_node *node = NULL;
	char *text = NULL, *anchor = NULL;
	int ret;

	if (expecting_key(r)) {
		enum sf_node_kind kind;
		if (!ev->data.scalar.tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    n == 2 && memcmp(s, "<<", 2) == 0)
			return fail_at(r, &ev->start_mark,
				       "merge keys (<<) are not supported (write the keys out)");
		/* Keys are kept as text, but a tag that does not fit is still an error. */
		if ((ret = scalar_kind(r, ev, &kind)) < 0)
			return ret;
		text = sf_arena_strndup(r->doc->arena, s, n);
		if (!text)
			return oom(r);
		if (anchor_name) {
			/* The key may be named by an alias later, as a key or as a value. */
			if ((ret = make_scalar(r, ev, &node)) < 0)
				return ret;
			if (!(anchor = copy_anchor(r, ev->data.scalar.anchor)))
				return oom(r);
			r->nodes++;
			if ((ret = anchor_set(r, anchor, node, text, n, 1)) < 0)
				return ret;
		}
		set_key(r, text, n, &ev->start_mark);
		return 0;
	}

	if ((ret = make_scalar(r, ev, &node)) < 0)
		return ret;
	r->nodes++;
	if (!r->depth && !anchor_name && !ev->data.scalar.tag && n == 0 &&
	    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		r->root_empty = true;
	if (anchor_name) {
		if (!(anchor = copy_anchor(r, ev->data.scalar.anchor)))
			return oom(r);
		if (node->kind == SF_NODE_STRING || node->kind == SF_NODE_NUMBER)
			text = (char *)node->str;
		else if (!(text = sf_arena_strndup(r->doc->arena, s, n)))
			return oom(r);
		if ((ret = anchor_set(r, anchor, node, text, n, 1)) < 0)
			return ret;
	}
	return attach(r, node);
}

static int on_alias(struct reader *r, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct anchor *a = anchor_find(r, name);

	if (!a)
		return fail_at(r, &ev->start_mark,
			       "unknown alias *%s (define the anchor &%s, on a complete node, "
			       "before this point in the same document)",
			       name, name);
	if (expecting_key(r)) {
		if (!a->text)
			return fail_at(r, &ev->start_mark,
				       "alias *%s names a %s, which cannot be a mapping key", name,
				       a->node->kind == SF_NODE_ARRAY ? "sequence" : "mapping");
		set_key(r, a->text, a->text_len, &ev->start_mark);
		return 0;
	}
	if (a->size > SF_YAML_MAX_EXPANSION - r->aliased)
		return fail_at(r, &ev->start_mark,
			       "aliases expand to more than %u nodes (a \"billion laughs\" "
			       "document?): write the repeated parts out or nest fewer aliases",
			       SF_YAML_MAX_EXPANSION);
	r->aliased += a->size;
	r->nodes += a->size;
	return attach(r, a->node);
}

static int on_collection_start(struct reader *r, const yaml_event_t *ev)
{
	bool map = ev->type == YAML_MAPPING_START_EVENT;
	const yaml_char_t *anchor =
	    map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
	const char *tag =
	    (const char *)(map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
	const char *what = map ? "mapping" : "sequence";
	struct frame *f;

	if (expecting_key(r))
		return fail_at(r, &ev->start_mark,
			       "a %s cannot be a mapping key (keys must be scalars)", what);
	if (tag && strcmp(tag, "!") != 0 &&
	    strcmp(tag, map ? YAML_TAG("map") : YAML_TAG("seq")) != 0) {
		bool yaml = short_tag(tag, &tag);
		return fail_at(r, &ev->start_mark,
			       "unsupported tag %s%s on a %s (sysfence reads plain data: remove "
			       "the tag)",
			       yaml ? "!!" : "", tag, what);
	}
	if (r->depth >= SF_DOC_MAX_DEPTH)
		return fail_at(r, &ev->start_mark,
			       "nesting deeper than %d levels (flatten the document)",
			       SF_DOC_MAX_DEPTH);
	if (r->depth == r->nframes) {
		struct frame *s = reallocarray(r->stack, r->nframes + 1, sizeof(*s));
		if (!s)
			return oom(r);
		memset(&s[r->nframes], 0, sizeof(*s));
		r->stack = s;
		r->nframes++;
	}
	f = &r->stack[r->depth];
	f->node = new_node(r, map ? SF_NODE_OBJECT : SF_NODE_ARRAY, &ev->start_mark);
	if (!f->node)
		return oom(r);
	f->anchor = NULL;
	if (anchor && !(f->anchor = copy_anchor(r, anchor)))
		return oom(r);
	f->first = r->nodes;
	f->n = 0;
	f->has_key = false;
	r->nodes++;
	r->depth++;
	return 0;
}

static int on_collection_end(struct reader *r)
{
	struct frame *f = &r->stack[r->depth - 1];
	struct sf_node *node = f->node;
	size_t size =
	    node->kind == SF_NODE_ARRAY ? sizeof(struct sf_node *) : sizeof(struct sf_member);
	int ret;

	if (f->n) {
		void *v = sf_arena_memdup(r->doc->arena, f->buf, f->n * size);
		if (!v)
			return oom(r);
		if (node->kind == SF_NODE_ARRAY)
			node->items = v;
		else
			node->members = v;
	}
	node->len = f->n;
	if (f->anchor && (ret = anchor_set(r, f->anchor, node, NULL, 0, r->nodes - f->first)) < 0)
		return ret;
	r->depth--;
	return attach(r, node);
}

static int on_document_end(struct reader *r)
{
	int ret;

	if (!r->root || r->root_empty)
		return 0;
	if (++r->ndocs > 1 && !(r->flags & SF_DOC_MULTI))
		return fail_at(r, &r->doc_mark,
			       "expected one YAML document, found a second at %zu:%zu (split the "
			       "file, or read it as a multi-document stream)",
			       r->doc_mark.line + 1, r->doc_mark.column + 1);
	if ((ret = sf_doc_add_root(r->doc, r->root)) < 0)
		return oom(r);
	return 0;
}

static int on_event(struct reader *r, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		r->gen++;
		r->nanchors = 0;
		r->root = NULL;
		r->root_empty = false;
		r->doc_mark = ev->start_mark;
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		return on_document_end(r);
	case YAML_SCALAR_EVENT:
		return on_scalar(r, ev);
	case YAML_ALIAS_EVENT:
		return on_alias(r, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return on_collection_start(r, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_collection_end(r);
	default:
		return 0;
	}
}

int sf_yaml_parse(struct sf_doc *doc, const char *data, size_t len, unsigned flags,
		  struct sf_error *err)
{
	struct reader r = {.doc = doc, .err = err, .data = data, .len = len, .flags = flags};
	yaml_event_t ev;
	bool done = false;
	int ret = 0;

	if (!yaml_parser_initialize(&r.parser))
		return oom(&r);
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)data, len);
	while (!done) {
		if (!yaml_parser_parse(&r.parser, &ev)) {
			ret = parse_error(&r);
			break;
		}
		ret = on_event(&r, &ev);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		if (ret < 0)
			break;
	}
	if (ret == 0 && !r.ndocs && !(flags & SF_DOC_MULTI))
		ret = sf_error_set_at(err, -EINVAL, doc->name, 1, 1,
				      "empty document (the input holds no YAML value, only blank "
				      "lines or comments)");
	for (size_t i = 0; i < r.nframes; i++)
		free(r.stack[i].buf);
	free(r.stack);
	free(r.anchors);
	yaml_parser_delete(&r.parser);
	return ret;
}
