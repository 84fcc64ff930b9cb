/* Tests for the YAML reader and writer (lib/doc/yaml-read.c, lib/doc/yaml-write.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sysfence/doc.h>

#define NAME		 "test.yaml"
#define SF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Helpers. */

static int parse_n(const char *data, size_t len, unsigned flags, struct sf_doc **doc,
		   struct sf_error *err)
{
	memset(err, 0, sizeof(*err));
	return sf_doc_parse(NAME, data, len, SF_DOC_YAML, flags, doc, err);
}

static struct sf_doc *parse_ok_n(const char *data, size_t len, unsigned flags)
{
	struct sf_doc *doc = NULL;
	struct sf_error err;
	int r = parse_n(data, len, flags, &doc, &err);
	if (r < 0)
		print_error("unexpected error: %d:%d: %s\n", err.line, err.col, err.msg);
	assert_int_equal(r, 0);
	assert_non_null(doc);
	return doc;
}

static struct sf_doc *parse_ok(const char *data)
{
	return parse_ok_n(data, strlen(data), 0);
}

static struct sf_doc *parse_multi(const char *data)
{
	return parse_ok_n(data, strlen(data), SF_DOC_MULTI);
}

/* Parse must fail at line:col with a message holding want. */
static void expect_error(const char *data, unsigned flags, unsigned line, unsigned col,
			 const char *want)
{
	struct sf_doc *doc = NULL;
	struct sf_error err;
	int r = parse_n(data, strlen(data), flags, &doc, &err);

	if (r == 0) {
		sf_doc_free(doc);
		fail_msg("parsed without error: %s", data);
	}
	assert_int_equal(r, -EINVAL);
	assert_null(doc);
	assert_string_equal(err.file, NAME);
	if (!strstr(err.msg, want) || err.line != line || err.col != col)
		fail_msg("input %s\nwant %u:%u \"%s\"\ngot  %u:%u \"%s\"", data, line, col, want,
			 err.line, err.col, err.msg);
}

/* The value of key in the single root object. */
static const struct sf_node *value_of(const struct sf_doc *doc, const char *key)
{
	const struct sf_node *v = sf_node_get(sf_doc_root(doc), key);
	if (!v)
		fail_msg("no key %s", key);
	return v;
}

static void assert_scalar(const struct sf_node *n, enum sf_node_kind kind, const char *text)
{
	if (n->kind != kind)
		fail_msg("\"%s\": kind %s, want %s", n->kind == SF_NODE_STRING ? n->str : text,
			 sf_node_kind_name(n->kind), sf_node_kind_name(kind));
	if (text && (kind == SF_NODE_STRING || kind == SF_NODE_NUMBER)) {
		assert_int_equal(n->len, strlen(text));
		assert_string_equal(n->str, text);
	}
}

/* Read `v: TEXT` and check the kind v takes. */
static void check_plain(const char *text, enum sf_node_kind kind)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "v: %s\n", text);
	struct sf_doc *doc = parse_ok(buf);
	const struct sf_node *v = value_of(doc, "v");
	assert_scalar(v, kind, kind == SF_NODE_STRING || kind == SF_NODE_NUMBER ? text : NULL);
	assert_false(v->quoted);
	sf_doc_free(doc);
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

/* Write node, read it back, compare; write again and get the same bytes. Returns the text. */
static char *roundtrip(const struct sf_node *node)
{
	struct sf_buf out = {0}, again = {0};
	struct sf_error err = {0};
	struct sf_doc *doc;

	if (sf_node_write_yaml(node, &out, &err) < 0)
		fail_msg("write: %s", err.msg);
	assert_false(out.oom);
	doc = parse_ok_n(out.data, out.len, 0);
	if (!tree_equal(node, sf_doc_root(doc)))
		fail_msg("the tree read back differs; written:\n%s", out.data);
	assert_int_equal(sf_node_write_yaml(sf_doc_root(doc), &again, &err), 0);
	assert_int_equal(again.len, out.len);
	assert_memory_equal(again.data, out.data, out.len);
	sf_buf_free(&again);
	sf_doc_free(doc);
	return out.data;
}

static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* Nodes with aliases expanded, counting stops past limit. */
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

/* Parse, and when it works, round-trip every root: used on hostile inputs. */
static void parse_anything(const char *data, size_t len)
{
	struct sf_doc *doc = NULL;
	struct sf_error err;

	if (parse_n(data, len, SF_DOC_MULTI, &doc, &err) < 0) {
		assert_true(err.msg[0] != 0);
		assert_null(doc);
		return;
	}
	for (size_t i = 0; i < doc->nroots; i++)
		if (expanded_size(doc->roots[i], 100000) <= 100000)
			free(roundtrip(doc->roots[i]));
	sf_doc_free(doc);
}

/* Scalar resolution: the YAML 1.2 core schema. */

static void test_plain_null(void **state)
{
	check_plain("null", SF_NODE_NULL);
	check_plain("Null", SF_NODE_NULL);
	check_plain("NULL", SF_NODE_NULL);
	check_plain("~", SF_NODE_NULL);
	check_plain("", SF_NODE_NULL);
	check_plain("nULL", SF_NODE_STRING);
	check_plain("none", SF_NODE_STRING);
	check_plain("nil", SF_NODE_STRING);
}

static void test_plain_bool(void **state)
{
	static const char *const yes[] = {"true", "True", "TRUE"};
	static const char *const no[] = {"false", "False", "FALSE"};
	for (size_t i = 0; i < 3; i++) {
		char buf[64];
		snprintf(buf, sizeof(buf), "t: %s\nf: %s\n", yes[i], no[i]);
		struct sf_doc *doc = parse_ok(buf);
		assert_int_equal(value_of(doc, "t")->kind, SF_NODE_BOOL);
		assert_true(value_of(doc, "t")->boolean);
		assert_int_equal(value_of(doc, "f")->kind, SF_NODE_BOOL);
		assert_false(value_of(doc, "f")->boolean);
		sf_doc_free(doc);
	}
}

/* YAML 1.1 booleans are strings in YAML 1.2. */
static void test_plain_yaml11_bools_are_strings(void **state)
{
	static const char *const words[] = {"yes", "no", "on", "off", "y",   "n",
					    "Yes", "NO", "On", "OFF", "tRUE"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		check_plain(words[i], SF_NODE_STRING);
}

static void test_plain_int(void **state)
{
	static const char *const ints[] = {"0",
					   "12",
					   "-1",
					   "+5",
					   "007",
					   "0x1F",
					   "0xff",
					   "0xA0",
					   "0o17",
					   "0o0",
					   "-0",
					   "+0",
					   "123456789012345678901234567890"};
	static const char *const strings[] = {"0x",    "0xG",	"0o",	"0o8",	 "-0x1",
					      "+0o7",  "0X1F",	"0O17", "1_000", "1,000",
					      "12abc", "0b101", "++1",	"1 2",	 "0x1F_"};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		check_plain(ints[i], SF_NODE_NUMBER);
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		check_plain(strings[i], SF_NODE_STRING);
	check_plain("1:30", SF_NODE_STRING); /* YAML 1.1 sexagesimal */
}

/* sf_node_u64/i64 read every integer form the reader produces. */
static void test_plain_int_values(void **state)
{
	struct sf_doc *doc = parse_ok("a: 0x1F\nb: 0o17\nc: +5\nd: 18446744073709551615\ne: -1\n"
				      "f: 007\ng: 18446744073709551616\nh: 1.5\n");
	uint64_t u;
	int64_t i;

	assert_int_equal(sf_node_u64(value_of(doc, "a"), &u), 0);
	assert_int_equal(u, 31);
	assert_int_equal(sf_node_u64(value_of(doc, "b"), &u), 0);
	assert_int_equal(u, 15);
	assert_int_equal(sf_node_u64(value_of(doc, "c"), &u), 0);
	assert_int_equal(u, 5);
	assert_int_equal(sf_node_u64(value_of(doc, "d"), &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(sf_node_i64(value_of(doc, "e"), &i), 0);
	assert_int_equal(i, -1);
	assert_int_equal(sf_node_u64(value_of(doc, "e"), &u), -ERANGE);
	assert_int_equal(sf_node_u64(value_of(doc, "f"), &u), 0);
	assert_int_equal(u, 7); /* YAML 1.2: decimal, not octal */
	assert_int_equal(sf_node_u64(value_of(doc, "g"), &u), -ERANGE);
	assert_int_equal(sf_node_u64(value_of(doc, "h"), &u), -EINVAL);
	sf_doc_free(doc);
}

static void test_plain_float(void **state)
{
	static const char *const floats[] = {"1.5",	"-1.5e3", ".5",	   "1.",   "1e3",  "1E+3",
					     "-2.5E-2", "+.inf",  "-.Inf", ".INF", ".inf", ".nan",
					     ".NaN",	".NAN",	  "0.0",   "+1.0", "-.5"};
	static const char *const strings[] = {".",     "e3",   "1e",	  ".infinity", "+.nan",
					      "nan",   "inf",  "1.2.3",	  ".Nan",      "1e3.5",
					      "-.inF", "1.5x", "Infinity"};
	for (size_t i = 0; i < sizeof(floats) / sizeof(floats[0]); i++)
		check_plain(floats[i], SF_NODE_NUMBER);
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		check_plain(strings[i], SF_NODE_STRING);
}

static void test_plain_strings(void **state)
{
	check_plain("hello world", SF_NODE_STRING);
	check_plain("runtime/default", SF_NODE_STRING);
	check_plain("SCMP_ACT_ERRNO", SF_NODE_STRING);
	check_plain("2024-01-01", SF_NODE_STRING); /* no timestamps in the core schema */
	check_plain("a#b", SF_NODE_STRING);
	check_plain("é中", SF_NODE_STRING);
}

static void test_quoted_scalars_are_strings(void **state)
{
	struct sf_doc *doc = parse_ok("a: \"true\"\nb: '123'\nc: \"null\"\nd: ''\ne: \"~\"\n"
				      "f: '0x1F'\ng: |\n  123\nh: >-\n  false\ni: plain\n");
	static const struct {
		const char *key, *text;
	} want[] = {{"a", "true"}, {"b", "123"},  {"c", "null"},  {"d", ""},
		    {"e", "~"},	   {"f", "0x1F"}, {"g", "123\n"}, {"h", "false"}};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct sf_node *v = value_of(doc, want[i].key);
		assert_scalar(v, SF_NODE_STRING, want[i].text);
		assert_true(v->quoted);
	}
	assert_false(value_of(doc, "i")->quoted);
	sf_doc_free(doc);
}

static void test_escapes_in_double_quotes(void **state)
{
	struct sf_doc *doc = parse_ok("a: \"x\\0y\"\nb: \"tab\\there\\u00e9\\n\"\nc: 'it''s'\n");
	const struct sf_node *a = value_of(doc, "a");

	assert_int_equal(a->kind, SF_NODE_STRING);
	assert_int_equal(a->len, 3);
	assert_memory_equal(a->str, "x\0y", 3);
	assert_scalar(value_of(doc, "b"), SF_NODE_STRING, "tab\there\xc3\xa9\n");
	assert_scalar(value_of(doc, "c"), SF_NODE_STRING, "it's");
	sf_doc_free(doc);
}

static void test_tags(void **state)
{
	struct sf_doc *doc =
	    parse_ok("a: !!str 123\nb: !!int \"12\"\nc: !!float 1\nd: !!bool "
		     "\"false\"\ne: !!null \"\"\nf: ! 12\ng: !!str true\n"
		     "h: !!map {x: 1}\ni: !!seq [1]\nj: !<tag:yaml.org,2002:str> 7\n");

	assert_scalar(value_of(doc, "a"), SF_NODE_STRING, "123");
	assert_scalar(value_of(doc, "b"), SF_NODE_NUMBER, "12");
	assert_false(value_of(doc, "b")->quoted);
	assert_scalar(value_of(doc, "c"), SF_NODE_NUMBER, "1");
	assert_scalar(value_of(doc, "d"), SF_NODE_BOOL, NULL);
	assert_false(value_of(doc, "d")->boolean);
	assert_scalar(value_of(doc, "e"), SF_NODE_NULL, NULL);
	assert_scalar(value_of(doc, "f"), SF_NODE_STRING, "12");
	assert_scalar(value_of(doc, "g"), SF_NODE_STRING, "true");
	assert_int_equal(value_of(doc, "h")->kind, SF_NODE_OBJECT);
	assert_int_equal(value_of(doc, "i")->kind, SF_NODE_ARRAY);
	assert_scalar(value_of(doc, "j"), SF_NODE_STRING, "7");
	sf_doc_free(doc);

	expect_error("a: !!int abc\n", 0, 1, 4, "\"abc\" is not a valid !!int");
	expect_error("a: !!float x\n", 0, 1, 4, "is not a valid !!float");
	expect_error("a: !!bool yes\n", 0, 1, 4, "is not a valid !!bool");
	expect_error("a: !!null 0\n", 0, 1, 4, "is not a valid !!null");
	expect_error("a: !!binary aGVsbG8=\n", 0, 1, 4, "unsupported tag !!binary");
	expect_error("a: !custom x\n", 0, 1, 4, "unsupported tag !custom");
	expect_error("a: !!seq {x: 1}\n", 0, 1, 4, "unsupported tag !!seq on a mapping");
	expect_error("a: !!set {x: 1}\n", 0, 1, 4, "unsupported tag !!set");
	expect_error("!!int x: 1\n", 0, 1, 1, "is not a valid !!int");
	/* Messages stay on one line. */
	expect_error("a: !!int \"1\\n2\"\n", 0, 1, 4, "\"1?2\" is not a valid !!int");
}

/* Positions. */

static void test_positions(void **state)
{
	struct sf_doc *doc = parse_ok("# comment\n"
				      "apiVersion: v1\n"
				      "spec:\n"
				      "  list:\n"
				      "    - one\n"
				      "    -   \"two\"\n"
				      "  flow: {x: [1, 2]}\n");
	const struct sf_node *root = sf_doc_root(doc), *spec, *list, *flow;

	assert_int_equal(root->kind, SF_NODE_OBJECT);
	assert_int_equal(root->line, 2);
	assert_int_equal(root->col, 1);
	assert_int_equal(root->members[0].line, 2);
	assert_int_equal(root->members[0].col, 1);
	assert_int_equal(root->members[0].value->line, 2);
	assert_int_equal(root->members[0].value->col, 13);
	assert_int_equal(root->members[1].line, 3);
	spec = root->members[1].value;
	assert_int_equal(spec->line, 4);
	assert_int_equal(spec->col, 3);
	assert_int_equal(spec->members[0].line, 4);
	assert_int_equal(spec->members[0].col, 3);
	list = spec->members[0].value;
	assert_int_equal(list->line, 5);
	assert_int_equal(list->col, 5);
	assert_int_equal(list->items[0]->line, 5);
	assert_int_equal(list->items[0]->col, 7);
	assert_int_equal(list->items[1]->line, 6);
	assert_int_equal(list->items[1]->col, 9);
	assert_int_equal(spec->members[1].line, 7);
	assert_int_equal(spec->members[1].col, 3);
	flow = spec->members[1].value;
	assert_int_equal(flow->line, 7);
	assert_int_equal(flow->col, 9);
	assert_int_equal(flow->members[0].col, 10);
	assert_int_equal(flow->members[0].value->col, 13);
	assert_int_equal(flow->members[0].value->items[1]->col, 17);
	sf_doc_free(doc);
}

static void test_positions_crlf_and_unicode(void **state)
{
	struct sf_doc *doc = parse_ok("a: 1\r\nbé: \"ü\"\r\nc: x\r\n");
	const struct sf_node *root = sf_doc_root(doc);

	assert_int_equal(root->members[1].line, 2);
	assert_int_equal(root->members[1].value->col, 5); /* columns count characters */
	assert_int_equal(root->members[2].line, 3);
	sf_doc_free(doc);
}

/* Keys. */

static void test_duplicate_keys_kept(void **state)
{
	struct sf_doc *doc = parse_ok("a: 1\nb: 2\na: 3\n");
	const struct sf_node *root = sf_doc_root(doc);

	assert_int_equal(root->len, 3);
	assert_string_equal(root->members[0].key, "a");
	assert_string_equal(root->members[2].key, "a");
	assert_int_equal(root->members[2].line, 3);
	assert_string_equal(root->members[2].value->str, "3");
	assert_string_equal(sf_node_get(root, "a")->str, "1"); /* the first one */
	sf_doc_free(doc);
}

static void test_scalar_keys_keep_their_text(void **state)
{
	struct sf_doc *doc = parse_ok("1: a\ntrue: b\n~: c\n\"q\": d\n0x10: e\n");
	const struct sf_node *root = sf_doc_root(doc);

	assert_string_equal(root->members[0].key, "1");
	assert_string_equal(root->members[1].key, "true");
	assert_string_equal(root->members[2].key, "~");
	assert_string_equal(root->members[3].key, "q");
	assert_string_equal(root->members[4].key, "0x10");
	sf_doc_free(doc);
}

static void test_collection_keys_refused(void **state)
{
	expect_error("? [a]\n: 1\n", 0, 1, 3, "a sequence cannot be a mapping key");
	expect_error("? {a: 1}\n: 1\n", 0, 1, 3, "a mapping cannot be a mapping key");
	expect_error("{[1]: 2}\n", 0, 1, 2, "a sequence cannot be a mapping key");
	expect_error("a: &x [1]\n*x : 2\n", 0, 2, 1, "alias *x names a sequence");
}

static void test_merge_keys_refused(void **state)
{
	expect_error("base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n", 0, 3, 3,
		     "merge keys (<<) are not supported");
	struct sf_doc *doc = parse_ok("\"<<\": 1\n");
	assert_string_equal(sf_doc_root(doc)->members[0].key, "<<");
	sf_doc_free(doc);
}

/* Anchors and aliases. */

static void test_aliases_share_nodes(void **state)
{
	struct sf_doc *doc = parse_ok("base: &b {x: 1, y: [a, b]}\n"
				      "one: *b\n"
				      "two: *b\n"
				      "s: &s text\n"
				      "t: *s\n"
				      "&k key: v\n"
				      "u: *k\n"
				      "*s : w\n");
	const struct sf_node *root = sf_doc_root(doc);

	assert_ptr_equal(value_of(doc, "one"), value_of(doc, "base"));
	assert_ptr_equal(value_of(doc, "two"), value_of(doc, "base"));
	assert_ptr_equal(value_of(doc, "t"), value_of(doc, "s"));
	assert_scalar(value_of(doc, "u"), SF_NODE_STRING, "key");
	assert_string_equal(root->members[7].key, "text");
	assert_int_equal(root->members[7].line, 8);
	assert_string_equal(value_of(doc, "text")->str, "w");
	sf_doc_free(doc);
}

static void test_anchor_redefined_takes_latest(void **state)
{
	struct sf_doc *doc = parse_ok("a: &x 1\nb: *x\nc: &x 2\nd: *x\n");
	assert_string_equal(value_of(doc, "b")->str, "1");
	assert_string_equal(value_of(doc, "d")->str, "2");
	sf_doc_free(doc);
}

static void test_alias_errors(void **state)
{
	expect_error("a: *nope\n", 0, 1, 4, "unknown alias *nope");
	/* An alias to a node that is not complete yet would make a cycle. */
	expect_error("&a [1, *a]\n", 0, 1, 8, "unknown alias *a");
	/* Anchors do not cross documents. */
	expect_error("a: &x 1\n---\nb: *x\n", SF_DOC_MULTI, 3, 4, "unknown alias *x");
}

static void test_billion_laughs_refused(void **state)
{
	const char *laughs =
	    "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
	    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
	    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	struct sf_doc *doc = NULL;
	struct sf_error err;

	assert_int_equal(parse_n(laughs, strlen(laughs), 0, &doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "aliases expand to more than 1000000 nodes"));
	assert_int_equal(err.line, 6);

	/* Up to the limit, aliases are fine: 4 levels of 10 expand to about 100000 nodes. */
	doc = parse_ok("a: &a [x,x,x,x,x,x,x,x,x,x]\n"
		       "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		       "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		       "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		       "e: [*d,*d,*d,*d,*d,*d,*d,*d]\n");
	sf_doc_free(doc);

	/* The count runs over the whole input: many documents cannot add up past it. */
	{
		const char *one = "---\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,"
				  "*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,"
				  "*c,*c,*c,*c,*c,*c,*c,*c]\n";
		size_t n = strlen(one), copies = 200;
		char *many = malloc(n * copies + 1);
		assert_non_null(many);
		for (size_t i = 0; i < copies; i++)
			memcpy(many + i * n, one, n);
		many[n * copies] = 0;
		assert_int_equal(parse_n(many, n * copies, SF_DOC_MULTI, &doc, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "billion laughs"));
		free(many);
	}
}

/* Documents. */

static void test_multi_documents(void **state)
{
	struct sf_doc *doc = parse_multi("a: 1\n---\nb: 2\n---\n- x\n");
	assert_int_equal(doc->nroots, 3);
	assert_non_null(sf_node_get(doc->roots[0], "a"));
	assert_non_null(sf_node_get(doc->roots[1], "b"));
	assert_int_equal(doc->roots[2]->kind, SF_NODE_ARRAY);
	sf_doc_free(doc);

	expect_error("a: 1\n---\nb: 2\n", 0, 2, 1,
		     "expected one YAML document, found a second at 2:1");
	expect_error("---\na: 1\n--- x\n", 0, 3, 1, "found a second at 3:1");
	expect_error("a: 1\n...\n---\nb: 2\n", 0, 3, 1, "found a second at 3:1");
}

static void test_empty_documents(void **state)
{
	struct sf_doc *doc = parse_multi("---\n# only a comment\n---\na: 1\n---\n...\n---\n");
	assert_int_equal(doc->nroots, 1);
	sf_doc_free(doc);

	doc = parse_multi("# nothing here\n\n");
	assert_int_equal(doc->nroots, 0);
	sf_doc_free(doc);
	doc = parse_multi("");
	assert_int_equal(doc->nroots, 0);
	sf_doc_free(doc);

	/* A document that says null is not empty. */
	doc = parse_multi("--- null\n--- ~\n");
	assert_int_equal(doc->nroots, 2);
	assert_int_equal(doc->roots[0]->kind, SF_NODE_NULL);
	sf_doc_free(doc);

	/* One document with empty ones around it is still one document. */
	doc = parse_ok("---\n---\na: 1\n---\n");
	assert_int_equal(doc->nroots, 1);
	sf_doc_free(doc);

	expect_error("", 0, 1, 1, "empty document");
	expect_error("# comment\n", 0, 1, 1, "empty document");
	expect_error("---\n...\n", 0, 1, 1, "empty document");
}

static void test_root_scalars(void **state)
{
	struct sf_doc *doc = parse_ok("just text\n");
	assert_scalar(sf_doc_root(doc), SF_NODE_STRING, "just text");
	sf_doc_free(doc);
	doc = parse_ok("42");
	assert_scalar(sf_doc_root(doc), SF_NODE_NUMBER, "42");
	sf_doc_free(doc);
	doc = parse_ok("--- \"\"\n");
	assert_scalar(sf_doc_root(doc), SF_NODE_STRING, "");
	sf_doc_free(doc);
}

/* Syntax errors carry libyaml's problem, the position and a hint. */

static void test_syntax_errors(void **state)
{
	expect_error("a:\n  b: 1\n c: 2\n", 0, 3, 2, "did not find expected key");
	expect_error("a:\n  b: 1\n c: 2\n", 0, 3, 2, "indent this line like the other keys");
	expect_error("a: b: c\n", 0, 1, 5, "mapping values are not allowed");
	expect_error("a: b: c\n", 0, 1, 5, "quote a value");
	expect_error("- a\nb: 1\n", 0, 2, 1, "did not find expected '-' indicator");
	expect_error("a: \"abc\n", 0, 2, 1, "unexpected end of stream");
	expect_error("a: \"abc\n", 0, 2, 1, "that starts at 1:4");
	expect_error("[1, 2", 0, 1, 6, "did not find expected ',' or ']'");
	expect_error("{a: 1", 0, 1, 6, "did not find expected ',' or '}'");
	expect_error("a: \"\\q\"\n", 0, 1, 5, "unknown escape character");
	expect_error("a: @x\n", 0, 1, 4, "cannot start any token");
	expect_error("a: !e!x 1\n", 0, 1, 4, "undefined tag handle");
}

static void test_tab_indentation(void **state)
{
	expect_error("a:\n\tb: 1\n", 0, 2, 1, "YAML indents with spaces only, never tabs");
	expect_error("a: 1\n\tb: 2\n", 0, 2, 1, "never tabs");
	expect_error("list:\n  - a\n\t- b\n", 0, 3, 1, "never tabs");
	/* A tab after a value indicator is only white space. */
	struct sf_doc *doc = parse_ok("a:\tb\n");
	assert_scalar(value_of(doc, "a"), SF_NODE_STRING, "b");
	sf_doc_free(doc);
}

static void test_invalid_text(void **state)
{
	expect_error("a: 1\nb: \xc3\x28\n", 0, 2, 5, "invalid trailing UTF-8 octet");
	expect_error("a: \xff\n", 0, 1, 4, "UTF-8");
	expect_error("a: \xed\xa0\x80\n", 0, 1, 4, "UTF-8"); /* an encoded surrogate */
	expect_error("a: \"\\ud800\"\n", 0, 1, 7, "invalid Unicode character escape code");
	expect_error("a: b\x01\n", 0, 1, 5, "control character 0x01");

	struct sf_doc *doc = NULL;
	struct sf_error err;
	assert_int_equal(parse_n("a: b\0c\n", 7, 0, &doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "NUL byte"));
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 5);
	assert_int_equal(parse_n("a: b\n\0", 6, 0, &doc, &err), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 1);
}

static void test_utf8_bom_and_utf16(void **state)
{
	struct sf_doc *doc = parse_ok("\xef\xbb\xbf"
				      "a: 1\n");
	assert_scalar(value_of(doc, "a"), SF_NODE_NUMBER, "1");
	sf_doc_free(doc);
	/* UTF-16 with a BOM is YAML too. */
	static const char utf16[] = "\xff\xfe"
				    "a\0:\0 \0x\0\n\0";
	doc = parse_ok_n(utf16, sizeof(utf16) - 1, 0);
	assert_scalar(value_of(doc, "a"), SF_NODE_STRING, "x");
	sf_doc_free(doc);
}

/* Nesting. */

static char *nested(size_t depth, const char *open, const char *close)
{
	size_t a = strlen(open), b = strlen(close);
	char *s = malloc(depth * (a + b) + 1), *p = s;
	assert_non_null(s);
	for (size_t i = 0; i < depth; i++, p += a)
		memcpy(p, open, a);
	for (size_t i = 0; i < depth; i++, p += b)
		memcpy(p, close, b);
	*p = 0;
	return s;
}

static void test_depth_limit(void **state)
{
	char *ok = nested(SF_DOC_MAX_DEPTH, "[", "]");
	char *deep = nested(SF_DOC_MAX_DEPTH + 1, "[", "]");
	char *objs = nested(SF_DOC_MAX_DEPTH + 1, "{a: ", "}");
	struct sf_doc *doc = parse_ok(ok);
	const struct sf_node *n = sf_doc_root(doc);

	for (int i = 1; i < SF_DOC_MAX_DEPTH; i++)
		n = n->items[0];
	assert_int_equal(n->kind, SF_NODE_ARRAY);
	assert_int_equal(n->len, 0);
	/* What was read can be written and read again. */
	free(roundtrip(sf_doc_root(doc)));
	sf_doc_free(doc);
	expect_error(deep, 0, 1, SF_DOC_MAX_DEPTH + 1, "nesting deeper than 512 levels");
	expect_error(objs, 0, 1, 4 * SF_DOC_MAX_DEPTH + 1, "nesting deeper than 512 levels");
	free(ok);
	free(deep);
	free(objs);

	/* Block style nests the same way. */
	size_t cap = (SF_DOC_MAX_DEPTH + 1) * (SF_DOC_MAX_DEPTH + 4), len = 0;
	char *block = malloc(cap);
	assert_non_null(block);
	for (int i = 0; i <= SF_DOC_MAX_DEPTH; i++)
		len += (size_t)snprintf(block + len, cap - len, "%*sk:\n", i, "");
	expect_error(block, 0, SF_DOC_MAX_DEPTH + 1, SF_DOC_MAX_DEPTH + 1, "nesting deeper");
	free(block);
}

/* Flow style, Kubernetes and SPO documents. */

static void test_flow_trailing_commas(void **state)
{
	struct sf_doc *doc = parse_ok("{a: 1, b: [1, 2,],}");
	const struct sf_node *root = sf_doc_root(doc), *b;

	assert_int_equal(root->len, 2);
	assert_scalar(value_of(doc, "a"), SF_NODE_NUMBER, "1");
	b = value_of(doc, "b");
	assert_int_equal(b->kind, SF_NODE_ARRAY);
	assert_int_equal(b->len, 2);
	assert_scalar(b->items[1], SF_NODE_NUMBER, "2");
	sf_doc_free(doc);
}

/* KYAML: the flow-style, JSON-like form Kubernetes writes. */
static void test_kyaml(void **state)
{
	struct sf_doc *doc = parse_ok("---\n"
				      "{\n"
				      "  apiVersion: \"v1\",\n"
				      "  kind: \"Pod\",\n"
				      "  metadata: {\n"
				      "    name: \"audit-pod\",\n"
				      "    labels: {app: \"audit-pod\"},\n"
				      "  },\n"
				      "  spec: {\n"
				      "    securityContext: {\n"
				      "      seccompProfile: {\n"
				      "        type: \"Localhost\",\n"
				      "        localhostProfile: \"profiles/audit.json\",\n"
				      "      },\n"
				      "    },\n"
				      "    containers: [{\n"
				      "      name: \"test-container\",\n"
				      "      image: \"hashicorp/http-echo:1.0\",\n"
				      "      args: [\"-text=just made some syscalls!\"],\n"
				      "      securityContext: {allowPrivilegeEscalation: false},\n"
				      "    }],\n"
				      "  },\n"
				      "}\n");
	const struct sf_node *spec = value_of(doc, "spec"), *sp, *c;

	sp = sf_node_get(sf_node_get(spec, "securityContext"), "seccompProfile");
	assert_scalar(sf_node_get(sp, "type"), SF_NODE_STRING, "Localhost");
	assert_int_equal(sf_node_get(sp, "type")->line, 12);
	c = sf_node_get(spec, "containers");
	assert_int_equal(c->len, 1);
	assert_int_equal(
	    sf_node_get(sf_node_get(c->items[0], "securityContext"), "allowPrivilegeEscalation")
		->kind,
	    SF_NODE_BOOL);
	sf_doc_free(doc);
}

static const char k8s_manifest[] = "# A deployment and its service\n"
				   "apiVersion: apps/v1\n"
				   "kind: Deployment\n"
				   "metadata:\n"
				   "  name: web\n"
				   "  labels: &labels\n"
				   "    app: web\n"
				   "    tier: \"frontend\"\n"
				   "spec:\n"
				   "  replicas: 3\n"
				   "  selector:\n"
				   "    matchLabels: *labels\n"
				   "  template:\n"
				   "    metadata:\n"
				   "      labels: *labels\n"
				   "      annotations:\n"
				   "        note: >\n"
				   "          folded text\n"
				   "          on two lines\n"
				   "    spec:\n"
				   "      securityContext:\n"
				   "        runAsNonRoot: true\n"
				   "        seccompProfile:\n"
				   "          type: RuntimeDefault\n"
				   "      containers:\n"
				   "      - name: app\n"
				   "        image: \"nginx:1.27\"\n"
				   "        ports:\n"
				   "        - containerPort: 8080\n"
				   "          protocol: TCP\n"
				   "        securityContext:\n"
				   "          allowPrivilegeEscalation: false\n"
				   "          privileged: false\n"
				   "          capabilities:\n"
				   "            drop: [\"ALL\"]\n"
				   "          seccompProfile:\n"
				   "            type: Localhost\n"
				   "            localhostProfile: operator/web/web.json\n"
				   "---\n"
				   "apiVersion: v1\n"
				   "kind: Service\n"
				   "metadata: {name: web}\n"
				   "spec:\n"
				   "  ports:\n"
				   "  - port: 80\n"
				   "    targetPort: 8080\n";

static void test_kubernetes_manifest(void **state)
{
	struct sf_doc *doc = parse_multi(k8s_manifest);
	const struct sf_node *dep, *pod, *ctr, *sp;

	assert_int_equal(doc->nroots, 2);
	dep = doc->roots[0];
	assert_scalar(sf_node_get(dep, "kind"), SF_NODE_STRING, "Deployment");
	assert_scalar(sf_node_get(sf_node_get(dep, "spec"), "replicas"), SF_NODE_NUMBER, "3");
	pod = sf_node_get(sf_node_get(sf_node_get(dep, "spec"), "template"), "spec");
	assert_true(sf_node_get(sf_node_get(pod, "securityContext"), "runAsNonRoot")->boolean);
	ctr = sf_node_get(pod, "containers")->items[0];
	assert_scalar(sf_node_get(ctr, "image"), SF_NODE_STRING, "nginx:1.27");
	sp = sf_node_get(sf_node_get(ctr, "securityContext"), "seccompProfile");
	assert_scalar(sf_node_get(sp, "localhostProfile"), SF_NODE_STRING, "operator/web/web.json");
	assert_int_equal(sf_node_get(sp, "localhostProfile")->line, 38);
	assert_int_equal(sf_node_get(sp, "localhostProfile")->col, 31);
	assert_scalar(
	    sf_node_get(sf_node_get(sf_node_get(sf_node_get(dep, "spec"), "template"), "metadata"),
			"annotations")
		->members[0]
		.value,
	    SF_NODE_STRING, "folded text on two lines\n");
	assert_scalar(sf_node_get(doc->roots[1], "kind"), SF_NODE_STRING, "Service");
	for (size_t i = 0; i < doc->nroots; i++)
		free(roundtrip(doc->roots[i]));
	sf_doc_free(doc);
}

static void test_spo_seccomp_profile(void **state)
{
	struct sf_doc *doc = parse_ok("apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
				      "kind: SeccompProfile\n"
				      "metadata:\n"
				      "  name: restricted\n"
				      "  namespace: default\n"
				      "spec:\n"
				      "  defaultAction: SCMP_ACT_ERRNO\n"
				      "  architectures:\n"
				      "  - SCMP_ARCH_X86_64\n"
				      "  - SCMP_ARCH_AARCH64\n"
				      "  syscalls:\n"
				      "  - action: SCMP_ACT_ALLOW\n"
				      "    names: [read, write, exit_group, futex]\n"
				      "  - action: SCMP_ACT_ALLOW\n"
				      "    names:\n"
				      "    - personality\n"
				      "    args:\n"
				      "    - index: 0\n"
				      "      value: 0xffffffff\n"
				      "      op: SCMP_CMP_EQ\n"
				      "  - action: SCMP_ACT_ERRNO\n"
				      "    errnoRet: 1\n"
				      "    names: [\"ptrace\"]\n");
	const struct sf_node *spec = value_of(doc, "spec"), *sys, *arg;
	uint64_t v;

	assert_scalar(sf_node_get(spec, "defaultAction"), SF_NODE_STRING, "SCMP_ACT_ERRNO");
	sys = sf_node_get(spec, "syscalls");
	assert_int_equal(sys->len, 3);
	assert_int_equal(sf_node_get(sys->items[0], "names")->len, 4);
	arg = sf_node_get(sys->items[1], "args")->items[0];
	assert_int_equal(sf_node_u64(sf_node_get(arg, "value"), &v), 0);
	assert_true(v == 0xffffffffu);
	assert_int_equal(sf_node_get(arg, "value")->line, 19);
	assert_int_equal(sf_node_get(arg, "value")->col, 14);
	assert_scalar(sf_node_get(sys->items[2], "errnoRet"), SF_NODE_NUMBER, "1");
	free(roundtrip(sf_doc_root(doc)));
	sf_doc_free(doc);
}

/* Writing. */

static void test_write_block_style(void **state)
{
	struct sf_doc *doc =
	    parse_ok("kind: SeccompProfile\n"
		     "spec: {defaultAction: SCMP_ACT_ERRNO, syscalls: [{names: "
		     "[read, write], action: SCMP_ACT_ALLOW}], empty: [], none: {}}\n"
		     "flags: [true, ~, 0x10, \"1\", yes]\n"
		     "text: \"line 1\\nline 2\\n\"\n");
	char *out = roundtrip(sf_doc_root(doc));

	assert_string_equal(out, "kind: SeccompProfile\n"
				 "spec:\n"
				 "  defaultAction: SCMP_ACT_ERRNO\n"
				 "  syscalls:\n"
				 "  - names:\n"
				 "    - read\n"
				 "    - write\n"
				 "    action: SCMP_ACT_ALLOW\n"
				 "  empty: []\n"
				 "  none: {}\n"
				 "flags:\n"
				 "- true\n"
				 "- null\n"
				 "- 0x10\n"
				 "- '1'\n"
				 "- 'yes'\n"
				 "text: |\n"
				 "  line 1\n"
				 "  line 2\n");
	free(out);
	sf_doc_free(doc);
}

/* Strings that would read back as something else are quoted; kinds survive. */
static void test_write_quotes_what_needs_it(void **state)
{
	static const char *const strings[] = {
	    "true",	"False", "123",	   "-1",	 "0x1",
	    "0o7",	"1.5",	 ".inf",   ".nan",	 "null",
	    "~",	"",	 " lead",  "trail ",	 "a: b",
	    "- x",	"#c",	 "x #c",   "yes",	 "off",
	    "0644",	"1:30",	 "1_000",  "2024-01-01", "<<",
	    "=",	"[a]",	 "{a}",	   "*x",	 "&x",
	    "!x",	"%x",	 "@x",	   "`x",	 "'q'",
	    "\"q\"",	"a\tb",	 "é",	   "\\",	 "---",
	    "...",	"- ",	 ":",	   "?",		 ",",
	    " a\n b",	"\na",	 "a\r\nb", "\xc2\x85",	 "\xef\xbb\xbf",
	    "\x7f",	"\x01",	 "x  y",   "a\n ",	 "  \n  ",
	    "a\u2028b", "\r"};
	/* Apart: clang-format puts a literal ending in \n on a line of its own. */
	static const char *const endings[] = {"\n", "a\n", "a\n\n"};
	struct sf_doc *doc = sf_doc_new("mem");
	struct sf_node *arr = sf_node_new(doc, SF_NODE_ARRAY),
		       *obj = sf_node_new(doc, SF_NODE_OBJECT);

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		assert_int_equal(sf_node_append(doc, arr, sf_node_new_string(doc, strings[i])), 0);
		assert_int_equal(sf_node_set(doc, obj, strings[i], sf_node_new_string(doc, "v")),
				 0);
	}
	for (size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
		assert_int_equal(sf_node_append(doc, arr, sf_node_new_string(doc, endings[i])), 0);
		assert_int_equal(sf_node_set(doc, obj, endings[i], sf_node_new_string(doc, "v")),
				 0);
	}
	assert_int_equal(sf_node_append(doc, arr, sf_node_new_stringn(doc, "a\0b", 3)), 0);
	assert_int_equal(sf_node_append(doc, arr, sf_node_new_u64(doc, UINT64_MAX)), 0);
	assert_int_equal(sf_node_append(doc, arr, sf_node_new_i64(doc, INT64_MIN)), 0);
	assert_int_equal(sf_node_append(doc, arr, sf_node_new_bool(doc, false)), 0);
	assert_int_equal(sf_node_append(doc, arr, sf_node_new(doc, SF_NODE_NULL)), 0);
	assert_int_equal(sf_node_append(doc, arr, obj), 0);
	free(roundtrip(arr));
	free(roundtrip(obj));

	/* A NUL-holding key too. */
	struct sf_node *o2 = sf_node_new(doc, SF_NODE_OBJECT);
	assert_int_equal(sf_node_set(doc, o2, "k", sf_node_new(doc, SF_NODE_NULL)), 0);
	((char *)o2->members[0].key)[0] = 0;
	free(roundtrip(o2));
	sf_doc_free(doc);
}

/* Random strings over the characters that matter to YAML's quoting rules all come back. */
static void test_write_random_strings(void **state)
{
	static const char *const pieces[] = {
	    " ",	"\n",  "\t",   ":",    "#",  "-",  "'",	 "\"",	     "\\",
	    "?",	",",   "[",    "]",    "{",  "}",  "&",	 "*",	     "!",
	    "|",	">",   "%",    "@",    "`",  ".",  "~",	 "0",	     "1",
	    "x",	"e",   "true", "null", "0x", "0o", "\r", "\xc3\xa9", "\xe2\x80\xa8",
	    "\xc2\x85", "---", "...",  "\x01"};
	uint64_t seed = 42;

	for (int round = 0; round < 3000; round++) {
		struct sf_doc *doc = sf_doc_new("mem");
		struct sf_node *obj = sf_node_new(doc, SF_NODE_OBJECT);
		struct sf_node *arr = sf_node_new(doc, SF_NODE_ARRAY);
		char text[64];

		for (int k = 0; k < 4; k++) {
			size_t len = 0, parts = next_random(&seed) % 6;
			for (size_t i = 0; i < parts; i++) {
				const char *p = pieces[next_random(&seed) % SF_ARRAY_SIZE(pieces)];
				if (len + strlen(p) >= sizeof(text))
					break;
				memcpy(text + len, p, strlen(p));
				len += strlen(p);
			}
			text[len] = 0;
			struct sf_node *str = sf_node_new_string(doc, text);
			str->quoted = next_random(&seed) & 1;
			assert_int_equal(sf_node_append(doc, arr, str), 0);
			assert_int_equal(sf_node_set(doc, obj, text, sf_node_new_string(doc, text)),
					 0);
		}
		assert_int_equal(sf_node_set(doc, obj, "list", arr), 0);
		free(roundtrip(obj));
		sf_doc_free(doc);
	}
}

static void test_write_quoted_stays_quoted(void **state)
{
	struct sf_doc *doc = parse_ok("a: 'plain'\nb: plain\n");
	struct sf_buf out = {0};
	struct sf_error err;

	assert_int_equal(sf_node_write_yaml(sf_doc_root(doc), &out, &err), 0);
	assert_string_equal(out.data, "a: 'plain'\nb: plain\n");
	sf_buf_free(&out);
	sf_doc_free(doc);
}

static void test_write_root_scalar(void **state)
{
	struct sf_doc *doc = sf_doc_new("mem");
	free(roundtrip(sf_node_new_string(doc, "hello")));
	free(roundtrip(sf_node_new_string(doc, "")));
	free(roundtrip(sf_node_new_u64(doc, 7)));
	free(roundtrip(sf_node_new(doc, SF_NODE_NULL)));
	free(roundtrip(sf_node_new(doc, SF_NODE_ARRAY)));
	free(roundtrip(sf_node_new(doc, SF_NODE_OBJECT)));
	sf_doc_free(doc);
}

static void test_write_errors(void **state)
{
	struct sf_doc *doc = sf_doc_new("mem");
	struct sf_node *arr = sf_node_new(doc, SF_NODE_ARRAY), *bad;
	struct sf_buf out = {0};
	struct sf_error err;

	sf_buf_puts(&out, "keep");
	bad = sf_node_new_string(doc, "1");
	bad->kind = SF_NODE_NUMBER;
	bad->str = "12abc";
	bad->len = 5;
	assert_int_equal(sf_node_append(doc, arr, sf_node_new_string(doc, "first")), 0);
	assert_int_equal(sf_node_append(doc, arr, bad), 0);
	assert_int_equal(sf_node_write_yaml(arr, &out, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a YAML number"));
	assert_string_equal(out.data, "keep"); /* nothing half-written */

	bad->kind = SF_NODE_STRING;
	bad->str = "\xff";
	bad->len = 1;
	assert_int_equal(sf_node_write_yaml(arr, &out, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not UTF-8"));
	assert_int_equal(out.len, 4);

	/* Deeper than the reader accepts. */
	struct sf_node *top = sf_node_new(doc, SF_NODE_ARRAY), *n = top;
	for (int i = 0; i < SF_DOC_MAX_DEPTH; i++) {
		struct sf_node *child = sf_node_new(doc, SF_NODE_ARRAY);
		assert_int_equal(sf_node_append(doc, n, child), 0);
		n = child;
	}
	assert_int_equal(sf_node_write_yaml(top, &out, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "nesting deeper"));
	assert_int_equal(sf_node_write_yaml(NULL, &out, &err), -EINVAL);
	assert_int_equal(out.len, 4);
	sf_buf_free(&out);
	sf_doc_free(doc);
}

static void test_write_appends(void **state)
{
	struct sf_doc *doc = parse_ok("a: 1\n");
	struct sf_buf out = {0};
	struct sf_error err;

	sf_buf_puts(&out, "# head\n");
	assert_int_equal(sf_node_write_yaml(sf_doc_root(doc), &out, &err), 0);
	assert_string_equal(out.data, "# head\na: 1\n");
	sf_buf_free(&out);
	sf_doc_free(doc);
}

static void test_write_expands_aliases(void **state)
{
	struct sf_doc *doc = parse_ok("a: &x {k: v}\nb: *x\n");
	char *out = roundtrip(sf_doc_root(doc));
	assert_string_equal(out, "a:\n  k: v\nb:\n  k: v\n");
	free(out);
	sf_doc_free(doc);
}

/* The shared corpus, when present: every manifest and SPO object reads. */

static const char *corpus_dir(char *buf, size_t size)
{
	const char *shared = getenv("SYSFENCE_SHARED");
	struct stat st;

	if (shared && *shared) {
		snprintf(buf, size, "%s/corpus", shared);
		if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
			return buf;
	}
	snprintf(buf, size, "../shared/corpus");
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : NULL;
}

static size_t read_corpus_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t count = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[4096];
		struct sf_doc *doc = NULL;
		struct sf_error err = {0};

		if (n < 5 || strcmp(e->d_name + n - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (sf_doc_read_file(path, SF_DOC_YAML, SF_DOC_MULTI, &doc, &err) < 0)
			fail_msg("%s:%u:%u: %s", path, err.line, err.col, err.msg);
		assert_true(doc->nroots > 0);
		for (size_t i = 0; i < doc->nroots; i++)
			free(roundtrip(doc->roots[i]));
		sf_doc_free(doc);
		count++;
	}
	closedir(d);
	return count;
}

static void test_corpus(void **state)
{
	char base[4096], dir[4200];
	size_t count = 0;

	if (!corpus_dir(base, sizeof(base)))
		skip();
	snprintf(dir, sizeof(dir), "%s/manifests", base);
	count += read_corpus_dir(dir);
	snprintf(dir, sizeof(dir), "%s/spo", base);
	count += read_corpus_dir(dir);
	assert_true(count > 0);
}

/* Hostile inputs: an error or a tree, never a crash, a hang or a leak. */

static void test_random_bytes(void **state)
{
	size_t len = 10u << 20;
	char *data = malloc(len);
	uint64_t seed = 0x5eed5eed12345678ull;

	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)next_random(&seed);
	parse_anything(data, len);
	parse_anything(data + 1, len - 1);

	/* Random text over YAML's own alphabet gets further into the parser. */
	static const char alphabet[] = "{}[],:-?|>&*!#'\"\\ \n\n\n  ab1.~%@`\t";
	for (int round = 0; round < 20000; round++) {
		size_t n = next_random(&seed) % 200;
		for (size_t i = 0; i < n; i++)
			data[i] = alphabet[next_random(&seed) % (sizeof(alphabet) - 1)];
		parse_anything(data, n);
	}
	free(data);
}

static void test_truncation(void **state)
{
	const char *text = k8s_manifest;
	size_t len = strlen(text);

	for (size_t n = 0; n <= len; n++) {
		char *copy = malloc(n + 1);
		assert_non_null(copy);
		memcpy(copy, text, n);
		copy[n] = 0;
		parse_anything(copy, n);
		free(copy);
	}
}

static void test_deep_flow_sequences(void **state)
{
	char *deep = nested(100000, "[", "]");
	expect_error(deep, 0, 1, SF_DOC_MAX_DEPTH + 1, "nesting deeper");
	free(deep);
	deep = nested(100000, "[", "");
	expect_error(deep, SF_DOC_MULTI, 1, SF_DOC_MAX_DEPTH + 1, "nesting deeper");
	free(deep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_null),
	    cmocka_unit_test(test_plain_bool),
	    cmocka_unit_test(test_plain_yaml11_bools_are_strings),
	    cmocka_unit_test(test_plain_int),
	    cmocka_unit_test(test_plain_int_values),
	    cmocka_unit_test(test_plain_float),
	    cmocka_unit_test(test_plain_strings),
	    cmocka_unit_test(test_quoted_scalars_are_strings),
	    cmocka_unit_test(test_escapes_in_double_quotes),
	    cmocka_unit_test(test_tags),
	    cmocka_unit_test(test_positions),
	    cmocka_unit_test(test_positions_crlf_and_unicode),
	    cmocka_unit_test(test_duplicate_keys_kept),
	    cmocka_unit_test(test_scalar_keys_keep_their_text),
	    cmocka_unit_test(test_collection_keys_refused),
	    cmocka_unit_test(test_merge_keys_refused),
	    cmocka_unit_test(test_aliases_share_nodes),
	    cmocka_unit_test(test_anchor_redefined_takes_latest),
	    cmocka_unit_test(test_alias_errors),
	    cmocka_unit_test(test_billion_laughs_refused),
	    cmocka_unit_test(test_multi_documents),
	    cmocka_unit_test(test_empty_documents),
	    cmocka_unit_test(test_root_scalars),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_tab_indentation),
	    cmocka_unit_test(test_invalid_text),
	    cmocka_unit_test(test_utf8_bom_and_utf16),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_flow_trailing_commas),
	    cmocka_unit_test(test_kyaml),
	    cmocka_unit_test(test_kubernetes_manifest),
	    cmocka_unit_test(test_spo_seccomp_profile),
	    cmocka_unit_test(test_write_block_style),
	    cmocka_unit_test(test_write_quotes_what_needs_it),
	    cmocka_unit_test(test_write_random_strings),
	    cmocka_unit_test(test_write_quoted_stays_quoted),
	    cmocka_unit_test(test_write_root_scalar),
	    cmocka_unit_test(test_write_errors),
	    cmocka_unit_test(test_write_appends),
	    cmocka_unit_test(test_write_expands_aliases),
	    cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_random_bytes),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_deep_flow_sequences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
