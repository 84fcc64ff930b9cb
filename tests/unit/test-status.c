/*
 * Unit tests of lib/inspect/status*.c: /proc/PID/status and /proc/PID/cgroup parsing (fixtures
 * in tests/data/status/, written by us), cgroup paths to containers for every runtime layout,
 * capability sets for people, ELF headers to ABIs, and filter verdicts by emulation on small
 * hand-written programs. The whole-process reading is tested on real processes in
 * tests/integration/status.bats.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <sysfence/sysfence.h>
#include <sysfence/status.h>

#define ID64 "3f4e9a0c2b1d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"
#define POD  "5b1e6c2a-7d3f-4e8a-9b0c-1d2e3f4a5b6c"
#define POD_ "5b1e6c2a_7d3f_4e8a_9b0c_1d2e3f4a5b6c"

static char *slurp(const char *name, size_t *len)
{
	const char *dir = getenv("SYSFENCE_TEST_DATA");
	char path[512];
	char *data = NULL;
	struct sf_error err;

	snprintf(path, sizeof(path), "%s/status/%s", dir ? dir : "tests/data", name);
	if (sf_read_file(path, &data, len, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	return data;
}

static int parse_status_file(const char *name, struct sf_proc_status *st, struct sf_error *err)
{
	size_t len;
	char *text = slurp(name, &len);
	int r = sf_proc_status_parse(name, text, len, st, err);
	free(text);
	return r;
}

/* ---- /proc/PID/status ---- */

static void status_of_a_confined_container_process(void **state)
{
	struct sf_proc_status st;
	struct sf_error err;
	(void)state;

	assert_int_equal(parse_status_file("container.txt", &st, &err), 0);
	assert_string_equal(st.name, "nginx: worker");
	assert_int_equal(st.tgid, 4242);
	assert_int_equal(st.ppid, 4200);
	assert_int_equal(st.tracer_pid, 0);
	assert_int_equal(st.uid[0], 1000);
	assert_int_equal(st.uid[1], 1001);
	assert_int_equal(st.uid[2], 1002);
	assert_int_equal(st.uid[3], 1003);
	assert_int_equal(st.gid[0], 0);
	assert_int_equal(st.kthread, 0);
	assert_int_equal(st.seccomp, SF_SECCOMP_FILTER);
	assert_int_equal(st.seccomp_filters, 1);
	assert_int_equal(st.no_new_privs, 1);
	assert_int_equal(st.caps_present, 0x1f);
	assert_true(st.caps[SF_CAP_EFF] == 0xa80425fbu);
	assert_true(st.caps[SF_CAP_PRM] == 0xa80425fbu);
	assert_true(st.caps[SF_CAP_BND] == 0xa80425fbu);
	assert_true(st.caps[SF_CAP_INH] == 0);
	assert_true(st.caps[SF_CAP_AMB] == 0);
}

static void status_of_an_old_kernel_leaves_missing_keys_unknown(void **state)
{
	struct sf_proc_status st;
	struct sf_error err;
	(void)state;

	/* no Seccomp_filters (before 5.9), no NoNewPrivs (before 4.10), no Kthread */
	assert_int_equal(parse_status_file("old-kernel.txt", &st, &err), 0);
	assert_string_equal(st.name, "sshd");
	assert_int_equal(st.seccomp, SF_SECCOMP_DISABLED);
	assert_int_equal(st.seccomp_filters, -1);
	assert_int_equal(st.no_new_privs, -1);
	assert_int_equal(st.kthread, -1);
	assert_true(st.caps[SF_CAP_EFF] == 0x3fffffffffull);
}

static void status_of_kernel_thread_and_strict_mode(void **state)
{
	struct sf_proc_status st;
	struct sf_error err;
	(void)state;

	assert_int_equal(parse_status_file("kthread.txt", &st, &err), 0);
	assert_int_equal(st.kthread, 1);
	assert_int_equal(parse_status_file("traced-strict.txt", &st, &err), 0);
	assert_int_equal(st.seccomp, SF_SECCOMP_STRICT);
	assert_string_equal(sf_seccomp_mode_name(st.seccomp), "strict");
	assert_int_equal(st.tracer_pid, 899);
	assert_int_equal(st.uid[0], 65534);
	assert_true(st.caps[SF_CAP_BND] == 0);
}

static void status_with_bad_values_is_refused_with_a_position(void **state)
{
	struct sf_proc_status st;
	struct sf_error err;
	(void)state;

	assert_int_equal(parse_status_file("bad-capeff.txt", &st, &err), -EINVAL);
	assert_string_equal(err.file, "bad-capeff.txt");
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.msg, "CapEff"));
	assert_int_equal(parse_status_file("bad-uid.txt", &st, &err), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "four decimal ids"));
	assert_int_equal(parse_status_file("bad-seccomp.txt", &st, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "Seccomp"));
	/* a mask of more than 64 bits, a NoNewPrivs of 2 */
	const char *t1 = "CapBnd:\t00000001ffffffffff\n";
	assert_int_equal(sf_proc_status_parse("x", t1, strlen(t1), &st, &err), -EINVAL);
	const char *t2 = "NoNewPrivs:\t2\n";
	assert_int_equal(sf_proc_status_parse("x", t2, strlen(t2), &st, &err), -EINVAL);
	/* an empty text: everything unknown */
	assert_int_equal(sf_proc_status_parse("x", "", 0, &st, &err), 0);
	assert_int_equal(st.seccomp, SF_SECCOMP_UNKNOWN);
	assert_int_equal(st.caps_present, 0);
	assert_string_equal(sf_seccomp_mode_name(st.seccomp), "unknown");
}

/* ---- capabilities ---- */

static char *describe(uint64_t set, unsigned last_cap)
{
	static char text[2048];
	struct sf_buf b = {0};
	sf_caps_describe(set, last_cap, &b);
	assert_false(b.oom);
	snprintf(text, sizeof(text), "%s", b.data ? b.data : "");
	sf_buf_free(&b);
	return text;
}

static void caps_are_all_none_all_but_or_a_list(void **state)
{
	(void)state;
	assert_string_equal(describe(0x1ffffffffffull, 40), "all");
	assert_string_equal(describe(0, 40), "none");
	/* this machine's: everything but CAP_SYS_RESOURCE (24) */
	assert_string_equal(describe(0x1fffeffffffull, 40), "all but CAP_SYS_RESOURCE");
	assert_string_equal(describe(0x1ffffffffffull & ~((1ull << 21) | (1ull << 13)), 40),
			    "all but CAP_NET_RAW, CAP_SYS_ADMIN");
	/* Docker's default set */
	assert_string_equal(
	    describe(0xa80425fbull, 40),
	    "CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, "
	    "CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_NET_RAW, "
	    "CAP_SYS_CHROOT, CAP_MKNOD, CAP_AUDIT_WRITE, CAP_SETFCAP");
	/* crun's default */
	assert_string_equal(describe((1ull << 29) | (1ull << 5) | (1ull << 10), 40),
			    "CAP_KILL, CAP_NET_BIND_SERVICE, CAP_AUDIT_WRITE");
	/* "all" is relative to the kernel's last capability */
	assert_string_equal(describe(0x3fffffffffull, 37), "all");
	assert_string_equal(describe(0x3fffffffffull, 40),
			    "all but CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE");
	/* capabilities newer than our table are numbered; bits above last_cap are told apart */
	assert_string_equal(describe(1ull << 41, 41), "cap41");
	assert_string_equal(describe(0x3ffffffffffull, 41), "all");
	assert_string_equal(describe(0x1ffffffffffull | (1ull << 45), 40), "all; also cap45");
	char buf[16];
	assert_string_equal(sf_cap_label(21, buf, sizeof(buf)), "CAP_SYS_ADMIN");
	assert_string_equal(sf_cap_label(63, buf, sizeof(buf)), "cap63");
	assert_string_equal(sf_cap_set_name(SF_CAP_BND), "bounding");
}

/* ---- cgroups and containers ---- */

struct cg_case {
	const char *file;
	const char *runtime; /* NULL: none named */
	const char *id;	     /* NULL: no container */
	const char *pod;
	const char *qos;
	bool monitor;
};

static const struct cg_case cg_cases[] = {
    {"cgroup-docker-v1.txt", "docker", ID64, NULL, NULL, false},
    {"cgroup-docker-systemd.txt", "docker", ID64, NULL, NULL, false},
    {"cgroup-k8s-containerd.txt", "containerd", ID64, POD, "burstable", false},
    {"cgroup-k8s-cgroupfs-v1.txt", NULL, ID64, POD, "besteffort", false},
    {"cgroup-k8s-guaranteed.txt", NULL, ID64, POD, "guaranteed", false},
    {"cgroup-k8s-pod-only.txt", NULL, NULL, POD, "guaranteed", false},
    {"cgroup-crio.txt", "cri-o", ID64, POD, "besteffort", false},
    {"cgroup-crio-conmon.txt", "cri-o", ID64, POD, "besteffort", true},
    {"cgroup-podman.txt", "podman", ID64, NULL, NULL, false},
    {"cgroup-podman-conmon.txt", "podman", ID64, NULL, NULL, true},
    {"cgroup-nspawn.txt", "systemd-nspawn", "debian", NULL, NULL, false},
    {"cgroup-lxc.txt", "lxc", "web1", NULL, NULL, false},
    {"cgroup-lxc-v1.txt", "lxc", "web2", NULL, NULL, false},
    {"cgroup-host.txt", NULL, NULL, NULL, NULL, false},
    {"cgroup-docker-lookalike.txt", NULL, NULL, NULL, NULL, false},
};

static void cgroup_files_name_their_container(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cg_cases) / sizeof(cg_cases[0]); i++) {
		const struct cg_case *c = &cg_cases[i];
		struct sf_cgroup_line *lines;
		struct sf_container ct;
		struct sf_error err;
		size_t len, n;
		char *text = slurp(c->file, &len);
		bool found;

		if (sf_cgroup_parse(c->file, text, len, &lines, &n, &err) < 0)
			fail_msg("%s: %s", c->file, err.msg);
		free(text);
		found = sf_container_from_cgroups(lines, n, &ct);
		sf_cgroup_lines_free(lines, n);
		if (found != (c->id || c->pod))
			fail_msg("%s: found %d", c->file, found);
		if (!found)
			continue;
		if ((c->runtime == NULL) != (ct.runtime == NULL) ||
		    (c->runtime && strcmp(c->runtime, ct.runtime) != 0))
			fail_msg("%s: runtime %s, want %s", c->file,
				 ct.runtime ? ct.runtime : "NULL",
				 c->runtime ? c->runtime : "NULL");
		if (strcmp(ct.id, c->id ? c->id : "") != 0)
			fail_msg("%s: id '%s'", c->file, ct.id);
		if (strcmp(ct.pod_uid, c->pod ? c->pod : "") != 0)
			fail_msg("%s: pod '%s'", c->file, ct.pod_uid);
		if ((c->qos == NULL) != (ct.qos == NULL) || (c->qos && strcmp(c->qos, ct.qos) != 0))
			fail_msg("%s: qos %s", c->file, ct.qos ? ct.qos : "NULL");
		if (ct.monitor != c->monitor)
			fail_msg("%s: monitor %d", c->file, ct.monitor);
	}
}

static void cgroup_lines_are_parsed_and_bad_ones_refused(void **state)
{
	struct sf_cgroup_line *lines;
	struct sf_error err;
	size_t len, n;
	char *text = slurp("cgroup-docker-v1.txt", &len);
	(void)state;

	assert_int_equal(sf_cgroup_parse("f", text, len, &lines, &n, &err), 0);
	free(text);
	assert_int_equal(n, 13);
	assert_int_equal(lines[0].hierarchy, 12);
	assert_string_equal(lines[0].controllers, "hugetlb");
	assert_string_equal(lines[0].path, "/docker/" ID64);
	assert_string_equal(lines[3].controllers, "cpu,cpuacct");
	assert_string_equal(lines[11].controllers, "name=systemd");
	assert_int_equal(lines[12].hierarchy, 0);
	assert_string_equal(lines[12].controllers, "");
	assert_string_equal(lines[12].path, "/system.slice/containerd.service");
	sf_cgroup_lines_free(lines, n);

	text = slurp("cgroup-bad.txt", &len);
	assert_int_equal(sf_cgroup_parse("cgroup-bad.txt", text, len, &lines, &n, &err), -EINVAL);
	free(text);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "HIERARCHY-ID:CONTROLLERS:PATH"));
	/* a path may hold colons */
	const char *t = "0::/a:b\n";
	assert_int_equal(sf_cgroup_parse("x", t, strlen(t), &lines, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(lines[0].path, "/a:b");
	sf_cgroup_lines_free(lines, n);
}

static void cgroup_paths_of_every_runtime_form(void **state)
{
	struct sf_container c;
	(void)state;

	/* Docker, cgroupfs and systemd drivers; inside a Kubernetes pod (dockershim) */
	assert_true(sf_container_from_cgroup("/docker/" ID64, &c));
	assert_string_equal(c.runtime, "docker");
	assert_true(sf_container_from_cgroup("/system.slice/docker-" ID64 ".scope", &c));
	assert_string_equal(c.id, ID64);
	assert_true(sf_container_from_cgroup("/kubepods.slice/kubepods-besteffort.slice/"
					     "kubepods-besteffort-pod" POD_ ".slice/docker-" ID64
					     ".scope",
					     &c));
	assert_string_equal(c.runtime, "docker");
	assert_string_equal(c.pod_uid, POD);
	assert_string_equal(c.qos, "besteffort");
	/* a 63-digit or upper-case ID is not Docker's */
	assert_false(sf_container_from_cgroup(
	    "/docker/3f4e9a0c2b1d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3", &c));
	assert_false(
	    sf_container_from_cgroup("/system.slice/docker-3F4E9A0C2B1D8E7F6A5B4C3D2E1F0A9B"
				     "8C7D6E5F4A3B2C1D0E9F8A7B6C5D4E3F.scope",
				     &c));
	assert_false(sf_container_from_cgroup("/system.slice/docker.service", &c));
	/* the innermost container wins: a container nested in a Docker container */
	assert_true(sf_container_from_cgroup(
	    "/docker/" ID64 "/docker/"
	    "0000000000000000000000000000000000000000000000000000000000000001",
	    &c));
	assert_string_equal(c.id,
			    "0000000000000000000000000000000000000000000000000000000000000001");
	/* CRI-O with the cgroupfs driver */
	assert_true(sf_container_from_cgroup("/kubepods/burstable/pod" POD "/crio-" ID64, &c));
	assert_string_equal(c.runtime, "cri-o");
	assert_string_equal(c.qos, "burstable");
	assert_false(c.monitor);
	/* podman rootful with cgroupfs */
	assert_true(sf_container_from_cgroup("/libpod_parent/libpod-" ID64, &c));
	assert_string_equal(c.runtime, "podman");
	/* a pod UID that is not one */
	assert_false(sf_container_from_cgroup("/kubepods/besteffort/podnot-a-uid", &c));
	assert_false(sf_container_from_cgroup("/", &c));
	assert_false(sf_container_from_cgroup("", &c));
	assert_null(c.runtime);
	assert_string_equal(c.id, "");
	/* LXC's monitor */
	assert_true(sf_container_from_cgroup("/lxc.monitor.web1", &c));
	assert_true(c.monitor);
	assert_string_equal(c.id, "web1");
}

/* ---- ELF ---- */

static void elf_head(unsigned char *h, int cls, int data, uint16_t machine, uint32_t flags)
{
	memset(h, 0, 64);
	memcpy(h, "\177ELF", 4);
	h[4] = (unsigned char)cls;
	h[5] = (unsigned char)data;
	h[6] = 1;
	bool le = data == 1;
	h[le ? 18 : 19] = (unsigned char)(machine & 0xff);
	h[le ? 19 : 18] = (unsigned char)(machine >> 8);
	size_t fo = cls == 2 ? 48 : 36;
	for (int i = 0; i < 4; i++)
		h[fo + (le ? i : 3 - i)] = (unsigned char)(flags >> (8 * i));
}

static void elf_headers_give_the_abi(void **state)
{
	unsigned char h[64];
	(void)state;

	elf_head(h, 2, 1, 62, 0);
	assert_string_equal(sf_elf_arch(h, 64)->name, "x86_64");
	elf_head(h, 1, 1, 62, 0);
	assert_string_equal(sf_elf_arch(h, 64)->name, "x32");
	elf_head(h, 1, 1, 3, 0);
	assert_string_equal(sf_elf_arch(h, 64)->name, "x86");
	elf_head(h, 2, 1, 183, 0);
	assert_string_equal(sf_elf_arch(h, 64)->name, "aarch64");
	elf_head(h, 1, 1, 40, 0);
	assert_string_equal(sf_elf_arch(h, 64)->name, "arm");
	elf_head(h, 2, 2, 22, 0);
	assert_string_equal(sf_elf_arch(h, 64)->name, "s390x");
	elf_head(h, 2, 1, 21, 0);
	assert_string_equal(sf_elf_arch(h, 64)->name, "ppc64le");
	elf_head(h, 1, 2, 8, 0x20);
	assert_string_equal(sf_elf_arch(h, 64)->name, "mips64n32");
	elf_head(h, 1, 1, 8, 0);
	assert_string_equal(sf_elf_arch(h, 64)->name, "mipsel");
	/* not ELF, truncated, unknown machine */
	assert_null(sf_elf_arch("#!/bin/sh\n echo hi there, not elf", 30));
	elf_head(h, 2, 1, 62, 0);
	assert_null(sf_elf_arch(h, 16));
	elf_head(h, 2, 1, 9999, 0);
	assert_null(sf_elf_arch(h, 64));
	/* this test program itself */
	int fd = open("/proc/self/exe", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, h, 64), 64);
	close(fd);
	assert_ptr_equal(sf_elf_arch(h, 64), sf_arch_native());
}

static void abi_families(void **state)
{
	const struct sf_arch *v[4], *x64 = sf_arch_find("x86_64"), *x86 = sf_arch_find("x86"),
				    *x32 = sf_arch_find("x32"), *arm = sf_arch_find("arm"),
				    *a64 = sf_arch_find("aarch64");
	(void)state;

	assert_int_equal(sf_abi_family(x64, x64, v, 4), 3);
	assert_ptr_equal(v[0], x64);
	assert_ptr_equal(v[1], x86);
	assert_ptr_equal(v[2], x32);
	/* an i386 program on x86_64 can still make 64-bit calls */
	assert_int_equal(sf_abi_family(x64, x86, v, 4), 3);
	assert_ptr_equal(v[0], x86);
	assert_ptr_equal(v[1], x64);
	assert_ptr_equal(v[2], x32);
	/* a program of another family (qemu-user) makes the kernel's calls */
	assert_int_equal(sf_abi_family(x64, arm, v, 4), 3);
	assert_ptr_equal(v[0], x64);
	assert_int_equal(sf_abi_family(a64, NULL, v, 4), 2);
	assert_ptr_equal(v[0], a64);
	assert_ptr_equal(v[1], arm);
	assert_int_equal(sf_abi_family(x64, x64, v, 1), 1);
	assert_int_equal(sf_abi_family(sf_arch_find("riscv64"), NULL, v, 4), 1);
}

/* ---- filter verdicts ---- */

#define LD(off)	     BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(k)	     BPF_STMT(BPF_RET | BPF_K, (k))
#define NR	     offsetof(struct seccomp_data, nr)
#define ARCH	     offsetof(struct seccomp_data, arch)
#define ARG0	     offsetof(struct seccomp_data, args[0])

/* x86_64 only (other arches killed), but without the x32 check: mkdir refused with EPERM,
 * personality allowed for PER_LINUX (0) only, everything else allowed. */
static const struct sock_filter deny_mkdir[] = {
    LD(ARCH),
    JEQ(AUDIT_ARCH_X86_64, 1, 0),
    RET(SECCOMP_RET_KILL_PROCESS),
    LD(NR),
    JEQ(83, 0, 1), /* mkdir */
    RET(SECCOMP_RET_ERRNO | 1),
    JEQ(135, 0, 4), /* personality */
    LD(ARG0),
    JEQ(0, 0, 1),
    RET(SECCOMP_RET_ALLOW),
    RET(SECCOMP_RET_ERRNO | 1),
    RET(SECCOMP_RET_ALLOW),
};

/* Kills getpid (39) on any arch, logs everything else. */
static const struct sock_filter kill_getpid[] = {
    LD(NR),
    JEQ(39, 0, 1),
    RET(SECCOMP_RET_KILL_PROCESS),
    RET(SECCOMP_RET_LOG),
};

static struct sf_prog prog_of(const struct sock_filter *f, size_t n)
{
	struct sf_prog p = {malloc(n * sizeof(*f)), n};
	assert_non_null(p.insns);
	memcpy(p.insns, f, n * sizeof(*f));
	return p;
}

static const struct sf_syscall_verdict *verdict(const struct sf_abi_verdicts *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, name) == 0)
			return &a->v[i];
	fail_msg("%s not in %s", name, a->arch->name);
	return NULL;
}

static void verdicts_of_one_filter_per_abi(void **state)
{
	const struct sf_arch *abis[3] = {sf_arch_find("x86_64"), sf_arch_find("x86"),
					 sf_arch_find("x32")};
	struct sf_prog p = prog_of(deny_mkdir, sizeof(deny_mkdir) / sizeof(deny_mkdir[0]));
	struct sf_filter_verdicts v;
	struct sf_error err;
	(void)state;

	assert_int_equal(sf_filter_verdicts(&p, 1, abis, 3, &v, &err), 0);
	assert_int_equal(v.nabis, 3);
	const struct sf_abi_verdicts *a = &v.abis[0];
	assert_ptr_equal(a->arch, abis[0]);
	assert_int_equal(a->n, (size_t)(a->nallowed + a->nrefused + a->nconditional));
	assert_int_equal(a->nrefused, 1);
	assert_int_equal(a->nconditional, 1);
	assert_int_equal(verdict(a, "mkdir")->ret, SECCOMP_RET_ERRNO | 1);
	assert_false(verdict(a, "mkdir")->conditional);
	assert_int_equal(verdict(a, "personality")->ret, SECCOMP_RET_ALLOW);
	assert_true(verdict(a, "personality")->conditional);
	assert_int_equal(verdict(a, "read")->ret, SECCOMP_RET_ALLOW);
	assert_int_equal(verdict(a, "mkdirat")->ret, SECCOMP_RET_ALLOW);
	assert_int_equal(a->common_ret, SECCOMP_RET_ALLOW);
	assert_int_equal(a->other_ret, SECCOMP_RET_ALLOW);
	for (size_t i = 1; i < a->n; i++)
		assert_true(a->v[i - 1].nr < a->v[i].nr);
	/* i386 calls are killed, all of them */
	a = &v.abis[1];
	assert_int_equal(a->nallowed, 0);
	assert_int_equal(a->nconditional, 0);
	assert_int_equal(a->nrefused, a->n);
	assert_int_equal(a->common_ret, SECCOMP_RET_KILL_PROCESS);
	/* x32 calls share AUDIT_ARCH_X86_64 and the filter forgot them: mkdir gets through */
	a = &v.abis[2];
	assert_int_equal(verdict(a, "mkdir")->nr, 0x40000000 + 83);
	assert_int_equal(verdict(a, "mkdir")->ret, SECCOMP_RET_ALLOW);
	assert_int_equal(a->nrefused, 0);
	sf_filter_verdicts_free(&v);
	sf_prog_free(&p);
}

static void verdicts_of_stacked_filters_follow_the_kernel_precedence(void **state)
{
	const struct sf_arch *abis[1] = {sf_arch_find("x86_64")};
	struct sf_prog p[2] = {
	    prog_of(deny_mkdir, sizeof(deny_mkdir) / sizeof(deny_mkdir[0])),
	    prog_of(kill_getpid, sizeof(kill_getpid) / sizeof(kill_getpid[0])),
	};
	struct sf_filter_verdicts v;
	struct sf_error err;
	(void)state;

	assert_int_equal(sf_filter_verdicts(p, 2, abis, 1, &v, &err), 0);
	const struct sf_abi_verdicts *a = &v.abis[0];
	assert_int_equal(verdict(a, "getpid")->ret, SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(verdict(a, "mkdir")->ret, SECCOMP_RET_ERRNO | 1);
	/* LOG outranks ALLOW, and it still allows */
	assert_int_equal(verdict(a, "read")->ret, SECCOMP_RET_LOG);
	assert_true(sf_ret_allows(SECCOMP_RET_LOG));
	assert_false(sf_ret_allows(SECCOMP_RET_ERRNO | 1));
	assert_false(sf_ret_allows(SECCOMP_RET_USER_NOTIF));
	assert_int_equal(a->common_ret, SECCOMP_RET_LOG);
	assert_true(verdict(a, "personality")->conditional);
	sf_filter_verdicts_free(&v);

	/* a filter that kills outright makes another's argument checks moot */
	static const struct sock_filter kill_personality[] = {
	    LD(NR),
	    JEQ(135, 0, 1),
	    RET(SECCOMP_RET_KILL_PROCESS),
	    RET(SECCOMP_RET_ALLOW),
	};
	sf_prog_free(&p[1]);
	p[1] = prog_of(kill_personality, 4);
	assert_int_equal(sf_filter_verdicts(p, 2, abis, 1, &v, &err), 0);
	assert_false(verdict(&v.abis[0], "personality")->conditional);
	assert_int_equal(verdict(&v.abis[0], "personality")->ret, SECCOMP_RET_KILL_PROCESS);
	sf_filter_verdicts_free(&v);

	/* an invalid program is refused, not emulated */
	static const struct sock_filter bad[] = {LD(3), RET(0)};
	sf_prog_free(&p[1]);
	p[1] = prog_of(bad, 2);
	assert_int_equal(sf_filter_verdicts(p, 2, abis, 1, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "filter 2"));
	assert_null(v.abis);
	sf_prog_free(&p[0]);
	sf_prog_free(&p[1]);
}

/* ---- the process itself, as far as a unit test can ---- */

static void status_of_this_process(void **state)
{
	struct sf_status *s = NULL;
	struct sf_error err;
	struct sf_buf b = {0};
	(void)state;

	assert_int_equal(sf_status_read(0, SF_STATUS_FILTERS, &s, &err), 0);
	assert_int_equal(s->pid, getpid());
	assert_false(s->kernel_thread);
	assert_non_null(s->exe);
	assert_ptr_equal(s->abi, sf_arch_native());
	assert_true(s->nabis >= 1);
	assert_true(s->st.caps_present & (1u << SF_CAP_EFF));
	assert_true(s->ns[SF_NS_MNT].ino != 0);
	sf_status_write_json(s, &b);
	sf_status_write_text(s, &b);
	sf_status_write_line(s, &b);
	assert_false(b.oom);
	sf_buf_free(&b);
	sf_status_free(s);

	assert_int_equal(sf_status_read(0x3ffffffe, 0, &s, &err), -ESRCH);
	assert_null(s);
	assert_int_equal(sf_status_read(-1, 0, &s, &err), -EINVAL);
	assert_string_equal(sf_filters_problem_key(SF_FILTERS_CALLER_SECCOMP),
			    "caller-under-seccomp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(status_of_a_confined_container_process),
	    cmocka_unit_test(status_of_an_old_kernel_leaves_missing_keys_unknown),
	    cmocka_unit_test(status_of_kernel_thread_and_strict_mode),
	    cmocka_unit_test(status_with_bad_values_is_refused_with_a_position),
	    cmocka_unit_test(caps_are_all_none_all_but_or_a_list),
	    cmocka_unit_test(cgroup_files_name_their_container),
	    cmocka_unit_test(cgroup_lines_are_parsed_and_bad_ones_refused),
	    cmocka_unit_test(cgroup_paths_of_every_runtime_form),
	    cmocka_unit_test(elf_headers_give_the_abi),
	    cmocka_unit_test(abi_families),
	    cmocka_unit_test(verdicts_of_one_filter_per_abi),
	    cmocka_unit_test(verdicts_of_stacked_filters_follow_the_kernel_precedence),
	    cmocka_unit_test(status_of_this_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
