/* User notifications: receiving, answering, applying a filter's outcome, describing a call. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <sysfence/arch.h>
#include <sysfence/enforce.h>

#include "util/util.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

int sf_notif_sync_wakeup(int listener)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0
		       ? -errno
		       : 0;
}

int sf_notif_recv(int listener, struct sf_notif *n)
{
	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return -errno;
	n->id = req.id;
	n->pid = (pid_t)req.pid;
	n->data = req.data;
	return 0;
}

bool sf_notif_valid(int listener, uint64_t id)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

int sf_notif_respond(int listener, uint64_t id, int64_t val, int error, bool cont)
{
	struct seccomp_notif_resp resp = { .id = id, .val = val, .error = error ? -error : 0 };
	if (cont)
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 ? -errno : 0;
}

pid_t sf_proc_tgid(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = tid;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "Tgid:", 5) == 0) {
			tgid = (pid_t)atoi(line + 5);
			break;
		}
	if (f)
		fclose(f);
	return tgid;
}

void sf_proc_exe(pid_t pid, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, buf, size - 1);
	if (n < 0)
		snprintf(buf, size, "?");
	else
		buf[n] = 0;
}

int sf_notif_apply(int listener, const struct sf_notif *n, uint32_t ret)
{
	uint32_t data = ret & SECCOMP_RET_DATA;

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return sf_notif_respond(listener, n->id, 0, 0, true);
	case SECCOMP_RET_ERRNO:
		/* The kernel caps the errno at 4095; ERRNO(0) returns 0 without running. */
		if (data > 4095)
			data = 4095;
		return sf_notif_respond(listener, n->id, 0, (int)data, false);
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_USER_NOTIF:
		return sf_notif_respond(listener, n->id, 0, ENOSYS, false);
	case SECCOMP_RET_TRAP: {
		/* The signal first, then the answer: with SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
		 * the waiting call is not interrupted by it, and SIGSYS is delivered as the call
		 * returns ENOSYS, as the kernel's TRAP does. (Without that flag, a signal landing
		 * while the call waits interrupts it: EINTR, or a restart under SA_RESTART.) */
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		si.si_signo = SIGSYS;
		si.si_code = SI_QUEUE;
		si.si_errno = (int)data;
		si.si_pid = getpid();
		si.si_uid = getuid();
		pid_t tgid = sf_proc_tgid(n->pid);
		if (syscall(SYS_rt_tgsigqueueinfo, tgid, n->pid, SIGSYS, &si) < 0)
			return -errno;
		return sf_notif_respond(listener, n->id, 0, ENOSYS, false);
	}
	default: /* KILL_PROCESS, KILL_THREAD, and anything unknown: the kernel kills */
		if (kill(sf_proc_tgid(n->pid), SIGSYS) < 0 && errno != ESRCH)
			return -errno;
		/* The call must not return before the signal lands: answer after it. */
		sf_notif_respond(listener, n->id, 0, ENOSYS, false);
		return 0;
	}
}

/* ---- describing a call ---------------------------------------------------------------- */

/* Which arguments are paths (bit i), by syscall name. */
static const struct {
	const char *name;
	uint8_t paths;
} path_args[] = {
	{ "access", 0x01 },	 { "acct", 0x01 },	  { "chdir", 0x01 },	  { "chmod", 0x01 },
	{ "chown", 0x01 },	 { "chroot", 0x01 },	  { "creat", 0x01 },	  { "execve", 0x01 },
	{ "execveat", 0x02 },	 { "faccessat", 0x02 },	  { "faccessat2", 0x02 }, { "fchmodat", 0x02 },
	{ "fchownat", 0x02 },	 { "getxattr", 0x01 },	  { "lchown", 0x01 },	  { "link", 0x03 },
	{ "linkat", 0x0a },	 { "lstat", 0x01 },	  { "mkdir", 0x01 },	  { "mkdirat", 0x02 },
	{ "mknod", 0x01 },	 { "mknodat", 0x02 },	  { "mount", 0x07 },	  { "newfstatat", 0x02 },
	{ "open", 0x01 },	 { "openat", 0x02 },	  { "openat2", 0x02 },	  { "pivot_root", 0x03 },
	{ "readlink", 0x01 },	 { "readlinkat", 0x02 },  { "rename", 0x03 },	  { "renameat", 0x0a },
	{ "renameat2", 0x0a },	 { "rmdir", 0x01 },	  { "setxattr", 0x01 },	  { "stat", 0x01 },
	{ "statfs", 0x01 },	 { "statx", 0x02 },	  { "swapoff", 0x01 },	  { "swapon", 0x01 },
	{ "symlink", 0x03 },	 { "symlinkat", 0x05 },	  { "truncate", 0x01 },	  { "umount2", 0x01 },
	{ "unlink", 0x01 },	 { "unlinkat", 0x02 },	  { "uselib", 0x01 },	  { "utimensat", 0x02 },
	{ "utimes", 0x01 },
};

static const char *const families[] = {
	[0] = "AF_UNSPEC",   [1] = "AF_UNIX",	   [2] = "AF_INET",	 [3] = "AF_AX25",
	[4] = "AF_IPX",	     [5] = "AF_APPLETALK", [9] = "AF_X25",	 [10] = "AF_INET6",
	[16] = "AF_NETLINK", [17] = "AF_PACKET",   [31] = "AF_BLUETOOTH", [38] = "AF_ALG",
	[40] = "AF_VSOCK",   [41] = "AF_KCM",	   [44] = "AF_XDP",
};

static const struct {
	uint64_t bit;
	const char *name;
} clone_ns[] = {
	{ 0x00020000, "CLONE_NEWNS" },	  { 0x02000000, "CLONE_NEWCGROUP" },
	{ 0x04000000, "CLONE_NEWUTS" },	  { 0x08000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" },  { 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" },	  { 0x00000080, "CLONE_NEWTIME" },
};

static void put_path(int listener, const struct sf_notif *n, uint64_t addr, struct sf_buf *out)
{
	char buf[256];
	struct iovec local = { buf, sizeof(buf) - 1 }, remote = { (void *)(uintptr_t)addr, 255 };
	ssize_t k = addr ? process_vm_readv(n->pid, &local, 1, &remote, 1, 0) : -1;
	/* The memory read is only trustworthy while the call still waits. */
	if (k <= 0 || !sf_notif_valid(listener, n->id)) {
		sf_buf_printf(out, "%#" PRIx64, addr);
		return;
	}
	buf[k] = 0;
	size_t len = strnlen(buf, (size_t)k);
	sf_json_put_string(out, buf, len);
	if (len == (size_t)k && k == 255)
		sf_buf_puts(out, "...");
}

void sf_describe_call(int listener, const struct sf_notif *n, const char *name, struct sf_buf *out)
{
	uint8_t paths = 0;
	unsigned nargs = 6;

	for (size_t i = 0; name && i < SF_ARRAY_SIZE(path_args); i++)
		if (strcmp(path_args[i].name, name) == 0)
			paths = path_args[i].paths;
	if (name)
		sf_buf_puts(out, name);
	else
		sf_buf_printf(out, "syscall_%d", n->data.nr);
	/* Trailing zero arguments say nothing. */
	while (nargs > 0 && n->data.args[nargs - 1] == 0)
		nargs--;
	if (paths)
		for (unsigned i = 0; i < 6; i++)
			if ((paths >> i) & 1 && i + 1 > nargs)
				nargs = i + 1;
	sf_buf_putc(out, '(');
	for (unsigned i = 0; i < nargs; i++) {
		uint64_t a = n->data.args[i];
		if (i)
			sf_buf_puts(out, ", ");
		if ((paths >> i) & 1) {
			put_path(listener, n, a, out);
		} else if (name && i == 0 && (strcmp(name, "socket") == 0 ||
					      strcmp(name, "socketpair") == 0) &&
			   a < SF_ARRAY_SIZE(families) && families[a]) {
			sf_buf_puts(out, families[a]);
		} else if (name && i == 0 && (strcmp(name, "clone") == 0 ||
					      strcmp(name, "unshare") == 0)) {
			bool any = false;
			for (size_t k = 0; k < SF_ARRAY_SIZE(clone_ns); k++)
				if (a & clone_ns[k].bit) {
					sf_buf_printf(out, "%s%s", any ? "|" : "", clone_ns[k].name);
					any = true;
				}
			uint64_t rest = a;
			for (size_t k = 0; k < SF_ARRAY_SIZE(clone_ns); k++)
				rest &= ~clone_ns[k].bit;
			if (rest || !any)
				sf_buf_printf(out, "%s%#" PRIx64, any ? "|" : "", rest);
		} else if ((int64_t)a == -100 && (paths >> (i + 1)) & 1) {
			sf_buf_puts(out, "AT_FDCWD");
		} else if (a < 4096) {
			sf_buf_printf(out, "%" PRIu64, a);
		} else {
			sf_buf_printf(out, "%#" PRIx64, a);
		}
	}
	sf_buf_putc(out, ')');
}
