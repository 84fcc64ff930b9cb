/*
 * The ptrace recorder: every syscall-entry stop of a command, or of a running process, its
 * threads and descendants, counted in the recording the notify mechanism fills. The kernel
 * reports the entry stop before the thread's filters run (syscall_trace_enter: ptrace, then
 * seccomp), so calls those filters refuse are seen, and marked when it can be known.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sysfence/enforce.h>
#include <sysfence/inspect.h>
#include <sysfence/record.h>

#include "util/util.h"

#define X32_BIT 0x40000000
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of the SIGSYS a SECCOMP_RET_TRAP sends */
#endif
/* --pid: rounds of walking the tree until no new thread or process appears. */
#define ATTACH_ROUNDS 50
#define ATTACH_DEPTH  512

/* The filters stacked on a thread, shared by the threads and children that inherited them. */
struct chain {
	unsigned refs;
	bool strict;	       /* SECCOMP_MODE_STRICT: read, write, exit, sigreturn only */
	bool unreadable;       /* filter mode, but the filters could not be read */
	struct sf_prog *progs; /* oldest first, as PTRACE_SECCOMP_GET_FILTER numbers them */
	size_t n;
};

struct tracee {
	pid_t tid;	     /* 0: a free slot */
	pid_t tgid;	     /* 0 until needed */
	struct chain *chain; /* NULL: no filter (or not known yet: chain_known) */
	bool chain_known;
	bool chain_stale; /* a TSYNC filter was installed by another thread: read it again */
	bool in_syscall;  /* between an entry stop and its exit stop */
	bool rolled_back; /* the last stop was an exit whose value is the call's number */
	bool installs;	  /* the call in progress may install a filter ... */
	bool tsync;	  /* ... on every thread of the process */
	struct seccomp_data entry; /* the call at the last entry stop */
};

/* Open addressing keyed by tid; deletion shifts back, so there are no tombstones. */
struct table {
	struct tracee *v;
	size_t cap, n;
};

struct abi_nrs {
	uint32_t audit;
	long seccomp[2], prctl[2]; /* the ABI's, and x32's on x86_64 */
};

struct tracer {
	struct sf_recording *rec, *refused;
	const struct sf_ptrace_opts *o;
	struct sf_ptrace_result *res;
	struct table t;
	pid_t cmd;    /* the command, or 0 (--pid) */
	bool started; /* calls are recorded (a command's from its exec on) */
	bool detaching;
	bool cmd_reaped;
	bool stop; /* detach from what remains once the command is reaped */
	int signals;
	const struct sf_arch *x86_64, *x32;
	struct abi_nrs nrs[4];
	size_t nnrs;
};

/* ---- the table of tracees ---- */

static size_t slot_of(const struct table *t, pid_t tid)
{
	return ((size_t)(uint32_t)tid * 2654435761u) & (t->cap - 1);
}

static struct tracee *t_find(struct table *t, pid_t tid)
{
	if (!t->cap)
		return NULL;
	for (size_t i = slot_of(t, tid);; i = (i + 1) & (t->cap - 1)) {
		if (t->v[i].tid == tid)
			return &t->v[i];
		if (!t->v[i].tid)
			return NULL;
	}
}

/* The tracee for tid, added (zeroed) when absent. Pointers into the table are invalidated. */
static struct tracee *t_add(struct table *t, pid_t tid)
{
	struct tracee *e = t_find(t, tid);
	if (e)
		return e;
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct tracee *v = calloc(cap, sizeof(*v)), *old = t->v;
		if (!v)
			return NULL;
		size_t oldcap = t->cap;
		t->v = v;
		t->cap = cap;
		for (size_t i = 0; i < oldcap; i++) {
			if (!old[i].tid)
				continue;
			size_t k = slot_of(t, old[i].tid);
			while (t->v[k].tid)
				k = (k + 1) & (cap - 1);
			t->v[k] = old[i];
		}
		free(old);
	}
	size_t k = slot_of(t, tid);
	while (t->v[k].tid)
		k = (k + 1) & (t->cap - 1);
	memset(&t->v[k], 0, sizeof(t->v[k]));
	t->v[k].tid = tid;
	t->n++;
	return &t->v[k];
}

static void chain_put(struct chain *c)
{
	if (c && --c->refs == 0) {
		sf_filters_free(c->progs, c->n);
		free(c);
	}
}

static struct chain *chain_get(struct chain *c)
{
	if (c)
		c->refs++;
	return c;
}

static void t_del(struct table *t, struct tracee *e)
{
	size_t i = (size_t)(e - t->v), mask = t->cap - 1;
	chain_put(e->chain);
	memset(e, 0, sizeof(*e));
	t->n--;
	/* Move back the entries that probed past the freed slot. */
	for (size_t j = (i + 1) & mask; t->v[j].tid; j = (j + 1) & mask) {
		size_t home = slot_of(t, t->v[j].tid);
		bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (between)
			continue;
		t->v[i] = t->v[j];
		memset(&t->v[j], 0, sizeof(t->v[j]));
		i = j;
	}
}

static void t_free(struct table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->v[i].tid)
			chain_put(t->v[i].chain);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* ---- the filters already on a thread ---- */

/*
 * Read the filters of a stopped tracee. NULL when it has none; a chain marked unreadable when
 * it has some that cannot be read (no CAP_SYS_ADMIN, the tracer under seccomp itself, no
 * CONFIG_CHECKPOINT_RESTORE): *why gets -errno then.
 */
static struct chain *chain_read(pid_t tid, int *why, bool *enomem)
{
	int mode = 0, nf = -1;
	if (sf_proc_seccomp(tid, &mode, &nf, NULL, NULL) < 0 || mode <= 0)
		return NULL;
	struct chain *c = calloc(1, sizeof(*c));
	if (!c) {
		*enomem = true;
		return NULL;
	}
	c->refs = 1;
	if (mode == 1) {
		c->strict = true;
		return c;
	}
	for (unsigned long i = 0;; i++) {
		errno = 0;
		long len = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)i, NULL);
		if (len < 0) {
			if (errno == ENOENT && i > 0)
				break;
			/* EACCES: no CAP_SYS_ADMIN, or we run under seccomp ourselves; EINVAL:
			 * no CONFIG_CHECKPOINT_RESTORE; EMEDIUMTYPE: not classic BPF. */
			*why = -(errno ? errno : EIO);
			c->unreadable = true;
			break;
		}
		struct sf_prog *v = reallocarray(c->progs, c->n + 1, sizeof(*v));
		if (!v)
			goto nomem;
		c->progs = v;
		c->progs[c->n].len = 0;
		c->progs[c->n].insns =
		    calloc((size_t)len ? (size_t)len : 1, sizeof(struct sock_filter));
		if (!c->progs[c->n].insns)
			goto nomem;
		c->n++;
		long got =
		    ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)i, c->progs[c->n - 1].insns);
		if (got != len) {
			*why = -(errno ? errno : EIO);
			c->unreadable = true;
			break;
		}
		c->progs[c->n - 1].len = (size_t)len;
	}
	if (c->unreadable) {
		sf_filters_free(c->progs, c->n);
		c->progs = NULL;
		c->n = 0;
	}
	return c;
nomem:
	*enomem = true;
	chain_put(c);
	return NULL;
}

enum verdict {
	V_RUNS,
	V_REFUSED,
	V_NOTIFIED, /* another supervisor decides */
	V_UNKNOWN,
};

static bool strict_allows(const struct tracer *tr, const struct seccomp_data *d)
{
	static const char *const ok[] = { "read", "write", "exit", "rt_sigreturn", "sigreturn" };
	const struct sf_arch *a = sf_arch_by_audit(d->arch);
	if (a && a == tr->x86_64 && tr->x32 && (d->nr & X32_BIT))
		a = tr->x32;
	const char *name = a ? sf_syscall_name(a, d->nr) : NULL;
	for (size_t i = 0; name && i < SF_ARRAY_SIZE(ok); i++)
		if (strcmp(name, ok[i]) == 0)
			return true;
	return false;
}

static enum verdict judge(const struct tracer *tr, const struct chain *c,
			  const struct seccomp_data *d)
{
	uint32_t ret;
	if (!c)
		return V_RUNS;
	if (c->unreadable)
		return V_UNKNOWN;
	if (c->strict)
		return strict_allows(tr, d) ? V_RUNS : V_REFUSED;
	if (sf_filters_eval(c->progs, c->n, d, &ret, NULL) < 0)
		return V_UNKNOWN;
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return V_RUNS;
	case SECCOMP_RET_USER_NOTIF:
		return V_NOTIFIED;
	default: /* KILL_*, TRAP, ERRNO; TRACE gives ENOSYS (we do not ask for seccomp stops) */
		return V_REFUSED;
	}
}

/* The numbers of seccomp and prctl in d's ABI (and x32's), found once per ABI. */
static const struct abi_nrs *abi_nrs(struct tracer *tr, uint32_t audit)
{
	for (size_t i = 0; i < tr->nnrs; i++)
		if (tr->nrs[i].audit == audit)
			return &tr->nrs[i];
	if (tr->nnrs == SF_ARRAY_SIZE(tr->nrs))
		return NULL;
	struct abi_nrs *n = &tr->nrs[tr->nnrs++];
	const struct sf_arch *a = sf_arch_by_audit(audit);
	n->audit = audit;
	n->seccomp[0] = a ? sf_syscall_nr(a, "seccomp") : -1;
	n->prctl[0] = a ? sf_syscall_nr(a, "prctl") : -1;
	bool x32 = a && a == tr->x86_64 && tr->x32;
	n->seccomp[1] = x32 ? sf_syscall_nr(tr->x32, "seccomp") : -1;
	n->prctl[1] = x32 ? sf_syscall_nr(tr->x32, "prctl") : -1;
	return n;
}

/* Whether the call may stack a filter (checked again at its exit: only success counts), and
 * on every thread of the process (SECCOMP_FILTER_FLAG_TSYNC). */
static bool may_install(struct tracer *tr, const struct seccomp_data *d, bool *tsync)
{
	const struct abi_nrs *n = abi_nrs(tr, d->arch);
	*tsync = false;
	if (!n)
		return false;
	for (int k = 0; k < 2; k++) {
		if (n->seccomp[k] >= 0 && d->nr == n->seccomp[k]) {
			*tsync = d->args[0] == SECCOMP_SET_MODE_FILTER &&
				 (d->args[1] & SECCOMP_FILTER_FLAG_TSYNC);
			return d->args[0] == SECCOMP_SET_MODE_STRICT ||
			       d->args[0] == SECCOMP_SET_MODE_FILTER;
		}
		if (n->prctl[k] >= 0 && d->nr == n->prctl[k])
			return d->args[0] == PR_SET_SECCOMP;
	}
	return false;
}

static void refresh_chain(struct tracer *tr, struct tracee *e)
{
	int why = 0;
	bool enomem = false;
	struct chain *c = chain_read(e->tid, &why, &enomem);
	chain_put(e->chain);
	e->chain = c;
	e->chain_known = !enomem;
	e->chain_stale = false;
	if (c) {
		tr->res->filtered = true;
		if (c->unreadable && !tr->res->filters_unreadable)
			tr->res->filters_unreadable = why ? why : -EIO;
	}
}

static void mark_refused(struct tracer *tr, const struct seccomp_data *d, pid_t tid)
{
	tr->res->refused++;
	if (tr->refused)
		sf_recording_add(tr->refused, d, tid);
}

/* ---- stops ---- */

static void resume(pid_t tid, enum __ptrace_request req, int sig)
{
	/* ESRCH: killed meanwhile; its exit is reported next. */
	ptrace(req, tid, NULL, (void *)(long)sig);
}

static void syscall_stop(struct tracer *tr, struct tracee *e)
{
	struct __ptrace_syscall_info info;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, e->tid, (void *)sizeof(info), &info) <= 0)
		return;
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		struct seccomp_data *d = &e->entry;
		d->nr = (int)info.entry.nr;
		d->arch = info.arch;
		d->instruction_pointer = info.instruction_pointer;
		memcpy(d->args, info.entry.args, sizeof(d->args));
		e->in_syscall = true;
		e->rolled_back = false;
		if (!tr->started)
			return;
		if (e->chain_stale)
			refresh_chain(tr, e);
		sf_recording_add(tr->rec, d, e->tid);
		e->installs = may_install(tr, d, &e->tsync);
		switch (judge(tr, e->chain, d)) {
		case V_REFUSED:
			mark_refused(tr, d, e->tid);
			break;
		case V_NOTIFIED:
			tr->res->notified++;
			break;
		default:
			break;
		}
	} else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
		bool was = e->in_syscall;
		e->in_syscall = false;
		/* A call a filter kills or traps is rolled back: it "returns" its own number. */
		e->rolled_back = was && !info.exit.is_error && info.exit.rval == e->entry.nr;
		if (was && e->installs && !info.exit.is_error) {
			refresh_chain(tr, e);
			/* TSYNC gave the filter to every thread of the process. */
			if (e->tsync) {
				pid_t tgid = sf_proc_tgid(e->tid);
				for (size_t i = 0; i < tr->t.cap; i++) {
					struct tracee *o = &tr->t.v[i];
					if (!o->tid || o == e)
						continue;
					if (!o->tgid)
						o->tgid = sf_proc_tgid(o->tid);
					if (o->tgid == tgid)
						o->chain_stale = true;
				}
			}
		}
		e->installs = false;
	}
}

/* A SIGSYS from SECCOMP_RET_TRAP names the refused call (when filters cannot be read). */
static void signal_stop(struct tracer *tr, struct tracee *e, int sig)
{
	siginfo_t si;
	if (sig != SIGSYS || !tr->started || !e->chain || !e->chain->unreadable)
		return;
	if (ptrace(PTRACE_GETSIGINFO, e->tid, NULL, &si) < 0 || si.si_code != SYS_SECCOMP)
		return;
	struct seccomp_data d = { .nr = si.si_syscall, .arch = si.si_arch };
	mark_refused(tr, &d, e->tid);
	e->rolled_back = false; /* counted */
}

static void exit_event(struct tracer *tr, struct tracee *e)
{
	unsigned long st = 0;
	if (ptrace(PTRACE_GETEVENTMSG, e->tid, NULL, &st) < 0)
		return;
	/* Killed by SIGSYS right after a call that came back with its own number: a filter's
	 * KILL (the kernel rolled the call back). Known filters were judged at the entry. */
	if (tr->started && e->rolled_back && e->chain && e->chain->unreadable &&
	    WIFSIGNALED((int)st) && WTERMSIG((int)st) == SIGSYS)
		mark_refused(tr, &e->entry, e->tid);
	e->rolled_back = false;
}

/* A new thread or process: it inherits its parent's filters. */
static int new_child(struct tracer *tr, pid_t parent)
{
	unsigned long msg = 0;
	if (ptrace(PTRACE_GETEVENTMSG, parent, NULL, &msg) < 0 || msg == 0)
		return 0;
	struct tracee *p = t_find(&tr->t, parent);
	struct chain *c = p ? chain_get(p->chain) : NULL;
	bool known = p && p->chain_known && !p->chain_stale;
	struct tracee *ch = t_add(&tr->t, (pid_t)msg);
	if (!ch) {
		chain_put(c);
		return -ENOMEM;
	}
	/* Its first stop may have come first: then its filters were read already. */
	if (ch->chain_known || !known) {
		chain_put(c);
		return 0;
	}
	ch->chain = c;
	ch->chain_known = true;
	return 0;
}

/* execve by a thread that is not the leader: it takes the leader's tid; its old tid is gone
 * without a report. */
static void exec_event(struct tracer *tr, struct tracee **ep)
{
	struct tracee *e = *ep;
	unsigned long former = 0;
	pid_t tid = e->tid;
	if (ptrace(PTRACE_GETEVENTMSG, tid, NULL, &former) == 0 && former && (pid_t)former != tid) {
		struct tracee *f = t_find(&tr->t, (pid_t)former);
		if (f) {
			struct tracee copy = *f;
			f->chain = NULL;
			t_del(&tr->t, f);
			e = t_find(&tr->t, tid);
			chain_put(e->chain);
			copy.tid = tid;
			*e = copy;
		}
	}
	e->tgid = tid;
	if (!tr->started && tid == tr->cmd) {
		/* The command runs: record from here on, under the filters it started with. */
		tr->started = true;
		refresh_chain(tr, e);
	}
	*ep = e;
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* While detaching: let go of a tracee at its stop, giving back a signal it was to receive. */
static int detach_stop(struct tracer *tr, pid_t tid, int st)
{
	int sig = WSTOPSIG(st), event = (unsigned)st >> 16;
	if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
	    event == PTRACE_EVENT_CLONE) {
		/* The new one stops too, attached: wait for it and detach it as well. */
		if (new_child(tr, tid) < 0)
			return -ENOMEM;
	} else if (event == PTRACE_EVENT_EXEC) {
		struct tracee *e = t_find(&tr->t, tid);
		if (e)
			exec_event(tr, &e);
	}
	int give = event == 0 && sig != (SIGTRAP | 0x80) ? sig : 0;
	if (ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)give) < 0 && errno == ESRCH)
		return 0; /* dying: its exit report removes it */
	struct tracee *e = t_find(&tr->t, tid);
	if (e)
		t_del(&tr->t, e);
	tr->res->detached = true;
	return 0;
}

static int handle(struct tracer *tr, pid_t tid, int st)
{
	struct tracee *e = t_find(&tr->t, tid);

	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		if (tid == tr->cmd) {
			tr->res->status = st;
			tr->cmd_reaped = true;
		}
		if (e)
			t_del(&tr->t, e);
		return 0;
	}
	if (!WIFSTOPPED(st))
		return 0;
	if (!e && !(e = t_add(&tr->t, tid))) /* a new one, reporting before its parent did */
		return -ENOMEM;
	if (tr->detaching)
		return detach_stop(tr, tid, st);

	int sig = WSTOPSIG(st), event = (unsigned)st >> 16;
	if (tr->started && (!e->chain_known || e->chain_stale))
		refresh_chain(tr, e);
	if (sig == (SIGTRAP | 0x80)) {
		syscall_stop(tr, e);
		resume(tid, PTRACE_SYSCALL, 0);
		return 0;
	}
	switch (event) {
	case 0: /* signal-delivery stop: the signal goes on to the tracee */
		signal_stop(tr, e, sig);
		resume(tid, PTRACE_SYSCALL, sig);
		return 0;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE: {
		int r = new_child(tr, tid);
		resume(tid, PTRACE_SYSCALL, 0);
		return r;
	}
	case PTRACE_EVENT_EXEC:
		exec_event(tr, &e);
		resume(tid, PTRACE_SYSCALL, 0);
		return 0;
	case PTRACE_EVENT_EXIT:
		exit_event(tr, e);
		resume(tid, PTRACE_SYSCALL, 0);
		return 0;
	case PTRACE_EVENT_STOP:
		/* A group-stop (stopped by SIGSTOP and the like) stays stopped until SIGCONT
		 * without being resumed; anything else (our interrupt, a new tracee's first
		 * stop, the wake-up after SIGCONT) goes on. */
		resume(tid, is_stop_signal(sig) ? PTRACE_LISTEN : PTRACE_SYSCALL, 0);
		return 0;
	default:
		resume(tid, PTRACE_SYSCALL, 0);
		return 0;
	}
}

static void begin_detach(struct tracer *tr)
{
	if (tr->detaching)
		return;
	tr->detaching = true;
	for (size_t i = 0; i < tr->t.cap; i++)
		if (tr->t.v[i].tid)
			ptrace(PTRACE_INTERRUPT, tr->t.v[i].tid, NULL, NULL);
}

static void on_signal(struct tracer *tr, int sig, int code)
{
	if (sig == SIGCHLD || (tr->o->on_signal && tr->o->on_signal(tr->o->ctx, sig)))
		return;
	if (!tr->cmd) {
		/* --pid: the process is not ours to signal; these end the recording. */
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT)
			begin_detach(tr);
		return;
	}
	bool from_process = code <= 0; /* SI_USER, SI_QUEUE, SI_TKILL */
	if (!tr->cmd_reaped && (from_process || (sig != SIGINT && sig != SIGQUIT)))
		kill(tr->cmd, sig);
	/* A second one, or one once the command is gone: stop waiting for its descendants. */
	if ((sig == SIGINT || sig == SIGTERM) && (tr->cmd_reaped || ++tr->signals > 1))
		tr->stop = true;
}

/*
 * Signals and ticks. The tracer blocks in waitpid (one call a stop, as strace does: waiting
 * for SIGCHLD instead costs a signal a stop), so a watcher thread reads the signals (a
 * signalfd) and the clock, leaves them here, and wakes the tracer with what waitpid reports:
 * the exit of a child it forks for that (the tracer's waitpid sees the children of every
 * thread of the process). Only the tracer thread may make ptrace requests.
 */
#define MAILBOX_SIGNALS 32
#define MAILBOX_WAKERS	64

struct mailbox {
	pthread_mutex_t lock;
	atomic_bool pending;
	struct signalfd_siginfo sigs[MAILBOX_SIGNALS];
	size_t nsigs;
	bool tick;
	pid_t wakers[MAILBOX_WAKERS]; /* forked to wake the tracer, not reaped yet */
	size_t nwakers;
	int sfd, quit[2];
	unsigned tick_ms;
};

static void *watcher(void *arg)
{
	struct mailbox *mb = arg;
	struct pollfd p[2] = { { mb->sfd, POLLIN, 0 }, { mb->quit[0], POLLIN, 0 } };
	for (;;) {
		int r = poll(p, 2, mb->tick_ms ? (int)mb->tick_ms : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || p[1].revents)
			return NULL;
		bool wake = false;
		pthread_mutex_lock(&mb->lock);
		if (r == 0)
			wake = mb->tick = true;
		struct signalfd_siginfo si;
		while ((p[0].revents & POLLIN) && read(mb->sfd, &si, sizeof(si)) == sizeof(si))
			if (mb->nsigs < MAILBOX_SIGNALS) {
				mb->sigs[mb->nsigs++] = si;
				wake = true;
			}
		if (wake)
			atomic_store(&mb->pending, true);
		if (wake && mb->nwakers < MAILBOX_WAKERS) {
			pid_t c = fork();
			if (c == 0)
				_exit(0);
			if (c > 0)
				mb->wakers[mb->nwakers++] = c;
		}
		pthread_mutex_unlock(&mb->lock);
	}
}

/* A child that exited and is no tracee: one of the watcher's. */
static void reaped_waker(struct mailbox *mb, pid_t pid)
{
	pthread_mutex_lock(&mb->lock);
	for (size_t i = 0; i < mb->nwakers; i++)
		if (mb->wakers[i] == pid) {
			mb->wakers[i] = mb->wakers[--mb->nwakers];
			break;
		}
	pthread_mutex_unlock(&mb->lock);
}

static void read_mailbox(struct tracer *tr, struct mailbox *mb)
{
	struct signalfd_siginfo sigs[MAILBOX_SIGNALS];
	pthread_mutex_lock(&mb->lock);
	size_t n = mb->nsigs;
	bool tick = mb->tick;
	memcpy(sigs, mb->sigs, n * sizeof(*sigs));
	mb->nsigs = 0;
	mb->tick = false;
	atomic_store(&mb->pending, false);
	pthread_mutex_unlock(&mb->lock);
	if (tick && tr->o->on_tick && !tr->detaching)
		tr->o->on_tick(tr->o->ctx);
	for (size_t i = 0; i < n; i++)
		on_signal(tr, (int)sigs[i].ssi_signo, sigs[i].ssi_code);
}

/*
 * A stopped tracee and a sleeping tracer each need a wake-up, and waking an idle vCPU costs
 * tens of microseconds on a VM (measured on these 2-vCPU machines, getppid in a loop: 110 us a
 * call when the tracer sleeps in waitpid, 15 to 35 us when it polls first, yielding the CPU
 * between polls in case the tracee waits for it). A tracee that makes calls in a row stops
 * again within microseconds: poll for SPIN_NS before sleeping. A workload that computes or
 * sleeps between calls costs the tracer at most that much CPU a stop.
 */
#define SPIN_NS 50000

static pid_t spin_wait(int *st)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t tid = waitpid(-1, st, __WALL | WNOHANG);
		if (tid != 0)
			return tid; /* a stop, an exit, or an error waitpid repeats */
		/* The tracee may be waiting for this CPU: let it run. */
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) > SPIN_NS)
			return 0;
	}
}

static int loop(struct tracer *tr, struct mailbox *mb, struct sf_error *err)
{
	for (;;) {
		if (mb && atomic_load(&mb->pending))
			read_mailbox(tr, mb);
		if (tr->cmd && tr->cmd_reaped && tr->stop && tr->t.n)
			begin_detach(tr);
		if (!tr->t.n && (!tr->cmd || tr->cmd_reaped))
			return 0;
		int st;
		pid_t tid = spin_wait(&st);
		if (tid == 0)
			tid = waitpid(-1, &st, __WALL);
		if (tid > 0) {
			if (mb && !t_find(&tr->t, tid) && tid != tr->cmd && !WIFSTOPPED(st))
				reaped_waker(mb, tid);
			else if (handle(tr, tid, st) < 0)
				return sf_error_set(err, -ENOMEM, "out of memory");
		} else if (errno == ECHILD) {
			return 0; /* nothing left to wait for */
		} else if (errno != EINTR) {
			return sf_error_set(err, -errno, "waitpid: %s", strerror(errno));
		}
	}
}

static int mailbox_start(struct mailbox *mb, const sigset_t *mask, unsigned tick_ms, pthread_t *th,
			 struct sf_error *err)
{
	sigset_t sigs = *mask;
	sigdelset(&sigs, SIGCHLD);
	memset(mb, 0, sizeof(*mb));
	mb->quit[0] = mb->quit[1] = -1;
	mb->tick_ms = tick_ms;
	mb->sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (mb->sfd < 0 || pipe2(mb->quit, O_CLOEXEC) < 0) {
		int e = errno;
		if (mb->sfd >= 0)
			close(mb->sfd);
		mb->sfd = -1;
		return sf_error_set(err, -e, "cannot watch signals: %s", strerror(e));
	}
	pthread_mutex_init(&mb->lock, NULL);
	atomic_init(&mb->pending, false);
	int e = pthread_create(th, NULL, watcher, mb);
	if (e) {
		close(mb->sfd);
		mb->sfd = -1;
		close(mb->quit[0]);
		close(mb->quit[1]);
		pthread_mutex_destroy(&mb->lock);
		return sf_error_set(err, -e, "cannot start the signal watcher: %s", strerror(e));
	}
	return 0;
}

static void mailbox_stop(struct mailbox *mb, pthread_t th)
{
	if (write(mb->quit[1], "q", 1) < 0) {
	}
	pthread_join(th, NULL);
	for (size_t i = 0; i < mb->nwakers; i++)
		waitpid(mb->wakers[i], NULL, 0);
	close(mb->sfd);
	close(mb->quit[0]);
	close(mb->quit[1]);
	pthread_mutex_destroy(&mb->lock);
}

/* ---- starting: a command, or a running process ---- */

struct child_msg {
	int code; /* -errno */
	bool exec_failed;
	char msg[SF_ERROR_MSG_MAX];
};

static __attribute__((noreturn)) void child(const struct sf_ptrace_opts *o, int sync_fd, int msg_fd,
					    const sigset_t *old, pid_t parent)
{
	struct child_msg m = { .code = -EIO };

	sigprocmask(SIG_SETMASK, old, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(125);
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd) {
			m.code = -errno;
			snprintf(m.msg, sizeof(m.msg), "cannot open /dev/null as fd %d", fd);
			goto fail;
		}
	/* Wait until the parent has attached (EOF: it failed). */
	char go;
	if (read(sync_fd, &go, 1) != 1)
		_exit(125);
	execve(o->path, o->argv, o->envp);
	m.code = -errno;
	m.exec_failed = true;
	snprintf(m.msg, sizeof(m.msg), "cannot execute %s: %s", o->path, strerror(errno));
fail:
	if (write(msg_fd, &m, sizeof(m)) < 0) {
	}
	_exit(m.exec_failed ? 127 : 125);
}

/* Why PTRACE_SEIZE failed, as far as we can tell. */
static int seize_error(pid_t pid, int e, struct sf_error *err)
{
	char path[64], line[256];
	long tracer = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "TracerPid:", 10) == 0)
			tracer = atol(line + 10);
	if (f)
		fclose(f);
	if (e == ESRCH)
		return sf_error_set(err, -ESRCH, "no process %d", (int)pid);
	if (tracer)
		return sf_error_set(err, -EBUSY,
				    "process %d is already traced by process %ld (a debugger, "
				    "strace, a recorder): a process has one tracer",
				    (int)pid, tracer);
	return sf_error_set(err, -e,
			    "cannot trace process %d (PTRACE_SEIZE: %s): ptrace needs the same "
			    "user and no setuid transition, or CAP_SYS_PTRACE; Yama's "
			    "kernel.yama.ptrace_scope may forbid it (1: descendants only, 2: "
			    "CAP_SYS_PTRACE only, 3: never), and a seccomp filter on sysfence "
			    "itself may refuse ptrace",
			    (int)pid, strerror(e));
}

static const unsigned long trace_opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
					PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
					PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT;

static int start_command(struct tracer *tr, const sigset_t *old, int msg[2], struct sf_error *err)
{
	int sync[2];
	if (pipe2(sync, O_CLOEXEC) < 0)
		return sf_error_set(err, -errno, "pipe: %s", strerror(errno));
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sync[0]);
		close(sync[1]);
		return sf_error_set(err, -e, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		close(sync[1]);
		close(msg[0]);
		child(tr->o, sync[0], msg[1], old, parent);
	}
	close(sync[0]);
	close(msg[1]);
	msg[1] = -1;
	tr->cmd = tr->res->pid = pid;
	int r = 0;
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)(trace_opts | PTRACE_O_EXITKILL)) < 0) {
		r = seize_error(pid, errno, err);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		tr->cmd = 0;
	} else if (!t_add(&tr->t, pid)) {
		r = sf_error_set(err, -ENOMEM, "out of memory");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
		tr->cmd = 0;
	} else if (write(sync[1], "g", 1) != 1) {
		r = sf_error_set(err, -errno, "cannot start the command: %s", strerror(errno));
	}
	close(sync[1]);
	return r;
}

static int seize(struct tracer *tr, pid_t tid)
{
	if (t_find(&tr->t, tid))
		return 0;
	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)trace_opts) < 0)
		return -errno;
	if (!t_add(&tr->t, tid))
		return -ENOMEM;
	ptrace(PTRACE_INTERRUPT, tid, NULL, NULL);
	return 1;
}

/* Read a list of pids ("/proc/P/task/T/children": "12 34 "). -errno when it cannot. */
static int read_pids(const char *path, pid_t **out, size_t *n)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	long v;
	while (fscanf(f, "%ld", &v) == 1) {
		pid_t *g = reallocarray(*out, *n + 1, sizeof(**out));
		if (!g) {
			fclose(f);
			return -ENOMEM;
		}
		*out = g;
		(*out)[(*n)++] = (pid_t)v;
	}
	fclose(f);
	return 0;
}

/* The children of pid from every /proc/N/stat (kernels without CONFIG_PROC_CHILDREN). */
static int scan_children(pid_t pid, pid_t **out, size_t *n)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[300], buf[512];
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t k = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (k <= 0)
			continue;
		buf[k] = 0;
		/* "pid (comm) state ppid ...": comm may hold anything, so from the last ')'. */
		char *p = strrchr(buf, ')'), state;
		long ppid;
		if (!p || sscanf(p + 1, " %c %ld", &state, &ppid) != 2 || ppid != pid)
			continue;
		pid_t *g = reallocarray(*out, *n + 1, sizeof(**out));
		if (!g) {
			closedir(d);
			return -ENOMEM;
		}
		*out = g;
		(*out)[(*n)++] = (pid_t)atol(de->d_name);
	}
	closedir(d);
	return 0;
}

/* The state letter of a thread ('Z' zombie, 'X' dead, 'T' stopped...), or 0. */
static char task_state(pid_t pid, pid_t tid)
{
	char path[128], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t k = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (k <= 0)
		return 0;
	buf[k] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Attach every thread of pid, then its children's, recursively. *added counts new ones,
 * *failed the ones ptrace refused (zombies aside: they make no more calls). */
static int attach_process(struct tracer *tr, pid_t pid, bool top, unsigned depth, size_t *added,
			  size_t *failed, struct sf_error *err)
{
	char path[128];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d) {
		if (top)
			return sf_error_set(err, -ESRCH, "no process %d", (int)pid);
		return 0; /* gone meanwhile */
	}
	pid_t *kids = NULL;
	size_t nkids = 0;
	bool no_children_file = false;
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid_t tid = (pid_t)atol(de->d_name);
		int s = seize(tr, tid);
		if (s == -ENOMEM) {
			r = sf_error_set(err, -ENOMEM, "out of memory");
			break;
		}
		char state = s < 0 && s != -ESRCH ? task_state(pid, tid) : 0;
		if (s < 0 && s != -ESRCH && state != 'Z' && state != 'X') {
			if (top && tid == pid) {
				r = seize_error(pid, -s, err);
				break;
			}
			(*failed)++;
		} else if (top && tid == pid && s < 0) {
			r = sf_error_set(err, -ESRCH, "process %d has exited", (int)pid);
			break;
		}
		if (s > 0)
			(*added)++;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)tid);
		int k = read_pids(path, &kids, &nkids);
		if (k == -ENOENT && access(path, F_OK) < 0 && errno == ENOENT)
			no_children_file = true;
	}
	closedir(d);
	if (!r && no_children_file)
		r = scan_children(pid, &kids, &nkids) == -ENOMEM
			? sf_error_set(err, -ENOMEM, "out of memory")
			: 0;
	for (size_t i = 0; !r && i < nkids && depth < ATTACH_DEPTH; i++)
		r = attach_process(tr, kids[i], false, depth + 1, added, failed, err);
	free(kids);
	return r;
}

static int start_pid(struct tracer *tr, struct sf_error *err)
{
	pid_t pid = tr->o->pid;
	if (pid == getpid())
		return sf_error_set(err, -EINVAL, "cannot record process %d: it is sysfence itself",
				    (int)pid);
	tr->started = true;
	/* Threads and processes started by ones not yet attached escape the events: walk the
	 * tree again until it brings nothing new. */
	for (int round = 0; round < ATTACH_ROUNDS; round++) {
		size_t added = 0, failed = 0;
		int r = attach_process(tr, pid, round == 0, 0, &added, &failed, err);
		if (r < 0)
			return r;
		tr->res->attached += added;
		tr->res->not_attached = failed; /* the last walk's */
		if (!added)
			break;
	}
	return 0;
}

int sf_ptrace_record(struct sf_recording *r, const struct sf_ptrace_opts *o,
		     struct sf_ptrace_result *res, struct sf_error *err)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGINT, SIGQUIT };
	struct tracer tr = { .rec = r, .refused = o->refused, .o = o, .res = res };
	int msg[2] = { -1, -1 };
	sigset_t mask, old;
	int ret;

	memset(res, 0, sizeof(*res));
	res->pid = -1;
	tr.x86_64 = sf_arch_find("x86_64");
	tr.x32 = sf_arch_find("x32");
	if (o->pid <= 0 && (!o->path || !o->argv))
		return sf_error_set(err, -EINVAL, "no command and no process to record");
	if (o->pid <= 0 && pipe2(msg, O_CLOEXEC) < 0)
		return sf_error_set(err, -errno, "pipe: %s", strerror(errno));
	sigemptyset(&mask);
	for (size_t i = 0; i < SF_ARRAY_SIZE(sigs); i++)
		sigaddset(&mask, sigs[i]);
	sigprocmask(SIG_BLOCK, &mask, &old);

	struct mailbox mb;
	pthread_t th;
	ret = mailbox_start(&mb, &mask, o->on_tick ? o->tick_ms : 0, &th, err);
	if (ret == 0)
		ret = o->pid > 0 ? start_pid(&tr, err) : start_command(&tr, &old, msg, err);
	if (ret < 0 && tr.t.n) {
		/* --pid: what was attached before the failure is let go. */
		tr.cmd = 0;
		begin_detach(&tr);
		loop(&tr, &mb, NULL);
	} else if (ret == 0 && (tr.cmd || o->pid > 0)) {
		ret = loop(&tr, &mb, err);
		if (ret < 0) {
			/* Never leave a tracee stopped: let everything go, the command included. */
			bool was = tr.detaching;
			tr.detaching = false;
			if (!was)
				begin_detach(&tr);
			loop(&tr, &mb, NULL);
		}
	}
	if (mb.sfd >= 0)
		mailbox_stop(&mb, th);
	if (ret == 0 && tr.cmd && !tr.cmd_reaped) {
		/* Detached (or lost) before its end: wait for it as its parent. */
		int st;
		if (waitpid(tr.cmd, &st, 0) == tr.cmd)
			res->status = st;
	}
	if (ret == 0 && msg[0] >= 0) {
		struct child_msg m;
		if (read(msg[0], &m, sizeof(m)) == (ssize_t)sizeof(m)) {
			m.msg[sizeof(m.msg) - 1] = 0;
			res->exec_failed = m.exec_failed;
			ret = sf_error_set(err, m.code, "%s", m.msg);
		}
	}
	/* What came after the watcher's last look is dropped: the recording is over. */
	struct timespec zero = { 0, 0 };
	while (sigtimedwait(&mask, NULL, &zero) > 0) {
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (int i = 0; i < 2; i++)
		if (msg[i] >= 0)
			close(msg[i]);
	t_free(&tr.t);
	return ret;
}

/* ---- marking the refused calls in the profile ---- */

struct name_count {
	const char *name;
	uint64_t all, refused;
};

static int cmp_nc(const void *a, const void *b)
{
	return strcmp(((const struct name_count *)a)->name, ((const struct name_count *)b)->name);
}

int sf_recording_mark_refused(struct sf_profile *p, struct sf_recording *all,
			      struct sf_recording *refused, const char *comment,
			      struct sf_error *err)
{
	const struct sf_recorded_call *ca, *cr;
	size_t na = sf_recording_calls(all, &ca), nr = sf_recording_calls(refused, &cr), n = 0;
	struct name_count *v = calloc(na ? na : 1, sizeof(*v));
	int moved = 0;

	if (!v)
		return sf_error_set(err, -ENOMEM, "out of memory");
	/* Per name, over every ABI: calls made and calls refused. */
	for (size_t i = 0; i < na; i++) {
		if (!ca[i].name)
			continue;
		size_t k = 0;
		while (k < n && strcmp(v[k].name, ca[i].name) != 0)
			k++;
		if (k == n)
			v[n++].name = ca[i].name;
		v[k].all += ca[i].count;
		for (size_t j = 0; j < nr; j++)
			if (cr[j].abi == ca[i].abi && cr[j].nr == ca[i].nr)
				v[k].refused += cr[j].count;
	}
	qsort(v, n, sizeof(*v), cmp_nc);
	struct sf_rule *dst = NULL;
	for (size_t k = 0; k < n; k++) {
		if (!v[k].refused || v[k].refused < v[k].all)
			continue;
		bool found = false;
		for (size_t ri = 0; ri < p->nrules; ri++) {
			struct sf_rule *rule = &p->rules[ri];
			if (rule->action != SF_ACT_ALLOW || rule->nargs || rule->comment)
				continue;
			for (size_t j = 0; j < rule->nnames; j++) {
				if (strcmp(rule->names[j], v[k].name) != 0)
					continue;
				memmove(&rule->names[j], &rule->names[j + 1],
					(rule->nnames - j - 1) * sizeof(*rule->names));
				if (rule->name_nodes)
					memmove(&rule->name_nodes[j], &rule->name_nodes[j + 1],
						(rule->nnames - j - 1) * sizeof(*rule->name_nodes));
				rule->nnames--;
				found = true;
				break;
			}
		}
		if (!found)
			continue;
		if (!dst) {
			if (!(dst = sf_profile_add_rule(p)))
				goto nomem;
			dst->action = SF_ACT_ALLOW;
			if (comment && !(dst->comment = sf_profile_strdup(p, comment)))
				goto nomem;
		}
		if (sf_rule_add_name(p, dst, v[k].name) < 0)
			goto nomem;
		moved++;
	}
	/* Rules left without a name are dropped (the refused rule, last, has names). */
	size_t w = 0;
	for (size_t ri = 0; ri < p->nrules; ri++)
		if (p->rules[ri].nnames)
			p->rules[w++] = p->rules[ri];
	p->nrules = w;
	free(v);
	return moved;
nomem:
	free(v);
	return sf_error_set(err, -ENOMEM, "out of memory");
}
