/*
 * sf_status_read: everything /proc tells about what confines a process, and its seccomp
 * filters through ptrace when asked (lib/inspect/filters.c reads them), summarized per ABI.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <sysfence/inspect.h>
#include <sysfence/status.h>

#include "util/util.h"

#define MAX_PROC_FILE	(1024 * 1024)
#define PF_KTHREAD_FLAG 0x00200000u /* include/linux/sched.h */

/* A whole /proc file (they have no size), NUL-terminated. 0 or a negative errno. */
static int read_at(int dirfd, const char *name, char **out, size_t *outlen)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t len = 0, cap = 4096;
	char *buf;

	*out = NULL;
	if (outlen)
		*outlen = 0;
	if (fd < 0)
		return -errno;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t k = read(fd, buf + len, cap - len);
		if (k < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			free(buf);
			close(fd);
			return -e;
		}
		if (k == 0)
			break;
		len += (size_t)k;
		if (len == cap) {
			char *g = cap < MAX_PROC_FILE ? realloc(buf, cap * 2 + 1) : NULL;
			if (!g) {
				free(buf);
				close(fd);
				return cap < MAX_PROC_FILE ? -ENOMEM : -EFBIG;
			}
			buf = g;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	if (outlen)
		*outlen = len;
	return 0;
}

/* Kernel threads before the Kthread: line: the PF_KTHREAD bit of /proc/PID/stat's flags. */
static bool stat_says_kthread(int dirfd)
{
	char *text = NULL, *p, *end;
	unsigned long flags;
	bool k = false;

	if (read_at(dirfd, "stat", &text, NULL) < 0)
		return false;
	p = strrchr(text, ')');
	/* after "(comm)": state ppid pgrp session tty_nr tpgid flags */
	for (int field = 0; p && field < 6; field++)
		p = strchr(p + 1, ' ');
	if (p && (p = strchr(p + 1, ' '))) {
		errno = 0;
		flags = strtoul(p + 1, &end, 10);
		k = errno == 0 && end != p + 1 && (flags & PF_KTHREAD_FLAG);
	}
	free(text);
	return k;
}

static unsigned read_last_cap(void)
{
	char *text = NULL;
	unsigned v = sf_cap_count() - 1;
	int dfd = open("/proc/sys/kernel", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd >= 0 && read_at(dfd, "cap_last_cap", &text, NULL) == 0) {
		char *end;
		unsigned long n = strtoul(text, &end, 10);
		if (end != text && n < 64)
			v = (unsigned)n;
	}
	free(text);
	if (dfd >= 0)
		close(dfd);
	return v;
}

/* The inode of a namespace link, from its text "mnt:[4026531840]": reading the link needs less
 * than following it (stat), which the kernel refuses more often. 0 or a negative errno. */
static int ns_inode(int dirfd, const char *name, uint64_t *ino)
{
	char link[64], *open_br, *end;
	ssize_t k = readlinkat(dirfd, name, link, sizeof(link) - 1);
	unsigned long long v;

	if (k < 0)
		return -errno;
	link[k] = '\0';
	open_br = strchr(link, '[');
	if (!open_br)
		return -EPROTO;
	errno = 0;
	v = strtoull(open_br + 1, &end, 10);
	if (errno || end == open_br + 1 || *end != ']' || v == 0)
		return -EPROTO;
	*ino = v;
	return 0;
}

static void read_namespaces(int dirfd, struct sf_status *s)
{
	int ref = open("/proc/1", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char name[32];
	bool any = false;

	for (int i = 0; i < SF_NS_COUNT; i++) {
		struct sf_ns_info *ns = &s->ns[i];
		snprintf(name, sizeof(name), "ns/%s", sf_ns_name((enum sf_ns)i));
		ns->err = ns_inode(dirfd, name, &ns->ino);
		ns->ref_err = ref < 0 ? -errno : ns_inode(ref, name, &ns->ref_ino);
		any |= ns->ref_ino != 0;
	}
	if (ref >= 0)
		close(ref);
	if (any)
		return;
	/* PID 1's are out of reach: compare with our own, unless we are the process. */
	s->ns_pid1_err = s->ns[SF_NS_MNT].ref_err;
	s->ns_ref = SF_NS_REF_SELF;
	ref = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < SF_NS_COUNT; i++) {
		struct sf_ns_info *ns = &s->ns[i];
		snprintf(name, sizeof(name), "ns/%s", sf_ns_name((enum sf_ns)i));
		ns->ref_ino = 0;
		if (s->pid == getpid() || ref < 0)
			ns->ref_err = s->ns_pid1_err;
		else
			ns->ref_err = ns_inode(ref, name, &ns->ref_ino);
	}
	if (ref >= 0)
		close(ref);
}

static void read_cgroup(int dirfd, struct sf_status *s)
{
	char *text = NULL;
	size_t len;
	struct sf_error err;
	int r = read_at(dirfd, "cgroup", &text, &len);

	if (r == 0)
		r = sf_cgroup_parse("cgroup", text, len, &s->cgroups, &s->ncgroups, &err);
	free(text);
	s->cgroup_err = r;
	if (r < 0)
		return;
	s->in_container = sf_container_from_cgroups(s->cgroups, s->ncgroups, &s->container);
}

/* An attr file's label without its trailing newline or NULs; NULL when empty. */
static char *read_label(int dirfd, const char *name, int *errp)
{
	char *text = NULL;
	size_t len;
	int r = read_at(dirfd, name, &text, &len);

	if (r < 0) {
		if (errp)
			*errp = r;
		return NULL;
	}
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\0'))
		text[--len] = '\0';
	if (!len) {
		free(text);
		return NULL;
	}
	return text;
}

static void read_abi(int dirfd, struct sf_status *s)
{
	unsigned char head[64];
	struct utsname u;
	const struct sf_arch *kernel = NULL;
	int fd = openat(dirfd, "exe", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t k = read(fd, head, sizeof(head));
		if (k > 0)
			s->abi = sf_elf_arch(head, (size_t)k);
		close(fd);
	}
	if (uname(&u) == 0)
		kernel = sf_arch_find(u.machine);
	if (!kernel)
		kernel = sf_arch_native();
	s->nabis = sf_abi_family(kernel, s->abi, s->abis, SF_ARRAY_SIZE(s->abis));
}

static bool self_has_cap(unsigned cap)
{
	struct sf_proc_status me;
	char *text = NULL;
	size_t len;
	int dfd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool yes = true; /* when unknown, do not claim it is missing */

	if (dfd >= 0 && read_at(dfd, "status", &text, &len) == 0 &&
	    sf_proc_status_parse("status", text, len, &me, NULL) == 0 &&
	    (me.caps_present & (1u << SF_CAP_EFF)))
		yes = (me.caps[SF_CAP_EFF] >> cap) & 1;
	free(text);
	if (dfd >= 0)
		close(dfd);
	return yes;
}

const char *sf_filters_problem_key(enum sf_filters_problem p)
{
	switch (p) {
	case SF_FILTERS_READ:
		return "read";
	case SF_FILTERS_NOT_TRIED:
		return "not-asked";
	case SF_FILTERS_NO_CAP:
		return "caller-lacks-cap-sys-admin";
	case SF_FILTERS_PTRACE_DENIED:
		return "ptrace-denied";
	case SF_FILTERS_NO_KERNEL:
		return "kernel-lacks-checkpoint-restore";
	case SF_FILTERS_CALLER_SECCOMP:
		return "caller-under-seccomp";
	case SF_FILTERS_TRACED:
		return "traced-by-another-process";
	case SF_FILTERS_SELF:
		return "own-process";
	case SF_FILTERS_GONE:
		return "process-exited";
	case SF_FILTERS_NOT_CLASSIC:
		return "not-classic-bpf";
	case SF_FILTERS_ERROR:
		break;
	}
	return "error";
}

static enum sf_filters_problem classify(pid_t pid, int code)
{
	switch (code) {
	case -ESRCH:
		return SF_FILTERS_GONE;
	case -EACCES:
		return SF_FILTERS_CALLER_SECCOMP;
	case -EBUSY:
		return SF_FILTERS_TRACED;
	case -EOPNOTSUPP:
		return SF_FILTERS_NO_KERNEL;
	case -EMEDIUMTYPE:
		return SF_FILTERS_NOT_CLASSIC;
	case -EPERM:
		if (pid == getpid())
			return SF_FILTERS_SELF;
		return self_has_cap(CAP_SYS_ADMIN) ? SF_FILTERS_PTRACE_DENIED : SF_FILTERS_NO_CAP;
	default:
		return SF_FILTERS_ERROR;
	}
}

static void read_filters(struct sf_status *s)
{
	struct sf_error err = {0};
	int r = sf_filters_read(s->pid, &s->progs, &s->nprogs, &err);

	if (r < 0) {
		s->filters_problem = classify(s->pid, r);
		snprintf(s->filters_why, sizeof(s->filters_why), "%s", err.msg);
		return;
	}
	s->filters_problem = SF_FILTERS_READ;
	if (!s->nprogs)
		return;
	s->per_filter = calloc(s->nprogs, sizeof(*s->per_filter));
	if (!s->per_filter) {
		r = sf_error_set(&err, -ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t k = 0; k < s->nprogs; k++) {
		r = sf_filter_verdicts(&s->progs[k], 1, s->abis, s->nabis, &s->per_filter[k], &err);
		if (r < 0)
			goto fail;
	}
	r = sf_filter_verdicts(s->progs, s->nprogs, s->abis, s->nabis, &s->combined, &err);
	if (r == 0)
		return;
fail:
	s->filters_problem = SF_FILTERS_ERROR;
	sf_error_prefix(&err, "the filters were read but not understood: ");
	memcpy(s->filters_why, err.msg, sizeof(s->filters_why));
}

void sf_status_free(struct sf_status *s)
{
	if (!s)
		return;
	free(s->exe);
	sf_cgroup_lines_free(s->cgroups, s->ncgroups);
	free(s->lsm);
	free(s->apparmor);
	for (size_t k = 0; s->per_filter && k < s->nprogs; k++)
		sf_filter_verdicts_free(&s->per_filter[k]);
	free(s->per_filter);
	sf_filter_verdicts_free(&s->combined);
	sf_filters_free(s->progs, s->nprogs);
	free(s);
}

int sf_status_read(pid_t pid, unsigned flags, struct sf_status **out, struct sf_error *err)
{
	char path[64], *text = NULL, link[PATH_MAX];
	size_t len;
	int dirfd, r;
	ssize_t k;
	struct sf_status *s;

	*out = NULL;
	if (pid < 0)
		return sf_error_set(err, -EINVAL, "invalid process id %d", (int)pid);
	if (pid == 0)
		pid = getpid();
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	/* Every file is read relative to this directory: a PID reused meanwhile is not mixed in. */
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		int e = errno;
		if (e == ENOENT)
			return sf_error_set(err, -ESRCH, "no process %d", (int)pid);
		return sf_error_set(err, -e, "%s: %s", path, strerror(e));
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(dirfd);
		return sf_error_set(err, -ENOMEM, "out of memory");
	}
	s->pid = pid;
	r = read_at(dirfd, "status", &text, &len);
	if (r < 0) {
		if (r == -ENOENT || r == -ESRCH)
			sf_error_set(err, -ESRCH, "no process %d (it exited)", (int)pid);
		else
			sf_error_set(err, r, "%s/status: %s", path, strerror(-r));
		goto fail;
	}
	r = sf_proc_status_parse("status", text, len, &s->st, err);
	free(text);
	if (r < 0) {
		if (err)
			snprintf(err->file, sizeof(err->file), "%s/status", path);
		goto fail;
	}
	snprintf(s->comm, sizeof(s->comm), "%s", s->st.name);
	s->kernel_thread = s->st.kthread >= 0 ? s->st.kthread == 1 : stat_says_kthread(dirfd);
	s->last_cap = read_last_cap();

	k = readlinkat(dirfd, "exe", link, sizeof(link) - 1);
	if (k >= 0) {
		link[k] = '\0';
		s->exe = strdup(link);
	} else
		s->exe_err = -errno;

	read_abi(dirfd, s);
	read_namespaces(dirfd, s);
	read_cgroup(dirfd, s);
	s->lsm = read_label(dirfd, "attr/current", &s->lsm_err);
	s->apparmor = read_label(dirfd, "attr/apparmor/current", NULL);
	close(dirfd);

	s->filters_problem = SF_FILTERS_NOT_TRIED;
	if (s->st.seccomp != SF_SECCOMP_FILTER)
		s->filters_problem = SF_FILTERS_READ; /* nothing to read */
	else if (flags & SF_STATUS_FILTERS)
		read_filters(s);
	*out = s;
	return 0;
fail:
	close(dirfd);
	sf_status_free(s);
	return r;
}
