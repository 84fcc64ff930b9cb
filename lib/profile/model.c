/* The profile model's vocabulary (actions, operators, flags, errno names) and its allocation. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdio.h>

#include <sysfence/profile.h>

#include "util/util.h"

static const struct {
	enum sf_action a;
	const char *name;
} action_names[] = {
	{ SF_ACT_KILL_PROCESS, "SCMP_ACT_KILL_PROCESS" },
	{ SF_ACT_KILL_THREAD, "SCMP_ACT_KILL_THREAD" },
	{ SF_ACT_KILL, "SCMP_ACT_KILL" },
	{ SF_ACT_TRAP, "SCMP_ACT_TRAP" },
	{ SF_ACT_ERRNO, "SCMP_ACT_ERRNO" },
	{ SF_ACT_NOTIFY, "SCMP_ACT_NOTIFY" },
	{ SF_ACT_TRACE, "SCMP_ACT_TRACE" },
	{ SF_ACT_LOG, "SCMP_ACT_LOG" },
	{ SF_ACT_ALLOW, "SCMP_ACT_ALLOW" },
};

const char *sf_action_name(enum sf_action a)
{
	for (size_t i = 0; i < SF_ARRAY_SIZE(action_names); i++)
		if (action_names[i].a == a)
			return action_names[i].name;
	return NULL;
}

enum sf_action sf_action_from_name(const char *name)
{
	for (size_t i = 0; i < SF_ARRAY_SIZE(action_names); i++)
		if (strcmp(action_names[i].name, name) == 0)
			return action_names[i].a;
	return SF_ACT_INVALID;
}

bool sf_action_takes_errno(enum sf_action a)
{
	return a == SF_ACT_ERRNO || a == SF_ACT_TRACE;
}

uint32_t sf_action_ret(enum sf_action a, uint32_t data)
{
	switch (a) {
	case SF_ACT_KILL_PROCESS:
		return SECCOMP_RET_KILL_PROCESS;
	case SF_ACT_KILL_THREAD:
	case SF_ACT_KILL:
		return SECCOMP_RET_KILL_THREAD;
	case SF_ACT_TRAP:
		return SECCOMP_RET_TRAP;
	case SF_ACT_ERRNO:
		return SECCOMP_RET_ERRNO | (data & SECCOMP_RET_DATA);
	case SF_ACT_NOTIFY:
		return SECCOMP_RET_USER_NOTIF;
	case SF_ACT_TRACE:
		return SECCOMP_RET_TRACE | (data & SECCOMP_RET_DATA);
	case SF_ACT_LOG:
		return SECCOMP_RET_LOG;
	case SF_ACT_ALLOW:
		return SECCOMP_RET_ALLOW;
	case SF_ACT_INVALID:
		break;
	}
	return SECCOMP_RET_KILL_PROCESS;
}

static const char *const op_names[] = {
	[SF_OP_NE] = "SCMP_CMP_NE", [SF_OP_LT] = "SCMP_CMP_LT",
	[SF_OP_LE] = "SCMP_CMP_LE", [SF_OP_EQ] = "SCMP_CMP_EQ",
	[SF_OP_GE] = "SCMP_CMP_GE", [SF_OP_GT] = "SCMP_CMP_GT",
	[SF_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

const char *sf_op_name(enum sf_op op)
{
	return op > SF_OP_INVALID && op <= SF_OP_MASKED_EQ ? op_names[op] : NULL;
}

enum sf_op sf_op_from_name(const char *name)
{
	for (int op = SF_OP_NE; op <= SF_OP_MASKED_EQ; op++)
		if (strcmp(op_names[op], name) == 0)
			return (enum sf_op)op;
	return SF_OP_INVALID;
}

static const struct {
	unsigned flag;
	const char *name;
} flag_names[] = {
	{ SF_FLAG_TSYNC, "SECCOMP_FILTER_FLAG_TSYNC" },
	{ SF_FLAG_LOG, "SECCOMP_FILTER_FLAG_LOG" },
	{ SF_FLAG_SPEC_ALLOW, "SECCOMP_FILTER_FLAG_SPEC_ALLOW" },
	{ SF_FLAG_NEW_LISTENER, "SECCOMP_FILTER_FLAG_NEW_LISTENER" },
	{ SF_FLAG_TSYNC_ESRCH, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH" },
	{ SF_FLAG_WAIT_KILLABLE_RECV, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" },
};

unsigned sf_flag_from_name(const char *name)
{
	for (size_t i = 0; i < SF_ARRAY_SIZE(flag_names); i++)
		if (strcmp(flag_names[i].name, name) == 0)
			return flag_names[i].flag;
	return 0;
}

const char *sf_flag_name(unsigned flag)
{
	for (size_t i = 0; i < SF_ARRAY_SIZE(flag_names); i++)
		if (flag_names[i].flag == flag)
			return flag_names[i].name;
	return NULL;
}

/* The host's errno values: podman converts names with the Go constants of the host. */
#define E(x) { #x, x }
static const struct {
	const char *name;
	int value;
} errno_names[] = {
	E(EPERM),	E(ENOENT),	 E(ESRCH),	   E(EINTR),	    E(EIO),
	E(ENXIO),	E(E2BIG),	 E(ENOEXEC),	   E(EBADF),	    E(ECHILD),
	E(EAGAIN),	E(ENOMEM),	 E(EACCES),	   E(EFAULT),	    E(ENOTBLK),
	E(EBUSY),	E(EEXIST),	 E(EXDEV),	   E(ENODEV),	    E(ENOTDIR),
	E(EISDIR),	E(EINVAL),	 E(ENFILE),	   E(EMFILE),	    E(ENOTTY),
	E(ETXTBSY),	E(EFBIG),	 E(ENOSPC),	   E(ESPIPE),	    E(EROFS),
	E(EMLINK),	E(EPIPE),	 E(EDOM),	   E(ERANGE),	    E(EDEADLK),
	E(ENAMETOOLONG), E(ENOLCK),	 E(ENOSYS),	   E(ENOTEMPTY),    E(ELOOP),
	E(ENOMSG),	E(EIDRM),	 E(ECHRNG),	   E(EL2NSYNC),	    E(EL3HLT),
	E(EL3RST),	E(ELNRNG),	 E(EUNATCH),	   E(ENOCSI),	    E(EL2HLT),
	E(EBADE),	E(EBADR),	 E(EXFULL),	   E(ENOANO),	    E(EBADRQC),
	E(EBADSLT),	E(EBFONT),	 E(ENOSTR),	   E(ENODATA),	    E(ETIME),
	E(ENOSR),	E(ENONET),	 E(ENOPKG),	   E(EREMOTE),	    E(ENOLINK),
	E(EADV),	E(ESRMNT),	 E(ECOMM),	   E(EPROTO),	    E(EMULTIHOP),
	E(EDOTDOT),	E(EBADMSG),	 E(EOVERFLOW),	   E(ENOTUNIQ),	    E(EBADFD),
	E(EREMCHG),	E(ELIBACC),	 E(ELIBBAD),	   E(ELIBSCN),	    E(ELIBMAX),
	E(ELIBEXEC),	E(EILSEQ),	 E(ERESTART),	   E(ESTRPIPE),	    E(EUSERS),
	E(ENOTSOCK),	E(EDESTADDRREQ), E(EMSGSIZE),	   E(EPROTOTYPE),   E(ENOPROTOOPT),
	E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT), E(EAFNOSUPPORT),
	E(EADDRINUSE),	E(EADDRNOTAVAIL), E(ENETDOWN),	   E(ENETUNREACH),  E(ENETRESET),
	E(ECONNABORTED), E(ECONNRESET),	 E(ENOBUFS),	   E(EISCONN),	    E(ENOTCONN),
	E(ESHUTDOWN),	E(ETOOMANYREFS), E(ETIMEDOUT),	   E(ECONNREFUSED), E(EHOSTDOWN),
	E(EHOSTUNREACH), E(EALREADY),	 E(EINPROGRESS),   E(ESTALE),	    E(EUCLEAN),
	E(ENOTNAM),	E(ENAVAIL),	 E(EISNAM),	   E(EREMOTEIO),    E(EDQUOT),
	E(ENOMEDIUM),	E(EMEDIUMTYPE),	 E(ECANCELED),	   E(ENOKEY),	    E(EKEYEXPIRED),
	E(EKEYREVOKED), E(EKEYREJECTED), E(EOWNERDEAD),	   E(ENOTRECOVERABLE), E(ERFKILL),
	E(EHWPOISON),
	/* Aliases: the canonical name comes first above, so sf_errno_name never returns these. */
	E(EWOULDBLOCK), E(EDEADLOCK),	 E(ENOTSUP),
};
#undef E

/* The names podman (containers/common pkg/seccomp errno_list.go) accepts in errno and
 * defaultErrno; any other name makes podman refuse the profile. */
static const char *const podman_errno_names[] = {
	"EPERM",	"ENOENT",	"ESRCH",	"EIO",		   "ENXIO",	  "E2BIG",
	"ENOEXEC",	"EBADF",	"ECHILD",	"EDEADLK",	   "ENOMEM",	  "EACCES",
	"EFAULT",	"ENOTBLK",	"EBUSY",	"EEXIST",	   "EXDEV",	  "ENODEV",
	"ENOTDIR",	"EISDIR",	"EINVAL",	"ENFILE",	   "EMFILE",	  "ENOTTY",
	"ETXTBSY",	"EFBIG",	"ENOSPC",	"ESPIPE",	   "EROFS",	  "EMLINK",
	"EPIPE",	"EDOM",		"ERANGE",	"EAGAIN",	   "EINPROGRESS", "EALREADY",
	"ENOTSOCK",	"EDESTADDRREQ", "EMSGSIZE",	"EPROTOTYPE",	   "ENOPROTOOPT",
	"EPROTONOSUPPORT", "ESOCKTNOSUPPORT", "EOPNOTSUPP", "EPFNOSUPPORT", "EAFNOSUPPORT",
	"EADDRINUSE",	"EADDRNOTAVAIL", "ENETDOWN",	"ENETUNREACH",	   "ENETRESET",
	"ECONNABORTED", "ECONNRESET",	"ENOBUFS",	"EISCONN",	   "ENOTCONN",
	"ESHUTDOWN",	"ETOOMANYREFS", "ETIMEDOUT",	"ECONNREFUSED",	   "ELOOP",
	"ENAMETOOLONG", "EHOSTDOWN",	"EHOSTUNREACH", "ENOTEMPTY",	   "EUSERS",
	"EDQUOT",	"ESTALE",	"EREMOTE",	"ENOLCK",	   "ENOSYS",	  "EILSEQ",
	"ENOMEDIUM",	"EMEDIUMTYPE",	"EOVERFLOW",	"ECANCELED",	   "EIDRM",
	"ENOMSG",	"ENOTSUP",	"EBADMSG",	"ENOTRECOVERABLE", "EOWNERDEAD",
};

bool sf_errno_podman_knows(const char *name)
{
	for (size_t i = 0; i < SF_ARRAY_SIZE(podman_errno_names); i++)
		if (strcmp(podman_errno_names[i], name) == 0)
			return true;
	return false;
}

int sf_errno_from_name(const char *name)
{
	for (size_t i = 0; i < SF_ARRAY_SIZE(errno_names); i++)
		if (strcmp(errno_names[i].name, name) == 0)
			return errno_names[i].value;
	return -1;
}

const char *sf_errno_name(int e)
{
	for (size_t i = 0; i < SF_ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].value == e)
			return errno_names[i].name;
	return NULL;
}

struct sf_profile *sf_profile_new(void)
{
	struct sf_profile *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->arena = sf_arena_new();
	if (!p->arena) {
		free(p);
		return NULL;
	}
	return p;
}

void sf_profile_free(struct sf_profile *p)
{
	if (!p)
		return;
	sf_doc_free(p->doc);
	sf_arena_free(p->arena);
	free(p);
}

char *sf_profile_strdup(struct sf_profile *p, const char *s)
{
	return sf_arena_strdup(p->arena, s);
}

/* Rules grow by doubling inside the arena. */
struct sf_rule *sf_profile_add_rule(struct sf_profile *p)
{
	if (p->nrules == p->rules_cap) {
		size_t cap = p->rules_cap ? p->rules_cap * 2 : 8;
		struct sf_rule *r = sf_arena_grow(p->arena, p->rules, p->nrules, cap, sizeof(*r));
		if (!r)
			return NULL;
		p->rules = r;
		p->rules_cap = cap;
	}
	struct sf_rule *r = &p->rules[p->nrules++];
	memset(r, 0, sizeof(*r));
	return r;
}

int sf_rule_add_name(struct sf_profile *p, struct sf_rule *r, const char *name)
{
	if (r->nnames >= r->names_cap) {
		size_t cap = r->names_cap ? r->names_cap * 2 : 8;
		char **v = sf_arena_grow(p->arena, r->names, r->nnames, cap, sizeof(*v));
		/* Resolved and built profiles have no nodes: a zeroed array of the same size. */
		const struct sf_node **nv =
			r->name_nodes
				? sf_arena_grow(p->arena, r->name_nodes, r->nnames, cap, sizeof(*nv))
				: sf_arena_alloc(p->arena, cap * sizeof(*nv));
		if (!v || !nv)
			return -ENOMEM;
		r->names = v;
		r->name_nodes = nv;
		r->names_cap = cap;
	}
	r->names[r->nnames] = sf_arena_strdup(p->arena, name);
	if (!r->names[r->nnames])
		return -ENOMEM;
	r->name_nodes[r->nnames] = NULL;
	r->nnames++;
	return 0;
}

int sf_rule_add_arg(struct sf_profile *p, struct sf_rule *r, const struct sf_arg *arg)
{
	struct sf_arg *v = sf_arena_grow(p->arena, r->args, r->nargs, r->nargs + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[r->nargs++] = *arg;
	r->args = v;
	return 0;
}

/* Findings. */
void sf_findings_init(struct sf_findings *f, const char *file)
{
	memset(f, 0, sizeof(*f));
	f->file = strdup(file ? file : "");
}

void sf_findings_clear(struct sf_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].code);
		free(f->v[i].msg);
		free(f->v[i].hint);
	}
	free(f->v);
	free(f->file);
	memset(f, 0, sizeof(*f));
}

int sf_findings_add(struct sf_findings *f, enum sf_severity sev, const struct sf_node *at,
		    const char *path, const char *code, const char *hint, const char *fmt, ...)
{
	struct sf_finding *x;
	va_list ap;

	if (!f)
		return 0;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct sf_finding *v = reallocarray(f->v, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	x = &f->v[f->n];
	memset(x, 0, sizeof(*x));
	x->severity = sev;
	if (at) {
		x->line = at->line;
		x->col = at->col;
	}
	x->path = strdup(path ? path : "");
	x->code = strdup(code ? code : "");
	x->hint = hint ? strdup(hint) : NULL;
	va_start(ap, fmt);
	if (vasprintf(&x->msg, fmt, ap) < 0)
		x->msg = NULL;
	va_end(ap);
	if (!x->path || !x->code || !x->msg || (hint && !x->hint)) {
		free(x->path);
		free(x->code);
		free(x->hint);
		free(x->msg);
		return -ENOMEM;
	}
	f->n++;
	if (sev == SF_SEV_ERROR)
		f->nerrors++;
	else
		f->nwarnings++;
	return 0;
}
