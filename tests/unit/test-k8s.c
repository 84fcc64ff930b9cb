/*
 * Unit tests of lib/k8s: the effective seccomp profile by Kubernetes release, one test per rule
 * of docs/k8s.md; YAML 1.1 readings; documents read apart; Pod Security messages; the report's
 * machine output read back.
 */
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
#include <sysfence/k8s.h>

/* Helpers. */

static struct sf_k8s_report *lint_as(const char *name, const char *text,
				     const struct sf_k8s_options *o)
{
	struct sf_k8s_report *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	assert_int_equal(sf_k8s_report_init(r, o), 0);
	assert_int_equal(sf_k8s_lint_data(r, name, text, strlen(text)), 0);
	assert_false(r->oom);
	return r;
}

static struct sf_k8s_report *lint(const char *text, unsigned minor)
{
	struct sf_k8s_options o = {.minor = minor};
	return lint_as("t.yaml", text, &o);
}

static void done(struct sf_k8s_report *r)
{
	sf_k8s_report_clear(r);
	free(r);
}

static size_t count(const struct sf_k8s_report *r, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		n += strcmp(r->findings[i].rule, rule) == 0;
	return n;
}

static const struct sf_k8s_finding *find(const struct sf_k8s_report *r, const char *rule)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].rule, rule) == 0)
			return &r->findings[i];
	fail_msg("no %s finding", rule);
	return NULL;
}

static const struct sf_k8s_container *ctr(const struct sf_k8s_report *r, const char *name)
{
	for (size_t w = 0; w < r->nworkloads; w++)
		for (size_t c = 0; c < r->workloads[w].ncontainers; c++)
			if (strcmp(r->workloads[w].containers[c].name, name) == 0)
				return &r->workloads[w].containers[c];
	fail_msg("no container %s", name);
	return NULL;
}

static void dump(const struct sf_k8s_report *r)
{
	for (size_t i = 0; i < r->nfindings; i++)
		print_message("  %u:%u %s %s: %s\n", r->findings[i].line, r->findings[i].col,
			      sf_k8s_level_name(r->findings[i].level), r->findings[i].rule,
			      r->findings[i].message);
}

/* Versions. */

static void test_version_parsing(void **state)
{
	struct sf_error err = {0};
	unsigned m = 0;

	assert_int_equal(sf_k8s_parse_version("1.34", &m, &err), 0);
	assert_int_equal(m, 34);
	assert_int_equal(sf_k8s_parse_version("v1.19", &m, &err), 0);
	assert_int_equal(m, 19);
	assert_int_equal(sf_k8s_parse_version("1.27.3", &m, &err), 0);
	assert_int_equal(m, 27);
	assert_int_equal(sf_k8s_parse_version("1.40", &m, &err), 0); /* newer: latest rules */
	assert_int_equal(sf_k8s_parse_version("1.18", &m, &err), -ERANGE);
	assert_non_null(strstr(err.msg, "1.19"));
	const char *bad[] = {"", "1", "1.", "2.30", "1.x", "1.30.", "1.30.1.2", "1.30a", "v", NULL};
	for (size_t i = 0; bad[i]; i++)
		assert_int_equal(sf_k8s_parse_version(bad[i], &m, &err), -EINVAL);
}

static void test_default_release_is_latest(void **state)
{
	struct sf_k8s_report *r = lint("", 0);
	assert_int_equal(r->opts.minor, SF_K8S_MINOR_LATEST);
	done(r);
}

/* The effective profile: one row per (fields, annotations, release). */

struct row {
	const char *pod_field, *pod_ann, *ctr_field, *ctr_ann;
	unsigned minor;
	bool seccomp_default;
	enum sf_k8s_seccomp want;
	enum sf_k8s_source source;
};

static const struct row rows[] = {
    /* Only a pod annotation: honoured up to 1.26, nothing from 1.27. */
    {NULL, "runtime/default", NULL, NULL, 19, false, SF_K8S_SECCOMP_RUNTIME_DEFAULT,
     SF_K8S_SRC_POD_ANNOTATION},
    {NULL, "runtime/default", NULL, NULL, 24, false, SF_K8S_SECCOMP_RUNTIME_DEFAULT,
     SF_K8S_SRC_POD_ANNOTATION},
    {NULL, "runtime/default", NULL, NULL, 26, false, SF_K8S_SECCOMP_RUNTIME_DEFAULT,
     SF_K8S_SRC_POD_ANNOTATION},
    {NULL, "runtime/default", NULL, NULL, 27, false, SF_K8S_SECCOMP_UNCONFINED, SF_K8S_SRC_UNSET},
    {NULL, "runtime/default", NULL, NULL, 37, true, SF_K8S_SECCOMP_RUNTIME_DEFAULT,
     SF_K8S_SRC_SECCOMP_DEFAULT},
    /* Container annotation over pod field (up to 1.26). */
    {"{type: Localhost, localhostProfile: a.json}", NULL, NULL, "unconfined", 24, false,
     SF_K8S_SECCOMP_UNCONFINED, SF_K8S_SRC_CONTAINER_ANNOTATION},
    {"{type: Localhost, localhostProfile: a.json}", NULL, NULL, "unconfined", 25, false,
     SF_K8S_SECCOMP_UNCONFINED, SF_K8S_SRC_CONTAINER_ANNOTATION},
    {"{type: Localhost, localhostProfile: a.json}", NULL, NULL, "unconfined", 27, false,
     SF_K8S_SECCOMP_LOCALHOST, SF_K8S_SRC_POD_FIELD},
    /* Container field over everything. */
    {"{type: Unconfined}", "unconfined", "{type: RuntimeDefault}", "docker/default", 24, false,
     SF_K8S_SECCOMP_RUNTIME_DEFAULT, SF_K8S_SRC_CONTAINER_FIELD},
    {"{type: Unconfined}", "unconfined", "{type: RuntimeDefault}", "docker/default", 37, false,
     SF_K8S_SECCOMP_RUNTIME_DEFAULT, SF_K8S_SRC_CONTAINER_FIELD},
    /* Pod field over pod annotation. */
    {"{type: Unconfined}", "unconfined", NULL, "runtime/default", 22, false,
     SF_K8S_SECCOMP_RUNTIME_DEFAULT, SF_K8S_SRC_CONTAINER_ANNOTATION},
    {"{type: Unconfined}", "unconfined", NULL, "runtime/default", 30, false,
     SF_K8S_SECCOMP_UNCONFINED, SF_K8S_SRC_POD_FIELD},
    /* Nothing at all. */
    {NULL, NULL, NULL, NULL, 37, false, SF_K8S_SECCOMP_UNCONFINED, SF_K8S_SRC_UNSET},
    {NULL, NULL, NULL, NULL, 21, true, SF_K8S_SECCOMP_RUNTIME_DEFAULT, SF_K8S_SRC_SECCOMP_DEFAULT},
};

static void test_effective_profile_by_release(void **state)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *x = &rows[i];
		char text[2048], pa[256] = "", ca[256] = "", pf[256] = "", cf[256] = "";
		struct sf_k8s_options o = {.minor = x->minor,
					   .seccomp_default = x->seccomp_default};

		if (x->pod_ann)
			snprintf(pa, sizeof(pa),
				 "    seccomp.security.alpha.kubernetes.io/pod: %s\n", x->pod_ann);
		if (x->ctr_ann)
			snprintf(ca, sizeof(ca),
				 "    container.seccomp.security.alpha.kubernetes.io/c: %s\n",
				 x->ctr_ann);
		if (x->pod_field)
			snprintf(pf, sizeof(pf), "  securityContext: {seccompProfile: %s}\n",
				 x->pod_field);
		if (x->ctr_field)
			snprintf(cf, sizeof(cf), "    securityContext: {seccompProfile: %s}\n",
				 x->ctr_field);
		snprintf(text, sizeof(text),
			 "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n%s%s"
			 "spec:\n%s  containers:\n  - name: c\n%s",
			 pa, ca, pf, cf);
		struct sf_k8s_report *r = lint_as("t.yaml", text, &o);
		const struct sf_k8s_container *c = ctr(r, "c");
		if (c->seccomp != x->want || c->source != x->source) {
			dump(r);
			fail_msg("row %zu (1.%u): got %s from %s, want %s from %s", i, x->minor,
				 sf_k8s_seccomp_name(c->seccomp), sf_k8s_source_name(c->source),
				 sf_k8s_seccomp_name(x->want), sf_k8s_source_name(x->source));
		}
		assert_int_equal(count(r, "annotation-mismatch"), 0);
		done(r);
	}
}

static void test_privileged_overrides_every_profile(void **state)
{
	struct sf_k8s_report *r =
	    lint("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
		 "  containers:\n"
		 "  - name: a\n"
		 "    securityContext:\n"
		 "      privileged: true\n"
		 "      seccompProfile: {type: Localhost, localhostProfile: x}\n"
		 "  - name: b\n"
		 "    securityContext: {privileged: false}\n",
		 37);
	const struct sf_k8s_finding *f = find(r, "privileged");

	assert_int_equal(ctr(r, "a")->seccomp, SF_K8S_SECCOMP_UNCONFINED);
	assert_int_equal(ctr(r, "a")->source, SF_K8S_SRC_PRIVILEGED);
	assert_null(ctr(r, "a")->localhost);
	assert_int_equal(f->line, 8);
	assert_int_equal(f->col, 19);
	assert_string_equal(f->container, "a");
	assert_non_null(
	    strstr(f->message, "the Localhost profile (container field) is not applied"));
	assert_int_equal(ctr(r, "b")->source, SF_K8S_SRC_UNSET);
	assert_int_equal(count(r, "privileged"), 1);
	assert_false(r->workloads[0].baseline.allowed);
	assert_string_equal(
	    r->workloads[0].baseline.reason,
	    "privileged (container \"a\" must not set securityContext.privileged=true)");
	done(r);
}

static void test_windows_pods_are_exempt(void **state)
{
	const char *text = "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n"
			   "  os: {name: windows}\n  containers:\n  - name: a\n";
	struct sf_k8s_report *r = lint(text, 37);

	assert_int_equal(ctr(r, "a")->seccomp, SF_K8S_SECCOMP_NOT_APPLICABLE);
	assert_int_equal(r->nfindings, 0);
	assert_true(r->workloads[0].windows);
	assert_true(r->workloads[0].restricted.allowed);
	done(r);
	/* Pod Security's restricted level exempts them from policy 1.25 on only. */
	r = lint(text, 24);
	assert_false(r->workloads[0].restricted.allowed);
	assert_int_equal(count(r, "pss-restricted"), 1);
	done(r);
}

static void test_annotation_and_field_must_agree(void **state)
{
	struct sf_k8s_report *r = lint(
	    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
	    "    seccomp.security.alpha.kubernetes.io/pod: localhost/a.json\n"
	    "    container.seccomp.security.alpha.kubernetes.io/c: runtime/default\n"
	    "    container.seccomp.security.alpha.kubernetes.io/d: docker/default\n"
	    "spec:\n"
	    "  securityContext: {seccompProfile: {type: Localhost, localhostProfile: b.json}}\n"
	    "  containers:\n"
	    "  - name: c\n"
	    "    securityContext: {seccompProfile: {type: Unconfined}}\n"
	    "  - name: d\n"
	    "    securityContext: {seccompProfile: {type: RuntimeDefault}}\n",
	    37);

	assert_int_equal(count(r, "annotation-mismatch"), 2);
	assert_int_equal(find(r, "annotation-ignored")->line, 8); /* docker/default agrees */
	assert_int_equal(count(r, "annotation-ignored"), 1);
	const struct sf_k8s_finding *f = find(r, "annotation-mismatch");
	assert_int_equal(f->line, 10);
	assert_non_null(strstr(f->message, "(at 6:47)"));
	done(r);
}

static void test_localhost_paths(void **state)
{
	struct sf_k8s_report *r =
	    lint("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
		 "  - {name: a, securityContext: {seccompProfile: {type: Localhost}}}\n"
		 "  - {name: b, securityContext: {seccompProfile: {type: Localhost, "
		 "localhostProfile: /x}}}\n"
		 "  - {name: c, securityContext: {seccompProfile: {type: Localhost, "
		 "localhostProfile: a/../../x}}}\n"
		 "  - {name: d, securityContext: {seccompProfile: {type: Localhost, "
		 "localhostProfile: a/..x/y..}}}\n"
		 "  - {name: e, securityContext: {seccompProfile: {type: Localhost, "
		 "localhostProfile: ''}}}\n",
		 37);

	assert_int_equal(count(r, "localhost-missing-profile"), 2);
	assert_int_equal(count(r, "localhost-path"), 2);
	assert_int_equal(ctr(r, "a")->seccomp, SF_K8S_SECCOMP_REJECTED);
	assert_int_equal(ctr(r, "b")->seccomp, SF_K8S_SECCOMP_REJECTED);
	assert_int_equal(ctr(r, "d")->seccomp, SF_K8S_SECCOMP_LOCALHOST);
	assert_string_equal(ctr(r, "d")->localhost, "a/..x/y..");
	assert_int_equal(ctr(r, "e")->seccomp, SF_K8S_SECCOMP_REJECTED);
	/* Pod Security looks at the type only. */
	assert_true(r->workloads[0].restricted.allowed);
	done(r);
}

static void test_profiles_dir(void **state)
{
	struct sf_k8s_options o = {.profiles_dir = "tests/data/k8s/profiles"};
	struct sf_k8s_report *r = lint_as(
	    "t.yaml",
	    "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
	    "  securityContext: {seccompProfile: {type: Localhost, localhostProfile: good.json}}\n"
	    "  containers:\n"
	    "  - {name: a}\n"
	    "  - {name: b, securityContext: {seccompProfile: {type: Localhost, "
	    "localhostProfile: bad.json}}}\n"
	    "  - {name: c, securityContext: {seccompProfile: {type: Localhost, "
	    "localhostProfile: bad.json}}}\n"
	    "  - {name: d, securityContext: {seccompProfile: {type: Localhost, "
	    "localhostProfile: none.json}}}\n",
	    &o);

	if (count(r, "localhost-not-found") != 1) {
		dump(r);
		fail_msg("run from the top of the tree (tests/data/k8s/profiles)");
	}
	assert_int_equal(count(r, "localhost-invalid"), 2);
	assert_non_null(strstr(find(r, "localhost-invalid")->message, "SCMP_ACT_ALOW"));
	assert_int_equal(find(r, "localhost-not-found")->line, 10);
	done(r);
}

/* YAML 1.1: what Kubernetes reads, not what a YAML 1.2 reader reads. */

static void test_yaml11_booleans_and_octals(void **state)
{
	struct sf_k8s_report *r =
	    lint("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
		 "  - name: a\n    securityContext: {privileged: Yes}\n"
		 "  - name: b\n    securityContext: {privileged: off}\n"
		 "  - name: c\n    securityContext: {privileged: 'true'}\n"
		 "  - name: 010\n"
		 "  - name: n\n"
		 "  - name: 0x1_0\n",
		 37);

	assert_int_equal(ctr(r, "a")->source, SF_K8S_SRC_PRIVILEGED);
	assert_int_equal(ctr(r, "b")->source, SF_K8S_SRC_UNSET);
	assert_int_equal(ctr(r, "c")->source, SF_K8S_SRC_UNSET); /* refused: not a boolean */
	assert_int_equal(count(r, "yaml11"), 2);
	assert_int_equal(count(r, "field-type"), 4);
	bool octal = false, boolean = false;
	for (size_t i = 0; i < r->nfindings; i++) {
		octal |=
		    strstr(r->findings[i].message, "010 (8: Kubernetes reads YAML 1.1") != NULL;
		boolean |= strstr(r->findings[i].message, "plain n is the boolean false") != NULL;
	}
	assert_true(octal);
	assert_true(boolean);
	done(r);

	/* JSON has no plain scalars: nothing to misread. */
	struct sf_k8s_options o = {0};
	r = lint_as("t.json",
		    "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"},"
		    "\"spec\": {\"containers\": [{\"name\": \"no\"}]}}",
		    &o);
	assert_int_equal(count(r, "field-type"), 0);
	assert_int_equal(ctr(r, "no")->source, SF_K8S_SRC_UNSET);
	done(r);
}

/* Reading. */

static void test_bad_document_is_located_and_others_linted(void **state)
{
	const char *text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n"
			   "  containers: [{name: x}]\n"
			   "---\n"
			   "kind: [\n"
			   "---   \n"
			   "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n"
			   "  containers:\n  - name: y\n    securityContext: {privileged: true}\n";
	struct sf_k8s_report *r = lint(text, 37);
	const struct sf_k8s_finding *f = find(r, "yaml-syntax");

	assert_int_equal(r->nworkloads, 2);
	assert_int_equal(f->line, 8);
	assert_null(f->kind);
	assert_int_equal(find(r, "privileged")->line, 15);
	assert_int_equal(ctr(r, "y")->line, 14);
	/* Findings are in the order of the file. */
	for (size_t i = 1; i < r->nfindings; i++)
		assert_true(r->findings[i - 1].line <= r->findings[i].line);
	done(r);
}

static void test_lists_and_kinds(void **state)
{
	struct sf_k8s_report *r = lint(
	    "apiVersion: v1\nkind: List\nitems:\n"
	    "- {apiVersion: v1, kind: PodList, items: [{apiVersion: v1, kind: Pod, metadata: "
	    "{name: a}, spec: {containers: [{name: a}]}}]}\n"
	    "- {apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: n}, spec: "
	    "{template: {spec: {containers: [{name: d}]}}}}\n"
	    "- {apiVersion: example.com/v1, kind: Deployment, spec: {template: {spec: "
	    "{containers: [{name: x}]}}}}\n"
	    "- {apiVersion: batch/v1, kind: CronJob, metadata: {name: c}, spec: {jobTemplate: "
	    "{spec: {template: {spec: {containers: [{name: c}]}}}}}}\n"
	    "- {kind: Job, spec: {template: {spec: {containers: [{name: j}]}}}}\n",
	    37);

	assert_int_equal(r->nworkloads, 4);
	assert_string_equal(r->workloads[0].kind, "Pod");
	assert_int_equal(r->workloads[0].line, 4);
	assert_string_equal(r->workloads[1].namespace, "n");
	assert_string_equal(r->workloads[2].kind, "CronJob");
	assert_string_equal(r->workloads[3].name, "");
	assert_int_equal(r->nobjects, 7);
	done(r);
}

static void test_deeply_nested_lists_stop(void **state)
{
	struct sf_buf b = {0};

	for (int i = 0; i < 100; i++)
		sf_buf_puts(&b, "{kind: List, items: [");
	sf_buf_puts(&b, "{apiVersion: v1, kind: Pod, spec: {containers: [{name: x}]}}");
	for (int i = 0; i < 100; i++)
		sf_buf_puts(&b, "]}");
	struct sf_k8s_report *r = lint(b.data, 37);
	assert_int_equal(r->nworkloads, 0);
	done(r);
	sf_buf_free(&b);
}

static void test_duplicate_keys(void **state)
{
	struct sf_k8s_report *r =
	    lint("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
		 "  - name: a\n    securityContext:\n      privileged: true\n"
		 "      privileged: false\n      privileged: true\n",
		 37);
	const struct sf_k8s_finding *f = find(r, "duplicate-key");

	assert_int_equal(count(r, "duplicate-key"), 1);
	assert_int_equal(f->line, 9);
	assert_non_null(strstr(f->message, "first at 8:7"));
	assert_int_equal(ctr(r, "a")->source, SF_K8S_SRC_PRIVILEGED); /* the last one */
	done(r);
}

/* Pod Security Admission's messages. */

static void test_pss_messages(void **state)
{
	struct sf_k8s_report *r =
	    lint("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
		 "  securityContext: {seccompProfile: {type: Unconfined}}\n"
		 "  containers:\n"
		 "  - {name: a, securityContext: {seccompProfile: {type: Unconfined}}}\n"
		 "  - {name: b, securityContext: {seccompProfile: {type: RuntimeDefault}}}\n"
		 "  - {name: c}\n",
		 37);
	const struct sf_k8s_workload *w = &r->workloads[0];

	assert_string_equal(w->baseline.reason,
			    "seccompProfile (pod and container \"a\" must not set "
			    "securityContext.seccompProfile.type to \"Unconfined\")");
	assert_string_equal(w->restricted.reason, w->baseline.reason);
	done(r);

	r = lint("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
		 "  - {name: a, securityContext: {seccompProfile: {type: RuntimeDefault}}}\n"
		 "  - {name: b}\n  - {name: c}\n",
		 37);
	w = &r->workloads[0];
	assert_true(w->baseline.allowed);
	assert_null(w->baseline.reason);
	assert_string_equal(w->restricted.reason,
			    "seccompProfile (pod or containers \"b\", \"c\" must set "
			    "securityContext.seccompProfile.type to \"RuntimeDefault\" or "
			    "\"Localhost\")");
	done(r);
}

static void test_pss_sees_annotations_copied_up_to_1_26(void **state)
{
	const char *text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
			   "    seccomp.security.alpha.kubernetes.io/pod: unconfined\n"
			   "spec:\n  containers: [{name: a}]\n";
	struct sf_k8s_report *r = lint(text, 26);

	assert_false(r->workloads[0].baseline.allowed);
	assert_int_equal(count(r, "unconfined"), 1);
	assert_int_equal(find(r, "annotation-deprecated")->level, SF_K8S_WARNING);
	done(r);
	r = lint(text, 27);
	assert_true(r->workloads[0].baseline.allowed);
	assert_false(r->workloads[0].restricted.allowed);
	assert_int_equal(count(r, "unconfined"), 0);
	assert_int_equal(find(r, "annotation-ignored")->level, SF_K8S_WARNING);
	done(r);
	r = lint(text, 20);
	assert_int_equal(find(r, "annotation-deprecated")->level, SF_K8S_NOTE);
	done(r);
}

static void test_require_raises_pss_levels(void **state)
{
	const char *text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
			   "  containers: [{name: a}]\n";
	struct sf_k8s_options o = {.require = SF_K8S_PSS_RESTRICTED};
	struct sf_k8s_report *r = lint_as("t.yaml", text, &o);

	assert_int_equal(find(r, "pss-restricted")->level, SF_K8S_ERROR);
	assert_true(sf_k8s_report_fails(r, SF_K8S_ERROR));
	done(r);
	o.require = SF_K8S_PSS_NONE;
	r = lint_as("t.yaml", text, &o);
	assert_int_equal(find(r, "pss-restricted")->level, SF_K8S_NOTE);
	assert_false(sf_k8s_report_fails(r, SF_K8S_ERROR));
	assert_true(sf_k8s_report_fails(r, SF_K8S_WARNING)); /* unset */
	done(r);
}

/* Output. */

static void test_json_and_sarif_read_back(void **state)
{
	struct sf_k8s_report *r =
	    lint("apiVersion: v1\nkind: Pod\nmetadata: {name: \"q\\\"uote\\n\"}\nspec:\n"
		 "  containers: [{name: \"\\u00e9\\t\"}]\n",
		 37);
	struct sf_buf json = {0}, sarif = {0};
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};

	assert_int_equal(sf_k8s_write_json(r, &json), 0);
	assert_int_equal(sf_k8s_write_sarif(r, &sarif), 0);
	if (sf_doc_parse("json", json.data, json.len, SF_DOC_JSON, 0, &doc, &err) < 0)
		fail_msg("%u:%u: %s\n%s", err.line, err.col, err.msg, json.data);
	const struct sf_node *w = sf_node_get(sf_doc_root(doc), "workloads")->items[0];
	assert_string_equal(sf_node_get(w, "name")->str, "q\"uote\n");
	sf_doc_free(doc);
	if (sf_doc_parse("sarif", sarif.data, sarif.len, SF_DOC_JSON, 0, &doc, &err) < 0)
		fail_msg("%u:%u: %s\n%s", err.line, err.col, err.msg, sarif.data);
	assert_string_equal(sf_node_get(sf_doc_root(doc), "version")->str, "2.1.0");
	sf_doc_free(doc);
	sf_buf_free(&json);
	sf_buf_free(&sarif);
	done(r);
}

static void test_rules_are_unique_and_named(void **state)
{
	for (size_t i = 0; sf_k8s_rules[i].id; i++) {
		assert_non_null(sf_k8s_rules[i].summary);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(sf_k8s_rules[i].id, sf_k8s_rules[j].id);
	}
	assert_int_equal(sf_k8s_level_from_name("warning"), SF_K8S_WARNING);
	assert_int_equal(sf_k8s_level_from_name("fatal"), -1);
}

static void test_unreadable_paths(void **state)
{
	struct sf_k8s_report r;

	assert_int_equal(sf_k8s_report_init(&r, NULL), 0);
	assert_int_equal(sf_k8s_lint_path(&r, "tests/data/k8s/does-not-exist.yaml"), 0);
	assert_int_equal(r.nunreadable, 1);
	assert_string_equal(r.findings[0].rule, "unreadable");
	sf_k8s_report_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_version_parsing),
	    cmocka_unit_test(test_default_release_is_latest),
	    cmocka_unit_test(test_effective_profile_by_release),
	    cmocka_unit_test(test_privileged_overrides_every_profile),
	    cmocka_unit_test(test_windows_pods_are_exempt),
	    cmocka_unit_test(test_annotation_and_field_must_agree),
	    cmocka_unit_test(test_localhost_paths),
	    cmocka_unit_test(test_profiles_dir),
	    cmocka_unit_test(test_yaml11_booleans_and_octals),
	    cmocka_unit_test(test_bad_document_is_located_and_others_linted),
	    cmocka_unit_test(test_lists_and_kinds),
	    cmocka_unit_test(test_deeply_nested_lists_stop),
	    cmocka_unit_test(test_duplicate_keys),
	    cmocka_unit_test(test_pss_messages),
	    cmocka_unit_test(test_pss_sees_annotations_copied_up_to_1_26),
	    cmocka_unit_test(test_require_raises_pss_levels),
	    cmocka_unit_test(test_json_and_sarif_read_back),
	    cmocka_unit_test(test_rules_are_unique_and_named),
	    cmocka_unit_test(test_unreadable_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
