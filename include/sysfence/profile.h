/*
 * sysfence — the seccomp profile model: the OCI runtime-spec linux.seccomp object with Docker's
 * and podman's extensions; reading, checking, resolving includes/excludes, writing.
 */
#ifndef SYSFENCE_PROFILE_H
#define SYSFENCE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sysfence/doc.h>
#include <sysfence/error.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sf_action {
	SF_ACT_INVALID = 0,
	SF_ACT_KILL_PROCESS,
	SF_ACT_KILL_THREAD,
	SF_ACT_KILL, /* SCMP_ACT_KILL: the same as KILL_THREAD, kept to write back as written */
	SF_ACT_TRAP,
	SF_ACT_ERRNO,
	SF_ACT_NOTIFY,
	SF_ACT_TRACE,
	SF_ACT_LOG,
	SF_ACT_ALLOW,
};

enum sf_op {
	SF_OP_INVALID = 0,
	SF_OP_NE,
	SF_OP_LT,
	SF_OP_LE,
	SF_OP_EQ,
	SF_OP_GE,
	SF_OP_GT,
	SF_OP_MASKED_EQ, /* (arg & value) == valueTwo */
};

/* "SCMP_ACT_ALLOW" <-> SF_ACT_ALLOW; NULL / SF_ACT_INVALID when unknown. */
const char *sf_action_name(enum sf_action a);
enum sf_action sf_action_from_name(const char *name);
/* Whether the action carries errnoRet (ERRNO, TRACE). */
bool sf_action_takes_errno(enum sf_action a);
/* The kernel's SECCOMP_RET_* value for an action with data (errno, trace message). */
uint32_t sf_action_ret(enum sf_action a, uint32_t data);
const char *sf_op_name(enum sf_op op);
enum sf_op sf_op_from_name(const char *name);

/* errno names (EPERM, ENOSYS, ...) <-> numbers, for podman's errno/defaultErrno. */
int sf_errno_from_name(const char *name); /* -1 when unknown */
const char *sf_errno_name(int e);	   /* NULL when unknown */
/* Whether podman accepts the name in errno/defaultErrno (it knows 82 of them). */
bool sf_errno_podman_knows(const char *name);

/* SECCOMP_FILTER_FLAG_* names. */
enum {
	SF_FLAG_TSYNC = 1 << 0,
	SF_FLAG_LOG = 1 << 1,
	SF_FLAG_SPEC_ALLOW = 1 << 2,
	SF_FLAG_NEW_LISTENER = 1 << 3,
	SF_FLAG_TSYNC_ESRCH = 1 << 4,
	SF_FLAG_WAIT_KILLABLE_RECV = 1 << 5,
};
unsigned sf_flag_from_name(const char *name); /* 0 when unknown */
const char *sf_flag_name(unsigned flag);

struct sf_arg {
	unsigned index; /* 0..5 */
	uint64_t value;
	uint64_t value_two;
	enum sf_op op;
	const struct sf_node *node; /* where it was read, or NULL */
};

/* Docker's includes/excludes. */
struct sf_filter {
	char **caps; /* "CAP_SYS_ADMIN" */
	size_t ncaps;
	char **arches; /* Go names: "amd64", "s390x" */
	size_t narches;
	char *min_kernel; /* "4.8", or NULL */
	const struct sf_node *node;
};

struct sf_rule {
	char **names; /* syscall names as written (possibly unknown to us) */
	const struct sf_node **name_nodes;
	size_t nnames;
	size_t names_cap; /* allocated entries of names and name_nodes (sf_rule_add_name) */
	bool legacy_name; /* Docker's single "name" was used */
	enum sf_action action;
	bool has_errno; /* errnoRet (or podman's errno) given */
	uint32_t errno_ret;
	char *errno_name; /* podman's "errno", or NULL */
	struct sf_arg *args;
	size_t nargs;
	char *comment;
	struct sf_filter includes, excludes;
	const struct sf_node *node;
};

struct sf_archmap {
	char *arch; /* SCMP_ARCH_* as written */
	char **sub;
	size_t nsub;
	const struct sf_node *node;
};

struct sf_profile {
	enum sf_action default_action;
	bool has_default_errno;
	uint32_t default_errno;
	char *default_errno_name; /* podman's defaultErrno, or NULL */
	char **architectures;	  /* SCMP_ARCH_* as written */
	const struct sf_node **arch_nodes;
	size_t narchitectures;
	struct sf_archmap *archmap;
	size_t narchmap;
	unsigned flags; /* SF_FLAG_* */
	char **flag_names;
	size_t nflag_names;
	char *listener_path;
	char *listener_metadata;
	struct sf_rule *rules;
	size_t nrules;
	size_t rules_cap; /* allocated entries of rules (use sf_profile_add_rule) */

	struct sf_doc *doc; /* the document it was read from (owned), or NULL */
	const struct sf_node *node;
	struct sf_arena *arena;
};

/* Findings: what check reports. The parser adds to the same list. */
enum sf_severity {
	SF_SEV_ERROR,
	SF_SEV_WARNING,
};

struct sf_finding {
	enum sf_severity severity;
	unsigned line, col;
	char *path; /* JSON path: "syscalls[3].names[2]" (may be "") */
	char *code; /* stable identifier: "unknown-syscall" */
	char *msg;
	char *hint; /* or NULL */
};

struct sf_findings {
	char *file;
	struct sf_finding *v;
	size_t n, cap;
	size_t nerrors, nwarnings;
};
void sf_findings_init(struct sf_findings *f, const char *file);
void sf_findings_clear(struct sf_findings *f);
int sf_findings_add(struct sf_findings *f, enum sf_severity sev, const struct sf_node *at,
		    const char *path, const char *code, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/*
 * Read a profile from a document: a bare profile, or an SPO SeccompProfile object (its spec).
 * Every problem of structure, type and range is added to findings (which may be NULL).
 * Returns 0 when there was no error finding; else -EINVAL with err set to the first error.
 * The profile takes ownership of doc in every case when out is set; on failure *out is still
 * filled (best effort) when the tree could be walked at all, so check can go on.
 */
int sf_profile_from_doc(struct sf_doc *doc, struct sf_findings *findings, struct sf_profile **out,
			struct sf_error *err);
/* The same for one root of a multi-document file: the profile borrows doc, which must outlive
 * it. */
int sf_profile_from_node(struct sf_doc *doc, const struct sf_node *root,
			 struct sf_findings *findings, struct sf_profile **out, struct sf_error *err);
int sf_profile_read(const char *path, enum sf_doc_format format, struct sf_findings *findings,
		    struct sf_profile **out, struct sf_error *err);
int sf_profile_parse(const char *name, const char *data, size_t len, enum sf_doc_format format,
		     struct sf_findings *findings, struct sf_profile **out, struct sf_error *err);

/*
 * Built-in profiles, named with '@', returned as a profile read from a file would be (owned: free
 * it with sf_profile_free):
 *   @runtime-default  the container runtime default: Docker's default profile (moby/profiles
 *                     seccomp/default.json), unresolved: resolve it with sf_profile_resolve
 *   @unconfined       Kubernetes' Unconfined: no filter at all (default ALLOW, no rules)
 *   @audit            allow and log everything (default LOG) on the native arch and its 32-bit
 *                     companions (x86_64: x86, x32; aarch64: arm)
 *   @deny-all         EPERM for everything but exit and exit_group (same arches): nothing can
 *                     run under it; a baseline for diff and tests
 * An unknown name gives -ENOENT, with the built-ins listed in err.
 */
int sf_profile_builtin(const char *name, struct sf_profile **out, struct sf_error *err);
/* The built-ins' names ("@runtime-default", ...), NULL-terminated, for help texts. */
const char *const *sf_profile_builtin_names(void);

struct sf_profile *sf_profile_new(void);
void sf_profile_free(struct sf_profile *p);
static inline void sf_profile_freep(struct sf_profile **p)
{
	sf_profile_free(*p);
}

/* Strings in profiles built by hand are copied into its arena. */
char *sf_profile_strdup(struct sf_profile *p, const char *s);
struct sf_rule *sf_profile_add_rule(struct sf_profile *p);
int sf_rule_add_name(struct sf_profile *p, struct sf_rule *r, const char *name);
int sf_rule_add_arg(struct sf_profile *p, struct sf_rule *r, const struct sf_arg *arg);
/* Append an SCMP_ARCH_* name to architectures, as written (no check, no deduplication). */
int sf_profile_add_arch(struct sf_profile *p, const char *scmp_name);

/* Semantic checks (conflicts, duplicates, no-op rules, posture). */
enum {
	SF_CHECK_STRICT = 1 << 0, /* (the CLI turns warnings into errors; kept for callers) */
};
void sf_profile_check(const struct sf_profile *p, unsigned flags, struct sf_findings *findings);

/* Docker's resolution of includes/excludes and archMap for a target. */
struct sf_target {
	const char *arch;	/* any spelling; NULL = native */
	const char *const *caps; /* NULL-terminated "CAP_*"; NULL = Docker's default set */
	unsigned kernel_major, kernel_minor; /* 0.0 = the running kernel */
};
/* Capability names (CAP_SYS_ADMIN) <-> numbers (linux/capability.h). */
const char *sf_cap_name(unsigned cap); /* NULL when unknown */
int sf_cap_from_name(const char *name); /* -1 when unknown; "CAP_" prefix optional, any case */
unsigned sf_cap_count(void);		/* the highest known capability + 1 */

/* Docker's default capability set, NULL-terminated. */
extern const char *const sf_docker_default_caps[];
int sf_profile_resolve(const struct sf_profile *p, const struct sf_target *t,
		       struct sf_profile **out, struct sf_error *err);

/* Canonical output: the same model gives the same bytes. */
enum sf_out_format {
	SF_OUT_JSON,
	SF_OUT_YAML,
};
int sf_profile_to_doc(const struct sf_profile *p, struct sf_doc **out, struct sf_error *err);
int sf_profile_write(const struct sf_profile *p, enum sf_out_format fmt, struct sf_buf *out,
		     struct sf_error *err);

/*
 * The union of allowlists (sysfence merge, sysfence record --merge): a profile that lets run
 * every call that one of the inputs lets run (ALLOW or LOG), and refuses the rest as they do.
 * Inputs that can be merged: allowlists — defaultAction refuses (ERRNO, KILL*, TRAP) — with the
 * same default outcome (action and errno), the same load flags (none = SPEC_ALLOW, as runc
 * and crun load) and listener, resolved (no includes/excludes, no archMap: sf_profile_resolve).
 * Each syscall is decided from the rules naming it, as libseccomp builds one decision per
 * syscall (rules equal to the default are skipped, as runc does; the first rule without
 * conditions decides for its input):
 *  - some input lets it run unconditionally: one ALLOW rule (LOG when no input ALLOWs it);
 *  - one input has rules for it: they are copied as they are (same decision);
 *  - several inputs refuse it without conditions: the same answer is kept, different answers
 *    are an error;
 *  - several inputs with conditions: their conditional allows are united (identical ones once);
 *    a conditional refusal, or a refusal in one input and conditions in another, is an error
 *    (how libseccomp orders conditions would decide the outcome).
 * The output: the first input's default, flags and listener; the inputs' architectures in
 * order of appearance without repeats (a name is then allowed on all of them: OCI rules cannot
 * name an architecture); one ALLOW rule with the unconditional names sorted, one LOG rule, then
 * the other names' rules in name order. Errors are located (files[i]: the name of input i for
 * messages, or NULL) and nothing is returned.
 */
int sf_profile_merge(const struct sf_profile *const *in, const char *const *files, size_t n,
		     struct sf_profile **out, struct sf_error *err);

#ifdef __cplusplus
}
#endif
#endif
