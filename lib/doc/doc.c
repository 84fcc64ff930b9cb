/* Documents: reading files, choosing the reader, building trees, reading numbers. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc/doc-internal.h"

/* Larger inputs are refused rather than read: no profile or manifest comes near this. */
#define SF_DOC_MAX_SIZE (256u << 20)

static const char *display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

int sf_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int sf_read_file(const char *path, char **data, size_t *len, struct sf_error *err)
{
	const char *name = display_name(path);
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int r = 0;

	if (fd < 0)
		return sf_error_set_at(err, -errno, name, 0, 0, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = sf_error_set_at(err, -errno, name, 0, 0, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = sf_error_set_at(err, -EISDIR, name, 0, 0, "is a directory, not a file");
		goto out;
	}
	for (;;) {
		if (cap - n < 65536) {
			size_t ncap = cap ? cap * 2 : 65536;
			if (ncap > SF_DOC_MAX_SIZE + 65536) {
				r = sf_error_set_at(err, -EFBIG, name, 0, 0,
						    "larger than %u MiB: refusing to read it",
						    SF_DOC_MAX_SIZE >> 20);
				goto out;
			}
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				r = sf_error_set_at(err, -ENOMEM, name, 0, 0, "out of memory");
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t k = read(fd, buf + n, cap - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			r = sf_error_set_at(err, -errno, name, 0, 0, "cannot read: %s",
					    strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	if (!buf && !(buf = malloc(1))) {
		r = sf_error_set_at(err, -ENOMEM, name, 0, 0, "out of memory");
		goto out;
	}
	buf[n] = 0;
	*data = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	if (fd != STDIN_FILENO)
		close(fd);
	return r;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && sf_streq_icase(s + a - b, suffix);
}

static enum sf_doc_format sniff(const char *name, const char *data, size_t len)
{
	if (name && ends_with(name, ".json"))
		return SF_DOC_JSON;
	if (name && (ends_with(name, ".yaml") || ends_with(name, ".yml")))
		return SF_DOC_YAML;
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		return c == '{' || c == '[' ? SF_DOC_JSON : SF_DOC_YAML;
	}
	return SF_DOC_JSON; /* empty input: the JSON reader says so precisely */
}

struct sf_doc *sf_doc_new(const char *name)
{
	struct sf_doc *doc = calloc(1, sizeof(*doc));
	if (!doc)
		return NULL;
	doc->arena = sf_arena_new();
	doc->name = strdup(name ? name : "<memory>");
	if (!doc->arena || !doc->name) {
		sf_doc_free(doc);
		return NULL;
	}
	return doc;
}

void sf_doc_free(struct sf_doc *doc)
{
	if (!doc)
		return;
	sf_arena_free(doc->arena);
	free(doc->roots);
	free(doc->name);
	free(doc);
}

int sf_doc_add_root(struct sf_doc *doc, struct sf_node *root)
{
	struct sf_node **r = reallocarray(doc->roots, doc->nroots + 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r[doc->nroots++] = root;
	doc->roots = r;
	return 0;
}

int sf_doc_parse(const char *name, const char *data, size_t len, enum sf_doc_format format,
		 unsigned flags, struct sf_doc **out, struct sf_error *err)
{
	struct sf_doc *doc;
	int r;

	*out = NULL;
	if (format == SF_DOC_AUTO)
		format = sniff(name, data, len);
	doc = sf_doc_new(name);
	if (!doc)
		return sf_error_set_at(err, -ENOMEM, name, 0, 0, "out of memory");
	doc->format = format;
	if (format == SF_DOC_JSON)
		r = sf_json_parse(doc, data, len, err);
	else
		r = sf_yaml_parse(doc, data, len, flags, err);
	if (r < 0) {
		sf_doc_free(doc);
		return r;
	}
	*out = doc;
	return 0;
}

int sf_doc_read_file(const char *path, enum sf_doc_format format, unsigned flags,
		     struct sf_doc **out, struct sf_error *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r = sf_read_file(path, &data, &len, err);
	if (r < 0)
		return r;
	return sf_doc_parse(display_name(path), data, len, format, flags, out, err);
}

struct sf_node *sf_node_get(const struct sf_node *obj, const char *key)
{
	if (!obj || obj->kind != SF_NODE_OBJECT)
		return NULL;
	size_t klen = strlen(key);
	for (size_t i = 0; i < obj->len; i++)
		if (obj->members[i].key_len == klen && memcmp(obj->members[i].key, key, klen) == 0)
			return obj->members[i].value;
	return NULL;
}

const char *sf_node_kind_name(enum sf_node_kind kind)
{
	switch (kind) {
	case SF_NODE_NULL:
		return "null";
	case SF_NODE_BOOL:
		return "boolean";
	case SF_NODE_NUMBER:
		return "number";
	case SF_NODE_STRING:
		return "string";
	case SF_NODE_ARRAY:
		return "array";
	case SF_NODE_OBJECT:
		return "object";
	}
	return "?";
}

struct sf_node *sf_node_new(struct sf_doc *doc, enum sf_node_kind kind)
{
	struct sf_node *n = sf_arena_alloc(doc->arena, sizeof(*n));
	if (n)
		n->kind = kind;
	return n;
}

struct sf_node *sf_node_new_stringn(struct sf_doc *doc, const char *s, size_t len)
{
	struct sf_node *n = sf_node_new(doc, SF_NODE_STRING);
	if (!n || !(n->str = sf_arena_strndup(doc->arena, s, len)))
		return NULL;
	n->len = len;
	return n;
}

struct sf_node *sf_node_new_string(struct sf_doc *doc, const char *s)
{
	return sf_node_new_stringn(doc, s, strlen(s));
}

static struct sf_node *new_number(struct sf_doc *doc, const char *text)
{
	struct sf_node *n = sf_node_new(doc, SF_NODE_NUMBER);
	if (!n || !(n->str = sf_arena_strdup(doc->arena, text)))
		return NULL;
	n->len = strlen(text);
	return n;
}

struct sf_node *sf_node_new_u64(struct sf_doc *doc, uint64_t v)
{
	char text[24];
	snprintf(text, sizeof(text), "%" PRIu64, v);
	return new_number(doc, text);
}

struct sf_node *sf_node_new_i64(struct sf_doc *doc, int64_t v)
{
	char text[24];
	snprintf(text, sizeof(text), "%" PRId64, v);
	return new_number(doc, text);
}

struct sf_node *sf_node_new_bool(struct sf_doc *doc, bool v)
{
	struct sf_node *n = sf_node_new(doc, SF_NODE_BOOL);
	if (n)
		n->boolean = v;
	return n;
}

/*
 * Arrays and objects built in memory grow by powers of two; cap_log2 records the capacity, so
 * that appending to a node a reader built (whose capacity is exactly len) copies it first.
 */
static void *grow(struct sf_doc *doc, struct sf_node *n, void *old, size_t size)
{
	size_t cap = n->cap_log2 ? (size_t)1 << n->cap_log2 : n->len;
	unsigned log2 = 2;

	if (n->len < cap)
		return old;
	while (((size_t)1 << log2) <= n->len) {
		if (++log2 >= 48)
			return NULL;
	}
	void *v = sf_arena_alloc(doc->arena, ((size_t)1 << log2) * size);
	if (!v)
		return NULL;
	if (n->len)
		memcpy(v, old, n->len * size);
	n->cap_log2 = (uint8_t)log2;
	return v;
}

int sf_node_append(struct sf_doc *doc, struct sf_node *array, struct sf_node *item)
{
	struct sf_node **v;

	if (!item)
		return -ENOMEM;
	v = grow(doc, array, array->items, sizeof(*v));
	if (!v)
		return -ENOMEM;
	array->items = v;
	array->items[array->len++] = item;
	return 0;
}

int sf_node_set(struct sf_doc *doc, struct sf_node *object, const char *key, struct sf_node *value)
{
	struct sf_member *m;
	char *k;

	if (!value || !(k = sf_arena_strdup(doc->arena, key)))
		return -ENOMEM;
	m = grow(doc, object, object->members, sizeof(*m));
	if (!m)
		return -ENOMEM;
	object->members = m;
	m = &object->members[object->len];
	memset(m, 0, sizeof(*m));
	m->key = k;
	m->key_len = strlen(key);
	m->value = value;
	object->len++;
	return 0;
}

static int parse_uint(const char *s, unsigned base, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else if (*s == '.' || *s == 'e' || *s == 'E')
			return -EINVAL;
		else
			return -EINVAL;
		if (d >= base)
			return -EINVAL;
		if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, d, &v))
			return -ERANGE;
	}
	*out = v;
	return 0;
}

/* Integer text: decimal; YAML also 0x.. and 0o... A leading '-' is reported through *neg. */
static int parse_int_text(const struct sf_node *node, bool *neg, uint64_t *mag)
{
	const char *s;

	if (!node || node->kind != SF_NODE_NUMBER)
		return -EINVAL;
	s = node->str;
	*neg = false;
	if (*s == '-') {
		*neg = true;
		s++;
	} else if (*s == '+') {
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_uint(s + 2, 16, mag);
	if (s[0] == '0' && s[1] == 'o')
		return parse_uint(s + 2, 8, mag);
	return parse_uint(s, 10, mag);
}

int sf_node_u64(const struct sf_node *node, uint64_t *out)
{
	bool neg;
	uint64_t mag;
	int r = parse_int_text(node, &neg, &mag);
	if (r < 0)
		return r;
	if (neg && mag)
		return -ERANGE;
	*out = mag;
	return 0;
}

int sf_node_i64(const struct sf_node *node, int64_t *out)
{
	bool neg;
	uint64_t mag;
	int r = parse_int_text(node, &neg, &mag);
	if (r < 0)
		return r;
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return -ERANGE;
		*out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > INT64_MAX)
			return -ERANGE;
		*out = (int64_t)mag;
	}
	return 0;
}
