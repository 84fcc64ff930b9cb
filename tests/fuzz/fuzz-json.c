/*
 * libFuzzer target for the JSON reader and writer: whatever reads must write back (in both layouts)
 * to bytes that read to an equal tree, and writing must be deterministic.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sysfence/doc.h>

static int equal(const struct sf_node *a, const struct sf_node *b)
{
	if (a->kind != b->kind || (a->kind >= SF_NODE_NUMBER && a->len != b->len))
		return 0;
	switch (a->kind) {
	case SF_NODE_NULL:
		return 1;
	case SF_NODE_BOOL:
		return a->boolean == b->boolean;
	case SF_NODE_NUMBER:
	case SF_NODE_STRING:
		return memcmp(a->str, b->str, a->len) == 0 && !a->str[a->len] && !b->str[b->len];
	case SF_NODE_ARRAY:
		for (size_t i = 0; i < a->len; i++)
			if (!equal(a->items[i], b->items[i]))
				return 0;
		return 1;
	case SF_NODE_OBJECT:
		for (size_t i = 0; i < a->len; i++) {
			const struct sf_member *x = &a->members[i], *y = &b->members[i];
			if (x->key_len != y->key_len || memcmp(x->key, y->key, x->key_len) != 0 ||
			    x->key[x->key_len] || !equal(x->value, y->value))
				return 0;
		}
		return 1;
	}
	return 0;
}

static void round_trip(const struct sf_node *root, unsigned flags)
{
	struct sf_buf a = {0}, b = {0};
	struct sf_doc *again = NULL;
	struct sf_error err;

	if (sf_node_write_json(root, flags, &a) < 0 || sf_node_write_json(root, flags, &b) < 0)
		abort();
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
	if (sf_doc_parse("fuzz.json", a.data, a.len, SF_DOC_JSON, 0, &again, &err) < 0)
		abort();
	if (!equal(root, sf_doc_root(again)))
		abort();
	sf_doc_free(again);
	sf_buf_free(&a);
	sf_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_doc *doc = NULL;
	struct sf_error err;

	if (sf_doc_parse("fuzz.json", (const char *)data, size, SF_DOC_JSON, 0, &doc, &err) < 0) {
		if (!err.line || !err.col || !err.msg[0])
			abort();
		return 0;
	}
	round_trip(sf_doc_root(doc), 0);
	round_trip(sf_doc_root(doc), SF_JSON_COMPACT);
	sf_doc_free(doc);
	return 0;
}
