/*
 * sysfence — Kubernetes manifests: the seccomp profile every container really gets, as the API
 * server and the kubelet of a given release decide it; findings and Pod Security verdicts.
 * docs/k8s.md gives every rule with its source in Kubernetes.
 */
#ifndef SYSFENCE_K8S_H
#define SYSFENCE_K8S_H

#include <stdbool.h>
#include <stddef.h>

#include <sysfence/doc.h>
#include <sysfence/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Kubernetes releases modelled: 1.19 (the seccompProfile field) to the latest release. */
#define SF_K8S_MINOR_OLDEST 19
#define SF_K8S_MINOR_LATEST 37

enum sf_k8s_level {
	SF_K8S_ERROR,
	SF_K8S_WARNING,
	SF_K8S_NOTE,
};
const char *sf_k8s_level_name(enum sf_k8s_level level); /* "error", "warning", "note" */
/* "error" | "warning" | "note"; -1 when unknown. */
int sf_k8s_level_from_name(const char *name);

/* The profile a container runs under. */
enum sf_k8s_seccomp {
	SF_K8S_SECCOMP_UNCONFINED,
	SF_K8S_SECCOMP_RUNTIME_DEFAULT,
	SF_K8S_SECCOMP_LOCALHOST,
	SF_K8S_SECCOMP_NOT_APPLICABLE, /* a Windows pod: Windows has no seccomp */
	SF_K8S_SECCOMP_REJECTED, /* the API server refuses it or the kubelet cannot start it */
};
const char *sf_k8s_seccomp_name(enum sf_k8s_seccomp s); /* "Unconfined", "RuntimeDefault", ... */

/* What decided it. */
enum sf_k8s_source {
	SF_K8S_SRC_CONTAINER_FIELD,
	SF_K8S_SRC_CONTAINER_ANNOTATION,
	SF_K8S_SRC_POD_FIELD,
	SF_K8S_SRC_POD_ANNOTATION,
	SF_K8S_SRC_UNSET,	    /* nothing set: Unconfined */
	SF_K8S_SRC_SECCOMP_DEFAULT, /* nothing set, the kubelet's seccompDefault: RuntimeDefault */
	SF_K8S_SRC_PRIVILEGED,	    /* privileged: true overrides every profile */
	SF_K8S_SRC_WINDOWS,
};
const char *sf_k8s_source_name(enum sf_k8s_source s); /* "container field", ... */

/* Pod Security Standards levels. */
enum sf_k8s_pss {
	SF_K8S_PSS_NONE,
	SF_K8S_PSS_BASELINE,
	SF_K8S_PSS_RESTRICTED,
};

struct sf_k8s_options {
	unsigned minor;		  /* Kubernetes 1.minor; 0 = SF_K8S_MINOR_LATEST */
	bool seccomp_default;	  /* the nodes' kubelets run with seccompDefault: true */
	const char *profiles_dir; /* a copy of the nodes' <kubelet root>/seccomp, or NULL */
	enum sf_k8s_pss require;  /* failing this level (and below) is an error, not a note */
};

/* "1.34", "v1.34", "1.34.2" -> 34. Refuses releases older than SF_K8S_MINOR_OLDEST. */
int sf_k8s_parse_version(const char *s, unsigned *minor, struct sf_error *err);

struct sf_k8s_finding {
	enum sf_k8s_level level;
	const char *rule; /* stable identifier: "unconfined", "privileged", ... */
	const char *file;
	unsigned line, col;		     /* 0 when unknown */
	const char *kind, *namespace, *name; /* the object, or NULL (syntax, I/O) */
	const char *container;		     /* or NULL when about the pod or the object */
	const char *message;
	const char *fix; /* or NULL */
};

struct sf_k8s_container {
	const char *name;
	const char *role; /* "container", "initContainer", "ephemeralContainer" */
	enum sf_k8s_seccomp seccomp;
	const char *localhost; /* Localhost: the profile's path under the seccomp root */
	enum sf_k8s_source source;
	unsigned line, col;
};

/* Pod Security Admission's verdict on the pods a workload creates (seccomp and privileged
 * controls only). */
struct sf_k8s_verdict {
	bool allowed;
	const char *reason; /* NULL when allowed */
};

struct sf_k8s_workload {
	const char *file;
	unsigned line, col;
	const char *kind, *namespace, *name; /* namespace and name may be "" */
	bool windows;
	struct sf_k8s_verdict baseline, restricted;
	struct sf_k8s_container *containers;
	size_t ncontainers;
};

/* Everything one run found. Strings belong to the report. */
struct sf_k8s_report {
	struct sf_k8s_options opts; /* as given, minor resolved; profiles_dir is copied */
	struct sf_k8s_finding *findings;
	size_t nfindings;
	struct sf_k8s_workload *workloads;
	size_t nworkloads;
	size_t nfiles, ndocuments, nobjects;
	size_t count[3];    /* findings by level */
	size_t nunreadable; /* inputs that could not be read (exit status 2) */
	bool oom;	    /* an allocation failed: the report is incomplete */
	void *priv;	    /* internal */
};

int sf_k8s_report_init(struct sf_k8s_report *r, const struct sf_k8s_options *opts);
void sf_k8s_report_clear(struct sf_k8s_report *r);

/*
 * Lint a file, a directory (recursively: *.yaml, *.yml, *.json, in name order; hidden entries and
 * symbolic links to directories are skipped) or "-" (standard input). Problems with the input are
 * findings (unreadable inputs also count in nunreadable). Returns 0, or -ENOMEM.
 */
int sf_k8s_lint_path(struct sf_k8s_report *r, const char *path);
/* Lint a buffer read from name (YAML, several documents, or JSON; chosen by name, then content). */
int sf_k8s_lint_data(struct sf_k8s_report *r, const char *name, const char *data, size_t len);

/* Whether a finding at or above level was made. */
bool sf_k8s_report_fails(const struct sf_k8s_report *r, enum sf_k8s_level level);

/* Machine output, deterministic: JSON with stable keys, or a SARIF 2.1.0 log. */
int sf_k8s_write_json(const struct sf_k8s_report *r, struct sf_buf *out);
int sf_k8s_write_sarif(const struct sf_k8s_report *r, struct sf_buf *out);

/* The rules: id, default level, one line. NULL-terminated by id. */
struct sf_k8s_rule {
	const char *id;
	enum sf_k8s_level level;
	const char *summary;
};
extern const struct sf_k8s_rule sf_k8s_rules[];

#ifdef __cplusplus
}
#endif
#endif
