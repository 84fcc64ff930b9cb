/* Canonical output of a profile: one key order, names always as "names", every argument field
 * written; the same model gives the same bytes, and reading them back gives the same model. */
#include <errno.h>

#include <sysfence/profile.h>

#include "util/util.h"

struct builder {
	struct sf_doc *doc;
	int r;
};

static struct sf_node *str(struct builder *b, const char *s)
{
	struct sf_node *n = sf_node_new_string(b->doc, s);
	if (!n)
		b->r = -ENOMEM;
	return n;
}

static void set(struct builder *b, struct sf_node *obj, const char *key, struct sf_node *v)
{
	if (b->r == 0 && sf_node_set(b->doc, obj, key, v) < 0)
		b->r = -ENOMEM;
}

static void push(struct builder *b, struct sf_node *arr, struct sf_node *v)
{
	if (b->r == 0 && sf_node_append(b->doc, arr, v) < 0)
		b->r = -ENOMEM;
}

static struct sf_node *strv(struct builder *b, char **v, size_t n)
{
	struct sf_node *a = sf_node_new(b->doc, SF_NODE_ARRAY);
	if (!a) {
		b->r = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		push(b, a, str(b, v[i]));
	return a;
}

static struct sf_node *filter(struct builder *b, const struct sf_filter *f)
{
	struct sf_node *o = sf_node_new(b->doc, SF_NODE_OBJECT);
	if (!o) {
		b->r = -ENOMEM;
		return NULL;
	}
	if (f->ncaps)
		set(b, o, "caps", strv(b, f->caps, f->ncaps));
	if (f->narches)
		set(b, o, "arches", strv(b, f->arches, f->narches));
	if (f->min_kernel)
		set(b, o, "minKernel", str(b, f->min_kernel));
	return o;
}

static struct sf_node *rule(struct builder *b, const struct sf_rule *r)
{
	struct sf_doc *doc = b->doc;
	struct sf_node *o = sf_node_new(doc, SF_NODE_OBJECT);
	if (!o) {
		b->r = -ENOMEM;
		return NULL;
	}
	set(b, o, "names", strv(b, r->names, r->nnames));
	set(b, o, "action", str(b, sf_action_name(r->action) ? sf_action_name(r->action) : ""));
	if (r->has_errno)
		set(b, o, "errnoRet", sf_node_new_u64(doc, r->errno_ret));
	if (r->errno_name)
		set(b, o, "errno", str(b, r->errno_name));
	if (r->nargs) {
		struct sf_node *args = sf_node_new(doc, SF_NODE_ARRAY);
		if (!args)
			b->r = -ENOMEM;
		for (size_t i = 0; args && i < r->nargs; i++) {
			const struct sf_arg *a = &r->args[i];
			struct sf_node *ao = sf_node_new(doc, SF_NODE_OBJECT);
			if (!ao) {
				b->r = -ENOMEM;
				break;
			}
			set(b, ao, "index", sf_node_new_u64(doc, a->index));
			set(b, ao, "value", sf_node_new_u64(doc, a->value));
			set(b, ao, "valueTwo", sf_node_new_u64(doc, a->value_two));
			set(b, ao, "op", str(b, sf_op_name(a->op) ? sf_op_name(a->op) : ""));
			push(b, args, ao);
		}
		set(b, o, "args", args);
	}
	if (r->comment)
		set(b, o, "comment", str(b, r->comment));
	if (r->includes.ncaps || r->includes.narches || r->includes.min_kernel)
		set(b, o, "includes", filter(b, &r->includes));
	if (r->excludes.ncaps || r->excludes.narches || r->excludes.min_kernel)
		set(b, o, "excludes", filter(b, &r->excludes));
	return o;
}

int sf_profile_to_doc(const struct sf_profile *p, struct sf_doc **out, struct sf_error *err)
{
	struct builder b = { .doc = sf_doc_new("<profile>") };
	struct sf_node *root;

	*out = NULL;
	if (!b.doc || !(root = sf_node_new(b.doc, SF_NODE_OBJECT))) {
		sf_doc_free(b.doc);
		return sf_error_set(err, -ENOMEM, "out of memory");
	}
	set(&b, root, "defaultAction",
	    str(&b, sf_action_name(p->default_action) ? sf_action_name(p->default_action) : ""));
	if (p->has_default_errno)
		set(&b, root, "defaultErrnoRet", sf_node_new_u64(b.doc, p->default_errno));
	if (p->default_errno_name)
		set(&b, root, "defaultErrno", str(&b, p->default_errno_name));
	if (p->narchitectures)
		set(&b, root, "architectures", strv(&b, p->architectures, p->narchitectures));
	if (p->narchmap) {
		struct sf_node *am = sf_node_new(b.doc, SF_NODE_ARRAY);
		if (!am)
			b.r = -ENOMEM;
		for (size_t i = 0; am && i < p->narchmap; i++) {
			struct sf_node *e = sf_node_new(b.doc, SF_NODE_OBJECT);
			if (!e) {
				b.r = -ENOMEM;
				break;
			}
			set(&b, e, "architecture", str(&b, p->archmap[i].arch));
			set(&b, e, "subArchitectures",
			    strv(&b, p->archmap[i].sub, p->archmap[i].nsub));
			push(&b, am, e);
		}
		set(&b, root, "archMap", am);
	}
	if (p->nflag_names)
		set(&b, root, "flags", strv(&b, p->flag_names, p->nflag_names));
	if (p->listener_path)
		set(&b, root, "listenerPath", str(&b, p->listener_path));
	if (p->listener_metadata)
		set(&b, root, "listenerMetadata", str(&b, p->listener_metadata));
	struct sf_node *rules = sf_node_new(b.doc, SF_NODE_ARRAY);
	if (!rules)
		b.r = -ENOMEM;
	for (size_t i = 0; rules && i < p->nrules; i++)
		push(&b, rules, rule(&b, &p->rules[i]));
	set(&b, root, "syscalls", rules);
	if (b.r == 0 && sf_doc_add_root(b.doc, root) < 0)
		b.r = -ENOMEM;
	if (b.r < 0) {
		sf_doc_free(b.doc);
		return sf_error_set(err, b.r, "out of memory");
	}
	*out = b.doc;
	return 0;
}

int sf_profile_write(const struct sf_profile *p, enum sf_out_format fmt, struct sf_buf *out,
		     struct sf_error *err)
{
	struct sf_doc *doc;
	int r = sf_profile_to_doc(p, &doc, err);
	if (r < 0)
		return r;
	if (fmt == SF_OUT_YAML)
		r = sf_node_write_yaml(sf_doc_root(doc), out, err);
	else
		r = sf_node_write_json(sf_doc_root(doc), 0, out);
	sf_doc_free(doc);
	if (r == 0 && out->oom)
		r = sf_error_set(err, -ENOMEM, "out of memory");
	return r;
}
