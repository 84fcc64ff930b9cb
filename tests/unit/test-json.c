/* Unit tests of the strict JSON reader (lib/doc/json-read.c) and the writer (json-write.c). */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sysfence/doc.h>

/* ---- helpers ---- */

static struct sf_doc *parse_n(const char *data, size_t len, struct sf_error *err)
{
	struct sf_doc *doc = NULL;
	int r;

	memset(err, 0, sizeof(*err));
	r = sf_doc_parse("t.json", data, len, SF_DOC_JSON, 0, &doc, err);
	if (r < 0) {
		assert_null(doc);
		assert_int_equal(r, err->code);
		return NULL;
	}
	assert_non_null(doc);
	assert_int_equal(doc->nroots, 1);
	return doc;
}

static struct sf_doc *parse_ok(const char *s)
{
	struct sf_error err;
	struct sf_doc *doc = parse_n(s, strlen(s), &err);
	if (!doc)
		fail_msg("%s: unexpected error %u:%u: %s", s, err.line, err.col, err.msg);
	return doc;
}

/* The input is refused at line:col with a message containing `part`. */
static void expect_error_n(const char *s, size_t len, unsigned line, unsigned col, const char *part)
{
	struct sf_error err;
	struct sf_doc *doc = parse_n(s, len, &err);

	if (doc) {
		sf_doc_free(doc);
		fail_msg("accepted, expected an error: %.*s", (int)len, s);
	}
	assert_int_equal(err.code, -EINVAL);
	assert_string_equal(err.file, "t.json");
	if (err.line != line || err.col != col || !strstr(err.msg, part))
		fail_msg("%.*s: got %u:%u \"%s\", want %u:%u \"...%s...\"", (int)len, s, err.line,
			 err.col, err.msg, line, col, part);
}

static void expect_error(const char *s, unsigned line, unsigned col, const char *part)
{
	expect_error_n(s, strlen(s), line, col, part);
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
		return a->len == b->len && memcmp(a->str, b->str, a->len) == 0 &&
		       a->str[a->len] == 0 && b->str[b->len] == 0;
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

/* parse(write(tree)) equals tree, in both layouts, and writing twice gives the same bytes. */
static void check_round_trip(const struct sf_doc *doc, const char *what)
{
	for (unsigned flags = 0; flags <= SF_JSON_COMPACT; flags += SF_JSON_COMPACT) {
		struct sf_buf a = {0}, b = {0};
		struct sf_error err;
		struct sf_doc *again;

		assert_int_equal(sf_node_write_json(sf_doc_root(doc), flags, &a), 0);
		assert_int_equal(sf_node_write_json(sf_doc_root(doc), flags, &b), 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
		again = parse_n(a.data, a.len, &err);
		if (!again)
			fail_msg("%s: written JSON does not read back (%u:%u: %s):\n%s", what,
				 err.line, err.col, err.msg, a.data);
		if (!tree_equal(sf_doc_root(doc), sf_doc_root(again)))
			fail_msg("%s: round trip differs", what);
		sf_doc_free(again);
		sf_buf_free(&a);
		sf_buf_free(&b);
	}
}

static char *write_json(const char *in, unsigned flags)
{
	struct sf_doc *doc = parse_ok(in);
	struct sf_buf out = {0};

	assert_int_equal(sf_node_write_json(sf_doc_root(doc), flags, &out), 0);
	sf_doc_free(doc);
	return out.data;
}

/* ---- JSONTestSuite ---- */

static const char *suite_dir(char *buf, size_t size)
{
	const char *shared = getenv("SYSFENCE_SHARED");
	DIR *d;

	if (shared && *shared)
		snprintf(buf, size, "%s/corpus/json-test-suite", shared);
	else
		snprintf(buf, size, "../shared/corpus/json-test-suite");
	d = opendir(buf);
	if (!d)
		return NULL;
	closedir(d);
	return buf;
}

/* i_ cases we accept; every other i_ case is refused (invalid UTF-8, lone surrogates, UTF-16,
 * byte order mark). */
static bool i_accepted(const char *name)
{
	return strncmp(name, "i_number_", 9) == 0 ||
	       strcmp(name, "i_structure_500_nested_arrays.json") == 0;
}

static void run_suite(const char *prefix)
{
	char dirbuf[4096], path[8192];
	const char *dir = suite_dir(dirbuf, sizeof(dirbuf));
	struct dirent *e;
	unsigned count = 0;
	DIR *d;

	if (!dir) {
		print_message("JSONTestSuite not found (../shared/corpus/json-test-suite or "
			      "$SYSFENCE_SHARED/corpus/json-test-suite): skipped\n");
		skip();
	}
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		struct sf_error err;
		struct sf_doc *doc;
		char *data;
		size_t len;

		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || !strstr(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_int_equal(sf_read_file(path, &data, &len, &err), 0);
		doc = parse_n(data, len, &err);
		bool want = prefix[0] == 'y' || (prefix[0] == 'i' && i_accepted(e->d_name));
		if (want && !doc)
			fail_msg("%s refused: %u:%u: %s", e->d_name, err.line, err.col, err.msg);
		if (!want && doc)
			fail_msg("%s accepted", e->d_name);
		if (doc) {
			check_round_trip(doc, e->d_name);
			sf_doc_free(doc);
		} else {
			assert_int_equal(err.code, -EINVAL);
			assert_true(err.line >= 1 && err.col >= 1);
			assert_string_equal(err.file, "t.json");
			assert_true(err.msg[0]);
			if (strstr(e->d_name, "UTF-16") || strstr(e->d_name, "utf16"))
				assert_non_null(strstr(err.msg, "must be UTF-8"));
			if (strstr(e->d_name, "UTF-8_BOM"))
				assert_non_null(strstr(err.msg, "UTF-8 byte order mark"));
		}
		free(data);
		count++;
	}
	closedir(d);
	assert_true(count > 0);
	print_message("%u %s* cases\n", count, prefix);
}

static void test_suite_y_accepted(void **state)
{
	run_suite("y_");
}

static void test_suite_n_refused_with_position(void **state)
{
	run_suite("n_");
}

static void test_suite_i_decided(void **state)
{
	run_suite("i_");
}

/* ---- error positions and messages ---- */

static void test_error_positions(void **state)
{
	expect_error("", 1, 1, "empty input");
	expect_error("  \n  ", 2, 3, "expected a value");
	expect_error("[1,2,]", 1, 5,
		     "unexpected ',' before ']': JSON does not allow trailing commas");
	expect_error("{\"a\":1,}", 1, 7, "unexpected ',' before '}': JSON does not allow trailing");
	expect_error("{\n\t\"a\": 1\n\t\"b\": 2\n}", 3, 2, "expected ',' or '}'");
	expect_error("[1 2]", 1, 4, "expected ',' or ']'");
	expect_error("[1 2]", 1, 4, "missing ','");
	expect_error("[01]", 1, 2, "leading zeros");
	expect_error("[-]", 1, 3, "digit after '-'");
	expect_error("[1.]", 1, 4, "decimal point");
	expect_error("[.5]", 1, 2, "0.5");
	expect_error("[+1]", 1, 2, "'+'");
	expect_error("[1e]", 1, 4, "exponent");
	expect_error("[0x10]", 1, 2, "decimal");
	expect_error("{\"a\" 1}", 1, 6, "expected ':'");
	expect_error("{a:1}", 1, 2, "member names must be quoted");
	expect_error("{'a':1}", 1, 2, "double quotes");
	expect_error("['a']", 1, 2, "double quotes");
	expect_error("[1,\n2,\n", 3, 1, "the '[' at 1:1 is not closed");
	expect_error("{\"a\":\n[1,\n", 3, 1, "the '[' at 2:1 is not closed");
	expect_error("[{", 1, 3, "end of input after '{' (the '{' at 1:2 is not closed)");
	expect_error("{\"a\":1,", 1, 8, "end of input after ',' (the '{' at 1:1 is not closed)");
	expect_error("\"abc", 1, 1, "unterminated string");
	expect_error("[\"ab\ncd\"]", 1, 5, "line break inside a string");
	expect_error("[\"a\x01\"]", 1, 4, "control character U+0001");
	expect_error("[\"\\x\"]", 1, 3, "invalid escape");
	expect_error("[\"\\u12\"]", 1, 3, "four hexadecimal digits");
	expect_error("[\"\\uD800\"]", 1, 3, "lone UTF-16 high surrogate");
	expect_error("[\"\\uD800\\u0041\"]", 1, 3, "lone UTF-16 high surrogate");
	expect_error("[\"\\uDC00\\uD800\"]", 1, 3, "lone UTF-16 low surrogate");
	expect_error("[\"é\xff\"]", 1, 4, "invalid UTF-8");
	expect_error("[\"\xc0\x80\"]", 1, 3, "overlong");
	expect_error("[\"\xed\xa0\x80\"]", 1, 3, "surrogate encoded in UTF-8");
	expect_error("[\"\xf4\x90\x80\x80\"]", 1, 3, "U+10FFFF");
	expect_error("[\"\xe2\x82\"]", 1, 3, "incomplete");
	expect_error("[\"\xff\"]", 1, 3, "never occurs");
	expect_error("[TRUE]", 1, 2, "lowercase");
	expect_error("[NaN]", 1, 2, "NaN");
	expect_error("[tru]", 1, 2, "'tru'");
	expect_error("[truex]", 1, 2, "'truex'");
	expect_error("[1] x", 1, 5, "exactly one value");
	expect_error("{} {}", 1, 4, "exactly one value");
	expect_error("[1]//c", 1, 4, "exactly one value");
	expect_error("[1, // c\n2]", 1, 5, "comments");
	expect_error("[,1]", 1, 2, "expected a value");
	expect_error("[1,,2]", 1, 4, "expected a value");
	expect_error("[1:2]", 1, 3, "expected ',' or ']'");
	expect_error("{\"a\":1]", 1, 7, "expected ',' or '}'");
	expect_error("[1}", 1, 3, "expected ',' or ']'");
	expect_error("{\"a\":1,]", 1, 8, "expected a member name");
	expect_error("[\xc2\xa0 1]", 1, 2, "U+00A0");
	expect_error("[\x0c 1]", 1, 2, "control character U+000C");
	/* Columns count characters, not bytes. */
	expect_error("\"é\" x", 1, 5, "exactly one value");
	expect_error("[\"日本\", tru]", 1, 8, "'tru'");
	expect_error("[\"𝄞\"\n, \"日本\" 1]", 2, 8, "missing ','");
	expect_error("\xef\xbb\xbf{}", 1, 1, "UTF-8 byte order mark");
	expect_error("\xff\xfe{\0}\0", 1, 1, "must be UTF-8");
	expect_error_n("{\0}\0", 4, 1, 1, "must be UTF-8");
	expect_error_n("\0[\0]", 4, 1, 1, "must be UTF-8");
}

static void test_nul_bytes(void **state)
{
	struct sf_doc *doc;
	const struct sf_node *s;

	expect_error_n("[1,\0 2]", 7, 1, 4, "NUL byte");
	expect_error_n("[1]\0", 4, 1, 4, "NUL byte");
	expect_error_n("[\"a\0b\"]", 7, 1, 4, "control character U+0000");
	expect_error_n("\0", 1, 1, 1, "NUL byte");
	expect_error_n("[\0]", 3, 1, 2, "NUL byte");

	/* \u0000 is a character like any other: len is authoritative, and the string ends in NUL.
	 */
	doc = parse_ok("[\"a\\u0000b\", {\"k\\u0000\": 1}]");
	s = sf_doc_root(doc)->items[0];
	assert_int_equal(s->kind, SF_NODE_STRING);
	assert_int_equal(s->len, 3);
	assert_memory_equal(s->str, "a\0b", 4);
	assert_int_equal(sf_doc_root(doc)->items[1]->members[0].key_len, 2);
	assert_memory_equal(sf_doc_root(doc)->items[1]->members[0].key, "k\0", 3);
	check_round_trip(doc, "NUL");
	sf_doc_free(doc);
}

/* ---- values ---- */

static void test_node_positions(void **state)
{
	struct sf_doc *doc =
	    parse_ok("{\n\t\"names\": [\"read\", \"write\"],\n\t\"é\": {\"k\": null}\n}");
	const struct sf_node *root = sf_doc_root(doc), *names, *inner;

	assert_int_equal(root->line, 1);
	assert_int_equal(root->col, 1);
	assert_int_equal(root->len, 2);
	assert_int_equal(root->members[0].line, 2);
	assert_int_equal(root->members[0].col, 2);
	names = root->members[0].value;
	assert_int_equal(names->line, 2);
	assert_int_equal(names->col, 11);
	assert_int_equal(names->items[0]->col, 12);
	assert_int_equal(names->items[1]->line, 2);
	assert_int_equal(names->items[1]->col, 20);
	assert_string_equal(root->members[1].key, "é");
	assert_int_equal(root->members[1].line, 3);
	assert_int_equal(root->members[1].col, 2);
	inner = root->members[1].value;
	assert_int_equal(inner->line, 3);
	assert_int_equal(inner->col, 7);
	assert_int_equal(inner->members[0].col, 8);
	assert_int_equal(inner->members[0].value->kind, SF_NODE_NULL);
	assert_int_equal(inner->members[0].value->line, 3);
	assert_int_equal(inner->members[0].value->col, 13);
	sf_doc_free(doc);

	doc = parse_ok("[\"日本語\", 1,\r\n  -2.5e3]");
	root = sf_doc_root(doc);
	assert_int_equal(root->items[1]->col, 9);
	assert_int_equal(root->items[2]->line, 2);
	assert_int_equal(root->items[2]->col, 3);
	assert_string_equal(root->items[2]->str, "-2.5e3");
	sf_doc_free(doc);

	doc = parse_ok("\n\n   true ");
	assert_int_equal(sf_doc_root(doc)->kind, SF_NODE_BOOL);
	assert_true(sf_doc_root(doc)->boolean);
	assert_int_equal(sf_doc_root(doc)->line, 3);
	assert_int_equal(sf_doc_root(doc)->col, 4);
	sf_doc_free(doc);
}

static void test_uint64_survives(void **state)
{
	struct sf_doc *doc = parse_ok("[18446744073709551615, -9223372036854775808, 1.5E+300, "
				      "123456789012345678901234567890, -0, 0.0e-0]");
	const struct sf_node *root = sf_doc_root(doc);
	uint64_t u;
	int64_t i;

	assert_string_equal(root->items[0]->str, "18446744073709551615");
	assert_int_equal(root->items[0]->len, 20);
	assert_int_equal(sf_node_u64(root->items[0], &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(sf_node_i64(root->items[1], &i), 0);
	assert_true(i == INT64_MIN);
	assert_string_equal(root->items[2]->str, "1.5E+300");
	assert_int_equal(sf_node_u64(root->items[3], &u), -ERANGE);
	assert_string_equal(root->items[4]->str, "-0");
	assert_string_equal(root->items[5]->str, "0.0e-0");

	char *out = write_json("[18446744073709551615]", SF_JSON_COMPACT);
	assert_string_equal(out, "[18446744073709551615]");
	free(out);
	sf_doc_free(doc);
}

static void test_duplicate_keys_kept(void **state)
{
	struct sf_doc *doc = parse_ok("{\"a\": 1, \"b\": 2, \"a\": 3}");
	const struct sf_node *root = sf_doc_root(doc);

	assert_int_equal(root->len, 3);
	assert_string_equal(root->members[0].key, "a");
	assert_string_equal(root->members[0].value->str, "1");
	assert_string_equal(root->members[1].key, "b");
	assert_string_equal(root->members[2].key, "a");
	assert_string_equal(root->members[2].value->str, "3");
	assert_int_equal(root->members[2].col, 18);
	assert_ptr_equal(sf_node_get(root, "a"), root->members[0].value);
	check_round_trip(doc, "duplicates");
	sf_doc_free(doc);
}

static char *nested(size_t depth, const char *open, const char *inner, const char *close)
{
	size_t lo = strlen(open), li = strlen(inner), lc = strlen(close);
	char *s = malloc(depth * (lo + lc) + li + 1), *p = s;

	assert_non_null(s);
	for (size_t i = 0; i < depth; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, inner, li);
	p += li;
	for (size_t i = 0; i < depth; i++, p += lc)
		memcpy(p, close, lc);
	*p = 0;
	return s;
}

static void test_depth_limit(void **state)
{
	char *s = nested(SF_DOC_MAX_DEPTH, "[", "1", "]");
	struct sf_doc *doc = parse_ok(s);
	check_round_trip(doc, "512 levels");
	sf_doc_free(doc);
	free(s);

	s = nested(SF_DOC_MAX_DEPTH + 1, "[", "", "]");
	expect_error(s, 1, SF_DOC_MAX_DEPTH + 1, "nesting deeper than 512 levels");
	free(s);

	s = nested(SF_DOC_MAX_DEPTH + 1, "{\"a\":", "{}", "}");
	expect_error(s, 1, 5 * SF_DOC_MAX_DEPTH + 1, "nesting deeper than 512 levels");
	free(s);

	/* Deep inputs must fail cleanly, not exhaust the stack. */
	s = nested(100000, "[", "", "");
	expect_error(s, 1, SF_DOC_MAX_DEPTH + 1, "nesting deeper than 512 levels");
	free(s);
	s = nested(100000, "{\"\":", "", "");
	expect_error(s, 1, 4 * SF_DOC_MAX_DEPTH + 1, "nesting deeper than 512 levels");
	free(s);
}

static void test_empty_containers_and_scalars(void **state)
{
	struct sf_doc *doc = parse_ok(" [ [ ] , { } , \"\" , 0 , false , null ] ");
	const struct sf_node *root = sf_doc_root(doc);

	assert_int_equal(root->len, 6);
	assert_int_equal(root->items[0]->kind, SF_NODE_ARRAY);
	assert_int_equal(root->items[0]->len, 0);
	assert_int_equal(root->items[1]->kind, SF_NODE_OBJECT);
	assert_int_equal(root->items[1]->len, 0);
	assert_int_equal(root->items[2]->kind, SF_NODE_STRING);
	assert_int_equal(root->items[2]->len, 0);
	assert_string_equal(root->items[2]->str, "");
	assert_int_equal(root->items[4]->kind, SF_NODE_BOOL);
	assert_false(root->items[4]->boolean);
	assert_int_equal(root->items[5]->kind, SF_NODE_NULL);
	sf_doc_free(doc);
}

static void test_escapes_decoded(void **state)
{
	struct sf_doc *doc =
	    parse_ok("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\\u00e9\\u65E5\\uD834\\uDD1E\", \"é𝄞\"]");
	const struct sf_node *root = sf_doc_root(doc);

	assert_string_equal(root->items[0]->str, "\"\\/\b\f\n\r\t");
	assert_string_equal(root->items[1]->str, "é日𝄞");
	assert_int_equal(root->items[1]->len, 2 + 3 + 4);
	assert_string_equal(root->items[2]->str, "é𝄞");
	check_round_trip(doc, "escapes");
	sf_doc_free(doc);
}

static void test_append_to_read_array(void **state)
{
	struct sf_doc *doc = parse_ok("[1,2,3,4,5]");
	struct sf_node *root = sf_doc_root(doc);

	for (int i = 0; i < 20; i++)
		assert_int_equal(sf_node_append(doc, root, sf_node_new_u64(doc, (uint64_t)i)), 0);
	assert_int_equal(root->len, 25);
	assert_string_equal(root->items[4]->str, "5");
	assert_string_equal(root->items[24]->str, "19");
	sf_doc_free(doc);
}

/* ---- robustness ---- */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void test_random_garbage(void **state)
{
	const size_t size = 10u << 20;
	char *buf = malloc(size);
	uint64_t seed = 0x5f3759df12345678ull;
	struct sf_error err;

	assert_non_null(buf);
	for (size_t i = 0; i < size; i++)
		buf[i] = (char)(rng_next(&seed) >> 24);
	assert_null(parse_n(buf, size, &err));
	assert_true(err.line >= 1 && err.col >= 1);

	/* Garbage made of JSON tokens gets much further into the reader. */
	static const char *tokens[] = {
	    "[",      "]",    "{",    "}", ",",	 ":",	  "\"k\"", "\"\\u00e9\"", "1",
	    "-0.5e3", "true", "null", " ", "\n", "\"é\"", "[[[",   "]]]",	  "\"a\":1"};
	for (int round = 0; round < 20000; round++) {
		size_t n = 0, ntok = rng_next(&seed) % 60 + 1;
		for (size_t t = 0; t < ntok; t++) {
			const char *tok =
			    tokens[rng_next(&seed) % (sizeof(tokens) / sizeof(*tokens))];
			size_t l = strlen(tok);
			memcpy(buf + n, tok, l);
			n += l;
		}
		struct sf_doc *doc = parse_n(buf, n, &err);
		if (doc) {
			check_round_trip(doc, "token garbage");
			sf_doc_free(doc);
		} else {
			assert_true(err.line >= 1 && err.col >= 1);
		}
	}

	/* Every value of a single-byte change of a valid document: no crash either way. */
	const char *valid = "{\"a\": [1, -2.5e+3, \"x\\u00e9\"], \"b\": {\"c\": null}}";
	size_t vl = strlen(valid);
	for (size_t i = 0; i < vl; i++)
		for (int b = 0; b < 256; b++) {
			memcpy(buf, valid, vl);
			buf[i] = (char)b;
			struct sf_doc *doc = parse_n(buf, vl, &err);
			if (doc) {
				check_round_trip(doc, "mutation");
				sf_doc_free(doc);
			}
		}
	free(buf);
}

static const char sample[] =
    "{\n"
    "\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
    "\t\"defaultErrnoRet\": 1,\n"
    "\t\"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": []}],\n"
    "\t\"syscalls\": [\n"
    "\t\t{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
    "\t\t \"args\": [{\"index\": 0, \"value\": 18446744073709551615, \"op\": "
    "\"SCMP_CMP_EQ\"}]},\n"
    "\t\t{\"names\": [\"caf\\u00e9\", \"日本\", \"\\uD834\\uDD1E\"], \"comment\": \"a\\tb\\n\","
    " \"x\": [true, false, null, 0, -1.5e-7, {}]}\n"
    "\t]\n"
    "}\n";

static void test_truncations_refused(void **state)
{
	size_t last = strrchr(sample, '}') - sample;
	struct sf_error err;
	struct sf_doc *doc = parse_ok(sample);

	check_round_trip(doc, "sample");
	sf_doc_free(doc);
	for (size_t n = 0; n <= last; n++) {
		char *copy = malloc(n + 1); /* exact size, so ASan sees any read past the end */
		assert_non_null(copy);
		memcpy(copy, sample, n);
		doc = parse_n(copy, n, &err);
		if (doc)
			fail_msg("prefix of %zu bytes accepted", n);
		assert_true(err.line >= 1 && err.col >= 1);
		free(copy);
	}
}

/* ---- writer ---- */

static const char layout_in[] =
    "{\"a\":[1,{\"b\":null},[],{}],\"c\":\"x\\ny\\u0001\\\"\\\\\\/é\\u007f\",\"d\":true,"
    "\"e\":false,\"\\t\":-0.5E3}";

static void test_write_default_layout(void **state)
{
	char *out = write_json(layout_in, 0);
	assert_string_equal(out, "{\n"
				 "\t\"a\": [\n"
				 "\t\t1,\n"
				 "\t\t{\n"
				 "\t\t\t\"b\": null\n"
				 "\t\t},\n"
				 "\t\t[],\n"
				 "\t\t{}\n"
				 "\t],\n"
				 "\t\"c\": \"x\\ny\\u0001\\\"\\\\/é\x7f\",\n"
				 "\t\"d\": true,\n"
				 "\t\"e\": false,\n"
				 "\t\"\\t\": -0.5E3\n"
				 "}\n");
	free(out);
	out = write_json("[]", 0);
	assert_string_equal(out, "[]\n");
	free(out);
	out = write_json("\"s\"", 0);
	assert_string_equal(out, "\"s\"\n");
	free(out);
}

static void test_write_compact(void **state)
{
	char *out = write_json(layout_in, SF_JSON_COMPACT);
	assert_string_equal(out,
			    "{\"a\":[1,{\"b\":null},[],{}],\"c\":\"x\\ny\\u0001\\\"\\\\/é\x7f\","
			    "\"d\":true,\"e\":false,\"\\t\":-0.5E3}");
	free(out);
	out = write_json(" 42 ", SF_JSON_COMPACT);
	assert_string_equal(out, "42");
	free(out);
}

static void test_put_string_escapes(void **state)
{
	struct sf_buf b = {0};

	sf_json_put_string(&b, "\"\\\b\f\n\r\t\x01\x1f\0 /é\x7f", 15);
	assert_string_equal(b.data, "\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\\u0000 /é\x7f\"");
	sf_buf_free(&b);
	sf_json_put_string(&b, "", 0);
	assert_string_equal(b.data, "\"\"");
	sf_buf_free(&b);
	/* Bytes that are not UTF-8 become U+FFFD, so the output is always JSON. */
	sf_json_put_string(&b, "a\xff\xc3", 3);
	assert_string_equal(b.data, "\"a\xef\xbf\xbd\xef\xbf\xbd\"");
	sf_buf_free(&b);
}

static void test_write_in_memory_tree(void **state)
{
	struct sf_doc *doc = sf_doc_new("mem");
	struct sf_node *root = sf_node_new(doc, SF_NODE_OBJECT), *arr;
	struct sf_buf b = {0};
	static const struct {
		const char *in, *out;
	} numbers[] = {
	    {"+1", "1"},   {"0x1F", "31"},	{"007", "7"}, {"-0o17", "-15"},
	    {".5", "0.5"}, {"-.5e3", "-0.5e3"}, {"1.", "1"},  {"+00.250", "0.250"},
	    {"12", "12"},  {"-0", "-0"},
	};

	assert_non_null(doc);
	arr = sf_node_new(doc, SF_NODE_ARRAY);
	for (size_t i = 0; i < sizeof(numbers) / sizeof(*numbers); i++) {
		struct sf_node *n = sf_node_new(doc, SF_NODE_NUMBER);
		n->str = numbers[i].in;
		n->len = strlen(numbers[i].in);
		assert_int_equal(sf_node_append(doc, arr, n), 0);
	}
	assert_int_equal(sf_node_set(doc, root, "n", arr), 0);
	assert_int_equal(sf_node_set(doc, root, "s", sf_node_new_string(doc, "v")), 0);
	assert_int_equal(sf_node_write_json(root, SF_JSON_COMPACT, &b), 0);
	assert_string_equal(b.data, "{\"n\":[1,31,7,-15,0.5,-0.5e3,1,0.250,12,-0],\"s\":\"v\"}");
	sf_buf_free(&b);

	/* JSON cannot hold these: refused rather than written as something else. */
	struct sf_node *inf = sf_node_new(doc, SF_NODE_NUMBER);
	inf->str = ".inf";
	inf->len = 4;
	assert_int_equal(sf_node_write_json(inf, 0, &b), -EINVAL);
	sf_buf_free(&b);
	struct sf_node *bad = sf_node_new_stringn(doc, "\xff", 1);
	assert_int_equal(sf_node_write_json(bad, 0, &b), -EILSEQ);
	sf_buf_free(&b);
	assert_int_equal(sf_node_write_json(NULL, 0, &b), -EINVAL);
	sf_buf_free(&b);

	/* Deeper than the readers accept (or a cycle): refused, not a stack overflow. */
	struct sf_node *cyc = sf_node_new(doc, SF_NODE_ARRAY);
	assert_int_equal(sf_node_append(doc, cyc, cyc), 0);
	assert_int_equal(sf_node_write_json(cyc, 0, &b), -ELOOP);
	sf_buf_free(&b);
	sf_doc_free(doc);
}

/* ---- real profiles ---- */

static void test_profiles_round_trip(void **state)
{
	char dirbuf[4096], path[8192];
	const char *shared = getenv("SYSFENCE_SHARED");
	struct dirent *e;
	unsigned count = 0;
	DIR *d;

	snprintf(dirbuf, sizeof(dirbuf), "%s/corpus/profiles",
		 shared && *shared ? shared : "../shared");
	d = opendir(dirbuf);
	if (!d) {
		print_message("%s not found: skipped\n", dirbuf);
		skip();
	}
	while ((e = readdir(d))) {
		struct sf_error err;
		struct sf_doc *doc;

		if (!strstr(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirbuf, e->d_name);
		if (sf_doc_read_file(path, SF_DOC_JSON, 0, &doc, &err) < 0)
			fail_msg("%s: %u:%u: %s", e->d_name, err.line, err.col, err.msg);
		check_round_trip(doc, e->d_name);
		sf_doc_free(doc);
		count++;
	}
	closedir(d);
	print_message("%u profiles\n", count);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_suite_y_accepted),
	    cmocka_unit_test(test_suite_n_refused_with_position),
	    cmocka_unit_test(test_suite_i_decided),
	    cmocka_unit_test(test_error_positions),
	    cmocka_unit_test(test_nul_bytes),
	    cmocka_unit_test(test_node_positions),
	    cmocka_unit_test(test_uint64_survives),
	    cmocka_unit_test(test_duplicate_keys_kept),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_empty_containers_and_scalars),
	    cmocka_unit_test(test_escapes_decoded),
	    cmocka_unit_test(test_append_to_read_array),
	    cmocka_unit_test(test_random_garbage),
	    cmocka_unit_test(test_truncations_refused),
	    cmocka_unit_test(test_write_default_layout),
	    cmocka_unit_test(test_write_compact),
	    cmocka_unit_test(test_put_string_escapes),
	    cmocka_unit_test(test_write_in_memory_tree),
	    cmocka_unit_test(test_profiles_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
