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


/*
 * Export: profiles as Kubernetes objects (lib/k8s/export.c). docs/k8s.md gives every field.
 * Each function builds objects into a new document (one root per object) and fails closed:
 * what the target cannot express is an error located in the profile, never dropped.
 */
struct sf_profile;

/* Object names: a DNS subdomain (RFC 1123: at most 253 lower-case alphanumerics, '-' and '.',
 * alphanumeric at both ends, as Kubernetes' IsDNS1123Subdomain); namespaces: a DNS label (at most
 * 63 lower-case alphanumerics and '-', alphanumeric at both ends). */
bool sf_k8s_valid_name(const char *s);
bool sf_k8s_valid_namespace(const char *s);

/* The namespace, object name and image of the exported DaemonSet when none is given. */
#define SF_K8S_DEFAULT_NAMESPACE "kube-system"
#define SF_K8S_DEFAULT_OBJECT "sysfence-profiles"
#define SF_K8S_DEFAULT_KUBELET_ROOT "/var/lib/kubelet"
/* The kubelet's seccomp directory below its root, and where `install` puts profiles in it. */
#define SF_K8S_SECCOMP_SUBDIR "seccomp"
#define SF_K8S_PROFILES_SUBDIR "profiles"
/* security-profiles-operator's API version and the directory it installs profiles in, below the
 * kubelet's seccomp directory (cluster-scoped SeccompProfiles, SPO 0.9.0 and later). */
#define SF_K8S_SPO_API_VERSION "security-profiles-operator.x-k8s.io/v1"
#define SF_K8S_SPO_SUBDIR "operator"

enum {
	/* Drop the rules' "comment" (SPO has no such field; it never changes what is enforced).
	 * Without it a comment is an error. */
	SF_K8S_SPO_DROP_COMMENTS = 1 << 0,
};

/*
 * A security-profiles-operator SeccompProfile (cluster-scoped, SF_K8S_SPO_API_VERSION) holding
 * p's rules in its spec, field for field as SPO's CRD names them. Refused (-EINVAL, err located at
 * the field in p's file when known): what the CRD has no field for (archMap, includes/excludes,
 * comments, a defaultErrnoRet other than the runtimes' default EPERM), values outside the CRD's
 * ranges and enums (an argument value above INT64_MAX, an architecture it does not list, a
 * listenerPath outside /var/run/security-profiles-operator/), duplicates in its sets, a rule with
 * no name. p should have passed sf_profile_check; it is not checked again.
 */
int sf_k8s_spo_object(const struct sf_profile *p, const char *name, struct sf_doc **out,
		      struct sf_error *err);
int sf_k8s_spo_object_flags(const struct sf_profile *p, const char *name, unsigned flags,
			    struct sf_doc **out, struct sf_error *err);

enum sf_k8s_export_as {
	SF_K8S_EXPORT_SPO,	 /* one SeccompProfile */
	SF_K8S_EXPORT_CONFIGMAP, /* a ConfigMap holding the profiles, key NAME.json */
	SF_K8S_EXPORT_DAEMONSET, /* that ConfigMap, and a DaemonSet installing it on every node */
	SF_K8S_EXPORT_PATCH,	 /* a strategic-merge patch pointing a workload at a profile */
};

/* Where the patch goes. */
enum sf_k8s_patch_for {
	SF_K8S_PATCH_TEMPLATE,	      /* spec.template.spec: Deployment, StatefulSet, DaemonSet, ... */
	SF_K8S_PATCH_CRONJOB,	      /* spec.jobTemplate.spec.template.spec */
	SF_K8S_PATCH_POD,	      /* spec: a Pod */
	SF_K8S_PATCH_SECURITY_CONTEXT, /* the securityContext object alone */
};

struct sf_k8s_export_opts {
	enum sf_k8s_export_as as;
	const struct sf_profile *const *profiles; /* SPO and PATCH: exactly one */
	const char *const *names;		  /* the profiles' names (file NAME.json) */
	size_t nprofiles;
	unsigned flags;		  /* SF_K8S_SPO_* */
	const char *namespace;	  /* CONFIGMAP, DAEMONSET: NULL = SF_K8S_DEFAULT_NAMESPACE */
	const char *object_name;  /* CONFIGMAP, DAEMONSET: NULL = SF_K8S_DEFAULT_OBJECT */
	const char *image;	  /* DAEMONSET: NULL = "sysfence:" SYSFENCE version */
	const char *kubelet_root; /* DAEMONSET: NULL = SF_K8S_DEFAULT_KUBELET_ROOT */
	enum sf_k8s_patch_for patch_for;
	bool operator_path; /* PATCH: the operator's path operator/NAME.json, not profiles/NAME.json */
};

/* The objects, one root each, in the order they are to be applied. */
int sf_k8s_export(const struct sf_k8s_export_opts *o, struct sf_doc **out, struct sf_error *err);

/* Write a document's roots: YAML documents separated by "---", or JSON (one object as it is,
 * several as a v1 List). Deterministic. */
int sf_k8s_write_objects(const struct sf_doc *doc, bool json, struct sf_buf *out,
			 struct sf_error *err);


/*
 * Installing profiles on a node (lib/k8s/install.c): validated first (as `sysfence check`),
 * then written atomically into the kubelet's seccomp directory (a temporary file in the same
 * directory, fsync, rename, fsync of the directory): a reader sees the old file or the new one,
 * never a part. Passes on one root are serialised with flock(2) on the directory.
 */
#define SF_K8S_DEFAULT_ROOT "/var/lib/kubelet/seccomp/profiles"
/* In the root: the names sync installed there, one a line. Only these are ever replaced or
 * removed by sync. */
#define SF_K8S_MANIFEST ".sysfence-installed"

enum sf_k8s_change {
	SF_K8S_ADDED,
	SF_K8S_REPLACED,
	SF_K8S_UNCHANGED,
	SF_K8S_REMOVED,
	SF_K8S_INVALID,	 /* the source does not validate: not installed (see kept) */
	SF_K8S_CONFLICT, /* not ours to change: a file sync did not install, two sources for one
			  * name */
	SF_K8S_FAILED,	 /* an I/O error */
};
const char *sf_k8s_change_name(enum sf_k8s_change c); /* "added", ... */

struct sf_k8s_event {
	enum sf_k8s_change change;
	const char *name;	     /* the file in the root */
	const char *source;	     /* the profile it comes from, or NULL */
	bool kept;		     /* INVALID: the version installed before stays */
	const struct sf_error *err;  /* INVALID, CONFLICT, FAILED: what is wrong, located */
};
typedef void sf_k8s_event_fn(void *ctx, const struct sf_k8s_event *ev);

/* The name a profile file gets in the root: its base name with .json, .yaml or .yml replaced by
 * .json (others keep their name and get .json added); "@name" (a built-in) gives name.json.
 * NULL when the result is not a plain file name ([A-Za-z0-9._-], no leading '.', at most 255
 * bytes) or out of memory. Owned by the caller. */
char *sf_k8s_install_name(const char *path);

/*
 * Read and validate a profile as `sysfence check` does (errors fail, warnings do not). On success
 * json holds the profile's canonical JSON, the bytes that are installed. A built-in "@name" is
 * taken as it is. On failure err is located at the first error in the file.
 */
int sf_k8s_validate(const char *path, const char *display, struct sf_buf *json,
		    struct sf_error *err);

/*
 * Install every profile into root (created when missing), each as sf_k8s_install_name(path):
 * all are validated first, and nothing is installed unless all are valid (-EINVAL, with fn told
 * about each invalid one). fn (may be NULL) is told what happened to each. The root's manifest
 * is not changed: these files are not sync's.
 */
int sf_k8s_install(const char *root, const char *const *paths, size_t n, sf_k8s_event_fn *fn,
		   void *ctx, struct sf_error *err);

struct sf_k8s_sync_stats {
	size_t added, replaced, unchanged, removed, invalid, conflicts, failed;
};

/*
 * One pass keeping root in step with dir (a directory of profiles, or a mounted ConfigMap whose
 * `..data` link is swapped atomically: its files are read from one generation). Profiles are the
 * entries not starting with '.' named *.json, *.yaml or *.yml. Adds and replaces what changed,
 * removes what sync installed before and dir no longer holds; never touches a file it did not
 * install (a CONFLICT). A profile that does not validate is not installed, and the version
 * installed before is kept. Returns 0 when the pass ran (problems are events and counts), or a
 * negative errno when it could not (root or dir unusable).
 */
int sf_k8s_sync_once(const char *root, const char *dir, sf_k8s_event_fn *fn, void *ctx,
		     struct sf_k8s_sync_stats *stats, struct sf_error *err);

/*
 * Sync, then again on every change inotify reports in dir (debounced), and every interval_ms
 * (0: never) to repair drift, until stop_fd becomes readable (a signalfd, a pipe). Returns 0
 * when stopped, or a negative errno when watching failed.
 */
int sf_k8s_sync_watch(const char *root, const char *dir, int stop_fd, unsigned interval_ms,
		      sf_k8s_event_fn *fn, void *ctx, struct sf_error *err);


/*
 * The kubelet's seccomp settings (lib/k8s/kubelet.c): seccompDefault from its
 * KubeletConfiguration file (and drop-ins), overridden by its command line; the seccomp
 * directory <root-dir>/seccomp, where --root-dir is a flag only.
 */
#define SF_K8S_DEFAULT_KUBELET_CONFIG "/var/lib/kubelet/config.yaml"

enum sf_k8s_origin {
	SF_K8S_FROM_DEFAULT, /* nothing set it */
	SF_K8S_FROM_FILE,    /* the KubeletConfiguration file */
	SF_K8S_FROM_DROPIN,  /* a file of --config-dir */
	SF_K8S_FROM_FLAG,    /* the kubelet's command line */
	SF_K8S_FROM_ARGUMENT /* the config file: given to sysfence */
};
const char *sf_k8s_origin_name(enum sf_k8s_origin o); /* "default", "config file", ... */

/* The flags of a kubelet command line that matter here, as pflag reads them (--x=v, --x v,
 * booleans --x and --x=false; '_' read as '-'; the last occurrence wins; "--" ends flags).
 * Strings point into argv. */
struct sf_k8s_kubelet_flags {
	const char *config, *config_dir, *root_dir, *seccomp_profile_root;
	int seccomp_default;		 /* -1 not given, else 0 or 1 */
	const char *seccomp_default_arg; /* the argument as written */
	int gate;			 /* --feature-gates SeccompDefault: -1 not given, 0, 1 */
};
/* Returns 0, or -EINVAL with err set when the kubelet would refuse its command line (a bad
 * boolean, a flag missing its value). */
int sf_k8s_kubelet_parse_args(int argc, char *const *argv, struct sf_k8s_kubelet_flags *f,
			      struct sf_error *err);

struct sf_k8s_setting {
	enum sf_k8s_origin from;
	char *where; /* FILE:LINE:COL, "--flag=value", or NULL */
};

struct sf_k8s_kubelet {
	int pid;	   /* the kubelet process read, 0 when none */
	char *exe;	   /* its argv[0] */
	size_t nprocesses; /* processes named kubelet */
	char *config;	   /* the configuration file read, or NULL */
	enum sf_k8s_origin config_from;
	bool seccomp_default;
	struct sf_k8s_setting seccomp_default_set;
	int file_seccomp_default; /* what the files say: -1 unset, 0, 1 */
	int gate;		  /* the SeccompDefault feature gate: -1 unset, 0, 1 */
	struct sf_k8s_setting gate_set;
	char *root_dir;
	struct sf_k8s_setting root_dir_set;
	char *seccomp_dir;
	struct sf_k8s_setting seccomp_dir_set;
	char **notes; /* things to know, one sentence each */
	size_t nnotes;
	char **errors; /* what the kubelet would refuse (FILE:LINE:COL: message) */
	size_t nerrors;
};

struct sf_k8s_kubelet_opts {
	const char *config; /* a KubeletConfiguration to read instead of the kubelet's, or NULL */
	const char *proc;   /* the proc file system, NULL = "/proc" */
	int pid;	    /* the kubelet's pid; 0 = find a process named kubelet; -1 = do not */
};

/* Returns 0 (problems of the files are in errors), or a negative errno when a file could not be
 * read (err says which). */
int sf_k8s_kubelet_check(const struct sf_k8s_kubelet_opts *o, struct sf_k8s_kubelet *k,
			 struct sf_error *err);
void sf_k8s_kubelet_clear(struct sf_k8s_kubelet *k);
int sf_k8s_kubelet_write_json(const struct sf_k8s_kubelet *k, struct sf_buf *out);

#ifdef __cplusplus
}
#endif
#endif
