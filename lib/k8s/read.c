/*
 * Reading manifests: files, directories and standard input. A YAML stream that does not parse is
 * cut at its document markers and read document by document, so that one bad document is a
 * located finding and the others are still linted.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "k8s/k8s-internal.h"

#define MAX_DIR_DEPTH 64

static void add_problem(struct sf_k8s_report *r, const char *rule, const char *file, unsigned line,
			unsigned col, const char *msg)
{
	struct sf_k8s_finding f = {
	    .level = SF_K8S_ERROR,
	    .rule = rule,
	    .file = file,
	    .line = line,
	    .col = col,
	    .message = msg,
	};
	sf_k8s_add(r, &f);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && sf_streq_icase(s + a - b, suffix);
}

/* Positions quoted in a message ("... that starts at 3:1") move with the document. */
static char *shift_positions(const char *msg, unsigned off)
{
	struct sf_buf b = {0};
	const char *p = msg;

	while (*p) {
		const char *at = strstr(p, " at ");
		char *end;
		unsigned long line;
		if (!at) {
			sf_buf_puts(&b, p);
			break;
		}
		sf_buf_put(&b, p, (size_t)(at - p) + 4);
		p = at + 4;
		if (*p < '0' || *p > '9')
			continue;
		line = strtoul(p, &end, 10);
		if (*end != ':' || end[1] < '0' || end[1] > '9') {
			sf_buf_put(&b, p, (size_t)(end - p));
			p = end;
			continue;
		}
		sf_buf_printf(&b, "%lu", line + off);
		p = end;
	}
	if (b.oom || !b.data) {
		sf_buf_free(&b);
		return strdup(msg);
	}
	return b.data;
}

static void syntax(struct sf_k8s_report *r, const char *file, const struct sf_error *err,
		   unsigned off)
{
	char *msg;

	if (err->code == -ENOMEM) {
		r->oom = true;
		return;
	}
	msg = off ? shift_positions(err->msg, off) : strdup(err->msg);
	if (!msg) {
		r->oom = true;
		return;
	}
	add_problem(r, "yaml-syntax", file, err->line ? err->line + off : 0, err->col, msg);
	free(msg);
}

static void walk_doc(struct sf_k8s_report *r, const char *file, const struct sf_doc *doc,
		     unsigned off, bool yaml)
{
	for (size_t i = 0; i < doc->nroots; i++) {
		r->ndocuments++;
		sf_k8s_walk_root(r, file, doc->roots[i], off, yaml);
	}
}

/* Whether the line at p is a document marker ("---" alone or followed by blanks or content). */
static bool doc_start(const char *p, const char *end)
{
	return end - p >= 3 && p[0] == '-' && p[1] == '-' && p[2] == '-' &&
	       (end - p == 3 || p[3] == ' ' || p[3] == '\t' || p[3] == '\n' || p[3] == '\r');
}

static void parse_piece(struct sf_k8s_report *r, const char *file, const char *data, size_t len,
			unsigned off)
{
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};

	if (sf_doc_parse(file, data, len, SF_DOC_YAML, SF_DOC_MULTI, &doc, &err) < 0) {
		syntax(r, file, &err, off);
		return;
	}
	walk_doc(r, file, doc, off, true);
	sf_doc_free(doc);
}

static void lint_yaml(struct sf_k8s_report *r, const char *file, const char *data, size_t len)
{
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};
	const char *end = data + len, *start = data, *p = data;
	unsigned line = 1, start_line = 1;

	if (sf_doc_parse(file, data, len, SF_DOC_YAML, SF_DOC_MULTI, &doc, &err) == 0) {
		walk_doc(r, file, doc, 0, true);
		sf_doc_free(doc);
		return;
	}
	if (err.code == -ENOMEM) {
		r->oom = true;
		return;
	}
	/* A document marker at the start of a line ends any scalar, so cutting there never splits
	 * a value. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (p != start && doc_start(p, end)) {
			parse_piece(r, file, start, (size_t)(p - start), start_line - 1);
			start = p;
			start_line = line;
		}
		if (!nl)
			break;
		p = nl + 1;
		line++;
	}
	parse_piece(r, file, start, (size_t)(end - start), start_line - 1);
}

static bool before(const struct sf_k8s_finding *a, const struct sf_k8s_finding *b)
{
	return a->line < b->line || (a->line == b->line && a->col < b->col);
}

/* A stable merge sort by position: findings of one place keep the order they were made in. */
static void merge_sort(struct sf_k8s_finding *v, struct sf_k8s_finding *tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	merge_sort(v, tmp, h);
	merge_sort(v + h, tmp, n - h);
	if (!before(&v[h], &v[h - 1]))
		return;
	while (i < h && j < n)
		tmp[k++] = before(&v[j], &v[i]) ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	memcpy(v, tmp, k * sizeof(*v));
}

static void sort_findings(struct sf_k8s_report *r, struct sf_k8s_finding *v, size_t n)
{
	struct sf_k8s_finding *tmp = calloc(n, sizeof(*tmp));

	if (!tmp) {
		r->oom = true;
		return;
	}
	merge_sort(v, tmp, n);
	free(tmp);
}

int sf_k8s_lint_data(struct sf_k8s_report *r, const char *name, const char *data, size_t len)
{
	const char *file = sf_k8s_strdup(r, name);
	size_t first = r->nfindings;
	bool json = false;

	if (!file)
		return -ENOMEM;
	r->nfiles++;
	if (ends_with(name, ".json")) {
		json = true;
	} else if (!ends_with(name, ".yaml") && !ends_with(name, ".yml")) {
		for (size_t i = 0; i < len; i++) {
			char c = data[i];
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
				continue;
			json = c == '{' || c == '[';
			break;
		}
	}
	if (json) {
		struct sf_doc *doc = NULL;
		struct sf_error err = {0};
		if (sf_doc_parse(file, data, len, SF_DOC_JSON, 0, &doc, &err) == 0) {
			walk_doc(r, file, doc, 0, false);
			sf_doc_free(doc);
		} else if (!ends_with(name, ".json") &&
			   sf_doc_parse(file, data, len, SF_DOC_YAML, SF_DOC_MULTI, &doc, NULL) ==
			       0) {
			/* Not JSON after all: a flow-style YAML document (KYAML). */
			walk_doc(r, file, doc, 0, true);
			sf_doc_free(doc);
		} else {
			syntax(r, file, &err, 0);
		}
	} else {
		lint_yaml(r, file, data, len);
	}

	/* Findings of one file in the order of the file. */
	if (r->nfindings - first > 1)
		sort_findings(r, r->findings + first, r->nfindings - first);
	return r->oom ? -ENOMEM : 0;
}

static void unreadable(struct sf_k8s_report *r, const char *path, const struct sf_error *err)
{
	r->nunreadable++;
	if (err->code == -ENOMEM) {
		r->oom = true;
		return;
	}
	add_problem(r, "unreadable", strcmp(path, "-") == 0 ? "<stdin>" : path, 0, 0, err->msg);
}

static int lint_file(struct sf_k8s_report *r, const char *path)
{
	struct sf_error err = {0};
	char *data = NULL;
	size_t len = 0;
	int ret;

	if (sf_read_file(path, &data, &len, &err) < 0) {
		unreadable(r, path, &err);
		return r->oom ? -ENOMEM : 0;
	}
	ret = sf_k8s_lint_data(r, strcmp(path, "-") == 0 ? "<stdin>" : path, data, len);
	free(data);
	return ret;
}

static bool manifest_name(const char *name)
{
	return ends_with(name, ".yaml") || ends_with(name, ".yml") || ends_with(name, ".json");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int lint_dir(struct sf_k8s_report *r, const char *dir, unsigned depth)
{
	struct sf_vec names = {0};
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (depth > MAX_DIR_DEPTH)
		return 0;
	d = opendir(dir);
	if (!d) {
		struct sf_error err = {0};
		sf_error_set_at(&err, -errno, dir, 0, 0, "cannot open directory: %s",
				strerror(errno));
		unreadable(r, dir, &err);
		return r->oom ? -ENOMEM : 0;
	}
	while ((de = readdir(d))) {
		char *n;
		if (de->d_name[0] == '.')
			continue;
		n = strdup(de->d_name);
		if (!n || sf_vec_push(&names, n) < 0) {
			free(n);
			ret = -ENOMEM;
			break;
		}
	}
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	for (size_t i = 0; i < names.n && ret == 0; i++) {
		char *path = sf_strdup_printf("%s%s%s", dir, ends_with(dir, "/") ? "" : "/",
					      (char *)names.v[i]);
		struct stat st;
		if (!path) {
			ret = -ENOMEM;
			break;
		}
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && stat(path, &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			free(path);
			continue; /* no loops through links */
		}
		if (stat(path, &st) < 0) {
			/* A dangling link or a race: say so if it looked like a manifest. */
			if (manifest_name(path)) {
				struct sf_error err = {0};
				sf_error_set_at(&err, -errno, path, 0, 0, "cannot open: %s",
						strerror(errno));
				unreadable(r, path, &err);
			}
		} else if (S_ISDIR(st.st_mode)) {
			ret = lint_dir(r, path, depth + 1);
		} else if (S_ISREG(st.st_mode) && manifest_name(path)) {
			ret = lint_file(r, path);
		}
		free(path);
	}
	for (size_t i = 0; i < names.n; i++)
		free(names.v[i]);
	sf_vec_free(&names);
	if (ret == 0 && r->oom)
		ret = -ENOMEM;
	return ret;
}

int sf_k8s_lint_path(struct sf_k8s_report *r, const char *path)
{
	struct stat st;

	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return lint_dir(r, path, 0);
	return lint_file(r, path);
}
