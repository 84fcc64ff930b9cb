/* Loading a filter on the calling thread, and what the kernel says about seccomp. */
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sysfence/enforce.h>
#include <sysfence/profile.h>

#include "util/util.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static unsigned long kernel_flags(unsigned flags)
{
	unsigned long k = 0;
	if (flags & SF_FLAG_TSYNC)
		k |= SECCOMP_FILTER_FLAG_TSYNC;
	if (flags & SF_FLAG_LOG)
		k |= SECCOMP_FILTER_FLAG_LOG;
	if (flags & SF_FLAG_SPEC_ALLOW)
		k |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	if (flags & SF_FLAG_NEW_LISTENER)
		k |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	if (flags & SF_FLAG_TSYNC_ESRCH)
		k |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	if (flags & SF_FLAG_WAIT_KILLABLE_RECV)
		k |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	return k;
}

int sf_seccomp_load(const struct sf_prog *prog, const struct sf_load_opts *o, int *listener,
		    struct sf_error *err)
{
	struct sock_fprog fp = { .len = (unsigned short)prog->len, .filter = prog->insns };
	unsigned flags = o->flags | (o->new_listener ? SF_FLAG_NEW_LISTENER : 0);
	long r;

	if (prog->len == 0 || prog->len > SF_BPF_MAXINSNS)
		return sf_error_set(err, -EINVAL, "a filter holds 1 to %d instructions, not %zu",
				    SF_BPF_MAXINSNS, prog->len);
	if ((flags & SF_FLAG_WAIT_KILLABLE_RECV) && !(flags & SF_FLAG_NEW_LISTENER))
		return sf_error_set(err, -EINVAL,
				    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a listener: the "
				    "kernel refuses it otherwise");
	if (o->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sf_error_set(err, -errno, "cannot set no_new_privs: %s", strerror(errno));
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, kernel_flags(flags), &fp);
	if (r < 0) {
		int e = errno;
		switch (e) {
		case ENOMEM:
			return sf_error_set(err, -e,
					    "the kernel refused the filter: with the filters already "
					    "on this process it exceeds %d instructions in all",
					    SF_BPF_MAX_TOTAL_INSNS);
		case EACCES:
			return sf_error_set(err, -e,
					    "loading a filter needs no_new_privs or CAP_SYS_ADMIN");
		case EINVAL:
			return sf_error_set(err, -e,
					    "the kernel refused the filter or its flags (%#lx): an "
					    "action or flag this kernel lacks",
					    kernel_flags(flags));
		case EBUSY:
			return sf_error_set(err, -e,
					    "a filter on this process already has a listener (one "
					    "listener per filter chain)");
		default:
			return sf_error_set(err, -e, "seccomp(SECCOMP_SET_MODE_FILTER): %s",
					    strerror(e));
		}
	}
	if (listener)
		*listener = (flags & SF_FLAG_NEW_LISTENER) ? (int)r : -1;
	return 0;
}

bool sf_seccomp_action_available(uint32_t action)
{
	return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

int sf_seccomp_self(int *mode, int *nfilters)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];

	*mode = *nfilters = -1;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Seccomp:", 8) == 0)
			*mode = atoi(line + 8);
		else if (strncmp(line, "Seccomp_filters:", 16) == 0)
			*nfilters = atoi(line + 16);
	}
	fclose(f);
	return 0;
}
