/* Internal interface of lib/k8s: the report's storage, and the walker reading one document. */
#ifndef SF_K8S_INTERNAL_H
#define SF_K8S_INTERNAL_H

#include <sysfence/k8s.h>
#include <sysfence/profile.h>

#include "util/util.h"

/* The result of validating one Localhost profile of --profiles-dir, kept for the next user. */
struct sf_k8s_cached_profile {
	char *rel;  /* the localhostProfile */
	int status; /* 0 valid, -ENOENT missing, other < 0 invalid or unreadable */
	char *why;  /* the first problem, for the message */
};

struct sf_k8s_priv {
	struct sf_arena *arena; /* every string of the report */
	size_t findings_cap, workloads_cap;
	struct sf_k8s_cached_profile *cache;
	size_t ncache, cache_cap;
};

/* Strings copied into the report: sf_k8s_strdup keeps NULL, and gives NULL when out of memory;
 * sf_k8s_printf gives "" then. Either sets oom on failure. */
const char *sf_k8s_strdup(struct sf_k8s_report *r, const char *s);
const char *sf_k8s_printf(struct sf_k8s_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append a finding; strings are copied. */
void sf_k8s_add(struct sf_k8s_report *r, const struct sf_k8s_finding *f);
/* Append a workload (containers copied); returns it, or NULL on allocation failure. */
struct sf_k8s_workload *sf_k8s_add_workload(struct sf_k8s_report *r,
					    const struct sf_k8s_workload *w);

/* Validate DIR/rel with the profile reader and checker (cached). */
const struct sf_k8s_cached_profile *sf_k8s_profile_lookup(struct sf_k8s_report *r, const char *rel);

/* Walk one document root: every object it holds (List items included). line_off is added to
 * every line (a document parsed apart from its file); yaml tells whether plain scalars were
 * read by our YAML 1.2 reader (so YAML 1.1 readings must be checked). */
void sf_k8s_walk_root(struct sf_k8s_report *r, const char *file, const struct sf_node *root,
		      unsigned line_off, bool yaml);

#endif
