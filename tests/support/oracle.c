/*
 * Test support: the libseccomp oracle (runc's InitSeccomp/matchCall, step by step, on libseccomp
 * 2.5), the seeded profile generator, and the differential helpers with their own vector set.
 * Nothing here reuses the compiler's reasoning: the vectors are derived from the profile alone.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "oracle.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define X32_BIT	      0x40000000u

static void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static bool host_big_endian(void)
{
	return __BYTE_ORDER == __BIG_ENDIAN;
}

/* ---------------------------------------------------------------------------------------------
 * (a) The oracle.
 */

uint32_t oracle_action(enum sf_action a, bool has_errno, uint32_t errno_ret)
{
	/* runc: SetReturnCode(int16(*errnoRet)), and libseccomp-golang keeps the low 16 bits. */
	uint32_t e = has_errno ? (errno_ret & 0xffffu) : EPERM;

	switch (a) {
	case SF_ACT_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case SF_ACT_KILL_THREAD:
	case SF_ACT_KILL:
		return SCMP_ACT_KILL_THREAD;
	case SF_ACT_TRAP:
		return SCMP_ACT_TRAP;
	case SF_ACT_ERRNO:
		return SCMP_ACT_ERRNO(e);
	case SF_ACT_NOTIFY:
		return SCMP_ACT_NOTIFY;
	case SF_ACT_TRACE:
		return SCMP_ACT_TRACE(e);
	case SF_ACT_LOG:
		return SCMP_ACT_LOG;
	case SF_ACT_ALLOW:
		return SCMP_ACT_ALLOW;
	case SF_ACT_INVALID:
		break;
	}
	return SCMP_ACT_KILL_PROCESS;
}

static uint32_t arch_token(const struct sf_arch *a)
{
	return a ? seccomp_arch_resolve_name(a->name) : 0;
}

static int add_arches(scmp_filter_ctx ctx, const struct sf_profile *p, const struct oracle_opts *o,
		      char *errbuf, size_t errlen)
{
	const uint32_t native = seccomp_arch_native();
	int rc;

	if (!o->arches || !o->narches) {
		/* runc: the native arch stays, the profile's are added (EEXIST tolerated). */
		for (size_t i = 0; i < p->narchitectures; i++) {
			const char *name = p->architectures[i];
			uint32_t tok = strcmp(name, "SCMP_ARCH_NATIVE") == 0
					   ? native
					   : arch_token(sf_arch_find(name));
			if (!tok) {
				say(errbuf, errlen,
				    "error validating Seccomp architecture: %s is not known to "
				    "libseccomp %u.%u",
				    name, seccomp_version()->major, seccomp_version()->minor);
				return -EINVAL;
			}
			rc = seccomp_arch_add(ctx, tok);
			if (rc < 0 && rc != -EEXIST) {
				say(errbuf, errlen,
				    "error adding architecture to seccomp filter: %s: %s", name,
				    strerror(-rc));
				return rc;
			}
		}
		return 0;
	}

	bool keep_native = false;
	for (size_t i = 0; i < o->narches; i++)
		keep_native |= arch_token(o->arches[i]) == native;
	/* First, so that an arch of the other byte order can be added (libseccomp: -EDOM). */
	if (!keep_native && (rc = seccomp_arch_remove(ctx, native)) < 0) {
		say(errbuf, errlen, "removing the native arch: %s", strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < o->narches; i++) {
		uint32_t tok = arch_token(o->arches[i]);
		if (!tok) {
			say(errbuf, errlen, "libseccomp %u.%u does not know the arch %s",
			    seccomp_version()->major, seccomp_version()->minor,
			    o->arches[i] ? o->arches[i]->name : "(null)");
			return -EOPNOTSUPP;
		}
		rc = seccomp_arch_add(ctx, tok);
		if (rc < 0 && rc != -EEXIST) {
			say(errbuf, errlen, "error adding architecture to seccomp filter: %s: %s",
			    o->arches[i]->name, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* One (rule, name) pair, as runc's matchCall adds it. */
static int add_call(scmp_filter_ctx ctx, const struct sf_rule *r, const char *name,
		    uint32_t def_ret, const struct oracle_opts *o, struct oracle_info *info,
		    char *errbuf, size_t errlen)
{
	struct scmp_arg_cmp conds[64];
	unsigned counts[6] = {0};
	bool repeated = false;
	uint32_t act;
	int nr, rc;

	if (!*name) {
		say(errbuf, errlen, "empty string is not a valid syscall");
		return -EINVAL;
	}
	if (r->action == SF_ACT_INVALID) {
		say(errbuf, errlen, "action in seccomp profile is invalid");
		return -EINVAL;
	}
	act = oracle_action(r->action, r->has_errno, r->errno_ret);
	if (act == def_ret) {
		info->skipped_default++;
		return 0;
	}
	nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR) {
		if (o->strict_unknown) {
			say(errbuf, errlen, "invalid seccomp syscall %s", name);
			return -ENOENT;
		}
		info->skipped_unknown++;
		return 0;
	}
	if (!r->nargs) {
		rc = seccomp_rule_add_array(ctx, act, nr, 0, NULL);
		if (rc < 0) {
			say(errbuf, errlen, "error adding seccomp filter rule for syscall %s: %s",
			    name, strerror(-rc));
			return rc;
		}
		info->added++;
		return 0;
	}
	if (r->nargs > ARRAY_SIZE(conds)) {
		say(errbuf, errlen, "%zu conditions: the oracle takes at most %zu", r->nargs,
		    ARRAY_SIZE(conds));
		return -E2BIG;
	}
	for (size_t k = 0; k < r->nargs; k++) {
		const struct sf_arg *a = &r->args[k];
		enum scmp_compare op = _SCMP_CMP_MIN;

		if (a->index > 5) {
			say(errbuf, errlen,
			    "error creating seccomp syscall condition for syscall %s: syscalls "
			    "only have up to 6 arguments",
			    name);
			return -EINVAL;
		}
		switch (a->op) {
		case SF_OP_NE:
			op = SCMP_CMP_NE;
			break;
		case SF_OP_LT:
			op = SCMP_CMP_LT;
			break;
		case SF_OP_LE:
			op = SCMP_CMP_LE;
			break;
		case SF_OP_EQ:
			op = SCMP_CMP_EQ;
			break;
		case SF_OP_GE:
			op = SCMP_CMP_GE;
			break;
		case SF_OP_GT:
			op = SCMP_CMP_GT;
			break;
		case SF_OP_MASKED_EQ:
			op = SCMP_CMP_MASKED_EQ;
			break;
		case SF_OP_INVALID:
			say(errbuf, errlen,
			    "error creating seccomp syscall condition for syscall %s: invalid "
			    "operator",
			    name);
			return -EINVAL;
		}
		/* runc: MakeCondition(index, op, value, valueTwo); for MASKED_EQ value is the
		 * mask (datum_a) and valueTwo the datum (datum_b). */
		conds[k] = (struct scmp_arg_cmp){a->index, op, a->value, a->value_two};
		repeated |= ++counts[a->index] > 1;
	}
	if (repeated) {
		/* runc's "old behavior": each condition its own rule, so the entry is an OR. */
		for (size_t k = 0; k < r->nargs; k++) {
			rc = seccomp_rule_add_array(ctx, act, nr, 1, &conds[k]);
			if (rc < 0) {
				say(errbuf, errlen, "error adding seccomp rule for syscall %s: %s",
				    name, strerror(-rc));
				return rc;
			}
			info->added++;
		}
		return 0;
	}
	rc = seccomp_rule_add_array(ctx, act, nr, (unsigned)r->nargs, conds);
	if (rc < 0) {
		say(errbuf, errlen, "error adding seccomp rule for syscall %s: %s", name,
		    strerror(-rc));
		return rc;
	}
	info->added++;
	return 0;
}

static int build_ctx(const struct sf_profile *p, const struct oracle_opts *o, scmp_filter_ctx *out,
		     struct oracle_info *info, char *errbuf, size_t errlen)
{
	scmp_filter_ctx ctx;
	size_t ncalls = 0;
	uint32_t def_ret;
	int rc;

	memset(info, 0, sizeof(*info));
	if (p->default_action == SF_ACT_INVALID) {
		say(errbuf, errlen, "error initializing seccomp - invalid default action");
		return -EINVAL;
	}
	if (p->default_action == SF_ACT_NOTIFY) {
		say(errbuf, errlen, "SCMP_ACT_NOTIFY cannot be used as default action");
		return -EINVAL;
	}
	def_ret = oracle_action(p->default_action, p->has_default_errno, p->default_errno);
	info->default_ret = def_ret;
	ctx = seccomp_init(def_ret);
	if (!ctx) {
		say(errbuf, errlen, "error creating filter: seccomp_init(%#x) failed", def_ret);
		return -EINVAL;
	}
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, o->bad_arch_ret)) < 0) {
		say(errbuf, errlen, "bad-arch action %#x: %s", o->bad_arch_ret, strerror(-rc));
		goto fail;
	}
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0) {
		say(errbuf, errlen, "error setting no new privileges: %s", strerror(-rc));
		goto fail;
	}
	if ((rc = add_arches(ctx, p, o, errbuf, errlen)) < 0)
		goto fail;

	/* runc counts its internal rules, one per (entry, name), skipped ones included. */
	for (size_t i = 0; i < p->nrules; i++)
		ncalls += p->rules[i].nnames;
	info->optimize = o->optimize ? o->optimize : ncalls > 32 ? 2 : 1;
	if (info->optimize != 1 &&
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)info->optimize)) < 0) {
		say(errbuf, errlen, "optimize level %d: %s", info->optimize, strerror(-rc));
		goto fail;
	}

	for (size_t i = 0; i < p->nrules; i++) {
		const struct sf_rule *r = &p->rules[i];
		for (size_t j = 0; j < r->nnames; j++) {
			rc = add_call(ctx, r, r->names[j], def_ret, o, info, errbuf, errlen);
			if (rc < 0)
				goto fail;
		}
	}
	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return rc;
}

/* Everything libseccomp wrote to fd, NUL-terminated. */
static int slurp_fd(int fd, char **data, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + got, (size_t)st.st_size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? -errno : -EIO;
			free(buf);
			return e;
		}
		got += (size_t)n;
	}
	buf[got] = 0;
	*data = buf;
	*len = got;
	return 0;
}

/* Build and export into fd: 0 or a negative errno with errbuf set. */
static int build_export(const struct sf_profile *p, const struct oracle_opts *o, bool pfc, int fd,
			struct oracle_info *info, char *errbuf, size_t errlen)
{
	scmp_filter_ctx ctx;
	int rc = build_ctx(p, o, &ctx, info, errbuf, errlen);

	if (rc < 0)
		return rc;
	rc = pfc ? seccomp_export_pfc(ctx, fd) : seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (rc < 0)
		say(errbuf, errlen, "seccomp_export_%s: %s", pfc ? "pfc" : "bpf", strerror(-rc));
	return rc < 0 ? rc : 0;
}

/*
 * The worker. libseccomp 2.5.4 can loop forever in seccomp_rule_add (see test-oracle.c), so a
 * build with a time limit runs in a helper process: a hang becomes -ETIMEDOUT (and a new helper
 * next time), a crash -ECHILD. One long-lived helper rather than a fork a build, since a fork of
 * a sanitized process costs milliseconds. It is forked from this process and talks over a socket
 * pair; the profile goes across in a small format of our own (the reader is not under test here).
 * The one piece of mutable global state of the test support: tests are single-threaded.
 */
static struct {
	pid_t pid;
	int fd;
} worker = {-1, -1};

struct wbuf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void put(struct wbuf *b, const void *x, size_t n)
{
	if (b->oom || n == 0)
		return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, x, n);
	b->n += n;
}

static void put_u32(struct wbuf *b, uint32_t v)
{
	put(b, &v, sizeof(v));
}

static void put_u64(struct wbuf *b, uint64_t v)
{
	put(b, &v, sizeof(v));
}

static void put_str(struct wbuf *b, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 0;

	put_u32(b, (uint32_t)n);
	put(b, s, n);
}

struct rbuf {
	const char *p;
	size_t n, off;
	bool bad;
};

static void get(struct rbuf *r, void *x, size_t n)
{
	if (r->bad || r->n - r->off < n) {
		r->bad = true;
		memset(x, 0, n);
		return;
	}
	memcpy(x, r->p + r->off, n);
	r->off += n;
}

static uint32_t get_u32(struct rbuf *r)
{
	uint32_t v;

	get(r, &v, sizeof(v));
	return v;
}

static uint64_t get_u64(struct rbuf *r)
{
	uint64_t v;

	get(r, &v, sizeof(v));
	return v;
}

/* A string of the buffer (NUL-terminated there), or "" when it is malformed. */
static const char *get_str(struct rbuf *r)
{
	uint32_t n = get_u32(r);
	const char *s;

	if (r->bad || n == 0 || r->n - r->off < n || r->p[r->off + n - 1] != 0) {
		r->bad = r->bad || n != 0;
		return "";
	}
	s = r->p + r->off;
	r->off += n;
	return s;
}

static void put_request(struct wbuf *b, const struct sf_profile *p, const struct oracle_opts *o,
			bool pfc)
{
	put_u32(b, pfc);
	put_u32(b, (uint32_t)o->optimize);
	put_u32(b, o->strict_unknown);
	put_u32(b, o->bad_arch_ret);
	put_u32(b, o->arches ? (uint32_t)o->narches : 0);
	for (size_t i = 0; o->arches && i < o->narches; i++)
		put_str(b, o->arches[i]->name);
	put_u32(b, p->default_action);
	put_u32(b, p->has_default_errno);
	put_u32(b, p->default_errno);
	put_u32(b, (uint32_t)p->narchitectures);
	for (size_t i = 0; i < p->narchitectures; i++)
		put_str(b, p->architectures[i]);
	put_u64(b, p->nrules);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sf_rule *r = &p->rules[i];
		put_u32(b, r->action);
		put_u32(b, r->has_errno);
		put_u32(b, r->errno_ret);
		put_u32(b, (uint32_t)r->nnames);
		for (size_t j = 0; j < r->nnames; j++)
			put_str(b, r->names[j]);
		put_u32(b, (uint32_t)r->nargs);
		for (size_t k = 0; k < r->nargs; k++) {
			put_u32(b, r->args[k].index);
			put_u32(b, r->args[k].op);
			put_u64(b, r->args[k].value);
			put_u64(b, r->args[k].value_two);
		}
	}
}

#define WORKER_MAX_ARCHES 64

/* The request back into a profile and options; NULL when malformed or out of memory. */
static struct sf_profile *get_request(struct rbuf *r, struct oracle_opts *o,
				      const struct sf_arch **arches, bool *pfc)
{
	struct sf_profile *p = sf_profile_new();
	uint32_t n;

	if (!p)
		return NULL;
	memset(o, 0, sizeof(*o));
	*pfc = get_u32(r);
	o->optimize = (int)get_u32(r);
	o->strict_unknown = get_u32(r);
	o->bad_arch_ret = get_u32(r);
	n = get_u32(r);
	if (n > WORKER_MAX_ARCHES)
		goto fail;
	for (uint32_t i = 0; i < n; i++)
		arches[i] = sf_arch_find(get_str(r));
	o->arches = n ? arches : NULL;
	o->narches = n;
	p->default_action = (enum sf_action)get_u32(r);
	p->has_default_errno = get_u32(r);
	p->default_errno = get_u32(r);
	n = get_u32(r);
	for (uint32_t i = 0; i < n && !r->bad; i++)
		if (sf_profile_add_arch(p, get_str(r)) < 0)
			goto fail;
	for (uint64_t i = 0, nrules = get_u64(r); i < nrules && !r->bad; i++) {
		struct sf_rule *rule = sf_profile_add_rule(p);
		if (!rule)
			goto fail;
		rule->action = (enum sf_action)get_u32(r);
		rule->has_errno = get_u32(r);
		rule->errno_ret = get_u32(r);
		n = get_u32(r);
		for (uint32_t j = 0; j < n && !r->bad; j++)
			if (sf_rule_add_name(p, rule, get_str(r)) < 0)
				goto fail;
		n = get_u32(r);
		for (uint32_t k = 0; k < n && !r->bad; k++) {
			struct sf_arg a = {0};
			a.index = get_u32(r);
			a.op = (enum sf_op)get_u32(r);
			a.value = get_u64(r);
			a.value_two = get_u64(r);
			if (sf_rule_add_arg(p, rule, &a) < 0)
				goto fail;
		}
	}
	for (size_t i = 0; i < o->narches; i++)
		if (!arches[i])
			goto fail;
	if (!r->bad)
		return p;
fail:
	sf_profile_free(p);
	return NULL;
}

static bool read_full(int fd, void *x, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t k = read(fd, (char *)x + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		got += (size_t)k;
	}
	return true;
}

static bool send_full(int fd, const void *x, size_t n)
{
	for (size_t sent = 0; sent < n;) {
		ssize_t k = send(fd, (const char *)x + sent, n - sent, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		sent += (size_t)k;
	}
	return true;
}

/* A length and the bytes. */
static bool send_msg(int fd, const struct wbuf *b)
{
	uint64_t n = b->n;

	return !b->oom && send_full(fd, &n, sizeof(n)) && send_full(fd, b->p, b->n);
}

static __attribute__((noreturn)) void worker_loop(int fd)
{
	/* The test framework's handlers would carry on running tests in this copy of the process;
	 * a crash must end it instead. */
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM, SIGTERM};
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], SIG_DFL);
	for (;;) {
		const struct sf_arch *arches[WORKER_MAX_ARCHES];
		struct oracle_info info = {0};
		struct oracle_opts o;
		struct wbuf out = {0};
		struct sf_profile *p;
		char err[512] = "malformed request", *data = NULL, *req;
		size_t dlen = 0;
		uint64_t len;
		bool pfc = false;
		int rc = -EPROTO;

		if (!read_full(fd, &len, sizeof(len)) || len > (1ULL << 32) || !(req = malloc(len)))
			_exit(0);
		if (!read_full(fd, req, len))
			_exit(0);
		struct rbuf r = {req, len, 0, false};
		p = get_request(&r, &o, arches, &pfc);
		if (p) {
			int mfd = memfd_create("oracle-worker", MFD_CLOEXEC);
			rc = mfd < 0 ? -errno
				     : build_export(p, &o, pfc, mfd, &info, err, sizeof(err));
			if (rc == 0 && (rc = slurp_fd(mfd, &data, &dlen)) < 0)
				snprintf(err, sizeof(err), "reading libseccomp's output: %s",
					 strerror(-rc));
			if (mfd >= 0)
				close(mfd);
			sf_profile_free(p);
		}
		free(req);
		put_u32(&out, (uint32_t)rc);
		put_u64(&out, info.added);
		put_u64(&out, info.skipped_unknown);
		put_u64(&out, info.skipped_default);
		put_u32(&out, (uint32_t)info.optimize);
		put_u32(&out, info.default_ret);
		put_str(&out, err);
		put_u64(&out, dlen);
		put(&out, data, dlen);
		free(data);
		if (!send_msg(fd, &out))
			_exit(0);
		free(out.p);
	}
}

static void worker_stop(void)
{
	if (worker.pid > 0) {
		kill(worker.pid, SIGKILL);
		while (waitpid(worker.pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (worker.fd >= 0)
		close(worker.fd);
	worker.pid = -1;
	worker.fd = -1;
}

static int worker_start(void)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = -errno;
		close(sv[0]);
		close(sv[1]);
		return e;
	}
	if (pid == 0) {
		close(sv[0]);
		worker_loop(sv[1]);
	}
	close(sv[1]);
	worker.pid = pid;
	worker.fd = sv[0];
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read n bytes before the deadline: 0, -ETIMEDOUT, or -ECHILD when the worker went away. */
static int recv_by(int fd, void *x, size_t n, int64_t deadline)
{
	for (size_t got = 0; got < n;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = deadline - now_ms();
		int k;

		if (left <= 0)
			return -ETIMEDOUT;
		k = poll(&pfd, 1, (int)(left > INT32_MAX ? INT32_MAX : left));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -ETIMEDOUT;
		ssize_t m = read(fd, (char *)x + got, n - got);
		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			return -ECHILD;
		got += (size_t)m;
	}
	return 0;
}

static int worker_build(const struct sf_profile *p, const struct oracle_opts *o, bool pfc,
			char **data, size_t *len, struct oracle_info *info, char *errbuf,
			size_t errlen)
{
	struct wbuf req = {0};
	char *resp = NULL;
	uint64_t n = 0;
	int64_t deadline;
	int rc;

	put_request(&req, p, o, pfc);
	if (req.oom) {
		free(req.p);
		return -ENOMEM;
	}
	/* A helper that died since the last build is replaced once. */
	for (int attempt = 0;; attempt++) {
		if (worker.pid < 0 && (rc = worker_start()) < 0) {
			say(errbuf, errlen, "starting the oracle's helper: %s", strerror(-rc));
			free(req.p);
			return rc;
		}
		if (send_msg(worker.fd, &req))
			break;
		worker_stop();
		if (attempt) {
			say(errbuf, errlen, "the oracle's helper does not take requests");
			free(req.p);
			return -ECHILD;
		}
	}
	free(req.p);
	deadline = now_ms() + o->timeout_ms;
	rc = recv_by(worker.fd, &n, sizeof(n), deadline);
	if (rc == 0 && (n > (1ULL << 32) || !(resp = malloc(n ? n : 1))))
		rc = -ENOMEM;
	if (rc == 0)
		rc = recv_by(worker.fd, resp, n, deadline);
	if (rc < 0) {
		int status = 0;
		if (rc == -ETIMEDOUT)
			say(errbuf, errlen,
			    "libseccomp did not finish building the filter in %d ms (runc would "
			    "hang)",
			    o->timeout_ms);
		else if (rc == -ECHILD && waitpid(worker.pid, &status, 0) == worker.pid)
			say(errbuf, errlen, "libseccomp crashed building the filter (%s %d)",
			    WIFSIGNALED(status) ? "signal" : "exit status",
			    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		else
			say(errbuf, errlen, "talking to the oracle's helper: %s", strerror(-rc));
		worker_stop();
		free(resp);
		return rc;
	}

	struct rbuf r = {resp, n, 0, false};
	rc = (int32_t)get_u32(&r);
	info->added = get_u64(&r);
	info->skipped_unknown = get_u64(&r);
	info->skipped_default = get_u64(&r);
	info->optimize = (int)get_u32(&r);
	info->default_ret = get_u32(&r);
	const char *err = get_str(&r);
	uint64_t dlen = get_u64(&r);
	if (r.bad || r.n - r.off != dlen) {
		say(errbuf, errlen, "a malformed answer from the oracle's helper");
		free(resp);
		worker_stop();
		return -EPROTO;
	}
	if (rc < 0) {
		say(errbuf, errlen, "%s", err);
	} else if (!(*data = malloc(dlen + 1))) {
		rc = -ENOMEM;
	} else {
		memcpy(*data, r.p + r.off, dlen);
		(*data)[dlen] = 0;
		*len = dlen;
	}
	free(resp);
	return rc;
}

/* The exported bytes (malloc'd, NUL-terminated) of the profile's filter. */
static int build_bytes(const struct sf_profile *p, const struct oracle_opts *o, bool pfc,
		       char **data, size_t *len, struct oracle_info *info, char *errbuf,
		       size_t errlen)
{
	int fd, rc;

	if (o->timeout_ms > 0)
		return worker_build(p, o, pfc, data, len, info, errbuf, errlen);
	fd = memfd_create(pfc ? "oracle-pfc" : "oracle-bpf", MFD_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		say(errbuf, errlen, "memfd_create: %s", strerror(-rc));
		return rc;
	}
	rc = build_export(p, o, pfc, fd, info, errbuf, errlen);
	if (rc == 0 && (rc = slurp_fd(fd, data, len)) < 0)
		say(errbuf, errlen, "reading libseccomp's output: %s", strerror(-rc));
	close(fd);
	return rc;
}

/* Whether ret is an action the filter was given: its default, bad-arch or a rule's. */
static bool known_action(const struct sf_profile *p, const struct oracle_opts *o, uint32_t ret)
{
	if (ret == o->bad_arch_ret ||
	    ret == oracle_action(p->default_action, p->has_default_errno, p->default_errno))
		return true;
	for (size_t i = 0; i < p->nrules; i++)
		if (ret ==
		    oracle_action(p->rules[i].action, p->rules[i].has_errno, p->rules[i].errno_ret))
			return true;
	return false;
}

/*
 * libseccomp writes the program in its arches' byte order (all alike, or -EDOM above); the
 * emulator wants the host's. 2.5.4 forgets to convert the value of the returns it inserts where a
 * jump would be longer than 255 (found on Docker's profile for s390x built on x86_64): a return
 * whose value is no action of the filter but whose swapped value is, is one of those.
 */
static void to_host_order(const struct sf_profile *p, const struct oracle_opts *o,
			  struct sf_prog *prog)
{
	for (size_t i = 0; i < prog->len; i++) {
		struct sock_filter *f = &prog->insns[i];
		f->code = __builtin_bswap16(f->code);
		f->k = __builtin_bswap32(f->k);
		if (f->code == (BPF_RET | BPF_K) && !known_action(p, o, f->k) &&
		    known_action(p, o, __builtin_bswap32(f->k)))
			f->k = __builtin_bswap32(f->k);
	}
}

int oracle_build_opts(const struct sf_profile *resolved, const struct oracle_opts *o,
		      struct sf_prog *out, struct oracle_info *info, char *errbuf, size_t errlen)
{
	static const struct oracle_opts none;
	struct oracle_info scratch;
	struct sf_error err;
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (!o)
		o = &none;
	say(errbuf, errlen, "no error");
	rc = build_bytes(resolved, o, false, &data, &len, info ? info : &scratch, errbuf, errlen);
	if (rc < 0)
		return rc;
	rc = sf_bpf_from_bytes(data, len, out, &err);
	free(data);
	if (rc < 0) {
		say(errbuf, errlen, "reading libseccomp's program back: %s", err.msg);
		return rc;
	}
	if (o->arches && o->narches && o->arches[0]->big_endian != host_big_endian())
		to_host_order(resolved, o, out);
	return 0;
}

int oracle_build(const struct sf_profile *resolved, const struct sf_arch *const *arches,
		 size_t narches, uint32_t bad_arch_ret, struct sf_prog *out, char *errbuf,
		 size_t errlen)
{
	struct oracle_opts o = {
	    .arches = arches,
	    .narches = narches,
	    .bad_arch_ret = bad_arch_ret,
	    .timeout_ms = ORACLE_TIMEOUT_MS,
	};
	return oracle_build_opts(resolved, &o, out, NULL, errbuf, errlen);
}

char *oracle_pfc(const struct sf_profile *resolved, const struct oracle_opts *o)
{
	static const struct oracle_opts none;
	struct oracle_info info;
	char *data = NULL;
	size_t len;

	if (build_bytes(resolved, o ? o : &none, true, &data, &len, &info, NULL, 0) < 0)
		return NULL;
	return data;
}

int oracle_syscall_nr(const struct sf_arch *arch, const char *name)
{
	uint32_t tok = arch_token(arch);

	return tok ? seccomp_syscall_resolve_name_arch(tok, name) : __NR_SCMP_ERROR;
}

bool oracle_table_agrees(const struct sf_arch *arch, const char *name)
{
	long ours = sf_syscall_nr(arch, name);
	int theirs = oracle_syscall_nr(arch, name);
	bool we_have = ours >= 0 || sf_syscall_multiplexed(arch, name, NULL, NULL);
	/* Pseudo numbers: -101..-120 socket calls, -201..-224 SysV IPC (reached through the
	 * multiplexer where the arch has one), -10001.. a syscall the arch does not have. */
	bool they_have = theirs >= 0 ||
			 (theirs <= -101 && theirs >= -120 && arch->socketcall_nr >= 0) ||
			 (theirs <= -201 && theirs >= -224 && arch->ipc_nr >= 0);

	if (we_have != they_have)
		return false;
	return ours < 0 || theirs < 0 || ours == theirs;
}

struct sf_profile *oracle_profile_common(const struct sf_profile *p,
					 const struct sf_arch *const *arches, size_t narches,
					 size_t *dropped)
{
	struct sf_profile *q = sf_profile_new();
	size_t n = 0;

	if (!q)
		return NULL;
	q->default_action = p->default_action;
	q->has_default_errno = p->has_default_errno;
	q->default_errno = p->default_errno;
	q->flags = p->flags;
	for (size_t i = 0; i < p->narchitectures; i++)
		if (sf_profile_add_arch(q, p->architectures[i]) < 0)
			goto fail;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sf_rule *r = &p->rules[i];
		struct sf_rule *c = sf_profile_add_rule(q);
		if (!c)
			goto fail;
		c->action = r->action;
		c->has_errno = r->has_errno;
		c->errno_ret = r->errno_ret;
		for (size_t j = 0; j < r->nnames; j++) {
			bool agree = true;
			for (size_t k = 0; k < narches && agree; k++)
				agree = oracle_table_agrees(arches[k], r->names[j]);
			if (!agree)
				n++;
			else if (sf_rule_add_name(q, c, r->names[j]) < 0)
				goto fail;
		}
		for (size_t k = 0; k < r->nargs; k++)
			if (sf_rule_add_arg(q, c, &r->args[k]) < 0)
				goto fail;
		if (!c->nnames)
			q->nrules--;
	}
	if (dropped)
		*dropped = n;
	return q;
fail:
	sf_profile_free(q);
	return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * (b) The generator.
 */

const char *const gen_vocab[] = {
    "read",	 "write",	 "openat", "close",    "personality", "socket",	    "ioctl",
    "prctl",	 "clone",	 "mmap",   "mprotect", "futex",	      "kill",	    "fcntl",
    "getppid",	 "mkdir",	 "getpid", "dup",      "uname",	      "setuid",	    "chdir",
    "umask",	 "connect",	 "munmap", "brk",      "madvise",     "exit_group", "pipe2",
    "nanosleep", "rt_sigaction", "getuid", "setgid",   "dup2",	      "access",	    "lseek",
    "fchmod",	 "sched_yield",	 "getcwd", "rename",   "rmdir",	      "unlink",	    "chmod",
    "wait4",	 "sysinfo",	 "setsid", "flock",    "fsync",	      "ftruncate",
};
const size_t gen_nvocab = ARRAY_SIZE(gen_vocab);

struct gen_opts gen_opts_default(void)
{
	return (struct gen_opts){
	    .min_rules = 1,
	    .max_rules = 8,
	    .max_names = 3,
	    .max_args = 3,
	};
}

uint64_t gen_rand(uint64_t *seed)
{
	uint64_t z = (*seed += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t gen_below(uint64_t *seed, uint32_t n)
{
	return n ? (uint32_t)(gen_rand(seed) % n) : 0;
}

uint64_t gen_value(uint64_t *seed)
{
	uint64_t v;

	switch (gen_below(seed, 16)) {
	case 0:
		v = 0;
		break;
	case 1:
		v = 1;
		break;
	case 2:
	case 3:
		v = 2 + gen_below(seed, 64);
		break;
	case 4:
		v = 0x7fffffffu;
		break;
	case 5:
		v = 0x80000000u;
		break;
	case 6:
		v = 0xffffffffu;
		break;
	case 7:
		v = 1ULL << 32;
		break;
	case 8:
		v = 1ULL << 63;
		break;
	case 9:
		v = UINT64_MAX;
		break;
	case 10:
		v = gen_rand(seed);
		break;
	case 11:
		v = (uint32_t)gen_rand(seed);
		break;
	case 12: /* a small value with something in the high word */
		v = ((uint64_t)(1 + gen_below(seed, 4)) << 32) | gen_below(seed, 64);
		break;
	case 13:
		v = ~(uint64_t)gen_below(seed, 64);
		break;
	case 14:
		v = 1ULL << gen_below(seed, 64);
		break;
	default:
		v = (1ULL << 32) - 1 - gen_below(seed, 4);
		break;
	}
	return v;
}

static uint64_t gen_mask(uint64_t *seed)
{
	switch (gen_below(seed, 11)) {
	case 0:
		return 0xff;
	case 9:
		return 0; /* matches everything or nothing */
	case 1:
		return 0xffffffffu;
	case 2:
		return 0xffffffff00000000ULL;
	case 3:
	case 4:
		return 1ULL << gen_below(seed, 64);
	case 5:
		return gen_rand(seed);
	case 6:
		return (uint32_t)gen_rand(seed);
	case 7:
		return UINT64_MAX;
	case 8:
		return 0x7e020000u; /* Docker's clone namespace mask */
	default:
		return (gen_rand(seed) & 0xf0f0f0f0f0f0f0f0ULL) | 0x100000001ULL;
	}
}

/*
 * libseccomp 2.5 refuses ERRNO data >= 4095 (seccomp_init and seccomp_rule_add give -EINVAL), so
 * runc fails such profiles; TRACE takes any 16 bits. Our reader refuses errnoRet above 4095 for
 * both. wild: values past those limits too, and past 16 bits (runc's int16 cast wraps them).
 */
static uint32_t gen_errno(uint64_t *seed, enum sf_action a, bool wild)
{
	static const uint32_t pick[] = {0, 1, 2, 13, 22, 38, 95, 4094};
	static const uint32_t wilder[] = {4095, 4096, 32767, 32768, 65535, 65536, 65537, 70000};

	if (wild && gen_below(seed, 3) == 0)
		return wilder[gen_below(seed, ARRAY_SIZE(wilder))];
	if (a == SF_ACT_TRACE && gen_below(seed, 8) == 0)
		return 4095;
	if (gen_below(seed, 3) == 0)
		return 1 + gen_below(seed, 133);
	return pick[gen_below(seed, ARRAY_SIZE(pick))];
}

struct outcome {
	enum sf_action a;
	bool has_errno;
	uint32_t e;
};

/* sf_profile_check's notion of "the same action": KILL is KILL_THREAD, errno as given (the
 * effective one, EPERM when absent) for the two that take one. */
static bool outcome_eq(const struct outcome *x, const struct outcome *y)
{
	enum sf_action a = x->a == SF_ACT_KILL ? SF_ACT_KILL_THREAD : x->a;
	enum sf_action b = y->a == SF_ACT_KILL ? SF_ACT_KILL_THREAD : y->a;

	if (a != b)
		return false;
	if (!sf_action_takes_errno(a))
		return true;
	return (x->has_errno ? x->e : EPERM) == (y->has_errno ? y->e : EPERM);
}

static struct outcome gen_outcome(uint64_t *seed, bool is_default, bool wild_errno)
{
	static const enum sf_action defaults[] = {
	    SF_ACT_ERRNO, SF_ACT_ERRNO, SF_ACT_KILL_PROCESS, SF_ACT_KILL_THREAD,
	    SF_ACT_TRAP,  SF_ACT_TRACE, SF_ACT_LOG,	     SF_ACT_ALLOW,
	};
	static const enum sf_action rules[] = {
	    SF_ACT_ALLOW,	SF_ACT_ALLOW, SF_ACT_ERRNO, SF_ACT_ERRNO, SF_ACT_KILL_PROCESS,
	    SF_ACT_KILL_THREAD, SF_ACT_KILL,  SF_ACT_TRAP,  SF_ACT_TRACE, SF_ACT_LOG,
	};
	struct outcome o = {0};

	o.a = is_default ? defaults[gen_below(seed, ARRAY_SIZE(defaults))]
			 : rules[gen_below(seed, ARRAY_SIZE(rules))];
	if (sf_action_takes_errno(o.a) && gen_below(seed, 2)) {
		o.has_errno = true;
		o.e = gen_errno(seed, o.a, wild_errno);
	}
	return o;
}

static int gen_arg(uint64_t *seed, struct sf_profile *p, struct sf_rule *r, unsigned index)
{
	struct sf_arg a = {.index = index, .op = (enum sf_op)(SF_OP_NE + gen_below(seed, 7))};

	if (a.op == SF_OP_MASKED_EQ) {
		a.value = gen_mask(seed);
		/* Mostly a datum the mask can produce; now and then one it cannot. */
		a.value_two = gen_below(seed, 6) ? gen_value(seed) & a.value : gen_value(seed);
	} else {
		a.value = gen_value(seed);
		/* valueTwo is ignored but for MASKED_EQ: give one now and then. */
		if (gen_below(seed, 10) == 0)
			a.value_two = gen_value(seed);
	}
	return sf_rule_add_arg(p, r, &a);
}

static int gen_args(uint64_t *seed, const struct gen_opts *o, struct sf_profile *p,
		    struct sf_rule *r, unsigned nargs)
{
	bool used[6] = {false};
	unsigned nused = 0;

	for (unsigned k = 0; k < nargs; k++) {
		unsigned idx;
		if (o->repeat_index && nused && gen_below(seed, 3) == 0) {
			/* An index this rule already compares. */
			unsigned pick = gen_below(seed, nused);
			for (idx = 0; idx < 6; idx++)
				if (used[idx] && pick-- == 0)
					break;
		} else {
			if (nused == 6)
				break;
			idx = gen_below(seed, 6);
			while (used[idx])
				idx = (idx + 1) % 6;
		}
		if (!used[idx]) {
			used[idx] = true;
			nused++;
		}
		if (gen_arg(seed, p, r, idx) < 0)
			return -ENOMEM;
	}
	return 0;
}

struct gen_state {
	const char *const *vocab;
	size_t nvocab;
	bool *named;		/* named by some rule so far */
	struct outcome *uncond; /* the first unconditional rule's outcome */
	bool *has_uncond;
};

static long vocab_index(const struct gen_state *s, const char *name)
{
	for (size_t i = 0; i < s->nvocab; i++)
		if (strcmp(s->vocab[i], name) == 0)
			return (long)i;
	return -1;
}

/* A name for rule r: fresh unless overlaps are allowed. -1 when none can be had. */
static long pick_name(uint64_t *seed, const struct gen_opts *o, struct gen_state *s,
		      const struct sf_rule *r, bool uncond, const struct outcome *oc)
{
	for (unsigned tries = 0; tries < 4 * s->nvocab; tries++) {
		long i = gen_below(seed, (uint32_t)s->nvocab);
		bool dup = false;

		/* Overlaps: half the time take a name an earlier rule has. */
		if (o->overlap && gen_below(seed, 2)) {
			long start = i;
			while (!s->named[i] && (i = (i + 1) % (long)s->nvocab) != start)
				;
		}
		if (s->named[i] && !o->overlap)
			continue;
		for (size_t j = 0; j < r->nnames && !dup; j++)
			dup = strcmp(r->names[j], s->vocab[i]) == 0;
		if (dup)
			continue;
		if (uncond && !o->conflicts && s->has_uncond[i] && !outcome_eq(&s->uncond[i], oc))
			continue;
		return i;
	}
	return -1;
}

static int gen_rule(uint64_t *seed, const struct gen_opts *o, struct gen_state *s,
		    struct sf_profile *p, const struct outcome *def)
{
	unsigned nnames = 1 + gen_below(seed, o->max_names ? o->max_names : 1);
	unsigned nargs = gen_below(seed, (o->max_args > 6 ? 6 : o->max_args) + 1);
	struct outcome oc = gen_outcome(seed, false, o->wild_errno);
	struct sf_rule *r;

	/* Now and then the default action itself: runc skips such rules. */
	if (gen_below(seed, 8) == 0)
		oc = *def;
	r = sf_profile_add_rule(p);
	if (!r)
		return -ENOMEM;
	r->action = oc.a;
	r->has_errno = oc.has_errno;
	r->errno_ret = oc.e;
	for (unsigned j = 0; j < nnames; j++) {
		char unknown[32];
		long i;

		if (o->unknown_names && gen_below(seed, 10) == 0) {
			snprintf(unknown, sizeof(unknown), "nosuchcall%u", gen_below(seed, 100));
			if (sf_rule_add_name(p, r, unknown) < 0)
				return -ENOMEM;
			continue;
		}
		i = pick_name(seed, o, s, r, nargs == 0, &oc);
		if (i < 0)
			break;
		if (sf_rule_add_name(p, r, s->vocab[i]) < 0)
			return -ENOMEM;
	}
	if (!r->nnames) {
		/* No name fits: make it a conditional rule, which never conflicts. */
		long i = pick_name(seed, o, s, r, false, &oc);
		if (i < 0 && !o->overlap) {
			p->nrules--; /* the vocabulary is used up */
			return 1;
		}
		if (i < 0)
			i = gen_below(seed, (uint32_t)s->nvocab);
		if (sf_rule_add_name(p, r, s->vocab[i]) < 0)
			return -ENOMEM;
		if (!nargs)
			nargs = 1;
	}
	for (size_t j = 0; j < r->nnames; j++) {
		long i = vocab_index(s, r->names[j]);
		if (i < 0)
			continue;
		s->named[i] = true;
		if (!nargs && !s->has_uncond[i]) {
			s->has_uncond[i] = true;
			s->uncond[i] = oc;
		}
	}
	return gen_args(seed, o, p, r, nargs);
}

struct sf_profile *gen_profile(uint64_t *seed, const struct gen_opts *opts)
{
	static const char *const arch_pool[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
						"SCMP_ARCH_X32"};
	struct gen_opts o = opts ? *opts : gen_opts_default();
	struct gen_state s = {0};
	struct sf_profile *p = sf_profile_new();
	struct outcome def;
	unsigned nrules;
	int rc = 0;

	if (!p)
		return NULL;
	s.vocab = o.vocab && o.nvocab ? o.vocab : gen_vocab;
	s.nvocab = o.vocab && o.nvocab ? o.nvocab : gen_nvocab;
	s.named = calloc(s.nvocab, sizeof(*s.named));
	s.has_uncond = calloc(s.nvocab, sizeof(*s.has_uncond));
	s.uncond = calloc(s.nvocab, sizeof(*s.uncond));
	if (!s.named || !s.has_uncond || !s.uncond)
		goto fail;

	def = gen_outcome(seed, true, o.wild_errno);
	p->default_action = def.a;
	p->has_default_errno = def.has_errno;
	p->default_errno = def.e;

	if (o.random_arches) {
		for (size_t i = 0; i < ARRAY_SIZE(arch_pool); i++)
			if (gen_below(seed, 2) && sf_profile_add_arch(p, arch_pool[i]) < 0)
				goto fail;
	} else {
		for (size_t i = 0; i < o.narches; i++)
			if (sf_profile_add_arch(p, o.arches[i]) < 0)
				goto fail;
	}

	if (o.min_rules < 1)
		o.min_rules = 1;
	if (o.max_rules < o.min_rules)
		o.max_rules = o.min_rules;
	nrules = o.min_rules + gen_below(seed, o.max_rules - o.min_rules + 1);
	for (unsigned i = 0; i < nrules && rc == 0; i++)
		rc = gen_rule(seed, &o, &s, p, &def);
	if (rc < 0)
		goto fail;
	free(s.named);
	free(s.has_uncond);
	free(s.uncond);
	return p;
fail:
	free(s.named);
	free(s.has_uncond);
	free(s.uncond);
	sf_profile_free(p);
	return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * (c) Differential testing.
 */

static uint64_t swap_halves(uint64_t v)
{
	return (v << 32) | (v >> 32);
}

void oracle_data(struct seccomp_data *d, const struct sf_arch *arch, uint32_t audit_arch, int nr,
		 const uint64_t args[6])
{
	bool swap = arch && arch->big_endian != host_big_endian();

	memset(d, 0, sizeof(*d));
	d->nr = nr;
	d->arch = audit_arch;
	for (unsigned i = 0; i < 6; i++) {
		uint64_t v = args ? args[i] : 0;
		d->args[i] = swap ? swap_halves(v) : v;
	}
}

uint64_t oracle_data_arg(const struct seccomp_data *d, const struct sf_arch *arch, unsigned i)
{
	bool swap = arch && arch->big_endian != host_big_endian();

	return swap ? swap_halves(d->args[i]) : d->args[i];
}

const char *oracle_describe(const struct seccomp_data *d, const struct sf_arch *arch, char *buf,
			    size_t size)
{
	const struct sf_arch *a =
	    arch && arch->audit_arch == d->arch ? arch : sf_arch_by_audit(d->arch);
	const char *name = NULL;
	size_t n;

	if (a && a->audit_arch == AUDIT_ARCH_X86_64 && ((uint32_t)d->nr & X32_BIT) &&
	    (uint32_t)d->nr != UINT32_MAX)
		a = sf_arch_find("x32");
	if (a)
		name = sf_syscall_name(a, d->nr);
	snprintf(buf, size, "%s(%#x) nr=%d%s%s%s args=[", a ? a->name : "foreign", d->arch, d->nr,
		 name ? " (" : "", name ? name : "", name ? ")" : "");
	for (unsigned i = 0; i < 6; i++) {
		n = strlen(buf);
		if (n + 1 >= size)
			break;
		snprintf(buf + n, size - n, "%s%#" PRIx64, i ? ", " : "",
			 oracle_data_arg(d, a ? a : arch, i));
	}
	n = strlen(buf);
	if (n + 1 < size)
		snprintf(buf + n, size - n, "]");
	return buf;
}

int run_both(const struct sf_prog *a, const struct sf_prog *b, const struct seccomp_data *d,
	     uint32_t *ra, uint32_t *rb, char *errbuf, size_t errlen)
{
	struct sf_error err;
	uint32_t x = 0, y = 0;
	int rc;

	if ((rc = sf_bpf_emulate(a->insns, a->len, d, &x, NULL, &err)) < 0) {
		say(errbuf, errlen, "program a: %s", err.msg);
		return rc;
	}
	if ((rc = sf_bpf_emulate(b->insns, b->len, d, &y, NULL, &err)) < 0) {
		say(errbuf, errlen, "program b: %s", err.msg);
		return rc;
	}
	if (ra)
		*ra = x;
	if (rb)
		*rb = y;
	return x != y;
}

/* The vector walk: one arch at a time. */
struct vw {
	const struct sf_arch *arch;
	unsigned flags;
	oracle_vec_fn fn;
	void *ctx;
};

static int emit(struct vw *w, uint32_t audit, uint32_t nr, const uint64_t args[6])
{
	uint64_t a[6] = {0};
	struct seccomp_data d;

	for (unsigned i = 0; i < 6 && args; i++)
		a[i] = (w->flags & ORACLE_VEC_TRUNC32) && w->arch->bits == 32 ? (uint32_t)args[i]
									      : args[i];
	oracle_data(&d, w->arch, audit, (int)nr, a);
	return w->fn(&d, w->arch, w->ctx);
}

/* A small set of distinct values. */
struct vset {
	uint64_t v[48];
	size_t n;
};

static void vs_add(struct vset *s, uint64_t v)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == v)
			return;
	if (s->n < ARRAY_SIZE(s->v))
		s->v[s->n++] = v;
}

static uint64_t lowest_bit(uint64_t m)
{
	return m & (~m + 1);
}

static uint64_t highest_bit(uint64_t m)
{
	return m ? 1ULL << (63 - __builtin_clzll(m)) : 0;
}

/* The values on either side of every edge one condition has. */
static void boundary_values(const struct sf_arg *a, struct vset *s)
{
	const uint64_t hi = 0xffffffff00000000ULL, lo = 0xffffffffULL;

	vs_add(s, 0);
	vs_add(s, UINT64_MAX);
	if (a->op == SF_OP_MASKED_EQ) {
		uint64_t m = a->value, dt = a->value_two;
		vs_add(s, dt);
		vs_add(s, dt | ~m); /* matches whenever dt is reachable */
		vs_add(s, dt ^ lowest_bit(m));
		vs_add(s, dt ^ highest_bit(m));
		vs_add(s, dt ^ lowest_bit(m & hi));
		vs_add(s, dt ^ lowest_bit(m & lo));
		vs_add(s, dt ^ (1ULL << 32));
		vs_add(s, dt & lo);
		vs_add(s, dt & hi);
		vs_add(s, m);
		vs_add(s, ~m);
		return;
	}
	uint64_t v = a->value;
	vs_add(s, v);
	vs_add(s, v - 1);
	vs_add(s, v + 1);
	vs_add(s, v ^ (1ULL << 32));
	vs_add(s, v & lo);
	vs_add(s, v & hi);
	vs_add(s, v | hi);
	vs_add(s, (v & hi) | ((v - 1) & lo)); /* the low word's edge with the high word kept */
	vs_add(s, (v & hi) | ((v + 1) & lo));
}

/* One value that meets the condition and one that misses it, as far as they exist. */
static void decisive_values(const struct sf_arg *a, struct vset *s)
{
	uint64_t v = a->value;

	switch (a->op) {
	case SF_OP_EQ:
	case SF_OP_NE:
	case SF_OP_LE:
		vs_add(s, v);
		vs_add(s, v + 1);
		break;
	case SF_OP_LT:
	case SF_OP_GE:
		vs_add(s, v);
		vs_add(s, v - 1);
		break;
	case SF_OP_GT:
		vs_add(s, v + 1);
		vs_add(s, v);
		break;
	case SF_OP_MASKED_EQ:
		vs_add(s, a->value_two);
		vs_add(s, a->value_two ^ (a->value ? lowest_bit(a->value) : 1));
		break;
	case SF_OP_INVALID:
		break;
	}
}

/* Call every combination of sets[i] for the indexes in idx, other arguments 0; at most cap
 * combinations (a seeded sample beyond that). For multiplexed targets, each also with a0 = call. */
struct target {
	uint32_t nr;
	bool mux;
	unsigned call;
};

static int emit_product(struct vw *w, const struct target *t, const struct vset sets[6], size_t cap,
			uint64_t sample_seed)
{
	size_t total = 1;
	int rc;

	for (unsigned i = 0; i < 6; i++)
		if (sets[i].n)
			total = total > SIZE_MAX / sets[i].n ? SIZE_MAX : total * sets[i].n;
	bool sample = total > cap;
	size_t count = sample ? cap : total;
	for (size_t c = 0; c < count; c++) {
		uint64_t args[6] = {0};
		size_t k = sample ? (size_t)gen_rand(&sample_seed) : c;
		for (unsigned i = 0; i < 6; i++)
			if (sets[i].n) {
				args[i] = sets[i].v[k % sets[i].n];
				k /= sets[i].n;
			}
		if ((rc = emit(w, w->arch->audit_arch, t->nr, args)))
			return rc;
		if (t->mux) {
			args[0] = t->call;
			if ((rc = emit(w, w->arch->audit_arch, t->nr, args)))
				return rc;
		}
	}
	return 0;
}

static size_t targets_of(const struct sf_arch *a, const char *name, struct target t[2])
{
	size_t n = 0;
	long nr = sf_syscall_nr(a, name), mux;
	unsigned call;

	if (nr >= 0)
		t[n++] = (struct target){(uint32_t)nr, false, 0};
	if (sf_syscall_multiplexed(a, name, &mux, &call))
		t[n++] = (struct target){(uint32_t)mux, true, call};
	return n;
}

#define RULE_CAP    4096
#define SYSCALL_CAP 4096

static int rule_vectors(struct vw *w, const struct sf_profile *p)
{
	int rc;

	/* Per rule: the cartesian product of its conditions' boundary values. */
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sf_rule *r = &p->rules[i];
		struct vset sets[6] = {0};

		for (size_t k = 0; k < r->nargs; k++)
			if (r->args[k].index < 6)
				boundary_values(&r->args[k], &sets[r->args[k].index]);
		for (size_t j = 0; j < r->nnames; j++) {
			struct target t[2];
			size_t nt = targets_of(w->arch, r->names[j], t);
			for (size_t x = 0; x < nt; x++)
				if ((rc = emit_product(w, &t[x], sets, RULE_CAP, i * 131 + j)))
					return rc;
		}
	}

	/* Per syscall: every rule's deciding values together, so that precedence shows. */
	for (size_t i = 0; i < p->nrules; i++) {
		for (size_t j = 0; j < p->rules[i].nnames; j++) {
			const char *name = p->rules[i].names[j];
			struct vset sets[6] = {0};
			bool first = true, any = false;

			/* Once per name: at its first mention. */
			for (size_t i2 = 0; i2 <= i && first; i2++)
				for (size_t j2 = 0; j2 < p->rules[i2].nnames && first; j2++)
					if ((i2 < i || j2 < j) &&
					    strcmp(p->rules[i2].names[j2], name) == 0)
						first = false;
			if (!first)
				continue;
			for (size_t i2 = i; i2 < p->nrules; i2++) {
				const struct sf_rule *r = &p->rules[i2];
				bool named = false;
				for (size_t j2 = 0; j2 < r->nnames && !named; j2++)
					named = strcmp(r->names[j2], name) == 0;
				if (!named)
					continue;
				for (size_t k = 0; k < r->nargs; k++)
					if (r->args[k].index < 6) {
						vs_add(&sets[r->args[k].index], 0);
						decisive_values(&r->args[k],
								&sets[r->args[k].index]);
						any = true;
					}
			}
			if (!any)
				continue;
			struct target t[2];
			size_t nt = targets_of(w->arch, name, t);
			for (size_t x = 0; x < nt; x++)
				if ((rc = emit_product(w, &t[x], sets, SYSCALL_CAP, i * 7919 + j)))
					return rc;
		}
	}
	return 0;
}

static int number_vectors(struct vw *w, const struct sf_arch *const *arches, size_t narches)
{
	const struct sf_arch *a = w->arch;
	const uint32_t audit = a->audit_arch;
	const bool x86_64_abi = audit == AUDIT_ARCH_X86_64;
	long max = sf_syscall_max_nr(a);
	int rc;

	if (!(w->flags & ORACLE_VEC_NO_TABLE))
		for (long nr = a->nr_offset; nr <= max + 3; nr++) {
			if ((rc = emit(w, audit, (uint32_t)nr, NULL)))
				return rc;
			/* The same numbers with and without the x32 bit. */
			if (x86_64_abi && (rc = emit(w, audit, (uint32_t)nr ^ X32_BIT, NULL)))
				return rc;
		}

	const uint32_t edges[] = {
	    0,
	    1,
	    a->nr_offset ? a->nr_offset - 1 : 0,
	    a->nr_offset,
	    (uint32_t)max,
	    (uint32_t)max + 1,
	    (uint32_t)max + 2,
	    (uint32_t)max + 1000,
	    X32_BIT - 1,
	    X32_BIT,
	    X32_BIT + 1,
	    X32_BIT | (uint32_t)max,
	    X32_BIT | ((uint32_t)max + 1),
	    0x7fffffffu,
	    0x80000000u,
	    0xfffffffeu,
	    0xffffffffu,    /* -1: libseccomp lets it through the x32 filter */
	    (uint32_t)-101, /* libseccomp's pseudo numbers */
	    (uint32_t)-10060,
	    0x0000ffffu,
	    0x00010000u,
	};
	for (size_t i = 0; i < ARRAY_SIZE(edges); i++)
		if ((rc = emit(w, audit, edges[i], NULL)))
			return rc;

	/* Foreign architectures: every other one we know (unless listed), and a nonsense one. */
	uint32_t foreign[64];
	size_t nforeign = 0;
	foreign[nforeign++] = 0;
	foreign[nforeign++] = audit ^ 0x80000000u; /* the other word size */
	for (size_t i = 0; i < sf_arch_count() && nforeign < ARRAY_SIZE(foreign); i++) {
		uint32_t fa = sf_arch_at(i)->audit_arch;
		bool listed = false, seen = false;
		for (size_t k = 0; k < narches; k++)
			listed |= arches[k]->audit_arch == fa;
		for (size_t k = 0; k < nforeign; k++)
			seen |= foreign[k] == fa;
		if (!listed && !seen)
			foreign[nforeign++] = fa;
	}
	for (size_t i = 0; i < nforeign; i++) {
		bool listed = false;
		for (size_t k = 0; k < narches; k++)
			listed |= arches[k]->audit_arch == foreign[i];
		if (listed)
			continue;
		const uint32_t nrs[] = {0, 1, 3, (uint32_t)max, X32_BIT, 0xffffffffu};
		for (size_t k = 0; k < ARRAY_SIZE(nrs); k++)
			if ((rc = emit(w, foreign[i], nrs[k], NULL)))
				return rc;
	}
	return 0;
}

int oracle_vectors(const struct sf_profile *p, const struct sf_arch *const *arches, size_t narches,
		   unsigned flags, oracle_vec_fn fn, void *ctx)
{
	const struct sf_arch *native[1] = {sf_arch_native()};
	int rc;

	if (!arches || !narches) {
		arches = native;
		narches = 1;
	}
	for (size_t i = 0; i < narches; i++) {
		struct vw w = {.arch = arches[i], .flags = flags, .fn = fn, .ctx = ctx};
		if ((rc = number_vectors(&w, arches, narches)))
			return rc;
		if ((rc = rule_vectors(&w, p)))
			return rc;
	}
	return 0;
}

struct diff_ctx {
	const struct sf_prog *a, *b;
	struct oracle_diff *res;
};

static int diff_one(const struct seccomp_data *d, const struct sf_arch *arch, void *ctx)
{
	struct diff_ctx *c = ctx;
	struct oracle_diff *res = c->res;
	char in[256], ra[48], rb[48];
	int rc;

	rc = run_both(c->a, c->b, d, &res->ra, &res->rb, res->msg, sizeof(res->msg));
	if (rc < 0) {
		res->d = *d;
		res->arch = arch;
		return rc;
	}
	res->checked++;
	if (rc == 0)
		return 0;
	res->differ = true;
	res->d = *d;
	res->arch = arch;
	snprintf(res->msg, sizeof(res->msg), "%s: a gives %s, b gives %s",
		 oracle_describe(d, arch, in, sizeof(in)), sf_ret_describe(res->ra, ra, sizeof(ra)),
		 sf_ret_describe(res->rb, rb, sizeof(rb)));
	return 1;
}

int oracle_diff_progs(const struct sf_prog *a, const struct sf_prog *b, const struct sf_profile *p,
		      const struct sf_arch *const *arches, size_t narches, unsigned flags,
		      struct oracle_diff *res)
{
	struct diff_ctx c = {a, b, res};

	memset(res, 0, sizeof(*res));
	return oracle_vectors(p, arches, narches, flags, diff_one, &c);
}
