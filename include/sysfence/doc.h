/*
 * sysfence — documents: JSON (strict) and YAML read into one tree whose every node keeps its line
 * and column; the same tree is written back as canonical JSON or YAML.
 */
#ifndef SYSFENCE_DOC_H
#define SYSFENCE_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sysfence/error.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sf_node_kind {
	SF_NODE_NULL,
	SF_NODE_BOOL,
	SF_NODE_NUMBER, /* text as written: "12", "-1", "1.5e3", "0x10" (YAML) */
	SF_NODE_STRING, /* decoded UTF-8, may hold NUL bytes: use len */
	SF_NODE_ARRAY,
	SF_NODE_OBJECT,
};

struct sf_node;

struct sf_member {
	const char *key; /* decoded, NUL-terminated (may hold NUL: use key_len) */
	size_t key_len;
	unsigned line, col; /* of the key */
	struct sf_node *value;
};

struct sf_node {
	enum sf_node_kind kind;
	unsigned line, col; /* 1-based; 0 for nodes built in memory */
	bool quoted;	    /* YAML: the scalar was quoted (so never a number, bool or null) */
	uint8_t cap_log2;   /* ARRAY/OBJECT built by sf_node_append/set: capacity is 1 << cap_log2;
			     * 0: the capacity is exactly len (as the readers build them) */
	size_t len;	    /* STRING/NUMBER: bytes; ARRAY: items; OBJECT: members */
	union {
		bool boolean;
		const char *str; /* STRING and NUMBER, NUL-terminated */
		struct sf_node **items;
		struct sf_member *members;
	};
};

enum sf_doc_format {
	SF_DOC_AUTO, /* by file extension, then by content: '{' or '[' first means JSON */
	SF_DOC_JSON,
	SF_DOC_YAML,
};

/* Flags for reading. */
enum {
	SF_DOC_MULTI = 1 << 0, /* YAML: accept several documents (`---`); else more than one is an error */
};

struct sf_arena;

/* A read (or built) document: owns every node and string below roots. */
struct sf_doc {
	char *name; /* file name for messages, "<stdin>" for "-" */
	enum sf_doc_format format;
	struct sf_node **roots;
	size_t nroots;
	struct sf_arena *arena;
};

/* Maximum nesting of arrays and objects accepted by the readers. */
#define SF_DOC_MAX_DEPTH 512

int sf_doc_parse(const char *name, const char *data, size_t len, enum sf_doc_format format,
		 unsigned flags, struct sf_doc **out, struct sf_error *err);
/* path "-" reads standard input. Refuses directories and other non-regular inputs cleanly. */
int sf_doc_read_file(const char *path, enum sf_doc_format format, unsigned flags,
		     struct sf_doc **out, struct sf_error *err);
void sf_doc_free(struct sf_doc *doc);
static inline void sf_doc_freep(struct sf_doc **doc)
{
	sf_doc_free(*doc);
}
static inline struct sf_node *sf_doc_root(const struct sf_doc *doc)
{
	return doc && doc->nroots ? doc->roots[0] : NULL;
}

/* Read a whole file ("-" = stdin) into a NUL-terminated malloc'd buffer. */
int sf_read_file(const char *path, char **data, size_t *len, struct sf_error *err);
/* Write all n bytes to fd (short writes and EINTR retried): 0 or -errno. */
int sf_write_all(int fd, const void *data, size_t n);

/* Lookups on an object: the first member with that key, or NULL. */
struct sf_node *sf_node_get(const struct sf_node *obj, const char *key);
const char *sf_node_kind_name(enum sf_node_kind kind);

/* Building trees in memory (for writers); nodes belong to doc. NULL on allocation failure. */
struct sf_doc *sf_doc_new(const char *name);
struct sf_node *sf_node_new(struct sf_doc *doc, enum sf_node_kind kind);
struct sf_node *sf_node_new_string(struct sf_doc *doc, const char *s);
struct sf_node *sf_node_new_stringn(struct sf_doc *doc, const char *s, size_t len);
struct sf_node *sf_node_new_u64(struct sf_doc *doc, uint64_t v);
struct sf_node *sf_node_new_i64(struct sf_doc *doc, int64_t v);
struct sf_node *sf_node_new_bool(struct sf_doc *doc, bool v);
int sf_node_append(struct sf_doc *doc, struct sf_node *array, struct sf_node *item);
int sf_node_set(struct sf_doc *doc, struct sf_node *object, const char *key, struct sf_node *value);
int sf_doc_add_root(struct sf_doc *doc, struct sf_node *root);

/* A growable byte buffer for output. */
struct sf_buf {
	char *data; /* NUL-terminated when len > 0 */
	size_t len, cap;
	bool oom; /* set when an append failed: the content is incomplete */
};
void sf_buf_free(struct sf_buf *b);
void sf_buf_put(struct sf_buf *b, const void *p, size_t n);
void sf_buf_puts(struct sf_buf *b, const char *s);
void sf_buf_putc(struct sf_buf *b, char c);
void sf_buf_printf(struct sf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writers. Output is deterministic: the same tree gives the same bytes. */
enum {
	SF_JSON_COMPACT = 1 << 0, /* one line, no spaces; default: one member a line, tab-indented */
};
int sf_node_write_json(const struct sf_node *node, unsigned flags, struct sf_buf *out);
int sf_node_write_yaml(const struct sf_node *node, struct sf_buf *out, struct sf_error *err);
/* JSON string literal with escapes (quotes included). */
void sf_json_put_string(struct sf_buf *out, const char *s, size_t len);

/* Parse a number node's text as an integer: decimal (JSON), and in YAML also 0x/0o forms.
 * Returns 0, -ERANGE (out of range), or -EINVAL (not an integer: "1.5", "1e3"). */
int sf_node_u64(const struct sf_node *node, uint64_t *out);
int sf_node_i64(const struct sf_node *node, int64_t *out);

#ifdef __cplusplus
}
#endif
#endif
