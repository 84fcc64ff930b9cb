/*
 * sysfence status output: a report for people, a line of a process table (--all), and a JSON
 * object with stable keys.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sysfence/status.h>

#include "util/util.h"

#define WRAP 100

static const enum sf_cap_set cap_order[] = {SF_CAP_EFF, SF_CAP_PRM, SF_CAP_BND, SF_CAP_AMB,
					    SF_CAP_INH};

static const char *problem_text(enum sf_filters_problem p)
{
	switch (p) {
	case SF_FILTERS_NO_CAP:
		return "sysfence lacks CAP_SYS_ADMIN";
	case SF_FILTERS_PTRACE_DENIED:
		return "ptrace was refused";
	case SF_FILTERS_NO_KERNEL:
		return "the kernel lacks CONFIG_CHECKPOINT_RESTORE";
	case SF_FILTERS_CALLER_SECCOMP:
		return "sysfence itself runs under seccomp";
	case SF_FILTERS_TRACED:
		return "the process is traced by another process";
	case SF_FILTERS_SELF:
		return "a process cannot read its own filters";
	case SF_FILTERS_GONE:
		return "the process exited";
	case SF_FILTERS_NOT_CLASSIC:
		return "a filter is not classic BPF";
	case SF_FILTERS_NOT_TRIED:
		return "not asked for";
	case SF_FILTERS_READ:
		return "read";
	case SF_FILTERS_ERROR:
		break;
	}
	return "an error";
}

/* Namespaces the process does not share with PID 1, and those that cannot be told. */
static void ns_lists(const struct sf_status *s, struct sf_buf *differ, struct sf_buf *unknown,
		     struct sf_buf *same)
{
	for (int i = 0; i < SF_NS_COUNT; i++) {
		const struct sf_ns_info *ns = &s->ns[i];
		struct sf_buf *b;
		if (ns->err == -ENOENT && ns->ref_err == -ENOENT)
			continue; /* the kernel has no such namespace */
		if (!ns->ino || !ns->ref_ino)
			b = unknown;
		else
			b = ns->ino != ns->ref_ino ? differ : same;
		if (b)
			sf_buf_printf(b, "%s%s", b->len ? ", " : "", sf_ns_name((enum sf_ns)i));
	}
}

/* "docker 0123...", "Kubernetes pod UID (burstable), containerd 0123..." */
static void container_text(const struct sf_container *c, struct sf_buf *out)
{
	if (c->id[0]) {
		sf_buf_printf(
		    out, "%s%s %s", c->runtime ? c->runtime : "container",
		    c->monitor ? " monitor (conmon/lxc monitor, not the workload) of" : "", c->id);
		if (!c->runtime)
			sf_buf_puts(out, " (the cgroup path does not name the runtime)");
	}
	if (c->pod_uid[0])
		sf_buf_printf(out, "%sKubernetes pod %s%s%s%s", c->id[0] ? ", in " : "", c->pod_uid,
			      c->qos ? " (" : "", c->qos ? c->qos : "", c->qos ? " QoS)" : "");
}

/* Words into lines of at most WRAP columns, each starting with indent. */
struct wrap {
	struct sf_buf *out;
	size_t col, indent;
	bool first;
};

static void wrap_word(struct wrap *w, const char *word)
{
	size_t n = strlen(word);
	if (!w->first && w->col + 2 + n > WRAP) {
		sf_buf_printf(w->out, ",\n%*s", (int)w->indent, "");
		w->col = w->indent;
	} else if (!w->first) {
		sf_buf_puts(w->out, ", ");
		w->col += 2;
	}
	sf_buf_puts(w->out, word);
	w->col += n;
	w->first = false;
}

static const struct sf_syscall_verdict *find_name(const struct sf_abi_verdicts *a, const char *name)
{
	for (size_t i = 0; a && i < a->n; i++)
		if (strcmp(a->v[i].name, name) == 0)
			return &a->v[i];
	return NULL;
}

/* Shown in the group lists: every syscall, or with a base ABI those the base does not have. */
static bool own(const struct sf_abi_verdicts *base, const struct sf_syscall_verdict *v)
{
	return !base || !find_name(base, v->name);
}

/*
 * The lines under one ABI: the syscalls whose action is not the most common, by action, and
 * those that depend on arguments. With a base (the process's own ABI), only the syscalls the
 * base does not have are listed so, and those it has are compared with it.
 */
static void abi_details(const struct sf_abi_verdicts *a, const struct sf_abi_verdicts *base,
			const char *indent, struct sf_buf *out)
{
	char rb[64], rb2[64], lead[128], word[160];
	uint32_t done[64];
	size_t ndone = 0, nshared = 0, ndiffer = 0, nown = 0;

	if (base) {
		for (size_t i = 0; i < a->n; i++) {
			const struct sf_syscall_verdict *b = find_name(base, a->v[i].name);
			if (!b)
				nown++;
			else if (b->ret == a->v[i].ret && b->conditional == a->v[i].conditional)
				nshared++;
			else
				ndiffer++;
		}
		sf_buf_printf(out, "%sthe %zu syscalls %s also has: %s\n", indent,
			      nshared + ndiffer, base->arch->name,
			      ndiffer ? "as there, except" : "as there");
		if (ndiffer) {
			snprintf(lead, sizeof(lead), "%sunlike %s: ", indent, base->arch->name);
			sf_buf_puts(out, lead);
			struct wrap w = {out, strlen(lead), strlen(indent) + 4, true};
			for (size_t i = 0; i < a->n; i++) {
				const struct sf_syscall_verdict *b = find_name(base, a->v[i].name);
				if (!b || (b->ret == a->v[i].ret &&
					   b->conditional == a->v[i].conditional))
					continue;
				snprintf(word, sizeof(word), "%s %s%s (there %s%s)", a->v[i].name,
					 sf_ret_describe(a->v[i].ret, rb, sizeof(rb)),
					 a->v[i].conditional ? " on arguments" : "",
					 sf_ret_describe(b->ret, rb2, sizeof(rb2)),
					 b->conditional ? " on arguments" : "");
				wrap_word(&w, word);
			}
			sf_buf_putc(out, '\n');
		}
		if (!nown)
			return;
		sf_buf_printf(out, "%sof the %zu syscalls %s does not have, those not %s:\n",
			      indent, nown, base->arch->name,
			      sf_ret_describe(a->common_ret, rb, sizeof(rb)));
	}
	for (size_t i = 0; i < a->n; i++) {
		uint32_t ret = a->v[i].ret;
		bool seen = ret == a->common_ret || a->v[i].conditional || !own(base, &a->v[i]);
		for (size_t k = 0; k < ndone && !seen; k++)
			seen = done[k] == ret;
		if (seen)
			continue;
		if (ndone < SF_ARRAY_SIZE(done))
			done[ndone++] = ret;
		snprintf(lead, sizeof(lead), "%s%s %s: ", indent,
			 sf_ret_allows(ret) ? "allowed" : "refused",
			 sf_ret_describe(ret, rb, sizeof(rb)));
		sf_buf_puts(out, lead);
		struct wrap w = {out, strlen(lead), strlen(indent) + 4, true};
		for (size_t k = i; k < a->n; k++)
			if (a->v[k].ret == ret && !a->v[k].conditional && own(base, &a->v[k]))
				wrap_word(&w, a->v[k].name);
		sf_buf_putc(out, '\n');
	}
	bool cond = false;
	for (size_t k = 0; k < a->n; k++)
		cond |= a->v[k].conditional && own(base, &a->v[k]);
	if (cond) {
		snprintf(lead, sizeof(lead), "%sdepend on arguments: ", indent);
		sf_buf_puts(out, lead);
		struct wrap w = {out, strlen(lead), strlen(indent) + 4, true};
		for (size_t k = 0; k < a->n; k++) {
			if (!a->v[k].conditional || !own(base, &a->v[k]))
				continue;
			snprintf(word, sizeof(word), "%s (%s)", a->v[k].name,
				 sf_ret_describe(a->v[k].ret, rb, sizeof(rb)));
			wrap_word(&w, word);
		}
		sf_buf_puts(out, "\n");
		sf_buf_printf(out, "%s    (in parentheses: the result with all arguments zero)\n",
			      indent);
	}
}

/* "x86_64: 373 syscalls: 330 allowed, 31 refused, 12 depend on arguments; most: ALLOW" */
static void abi_summary(const struct sf_abi_verdicts *a, const struct sf_abi_verdicts *base,
			const char *indent, bool details, struct sf_buf *out)
{
	char rb[64], rb2[64];
	const char *common = sf_ret_describe(a->common_ret, rb, sizeof(rb));

	sf_buf_printf(out, "%s%s%s: ", indent, a->arch->name, base ? " calls" : "");
	if (!a->nconditional && (a->nallowed == a->n || a->nrefused == a->n)) {
		bool uniform = true;
		for (size_t i = 1; i < a->n && uniform; i++)
			uniform = a->v[i].ret == a->v[0].ret;
		if (uniform && a->other_ret == a->common_ret) {
			sf_buf_printf(out, "all %zu syscalls %s: %s%s\n", a->n,
				      a->nallowed ? "allowed" : "refused", common,
				      a->nallowed ? " (not filtered)" : "");
			return;
		}
	}
	sf_buf_printf(out,
		      "%zu syscalls: %zu allowed, %zu refused, %zu depend on arguments; "
		      "most common %s; numbers above the table: %s\n",
		      a->n, a->nallowed, a->nrefused, a->nconditional, common,
		      sf_ret_describe(a->other_ret, rb2, sizeof(rb2)));
	if (details) {
		char deeper[32];
		snprintf(deeper, sizeof(deeper), "%s  ", indent);
		abi_details(a, base, deeper, out);
	}
}

static void field(struct sf_buf *out, const char *key)
{
	sf_buf_printf(out, "  %-16s", key);
}

void sf_status_write_text(const struct sf_status *s, struct sf_buf *out)
{
	struct sf_buf differ = {0}, unknown = {0}, same = {0};

	sf_buf_printf(out, "process %d (%s)%s\n", (int)s->pid, s->comm,
		      s->kernel_thread ? ": a kernel thread" : "");
	field(out, "executable");
	if (s->exe)
		sf_buf_printf(out, "%s\n", s->exe);
	else
		sf_buf_printf(out, "unknown (%s)\n",
			      s->kernel_thread ? "kernel threads have none"
					       : strerror(-s->exe_err));
	field(out, "uid");
	if (s->st.uid[0] >= 0)
		sf_buf_printf(out, "%ld (effective %ld)\n", s->st.uid[0], s->st.uid[1]);
	else
		sf_buf_puts(out, "unknown\n");
	field(out, "abi");
	if (s->abi)
		sf_buf_printf(out, "%s", s->abi->name);
	else
		sf_buf_puts(out, "unknown (executable unreadable)");
	{
		bool own = s->nabis && s->abis[0] == s->abi, first = true;
		for (size_t i = own ? 1 : 0; i < s->nabis; i++) {
			sf_buf_printf(out, "%s%s",
				      !first ? ", "
				      : own  ? "; may also call as "
					     : "; the kernel takes ",
				      s->abis[i]->name);
			first = false;
		}
	}
	sf_buf_putc(out, '\n');

	field(out, "seccomp");
	sf_buf_puts(out, sf_seccomp_mode_name(s->st.seccomp));
	if (s->st.seccomp == SF_SECCOMP_FILTER) {
		if (s->st.seccomp_filters >= 0)
			sf_buf_printf(out, ", %ld filter%s", s->st.seccomp_filters,
				      s->st.seccomp_filters == 1 ? "" : "s");
		else
			sf_buf_puts(out, " (this kernel does not show how many filters)");
	} else if (s->st.seccomp == SF_SECCOMP_DISABLED)
		sf_buf_puts(out, " (every syscall allowed)");
	else if (s->st.seccomp == SF_SECCOMP_STRICT)
		sf_buf_puts(out, " (only read, write, _exit, sigreturn)");
	sf_buf_putc(out, '\n');
	field(out, "no_new_privs");
	sf_buf_puts(out, s->st.no_new_privs < 0 ? "unknown\n"
			 : s->st.no_new_privs	? "yes\n"
						: "no\n");

	for (size_t i = 0; i < SF_ARRAY_SIZE(cap_order); i++) {
		char key[32];
		snprintf(key, sizeof(key), "cap %s", sf_cap_set_name(cap_order[i]));
		field(out, key);
		if (s->st.caps_present & (1u << cap_order[i]))
			sf_caps_describe(s->st.caps[cap_order[i]], s->last_cap, out);
		else
			sf_buf_puts(out, "unknown");
		sf_buf_putc(out, '\n');
	}

	ns_lists(s, &differ, &unknown, &same);
	field(out, "namespaces");
	{
		const char *ref = s->ns_ref == SF_NS_REF_PID1 ? "PID 1" : "sysfence";
		if (differ.len)
			sf_buf_printf(out, "not %s's: %s", ref, differ.data);
		if (same.len)
			sf_buf_printf(out, "%sshared with %s: %s", differ.len ? "; " : "", ref,
				      same.data);
		if (unknown.len)
			sf_buf_printf(out, "%sunknown: %s", differ.len || same.len ? "; " : "",
				      unknown.data);
		if (s->ns_ref == SF_NS_REF_SELF)
			sf_buf_printf(out, " (PID 1's cannot be read: %s)",
				      strerror(-s->ns_pid1_err));
	}
	sf_buf_putc(out, '\n');
	sf_buf_free(&differ);
	sf_buf_free(&unknown);
	sf_buf_free(&same);

	field(out, "cgroup");
	if (s->cgroup_err < 0)
		sf_buf_printf(out, "unknown (%s)\n", strerror(-s->cgroup_err));
	else if (!s->ncgroups)
		sf_buf_puts(out, "none\n");
	for (size_t i = 0; i < s->ncgroups; i++) {
		const struct sf_cgroup_line *g = &s->cgroups[i];
		if (i)
			field(out, "");
		if (g->hierarchy == 0 && !g->controllers[0])
			sf_buf_printf(out, "%s%s\n", g->path, s->ncgroups > 1 ? " (v2)" : "");
		else
			sf_buf_printf(out, "%s (v1 %s)\n", g->path, g->controllers);
	}
	field(out, "container");
	if (s->in_container)
		container_text(&s->container, out);
	else
		sf_buf_puts(out, "none named by the cgroup path");
	sf_buf_putc(out, '\n');
	field(out, "lsm label");
	if (s->lsm)
		sf_buf_puts(out, s->lsm);
	else if (s->lsm_err == -EINVAL || s->lsm_err == -ENOENT || !s->lsm_err)
		sf_buf_puts(out, "none (no LSM gives labels)");
	else
		sf_buf_printf(out, "unknown (%s)", strerror(-s->lsm_err));
	if (s->apparmor && (!s->lsm || strcmp(s->apparmor, s->lsm) != 0))
		sf_buf_printf(out, "; AppArmor: %s", s->apparmor);
	sf_buf_putc(out, '\n');

	if (s->st.seccomp != SF_SECCOMP_FILTER)
		return;
	field(out, "filters");
	if (s->filters_problem != SF_FILTERS_READ) {
		sf_buf_printf(out, "not read: %s\n", problem_text(s->filters_problem));
		if (s->filters_why[0])
			sf_buf_printf(out, "  %-16s%s\n", "", s->filters_why);
		sf_buf_printf(out,
			      "  %-16sshown from /proc/%d/status instead: mode and count only\n",
			      "", (int)s->pid);
		return;
	}
	sf_buf_printf(out,
		      "%zu read with PTRACE_SECCOMP_GET_FILTER (oldest first; the kernel runs "
		      "them all, the strictest result wins)\n",
		      s->nprogs);
	for (size_t k = 0; k < s->nprogs; k++) {
		char key[32];
		snprintf(key, sizeof(key), "filter %zu", k + 1);
		field(out, key);
		sf_buf_printf(out, "%zu instructions%s\n", s->progs[k].len,
			      s->nprogs > 1 ? "" : "; for each ABI, with all arguments zero:");
		if (s->nprogs == 1)
			break;
		for (size_t i = 0; i < s->per_filter[k].nabis; i++)
			abi_summary(&s->per_filter[k].abis[i], i ? &s->per_filter[k].abis[0] : NULL,
				    "    ", false, out);
	}
	if (s->nprogs > 1)
		sf_buf_printf(out,
			      "  %-16sall %zu together, for each ABI, with all arguments zero:\n",
			      "effect", s->nprogs);
	for (size_t i = 0; i < s->combined.nabis; i++)
		abi_summary(&s->combined.abis[i], i ? &s->combined.abis[0] : NULL, "    ", true,
			    out);
}

void sf_status_write_line_header(struct sf_buf *out)
{
	sf_buf_printf(out, "%7s  %-15s  %-8s  %7s  %-3s  %-20s  %s\n", "PID", "COMM", "SECCOMP",
		      "FILTERS", "NNP", "CONTAINER", "FILTERS READ");
}

void sf_status_write_line(const struct sf_status *s, struct sf_buf *out)
{
	char filters[24], container[64];
	const struct sf_container *c = &s->container;

	if (s->st.seccomp_filters >= 0)
		snprintf(filters, sizeof(filters), "%ld", s->st.seccomp_filters);
	else
		snprintf(filters, sizeof(filters), "?");
	if (!s->in_container)
		snprintf(container, sizeof(container), "-");
	else if (c->id[0])
		snprintf(container, sizeof(container), "%s%s:%.12s",
			 c->runtime ? c->runtime : "pod", c->monitor ? "-monitor" : "", c->id);
	else
		snprintf(container, sizeof(container), "pod:%.13s", c->pod_uid);
	sf_buf_printf(out, "%7d  %-15s  %-8s  %7s  %-3s  %-20s  ", (int)s->pid,
		      s->kernel_thread ? "[kernel thread]" : s->comm,
		      sf_seccomp_mode_name(s->st.seccomp), filters,
		      s->st.no_new_privs < 0 ? "?"
		      : s->st.no_new_privs   ? "yes"
					     : "no",
		      container);
	if (s->st.seccomp != SF_SECCOMP_FILTER)
		sf_buf_puts(out, "-");
	else if (s->filters_problem != SF_FILTERS_READ)
		sf_buf_printf(out, "not read: %s", problem_text(s->filters_problem));
	else if (s->combined.nabis) {
		const struct sf_abi_verdicts *a = &s->combined.abis[0];
		sf_buf_printf(out, "%s: %zu allowed, %zu refused, %zu on arguments", a->arch->name,
			      a->nallowed, a->nrefused, a->nconditional);
	}
	sf_buf_putc(out, '\n');
}

/* ---- JSON ---- */

static void jstr(struct sf_buf *out, const char *s)
{
	if (s)
		sf_json_put_string(out, s, strlen(s));
	else
		sf_buf_puts(out, "null");
}

static void jkey(struct sf_buf *out, bool *first, const char *key)
{
	if (!*first)
		sf_buf_putc(out, ',');
	*first = false;
	jstr(out, key);
	sf_buf_putc(out, ':');
}

static void jlong(struct sf_buf *out, long v)
{
	if (v < 0)
		sf_buf_puts(out, "null");
	else
		sf_buf_printf(out, "%ld", v);
}

static void json_verdict_list(struct sf_buf *out, const struct sf_abi_verdicts *a, int which)
{
	char rb[64];
	bool first = true;

	sf_buf_putc(out, '[');
	for (size_t i = 0; i < a->n; i++) {
		const struct sf_syscall_verdict *v = &a->v[i];
		bool in = which == 2 ? v->conditional
				     : !v->conditional && sf_ret_allows(v->ret) == (which == 0);
		if (!in)
			continue;
		if (!first)
			sf_buf_putc(out, ',');
		first = false;
		if (which == 0) {
			jstr(out, v->name);
			continue;
		}
		sf_buf_puts(out, "{\"name\":");
		jstr(out, v->name);
		sf_buf_printf(out, ",\"nr\":%ld,\"action\":", v->nr);
		jstr(out, sf_ret_describe(v->ret, rb, sizeof(rb)));
		sf_buf_putc(out, '}');
	}
	sf_buf_putc(out, ']');
}

static void json_verdicts(struct sf_buf *out, const struct sf_filter_verdicts *fv)
{
	char rb[64];

	sf_buf_putc(out, '[');
	for (size_t i = 0; i < fv->nabis; i++) {
		const struct sf_abi_verdicts *a = &fv->abis[i];
		if (i)
			sf_buf_putc(out, ',');
		sf_buf_puts(out, "{\"abi\":");
		jstr(out, a->arch->name);
		sf_buf_printf(out,
			      ",\"syscalls\":%zu,\"allowed_count\":%zu,\"refused_count\":%zu,"
			      "\"conditional_count\":%zu,\"most_common\":",
			      a->n, a->nallowed, a->nrefused, a->nconditional);
		jstr(out, sf_ret_describe(a->common_ret, rb, sizeof(rb)));
		sf_buf_puts(out, ",\"beyond_table\":");
		jstr(out, sf_ret_describe(a->other_ret, rb, sizeof(rb)));
		sf_buf_puts(out, ",\"allowed\":");
		json_verdict_list(out, a, 0);
		sf_buf_puts(out, ",\"refused\":");
		json_verdict_list(out, a, 1);
		sf_buf_puts(out, ",\"conditional\":");
		json_verdict_list(out, a, 2);
		sf_buf_putc(out, '}');
	}
	sf_buf_putc(out, ']');
}

void sf_status_write_json(const struct sf_status *s, struct sf_buf *out)
{
	bool first = true, f2;
	struct sf_buf b = {0};

	sf_buf_putc(out, '{');
	jkey(out, &first, "pid");
	sf_buf_printf(out, "%d", (int)s->pid);
	jkey(out, &first, "comm");
	jstr(out, s->comm);
	jkey(out, &first, "exe");
	jstr(out, s->exe);
	jkey(out, &first, "kernel_thread");
	sf_buf_puts(out, s->kernel_thread ? "true" : "false");
	jkey(out, &first, "uid");
	jlong(out, s->st.uid[0]);
	jkey(out, &first, "euid");
	jlong(out, s->st.uid[1]);
	jkey(out, &first, "abi");
	jstr(out, s->abi ? s->abi->name : NULL);
	jkey(out, &first, "abis");
	sf_buf_putc(out, '[');
	for (size_t i = 0; i < s->nabis; i++) {
		if (i)
			sf_buf_putc(out, ',');
		jstr(out, s->abis[i]->name);
	}
	sf_buf_putc(out, ']');

	jkey(out, &first, "seccomp");
	f2 = true;
	sf_buf_putc(out, '{');
	jkey(out, &f2, "mode");
	jstr(out, sf_seccomp_mode_name(s->st.seccomp));
	jkey(out, &f2, "filters");
	jlong(out, s->st.seccomp_filters);
	sf_buf_putc(out, '}');
	jkey(out, &first, "no_new_privs");
	sf_buf_puts(out, s->st.no_new_privs < 0 ? "null" : s->st.no_new_privs ? "true" : "false");

	jkey(out, &first, "capabilities");
	f2 = true;
	sf_buf_putc(out, '{');
	for (size_t i = 0; i < SF_ARRAY_SIZE(cap_order); i++) {
		enum sf_cap_set set = cap_order[i];
		uint64_t v = s->st.caps[set];
		char tmp[16];
		bool f3 = true;
		jkey(out, &f2, sf_cap_set_name(set));
		if (!(s->st.caps_present & (1u << set))) {
			sf_buf_puts(out, "null");
			continue;
		}
		sf_buf_printf(out, "{\"mask\":\"%016" PRIx64 "\",\"summary\":", v);
		b.len = 0;
		sf_caps_describe(v, s->last_cap, &b);
		sf_json_put_string(out, b.data ? b.data : "", b.len);
		sf_buf_puts(out, ",\"names\":[");
		for (unsigned c = 0; c < 64; c++)
			if (v & (UINT64_C(1) << c)) {
				sf_buf_puts(out, f3 ? "" : ",");
				jstr(out, sf_cap_label(c, tmp, sizeof(tmp)));
				f3 = false;
			}
		sf_buf_puts(out, "]}");
	}
	sf_buf_putc(out, '}');
	sf_buf_free(&b);

	jkey(out, &first, "namespaces");
	sf_buf_puts(out, "{\"reference\":");
	jstr(out, s->ns_ref == SF_NS_REF_PID1 ? "pid1" : "sysfence");
	sf_buf_puts(out, ",\"pid1_error\":");
	jstr(out, s->ns_ref == SF_NS_REF_PID1 ? NULL : strerror(-s->ns_pid1_err));
	sf_buf_puts(out, ",\"differing\":[");
	f2 = true;
	for (int i = 0; i < SF_NS_COUNT; i++)
		if (s->ns[i].ino && s->ns[i].ref_ino && s->ns[i].ino != s->ns[i].ref_ino) {
			sf_buf_puts(out, f2 ? "" : ",");
			jstr(out, sf_ns_name((enum sf_ns)i));
			f2 = false;
		}
	sf_buf_puts(out, "],\"each\":{");
	f2 = true;
	for (int i = 0; i < SF_NS_COUNT; i++) {
		const struct sf_ns_info *ns = &s->ns[i];
		jkey(out, &f2, sf_ns_name((enum sf_ns)i));
		sf_buf_puts(out, "{\"inode\":");
		if (ns->ino)
			sf_buf_printf(out, "%" PRIu64, ns->ino);
		else
			sf_buf_puts(out, "null");
		sf_buf_puts(out, ",\"reference_inode\":");
		if (ns->ref_ino)
			sf_buf_printf(out, "%" PRIu64, ns->ref_ino);
		else
			sf_buf_puts(out, "null");
		sf_buf_printf(out, ",\"differs\":%s}",
			      !ns->ino || !ns->ref_ino ? "null"
			      : ns->ino != ns->ref_ino ? "true"
						       : "false");
	}
	sf_buf_puts(out, "}}");

	jkey(out, &first, "cgroups");
	if (s->cgroup_err < 0)
		sf_buf_puts(out, "null");
	else {
		sf_buf_putc(out, '[');
		for (size_t i = 0; i < s->ncgroups; i++) {
			sf_buf_printf(out, "%s{\"hierarchy\":%u,\"controllers\":", i ? "," : "",
				      s->cgroups[i].hierarchy);
			jstr(out, s->cgroups[i].controllers);
			sf_buf_puts(out, ",\"path\":");
			jstr(out, s->cgroups[i].path);
			sf_buf_putc(out, '}');
		}
		sf_buf_putc(out, ']');
	}
	jkey(out, &first, "container");
	if (!s->in_container)
		sf_buf_puts(out, "null");
	else {
		const struct sf_container *c = &s->container;
		sf_buf_puts(out, "{\"runtime\":");
		jstr(out, c->runtime);
		sf_buf_puts(out, ",\"id\":");
		jstr(out, c->id[0] ? c->id : NULL);
		sf_buf_puts(out, ",\"pod_uid\":");
		jstr(out, c->pod_uid[0] ? c->pod_uid : NULL);
		sf_buf_puts(out, ",\"qos\":");
		jstr(out, c->qos);
		sf_buf_printf(out, ",\"monitor\":%s}", c->monitor ? "true" : "false");
	}
	jkey(out, &first, "lsm");
	sf_buf_puts(out, "{\"current\":");
	jstr(out, s->lsm);
	sf_buf_puts(out, ",\"apparmor\":");
	jstr(out, s->apparmor);
	sf_buf_putc(out, '}');

	jkey(out, &first, "filters");
	sf_buf_puts(out, "{\"status\":");
	if (s->st.seccomp != SF_SECCOMP_FILTER)
		jstr(out, "none");
	else
		jstr(out, sf_filters_problem_key(s->filters_problem));
	sf_buf_puts(out, ",\"reason\":");
	jstr(out, s->filters_problem == SF_FILTERS_READ ? NULL
		  : s->filters_why[0]			? s->filters_why
							: problem_text(s->filters_problem));
	sf_buf_puts(out, ",\"programs\":");
	if (s->filters_problem != SF_FILTERS_READ)
		sf_buf_puts(out, "null");
	else {
		sf_buf_putc(out, '[');
		for (size_t k = 0; k < s->nprogs; k++) {
			sf_buf_printf(out, "%s{\"index\":%zu,\"instructions\":%zu,\"abis\":",
				      k ? "," : "", k + 1, s->progs[k].len);
			json_verdicts(out, &s->per_filter[k]);
			sf_buf_putc(out, '}');
		}
		sf_buf_putc(out, ']');
	}
	sf_buf_puts(out, ",\"effective\":");
	if (s->filters_problem != SF_FILTERS_READ || !s->nprogs)
		sf_buf_puts(out, "null");
	else
		json_verdicts(out, &s->combined);
	sf_buf_puts(out, "}}");
}
