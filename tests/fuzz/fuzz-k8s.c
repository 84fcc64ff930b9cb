/*
 * libFuzzer target for the manifest walker (lib/k8s): any input, read as YAML or JSON under
 * options taken from its first byte, must give a consistent report whose JSON and SARIF output
 * read back as strict JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sysfence/doc.h>
#include <sysfence/k8s.h>

static void must_be_json(const char *what, const struct sf_buf *b)
{
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};

	if (!b->data || sf_doc_parse(what, b->data, b->len, SF_DOC_JSON, 0, &doc, &err) < 0) {
		fprintf(stderr, "%s output is not JSON: %u:%u: %s\n%s\n", what, err.line, err.col,
			err.msg, b->data ? b->data : "(empty)");
		abort();
	}
	sf_doc_free(doc);
}

static bool known_rule(const char *id)
{
	for (size_t i = 0; sf_k8s_rules[i].id; i++)
		if (strcmp(sf_k8s_rules[i].id, id) == 0)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"fuzz.yaml", "fuzz.json", "fuzz"};
	struct sf_k8s_options o = {0};
	struct sf_k8s_report r;
	struct sf_buf json = {0}, sarif = {0};
	size_t count[3] = {0};

	if (size < 1)
		return 0;
	o.seccomp_default = data[0] & 1;
	o.minor =
	    SF_K8S_MINOR_OLDEST + (data[0] >> 3) % (SF_K8S_MINOR_LATEST - SF_K8S_MINOR_OLDEST + 2);
	o.require = (enum sf_k8s_pss)((data[0] >> 1) & 3) % 3;
	if (sf_k8s_report_init(&r, &o) < 0)
		return 0;
	if (sf_k8s_lint_data(&r, names[(data[0] >> 6) % 3], (const char *)data + 1, size - 1) < 0) {
		sf_k8s_report_clear(&r);
		return 0; /* out of memory */
	}
	for (size_t i = 0; i < r.nfindings; i++) {
		const struct sf_k8s_finding *f = &r.findings[i];
		if (!known_rule(f->rule) || !f->message || !f->file || (unsigned)f->level > 2) {
			fprintf(stderr, "bad finding %zu: %s\n", i, f->rule);
			abort();
		}
		if (f->kind && (!f->namespace || !f->name)) {
			fprintf(stderr, "finding %zu: object without namespace or name\n", i);
			abort();
		}
		if (i && f->line < r.findings[i - 1].line) {
			fprintf(stderr, "findings out of order at %zu\n", i);
			abort();
		}
		count[f->level]++;
	}
	if (memcmp(count, r.count, sizeof(count)) != 0) {
		fprintf(stderr, "counts disagree\n");
		abort();
	}
	for (size_t i = 0; i < r.nworkloads; i++) {
		const struct sf_k8s_workload *w = &r.workloads[i];
		if (w->baseline.allowed != !w->baseline.reason ||
		    w->restricted.allowed != !w->restricted.reason) {
			fprintf(stderr, "workload %zu: verdicts without reasons\n", i);
			abort();
		}
		/* restricted includes baseline */
		if (!w->baseline.allowed && w->restricted.allowed) {
			fprintf(stderr, "workload %zu: baseline fails but restricted passes\n", i);
			abort();
		}
		for (size_t c = 0; c < w->ncontainers; c++)
			if (!w->containers[c].name ||
			    (unsigned)w->containers[c].seccomp > SF_K8S_SECCOMP_REJECTED) {
				fprintf(stderr, "workload %zu: bad container %zu\n", i, c);
				abort();
			}
	}
	if (sf_k8s_write_json(&r, &json) == 0)
		must_be_json("json", &json);
	if (sf_k8s_write_sarif(&r, &sarif) == 0)
		must_be_json("sarif", &sarif);
	sf_buf_free(&json);
	sf_buf_free(&sarif);
	sf_k8s_report_clear(&r);
	return 0;
}
