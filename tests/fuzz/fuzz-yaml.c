/*
 * libFuzzer target for the YAML reader and writer: read the input as a multi-document stream, then
 * write every root and read it back; the tree must come back the same, kinds included.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sysfence/doc.h>

/* Nodes of a tree with aliases expanded, counting stops at limit. */
static size_t expanded_size(const struct sf_node *n, size_t limit)
{
	size_t count = 1;

	if (n->kind == SF_NODE_ARRAY)
		for (size_t i = 0; i < n->len && count <= limit; i++)
			count += expanded_size(n->items[i], limit - count);
	else if (n->kind == SF_NODE_OBJECT)
		for (size_t i = 0; i < n->len && count <= limit; i++)
			count += expanded_size(n->members[i].value, limit - count);
	return count;
}

static bool tree_equal(const struct sf_node *a, const struct sf_node *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case SF_NODE_NULL:
		return true;
	case SF_NODE_BOOL:
		return a->boolean == b->boolean;
	case SF_NODE_NUMBER:
	case SF_NODE_STRING:
		return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
	case SF_NODE_ARRAY:
		if (a->len != b->len)
			return false;
		for (size_t i = 0; i < a->len; i++)
			if (!tree_equal(a->items[i], b->items[i]))
				return false;
		return true;
	case SF_NODE_OBJECT:
		if (a->len != b->len)
			return false;
		for (size_t i = 0; i < a->len; i++) {
			const struct sf_member *x = &a->members[i], *y = &b->members[i];
			if (x->key_len != y->key_len || memcmp(x->key, y->key, x->key_len) != 0 ||
			    !tree_equal(x->value, y->value))
				return false;
		}
		return true;
	}
	return false;
}

static void check_root(const struct sf_node *root)
{
	struct sf_buf out = {0}, again = {0};
	struct sf_error err = {0};
	struct sf_doc *doc = NULL;

	/* Writing expands aliases: keep each run short. */
	if (expanded_size(root, 20000) > 20000)
		return;
	if (sf_node_write_yaml(root, &out, &err) < 0) {
		fprintf(stderr, "write failed: %s\n", err.msg);
		abort();
	}
	if (sf_doc_parse("<written>", out.data, out.len, SF_DOC_YAML, 0, &doc, &err) < 0) {
		fprintf(stderr, "cannot read what was written: %u:%u: %s\n---\n%s---\n", err.line,
			err.col, err.msg, out.data);
		abort();
	}
	if (!tree_equal(root, sf_doc_root(doc))) {
		fprintf(stderr, "the tree read back differs\n---\n%s---\n", out.data);
		abort();
	}
	/* Deterministic, and stable once written. */
	if (sf_node_write_yaml(sf_doc_root(doc), &again, &err) < 0 || again.len != out.len ||
	    memcmp(again.data, out.data, out.len) != 0) {
		fprintf(stderr, "writing again differs\n---\n%s---\n%s---\n", out.data,
			again.data ? again.data : "");
		abort();
	}
	sf_buf_free(&again);
	sf_buf_free(&out);
	sf_doc_free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};

	if (sf_doc_parse("<fuzz>", (const char *)data, size, SF_DOC_YAML, SF_DOC_MULTI, &doc,
			 &err) < 0) {
		if (!err.msg[0])
			abort(); /* every failure says why */
		return 0;
	}
	for (size_t i = 0; i < doc->nroots; i++)
		check_root(doc->roots[i]);
	sf_doc_free(doc);
	return 0;
}
