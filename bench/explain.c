/*
 * bench/explain: throughput of the audit record reader on 1,000,000 generated log lines in
 * every form (dmesg, syslog, journalctl -k, /dev/kmsg, audit.log, ausearch -i, journald's audit
 * transport, unrelated text, gap markers), counted into a log as `sysfence explain` does.
 * Target: at least 1,000,000 lines a second (of CPU time, the best of 5 rounds).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sysfence/sysfence.h>
#include <sysfence/audit.h>

#define NLINES 1000000
#define TARGET 1000000.0

/* CPU time of this thread: the figure does not depend on what else the machine runs. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const comms[] = {"\"mkdir\"",      "\"http-echo\"", "\"runc:[2:INIT]\"",
				    "6D792070726F67", "\"python3\"",   "\"sshd\""};
static const char *const exes[] = {
    "\"/usr/bin/mkdir\"",      "\"/http-echo\"",
    "\"/usr/bin/runc\"",       "2F6F70742F6D79206170702F62696E2F72756E",
    "\"/usr/bin/python3.11\"", "\"/usr/sbin/sshd\""};
static const char *const codes[] = {"0x80000000", "0x0",	"0x30000",   "0x50000",
				    "0x7fc00000", "0x7ff00000", "0x7ffc0000"};
static const char *const words[] = {"errno", "kill", "trap", "log", "trace"};
static const char *const names[] = {"mkdir", "open", "read", "futex", "accept4", "mount"};

/* One line of form (i % 20): mostly kernel records, as the logs people read hold them. */
static int line(char *b, size_t size, unsigned i, unsigned r)
{
	unsigned k = r % 6, nr = r % 300, pid = 1000 + r % 30000;
	const char *code = codes[r % 7];
	char fields[512];

	snprintf(fields, sizeof(fields),
		 "auid=4294967295 uid=0 gid=0 ses=4294967295 subj=unconfined pid=%u comm=%s exe=%s "
		 "sig=0 arch=%s syscall=%u compat=0 ip=0x7f2e1b9d%04x code=%s",
		 pid, comms[k], exes[k], r % 5 ? "c000003e" : "40000003", nr, r & 0xffff, code);
	switch (i % 20) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
		return snprintf(b, size, "[%5u.%06u] audit: type=1326 audit(1700%06u.%03u:%u): %s",
				i / 1000, i % 1000000, i % 1000000, i % 1000, i, fields);
	case 5:
	case 6:
		return snprintf(b, size,
				"Nov 14 22:13:20 node1 kernel: [  123.456789] audit: "
				"type=1326 audit(1700000000.%03u:%u): %s",
				i % 1000, i, fields);
	case 7:
	case 8:
		return snprintf(b, size,
				"Nov 14 22:13:20 node1 kernel: audit: type=1326 "
				"audit(1700000000.%03u:%u): %s",
				i % 1000, i, fields);
	case 9:
		return snprintf(b, size, "5,%u,%u,-;audit: type=1326 audit(1700000000.%03u:%u): %s",
				i, i * 7, i % 1000, i, fields);
	case 10:
	case 11:
		return snprintf(b, size, "type=SECCOMP msg=audit(1700000000.%03u:%u): %s", i % 1000,
				i, fields);
	case 12:
		return snprintf(
		    b, size,
		    "type=SECCOMP msg=audit(11/14/2023 22:13:20.%03u:%u) : auid=unset "
		    "uid=root gid=root ses=unset pid=%u comm=my prog exe=/opt/my app/run "
		    "sig=0 arch=x86_64 syscall=%s compat=0 ip=0x7f00 code=%s",
		    i % 1000, i, pid, names[k], words[r % 5]);
	case 13:
		return snprintf(b, size, "Nov 14 22:13:21 node1 audit[%u]: SECCOMP %s", pid,
				fields);
	case 14:
		return snprintf(b, size,
				"type=SYSCALL msg=audit(1700000000.100:%u): arch=c000003e "
				"syscall=59 success=yes exit=0 a0=55d5 a1=55d6 items=2 ppid=1 "
				"pid=%u comm=\"mkdir\" exe=\"/usr/bin/mkdir\" key=(null)",
				i, pid);
	case 15:
		return snprintf(b, size, "[%5u.%06u] kauditd_printk_skb: %u callbacks suppressed",
				i / 1000, i % 1000000, r % 100);
	case 16:
		return snprintf(b, size,
				"Nov 14 22:13:19 node1 systemd[1]: Started session-%u.scope "
				"- Session %u of User root.",
				i, i);
	case 17:
		return snprintf(b, size,
				"[%5u.%06u] IPv6: ADDRCONF(NETDEV_CHANGE): veth%x: link "
				"becomes ready",
				i / 1000, i % 1000000, r);
	default:
		return snprintf(b, size,
				"[%5u.%06u] EXT4-fs (sda1): mounted filesystem with ordered "
				"data mode. Quota mode: none.",
				i / 1000, i % 1000000);
	}
}

int main(void)
{
	size_t cap = (size_t)NLINES * 320, len = 0;
	char *data = malloc(cap);
	unsigned r = 12345;
	struct sf_audit_event *ev = malloc(sizeof(*ev));

	if (!data || !ev)
		return 2;
	for (unsigned i = 0; i < NLINES; i++) {
		r = r * 1103515245u + 12345u;
		int n = line(data + len, cap - len - 1, i, r >> 8);
		if (n < 0 || (size_t)n >= cap - len - 1)
			return 2;
		len += (size_t)n;
		data[len++] = '\n';
	}

	double best = 0;
	struct sf_audit_stats st = {0};
	for (int round = 0; round < 5; round++) {
		struct sf_audit_log *log = sf_audit_log_new();
		if (!log)
			return 2;
		double t0 = now();
		for (const char *p = data, *end = data + len; p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), pos = 0;
			while (sf_audit_log_next(log, NULL, p, n, &pos, ev) > 0)
				;
			p += n + 1;
		}
		double dt = now() - t0;
		if (best == 0 || dt < best)
			best = dt;
		sf_audit_log_stats(log, &st);
		sf_audit_log_free(log);
	}
	double rate = NLINES / best;
	printf("explain %d lines (%.1f MB, every form; %" PRIu64 " records, %" PRIu64
	       " malformed): %.3f s of CPU, %.2f million lines/s, %.0f MB/s (target >= 1 million "
	       "lines/s: "
	       "%.1fx the target)\n",
	       NLINES, (double)len / 1e6, st.records, st.malformed, best, rate / 1e6,
	       (double)len / best / 1e6, rate / TARGET);
	free(ev);
	free(data);
	return rate >= TARGET ? 0 : 1;
}
