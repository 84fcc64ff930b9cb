/*
 * sysfence — what confines a live process: its seccomp mode and filters, no_new_privs,
 * capabilities, namespaces, cgroup and container, LSM label; read from /proc and, as root, the
 * filters themselves (PTRACE_SECCOMP_GET_FILTER), summarized per ABI by emulation.
 */
#ifndef SYSFENCE_STATUS_H
#define SYSFENCE_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sysfence/arch.h>
#include <sysfence/bpf.h>
#include <sysfence/doc.h>
#include <sysfence/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* /proc/PID/status's Seccomp: values. */
enum sf_seccomp_mode {
	SF_SECCOMP_UNKNOWN = -1, /* the kernel does not show it (no CONFIG_SECCOMP) */
	SF_SECCOMP_DISABLED = 0,
	SF_SECCOMP_STRICT = 1,
	SF_SECCOMP_FILTER = 2,
};
/* "disabled", "strict", "filter", "unknown". */
const char *sf_seccomp_mode_name(int mode);

/* The capability sets, in the order of their /proc/PID/status lines' keys. */
enum sf_cap_set {
	SF_CAP_EFF, /* CapEff */
	SF_CAP_PRM, /* CapPrm */
	SF_CAP_INH, /* CapInh */
	SF_CAP_BND, /* CapBnd */
	SF_CAP_AMB, /* CapAmb */
	SF_CAP_NSETS,
};
/* "effective", "permitted", "inheritable", "bounding", "ambient". */
const char *sf_cap_set_name(enum sf_cap_set set);

/* What /proc/PID/status says; -1 (or false) for what it does not show. */
struct sf_proc_status {
	char name[64]; /* Name: (comm), as the kernel escapes it */
	long tgid, ppid, tracer_pid;
	int kthread;	       /* Kthread: (recent kernels) 0/1 */
	long uid[4], gid[4];   /* real, effective, saved, filesystem */
	int seccomp;	       /* enum sf_seccomp_mode */
	long seccomp_filters;  /* Seccomp_filters: (Linux 5.9+) */
	int no_new_privs;      /* NoNewPrivs: 0/1 */
	unsigned caps_present; /* bit (1 << set) when that Cap* line was there */
	uint64_t caps[SF_CAP_NSETS];
};

/*
 * Parse the text of /proc/PID/status (every key is optional; unknown keys are skipped). -EINVAL
 * at name:LINE:COL when a known key has a value that is not what the kernel writes.
 */
int sf_proc_status_parse(const char *name, const char *text, size_t len, struct sf_proc_status *out,
			 struct sf_error *err);

/*
 * A capability set for people, against the full set (capabilities 0..last_cap):
 * "all", "none", "all but CAP_NET_RAW, CAP_SYS_ADMIN" when most are there, else the list
 * "CAP_KILL, CAP_NET_BIND_SERVICE". Capabilities without a known name are "cap41".
 * Bits above last_cap are named too (they are not part of "all").
 */
void sf_caps_describe(uint64_t set, unsigned last_cap, struct sf_buf *out);
/* The name of a capability, or "capN" into buf when it has none. Returns the name. */
const char *sf_cap_label(unsigned cap, char *buf, size_t size);

/* Namespaces, as /proc/PID/ns/ names them. */
enum sf_ns {
	SF_NS_MNT,
	SF_NS_PID,
	SF_NS_NET,
	SF_NS_IPC,
	SF_NS_UTS,
	SF_NS_USER,
	SF_NS_CGROUP,
	SF_NS_TIME,
	SF_NS_COUNT,
};
const char *sf_ns_name(enum sf_ns ns);

struct sf_ns_info {
	uint64_t ino, ref_ino; /* the process's and the reference's inode, 0 when unknown */
	int err, ref_err;      /* negative errno when unreadable (-EACCES, -ENOENT: no such ns) */
};

/* What namespaces are compared with: PID 1's, or when those cannot be read (PID 1 holds
 * capabilities the caller lacks, hidepid), the caller's own. */
enum sf_ns_ref {
	SF_NS_REF_PID1,
	SF_NS_REF_SELF,
};

/* One line of /proc/PID/cgroup: "hierarchy-ID:controller-list:path" (v2: "0::path"). */
struct sf_cgroup_line {
	unsigned hierarchy;
	char *controllers; /* "" for v2; "name=systemd" for named v1 hierarchies */
	char *path;
};

/*
 * Parse /proc/PID/cgroup into a malloc'd array (free with sf_cgroup_lines_free). -EINVAL at
 * name:LINE:COL when a line is not "ID:CONTROLLERS:PATH".
 */
int sf_cgroup_parse(const char *name, const char *text, size_t len, struct sf_cgroup_line **out,
		    size_t *n, struct sf_error *err);
void sf_cgroup_lines_free(struct sf_cgroup_line *lines, size_t n);

#define SF_CONTAINER_ID_MAX 129
#define SF_POD_UID_MAX	    37

/* The container (or Kubernetes pod) a cgroup path names. */
struct sf_container {
	/* "docker", "containerd", "cri-o", "podman", "systemd-nspawn", "lxc"; NULL when the path
	 * does not tell (Kubernetes' cgroupfs layout: /kubepods/besteffort/pod<uid>/<id>) */
	const char *runtime;
	char id[SF_CONTAINER_ID_MAX]; /* container ID or machine name; "" for a pod alone */
	char pod_uid[SF_POD_UID_MAX]; /* Kubernetes pod UID with dashes, "" when not in a pod */
	const char *qos;	      /* "guaranteed", "burstable", "besteffort" with a pod */
	bool monitor; /* the runtime's monitor (crio-conmon-, libpod-conmon-, lxc.monitor.) */
};

/*
 * The container a cgroup path names: the innermost segment that has a container's form
 * (/docker/<64 hex>, docker-<64 hex>.scope, cri-containerd-<id>.scope, crio-<id>.scope,
 * crio-conmon-<id>.scope, libpod-<id>.scope, libpod-conmon-<id>.scope,
 * systemd-nspawn@NAME.service, /lxc/NAME, /lxc.payload.NAME, a Kubernetes pod
 * (kubepods-QOS-pod<uid_with_underscores>.slice, /kubepods/QOS/pod<uid>/<64 hex>)).
 * Returns false (and out cleared) when none is named.
 */
bool sf_container_from_cgroup(const char *path, struct sf_container *out);
/* The same over every line of /proc/PID/cgroup: the v2 line first, then the v1 lines. */
bool sf_container_from_cgroups(const struct sf_cgroup_line *lines, size_t n,
			       struct sf_container *out);

/* The ELF ABI of an executable's first bytes (e_ident .. e_flags): x86_64, x32, x86, ... or
 * NULL when not an ELF file of a known architecture. */
const struct sf_arch *sf_elf_arch(const void *head, size_t len);

/*
 * The ABIs a process of ABI `primary` can make syscalls with on a kernel of ABI `kernel`:
 * primary first, then the others of the kernel (x86_64: x86_64, x86, x32; aarch64: aarch64,
 * arm; s390x: s390x, s390; ...). Returns how many were written to out (at most max).
 */
size_t sf_abi_family(const struct sf_arch *kernel, const struct sf_arch *primary,
		     const struct sf_arch **out, size_t max);

/* ---- filters, summarized by emulation ---- */

/* What a filter (or a stack of filters) does with one syscall of one ABI. */
struct sf_syscall_verdict {
	long nr; /* the kernel's number (x32: with 0x40000000) */
	const char *name;
	uint32_t ret;	  /* the return value with all arguments (and the IP) zero */
	bool conditional; /* the program reads an argument or the IP on that syscall's path */
};

struct sf_abi_verdicts {
	const struct sf_arch *arch;
	struct sf_syscall_verdict *v; /* every syscall of the arch's table, by number */
	size_t n;
	uint32_t common_ret; /* the most common return value (ties: the smaller value) */
	size_t nallowed;     /* ALLOW or LOG with zero arguments */
	size_t nrefused;     /* any other action with zero arguments */
	size_t nconditional;
	uint32_t other_ret; /* the result for a number above the table's largest */
};

struct sf_filter_verdicts {
	struct sf_abi_verdicts *abis;
	size_t nabis;
};

/*
 * Emulate a stack of programs on every syscall of every ABI given, with zero arguments (and a
 * zero instruction pointer), and find the syscalls whose result depends on them. progs are in
 * sf_filters_read's order (oldest first); the result is the kernel's combination of all
 * (sf_filters_eval). -EINVAL when a program is invalid.
 */
int sf_filter_verdicts(const struct sf_prog *progs, size_t nprogs,
		       const struct sf_arch *const *abis, size_t nabis,
		       struct sf_filter_verdicts *out, struct sf_error *err);
void sf_filter_verdicts_free(struct sf_filter_verdicts *v);

/* True when ret lets the syscall run (ALLOW, LOG). */
bool sf_ret_allows(uint32_t ret);

/* ---- the whole status of a process ---- */

/* Why the filters could not be read. */
enum sf_filters_problem {
	SF_FILTERS_READ = 0,	   /* read; or nothing to read (not in filter mode) */
	SF_FILTERS_NOT_TRIED,	   /* not asked for (no SF_STATUS_FILTERS) */
	SF_FILTERS_NO_CAP,	   /* the caller lacks CAP_SYS_ADMIN */
	SF_FILTERS_PTRACE_DENIED,  /* ptrace refused (no CAP_SYS_PTRACE over it, Yama) */
	SF_FILTERS_NO_KERNEL,	   /* kernel without CONFIG_CHECKPOINT_RESTORE */
	SF_FILTERS_CALLER_SECCOMP, /* the caller itself runs under seccomp */
	SF_FILTERS_TRACED,	   /* the target is already traced by another process */
	SF_FILTERS_SELF,	   /* the target is the caller's own process (ptrace refuses) */
	SF_FILTERS_GONE,	   /* the target exited meanwhile */
	SF_FILTERS_NOT_CLASSIC,	   /* a filter is not classic BPF: the kernel keeps no program */
	SF_FILTERS_ERROR,	   /* anything else (message says) */
};
/* "caller-lacks-cap-sys-admin", ...: stable words for JSON. */
const char *sf_filters_problem_key(enum sf_filters_problem p);

enum {
	SF_STATUS_FILTERS = 1 << 0, /* read the filters (stops the process briefly, with ptrace) */
};

struct sf_status {
	pid_t pid;
	bool kernel_thread;
	char comm[64];
	char *exe; /* NULL when unreadable (kernel thread, permission) */
	int exe_err;
	struct sf_proc_status st;
	unsigned last_cap; /* /proc/sys/kernel/cap_last_cap */

	struct sf_ns_info ns[SF_NS_COUNT];
	enum sf_ns_ref ns_ref;
	int ns_pid1_err; /* why PID 1's could not be read, with SF_NS_REF_SELF */

	struct sf_cgroup_line *cgroups;
	size_t ncgroups;
	int cgroup_err;
	bool in_container;
	struct sf_container container;

	char *lsm;	/* /proc/PID/attr/current; NULL when no LSM gives one */
	char *apparmor; /* /proc/PID/attr/apparmor/current, when present */
	int lsm_err;

	const struct sf_arch *abi;     /* the process's ABI (its executable's ELF header) */
	const struct sf_arch *abis[4]; /* the ABIs it can call with, abi first */
	size_t nabis;

	enum sf_filters_problem filters_problem;
	char filters_why[SF_ERROR_MSG_MAX]; /* what is missing and why, when not read */
	struct sf_prog *progs;		    /* sf_filters_read's order: progs[0] the oldest */
	size_t nprogs;
	struct sf_filter_verdicts *per_filter; /* nprogs entries */
	struct sf_filter_verdicts combined;    /* the stack as the kernel runs it */
};

/*
 * Read the status of process pid (0: the caller's own process). Fails only when the process
 * does not exist (-ESRCH) or its /proc/PID/status cannot be read or parsed; any other part that
 * cannot be read is left unknown with the reason recorded. With SF_STATUS_FILTERS, a process
 * in filter mode is stopped briefly to read its filters (sf_filters_read).
 */
int sf_status_read(pid_t pid, unsigned flags, struct sf_status **out, struct sf_error *err);
void sf_status_free(struct sf_status *st);
static inline void sf_status_freep(struct sf_status **st)
{
	sf_status_free(*st);
}

/* Output: a report for people; one line for a process table; a JSON object (stable keys). */
void sf_status_write_text(const struct sf_status *st, struct sf_buf *out);
void sf_status_write_line_header(struct sf_buf *out);
void sf_status_write_line(const struct sf_status *st, struct sf_buf *out);
void sf_status_write_json(const struct sf_status *st, struct sf_buf *out);

#ifdef __cplusplus
}
#endif
#endif
