/*
 * The text parsers of sysfence status: /proc/PID/status, /proc/PID/cgroup, cgroup paths to
 * container IDs, capability sets for people, an executable's ELF header to its ABI.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sysfence/profile.h>
#include <sysfence/status.h>

#include "util/util.h"

const char *sf_seccomp_mode_name(int mode)
{
	switch (mode) {
	case SF_SECCOMP_DISABLED:
		return "disabled";
	case SF_SECCOMP_STRICT:
		return "strict";
	case SF_SECCOMP_FILTER:
		return "filter";
	default:
		return "unknown";
	}
}

const char *sf_cap_set_name(enum sf_cap_set set)
{
	static const char *const names[] = {"effective", "permitted", "inheritable", "bounding",
					    "ambient"};
	return (unsigned)set < SF_ARRAY_SIZE(names) ? names[set] : "?";
}

const char *sf_ns_name(enum sf_ns ns)
{
	static const char *const names[] = {"mnt", "pid",  "net",    "ipc",
					    "uts", "user", "cgroup", "time"};
	return (unsigned)ns < SF_ARRAY_SIZE(names) ? names[ns] : "?";
}

/* ---- /proc/PID/status ---- */

/* A decimal number at *p (leading blanks skipped); *p moves past it. */
static bool take_decimal(const char **p, const char *end, long *out)
{
	const char *s = *p;
	unsigned long v = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || !isdigit((unsigned char)*s))
		return false;
	for (; s < end && isdigit((unsigned char)*s); s++) {
		if (v > (unsigned long)(INT64_MAX / 10))
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > (unsigned long)INT64_MAX)
		return false;
	*out = (long)v;
	*p = s;
	return true;
}

static bool only_blanks(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return false;
	return true;
}

static bool take_hex64(const char *p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (; p < end && isxdigit((unsigned char)*p); p++, n++) {
		int d =
		    isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
		v = v << 4 | (uint64_t)d;
	}
	if (n == 0 || n > 16 || !only_blanks(p, end))
		return false;
	*out = v;
	return true;
}

static const struct {
	const char *key;
	enum sf_cap_set set;
} cap_keys[] = {
    {"CapEff", SF_CAP_EFF}, {"CapPrm", SF_CAP_PRM}, {"CapInh", SF_CAP_INH},
    {"CapBnd", SF_CAP_BND}, {"CapAmb", SF_CAP_AMB},
};

int sf_proc_status_parse(const char *name, const char *text, size_t len, struct sf_proc_status *out,
			 struct sf_error *err)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0;

	*out = (struct sf_proc_status){
	    .tgid = -1,
	    .ppid = -1,
	    .tracer_pid = -1,
	    .kthread = -1,
	    .uid = {-1, -1, -1, -1},
	    .gid = {-1, -1, -1, -1},
	    .seccomp = SF_SECCOMP_UNKNOWN,
	    .seccomp_filters = -1,
	    .no_new_privs = -1,
	};
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line = p, *colon, *v;
		size_t klen;
		long num;

		if (!eol)
			eol = end;
		p = eol < end ? eol + 1 : end;
		lineno++;
		colon = memchr(line, ':', (size_t)(eol - line));
		if (!colon)
			continue;
		klen = (size_t)(colon - line);
		v = colon + 1;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(line, k, klen) == 0)
#define BAD(what)                                                                                  \
	sf_error_set_at(err, -EINVAL, name, lineno, (unsigned)(v - line) + 1,                      \
			"%.*s: expected %s, found '%.*s'", (int)klen, line, what,                  \
			(int)(eol - v > 40 ? 40 : eol - v), v)
		if (KEY("Name")) {
			while (v < eol && (*v == '\t' || *v == ' '))
				v++;
			size_t n = (size_t)(eol - v);
			if (n >= sizeof(out->name))
				n = sizeof(out->name) - 1;
			memcpy(out->name, v, n);
			out->name[n] = '\0';
		} else if (KEY("Uid") || KEY("Gid")) {
			long *ids = KEY("Uid") ? out->uid : out->gid;
			for (int i = 0; i < 4; i++)
				if (!take_decimal(&v, eol, &ids[i]))
					return BAD("four decimal ids");
			if (!only_blanks(v, eol))
				return BAD("four decimal ids");
		} else if (KEY("Tgid") || KEY("PPid") || KEY("TracerPid") || KEY("Seccomp") ||
			   KEY("Seccomp_filters") || KEY("NoNewPrivs") || KEY("Kthread")) {
			if (!take_decimal(&v, eol, &num) || !only_blanks(v, eol))
				return BAD("a decimal number");
			if (KEY("Tgid"))
				out->tgid = num;
			else if (KEY("PPid"))
				out->ppid = num;
			else if (KEY("TracerPid"))
				out->tracer_pid = num;
			else if (KEY("Seccomp_filters"))
				out->seccomp_filters = num;
			else if (num > 1 && !KEY("Seccomp"))
				return BAD("0 or 1");
			else if (KEY("Seccomp"))
				out->seccomp = num > 2 ? SF_SECCOMP_UNKNOWN : (int)num;
			else if (KEY("NoNewPrivs"))
				out->no_new_privs = (int)num;
			else
				out->kthread = (int)num;
		} else {
			for (size_t i = 0; i < SF_ARRAY_SIZE(cap_keys); i++) {
				if (klen != strlen(cap_keys[i].key) ||
				    memcmp(line, cap_keys[i].key, klen) != 0)
					continue;
				if (!take_hex64(v, eol, &out->caps[cap_keys[i].set]))
					return BAD("a capability mask of up to 16 hex digits");
				out->caps_present |= 1u << cap_keys[i].set;
			}
		}
#undef KEY
#undef BAD
	}
	return 0;
}

/* ---- capabilities ---- */

const char *sf_cap_label(unsigned cap, char *buf, size_t size)
{
	const char *n = sf_cap_name(cap);
	if (n)
		return n;
	snprintf(buf, size, "cap%u", cap);
	return buf;
}

static void put_cap_list(struct sf_buf *out, uint64_t set, bool *first)
{
	char tmp[16];
	for (unsigned c = 0; c < 64; c++) {
		if (!(set & (UINT64_C(1) << c)))
			continue;
		sf_buf_printf(out, "%s%s", *first ? "" : ", ", sf_cap_label(c, tmp, sizeof(tmp)));
		*first = false;
	}
}

void sf_caps_describe(uint64_t set, unsigned last_cap, struct sf_buf *out)
{
	uint64_t full = last_cap >= 63 ? UINT64_MAX : (UINT64_C(1) << (last_cap + 1)) - 1;
	uint64_t in = set & full, extra = set & ~full;
	unsigned have = (unsigned)__builtin_popcountll(in),
		 total = last_cap >= 63 ? 64 : last_cap + 1;
	bool first = true;

	if (in == full)
		sf_buf_puts(out, "all");
	else if (in == 0 && !extra)
		sf_buf_puts(out, "none");
	else if (have * 2 > total) {
		sf_buf_puts(out, "all but ");
		put_cap_list(out, full & ~in, &first);
	} else
		put_cap_list(out, in, &first);
	if (extra) {
		/* Bits the kernel does not know of cannot be set; name them all the same. */
		sf_buf_puts(out, in == full || have * 2 > total ? "; also " : first ? "" : ", ");
		first = true;
		put_cap_list(out, extra, &first);
	}
}

/* ---- /proc/PID/cgroup ---- */

void sf_cgroup_lines_free(struct sf_cgroup_line *lines, size_t n)
{
	if (!lines)
		return;
	for (size_t i = 0; i < n; i++) {
		free(lines[i].controllers);
		free(lines[i].path);
	}
	free(lines);
}

static char *dup_range(const char *a, const char *b)
{
	char *s = malloc((size_t)(b - a) + 1);
	if (s) {
		memcpy(s, a, (size_t)(b - a));
		s[b - a] = '\0';
	}
	return s;
}

int sf_cgroup_parse(const char *name, const char *text, size_t len, struct sf_cgroup_line **out,
		    size_t *nout, struct sf_error *err)
{
	const char *p = text, *end = text + len;
	struct sf_cgroup_line *v = NULL;
	size_t n = 0, cap = 0;
	unsigned lineno = 0;

	*out = NULL;
	*nout = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *line = p, *c1, *c2;
		long id;

		if (!eol)
			eol = end;
		p = eol < end ? eol + 1 : end;
		lineno++;
		if (eol == line)
			continue;
		const char *q = line;
		c1 = memchr(line, ':', (size_t)(eol - line));
		c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;
		if (!c1 || !c2 || !take_decimal(&q, c1, &id) || q != c1 || id > UINT32_MAX) {
			sf_cgroup_lines_free(v, n);
			return sf_error_set_at(
			    err, -EINVAL, name, lineno, 1,
			    "expected HIERARCHY-ID:CONTROLLERS:PATH, found '%.*s'",
			    (int)(eol - line > 60 ? 60 : eol - line), line);
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct sf_cgroup_line *g = realloc(v, ncap * sizeof(*v));
			if (!g)
				goto oom;
			v = g;
			cap = ncap;
		}
		v[n].hierarchy = (unsigned)id;
		v[n].controllers = dup_range(c1 + 1, c2);
		v[n].path = dup_range(c2 + 1, eol);
		n++;
		if (!v[n - 1].controllers || !v[n - 1].path)
			goto oom;
	}
	*out = v;
	*nout = n;
	return 0;
oom:
	sf_cgroup_lines_free(v, n);
	return sf_error_set(err, -ENOMEM, "out of memory");
}

/* ---- cgroup paths to containers ---- */

static bool is_hex_id(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return true;
}

/* "prefix<64 hex>suffix": the ID's offset, or NULL. */
static const char *hex_between(const char *seg, size_t n, const char *prefix, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	if (n < pl + sl || memcmp(seg, prefix, pl) != 0 || memcmp(seg + n - sl, suffix, sl) != 0)
		return NULL;
	return is_hex_id(seg + pl, n - pl - sl) ? seg + pl : NULL;
}

/* A pod UID as 8-4-4-4-12 hex digits separated by sep ('-' or '_'), normalized to dashes. */
static bool take_pod_uid(const char *s, size_t n, char sep, char out[SF_POD_UID_MAX])
{
	if (n != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != sep : !isxdigit((unsigned char)s[i]))
			return false;
		out[i] = dash ? '-' : (char)tolower((unsigned char)s[i]);
	}
	out[36] = '\0';
	return true;
}

static bool seg_is(const char *seg, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(seg, lit, n) == 0;
}

static bool seg_starts(const char *seg, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return n >= l && memcmp(seg, lit, l) == 0;
}

static void set_container(struct sf_container *c, const char *runtime, const char *id, size_t n,
			  bool monitor)
{
	c->runtime = runtime;
	if (n >= sizeof(c->id))
		n = sizeof(c->id) - 1;
	memcpy(c->id, id, n);
	c->id[n] = '\0';
	c->monitor = monitor;
}

static const char *qos_name(const char *s, size_t n)
{
	if (seg_is(s, n, "burstable"))
		return "burstable";
	if (seg_is(s, n, "besteffort"))
		return "besteffort";
	return NULL;
}

/* One path segment: a Kubernetes slice or pod directory. */
static void pod_segment(const char *s, size_t n, bool after_kubepods, bool after_qos,
			struct sf_container *c)
{
	const char *q;
	/* systemd driver: kubepods-burstable.slice, kubepods-burstable-pod<uid_>.slice,
	 * kubepods-pod<uid_>.slice (guaranteed) */
	if (seg_starts(s, n, "kubepods-") && n > 6 && memcmp(s + n - 6, ".slice", 6) == 0) {
		const char *body = s + 9;
		size_t bn = n - 9 - 6;
		const char *pod = NULL;
		for (q = body; q + 3 <= body + bn; q++)
			if (memcmp(q, "pod", 3) == 0 && (q == body || q[-1] == '-')) {
				pod = q;
				break;
			}
		if (pod && take_pod_uid(pod + 3, (size_t)(body + bn - pod - 3), '_', c->pod_uid)) {
			if (!c->qos)
				c->qos = pod == body ? "guaranteed"
						     : qos_name(body, (size_t)(pod - body - 1));
		} else if (!pod) {
			c->qos = qos_name(body, bn);
		}
		return;
	}
	/* cgroupfs driver: /kubepods/burstable/pod<uid>/, /kubepods/pod<uid>/ (guaranteed) */
	if (after_kubepods && qos_name(s, n)) {
		c->qos = qos_name(s, n);
		return;
	}
	if ((after_kubepods || after_qos) && seg_starts(s, n, "pod") &&
	    take_pod_uid(s + 3, n - 3, '-', c->pod_uid) && !c->qos)
		c->qos = after_qos ? NULL : "guaranteed";
}

bool sf_container_from_cgroup(const char *path, struct sf_container *out)
{
	const char *p = path, *prev = NULL, *id;
	size_t prevn = 0;
	bool kube = false, after_kubepods = false, after_qos = false;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *s;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		s = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - s);

		if (seg_is(s, n, "kubepods") || seg_starts(s, n, "kubepods-") ||
		    seg_is(s, n, "kubepods.slice"))
			kube = true;
		pod_segment(s, n, after_kubepods, after_qos, out);

		if ((id = hex_between(s, n, "docker-", ".scope")))
			set_container(out, "docker", id, 64, false);
		else if ((id = hex_between(s, n, "cri-containerd-", ".scope")))
			set_container(out, "containerd", id, 64, false);
		else if ((id = hex_between(s, n, "crio-conmon-", ".scope")) ||
			 (id = hex_between(s, n, "crio-conmon-", "")))
			set_container(out, "cri-o", id, 64, true);
		else if ((id = hex_between(s, n, "crio-", ".scope")) ||
			 (id = hex_between(s, n, "crio-", "")))
			set_container(out, "cri-o", id, 64, false);
		else if ((id = hex_between(s, n, "libpod-conmon-", ".scope")) ||
			 (id = hex_between(s, n, "libpod-conmon-", "")))
			set_container(out, "podman", id, 64, true);
		else if ((id = hex_between(s, n, "libpod-", ".scope")) ||
			 (id = hex_between(s, n, "libpod-", "")))
			set_container(out, "podman", id, 64, false);
		else if (prev && seg_is(prev, prevn, "docker") && is_hex_id(s, n))
			set_container(out, "docker", s, n, false);
		else if (kube && is_hex_id(s, n))
			/* cgroupfs layout: the runtime is not named */
			set_container(out, NULL, s, n, false);
		else if (seg_starts(s, n, "systemd-nspawn@") && n > 15 + 8 &&
			 memcmp(s + n - 8, ".service", 8) == 0)
			set_container(out, "systemd-nspawn", s + 15, n - 15 - 8, false);
		else if (seg_starts(s, n, "lxc.payload.") && n > 12)
			set_container(out, "lxc", s + 12, n - 12, false);
		else if (seg_starts(s, n, "lxc.monitor.") && n > 12)
			set_container(out, "lxc", s + 12, n - 12, true);
		else if (prev && seg_is(prev, prevn, "lxc") && !seg_is(s, n, "."))
			set_container(out, "lxc", s, n, false);

		after_qos = after_kubepods && qos_name(s, n);
		after_kubepods = seg_is(s, n, "kubepods");
		prev = s;
		prevn = n;
	}
	if (!out->pod_uid[0])
		out->qos = NULL;
	return out->id[0] || out->pod_uid[0];
}

bool sf_container_from_cgroups(const struct sf_cgroup_line *lines, size_t n,
			       struct sf_container *out)
{
	/* The unified hierarchy first: on a hybrid system it is where runtimes put systemd
	 * scopes; then the v1 hierarchies in the kernel's order. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			bool v2 = lines[i].hierarchy == 0 && !lines[i].controllers[0];
			if (v2 == (pass == 0) && sf_container_from_cgroup(lines[i].path, out))
				return true;
		}
	memset(out, 0, sizeof(*out));
	return false;
}

/* ---- ELF header to ABI ---- */

#define ELF_EM_X86_64	 62
#define ELF_EM_MIPS	 8
#define ELF_EF_MIPS_ABI2 0x20

static uint32_t rd(const unsigned char *p, size_t n, bool le)
{
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint32_t)p[le ? i : n - 1 - i] << (8 * i);
	return v;
}

const struct sf_arch *sf_elf_arch(const void *head, size_t len)
{
	const unsigned char *h = head;
	bool is64, le;
	uint32_t machine, flags, audit;

	if (len < 20 || memcmp(h, "\177ELF", 4) != 0 || (h[4] != 1 && h[4] != 2) ||
	    (h[5] != 1 && h[5] != 2))
		return NULL;
	is64 = h[4] == 2;
	le = h[5] == 1;
	machine = rd(h + 18, 2, le);
	if (machine == ELF_EM_X86_64 && !is64)
		return sf_arch_find("x32");
	if (machine == ELF_EM_MIPS && !is64 && len >= 40) {
		flags = rd(h + 36, 4, le);
		if (flags & ELF_EF_MIPS_ABI2)
			return sf_arch_find(le ? "mipsel64n32" : "mips64n32");
	}
	audit = machine | (is64 ? __AUDIT_ARCH_64BIT : 0) | (le ? __AUDIT_ARCH_LE : 0);
	return sf_arch_by_audit(audit);
}

/* The ABIs one kernel accepts; the first is the kernel's own. */
static const char *const families[][3] = {
    {"x86_64", "x86", "x32"},	     {"aarch64", "arm", NULL},
    {"s390x", "s390", NULL},	     {"ppc64", "ppc", NULL},
    {"mips64", "mips", "mips64n32"}, {"mipsel64", "mipsel", "mipsel64n32"},
    {"parisc64", "parisc", NULL},
};

size_t sf_abi_family(const struct sf_arch *kernel, const struct sf_arch *primary,
		     const struct sf_arch **out, size_t max)
{
	const struct sf_arch *fam[3] = {kernel, NULL, NULL};
	size_t n = 0, nfam = kernel ? 1 : 0;
	bool in_family = false;

	for (size_t i = 0; kernel && i < SF_ARRAY_SIZE(families); i++) {
		if (strcmp(families[i][0], kernel->name) != 0)
			continue;
		for (size_t k = 1; k < 3 && families[i][k]; k++)
			if ((fam[nfam] = sf_arch_find(families[i][k])))
				nfam++;
	}
	for (size_t i = 0; i < nfam; i++)
		in_family |= fam[i] == primary;
	/* A program of another family (qemu-user, binfmt_misc) still calls the kernel's ABIs. */
	if (!kernel || in_family) {
		if (primary && n < max)
			out[n++] = primary;
	}
	for (size_t i = 0; i < nfam && n < max; i++)
		if (fam[i] != primary || !in_family)
			out[n++] = fam[i];
	return n;
}
