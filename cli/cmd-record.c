/*
 * sysfence record: run a command and write the minimal allowlist profile that lets it do what
 * it did — every syscall of the command and of everything it starts, per ABI.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sysfence/enforce.h>
#include <sysfence/record.h>

#include "compile-common.h"
#include "record-ptrace.h"

extern char **environ;

const char help_record[] =
	"usage: sysfence record [-o FILE] [--format oci|yaml|spo] [--errno E]\n"
	"                       [--mechanism notify|ptrace] [--args] [--base P] [--merge FILE]\n"
	"                       [--snapshot-every S] [--report] [--verify] -- CMD [ARGS...]\n"
	"       sysfence record [-o FILE] [options] --pid PID\n"
	"\n"
	"Run CMD and write the smallest profile that allows what it did: every syscall made by\n"
	"CMD and by everything it starts (threads, forks, vfork, clone/clone3, exec: nothing\n"
	"escapes), in every ABI it used (x86_64, i386 via int $0x80, x32). The profile refuses\n"
	"everything else with EPERM (defaultAction SCMP_ACT_ERRNO), lists the ABIs seen (and this\n"
	"machine's own), allows the recorded names in one rule, and in a second rule, with a\n"
	"comment, what the runtime calls between loading the filter and starting the command\n"
	"(sysfence run: execve; crun 1.8.1: close, execve). The same recording gives the same\n"
	"bytes. Standard input, output, error and the environment pass through.\n"
	"\n"
	"Each call is sent to sysfence by the kernel (a filter returning SECCOMP_RET_USER_NOTIF,\n"
	"answered with SECCOMP_USER_NOTIF_FLAG_CONTINUE: the call runs as it would have), so the\n"
	"command runs as usual, only slower on syscalls. Processes that outlive CMD (daemons)\n"
	"are recorded until they exit too; the exit status is CMD's. The profile is written when\n"
	"CMD fails, crashes or is killed, and when record is interrupted: SIGINT and SIGTERM are\n"
	"passed to CMD; a second one (or one after CMD has exited) stops waiting for its\n"
	"descendants, which then run on unrecorded.\n"
	"\n"
	"no_new_privs is set, as loading a filter without CAP_SYS_ADMIN requires: setuid and\n"
	"setgid bits and file capabilities give nothing to CMD and its children (sudo, su, ping\n"
	"with file capabilities run with the caller's privileges only), so what is recorded is\n"
	"what they do unprivileged (as under a container's noNewPrivileges).\n"
	"\n"
	"A profile holds what one run did: record the workload as it will run, with the same\n"
	"programs, files and environment (crun gives a container's process only PATH and TERM,\n"
	"and a shell started without PWD calls getcwd), or record it where it runs (as the\n"
	"container's command, or with --pid), and unite the recordings of several scenarios\n"
	"with sysfence merge.\n"
	"\n"
	"When CMD starts under a seccomp filter already (a container, systemd's SystemCallFilter),\n"
	"calls that filter refuses are refused before sysfence sees them (the stricter action\n"
	"wins): they are missing from the recording. A notice says so, and offers\n"
	"--mechanism ptrace, which sees them.\n"
	"\n"
	"--mechanism ptrace records with ptrace instead (PTRACE_SYSCALL, PTRACE_GET_SYSCALL_INFO\n"
	"at each syscall entry; threads, forks, vfork, clone and exec are followed): no filter is\n"
	"loaded, so no no_new_privs (setuid programs keep their privileges when sysfence has\n"
	"CAP_SYS_PTRACE; otherwise the kernel runs them without), and the same workload gives the\n"
	"same profile. It is slower (two stops a syscall) and it sees the calls a filter already\n"
	"on CMD refuses: the kernel reports the entry before filters run. They are recorded and\n"
	"listed on standard error; the names whose every call was refused go to a rule of their\n"
	"own with a comment (delete it to keep refusing them). Which calls were refused is exact\n"
	"when sysfence can read the filters (PTRACE_SECCOMP_GET_FILTER: CAP_SYS_ADMIN, and\n"
	"sysfence under no filter itself); otherwise only calls killed or trapped (SIGSYS) are\n"
	"known, an errno refusal looks like any failed call. A debugger or strace cannot trace\n"
	"CMD meanwhile (one tracer a process).\n"
	"\n"
	"--pid PID attaches (PTRACE_SEIZE, no stop visible to it) to a running process, all its\n"
	"threads and its descendants, and to what they start, and records until they all exit or\n"
	"until SIGINT or SIGTERM: then every thread is detached, none left stopped or killed, and\n"
	"the profile is written (exit status 0). Only calls made after the attach are seen: what\n"
	"the process did at start-up (loading libraries, opening sockets), and calls made by\n"
	"processes it started before that and that ran elsewhere, are not; restart_syscall may\n"
	"appear (calls interrupted by the attach are restarted). It needs ptrace access: same\n"
	"user and Yama ptrace_scope 0, or CAP_SYS_PTRACE.\n"
	"\n"
	"--args writes argument conditions for the calls whose arguments decide what they can\n"
	"do, instead of allowing them whatever they are passed: socket (the domain), ioctl (the\n"
	"request), prctl (the option), personality, and on i386 socketcall (the call: SYS_SOCKET,\n"
	"SYS_CONNECT, ...; the socket calls' own arguments sit in memory there, where no filter\n"
	"can read them, and runtimes widen socket's rules to socketcall(SYS_SOCKET) for any\n"
	"domain) get one ALLOW rule per value seen, SCMP_CMP_EQ on the low 32 bits the kernel\n"
	"reads (a value seen sign-extended is compared with MASKED_EQ 0xffffffff, as the kernel\n"
	"ignores the upper half); clone gets one MASKED_EQ rule per set of namespace flags seen\n"
	"(mask 0x7e020000: CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, as\n"
	"Docker's default profile writes it). clone3 passes its flags in memory: sysfence reads\n"
	"them while the call waits, allows their namespace flags for clone, and answers clone3\n"
	"with ENOSYS in a rule of its own (as Docker does): C libraries then fall back to clone.\n"
	"A clone3 with flags clone cannot express (CLONE_NEWTIME, CLONE_INTO_CGROUP, set_tid) is\n"
	"allowed as it is. Values of every ABI are united (rules cannot name an ABI). More than\n"
	"--args-max distinct values (16) for one syscall: it is allowed for any, with a note.\n"
	"\n"
	"--base P records only what profile P (a file, or @runtime-default) does not let run:\n"
	"each call, with its arguments, is evaluated against P's compiled policy, and calls P\n"
	"allows are counted but left out (a clone3 that P answers with ENOSYS is covered when P\n"
	"allows clone with the same namespace flags). The profile is the difference, meant to\n"
	"be used with P: --format spo writes P's name as baseProfileName (@runtime-default:\n"
	"runtime-default; --base-name NAME to choose); an OCI profile has no base field, so its\n"
	"first rule's comment and a note say so, and `sysfence merge P FILE` writes the whole.\n"
	"\n"
	"--merge FILE writes the union of the recording and FILE (see sysfence merge: allowlists\n"
	"with the same default; checked before CMD runs). With -o FILE (either mechanism),\n"
	"SIGUSR1 to record writes the profile so far to FILE (atomically) without stopping CMD,\n"
	"and is not passed to CMD; --snapshot-every S does the same every S seconds.\n"
	"\n"
	"--verify runs CMD a second time under the new profile (and its base) as\n"
	"`sysfence run --explain` does: each refused call is reported as it happens, then a\n"
	"verdict. It passes when CMD exits with the same status as when recorded and no call\n"
	"was refused (refusals the profile makes on purpose with a rule of its own, like\n"
	"clone3's ENOSYS, do not count). CMD's output appears twice, and its standard input is\n"
	"already consumed the second time.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE   write the profile there (atomically) instead of standard output\n"
	"  --format F          oci: the OCI profile as JSON (default); yaml: the same as YAML;\n"
	"                      spo: a security-profiles-operator SeccompProfile (YAML; rule\n"
	"                      comments dropped; only EPERM as the default errno)\n"
	"  --name NAME         spo: metadata.name (default: CMD's basename made a DNS-1123 name)\n"
	"  --errno E           the errno of refused calls: a name or number (default EPERM;\n"
	"                      ENOSYS makes programs fall back to older calls)\n"
	"  -v, --verbose       list every recorded call (ABI, count, first executable) on\n"
	"                      standard error\n"
	"  --mechanism M       notify (default: a filter answering SECCOMP_RET_USER_NOTIF) or\n"
	"                      ptrace (see above)\n"
	"  --pid PID           record a running process and its descendants (ptrace)\n"
	"  --args              argument conditions for socket, clone, clone3, ioctl, prctl,\n"
	"                      personality, socketcall (see above)\n"
	"  --args-max N        the threshold of distinct values (default 16; implies --args)\n"
	"  --base P            record only what profile P does not allow (see above)\n"
	"  --base-name NAME    spo: baseProfileName (default: P's name)\n"
	"  --merge FILE        write the union of the recording and FILE\n"
	"  --snapshot-every S  write the profile so far every S seconds (needs -o)\n"
	"  --report            at exit, a table on standard error: per syscall and ABI, how many\n"
	"                      calls, which executable made the first and when (seconds since\n"
	"                      the start); with --base, how many the base allowed; with --args,\n"
	"                      the values\n"
	"  --report-json FILE  the same as JSON (stable keys; rows by ABI, then name)\n"
	"  --verify            run CMD again under the profile and give a verdict (see above)\n"
	"\n"
	"exit status: CMD's, or 128+N when signal N ended it; 125 when sysfence itself fails\n"
	"(the profile could not be written, the filter refused); 126 when CMD cannot be\n"
	"executed, 127 when it is not found. --pid: 0 when the profile was written, 125 when\n"
	"the process could not be attached or the profile not written. With --verify, a\n"
	"failed verification turns CMD's 0 into 1 (a failing CMD keeps its own status).\n";


/* Usage errors exit 125, as for sysfence run: 2 could be the command's own status. */
static int usage(const char *fmt, const char *arg) __attribute__((format(printf, 1, 0)));
static int usage(const char *fmt, const char *arg)
{
	char msg[256];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(msg, sizeof(msg), fmt, arg);
#pragma GCC diagnostic pop
	cli_usage("record", "%s", msg);
	return EXIT_RUNNER;
}

static void report(struct sf_recording *rec, bool verbose)
{
	const struct sf_recorded_call *c;
	size_t n = sf_recording_calls(rec, &c);
	uint32_t arch;
	uint64_t unknown = sf_recording_unknown_abi(rec, &arch);

	if (verbose) {
		fprintf(stderr, "  %10s  %-8s %-22s %10s  %s\n", "count", "abi", "syscall", "first",
			"executable");
		for (size_t i = 0; i < n; i++) {
			char num[32];
			snprintf(num, sizeof(num), "#%ld", c[i].nr);
			fprintf(stderr, "  %10llu  %-8s %-22s %9.6fs  %s\n",
				(unsigned long long)c[i].count, c[i].abi->name,
				c[i].name ? c[i].name : num, c[i].first, c[i].exe);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!c[i].name)
			cli_err("record",
				"warning: %s syscall %ld (made by %s) has no name: a profile cannot "
				"allow it by name, it is left out",
				c[i].abi->name, c[i].nr, c[i].exe);
	if (unknown)
		cli_err("record",
			"warning: %llu call%s of an ABI sysfence does not know (AUDIT_ARCH %#x): "
			"left out of the profile",
			(unsigned long long)unknown, unknown == 1 ? "" : "s", arch);
}

/* ---- what is written, and when: at the end, on SIGUSR1, every --snapshot-every --------- */

enum rec_format {
	REC_OCI,
	REC_YAML,
	REC_SPO,
};

struct writer {
	struct sf_recording *rec;
	struct record_ptrace *rp;
	const char *output;
	enum rec_format fmt;
	uint32_t errno_ret;
	const char *name;	   /* SPO metadata.name */
	const char *base;	   /* --base as given */
	const char *base_name;	   /* SPO baseProfileName */
	struct sf_profile *bp;	   /* the base, resolved for this machine */
	struct sf_policy *bpol;	   /* its policy */
	const char *merge_file;	   /* --merge */
	struct sf_profile *merge;  /* resolved */
	char comment[512];	   /* the first rule's, with a base */
	char base_name_buf[64];
	unsigned snapshots;
};

/* The profile of what was recorded so far: with the runtime's rule, merged with --merge. */
static int build_profile(struct writer *w, struct sf_profile **out, struct sf_error *err)
{
	struct sf_record_profile_opts po = { .errno_ret = w->errno_ret,
					     .runtime_names = sf_record_runtime_names,
					     .runtime_comment = sf_record_runtime_comment,
					     .comment = w->base ? w->comment : NULL };
	struct sf_profile *p = NULL, *m = NULL;

	*out = NULL;
	if (sf_recording_profile(w->rec, &po, &p, err) < 0 ||
	    (w->rp && record_ptrace_mark(w->rp, p, w->rec, err) < 0)) {
		sf_profile_free(p);
		return -1;
	}
	if (w->merge) {
		const struct sf_profile *in[2] = { p, w->merge };
		const char *files[2] = { "(the recording)", w->merge_file };
		int r = sf_profile_merge(in, files, 2, &m, err);
		sf_profile_free(p);
		if (r < 0)
			return -1;
		p = m;
	}
	*out = p;
	return 0;
}

static int serialize(const struct writer *w, const struct sf_profile *p, struct sf_buf *out,
		     struct sf_error *err)
{
	if (w->fmt != REC_SPO)
		return sf_profile_write(p, w->fmt == REC_YAML ? SF_OUT_YAML : SF_OUT_JSON, out,
					err);
	/* SPO has no comments: they only explain rules, never change what is enforced. */
	struct sf_doc *doc = NULL;
	int r = sf_k8s_spo_object_flags(p, w->name, SF_K8S_SPO_DROP_COMMENTS, &doc, err);
	if (r == 0 && w->base_name) {
		struct sf_node *spec = sf_node_get(sf_doc_root(doc), "spec");
		struct sf_node *v = sf_node_new_string(doc, w->base_name);
		if (!spec || !v || sf_node_set(doc, spec, "baseProfileName", v) < 0)
			r = sf_error_set(err, -ENOMEM, "out of memory");
	}
	if (r == 0)
		r = sf_k8s_write_objects(doc, false, out, err);
	else
		sf_error_prefix(err, "--format spo: ");
	sf_doc_free(doc);
	return r;
}

/* Build and write the profile to -o (atomically). Returns an exit status; errors printed. */
static int write_profile(struct writer *w, struct sf_profile **keep)
{
	struct sf_profile *p = NULL;
	struct sf_error err = { 0 };
	struct sf_buf out = { 0 };
	int code = EXIT_OK;

	if (build_profile(w, &p, &err) < 0 || serialize(w, p, &out, &err) < 0) {
		cli_print_error(&err);
		code = EXIT_RUNNER;
	} else if (cli_write_output("record", w->output, &out) != EXIT_OK) {
		code = EXIT_RUNNER;
	}
	sf_buf_free(&out);
	if (keep && code == EXIT_OK)
		*keep = p;
	else
		sf_profile_free(p);
	return code;
}

static void snapshot(struct writer *w, const char *why)
{
	if (write_profile(w, NULL) == EXIT_OK)
		w->snapshots++;
	else
		cli_err("record", "the snapshot (%s) could not be written; recording goes on", why);
}

static void on_tick(void *ctx)
{
	snapshot(ctx, "--snapshot-every");
}

/* SIGUSR1 writes the profile so far when there is a file to write it to; else it is passed
 * on to the command, as before. */
static bool on_signal(void *ctx, int sig)
{
	struct writer *w = ctx;
	if (sig != SIGUSR1 || !w->output || !strcmp(w->output, "-"))
		return false;
	snapshot(w, "SIGUSR1");
	return true;
}

struct notif_ctx {
	struct sf_recording *rec;
	struct writer *w;
};

static void on_notif_w(void *ctx, int listener, const struct sf_notif *n)
{
	struct notif_ctx *c = ctx;
	/* Counting first: the executable (and clone3's flags) are read while the caller waits. */
	sf_recording_add(c->rec, &n->data, n->pid);
	sf_notif_respond(listener, n->id, 0, 0, true);
}

static void tick_w(void *ctx)
{
	on_tick(((struct notif_ctx *)ctx)->w);
}

static bool signal_w(void *ctx, int sig)
{
	return on_signal(((struct notif_ctx *)ctx)->w, sig);
}

/* A DNS-1123 name from a command's basename: lower case, [a-z0-9-], alphanumeric at both
 * ends, at most 63 characters; "recorded" when nothing is left. */
static void dns_name(const char *cmd, char *out, size_t size)
{
	const char *base = strrchr(cmd, '/') ? strrchr(cmd, '/') + 1 : cmd;
	size_t n = 0;
	for (const char *s = base; *s && n + 1 < size && n < 63; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!ok && (n == 0 || out[n - 1] == '-'))
			continue;
		out[n++] = ok ? c : '-';
	}
	while (n && out[n - 1] == '-')
		n--;
	out[n] = 0;
	if (!n)
		snprintf(out, size, "recorded");
}

/* ---- --args and --base notes ----------------------------------------------------------- */

static const char *arg_what(const struct sf_recorded_call *c)
{
	if (!strcmp(c->name, "socket"))
		return "domain";
	if (!strcmp(c->name, "ioctl"))
		return "request";
	if (!strcmp(c->name, "prctl"))
		return "option";
	if (!strcmp(c->name, "socketcall"))
		return "call";
	if (c->arg_kind == SF_RECORD_ARG_NS_FLAGS || c->arg_kind == SF_RECORD_ARG_CLONE3)
		return "namespace flags";
	return "argument";
}

static void args_notes(struct sf_recording *rec, unsigned args_max)
{
	const struct sf_recorded_call *c;
	size_t n = sf_recording_calls(rec, &c);
	const char *last = NULL;
	bool x86 = false, sock = false;

	for (size_t i = 0; i < n; i++) {
		if (!c[i].name || !c[i].needed)
			continue;
		x86 |= c[i].abi->socketcall_nr >= 0;
		sock |= c[i].arg_kind == SF_RECORD_ARG_INT && !strcmp(c[i].name, "socket");
		if (last && !strcmp(last, c[i].name))
			continue;
		if (c[i].too_many) {
			cli_err("record",
				"note: --args: %s was called with more than %u distinct %s values: "
				"allowed for any (--args-max raises the limit)",
				c[i].name, args_max, arg_what(&c[i]));
			last = c[i].name;
		} else if (c[i].no_fallback) {
			cli_err("record",
				"note: --args: clone3 was called with flags clone cannot express "
				"(CLONE_NEWTIME, CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP, set_tid) or "
				"that could not be read: clone3 is allowed as it is, its flags "
				"unchecked");
			last = c[i].name;
		}
	}
	if (x86 && sock)
		cli_err("record",
			"note: --args: on i386, socket calls may go through socketcall(2), whose "
			"arguments sit in memory: runtimes (libseccomp) widen the socket rules to "
			"socketcall(SYS_SOCKET) for any domain there; socketcall itself is allowed "
			"for the calls recorded (arg 0: SYS_SOCKET, SYS_CONNECT, ...)");
}

/* Rules of the base that refuse a name the recording allows: combined as SPO does (a union of
 * rules), libseccomp would keep whichever comes first. */
static void base_notes(const struct writer *w, const struct sf_profile *p)
{
	uint32_t def = sf_action_ret(w->bp->default_action,
				     w->bp->has_default_errno ? w->bp->default_errno : EPERM);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sf_rule *r = &p->rules[i];
		if (r->action != SF_ACT_ALLOW)
			continue;
		for (size_t j = 0; j < r->nnames; j++)
			for (size_t k = 0; k < w->bp->nrules; k++) {
				const struct sf_rule *b = &w->bp->rules[k];
				uint32_t ret = sf_action_ret(b->action,
							     b->has_errno ? b->errno_ret : EPERM);
				bool named = false;
				for (size_t m = 0; m < b->nnames && !named; m++)
					named = !strcmp(b->names[m], r->names[j]);
				if (!named || b->action == SF_ACT_ALLOW || b->action == SF_ACT_LOG ||
				    ret == def)
					continue;
				char act[48];
				cli_err("record",
					"note: the base %s refuses %s with a rule of its own (%s), "
					"which this profile's ALLOW contradicts: SPO's union of the two "
					"keeps both rules and libseccomp the first, so the outcome "
					"depends on their order; sysfence merge gives the exact union%s",
					w->base, r->names[j], sf_ret_describe(ret, act, sizeof(act)),
					!strcmp(r->names[j], "clone3")
						? " (or record with --args: clone3 then gets ENOSYS and "
						  "clone the recorded flags)"
						: "");
				break;
			}
	}
}

/* ---- --report, --report-json ------------------------------------------------------------ */

static int cmp_report(const void *a, const void *b)
{
	const struct sf_recorded_call *x = *(const struct sf_recorded_call *const *)a,
				      *y = *(const struct sf_recorded_call *const *)b;
	size_t ia = 0, ib = 0;
	for (size_t i = 0; i < sf_arch_count(); i++) {
		if (sf_arch_at(i) == x->abi)
			ia = i;
		if (sf_arch_at(i) == y->abi)
			ib = i;
	}
	if (ia != ib)
		return ia < ib ? -1 : 1;
	if (x->name && y->name && strcmp(x->name, y->name))
		return strcmp(x->name, y->name);
	if (!x->name != !y->name)
		return x->name ? -1 : 1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

/* Every recorded call, by ABI then name (numbers without a name last). Freed by the caller. */
static const struct sf_recorded_call **report_rows(struct sf_recording *rec, size_t *n)
{
	const struct sf_recorded_call *c;
	*n = sf_recording_calls(rec, &c);
	const struct sf_recorded_call **v = calloc(*n + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < *n; i++)
		v[i] = &c[i];
	qsort(v, *n, sizeof(*v), cmp_report);
	return v;
}

static void print_value(FILE *f, uint64_t v)
{
	fprintf(f, v < 65536 ? "%llu" : "%#llx", (unsigned long long)v);
}

static void report_table(struct sf_recording *rec, bool base, bool args)
{
	size_t n;
	const struct sf_recorded_call **v = report_rows(rec, &n);
	if (!v) {
		cli_err("record", "out of memory");
		return;
	}
	fprintf(stderr, "sysfence record: %zu syscalls, %llu calls\n", n,
		(unsigned long long)sf_recording_total(rec));
	fprintf(stderr, "  %-8s %-22s %10s%s %11s  %s%s\n", "abi", "syscall", "count",
		base ? "  base-ok" : "", "first", "executable", args ? "  [values]" : "");
	for (size_t i = 0; i < n; i++) {
		const struct sf_recorded_call *c = v[i];
		char num[32];
		snprintf(num, sizeof(num), "#%ld", c->nr);
		fprintf(stderr, "  %-8s %-22s %10llu", c->abi->name, c->name ? c->name : num,
			(unsigned long long)c->count);
		if (base)
			fprintf(stderr, "  %7llu", (unsigned long long)(c->count - c->needed));
		fprintf(stderr, " %10.6fs  %s", c->first, c->exe);
		if (args && c->arg_kind != SF_RECORD_ARG_NONE && c->needed) {
			fputs("  [", stderr);
			for (size_t k = 0; k < c->nvalues; k++) {
				if (k)
					fputc(',', stderr);
				print_value(stderr, c->values[k].value);
			}
			fputs(c->too_many ? "many]" : c->no_fallback ? "?]" : "]", stderr);
		}
		fputc('\n', stderr);
	}
	free(v);
}

static struct sf_node *seconds(struct sf_doc *doc, double s)
{
	char text[32];
	snprintf(text, sizeof(text), "%.6f", s);
	struct sf_node *n = sf_node_new_string(doc, text);
	if (n)
		n->kind = SF_NODE_NUMBER; /* the same text, written unquoted */
	return n;
}

static int report_json(struct sf_recording *rec, const char *path, char **cmd, pid_t pid,
		       int code, bool base, bool args)
{
	size_t n;
	const struct sf_recorded_call **v = report_rows(rec, &n);
	struct sf_doc *doc = sf_doc_new("<report>");
	struct sf_node *root = doc ? sf_node_new(doc, SF_NODE_OBJECT) : NULL;
	struct sf_node *calls = doc ? sf_node_new(doc, SF_NODE_ARRAY) : NULL;
	struct sf_buf out = { 0 };
	bool oom = !v || !root || !calls;
	int r = EXIT_RUNNER;

#define SET(o, k, val) (oom |= (val) == NULL || sf_node_set(doc, (o), (k), (val)) < 0)
	if (!oom && cmd) {
		struct sf_node *a = sf_node_new(doc, SF_NODE_ARRAY);
		for (size_t i = 0; a && cmd[i]; i++)
			oom |= sf_node_append(doc, a, sf_node_new_string(doc, cmd[i])) < 0;
		SET(root, "command", a);
	} else if (!oom) {
		SET(root, "pid", sf_node_new_i64(doc, pid));
	}
	if (!oom) {
		SET(root, "exitStatus", sf_node_new_i64(doc, code));
		SET(root, "totalCalls", sf_node_new_u64(doc, sf_recording_total(rec)));
		SET(root, "unknownAbiCalls",
		    sf_node_new_u64(doc, sf_recording_unknown_abi(rec, NULL)));
	}
	for (size_t i = 0; !oom && i < n; i++) {
		const struct sf_recorded_call *c = v[i];
		struct sf_node *o = sf_node_new(doc, SF_NODE_OBJECT);
		if (!o) {
			oom = true;
			break;
		}
		SET(o, "abi", sf_node_new_string(doc, c->abi->name));
		SET(o, "name",
		    c->name ? sf_node_new_string(doc, c->name) : sf_node_new(doc, SF_NODE_NULL));
		SET(o, "nr", sf_node_new_i64(doc, c->nr));
		SET(o, "count", sf_node_new_u64(doc, c->count));
		SET(o, "firstExecutable", sf_node_new_string(doc, c->exe));
		SET(o, "firstSeconds", seconds(doc, c->first));
		if (base)
			SET(o, "baseAllowed", sf_node_new_u64(doc, c->count - c->needed));
		if (args && c->arg_kind != SF_RECORD_ARG_NONE) {
			struct sf_node *vals = sf_node_new(doc, SF_NODE_ARRAY);
			for (size_t k = 0; vals && k < c->nvalues; k++) {
				struct sf_node *e = sf_node_new(doc, SF_NODE_OBJECT);
				if (!e) {
					oom = true;
					break;
				}
				SET(e, "value", sf_node_new_u64(doc, c->values[k].value));
				SET(e, "count", sf_node_new_u64(doc, c->values[k].count));
				if (c->values[k].wide)
					SET(e, "signExtended", sf_node_new_bool(doc, true));
				oom |= sf_node_append(doc, vals, e) < 0;
			}
			SET(o, "argIndex", sf_node_new_u64(doc, c->arg_index));
			SET(o, "values", vals);
			if (c->too_many)
				SET(o, "tooManyValues", sf_node_new_bool(doc, true));
			if (c->no_fallback)
				SET(o, "noFallback", sf_node_new_bool(doc, true));
		}
		oom |= sf_node_append(doc, calls, o) < 0;
	}
	if (!oom)
		SET(root, "syscalls", calls);
#undef SET
	if (!oom && sf_node_write_json(root, 0, &out) == 0) {
		sf_buf_putc(&out, '\n');
		r = cli_write_output("record", path, &out) == EXIT_OK ? EXIT_OK : EXIT_RUNNER;
	} else {
		cli_err("record", "out of memory writing the report");
	}
	sf_buf_free(&out);
	sf_doc_free(doc);
	free(v);
	return r;
}

/* ---- --verify ------------------------------------------------------------------------ */

/* Run the command again under the profile (with its base), as run --explain does; print the
 * verdict. Returns whether it passed. */
static bool verify(struct writer *w, const struct sf_profile *p, const char *path, char **cmd,
		   int code)
{
	struct sf_profile *m = NULL;
	const struct sf_profile *vp = p;
	struct sf_error err = { 0 };

	if (w->bp) {
		const struct sf_profile *in[2] = { w->bp, p };
		const char *files[2] = { w->base, "(the recording)" };
		if (sf_profile_merge(in, files, 2, &m, &err) < 0) {
			cli_print_error(&err);
			cli_err("record", "verify: FAILED: the profile cannot be combined with its base "
					  "%s to run the command",
				w->base);
			return false;
		}
		vp = m;
	}
	/* Calls the profile refuses on purpose, with a rule of its own (clone3 → ENOSYS). */
	const char **expected = calloc(1, sizeof(*expected));
	size_t ne = 0;
	uint32_t def = sf_action_ret(vp->default_action,
				     vp->has_default_errno ? vp->default_errno : EPERM);
	for (size_t i = 0; expected && i < vp->nrules; i++) {
		const struct sf_rule *r = &vp->rules[i];
		if (r->action == SF_ACT_ALLOW || r->action == SF_ACT_LOG ||
		    sf_action_ret(r->action, r->has_errno ? r->errno_ret : EPERM) == def)
			continue;
		const char **ne2 = reallocarray(expected, ne + r->nnames + 1, sizeof(*expected));
		if (!ne2)
			break;
		expected = ne2;
		for (size_t j = 0; j < r->nnames; j++)
			expected[ne++] = r->names[j];
		expected[ne] = NULL;
	}
	cli_err("record", "verify: running %s again under the recorded profile%s%s", cmd[0],
		w->bp ? " and its base " : "", w->bp ? w->base : "");
	size_t refused = 0;
	int again = run_explained(vp, path, cmd, expected, &refused);
	free(expected);
	sf_profile_free(m);
	bool ok = again == code && !refused;
	if (ok)
		cli_err("record", "verify: passed: exit status %d as when recorded, no call refused",
			again);
	else
		cli_err("record", "verify: FAILED: exit status %d (recorded: %d), %zu call%s refused "
				  "(listed above)",
			again, code, refused, refused == 1 ? "" : "s");
	return ok;
}

/* --base: the base profile and its policy; --merge: the profile to unite with, checked now
 * rather than after the command ran. Returns an exit status; errors printed. */
static int setup_base_merge(struct writer *w)
{
	struct target_opts t = { 0 };

	if (w->base) {
		if (target_load("record", w->base, &t, &w->bp) != EXIT_OK ||
		    target_policy("record", w->bp, &t, &w->bpol) != EXIT_OK)
			return EXIT_RUNNER;
		if (!w->base_name) {
			char stem[PATH_MAX];
			snprintf(stem, sizeof(stem), "%s", w->base[0] == '@' ? w->base + 1 : w->base);
			char *slash = strrchr(stem, '/'), *dot = strrchr(stem, '.');
			if (dot && dot > (slash ? slash : stem))
				*dot = 0;
			dns_name(stem, w->base_name_buf, sizeof(w->base_name_buf));
			w->base_name = w->base_name_buf;
		}
		snprintf(w->comment, sizeof(w->comment),
			 "recorded by sysfence: what the command needed beyond the base profile %s, "
			 "with which it is meant to be used (SPO baseProfileName; sysfence merge %s "
			 "THIS gives the whole profile)",
			 w->base, w->base);
	}
	if (w->merge_file && target_load("record", w->merge_file, &t, &w->merge) != EXIT_OK)
		return EXIT_RUNNER;
	/* What cannot be written (a --merge profile of another default, an errno SPO has no
	 * field for) is said before the command runs, from the profile of nothing recorded. */
	struct sf_profile *p = NULL;
	struct sf_error err = { 0 };
	struct sf_buf buf = { 0 };
	int r = build_profile(w, &p, &err) < 0 || serialize(w, p, &buf, &err) < 0;
	if (r)
		cli_print_error(&err);
	sf_buf_free(&buf);
	sf_profile_free(p);
	return r ? EXIT_RUNNER : EXIT_OK;
}

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "errno", required_argument, NULL, 'e' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "mechanism", required_argument, NULL, 'M' },
		{ "pid", required_argument, NULL, 'P' },
		{ "args", no_argument, NULL, 'a' },
		{ "args-max", required_argument, NULL, 'A' },
		{ "merge", required_argument, NULL, 'm' },
		{ "base", required_argument, NULL, 'b' },
		{ "base-name", required_argument, NULL, 'B' },
		{ "snapshot-every", required_argument, NULL, 's' },
		{ "report", no_argument, NULL, 'r' },
		{ "report-json", required_argument, NULL, 'j' },
		{ "verify", no_argument, NULL, 'V' },
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct writer w = { .errno_ret = EPERM };
	struct sf_record_opts ro = { 0 };
	unsigned tick_ms = 0;
	bool report_text = false, verify_after = false;
	const char *report_file = NULL;
	bool use_ptrace = false, notify_given = false;
	pid_t pid = 0;
	struct record_ptrace rp = { 0 };
	const char *output = NULL;
	bool verbose = false;
	int c;

	while ((c = getopt_long(argc, argv, "+o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "oci") == 0 || strcmp(optarg, "json") == 0)
				w.fmt = REC_OCI;
			else if (strcmp(optarg, "yaml") == 0)
				w.fmt = REC_YAML;
			else if (strcmp(optarg, "spo") == 0)
				w.fmt = REC_SPO;
			else
				return usage("--format is oci, yaml or spo, not '%s'", optarg);
			break;
		case 'a':
			ro.args = true;
			break;
		case 'A': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || v < 1 || v > 4096)
				return usage("--args-max takes a number from 1 to 4096, not '%s'", optarg);
			ro.args_max = (unsigned)v;
			ro.args = true;
			break;
		}
		case 'm':
			w.merge_file = optarg;
			break;
		case 'b':
			w.base = optarg;
			break;
		case 'B':
			w.base_name = optarg;
			break;
		case 's': {
			char *end;
			double v = strtod(optarg, &end);
			if (!*optarg || *end || !(v >= 0.01 && v <= 86400))
				return usage("--snapshot-every takes seconds (0.01 to 86400), not '%s'",
					     optarg);
			tick_ms = (unsigned)(v * 1000 + 0.5);
			break;
		}
		case 'r':
			report_text = true;
			break;
		case 'j':
			report_file = optarg;
			break;
		case 'V':
			verify_after = true;
			break;
		case 'n':
			if (!sf_k8s_valid_name(optarg))
				return usage("--name: '%s' is not a Kubernetes object name (lower-case "
					     "letters, digits, '-' and '.')",
					     optarg);
			w.name = optarg;
			break;
		case 'e': {
			char *end;
			long v = strtol(optarg, &end, 10);
			int e = *optarg && !*end ? (int)v : sf_errno_from_name(optarg);
			if (e <= 0 || e > 4095 || v < 0)
				return usage("--errno: '%s' is not an errno", optarg);
			w.errno_ret = (uint32_t)e;
			break;
		}
		case 'v':
			verbose = true;
			break;
		case 'M':
			if (strcmp(optarg, "ptrace") != 0 && strcmp(optarg, "notify") != 0)
				return usage("--mechanism is notify or ptrace, not '%s'", optarg);
			use_ptrace = strcmp(optarg, "ptrace") == 0;
			notify_given = !use_ptrace;
			break;
		case 'P':
			if (record_ptrace_parse_pid(optarg, &pid) < 0)
				return EXIT_RUNNER;
			break;
		case 'h':
			return cli_help("record");
		default:
			fprintf(stderr, "Try 'sysfence record --help'.\n");
			return EXIT_RUNNER;
		}
	}
	if (pid && notify_given)
		return usage("%s", "--pid attaches with ptrace: not with --mechanism notify");
	if (pid && optind < argc)
		return usage("%s", "either --pid PID or -- CMD, not both");
	if (!pid && optind >= argc)
		return usage("%s", "no command given (sysfence record -- CMD [ARGS...])");
	if (tick_ms && (!output || !strcmp(output, "-")))
		return usage("%s", "--snapshot-every writes to the file of -o FILE: give one");
	if (verify_after && pid)
		return usage("%s", "--verify runs the command again: not with --pid");
	if (w.base_name && !w.base)
		return usage("%s", "--base-name names the --base profile: give --base too");
	if (w.base_name && !sf_k8s_valid_name(w.base_name))
		return usage("--base-name: '%s' is not a Kubernetes object name", w.base_name);
	char **cmd = pid ? NULL : argv + optind;
	char path[PATH_MAX];
	int found = pid ? 0 : cli_find_command(cmd[0], path, sizeof(path));
	if (found) {
		cli_err("record", "%s: %s", cmd[0],
			found == EXIT_NOTFOUND ? "command not found" : "permission denied");
		return found;
	}

	int mode, nfilters;
	if (!use_ptrace && !pid && sf_seccomp_self(&mode, &nfilters) == 0 && nfilters > 0)
		cli_err("record",
			"notice: this process runs under %d seccomp filter%s already: calls %s "
			"refuses are refused before sysfence sees them (the stricter action wins) and "
			"are missing from the recording; --mechanism ptrace sees them (and marks them "
			"refused)",
			nfilters, nfilters == 1 ? "" : "s", nfilters == 1 ? "it" : "they");

	struct sf_recording *rec = sf_recording_new();
	struct sf_prog prog = { 0 };
	struct sf_error err = { 0 };
	struct sf_profile *p = NULL;
	struct sf_buf out = { 0 };
	int code = EXIT_RUNNER;

	if (!rec || sf_record_prog(&prog, &err) < 0) {
		cli_err("record", "out of memory");
		goto out;
	}
	w.rec = rec;
	w.rp = &rp;
	w.output = output;
	char name[64];
	if (!w.name) {
		char exe[PATH_MAX];
		if (pid)
			sf_proc_exe(pid, exe, sizeof(exe));
		dns_name(pid ? exe : cmd[0], name, sizeof(name));
		w.name = name;
	}
	if (setup_base_merge(&w) != EXIT_OK)
		goto out;
	ro.base = w.bpol;
	sf_recording_set_opts(rec, &ro);
	if (use_ptrace || pid) {
		rp.on_tick = on_tick; /* snapshots, as with the notify mechanism */
		rp.tick_ms = tick_ms;
		rp.on_signal = on_signal;
		rp.ctx = &w;
		/* Nothing recorded (ptrace refused, exec failed): no profile. */
		if (record_ptrace_run(&rp, rec, pid ? NULL : path, cmd, pid, &code) < 0)
			goto out;
		goto recorded;
	}
	struct notif_ctx nc = { rec, &w };
	struct sf_spawn sp = {
		.prog = &prog,
		.no_new_privs = true,
		.path = path,
		.argv = cmd,
		.envp = environ,
		.on_notif = on_notif_w,
		.ctx = &nc,
		.wait_all = true,
		.on_tick = tick_w,
		.tick_ms = tick_ms,
		.on_signal = signal_w,
	};
	struct sf_spawn_result res;
	int r = sf_spawn_supervised(&sp, &res, &err);
	if (r < 0) {
		cli_err("record", "%s", err.msg);
		code = res.exec_failed ? (r == -ENOENT || r == -ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC)
				       : EXIT_RUNNER;
		/* Nothing of the command's ran: no profile. */
		goto out;
	}
	code = cli_wait_status(res.status);
	if (res.detached)
		cli_err("record", "processes started by %s still run: they are no longer recorded",
			cmd[0]);
recorded:
	report(rec, verbose);
	if (write_profile(&w, &p) != EXIT_OK) {
		code = EXIT_RUNNER;
		goto out;
	}
	if (ro.args)
		args_notes(rec, ro.args_max ? ro.args_max : SF_RECORD_ARGS_MAX);
	if (w.bp) {
		base_notes(&w, p);
		if (w.fmt != REC_SPO)
			cli_err("record",
				"note: %s holds only what %s does not allow already: use the two "
				"together (sysfence merge %s %s writes the whole profile; an OCI "
				"profile has no base field, an SPO object has baseProfileName: "
				"--format spo)",
				output ? output : "the profile", w.base, w.base, output ? output : "FILE");
	}
	if (report_text)
		report_table(rec, w.bp != NULL, ro.args);
	if (report_file &&
	    report_json(rec, report_file, cmd, pid, code, w.bp != NULL, ro.args) != EXIT_OK)
		code = EXIT_RUNNER;
	if (verify_after && !verify(&w, p, path, cmd, code) && code == EXIT_OK)
		code = EXIT_FINDINGS;
out:
	sf_buf_free(&out);
	sf_profile_free(p);
	sf_prog_free(&prog);
	sf_recording_free(rec);
	record_ptrace_free(&rp);
	sf_policy_free(w.bpol);
	sf_profile_free(w.bp);
	sf_profile_free(w.merge);
	return code;
}
