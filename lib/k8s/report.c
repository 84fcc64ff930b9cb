/* The k8s report: storage of findings and workloads, names, the rule table, versions. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "k8s/k8s-internal.h"

const struct sf_k8s_rule sf_k8s_rules[] = {
    {"unconfined", SF_K8S_ERROR, "a container runs with seccomp Unconfined, set explicitly"},
    {"unset", SF_K8S_WARNING,
     "no seccomp profile: Unconfined unless the kubelet runs with seccompDefault"},
    {"privileged", SF_K8S_ERROR, "privileged: true disables seccomp for the container"},
    {"localhost-missing-profile", SF_K8S_ERROR, "type Localhost without a localhostProfile"},
    {"localhost-path", SF_K8S_ERROR,
     "localhostProfile is absolute or contains '..': the API server refuses it"},
    {"localhost-not-found", SF_K8S_ERROR,
     "the Localhost profile is not in the profiles directory: the container cannot start"},
    {"localhost-invalid", SF_K8S_ERROR,
     "the Localhost profile is not a valid seccomp profile: the container cannot start"},
    {"invalid-seccomp-profile", SF_K8S_ERROR, "a seccompProfile the API server refuses"},
    {"invalid-annotation", SF_K8S_ERROR, "a seccomp annotation value the API server refuses"},
    {"annotation-mismatch", SF_K8S_ERROR,
     "a seccomp annotation and field disagree: the API server refuses the pod"},
    {"windows-seccomp", SF_K8S_ERROR, "seccompProfile on a Windows pod: the API server refuses it"},
    {"annotation-ignored", SF_K8S_WARNING,
     "a seccomp annotation that does nothing in this Kubernetes release"},
    {"annotation-deprecated", SF_K8S_NOTE,
     "a seccomp annotation honoured only through deprecated behaviour"},
    {"annotation-misplaced", SF_K8S_WARNING,
     "a seccomp annotation on the workload, not on its pod template: pods never see it"},
    {"annotation-unknown-container", SF_K8S_WARNING,
     "a container seccomp annotation naming no container of the pod"},
    {"ephemeral-containers", SF_K8S_WARNING,
     "ephemeralContainers in a manifest: the API server refuses them on create"},
    {"yaml11", SF_K8S_WARNING,
     "a plain scalar that Kubernetes (a YAML 1.1 reader) reads differently"},
    {"field-type", SF_K8S_ERROR, "a field of the wrong type: the API server refuses the object"},
    {"duplicate-key", SF_K8S_ERROR, "a key given twice in one mapping"},
    {"pss-baseline", SF_K8S_WARNING, "the pods fail the Pod Security Standards baseline level"},
    {"pss-restricted", SF_K8S_NOTE, "the pods fail the Pod Security Standards restricted level"},
    {"yaml-syntax", SF_K8S_ERROR, "a document that cannot be read"},
    {"unreadable", SF_K8S_ERROR, "an input that cannot be read"},
    {NULL, SF_K8S_NOTE, NULL},
};

const char *sf_k8s_level_name(enum sf_k8s_level level)
{
	switch (level) {
	case SF_K8S_ERROR:
		return "error";
	case SF_K8S_WARNING:
		return "warning";
	case SF_K8S_NOTE:
		return "note";
	}
	return "note";
}

int sf_k8s_level_from_name(const char *name)
{
	if (strcmp(name, "error") == 0)
		return SF_K8S_ERROR;
	if (strcmp(name, "warning") == 0)
		return SF_K8S_WARNING;
	if (strcmp(name, "note") == 0)
		return SF_K8S_NOTE;
	return -1;
}

const char *sf_k8s_seccomp_name(enum sf_k8s_seccomp s)
{
	switch (s) {
	case SF_K8S_SECCOMP_UNCONFINED:
		return "Unconfined";
	case SF_K8S_SECCOMP_RUNTIME_DEFAULT:
		return "RuntimeDefault";
	case SF_K8S_SECCOMP_LOCALHOST:
		return "Localhost";
	case SF_K8S_SECCOMP_NOT_APPLICABLE:
		return "none (Windows)";
	case SF_K8S_SECCOMP_REJECTED:
		return "rejected";
	}
	return "?";
}

const char *sf_k8s_source_name(enum sf_k8s_source s)
{
	switch (s) {
	case SF_K8S_SRC_CONTAINER_FIELD:
		return "container field";
	case SF_K8S_SRC_CONTAINER_ANNOTATION:
		return "container annotation";
	case SF_K8S_SRC_POD_FIELD:
		return "pod field";
	case SF_K8S_SRC_POD_ANNOTATION:
		return "pod annotation";
	case SF_K8S_SRC_UNSET:
		return "unset";
	case SF_K8S_SRC_SECCOMP_DEFAULT:
		return "kubelet seccompDefault";
	case SF_K8S_SRC_PRIVILEGED:
		return "privileged";
	case SF_K8S_SRC_WINDOWS:
		return "windows pod";
	}
	return "?";
}

int sf_k8s_parse_version(const char *s, unsigned *minor, struct sf_error *err)
{
	const char *p = s;
	unsigned long v;
	char *end;

	if (*p == 'v' || *p == 'V')
		p++;
	if (p[0] != '1' || p[1] != '.' || p[2] < '0' || p[2] > '9')
		goto bad;
	errno = 0;
	v = strtoul(p + 2, &end, 10);
	if (errno || v > 999)
		goto bad;
	if (*end == '.') {
		end++;
		if (*end < '0' || *end > '9')
			goto bad;
		while (*end >= '0' && *end <= '9')
			end++;
	}
	if (*end)
		goto bad;
	if (v < SF_K8S_MINOR_OLDEST)
		return sf_error_set(
		    err, -ERANGE,
		    "Kubernetes %s predates the seccompProfile field (1.19): sysfence "
		    "models 1.%d to 1.%d",
		    s, SF_K8S_MINOR_OLDEST, SF_K8S_MINOR_LATEST);
	*minor = (unsigned)v;
	return 0;
bad:
	return sf_error_set(err, -EINVAL, "'%s' is not a Kubernetes version (write 1.%d)", s,
			    SF_K8S_MINOR_LATEST);
}

static struct sf_k8s_priv *priv(const struct sf_k8s_report *r)
{
	return r->priv;
}

int sf_k8s_report_init(struct sf_k8s_report *r, const struct sf_k8s_options *opts)
{
	struct sf_k8s_priv *p;

	memset(r, 0, sizeof(*r));
	if (opts)
		r->opts = *opts;
	if (!r->opts.minor)
		r->opts.minor = SF_K8S_MINOR_LATEST;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->arena = sf_arena_new();
	if (!p->arena) {
		free(p);
		return -ENOMEM;
	}
	r->priv = p;
	if (r->opts.profiles_dir)
		r->opts.profiles_dir = sf_k8s_strdup(r, r->opts.profiles_dir);
	return r->oom ? -ENOMEM : 0;
}

void sf_k8s_report_clear(struct sf_k8s_report *r)
{
	struct sf_k8s_priv *p = priv(r);

	if (p) {
		for (size_t i = 0; i < p->ncache; i++) {
			free(p->cache[i].rel);
			free(p->cache[i].why);
		}
		free(p->cache);
		sf_arena_free(p->arena);
		free(p);
	}
	free(r->findings);
	free(r->workloads);
	memset(r, 0, sizeof(*r));
}

const char *sf_k8s_strdup(struct sf_k8s_report *r, const char *s)
{
	char *c;

	if (!s)
		return NULL;
	c = sf_arena_strdup(priv(r)->arena, s);
	if (!c)
		r->oom = true;
	return c;
}

const char *sf_k8s_printf(struct sf_k8s_report *r, const char *fmt, ...)
{
	va_list ap;
	char *tmp = NULL;
	const char *c;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&tmp, fmt, ap);
	va_end(ap);
	if (n < 0) {
		r->oom = true;
		return "";
	}
	c = sf_k8s_strdup(r, tmp);
	free(tmp);
	return c ? c : "";
}

void sf_k8s_add(struct sf_k8s_report *r, const struct sf_k8s_finding *f)
{
	struct sf_k8s_priv *p = priv(r);
	struct sf_k8s_finding *x;

	if (r->nfindings == p->findings_cap) {
		size_t cap = p->findings_cap ? p->findings_cap * 2 : 32;
		x = reallocarray(r->findings, cap, sizeof(*x));
		if (!x) {
			r->oom = true;
			return;
		}
		r->findings = x;
		p->findings_cap = cap;
	}
	x = &r->findings[r->nfindings++];
	*x = *f;
	/* rule ids are static; everything else is copied. */
	x->file = sf_k8s_strdup(r, f->file);
	x->kind = sf_k8s_strdup(r, f->kind);
	x->namespace = sf_k8s_strdup(r, f->namespace);
	x->name = sf_k8s_strdup(r, f->name);
	x->container = sf_k8s_strdup(r, f->container);
	x->message = sf_k8s_strdup(r, f->message);
	x->fix = sf_k8s_strdup(r, f->fix);
	if (!x->message)
		x->message = "";
	r->count[f->level]++;
}

struct sf_k8s_workload *sf_k8s_add_workload(struct sf_k8s_report *r,
					    const struct sf_k8s_workload *w)
{
	struct sf_k8s_priv *p = priv(r);
	struct sf_k8s_workload *x;

	if (r->nworkloads == p->workloads_cap) {
		size_t cap = p->workloads_cap ? p->workloads_cap * 2 : 16;
		x = reallocarray(r->workloads, cap, sizeof(*x));
		if (!x) {
			r->oom = true;
			return NULL;
		}
		r->workloads = x;
		p->workloads_cap = cap;
	}
	x = &r->workloads[r->nworkloads];
	*x = *w;
	x->file = sf_k8s_strdup(r, w->file);
	x->kind = sf_k8s_strdup(r, w->kind);
	x->namespace = sf_k8s_strdup(r, w->namespace);
	x->name = sf_k8s_strdup(r, w->name);
	x->baseline.reason = sf_k8s_strdup(r, w->baseline.reason);
	x->restricted.reason = sf_k8s_strdup(r, w->restricted.reason);
	x->containers = NULL;
	if (w->ncontainers) {
		x->containers = sf_arena_memdup(p->arena, w->containers,
						w->ncontainers * sizeof(*w->containers));
		if (!x->containers) {
			r->oom = true;
			return NULL;
		}
		for (size_t i = 0; i < w->ncontainers; i++) {
			x->containers[i].name = sf_k8s_strdup(r, w->containers[i].name);
			x->containers[i].localhost = sf_k8s_strdup(r, w->containers[i].localhost);
		}
	}
	if (r->oom)
		return NULL;
	r->nworkloads++;
	return x;
}

bool sf_k8s_report_fails(const struct sf_k8s_report *r, enum sf_k8s_level level)
{
	for (int l = SF_K8S_ERROR; l <= (int)level; l++)
		if (r->count[l])
			return true;
	return false;
}

/* The runtimes read the file at <seccomp root>/<localhostProfile> as an OCI profile in JSON. */
static int validate_profile(const char *path, char **why)
{
	struct sf_findings f;
	struct sf_profile *p = NULL;
	struct sf_error err = {0};
	struct stat st;
	int r;

	*why = NULL;
	if (stat(path, &st) < 0) {
		r = -errno;
		*why = sf_strdup_printf("%s: %s", path, strerror(errno));
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = sf_strdup_printf("%s: not a regular file", path);
		return -EISDIR;
	}
	sf_findings_init(&f, path);
	r = sf_profile_read(path, SF_DOC_JSON, &f, &p, &err);
	if (r == 0 && p)
		sf_profile_check(p, 0, &f);
	if (p && p->doc && p->node && p->node != sf_doc_root(p->doc)) {
		*why = sf_strdup_printf("%s is a SeccompProfile object, not a profile: the runtime "
					"reads the bare OCI profile (its spec)",
					path);
		r = -EINVAL;
	} else if (r < 0 && !f.nerrors) {
		if (err.line)
			*why = sf_strdup_printf("%s:%u:%u: %s", path, err.line, err.col, err.msg);
		else
			*why = sf_strdup_printf("%s: %s", path, err.msg);
		if (r != -ENOMEM)
			r = -EINVAL;
	} else if (f.nerrors) {
		const struct sf_finding *x = NULL;
		for (size_t i = 0; i < f.n && !x; i++)
			if (f.v[i].severity == SF_SEV_ERROR)
				x = &f.v[i];
		if (!x)
			x = &f.v[0];
		*why = sf_strdup_printf("%s:%u:%u: %s%s%s (%zu error%s; see `sysfence check %s`)",
					path, x->line, x->col, x->path, x->path[0] ? ": " : "",
					x->msg, f.nerrors, f.nerrors == 1 ? "" : "s", path);
		r = -EINVAL;
	}
	sf_profile_free(p);
	sf_findings_clear(&f);
	return r;
}

const struct sf_k8s_cached_profile *sf_k8s_profile_lookup(struct sf_k8s_report *r, const char *rel)
{
	struct sf_k8s_priv *p = priv(r);
	struct sf_k8s_cached_profile *c;
	char *path;

	for (size_t i = 0; i < p->ncache; i++)
		if (strcmp(p->cache[i].rel, rel) == 0)
			return &p->cache[i];
	if (p->ncache == p->cache_cap) {
		size_t cap = p->cache_cap ? p->cache_cap * 2 : 8;
		c = reallocarray(p->cache, cap, sizeof(*c));
		if (!c) {
			r->oom = true;
			return NULL;
		}
		p->cache = c;
		p->cache_cap = cap;
	}
	path = sf_strdup_printf("%s/%s", r->opts.profiles_dir, rel);
	c = &p->cache[p->ncache];
	c->rel = strdup(rel);
	if (!path || !c->rel) {
		free(path);
		free(c->rel);
		r->oom = true;
		return NULL;
	}
	c->status = validate_profile(path, &c->why);
	free(path);
	if (c->status == -ENOMEM) {
		free(c->rel);
		free(c->why);
		r->oom = true;
		return NULL;
	}
	p->ncache++;
	return c;
}
