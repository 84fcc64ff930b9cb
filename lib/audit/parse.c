/*
 * One line of log text: the seccomp audit records it holds, in each form they reach users, and
 * the markers a log leaves when records were lost. No regex, no allocation: a few anchored
 * searches find the record, one pass reads its fields.
 */
#include <errno.h>
#include <string.h>

#include <sysfence/audit.h>

#include "util/util.h"

/* SECCOMP_RET_* as the kernel logs them (code= is the action without its data). */
#define RET_KILL_PROCESS 0x80000000U
#define RET_KILL_THREAD	 0x00000000U
#define RET_TRAP	 0x00030000U
#define RET_ERRNO	 0x00050000U
#define RET_USER_NOTIF	 0x7fc00000U
#define RET_TRACE	 0x7ff00000U
#define RET_LOG		 0x7ffc0000U
#define RET_ALLOW	 0x7fff0000U
#define RET_ACTION_FULL	 0xffff0000U
#define RET_DATA	 0x0000ffffU

#define X32_SYSCALL_BIT 0x40000000L

static const char *const action_names[] = {
    [SF_AUDIT_ACT_UNKNOWN] = "UNKNOWN",
    [SF_AUDIT_ACT_KILL_PROCESS] = "KILL_PROCESS",
    [SF_AUDIT_ACT_KILL_THREAD] = "KILL_THREAD",
    [SF_AUDIT_ACT_KILL] = "KILL",
    [SF_AUDIT_ACT_TRAP] = "TRAP",
    [SF_AUDIT_ACT_ERRNO] = "ERRNO",
    [SF_AUDIT_ACT_USER_NOTIF] = "USER_NOTIF",
    [SF_AUDIT_ACT_TRACE] = "TRACE",
    [SF_AUDIT_ACT_LOG] = "LOG",
    [SF_AUDIT_ACT_ALLOW] = "ALLOW",
};

const char *sf_audit_action_name(enum sf_audit_action a)
{
	if ((size_t)a >= SF_ARRAY_SIZE(action_names))
		return action_names[SF_AUDIT_ACT_UNKNOWN];
	return action_names[a];
}

enum sf_audit_action sf_audit_action_from_code(uint32_t code)
{
	switch (code & RET_ACTION_FULL) {
	case RET_KILL_PROCESS:
		return SF_AUDIT_ACT_KILL_PROCESS;
	case RET_KILL_THREAD:
		return SF_AUDIT_ACT_KILL_THREAD;
	case RET_TRAP:
		return SF_AUDIT_ACT_TRAP;
	case RET_ERRNO:
		return SF_AUDIT_ACT_ERRNO;
	case RET_USER_NOTIF:
		return SF_AUDIT_ACT_USER_NOTIF;
	case RET_TRACE:
		return SF_AUDIT_ACT_TRACE;
	case RET_LOG:
		return SF_AUDIT_ACT_LOG;
	case RET_ALLOW:
		return SF_AUDIT_ACT_ALLOW;
	default:
		return SF_AUDIT_ACT_UNKNOWN;
	}
}

const char *sf_audit_form_name(enum sf_audit_form f)
{
	switch (f) {
	case SF_AUDIT_FORM_PRINTK:
		return "printk";
	case SF_AUDIT_FORM_AUDITD:
		return "auditd";
	case SF_AUDIT_FORM_INTERPRETED:
		return "interpreted";
	case SF_AUDIT_FORM_JOURNAL:
		return "journal";
	}
	return "unknown";
}

/* Signal numbers as most arches have them (x86, arm, ppc, s390, riscv, loongarch, parisc's
 * SIGSYS); mips differs, and only its SIGSYS is named. */
static const char *const signal_names[] = {
    NULL,	 "SIGHUP",  "SIGINT",	 "SIGQUIT", "SIGILL",	"SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",	 "SIGKILL", "SIGUSR1",	 "SIGSEGV", "SIGUSR2",	"SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT",	 "SIGSTOP", "SIGTSTP",	"SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU",	 "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS",
};

static bool abi_is_mips(const struct sf_arch *abi)
{
	return abi && strncmp(abi->name, "mips", 4) == 0;
}

const char *sf_audit_signal_name(const struct sf_audit_record *rec)
{
	if (rec->sig <= 0)
		return NULL;
	if (abi_is_mips(rec->abi))
		return rec->sig == 12 ? "SIGSYS" : rec->sig == 9 ? "SIGKILL" : NULL;
	if ((size_t)rec->sig < SF_ARRAY_SIZE(signal_names))
		return signal_names[rec->sig];
	return NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * memmem for the few needles we look for, anchored on a byte that is rare in log text (the
 * needle's anchor-th): memchr skips to it, memcmp confirms. glibc's memmem costs more to set up
 * than a log line takes to scan.
 */
static const char *find(const char *s, size_t n, const char *needle, size_t k, size_t anchor)
{
	if (n < k)
		return NULL;
	const char *p = s + anchor, *end = s + n - (k - 1 - anchor);
	while (p < end) {
		p = memchr(p, needle[anchor], (size_t)(end - p));
		if (!p)
			return NULL;
		if (memcmp(p - anchor, needle, k) == 0)
			return p - anchor;
		p++;
	}
	return NULL;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_dec(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return false;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(p[i] - '0'), &v))
			return false;
	}
	*out = v;
	return true;
}

static bool parse_hex(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		n -= 2;
	}
	if (n == 0 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = hex_value(p[i]);
		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

/* "unknown-seccomp-code(0x7ffc0000)", "unknown-syscall(1073741907)": ausearch -i's words for
 * values it cannot name; the number inside. */
static bool parenthesized(const char *p, size_t n, const char **in, size_t *in_len)
{
	const char *open = memchr(p, '(', n);

	if (!open || n < 2 || p[n - 1] != ')')
		return false;
	*in = open + 1;
	*in_len = (size_t)(p + n - 1 - *in);
	return true;
}

static bool streq_n(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n == k && memcmp(p, lit, k) == 0;
}

/* Case-insensitive, '-' and '_' alike: "kill-process", "KILL_PROCESS". */
static bool word_eq(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	if (n != k)
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = p[i], b = lit[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a == '_')
			a = '-';
		if (a != b)
			return false;
	}
	return true;
}

bool sf_audit_kmsg_header(const char *line, size_t len, uint64_t *seq, size_t *msg_off)
{
	size_t i = 0;
	uint64_t v[3];

	for (int f = 0; f < 3; f++) {
		size_t start = i;
		while (i < len && is_digit(line[i]))
			i++;
		if (i == start || i >= len || line[i] != ',' ||
		    !parse_dec(line + start, i - start, &v[f]))
			return false;
		i++;
	}
	/* Flags ('-', 'c', '+') and fields later kernels may add, up to ';'. */
	for (size_t k = 0; i < len && line[i] != ';'; i++, k++)
		if (line[i] == ' ' || k > 64)
			return false;
	if (i >= len)
		return false;
	*seq = v[1];
	*msg_off = i + 1;
	return true;
}

/* A record's start: its marker, where its header begins, and its form. */
struct marker {
	size_t at;    /* where the marker starts */
	size_t after; /* just past "type=1326", "type=SECCOMP", "SECCOMP " */
	enum sf_audit_form form;
};

/* "audit: SECCOMP " or "audit[1234]: SECCOMP " ending at colon (the ':' index). */
static bool journal_prefix(const char *s, size_t colon)
{
	size_t k = colon;

	if (k > 0 && s[k - 1] == ']') {
		k--;
		while (k > 0 && is_digit(s[k - 1]))
			k--;
		if (k == 0 || s[k - 1] != '[' || k == colon - 1)
			return false;
		k--;
	}
	return k >= 5 && memcmp(s + k - 5, "audit", 5) == 0;
}

static bool find_record(const char *s, size_t from, size_t len, struct marker *m)
{
	size_t i = from, limit = len;
	bool found = false;

	while (i + 5 <= len) {
		const char *t = find(s + i, len - i, "type=", 5, 1);
		if (!t)
			break;
		size_t at = (size_t)(t - s), v = at + 5, rest = len - v;
		if (rest >= 4 && memcmp(s + v, "1326", 4) == 0 && (rest == 4 || s[v + 4] == ' ')) {
			*m = (struct marker){at, v + 4, SF_AUDIT_FORM_PRINTK};
			found = true;
		} else if (rest >= 8 && memcmp(s + v, "SECCOMP ", 8) == 0) {
			*m = (struct marker){at, v + 7, SF_AUDIT_FORM_AUDITD};
			found = true;
		} else if (rest >= 14 && memcmp(s + v, "UNKNOWN[1326] ", 14) == 0) {
			*m = (struct marker){at, v + 13, SF_AUDIT_FORM_AUDITD};
			found = true;
		}
		if (found) {
			limit = at;
			break;
		}
		i = v;
	}
	/* journald's audit transport: "audit[1234]: SECCOMP auid=...", before any type= record. */
	for (i = from; i + 10 <= limit;) {
		const char *t = find(s + i, limit - i, ": SECCOMP ", 10, 2);
		if (!t)
			break;
		size_t at = (size_t)(t - s);
		if (journal_prefix(s, at)) {
			*m = (struct marker){at + 2, at + 10, SF_AUDIT_FORM_JOURNAL};
			return true;
		}
		i = at + 1;
	}
	return found;
}

/* The keys of a SECCOMP record: ausearch -i writes comm and exe unquoted, spaces and all, so
 * such a value runs to the next " KEY=". */
static const struct {
	const char *name;
	size_t len;
} known_keys[] = {
    {"auid", 4}, {"uid", 3}, {"gid", 3},  {"ses", 3},	  {"subj", 4},	 {"pid", 3}, {"comm", 4},
    {"exe", 3},	 {"sig", 3}, {"arch", 4}, {"syscall", 7}, {"compat", 6}, {"ip", 2},  {"code", 4},
};

static bool known_key_at(const char *s, size_t k, size_t end)
{
	for (size_t i = 0; i < SF_ARRAY_SIZE(known_keys); i++) {
		size_t n = known_keys[i].len;
		if (k + n < end && s[k + n] == '=' && memcmp(s + k, known_keys[i].name, n) == 0)
			return true;
	}
	return false;
}

static size_t interpreted_value_end(const char *s, size_t v, size_t end)
{
	for (size_t j = v; j < end;) {
		const char *sp = memchr(s + j, ' ', end - j);
		if (!sp)
			return end;
		size_t k = (size_t)(sp - s);
		if (known_key_at(s, k + 1, end))
			return k;
		j = k + 1;
	}
	return end;
}

static bool is_hex_string(const char *p, size_t n)
{
	if (n == 0 || n % 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if (hex_value(p[i]) < 0)
			return false;
	return true;
}

/* comm= and exe=: "quoted", HEX (the kernel's form when the name has spaces, quotes or bytes
 * outside 0x21..0x7e), or, from ausearch -i, the decoded text. */
static bool set_string(const char *p, size_t n, bool quoted, bool raw, char *buf, size_t size,
		       const char **out, size_t *out_len)
{
	if (!quoted && raw && is_hex_string(p, n)) {
		if (n / 2 > size)
			return false;
		for (size_t i = 0; i < n; i += 2)
			buf[i / 2] = (char)(hex_value(p[i]) << 4 | hex_value(p[i + 1]));
		*out = buf;
		*out_len = n / 2;
		return true;
	}
	*out = p;
	*out_len = n;
	return true;
}

/* ausearch -i names machines as uname does (libaudit's table), not as libseccomp does. */
static const struct sf_arch *arch_by_machine(const char *p, size_t n)
{
	static const struct {
		const char *machine, *arch;
	} machines[] = {
	    {"i386", "x86"},	  {"i486", "x86"},	  {"i586", "x86"},
	    {"i686", "x86"},	  {"x86_64", "x86_64"},	  {"armeb", "arm"},
	    {"armv5tejl", "arm"}, {"armv5tel", "arm"},	  {"armv6l", "arm"},
	    {"armv7l", "arm"},	  {"aarch64", "aarch64"}, {"ppc", "ppc"},
	    {"ppc64", "ppc64"},	  {"ppc64le", "ppc64le"}, {"s390", "s390"},
	    {"s390x", "s390x"},
	};
	char name[32];

	for (size_t i = 0; i < SF_ARRAY_SIZE(machines); i++)
		if (streq_n(p, n, machines[i].machine))
			return sf_arch_find(machines[i].arch);
	if (n == 0 || n >= sizeof(name))
		return NULL;
	memcpy(name, p, n);
	name[n] = 0;
	return sf_arch_find(name);
}

static int signal_by_name(const char *p, size_t n)
{
	if (n > 3 && memcmp(p, "SIG", 3) == 0) {
		p += 3;
		n -= 3;
	}
	for (size_t i = 1; i < SF_ARRAY_SIZE(signal_names); i++)
		if (streq_n(p, n, signal_names[i] + 3))
			return (int)i;
	return -1;
}

static enum sf_audit_action action_by_word(const char *p, size_t n)
{
	static const struct {
		const char *word;
		enum sf_audit_action a;
	} words[] = {
	    {"kill", SF_AUDIT_ACT_KILL},
	    {"kill-process", SF_AUDIT_ACT_KILL_PROCESS},
	    {"kill-thread", SF_AUDIT_ACT_KILL_THREAD},
	    {"trap", SF_AUDIT_ACT_TRAP},
	    {"errno", SF_AUDIT_ACT_ERRNO},
	    {"user-notif", SF_AUDIT_ACT_USER_NOTIF},
	    {"notify", SF_AUDIT_ACT_USER_NOTIF},
	    {"trace", SF_AUDIT_ACT_TRACE},
	    {"log", SF_AUDIT_ACT_LOG},
	    {"allow", SF_AUDIT_ACT_ALLOW},
	};
	for (size_t i = 0; i < SF_ARRAY_SIZE(words); i++)
		if (word_eq(p, n, words[i].word))
			return words[i].a;
	return SF_AUDIT_ACT_UNKNOWN;
}

static enum sf_audit_kind malformed(struct sf_audit_event *ev, const char *reason)
{
	ev->kind = SF_AUDIT_MALFORMED;
	ev->reason = reason;
	return ev->kind;
}

/* "audit(1700000000.123:456): " or ausearch -i's "audit(11/23/2026 05:09:09.123:456) : ".
 * Sets *fields to the offset of the fields; false with ev set to MALFORMED. */
static bool parse_header(const char *s, size_t i, size_t end, struct sf_audit_event *ev,
			 size_t *fields)
{
	struct sf_audit_record *r = &ev->rec;
	const char *close = i < end && s[i] == '(' ? memchr(s + i, ')', end - i) : NULL;

	if (!close) {
		malformed(ev, "truncated in audit(...)");
		return false;
	}
	size_t in = i + 1, c = (size_t)(close - s);
	size_t colon = c;
	while (colon > in && s[colon - 1] != ':')
		colon--;
	if (colon == in || !parse_dec(s + colon, c - colon, &r->serial)) {
		malformed(ev, "audit(TIME:SERIAL) expected");
		return false;
	}
	r->has_serial = true;
	r->time = s + in;
	r->time_len = colon - 1 - in;
	/* Seconds since the epoch, a dot, milliseconds: the kernel's form. */
	const char *dot = memchr(r->time, '.', r->time_len);
	uint64_t sec, ms;
	if (dot && parse_dec(r->time, (size_t)(dot - r->time), &sec) && sec <= INT64_MAX &&
	    parse_dec(dot + 1, (size_t)(r->time + r->time_len - dot - 1), &ms) && ms < 1000) {
		r->has_epoch = true;
		r->sec = (int64_t)sec;
		r->msec = (unsigned)ms;
	} else if (r->form == SF_AUDIT_FORM_AUDITD && r->time_len > 0 &&
		   memchr(r->time, ' ', r->time_len)) {
		r->form = SF_AUDIT_FORM_INTERPRETED;
	} else {
		malformed(ev, "audit(...) holds no time");
		return false;
	}
	size_t k = c + 1;
	if (k < end && s[k] == ':') {
		*fields = k + 1;
		return true;
	}
	if (k + 1 < end && s[k] == ' ' && s[k + 1] == ':') {
		*fields = k + 2;
		return true;
	}
	malformed(ev, "truncated after audit(...)");
	return false;
}

static void resolve_syscall(struct sf_audit_record *r)
{
	if (r->has_arch)
		r->abi = sf_arch_by_audit(r->audit_arch);
	/* x32 calls reach the kernel as x86_64 ones with __X32_SYSCALL_BIT set. */
	if (r->abi && r->syscall >= X32_SYSCALL_BIT && strcmp(r->abi->name, "x86_64") == 0)
		r->abi = sf_arch_find("x32");
	if (r->syscall >= 0) {
		if (r->abi)
			r->syscall_name = sf_syscall_name(r->abi, r->syscall);
		return;
	}
	/* ausearch -i names the call: our table's copy of the name, and its number. */
	char name[64];
	size_t n = r->syscall_text_len;
	if (n == 0 || n >= sizeof(name))
		return;
	memcpy(name, r->syscall_text, n);
	name[n] = 0;
	if (r->abi) {
		r->syscall = sf_syscall_nr(r->abi, name);
		if (r->syscall >= 0)
			r->syscall_name = sf_syscall_name(r->abi, r->syscall);
	} else {
		long idx = sf_syscall_index(name);
		if (idx >= 0)
			r->syscall_name = sf_syscall_name_at((size_t)idx);
	}
}

/* The fields of one record, from i to end. */
static enum sf_audit_kind parse_fields(const char *s, size_t i, size_t end,
				       struct sf_audit_event *ev)
{
	struct sf_audit_record *r = &ev->rec;
	bool raw = r->form != SF_AUDIT_FORM_INTERPRETED;
	bool have_syscall = false, have_code = false, have_arch = false;

	while (i < end) {
		while (i < end && (s[i] == ' ' || s[i] == '\t'))
			i++;
		size_t k = i;
		while (i < end && s[i] != '=' && s[i] != ' ')
			i++;
		if (i >= end || s[i] != '=')
			continue; /* a word without '=': AppArmor's "(enforce)" after subj= */
		const char *key = s + k;
		size_t klen = i - k, v = i + 1, vend;
		bool quoted = false;

		if (v < end && s[v] == '"') {
			const char *q = memchr(s + v + 1, '"', end - v - 1);
			if (!q)
				return malformed(ev, "truncated in a quoted value");
			quoted = true;
			v++;
			vend = (size_t)(q - s);
			i = vend + 1;
		} else {
			bool spaced =
			    !raw && (streq_n(key, klen, "comm") || streq_n(key, klen, "exe") ||
				     streq_n(key, klen, "subj"));
			if (spaced) {
				vend = interpreted_value_end(s, v, end);
			} else {
				const char *sp = memchr(s + v, ' ', end - v);
				vend = sp ? (size_t)(sp - s) : end;
			}
			i = vend;
		}
		const char *val = s + v;
		size_t vlen = vend - v;
		uint64_t x;
		const char *in;
		size_t in_len;

		switch (klen) {
		case 2:
			if (memcmp(key, "ip", 2) == 0 && parse_hex(val, vlen, &x)) {
				r->has_ip = true;
				r->ip = x;
			}
			break;
		case 3:
			if (memcmp(key, "pid", 3) == 0) {
				if (parse_dec(val, vlen, &x) && x <= INT32_MAX)
					r->pid = (long long)x;
			} else if (memcmp(key, "exe", 3) == 0) {
				if (!set_string(val, vlen, quoted, raw, r->exe_buf,
						sizeof(r->exe_buf), &r->exe, &r->exe_len))
					return malformed(ev, "exe= too long");
			} else if (memcmp(key, "sig", 3) == 0) {
				if (parse_dec(val, vlen, &x) && x < 1024)
					r->sig = (int)x;
				else if (!raw && parenthesized(val, vlen, &in, &in_len) &&
					 parse_dec(in, in_len, &x) && x < 1024)
					r->sig = (int)x;
				else if (!raw)
					r->sig = signal_by_name(val, vlen);
				else
					return malformed(ev, "sig= is not a number");
			}
			break;
		case 4:
			if (memcmp(key, "comm", 4) == 0) {
				if (!set_string(val, vlen, quoted, raw, r->comm_buf,
						sizeof(r->comm_buf), &r->comm, &r->comm_len))
					return malformed(ev, "comm= too long");
			} else if (memcmp(key, "arch", 4) == 0) {
				have_arch = true;
				if (!raw) {
					r->abi = arch_by_machine(val, vlen);
					if (r->abi)
						break;
				}
				if (!parse_hex(val, vlen, &x) || x > UINT32_MAX) {
					if (raw)
						return malformed(ev, "arch= is not a number");
					break;
				}
				r->has_arch = true;
				r->audit_arch = (uint32_t)x;
			} else if (memcmp(key, "code", 4) == 0) {
				have_code = true;
				if (!raw) {
					r->action = action_by_word(val, vlen);
					if (r->action != SF_AUDIT_ACT_UNKNOWN)
						break;
					if (parenthesized(val, vlen, &in, &in_len)) {
						val = in;
						vlen = in_len;
					}
				}
				/* The kernel writes 0x%x: without its 0x, "code=0" is a cut. */
				if (!parse_hex(val, vlen, &x) || x > UINT32_MAX ||
				    (raw && (vlen < 3 || val[1] != 'x'))) {
					if (raw)
						return malformed(ev, "code= is not a number");
					break;
				}
				/* The kernel logs the action alone: data bits mean a garbled or
				 * truncated value ("code=0x5" of "code=0x50000"). */
				if (x & RET_DATA)
					return malformed(
					    ev, "code= is not a seccomp action (truncated?)");
				r->has_code = true;
				r->code = (uint32_t)x;
				r->action = sf_audit_action_from_code(r->code);
				/* Nor does it log actions it does not have: "code=0x80000" is a
				 * KILL_PROCESS cut short. */
				if (r->action == SF_AUDIT_ACT_UNKNOWN && raw)
					return malformed(
					    ev, "code= is not a seccomp action (truncated?)");
			}
			break;
		case 6:
			if (memcmp(key, "compat", 6) == 0 && vlen == 1 &&
			    (val[0] == '0' || val[0] == '1'))
				r->compat = val[0] - '0';
			break;
		case 7:
			if (memcmp(key, "syscall", 7) != 0)
				break;
			have_syscall = true;
			r->syscall_text = val;
			r->syscall_text_len = vlen;
			if (parse_dec(val, vlen, &x) && x <= INT32_MAX) {
				r->syscall = (long)x;
			} else if (!raw && parenthesized(val, vlen, &in, &in_len) &&
				   parse_dec(in, in_len, &x) && x <= INT32_MAX) {
				r->syscall = (long)x;
			} else if (raw) {
				/* syscall=-1 and the like: a number, but no call. */
				if (!(vlen > 1 && val[0] == '-' &&
				      parse_dec(val + 1, vlen - 1, &x)))
					return malformed(ev, "syscall= is not a number");
			}
			break;
		default:
			break;
		}
	}
	/* Fields come in the kernel's order: the last missing one says where the line stops. */
	if (!have_code)
		return malformed(ev, "truncated: no code=");
	if (!have_syscall)
		return malformed(ev, "no syscall=");
	if (!have_arch)
		return malformed(ev, "no arch=");
	resolve_syscall(r);
	ev->kind = SF_AUDIT_RECORD;
	return ev->kind;
}

static void reset_record(struct sf_audit_record *r, enum sf_audit_form form)
{
	/* Field by field: the buffers are written only when a value is hex-encoded. */
	r->form = form;
	r->time = NULL;
	r->time_len = 0;
	r->has_epoch = false;
	r->sec = 0;
	r->msec = 0;
	r->serial = 0;
	r->has_serial = false;
	r->pid = -1;
	r->comm = r->exe = NULL;
	r->comm_len = r->exe_len = 0;
	r->has_arch = false;
	r->audit_arch = 0;
	r->abi = NULL;
	r->syscall = -1;
	r->syscall_name = NULL;
	r->syscall_text = NULL;
	r->syscall_text_len = 0;
	r->has_code = false;
	r->code = 0;
	r->action = SF_AUDIT_ACT_UNKNOWN;
	r->sig = -1;
	r->compat = -1;
	r->has_ip = false;
	r->ip = 0;
}

static enum sf_audit_kind gap(struct sf_audit_event *ev, size_t col, enum sf_audit_gap_kind kind,
			      const char *what, bool has_count, uint64_t count)
{
	ev->kind = SF_AUDIT_GAP;
	ev->col = col + 1;
	ev->gap_kind = kind;
	ev->gap_what = what;
	ev->gap_has_count = has_count;
	ev->gap_count = count;
	return ev->kind;
}

/* The number written just before offset at (after skipping spaces), or false. */
static bool number_before(const char *s, size_t from, size_t at, uint64_t *out, size_t *start)
{
	size_t e = at;
	while (e > from && s[e - 1] == ' ')
		e--;
	size_t b = e;
	while (b > from && is_digit(s[b - 1]))
		b--;
	if (start)
		*start = b;
	return parse_dec(s + b, e - b, out);
}

/* Markers of lost records in a line that holds no record: s[from, len). */
static enum sf_audit_kind find_gap(const char *s, size_t from, size_t len, bool has_audit,
				   struct sf_audit_event *ev)
{
	const char *t;
	uint64_t n;
	size_t b;

	if (!has_audit) {
		/* journald: "Missed 37 kernel messages"; rsyslog: "imjournal: 12 messages lost
		 * due to rate-limiting". */
		static const char kernel[] = " kernel",
				  lost[] = " messages lost due to rate-limiting";
		t = find(s + from, len - from, " messages", 9, 7);
		if (!t)
			return SF_AUDIT_NONE;
		size_t at = (size_t)(t - s), kl = sizeof(kernel) - 1, ll = sizeof(lost) - 1;
		if (at >= from + kl && memcmp(s + at - kl, kernel, kl) == 0 &&
		    number_before(s, from, at - kl, &n, &b) && b >= from + 7 &&
		    memcmp(s + b - 7, "Missed ", 7) == 0)
			return gap(ev, b - 7, SF_AUDIT_GAP_MISSED,
				   "kernel messages missed by journald", true, n);
		if (len - at >= ll && memcmp(t, lost, ll) == 0 &&
		    number_before(s, from, at, &n, &b))
			return gap(ev, b, SF_AUDIT_GAP_MISSED,
				   "messages lost to syslog rate-limiting", true, n);
		return SF_AUDIT_NONE;
	}
	/* Other audit records (type=1305 config changes speak of audit_backlog_limit=): none of
	 * them is a marker. */
	if (find(s + from, len - from, "audit(", 6, 5))
		return SF_AUDIT_NONE;
	t = find(s + from, len - from, " callbacks suppressed", 21, 2);
	if (t) {
		size_t at = (size_t)(t - s);
		/* "kauditd_printk_skb: 37 callbacks suppressed": only audit's own functions. */
		if (!number_before(s, from, at, &n, &b) || b < from + 2 || s[b - 1] != ' ' ||
		    s[b - 2] != ':')
			return SF_AUDIT_NONE;
		size_t fe = b - 2, fb = fe;
		while (fb > from && s[fb - 1] != ' ' && s[fb - 1] != ']' && s[fb - 1] != ';')
			fb--;
		if (fe == fb || !memmem(s + fb, fe - fb, "audit", 5))
			return SF_AUDIT_NONE;
		return gap(ev, fb, SF_AUDIT_GAP_SUPPRESSED, "audit records suppressed by printk",
			   true, n);
	}
	t = find(s + from, len - from, "audit_lost=", 11, 6);
	if (t) {
		size_t at = (size_t)(t - s) + 11, e = at;
		while (e < len && is_digit(s[e]))
			e++;
		if (parse_dec(s + at, e - at, &n))
			return gap(ev, at - 11, SF_AUDIT_GAP_LOST_COUNTER, "audit_lost counter",
				   true, n);
		return SF_AUDIT_NONE;
	}
	static const struct {
		const char *text;
		const char *what;
	} markers[] = {
	    {"printk limit exceeded", "audit: printk limit exceeded"},
	    {"rate limit exceeded", "audit: rate limit exceeded"},
	    {"backlog limit exceeded", "audit: backlog limit exceeded"},
	    {"hold queue overflow", "audit: kauditd hold queue overflow"},
	    {"audit_backlog=", "audit: audit_backlog over audit_backlog_limit"},
	};
	for (size_t i = 0; i < SF_ARRAY_SIZE(markers); i++) {
		t = memmem(s + from, len - from, markers[i].text, strlen(markers[i].text));
		if (t)
			return gap(ev, (size_t)(t - s), SF_AUDIT_GAP_SUPPRESSED, markers[i].what,
				   false, 0);
	}
	return SF_AUDIT_NONE;
}

enum sf_audit_kind sf_audit_parse(const char *line, size_t len, size_t *pos,
				  struct sf_audit_event *ev)
{
	size_t from = *pos, off;
	uint64_t seq;
	struct marker m, next;

	ev->kind = SF_AUDIT_NONE;
	if (from == 0 && sf_audit_kmsg_header(line, len, &seq, &off))
		from = off;
	if (from >= len) {
		*pos = len;
		return SF_AUDIT_NONE;
	}
	bool has_audit = find(line + from, len - from, "audit", 5, 2) != NULL;
	for (;;) {
		if (!has_audit || !find_record(line, from, len, &m)) {
			*pos = len;
			return find_gap(line, from, len, has_audit, ev);
		}
		size_t i = m.after;
		while (i < len && line[i] == ' ')
			i++;
		if (m.form == SF_AUDIT_FORM_JOURNAL)
			break;
		/* A mention of "type=1326" in other text is no record; a line that stops in the
		 * header is a truncated one. */
		const char *want = m.form == SF_AUDIT_FORM_PRINTK ? "audit(" : "msg=audit(";
		size_t wl = strlen(want), have = len - i < wl ? len - i : wl;
		if (memcmp(line + i, want, have) == 0)
			break;
		from = m.after;
	}
	/* A record cut short runs into the next one: it ends where the next begins. */
	size_t end = len, i = m.after;
	if (find_record(line, m.after, len, &next))
		end = next.at;
	*pos = end;
	ev->col = m.at + 1;
	reset_record(&ev->rec, m.form);
	while (i < end && line[i] == ' ')
		i++;
	if (m.form != SF_AUDIT_FORM_JOURNAL) {
		size_t wl = m.form == SF_AUDIT_FORM_PRINTK ? 5 : 9; /* "audit", "msg=audit" */
		if (end - i <= wl)
			return malformed(ev, "truncated in the header");
		if (!parse_header(line, i + wl, end, ev, &i))
			return SF_AUDIT_MALFORMED;
	}
	/* auditd's enriched format appends the interpreted fields after a 0x1d separator. */
	const char *gs = m.form == SF_AUDIT_FORM_AUDITD ? memchr(line + i, 0x1d, end - i) : NULL;
	if (gs)
		end = (size_t)(gs - line);
	return parse_fields(line, i, end, ev);
}
