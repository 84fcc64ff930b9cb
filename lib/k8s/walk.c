/*
 * Walking Kubernetes objects: the fields that decide seccomp, read as Kubernetes reads them (YAML
 * 1.1 readings checked), the effective profile of every container as the API server and kubelet
 * of the chosen release decide it, findings, and Pod Security Admission's verdicts.
 * docs/k8s.md cites the Kubernetes source of every rule applied here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "k8s/k8s-internal.h"

#define POD_ANNOTATION "seccomp.security.alpha.kubernetes.io/pod"
#define CTR_ANNOTATION "container.seccomp.security.alpha.kubernetes.io/"
#define MAX_LIST_DEPTH 16

struct walk {
	struct sf_k8s_report *r;
	const char *file;
	unsigned off; /* added to every line */
	bool yaml;    /* plain scalars were resolved by YAML 1.2 rules */
	unsigned minor;
	/* The object being read, for findings. */
	const char *kind, *ns, *name;
};

/* A seccompProfile field, or a seccomp annotation, as read. */
struct prof {
	bool set;
	bool valid;	    /* the API server accepts it */
	bool kubelet_fails; /* accepted, but the kubelet cannot start a container with it */
	bool annotation;
	enum sf_k8s_seccomp type; /* SF_K8S_SECCOMP_REJECTED when the type is unknown or missing */
	const char *type_text;	  /* the type as written ("" when missing) */
	const char *localhost;	  /* localhostProfile, or NULL */
	const char *value;	  /* annotation: the value */
	const char *key;	  /* annotation: the key */
	const struct sf_node *at; /* where to point: the type node, or the annotation value */
};

struct ctr {
	const struct sf_node *node;
	const char *name;
	const char *role;
	struct prof field, ann;
	int privileged; /* -1 unset */
	const struct sf_node *privileged_at;
};

struct pod {
	const struct sf_node *obj; /* the object (for the workload's position) */
	bool windows;
	struct prof field, ann;
	struct ctr *ctrs;
	size_t nctrs;
};

/* Findings. */

static unsigned line_of(const struct walk *w, const struct sf_node *at)
{
	return at && at->line ? at->line + w->off : 0;
}

static void vemit(struct walk *w, enum sf_k8s_level level, const char *rule,
		  const struct sf_node *at, const char *container, const char *fix, const char *fmt,
		  va_list ap) __attribute__((format(printf, 7, 0)));

static void vemit(struct walk *w, enum sf_k8s_level level, const char *rule,
		  const struct sf_node *at, const char *container, const char *fix, const char *fmt,
		  va_list ap)
{
	struct sf_k8s_finding f = {
	    .level = level,
	    .rule = rule,
	    .file = w->file,
	    .line = line_of(w, at),
	    .col = at && at->line ? at->col : 0,
	    .kind = w->kind,
	    .namespace = w->ns,
	    .name = w->name,
	    .container = container,
	    .fix = fix,
	};
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0) {
		w->r->oom = true;
		return;
	}
	f.message = msg;
	sf_k8s_add(w->r, &f);
	free(msg);
}

static void emit(struct walk *w, enum sf_k8s_level level, const char *rule,
		 const struct sf_node *at, const char *container, const char *fix, const char *fmt,
		 ...) __attribute__((format(printf, 7, 8)));

static void emit(struct walk *w, enum sf_k8s_level level, const char *rule,
		 const struct sf_node *at, const char *container, const char *fix, const char *fmt,
		 ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(w, level, rule, at, container, fix, fmt, ap);
	va_end(ap);
}

/* "the pod's" or "container \"app\"'s", for messages. */
static const char *who(struct walk *w, const char *container)
{
	if (!container)
		return "the pod's";
	return sf_k8s_printf(w->r, "container \"%s\"'s", container);
}

/* Typed reads. */

/* The last member with key (Go's decoders keep the last); a repeated key is reported. */
static const struct sf_node *get(struct walk *w, const struct sf_node *obj, const char *key)
{
	const struct sf_member *last = NULL, *first = NULL;

	if (!obj || obj->kind != SF_NODE_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->len; i++) {
		const struct sf_member *m = &obj->members[i];
		if (m->key_len != strlen(key) || memcmp(m->key, key, m->key_len) != 0)
			continue;
		if (!first)
			first = m;
		else if (!last || last == first)
			emit(w, SF_K8S_ERROR, "duplicate-key",
			     &(struct sf_node){.line = m->line, .col = m->col}, NULL,
			     "keep one of them",
			     "key \"%s\" given twice (first at %u:%u): readers disagree on which "
			     "one counts, and kubectl's strict field validation refuses it",
			     key, first->line + w->off, first->col);
		last = m;
	}
	return last ? last->value : NULL;
}

static bool plain(const struct walk *w, const struct sf_node *n)
{
	return w->yaml && !n->quoted;
}

/* go-yaml v2 (YAML 1.1), which Kubernetes' sigs.k8s.io/yaml uses, reads these plain scalars as
 * booleans. -1: not one of them. */
static int yaml11_bool(const char *s)
{
	static const char *const yes[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", NULL};
	static const char *const no[] = {"n", "N", "no", "No", "NO", "off", "Off", "OFF", NULL};

	for (size_t i = 0; yes[i]; i++)
		if (strcmp(s, yes[i]) == 0)
			return 1;
	for (size_t i = 0; no[i]; i++)
		if (strcmp(s, no[i]) == 0)
			return 0;
	return -1;
}

static bool all_in(const char *s, const char *set)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(set, *s))
			return false;
	return true;
}

/* A plain scalar our YAML 1.2 reader took for a string that YAML 1.1 takes for a number:
 * underscores (1_000), binary (0b101), and the like. */
static bool yaml11_number(const char *s)
{
	char t[64];
	size_t n = 0;
	bool underscore = false;

	for (const char *p = s; *p; p++) {
		if (*p == '_') {
			underscore = true;
			continue;
		}
		if (n + 1 >= sizeof(t))
			return false;
		t[n++] = *p;
	}
	t[n] = 0;
	const char *d = t + (t[0] == '-' || t[0] == '+');
	if ((d[0] == '0' && d[1] == 'b' && all_in(d + 2, "01")) ||
	    (d[0] == '0' && d[1] == 'x' && all_in(d + 2, "0123456789abcdefABCDEF")))
		return true;
	return underscore && all_in(d, "0123456789") && d[0] != '_';
}

/* "0755": decimal 755 to YAML 1.2, octal 493 to YAML 1.1. */
static bool yaml11_octal(const char *s)
{
	return s[0] == '0' && s[1] && all_in(s + 1, "01234567");
}

/* A string-typed field. NULL when absent or null. Values Kubernetes refuses (wrong type, or a
 * plain scalar it reads as something else) are reported; their text is still returned so that
 * the rest can be checked. */
static const char *str_field(struct walk *w, const struct sf_node *v, const char *what,
			     const char *container)
{
	if (!v || v->kind == SF_NODE_NULL)
		return NULL;
	switch (v->kind) {
	case SF_NODE_STRING:
		if (strlen(v->str) != v->len) {
			emit(w, SF_K8S_ERROR, "field-type", v, container, NULL,
			     "%s: the string holds a NUL byte", what);
			return v->str;
		}
		if (plain(w, v) && yaml11_bool(v->str) >= 0)
			emit(w, SF_K8S_ERROR, "field-type", v, container,
			     sf_k8s_printf(w->r, "write \"%s\" in quotes", v->str),
			     "%s: plain %s is the boolean %s to Kubernetes, which reads YAML 1.1: "
			     "the API server refuses a boolean here",
			     what, v->str, yaml11_bool(v->str) ? "true" : "false");
		else if (plain(w, v) && yaml11_number(v->str))
			emit(
			    w, SF_K8S_ERROR, "field-type", v, container,
			    sf_k8s_printf(w->r, "write \"%s\" in quotes", v->str),
			    "%s: plain %s is a number to Kubernetes, which reads YAML 1.1: the API "
			    "server refuses a number here",
			    what, v->str);
		return v->str;
	case SF_NODE_NUMBER:
		if (w->yaml && yaml11_octal(v->str))
			emit(w, SF_K8S_ERROR, "field-type", v, container,
			     sf_k8s_printf(w->r, "write \"%s\" in quotes", v->str),
			     "%s: expected a string, found the number %s (%llu: Kubernetes reads "
			     "YAML 1.1, where a leading zero means octal)",
			     what, v->str, strtoull(v->str, NULL, 8));
		else
			emit(w, SF_K8S_ERROR, "field-type", v, container,
			     w->yaml ? sf_k8s_printf(w->r, "write \"%s\" in quotes", v->str) : NULL,
			     "%s: expected a string, found the number %s", what, v->str);
		return v->str;
	case SF_NODE_BOOL:
		emit(w, SF_K8S_ERROR, "field-type", v, container, NULL,
		     "%s: expected a string, found the boolean %s", what,
		     v->boolean ? "true" : "false");
		return v->boolean ? "true" : "false";
	default:
		emit(w, SF_K8S_ERROR, "field-type", v, container, NULL,
		     "%s: expected a string, found %s", what, sf_node_kind_name(v->kind));
		return NULL;
	}
}

/* A boolean field: -1 unset, 0 or 1. */
static int bool_field(struct walk *w, const struct sf_node *v, const char *what,
		      const char *container)
{
	int b;

	if (!v || v->kind == SF_NODE_NULL)
		return -1;
	if (v->kind == SF_NODE_BOOL)
		return v->boolean;
	if (v->kind == SF_NODE_STRING && plain(w, v) && (b = yaml11_bool(v->str)) >= 0) {
		emit(w, SF_K8S_WARNING, "yaml11", v, container,
		     sf_k8s_printf(w->r, "write %s", b ? "true" : "false"),
		     "%s: Kubernetes reads plain %s as %s (YAML 1.1), YAML 1.2 tools as a string",
		     what, v->str, b ? "true" : "false");
		return b;
	}
	if (v->kind == SF_NODE_STRING)
		emit(w, SF_K8S_ERROR, "field-type", v, container, NULL,
		     "%s: expected true or false, found the string \"%s\"", what, v->str);
	else
		emit(w, SF_K8S_ERROR, "field-type", v, container, NULL,
		     "%s: expected true or false, found %s%s%s", what, sf_node_kind_name(v->kind),
		     v->kind == SF_NODE_NUMBER ? " " : "", v->kind == SF_NODE_NUMBER ? v->str : "");
	return -1;
}

/* Profiles. */

/* validateLocalDescendingPath: relative, and no ".." element. */
static bool descending(const char *p)
{
	if (p[0] == '/')
		return false;
	for (const char *s = p; *s;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return false;
		s += n + (e != NULL);
		if (!e)
			break;
	}
	return true;
}

static void check_profiles_dir(struct walk *w, const struct prof *p, const struct sf_node *at,
			       const char *container)
{
	const struct sf_k8s_cached_profile *c;
	const char *dir = w->r->opts.profiles_dir;

	if (!dir || !p->localhost || !*p->localhost || !descending(p->localhost))
		return;
	c = sf_k8s_profile_lookup(w->r, p->localhost);
	if (!c || c->status == 0)
		return;
	if (c->status == -ENOENT)
		emit(w, SF_K8S_ERROR, "localhost-not-found", at, container,
		     sf_k8s_printf(
			 w->r,
			 "install the profile as <kubelet root>/seccomp/%s on every node "
			 "(the security-profiles-operator does it for SeccompProfile objects)",
			 p->localhost),
		     "Localhost profile \"%s\" is not in %s: the kubelet cannot create %s "
		     "(CreateContainerError)",
		     p->localhost, dir, container ? "the container" : "the pod's containers");
	else
		emit(w, SF_K8S_ERROR, "localhost-invalid", at, container,
		     "fix the profile on the nodes: sysfence check shows every problem",
		     "Localhost profile \"%s\" is not a valid profile, the runtime refuses it: %s",
		     p->localhost, c->why ? c->why : strerror(-c->status));
}

static const char *const types[] = {"Unconfined", "RuntimeDefault", "Localhost"};

static const struct sf_node *member_node(const struct sf_node *obj, const char *key)
{
	return sf_node_get(obj, key);
}

/* spec.securityContext.seccompProfile or a container's: validateSeccompProfileField. */
static struct prof read_field(struct walk *w, const struct sf_node *sc, const char *container)
{
	struct prof p = {0};
	const struct sf_node *sp = get(w, sc, "seccompProfile"), *tn, *ln;
	const char *where = container ? "securityContext.seccompProfile"
				      : "the pod's securityContext.seccompProfile";

	if (!sp || sp->kind == SF_NODE_NULL)
		return p;
	p.set = true;
	p.valid = true;
	p.at = sp;
	p.type_text = "";
	p.type = SF_K8S_SECCOMP_REJECTED;
	if (sp->kind != SF_NODE_OBJECT) {
		emit(w, SF_K8S_ERROR, "field-type", sp, container, NULL,
		     "%s: expected a mapping, found %s", where, sf_node_kind_name(sp->kind));
		p.valid = false;
		return p;
	}
	tn = get(w, sp, "type");
	ln = get(w, sp, "localhostProfile");
	p.type_text = str_field(w, tn, "seccompProfile.type", container);
	p.localhost = str_field(w, ln, "seccompProfile.localhostProfile", container);
	if (tn && tn->kind != SF_NODE_NULL)
		p.at = tn;
	if (!p.type_text) {
		p.type_text = "";
		p.valid = false;
		emit(w, SF_K8S_ERROR, "invalid-seccomp-profile", sp, container,
		     "add type: RuntimeDefault (or Localhost with localhostProfile)",
		     "%s without type: the API server requires it", where);
		return p;
	}
	for (size_t i = 0; i < SF_ARRAY_SIZE(types); i++)
		if (strcmp(p.type_text, types[i]) == 0)
			p.type = (enum sf_k8s_seccomp)i;
	if (p.type == SF_K8S_SECCOMP_REJECTED) {
		const char *near = NULL;
		for (size_t i = 0; i < SF_ARRAY_SIZE(types); i++)
			if (sf_streq_icase(p.type_text, types[i]) ||
			    sf_edit_distance(p.type_text, types[i], 3) <= 3)
				near = types[i];
		p.valid = false;
		emit(w, SF_K8S_ERROR, "invalid-seccomp-profile", p.at, container,
		     near ? sf_k8s_printf(w->r, "write %s", near)
			  : "one of RuntimeDefault, Localhost, Unconfined",
		     "%s: unknown type \"%s\": the API server refuses it", where, p.type_text);
		return p;
	}
	if (p.type == SF_K8S_SECCOMP_LOCALHOST) {
		if (!p.localhost) {
			p.valid = false;
			emit(
			    w, SF_K8S_ERROR, "localhost-missing-profile", p.at, container,
			    "add localhostProfile: the profile's path under <kubelet root>/seccomp",
			    "%s: type Localhost without localhostProfile: the API server refuses "
			    "it",
			    where);
		} else if (!*p.localhost) {
			p.kubelet_fails = true;
			emit(w, SF_K8S_ERROR, "localhost-missing-profile", ln, container,
			     "give the profile's path under <kubelet root>/seccomp",
			     "%s: empty localhostProfile: the API server accepts it, the kubelet "
			     "refuses to start the container",
			     where);
		} else if (!descending(p.localhost)) {
			p.valid = false;
			emit(w, SF_K8S_ERROR, "localhost-path", ln, container,
			     "give a path relative to <kubelet root>/seccomp, without '..'",
			     "%s: localhostProfile \"%s\" %s: the API server refuses it", where,
			     p.localhost,
			     p.localhost[0] == '/' ? "is absolute" : "contains a '..' element");
		} else {
			check_profiles_dir(w, &p, ln, container);
		}
	} else if (p.localhost) {
		p.valid = false;
		emit(w, SF_K8S_ERROR, "invalid-seccomp-profile", ln, container,
		     "remove localhostProfile, or use type: Localhost",
		     "%s: localhostProfile with type %s: the API server allows it only with type "
		     "Localhost",
		     where, p.type_text);
	}
	return p;
}

/* A seccomp annotation's value: ValidateSeccompProfile (the API server) and what the kubelet and
 * the API server's copy into the field made of it. */
static struct prof read_annotation(struct walk *w, const struct sf_member *m, const char *container)
{
	struct prof p = {.set = true, .valid = true, .annotation = true};
	const char *v = str_field(w, m->value, "seccomp annotation", container);

	p.key = m->key;
	p.at = m->value;
	p.value = v ? v : "";
	p.type = SF_K8S_SECCOMP_REJECTED;
	if (strcmp(p.value, "runtime/default") == 0 || strcmp(p.value, "docker/default") == 0) {
		p.type = SF_K8S_SECCOMP_RUNTIME_DEFAULT;
	} else if (strcmp(p.value, "unconfined") == 0) {
		p.type = SF_K8S_SECCOMP_UNCONFINED;
	} else if (strncmp(p.value, "localhost/", 10) == 0) {
		p.type = SF_K8S_SECCOMP_LOCALHOST;
		p.localhost = p.value + 10;
		if (!descending(p.localhost)) {
			p.valid = false;
			emit(w, SF_K8S_ERROR, "invalid-annotation", m->value, container,
			     "give a path relative to <kubelet root>/seccomp, without '..'",
			     "annotation %s: \"%s\": the profile's path %s: the API server refuses "
			     "it",
			     m->key, p.value,
			     p.localhost[0] == '/' ? "is absolute" : "contains a '..' element");
		} else if (!*p.localhost) {
			p.kubelet_fails = true;
			emit(w, SF_K8S_ERROR, "localhost-missing-profile", m->value, container,
			     "give the profile's path: localhost/<path under <kubelet "
			     "root>/seccomp>",
			     "annotation %s: \"localhost/\" names no profile", m->key);
		} else if (w->minor <= 26) {
			check_profiles_dir(w, &p, m->value, container);
		}
	} else {
		p.valid = false;
		emit(w, SF_K8S_ERROR, "invalid-annotation", m->value, container,
		     "one of runtime/default, unconfined, localhost/<path>",
		     "annotation %s: \"%s\" is not a seccomp profile: the API server refuses it",
		     m->key, p.value);
	}
	p.type_text = p.type == SF_K8S_SECCOMP_REJECTED ? p.value : types[p.type];
	return p;
}

/* validateSeccompAnnotationsAndFieldsMatch. */
static bool agree(const struct prof *field, const struct prof *ann)
{
	switch (field->type) {
	case SF_K8S_SECCOMP_UNCONFINED:
		return strcmp(ann->value, "unconfined") == 0;
	case SF_K8S_SECCOMP_RUNTIME_DEFAULT:
		return strcmp(ann->value, "runtime/default") == 0 ||
		       strcmp(ann->value, "docker/default") == 0;
	case SF_K8S_SECCOMP_LOCALHOST:
		return strncmp(ann->value, "localhost/", 10) == 0 && field->localhost &&
		       strcmp(ann->value + 10, field->localhost) == 0;
	default:
		return true; /* the API server does not compare unknown types */
	}
}

/* What to write instead of an annotation. */
static const char *field_for(struct walk *w, const struct prof *a, const char *container)
{
	const char *where =
	    container ? sf_k8s_printf(w->r, "container \"%s\"'s securityContext", container)
		      : "the pod's securityContext";
	if (a->type == SF_K8S_SECCOMP_LOCALHOST)
		return sf_k8s_printf(w->r,
				     "set seccompProfile: {type: Localhost, localhostProfile: %s} "
				     "in %s, and remove the annotation",
				     a->localhost, where);
	if (a->type == SF_K8S_SECCOMP_REJECTED)
		return "remove the annotation; set securityContext.seccompProfile";
	return sf_k8s_printf(w->r,
			     "set seccompProfile: {type: %s} in %s, and remove the annotation",
			     types[a->type], where);
}

/* Report an annotation against its field, by release. */
static void judge_annotation(struct walk *w, const struct prof *field, const struct prof *ann,
			     const char *container)
{
	if (!ann->set)
		return;
	if (field->set && field->valid && ann->valid && !agree(field, ann)) {
		emit(w, SF_K8S_ERROR, "annotation-mismatch", field->at, container,
		     "remove the annotation (from 1.27 only the field counts)",
		     "%s seccompProfile (type %s%s%s) disagrees with annotation %s: \"%s\" (at "
		     "%u:%u): the API server refuses the pod",
		     who(w, container), field->type_text, field->localhost ? " " : "",
		     field->localhost ? field->localhost : "", ann->key, ann->value,
		     line_of(w, ann->at), ann->at->col);
		return;
	}
	if (!ann->valid)
		return;
	if (field->set) {
		emit(w, SF_K8S_NOTE, "annotation-ignored", ann->at, container,
		     "remove the annotation",
		     "annotation %s is redundant: the seccompProfile field decides", ann->key);
		return;
	}
	if (w->minor >= 27)
		emit(w, SF_K8S_WARNING, "annotation-ignored", ann->at, container,
		     field_for(w, ann, container),
		     "annotation %s does nothing in Kubernetes 1.%u: kubelets ignore it since 1.25 "
		     "and the API server stopped copying it into the field in 1.27",
		     ann->key, w->minor);
	else if (w->minor >= 25)
		emit(
		    w, SF_K8S_WARNING, "annotation-deprecated", ann->at, container,
		    field_for(w, ann, container),
		    "annotation %s works in 1.%u only because the API server copies it into the "
		    "empty field when a pod is created (kubelets ignore it since 1.25, static pods "
		    "never get it); 1.27 stops the copy",
		    ann->key, w->minor);
	else
		emit(w, SF_K8S_NOTE, "annotation-deprecated", ann->at, container,
		     field_for(w, ann, container),
		     "annotation %s is deprecated since 1.19; kubelets ignore it from 1.25",
		     ann->key);
}

/* Containers. */

static const char *const roles[][2] = {
    {"initContainers", "initContainer"},
    {"containers", "container"},
    {"ephemeralContainers", "ephemeralContainer"},
};

static int read_containers(struct walk *w, const struct sf_node *spec, struct pod *p, bool template)
{
	size_t cap = 0;

	for (size_t k = 0; k < SF_ARRAY_SIZE(roles); k++) {
		const struct sf_node *arr = get(w, spec, roles[k][0]);
		if (!arr || arr->kind == SF_NODE_NULL)
			continue;
		if (arr->kind != SF_NODE_ARRAY) {
			emit(w, SF_K8S_ERROR, "field-type", arr, NULL, NULL,
			     "%s: expected a list, found %s", roles[k][0],
			     sf_node_kind_name(arr->kind));
			continue;
		}
		if (k == 2 && arr->len)
			emit(w, SF_K8S_WARNING, "ephemeral-containers", arr, NULL,
			     "add ephemeral containers to a running pod (kubectl debug)",
			     template
				 ? "ephemeralContainers in a pod template: the API server "
				   "refuses them"
				 : "ephemeralContainers: the API server refuses them when the pod "
				   "is created (they are added to a running pod)");
		for (size_t i = 0; i < arr->len; i++) {
			const struct sf_node *item = arr->items[i], *sc;
			struct ctr *c;
			if (item->kind != SF_NODE_OBJECT)
				continue;
			if (p->nctrs == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				struct ctr *n = reallocarray(p->ctrs, ncap, sizeof(*n));
				if (!n)
					return -ENOMEM;
				p->ctrs = n;
				cap = ncap;
			}
			c = &p->ctrs[p->nctrs++];
			memset(c, 0, sizeof(*c));
			c->node = item;
			c->role = roles[k][1];
			c->privileged = -1;
			c->name = str_field(w, get(w, item, "name"), "container name", NULL);
			if (!c->name)
				c->name = sf_k8s_printf(w->r, "%s[%zu]", roles[k][0], i);
			if (w->r->oom)
				return -ENOMEM;
			sc = get(w, item, "securityContext");
			c->field = read_field(w, sc, c->name);
			c->privileged_at = get(w, sc, "privileged");
			c->privileged =
			    bool_field(w, c->privileged_at, "securityContext.privileged", c->name);
		}
	}
	return 0;
}

/* Annotations of the pod (its template's metadata). */
static void read_annotations(struct walk *w, const struct sf_node *meta, struct pod *p)
{
	const struct sf_node *ann = get(w, meta, "annotations");
	const size_t plen = strlen(CTR_ANNOTATION);

	if (!ann || ann->kind != SF_NODE_OBJECT)
		return;
	for (size_t i = 0; i < ann->len; i++) {
		const struct sf_member *m = &ann->members[i];
		bool found = false;
		if (strcmp(m->key, POD_ANNOTATION) == 0) {
			p->ann = read_annotation(w, m, NULL);
			continue;
		}
		if (strncmp(m->key, CTR_ANNOTATION, plen) != 0)
			continue;
		for (size_t c = 0; c < p->nctrs; c++)
			if (strcmp(p->ctrs[c].name, m->key + plen) == 0) {
				p->ctrs[c].ann = read_annotation(w, m, p->ctrs[c].name);
				found = true;
			}
		if (!found)
			emit(w, SF_K8S_WARNING, "annotation-unknown-container", m->value, NULL,
			     "name a container of the pod, or remove the annotation",
			     "annotation %s names no container of the pod", m->key);
	}
}

/* The effective profile of one container. */
static void resolve(struct walk *w, const struct pod *p, const struct ctr *c,
		    struct sf_k8s_container *out)
{
	/* Annotations count up to 1.26: kubelets up to 1.24 read them (container field, container
	 * annotation, pod field, pod annotation), and API servers up to 1.26 copy them into empty
	 * fields when a pod is created, which gives the same order. */
	bool annotations = w->minor <= 26;
	const struct prof *chosen = NULL;
	enum sf_k8s_source src = SF_K8S_SRC_UNSET;
	const bool seccomp_default = w->r->opts.seccomp_default;

	if (c->field.set)
		chosen = &c->field, src = SF_K8S_SRC_CONTAINER_FIELD;
	else if (annotations && c->ann.set)
		chosen = &c->ann, src = SF_K8S_SRC_CONTAINER_ANNOTATION;
	else if (p->field.set)
		chosen = &p->field, src = SF_K8S_SRC_POD_FIELD;
	else if (annotations && p->ann.set)
		chosen = &p->ann, src = SF_K8S_SRC_POD_ANNOTATION;

	memset(out, 0, sizeof(*out));
	out->name = c->name;
	out->role = c->role;
	out->line = line_of(w, c->node);
	out->col = c->node->col;
	if (p->windows) {
		out->seccomp = SF_K8S_SECCOMP_NOT_APPLICABLE;
		out->source = SF_K8S_SRC_WINDOWS;
		return;
	}
	if (!chosen) {
		out->seccomp =
		    seccomp_default ? SF_K8S_SECCOMP_RUNTIME_DEFAULT : SF_K8S_SECCOMP_UNCONFINED;
		out->source = seccomp_default ? SF_K8S_SRC_SECCOMP_DEFAULT : SF_K8S_SRC_UNSET;
	} else {
		out->seccomp = chosen->valid && !chosen->kubelet_fails ? chosen->type
								       : SF_K8S_SECCOMP_REJECTED;
		out->source = src;
		if (out->seccomp == SF_K8S_SECCOMP_LOCALHOST)
			out->localhost = chosen->localhost;
	}
	if (c->privileged == 1 && out->seccomp != SF_K8S_SECCOMP_REJECTED) {
		const char *asked =
		    chosen && chosen->type != SF_K8S_SECCOMP_UNCONFINED ? chosen->type_text : NULL;
		emit(
		    w, SF_K8S_ERROR, "privileged", c->privileged_at, c->name,
		    "remove privileged: true and add the capabilities the container needs "
		    "(securityContext.capabilities.add)",
		    asked
			? "container \"%s\" is privileged: the %s profile (%s) is not applied, the "
			  "container runs without seccomp"
			: "container \"%s\" is privileged: it runs without seccomp%s%s",
		    c->name, asked ? asked : "", asked ? sf_k8s_source_name(src) : "");
		out->seccomp = SF_K8S_SECCOMP_UNCONFINED;
		out->source = SF_K8S_SRC_PRIVILEGED;
		out->localhost = NULL;
		return;
	}
	if (out->seccomp == SF_K8S_SECCOMP_UNCONFINED && chosen)
		emit(w, SF_K8S_ERROR, "unconfined", chosen->at, c->name,
		     "set type: RuntimeDefault, or Localhost with a profile made for the workload",
		     "container \"%s\" runs Unconfined (%s%s%s): no syscall is filtered", c->name,
		     sf_k8s_source_name(src), chosen->annotation ? " " : "",
		     chosen->annotation ? chosen->key : "");
	else if (out->source == SF_K8S_SRC_UNSET)
		emit(
		    w, SF_K8S_WARNING, "unset", c->node, c->name,
		    "set the pod's securityContext.seccompProfile.type: RuntimeDefault (or run the "
		    "kubelets with seccompDefault: true)",
		    "container \"%s\" has no seccomp profile: it runs Unconfined unless the node's "
		    "kubelet has seccompDefault: true",
		    c->name);
}

/* Pod Security Admission (seccomp and privileged controls). */

struct names {
	char buf[1024];
	size_t n;
};

static void names_add(struct names *s, const char *name)
{
	size_t len = strlen(s->buf);
	if (len + strlen(name) + 8 < sizeof(s->buf))
		snprintf(s->buf + len, sizeof(s->buf) - len, "%s\"%s\"", s->n ? ", " : "", name);
	else if (!strstr(s->buf, ", ..."))
		snprintf(s->buf + len, sizeof(s->buf) - len, ", ...");
	s->n++;
}

/* The forbidden values, sorted and without repeats, as Pod Security Admission lists them. */
struct values {
	const char *v[32];
	size_t n;
};

static void values_add(struct values *s, const char *v)
{
	size_t i = 0;

	while (i < s->n && strcmp(s->v[i], v) < 0)
		i++;
	if ((i < s->n && strcmp(s->v[i], v) == 0) || s->n == SF_ARRAY_SIZE(s->v))
		return;
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(s->v[0]));
	s->v[i] = v;
	s->n++;
}

/* The field Pod Security Admission sees: up to 1.26 the API server has copied a valid annotation
 * into an empty field before admission runs. */
static const struct prof *pss_field(const struct walk *w, const struct prof *field,
				    const struct prof *ann)
{
	if (field->set)
		return field;
	if (w->minor <= 26 && ann->set && ann->valid && ann->type != SF_K8S_SECCOMP_REJECTED &&
	    !(ann->type == SF_K8S_SECCOMP_LOCALHOST && !*ann->localhost))
		return ann;
	return NULL;
}

static bool pss_ok(const struct prof *f)
{
	return !f->annotation ? strcmp(f->type_text, "RuntimeDefault") == 0 ||
				    strcmp(f->type_text, "Localhost") == 0
			      : f->type == SF_K8S_SECCOMP_RUNTIME_DEFAULT ||
				    f->type == SF_K8S_SECCOMP_LOCALHOST;
}

static void pss(struct walk *w, const struct pod *p, struct sf_k8s_workload *wl)
{
	struct names priv = {0}, bad = {0}, quoted = {0}, implicit = {0};
	struct values values = {0};
	const struct prof *pf = pss_field(w, &p->field, &p->ann);
	bool pod_bad = pf && !pss_ok(pf), pod_ok = pf && !pod_bad;
	char seccomp_b[2600] = "", seccomp_r[2600] = "", privileged[1200] = "";

	if (pod_bad)
		values_add(&values, pf->type_text);
	for (size_t i = 0; i < p->nctrs; i++) {
		const struct ctr *c = &p->ctrs[i];
		const struct prof *cf = pss_field(w, &c->field, &c->ann);
		if (c->privileged == 1)
			names_add(&priv, c->name);
		if (cf && !pss_ok(cf)) {
			names_add(&bad, c->name);
			values_add(&values, cf->type_text);
		} else if (!cf && !pod_ok) {
			names_add(&implicit, c->name);
		}
	}
	if (priv.n)
		snprintf(privileged, sizeof(privileged),
			 "privileged (%s %s must not set securityContext.privileged=true)",
			 priv.n == 1 ? "container" : "containers", priv.buf);
	for (size_t i = 0; i < values.n; i++)
		names_add(&quoted, values.v[i]);
	if (pod_bad || bad.n)
		snprintf(
		    seccomp_b, sizeof(seccomp_b),
		    "seccompProfile (%s%s%s%s must not set securityContext.seccompProfile.type "
		    "to %s)",
		    pod_bad ? "pod" : "", pod_bad && bad.n ? " and " : "",
		    bad.n ? (bad.n == 1 ? "container " : "containers ") : "", bad.n ? bad.buf : "",
		    quoted.buf);
	if (seccomp_b[0])
		snprintf(seccomp_r, sizeof(seccomp_r), "%s", seccomp_b);
	else if (implicit.n)
		snprintf(
		    seccomp_r, sizeof(seccomp_r),
		    "seccompProfile (pod or %s %s must set securityContext.seccompProfile.type "
		    "to \"RuntimeDefault\" or \"Localhost\")",
		    implicit.n == 1 ? "container" : "containers", implicit.buf);
	/* From policy version 1.25, Windows pods are exempt from the restricted seccomp check. */
	if (p->windows && w->minor >= 25)
		seccomp_r[0] = 0;

	wl->baseline.allowed = !privileged[0] && !seccomp_b[0];
	wl->restricted.allowed = !privileged[0] && !seccomp_r[0];
	if (!wl->baseline.allowed)
		wl->baseline.reason =
		    sf_k8s_printf(w->r, "%s%s%s", privileged,
				  privileged[0] && seccomp_b[0] ? ", " : "", seccomp_b);
	if (!wl->restricted.allowed)
		wl->restricted.reason =
		    sf_k8s_printf(w->r, "%s%s%s", privileged,
				  privileged[0] && seccomp_r[0] ? ", " : "", seccomp_r);

	enum sf_k8s_pss req = w->r->opts.require;
	if (!wl->baseline.allowed)
		emit(w, req >= SF_K8S_PSS_BASELINE ? SF_K8S_ERROR : SF_K8S_WARNING, "pss-baseline",
		     p->obj, NULL, "set the fields it names (docs/k8s.md lists the controls)",
		     "Pod Security level baseline refuses these pods: %s", wl->baseline.reason);
	if (!wl->restricted.allowed && (wl->baseline.allowed || req == SF_K8S_PSS_RESTRICTED))
		emit(w, req == SF_K8S_PSS_RESTRICTED ? SF_K8S_ERROR : SF_K8S_NOTE, "pss-restricted",
		     p->obj, NULL, "set the fields it names (docs/k8s.md lists the controls)",
		     "Pod Security level restricted refuses these pods: %s", wl->restricted.reason);
}

/* One pod spec with its metadata. */
static void walk_pod(struct walk *w, const struct sf_node *obj, const struct sf_node *meta,
		     const struct sf_node *spec, bool template)
{
	struct pod p = {.obj = obj};
	struct sf_k8s_workload wl = {0};
	struct sf_k8s_container *out = NULL;
	const char *os;

	os = str_field(w, get(w, get(w, spec, "os"), "name"), "spec.os.name", NULL);
	p.windows = os && strcmp(os, "windows") == 0;
	p.field = read_field(w, get(w, spec, "securityContext"), NULL);
	if (read_containers(w, spec, &p, template) < 0) {
		w->r->oom = true;
		goto out;
	}
	read_annotations(w, meta, &p);

	judge_annotation(w, &p.field, &p.ann, NULL);
	for (size_t i = 0; i < p.nctrs; i++)
		judge_annotation(w, &p.ctrs[i].field, &p.ctrs[i].ann, p.ctrs[i].name);

	if (p.windows) {
		if (p.field.set)
			emit(w, SF_K8S_ERROR, "windows-seccomp", p.field.at, NULL,
			     "remove seccompProfile: Windows has no seccomp",
			     "seccompProfile cannot be set for a Windows pod (spec.os.name: "
			     "windows): "
			     "the API server refuses it");
		for (size_t i = 0; i < p.nctrs; i++)
			if (p.ctrs[i].field.set)
				emit(
				    w, SF_K8S_ERROR, "windows-seccomp", p.ctrs[i].field.at,
				    p.ctrs[i].name, "remove seccompProfile: Windows has no seccomp",
				    "seccompProfile cannot be set for a Windows pod (spec.os.name: "
				    "windows): the API server refuses it");
	}

	if (p.nctrs) {
		out = calloc(p.nctrs, sizeof(*out));
		if (!out) {
			w->r->oom = true;
			goto out;
		}
	}
	for (size_t i = 0; i < p.nctrs; i++)
		resolve(w, &p, &p.ctrs[i], &out[i]);

	wl.file = w->file;
	wl.line = line_of(w, obj);
	wl.col = obj->col;
	wl.kind = w->kind;
	wl.namespace = w->ns;
	wl.name = w->name;
	wl.windows = p.windows;
	wl.containers = out;
	wl.ncontainers = p.nctrs;
	pss(w, &p, &wl);
	sf_k8s_add_workload(w->r, &wl);
out:
	free(out);
	free(p.ctrs);
}

/* Objects. */

struct kind {
	const char *kind;
	const char *group;	   /* apiVersion's group: "" for the core group */
	const char *const path[5]; /* from the object to the pod template (NULL: it is the pod) */
};

static const struct kind kinds[] = {
    {"Pod", "", {NULL}},
    {"PodTemplate", "", {"template", NULL}},
    {"ReplicationController", "", {"spec", "template", NULL}},
    {"ReplicaSet", "apps", {"spec", "template", NULL}},
    {"Deployment", "apps", {"spec", "template", NULL}},
    {"StatefulSet", "apps", {"spec", "template", NULL}},
    {"DaemonSet", "apps", {"spec", "template", NULL}},
    {"Job", "batch", {"spec", "template", NULL}},
    {"CronJob", "batch", {"spec", "jobTemplate", "spec", "template", NULL}},
};

/* Whether apiVersion belongs to the kind's group (extensions/v1beta1 held the apps kinds). */
static bool group_matches(const char *api, const char *group)
{
	const char *slash = api ? strchr(api, '/') : NULL;

	if (!api)
		return true; /* lenient: the kind alone decides */
	if (!group[0])
		return !slash;
	if (!slash)
		return false;
	if ((size_t)(slash - api) == strlen(group) && strncmp(api, group, strlen(group)) == 0)
		return true;
	return strcmp(group, "apps") == 0 && strncmp(api, "extensions/", 11) == 0;
}

static const char *template_path(const struct kind *k)
{
	if (!k->path[0])
		return "metadata.annotations";
	if (strcmp(k->kind, "CronJob") == 0)
		return "spec.jobTemplate.spec.template.metadata.annotations";
	if (strcmp(k->kind, "PodTemplate") == 0)
		return "template.metadata.annotations";
	return "spec.template.metadata.annotations";
}

/* Seccomp annotations on a workload's own metadata never reach its pods. */
static void misplaced(struct walk *w, const struct kind *k, const struct sf_node *meta)
{
	const struct sf_node *ann = sf_node_get(meta, "annotations");

	if (!ann || ann->kind != SF_NODE_OBJECT)
		return;
	for (size_t i = 0; i < ann->len; i++) {
		const struct sf_member *m = &ann->members[i];
		if (strcmp(m->key, POD_ANNOTATION) != 0 &&
		    strncmp(m->key, CTR_ANNOTATION, strlen(CTR_ANNOTATION)) != 0)
			continue;
		emit(w, SF_K8S_WARNING, "annotation-misplaced", m->value, NULL,
		     sf_k8s_printf(w->r,
				   "set the pod template's securityContext.seccompProfile "
				   "(annotations belong in %s, and do nothing from 1.27)",
				   template_path(k)),
		     "annotation %s is on the %s itself, not on its pod template: its pods never "
		     "get it",
		     m->key, k->kind);
	}
}

static const char *plain_str(const struct sf_node *n)
{
	return n && n->kind == SF_NODE_STRING && strlen(n->str) == n->len ? n->str : NULL;
}

static void walk_object(struct walk *w, const struct sf_node *obj, unsigned depth)
{
	const struct sf_node *meta, *t, *items;
	const struct kind *k = NULL;
	const char *kind, *ns, *name;
	size_t klen;

	if (!obj || obj->kind != SF_NODE_OBJECT)
		return;
	kind = plain_str(member_node(obj, "kind"));
	if (!kind)
		return; /* not a Kubernetes object (values.yaml, a kustomization, ...) */
	w->r->nobjects++;
	klen = strlen(kind);
	items = member_node(obj, "items");
	if (klen >= 4 && strcmp(kind + klen - 4, "List") == 0 && items &&
	    items->kind == SF_NODE_ARRAY) {
		if (depth >= MAX_LIST_DEPTH)
			return;
		for (size_t i = 0; i < items->len; i++)
			walk_object(w, items->items[i], depth + 1);
		return;
	}
	for (size_t i = 0; i < SF_ARRAY_SIZE(kinds); i++)
		if (strcmp(kind, kinds[i].kind) == 0)
			k = &kinds[i];
	if (!k || !group_matches(plain_str(member_node(obj, "apiVersion")), k->group))
		return;

	meta = member_node(obj, "metadata");
	name = plain_str(member_node(meta, "name"));
	ns = plain_str(member_node(meta, "namespace"));
	w->kind = k->kind;
	w->name = name ? name : "";
	w->ns = ns ? ns : "";
	meta = get(w, obj, "metadata");

	t = obj;
	for (size_t i = 0; k->path[i] && t; i++)
		t = get(w, t, k->path[i]);
	if (!t || t->kind != SF_NODE_OBJECT)
		goto out;
	if (k->path[0])
		misplaced(w, k, meta);
	else
		t = obj;
	{
		const struct sf_node *spec = get(w, t, "spec");
		const struct sf_node *pmeta = k->path[0] ? get(w, t, "metadata") : meta;
		if (spec && spec->kind == SF_NODE_OBJECT)
			walk_pod(w, obj, pmeta, spec, k->path[0] != NULL);
	}
out:
	w->kind = w->ns = w->name = NULL;
}

void sf_k8s_walk_root(struct sf_k8s_report *r, const char *file, const struct sf_node *root,
		      unsigned line_off, bool yaml)
{
	struct walk w = {
	    .r = r,
	    .file = file,
	    .off = line_off,
	    .yaml = yaml,
	    .minor = r->opts.minor,
	};

	walk_object(&w, root, 0);
}
