/*
 * Unit tests of lib/audit: seccomp audit records in every form they reach users, hex-encoded
 * names, every action class, the markers of lost records, malformed and truncated lines, and
 * the outputs (text, JSON, summary, profile, merge). The sample lines are ours.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sysfence/audit.h>
#include <sysfence/doc.h>
#include <sysfence/profile.h>

/* One record of the kernel's form, with the fields a test varies. */
#define KREC(arch, nr, code)                                                                       \
	"audit: type=1326 audit(1700000000.123:456): auid=4294967295 uid=0 gid=0 "                 \
	"ses=4294967295 subj=unconfined pid=1234 comm=\"mkdir\" exe=\"/usr/bin/mkdir\" sig=0 "     \
	"arch=" arch " syscall=" nr " compat=0 ip=0x7f2e1b9d0d27 code=" code

static struct sf_audit_event ev;

/* The first event of a line. */
static enum sf_audit_kind parse(const char *line)
{
	size_t pos = 0;
	memset(&ev, 0xa5, sizeof(ev)); /* nothing may be left from before */
	return sf_audit_parse(line, strlen(line), &pos, &ev);
}

static void assert_str(const char *p, size_t n, const char *want)
{
	assert_non_null(p);
	if (n != strlen(want) || memcmp(p, want, n) != 0)
		fail_msg("got \"%.*s\", want \"%s\"", (int)n, p, want);
}

static void assert_record(const char *line, const char *abi, const char *name,
			  enum sf_audit_action act)
{
	if (parse(line) != SF_AUDIT_RECORD)
		fail_msg("not a record (%s): %s", ev.kind == SF_AUDIT_MALFORMED ? ev.reason : "-",
			 line);
	assert_non_null(ev.rec.abi);
	assert_string_equal(ev.rec.abi->name, abi);
	assert_non_null(ev.rec.syscall_name);
	assert_string_equal(ev.rec.syscall_name, name);
	assert_int_equal(ev.rec.action, act);
}

static void printk_form_as_dmesg_prints_it(void **state)
{
	(void)state;
	assert_record(KREC("c000003e", "83", "0x50000"), "x86_64", "mkdir", SF_AUDIT_ACT_ERRNO);
	assert_int_equal(ev.rec.form, SF_AUDIT_FORM_PRINTK);
	assert_true(ev.rec.has_epoch);
	assert_int_equal(ev.rec.sec, 1700000000);
	assert_int_equal(ev.rec.msec, 123);
	assert_int_equal(ev.rec.serial, 456);
	assert_int_equal(ev.rec.pid, 1234);
	assert_str(ev.rec.comm, ev.rec.comm_len, "mkdir");
	assert_str(ev.rec.exe, ev.rec.exe_len, "/usr/bin/mkdir");
	assert_int_equal(ev.rec.syscall, 83);
	assert_int_equal(ev.rec.code, 0x50000);
	assert_int_equal(ev.rec.sig, 0);
	assert_int_equal(ev.rec.compat, 0);
	assert_true(ev.rec.has_ip);
	assert_int_equal(ev.rec.ip, 0x7f2e1b9d0d27);
	assert_int_equal(ev.col, strlen("audit: ") + 1);

	/* With dmesg's timestamps, dmesg -T's, and none. */
	assert_record("[  123.456789] " KREC("c000003e", "83", "0x50000"), "x86_64", "mkdir",
		      SF_AUDIT_ACT_ERRNO);
	assert_record("[Tue Nov 14 22:13:20 2023] " KREC("c000003e", "83", "0x50000"), "x86_64",
		      "mkdir", SF_AUDIT_ACT_ERRNO);
	/* Kernels before pr_fmt("audit: ") wrote the record alone. */
	assert_record(
	    "type=1326 audit(1700000000.123:456): auid=0 uid=0 gid=0 ses=1 pid=1 "
	    "comm=\"a\" exe=\"/a\" sig=0 arch=c000003e syscall=2 compat=0 ip=0x1 code=0x0",
	    "x86_64", "open", SF_AUDIT_ACT_KILL_THREAD);
}

static void syslog_kern_log_and_journal_prefixes(void **state)
{
	(void)state;
	assert_record(
	    "Nov 14 22:13:20 node1 kernel: [  123.456789] " KREC("c000003e", "83", "0x50000"),
	    "x86_64", "mkdir", SF_AUDIT_ACT_ERRNO);
	assert_record("Nov 14 22:13:20 node1 kernel: " KREC("c000003e", "83", "0x50000"), "x86_64",
		      "mkdir", SF_AUDIT_ACT_ERRNO);
	assert_record("2023-11-14T22:13:20.000123+00:00 node1 kernel: [  123.456789] " KREC(
			  "c000003e", "83", "0x50000"),
		      "x86_64", "mkdir", SF_AUDIT_ACT_ERRNO);
	assert_record("kern  :notice: [  123.456789] " KREC("c000003e", "83", "0x50000"), "x86_64",
		      "mkdir", SF_AUDIT_ACT_ERRNO);
}

static void kmsg_records_are_read_past_their_header(void **state)
{
	uint64_t seq;
	size_t off;

	(void)state;
	assert_record("5,1201,123456790,-;" KREC("c000003e", "83", "0x80000000"), "x86_64", "mkdir",
		      SF_AUDIT_ACT_KILL_PROCESS);
	assert_record("5,1202,123456791,c,more;" KREC("c000003e", "83", "0x80000000"), "x86_64",
		      "mkdir", SF_AUDIT_ACT_KILL_PROCESS);
	assert_true(sf_audit_kmsg_header("6,1200,123456789,-;x", 20, &seq, &off));
	assert_int_equal(seq, 1200);
	assert_int_equal(off, 19);
	assert_false(sf_audit_kmsg_header("6,1200,12345 6789,-;x", 21, &seq, &off));
	assert_false(sf_audit_kmsg_header(" SUBSYSTEM=net", 14, &seq, &off));
	assert_false(sf_audit_kmsg_header("6,1200,1", 8, &seq, &off));
	assert_int_equal(parse(" SUBSYSTEM=net"), SF_AUDIT_NONE);
}

static void kmsg_sequence_jumps_are_gaps_on_the_device_only(void **state)
{
	struct sf_audit_log *log = sf_audit_log_new();
	struct sf_audit_source dev = {.kmsg_seq = true}, copy = {0};
	struct sf_audit_stats st;
	const char *a = "6,10,1,-;hello", *b = "6,11,2,-;world",
		   *c = "6,15,3,-;" KREC("c000003e", "83", "0x0");
	size_t pos;

	(void)state;
	assert_non_null(log);
	pos = 0;
	assert_int_equal(sf_audit_log_next(log, &dev, a, strlen(a), &pos, &ev), SF_AUDIT_NONE);
	pos = 0;
	assert_int_equal(sf_audit_log_next(log, &dev, b, strlen(b), &pos, &ev), SF_AUDIT_NONE);
	pos = 0;
	assert_int_equal(sf_audit_log_next(log, &dev, c, strlen(c), &pos, &ev), SF_AUDIT_GAP);
	assert_int_equal(ev.gap_kind, SF_AUDIT_GAP_MISSED);
	assert_int_equal(ev.gap_count, 3);
	assert_int_equal(sf_audit_log_next(log, &dev, c, strlen(c), &pos, &ev), SF_AUDIT_RECORD);
	assert_int_equal(sf_audit_log_next(log, &dev, c, strlen(c), &pos, &ev), SF_AUDIT_NONE);
	/* A saved copy filtered with grep skips numbers on purpose. */
	pos = 0;
	assert_int_equal(sf_audit_log_next(log, &copy, a, strlen(a), &pos, &ev), SF_AUDIT_NONE);
	pos = 0;
	assert_int_equal(sf_audit_log_next(log, &copy, c, strlen(c), &pos, &ev), SF_AUDIT_RECORD);
	sf_audit_log_stats(log, &st);
	assert_int_equal(st.lines, 5);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.missed, 3);
	assert_true(st.incomplete);
	sf_audit_log_free(log);
}

static void auditd_raw_form_of_audit_log_and_ausearch(void **state)
{
	(void)state;
	assert_record(
	    "type=SECCOMP msg=audit(1700000000.123:456): auid=4294967295 uid=0 gid=0 "
	    "ses=4294967295 subj=unconfined pid=1234 comm=\"mkdir\" exe=\"/usr/bin/mkdir\" "
	    "sig=0 arch=c000003e syscall=83 compat=0 ip=0x7f2e1b9d0d27 code=0x50000",
	    "x86_64", "mkdir", SF_AUDIT_ACT_ERRNO);
	assert_int_equal(ev.rec.form, SF_AUDIT_FORM_AUDITD);
	assert_int_equal(ev.rec.serial, 456);
	assert_int_equal(ev.col, 1);
	/* ausearch prints node= first when the log has it. */
	assert_record("node=node1 type=SECCOMP msg=audit(1700000000.200:457): auid=1000 uid=1000 "
		      "gid=1000 ses=2 pid=1300 comm=\"cat\" exe=\"/usr/bin/cat\" sig=31 "
		      "arch=c000003e syscall=2 compat=0 ip=0x7f11aa22bb33 code=0x80000000",
		      "x86_64", "open", SF_AUDIT_ACT_KILL_PROCESS);
	/* log_format=ENRICHED appends interpreted fields after 0x1d; they are not read. */
	assert_record("type=SECCOMP msg=audit(1700000000.300:458): auid=4294967295 uid=0 gid=0 "
		      "ses=4294967295 pid=1400 comm=\"python3\" exe=\"/usr/bin/python3.11\" sig=0 "
		      "arch=40000003 syscall=5 compat=1 ip=0xf7f0a549 code=0x7ffc0000\x1d"
		      "AUID=\"unset\" UID=\"root\" GID=\"root\" ARCH=i386 SYSCALL=open code=0x0",
		      "x86", "open", SF_AUDIT_ACT_LOG);
	assert_int_equal(ev.rec.compat, 1);
	/* An auditd that does not know the type's name. */
	assert_record("type=UNKNOWN[1326] msg=audit(1700000000.400:459): auid=4294967295 uid=0 "
		      "gid=0 ses=4294967295 pid=1401 comm=\"old\" exe=\"/usr/bin/old\" sig=0 "
		      "arch=c000003e syscall=39 compat=0 ip=0x7f00 code=0x7ff00000",
		      "x86_64", "getpid", SF_AUDIT_ACT_TRACE);
}

static void ausearch_interpreted_form(void **state)
{
	(void)state;
	assert_record("type=SECCOMP msg=audit(11/14/2023 22:13:20.123:456) : auid=unset uid=root "
		      "gid=root ses=unset subj=unconfined pid=1234 comm=mkdir exe=/usr/bin/mkdir "
		      "sig=0 arch=x86_64 syscall=mkdir compat=0 ip=0x7f2e1b9d0d27 code=errno",
		      "x86_64", "mkdir", SF_AUDIT_ACT_ERRNO);
	assert_int_equal(ev.rec.form, SF_AUDIT_FORM_INTERPRETED);
	assert_false(ev.rec.has_epoch);
	assert_str(ev.rec.time, ev.rec.time_len, "11/14/2023 22:13:20.123");
	assert_int_equal(ev.rec.syscall, 83);
	assert_false(ev.rec.has_code);
	assert_false(ev.rec.has_arch);

	/* Decoded names keep their spaces; "kill" does not say process or thread. */
	assert_record("type=SECCOMP msg=audit(11/14/2023 22:13:21.000:457) : auid=unset uid=root "
		      "gid=root ses=unset pid=1300 comm=my prog exe=/opt/my app/bin/run sig=SIGSYS "
		      "arch=x86_64 syscall=open compat=0 ip=0x7f11aa22bb33 code=kill",
		      "x86_64", "open", SF_AUDIT_ACT_KILL);
	assert_str(ev.rec.comm, ev.rec.comm_len, "my prog");
	assert_str(ev.rec.exe, ev.rec.exe_len, "/opt/my app/bin/run");
	assert_int_equal(ev.rec.sig, 31);

	/* What auparse cannot name it writes as unknown-...(N); machines as uname says them. */
	assert_record("type=SECCOMP msg=audit(11/14/2023 22:13:22.000:458) : pid=1400 comm=py "
		      "exe=/usr/bin/py sig=0 arch=i386 syscall=socketcall compat=1 ip=0xf7f0a549 "
		      "code=unknown-seccomp-code(0x7ffc0000)",
		      "x86", "socketcall", SF_AUDIT_ACT_LOG);
	assert_record("type=SECCOMP msg=audit(11/14/2023 22:13:23.000:459) : pid=1401 comm=x "
		      "exe=/x sig=0 arch=x86_64 syscall=unknown-syscall(1073741907) compat=0 "
		      "ip=0x7f00 code=trap",
		      "x32", "mkdir", SF_AUDIT_ACT_TRAP);
	assert_record("type=SECCOMP msg=audit(11/14/2023 22:13:23.000:460) : pid=1 comm=x exe=/x "
		      "sig=0 arch=aarch64 syscall=mkdirat compat=0 ip=0x1 code=kill-process",
		      "aarch64", "mkdirat", SF_AUDIT_ACT_KILL_PROCESS);
	assert_record("type=SECCOMP msg=audit(11/14/2023 22:13:23.000:461) : pid=1 comm=x exe=/x "
		      "sig=0 arch=armv7l syscall=open compat=0 ip=0x1 code=allow",
		      "arm", "open", SF_AUDIT_ACT_ALLOW);
}

static void journald_audit_transport(void **state)
{
	(void)state;
	assert_record(
	    "Nov 14 22:13:21 node1 audit[1300]: SECCOMP auid=4294967295 uid=0 gid=0 "
	    "ses=4294967295 subj=unconfined pid=1300 comm=\"touch\" exe=\"/usr/bin/touch\" "
	    "sig=0 arch=c000003e syscall=280 compat=0 ip=0x7f11aa22bb33 code=0x50000",
	    "x86_64", "utimensat", SF_AUDIT_ACT_ERRNO);
	assert_int_equal(ev.rec.form, SF_AUDIT_FORM_JOURNAL);
	assert_int_equal(ev.rec.time_len, 0);
	assert_record("Nov 14 22:13:23 node1 audit: SECCOMP auid=4294967295 uid=0 gid=0 "
		      "ses=4294967295 pid=1301 comm=\"chmod\" exe=\"/usr/bin/chmod\" sig=31 "
		      "arch=c000003e syscall=268 compat=0 ip=0x7f11aa22bb44 code=0x80000000",
		      "x86_64", "fchmodat", SF_AUDIT_ACT_KILL_PROCESS);
	/* Other programs' words are not records. */
	assert_int_equal(parse("Nov 14 22:13:23 node1 myapp[1]: SECCOMP arch=c000003e syscall=1 "
			       "code=0x0"),
			 SF_AUDIT_NONE);
}

static void hex_encoded_comm_and_exe(void **state)
{
	(void)state;
	/* The kernel writes names with spaces, quotes, or bytes outside 0x21..0x7e in hex. */
	assert_record("audit: type=1326 audit(1700000000.124:457): auid=4294967295 uid=0 gid=0 "
		      "ses=4294967295 pid=1235 comm=6D6B646972 exe=2F6F70742F6D79206170702F62696E2F"
		      "72756E sig=31 arch=c000003e syscall=165 compat=0 ip=0x1 code=0x80000000",
		      "x86_64", "mount", SF_AUDIT_ACT_KILL_PROCESS);
	assert_str(ev.rec.comm, ev.rec.comm_len, "mkdir");
	assert_str(ev.rec.exe, ev.rec.exe_len, "/opt/my app/bin/run");
	assert_record("audit: type=1326 audit(1700000000.124:457): pid=1 comm=612262 "
		      "exe=2F746D702F0A01FF sig=0 arch=c000003e syscall=0 compat=0 ip=0x1 code=0x0",
		      "x86_64", "read", SF_AUDIT_ACT_KILL_THREAD);
	assert_int_equal(ev.rec.comm_len, 3);
	assert_memory_equal(ev.rec.comm, "a\"b", 3);
	assert_int_equal(ev.rec.exe_len, 8);
	assert_memory_equal(ev.rec.exe, "/tmp/\n\001\377", 8);
	/* A task without memory has exe=(null); that is no hex. */
	assert_record("audit: type=1326 audit(1700000000.124:457): pid=1 comm=\"kworker\" "
		      "exe=(null) sig=0 arch=c000003e syscall=0 compat=0 ip=0x1 code=0x0",
		      "x86_64", "read", SF_AUDIT_ACT_KILL_THREAD);
	assert_str(ev.rec.exe, ev.rec.exe_len, "(null)");
	/* ausearch -i decodes: an interpreted value is never hex. */
	assert_record("type=SECCOMP msg=audit(11/14/2023 22:13:23.000:460) : pid=1 comm=CAFE "
		      "exe=/x sig=0 arch=x86_64 syscall=read compat=0 ip=0x1 code=errno",
		      "x86_64", "read", SF_AUDIT_ACT_ERRNO);
	assert_str(ev.rec.comm, ev.rec.comm_len, "CAFE");
}

static void every_action_class(void **state)
{
	static const struct {
		const char *code;
		enum sf_audit_action act;
		const char *name;
	} v[] = {
	    {"0x80000000", SF_AUDIT_ACT_KILL_PROCESS, "KILL_PROCESS"},
	    {"0x0", SF_AUDIT_ACT_KILL_THREAD, "KILL_THREAD"},
	    {"0x30000", SF_AUDIT_ACT_TRAP, "TRAP"},
	    {"0x50000", SF_AUDIT_ACT_ERRNO, "ERRNO"},
	    {"0x7fc00000", SF_AUDIT_ACT_USER_NOTIF, "USER_NOTIF"},
	    {"0x7ff00000", SF_AUDIT_ACT_TRACE, "TRACE"},
	    {"0x7ffc0000", SF_AUDIT_ACT_LOG, "LOG"},
	    {"0x7fff0000", SF_AUDIT_ACT_ALLOW, "ALLOW"},
	};
	char line[512];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(line, sizeof(line), KREC("c000003e", "83", "%s"), v[i].code);
		assert_record(line, "x86_64", "mkdir", v[i].act);
		assert_string_equal(sf_audit_action_name(ev.rec.action), v[i].name);
	}
	assert_int_equal(sf_audit_action_from_code(0x80000000), SF_AUDIT_ACT_KILL_PROCESS);
	assert_int_equal(sf_audit_action_from_code(0x0005000d), SF_AUDIT_ACT_ERRNO);
	assert_int_equal(sf_audit_action_from_code(0x12340000), SF_AUDIT_ACT_UNKNOWN);
	assert_string_equal(sf_audit_action_name(SF_AUDIT_ACT_UNKNOWN), "UNKNOWN");
	assert_string_equal(sf_audit_action_name(SF_AUDIT_ACT_KILL), "KILL");
}

static void errno_is_logged_without_its_value(void **state)
{
	struct sf_buf b = {0};

	(void)state;
	/* ERRNO(13) reaches the log as code=0x50000: we say ERRNO, and nothing more. */
	assert_record(KREC("c000003e", "83", "0x50000"), "x86_64", "mkdir", SF_AUDIT_ACT_ERRNO);
	sf_audit_write_event(&ev, SF_AUDIT_OUT_TEXT, "f", 1, &b);
	assert_string_equal(b.data, "2023-11-14T22:13:20.123Z mkdir[1234] (/usr/bin/mkdir): mkdir "
				    "(x86_64 83): ERRNO\n");
	b.len = 0;
	sf_audit_write_event(&ev, SF_AUDIT_OUT_JSON, "f", 1, &b);
	assert_null(strstr(b.data, "errno\""));
	assert_null(strstr(b.data, "EACCES"));
	assert_non_null(strstr(b.data, "\"action\":\"ERRNO\""));
	assert_non_null(strstr(b.data, "\"code\":\"0x50000\""));
	sf_buf_free(&b);
	/* The kernel never logs data bits: a value with them is garbled, not an errno. */
	assert_int_equal(parse(KREC("c000003e", "83", "0x5000d")), SF_AUDIT_MALFORMED);
}

static void x32_is_x86_64_with_the_x32_bit(void **state)
{
	(void)state;
	assert_record(KREC("c000003e", "1073741907", "0x0"), "x32", "mkdir",
		      SF_AUDIT_ACT_KILL_THREAD);
	assert_int_equal(ev.rec.syscall, 0x40000000 + 83);
	assert_int_equal(ev.rec.audit_arch, 0xc000003e);
	assert_record(KREC("c000003e", "1073742336", "0x0"), "x32", "rt_sigaction",
		      SF_AUDIT_ACT_KILL_THREAD);
}

static void i386_and_other_arches(void **state)
{
	(void)state;
	assert_record(KREC("40000003", "192", "0x7ffc0000"), "x86", "mmap2", SF_AUDIT_ACT_LOG);
	assert_record(KREC("40000003", "243", "0x7ffc0000"), "x86", "set_thread_area",
		      SF_AUDIT_ACT_LOG);
	assert_record(KREC("40000003", "102", "0x30000"), "x86", "socketcall", SF_AUDIT_ACT_TRAP);
	assert_record(KREC("c00000b7", "34", "0x50000"), "aarch64", "mkdirat", SF_AUDIT_ACT_ERRNO);
	assert_record(KREC("40000028", "39", "0x50000"), "arm", "mkdir", SF_AUDIT_ACT_ERRNO);
	/* An arch we do not know is still a record: its call has no name. */
	assert_int_equal(parse(KREC("deadbeef", "83", "0x50000")), SF_AUDIT_RECORD);
	assert_null(ev.rec.abi);
	assert_null(ev.rec.syscall_name);
	assert_true(ev.rec.has_arch);
	assert_int_equal(ev.rec.audit_arch, 0xdeadbeef);
	/* A number beyond the table likewise. */
	assert_int_equal(parse(KREC("c000003e", "99999", "0x50000")), SF_AUDIT_RECORD);
	assert_non_null(ev.rec.abi);
	assert_null(ev.rec.syscall_name);
}

/* The records of the Kubernetes seccomp tutorial's http-echo under a LOG profile (our lines). */
static void http_echo_records(void **state)
{
	static const struct {
		const char *nr, *name;
	} v[] = {
	    {"51", "getsockname"}, {"54", "setsockopt"}, {"202", "futex"},
	    {"288", "accept4"},	   {"0", "read"},	 {"270", "pselect6"},
	};
	char line[512];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(line, sizeof(line),
			 "Jul  6 15:37:40 my-machine kernel: [369128.669452] audit: type=1326 "
			 "audit(1594067860.079:468): auid=4294967295 uid=0 gid=0 ses=4294967295 "
			 "pid=29064 comm=\"http-echo\" exe=\"/http-echo\" sig=0 arch=c000003e "
			 "syscall=%s compat=0 ip=0x46fe1f code=0x7ffc0000",
			 v[i].nr);
		assert_record(line, "x86_64", v[i].name, SF_AUDIT_ACT_LOG);
		assert_str(ev.rec.comm, ev.rec.comm_len, "http-echo");
	}
	assert_record("audit: type=1326 audit(1594067861.412:512): auid=4294967295 uid=0 gid=0 "
		      "ses=4294967295 pid=29101 comm=\"http-echo\" exe=\"/http-echo\" sig=31 "
		      "arch=40000003 syscall=45 compat=1 ip=0xf7f0a549 code=0x80000000",
		      "x86", "brk", SF_AUDIT_ACT_KILL_PROCESS);
	assert_string_equal(sf_audit_signal_name(&ev.rec), "SIGSYS");
}

static void optional_and_unknown_fields(void **state)
{
	(void)state;
	/* No subj=, an AppArmor label with its mode, fields a later kernel may add. */
	assert_record(
	    "audit: type=1326 audit(1700000000.1:2): auid=1 uid=2 gid=3 ses=4 pid=5 "
	    "comm=\"a\" exe=\"/a\" sig=0 arch=c000003e syscall=83 compat=0 ip=0x1 code=0x0",
	    "x86_64", "mkdir", SF_AUDIT_ACT_KILL_THREAD);
	assert_int_equal(ev.rec.msec, 1);
	assert_record(
	    "audit: type=1326 audit(1700000000.123:2): auid=1 uid=2 gid=3 ses=4 "
	    "subj=docker-default (enforce) pid=5 comm=\"a\" exe=\"/a\" sig=0 arch=c000003e "
	    "syscall=83 compat=0 ip=0x1 code=0x0 newfield=7",
	    "x86_64", "mkdir", SF_AUDIT_ACT_KILL_THREAD);
	assert_int_equal(ev.rec.pid, 5);
	/* Only arch, syscall and code are needed. */
	assert_record("audit: type=1326 audit(1700000000.123:2): arch=c000003e syscall=83 "
		      "code=0x0",
		      "x86_64", "mkdir", SF_AUDIT_ACT_KILL_THREAD);
	assert_null(ev.rec.comm);
	assert_null(ev.rec.exe);
	assert_int_equal(ev.rec.pid, -1);
	assert_int_equal(ev.rec.sig, -1);
	assert_int_equal(ev.rec.compat, -1);
	assert_false(ev.rec.has_ip);
}

static void unrelated_lines_are_no_records(void **state)
{
	static const char *const lines[] = {
	    "",
	    "[    0.000000] Linux version 6.1.0-13-amd64",
	    "Nov 14 22:13:19 node1 systemd[1]: Started containerd.service.",
	    "[  372.118000] show_signal_msg: 12 callbacks suppressed",
	    "net_ratelimit: 5 callbacks suppressed",
	    "audit: type=1300 audit(1700000000.100:455): arch=c000003e syscall=59 success=yes",
	    "audit: type=1400 audit(1700000000.1:4): apparmor=\"DENIED\" operation=\"open\"",
	    "type=SYSCALL msg=audit(1700000000.100:455): arch=c000003e syscall=59 success=yes",
	    "type=CONFIG_CHANGE msg=audit(1700000000.1:2): op=set audit_backlog_limit=8192 old=64",
	    "audit: type=1305 audit(1700000000.1:2): op=set audit_backlog_limit=8192 old=64",
	    "grep: searching for type=1326 in the logs found nothing",
	    "type=SECCOMPX msg=audit(1700000000.1:2): arch=c000003e syscall=1 code=0x0",
	    "type=13260 audit(1700000000.1:2): arch=c000003e syscall=1 code=0x0",
	    "----",
	    "time->Tue Nov 14 22:13:20 2023",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (parse(lines[i]) != SF_AUDIT_NONE)
			fail_msg("kind %d for: %s", ev.kind, lines[i]);
}

static enum sf_audit_kind gap_of(const char *line, enum sf_audit_gap_kind kind, bool counted,
				 uint64_t count)
{
	if (parse(line) != SF_AUDIT_GAP)
		fail_msg("no gap in: %s", line);
	assert_int_equal(ev.gap_kind, kind);
	assert_int_equal(ev.gap_has_count, counted);
	if (counted)
		assert_int_equal(ev.gap_count, count);
	assert_non_null(ev.gap_what);
	return ev.kind;
}

static void suppression_markers_are_gaps(void **state)
{
	(void)state;
	gap_of("[ 1462.285787] kauditd_printk_skb: 7613 callbacks suppressed",
	       SF_AUDIT_GAP_SUPPRESSED, true, 7613);
	gap_of("4,1205,123456795,-;kauditd_printk_skb: 3 callbacks suppressed",
	       SF_AUDIT_GAP_SUPPRESSED, true, 3);
	gap_of("Nov 14 22:13:20 node1 kernel: audit_log_lost: 4 callbacks suppressed",
	       SF_AUDIT_GAP_SUPPRESSED, true, 4);
	gap_of("[  124.5] audit: printk limit exceeded", SF_AUDIT_GAP_SUPPRESSED, false, 0);
	gap_of("[  124.5] audit: backlog limit exceeded", SF_AUDIT_GAP_SUPPRESSED, false, 0);
	gap_of("[  124.5] audit: rate limit exceeded", SF_AUDIT_GAP_SUPPRESSED, false, 0);
	gap_of("[  124.5] audit: kauditd hold queue overflow", SF_AUDIT_GAP_SUPPRESSED, false, 0);
	gap_of("[  124.5] audit: audit_backlog=65 > audit_backlog_limit=64",
	       SF_AUDIT_GAP_SUPPRESSED, false, 0);
	gap_of("[  124.6] audit: audit_lost=3 audit_rate_limit=0 audit_backlog_limit=64",
	       SF_AUDIT_GAP_LOST_COUNTER, true, 3);
	gap_of("Nov 14 22:13:22 node1 systemd-journald[301]: Missed 12 kernel messages",
	       SF_AUDIT_GAP_MISSED, true, 12);
	gap_of("Nov 14 22:13:24 node1 rsyslogd[800]: imjournal: 40 messages lost due to "
	       "rate-limiting (20000 allowed within 600 seconds)",
	       SF_AUDIT_GAP_MISSED, true, 40);
}

/* Feed lines to a log; returns it. */
static struct sf_audit_log *feed(const char *const *lines, size_t n)
{
	struct sf_audit_log *log = sf_audit_log_new();

	assert_non_null(log);
	for (size_t i = 0; i < n; i++) {
		size_t pos = 0;
		int k;
		while ((k = sf_audit_log_next(log, NULL, lines[i], strlen(lines[i]), &pos, &ev)) >
		       0)
			;
		assert_int_equal(k, SF_AUDIT_NONE);
	}
	return log;
}

static char *summary_line(struct sf_audit_log *log)
{
	struct sf_audit_stats st;
	struct sf_buf b = {0};

	sf_audit_log_stats(log, &st);
	sf_audit_write_summary_line(&st, &b);
	return b.data;
}

static void summary_says_the_log_is_incomplete(void **state)
{
	static const char *const lines[] = {
	    KREC("c000003e", "83", "0x50000"),
	    "kauditd_printk_skb: 37 callbacks suppressed",
	    "audit: type=1326 audit(1700000000.123:4",
	    "audit: audit_lost=5 audit_rate_limit=0 audit_backlog_limit=64",
	    "audit: audit_lost=9 audit_rate_limit=0 audit_backlog_limit=64",
	    /* a reboot: the counter starts again */
	    "audit: audit_lost=2 audit_rate_limit=0 audit_backlog_limit=64",
	    KREC("c000003e", "84", "0x50000"),
	    "audit: type=1326 audit(1700000000.123:456): arch=c000003e syscall=83 code=0x5",
	};
	struct sf_audit_log *log = feed(lines, 8);
	struct sf_audit_stats st;
	char *s;

	(void)state;
	sf_audit_log_stats(log, &st);
	assert_int_equal(st.lines, 8);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.malformed, 2);
	assert_true(st.incomplete);
	/* 37 + (9 - 5 + 1) + (2 - 2 + 1) */
	assert_int_equal(st.suppressed, 43);
	assert_false(st.uncounted);
	s = summary_line(log);
	assert_string_equal(s, "sysfence: 2 records, 2 malformed lines, log incomplete: 43 records "
			       "suppressed\n");
	free(s);
	sf_audit_log_free(log);

	static const char *const one[] = {KREC("c000003e", "83", "0x50000")};
	log = feed(one, 1);
	s = summary_line(log);
	assert_string_equal(s, "sysfence: 1 record, 0 malformed lines\n");
	free(s);
	sf_audit_log_free(log);

	static const char *const unknown[] = {"audit: printk limit exceeded"};
	log = feed(unknown, 1);
	s = summary_line(log);
	assert_string_equal(s, "sysfence: 0 records, 0 malformed lines, log incomplete: records "
			       "were lost, how many is not known\n");
	free(s);
	sf_audit_log_free(log);

	static const char *const both[] = {"kauditd_printk_skb: 1 callbacks suppressed",
					   "systemd-journald[1]: Missed 2 kernel messages",
					   "audit: backlog limit exceeded"};
	log = feed(both, 3);
	s = summary_line(log);
	assert_string_equal(s, "sysfence: 0 records, 0 malformed lines, log incomplete: 1 record "
			       "suppressed, 2 log messages missed, and more not counted\n");
	free(s);
	sf_audit_log_free(log);
}

static void malformed_and_truncated_lines(void **state)
{
	static const struct {
		const char *line, *reason;
	} v[] = {
	    {"audit: type=1326", "truncated in the header"},
	    {"audit: type=1326 audit(17000", "truncated in audit(...)"},
	    {"audit: type=1326 audit(1700000000.123:456)", "truncated after audit(...)"},
	    {"audit: type=1326 audit(soon:456): arch=c000003e syscall=83 code=0x0",
	     "audit(...) holds no time"},
	    {"audit: type=1326 audit(1700000000.123): arch=c000003e syscall=83 code=0x0",
	     "audit(TIME:SERIAL) expected"},
	    {"audit: type=1326 audit(1700000000.123:456): pid=1 comm=\"mkd", "truncated in a "
									     "quoted value"},
	    {"audit: type=1326 audit(1700000000.123:456): arch=c000003e syscall=83 compat=0 "
	     "ip=0x7f",
	     "truncated: no code="},
	    {"audit: type=1326 audit(1700000000.123:456): arch=c000003e code=0x0", "no syscall="},
	    {"audit: type=1326 audit(1700000000.123:456): syscall=83 code=0x0", "no arch="},
	    {"audit: type=1326 audit(1700000000.123:456): arch=zz syscall=83 code=0x0",
	     "arch= is not a number"},
	    {"audit: type=1326 audit(1700000000.123:456): arch=c000003e syscall=mkdir code=0x0",
	     "syscall= is not a number"},
	    {"audit: type=1326 audit(1700000000.123:456): arch=c000003e syscall=83 code=zz",
	     "code= is not a number"},
	    {"audit: type=1326 audit(1700000000.123:456): arch=c000003e syscall=83 code=0x8",
	     "code= is not a seccomp action (truncated?)"},
	    {"audit: type=1326 audit(1700000000.123:456): arch=c000003e syscall=83 code=0x80000",
	     "code= is not a seccomp action (truncated?)"},
	    {"audit: type=1326 audit(1700000000.123:456): sig=x arch=c000003e syscall=83 "
	     "code=0x0",
	     "sig= is not a number"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (parse(v[i].line) != SF_AUDIT_MALFORMED)
			fail_msg("kind %d for: %s", ev.kind, v[i].line);
		assert_string_equal(ev.reason, v[i].reason);
	}

	/* Every proper prefix of a kernel record is no record: the kernel writes code= last. */
	static const char *const full[] = {
	    "[  1.5] " KREC("c000003e", "83", "0x80000000"),
	    "[  1.5] " KREC("c000003e", "83", "0x7ffc0000"),
	    "[  1.5] " KREC("c000003e", "83", "0x7fc00000"),
	    "[  1.5] " KREC("c000003e", "83", "0x7ff00000"),
	    "[  1.5] " KREC("c000003e", "83", "0x50000"),
	    "[  1.5] " KREC("c000003e", "83", "0x30000"),
	};
	for (size_t f = 0; f < sizeof(full) / sizeof(full[0]); f++) {
		size_t n = strlen(full[f]);
		for (size_t k = 0; k < n; k++) {
			size_t pos = 0;
			char *p = malloc(k ? k : 1); /* exactly k bytes: ASan sees any overread */
			assert_non_null(p);
			memcpy(p, full[f], k);
			if (sf_audit_parse(p, k, &pos, &ev) == SF_AUDIT_RECORD)
				fail_msg("a record from %zu bytes of: %s", k, full[f]);
			free(p);
		}
		assert_int_equal(parse(full[f]), SF_AUDIT_RECORD);
	}
}

static void a_truncated_record_runs_into_the_next(void **state)
{
	const char *line = "Nov 14 kernel: audit: type=1326 audit(1700000000.128:461): pid=1239 "
			   "comm=\"mkdir\" exe=\"/usr/binaudit: type=1326 audit(1700000000.129:462)"
			   ": pid=1240 comm=\"rmdir\" exe=\"/usr/bin/rmdir\" sig=0 arch=c000003e "
			   "syscall=84 compat=0 ip=0x1 code=0x50000";
	size_t pos = 0;

	(void)state;
	assert_int_equal(sf_audit_parse(line, strlen(line), &pos, &ev), SF_AUDIT_MALFORMED);
	assert_int_equal(sf_audit_parse(line, strlen(line), &pos, &ev), SF_AUDIT_RECORD);
	assert_string_equal(ev.rec.syscall_name, "rmdir");
	assert_int_equal(ev.rec.pid, 1240);
	assert_int_equal(sf_audit_parse(line, strlen(line), &pos, &ev), SF_AUDIT_NONE);

	/* Two whole records on one line: both. */
	const char *two = KREC("c000003e", "83", "0x0") " " KREC("c000003e", "84", "0x50000");
	pos = 0;
	assert_int_equal(sf_audit_parse(two, strlen(two), &pos, &ev), SF_AUDIT_RECORD);
	assert_string_equal(ev.rec.syscall_name, "mkdir");
	assert_int_equal(ev.rec.action, SF_AUDIT_ACT_KILL_THREAD);
	assert_int_equal(sf_audit_parse(two, strlen(two), &pos, &ev), SF_AUDIT_RECORD);
	assert_string_equal(ev.rec.syscall_name, "rmdir");
	assert_int_equal(sf_audit_parse(two, strlen(two), &pos, &ev), SF_AUDIT_NONE);
}

/* Parse s as JSON (our strict reader); the root object. */
static struct sf_doc *json(const char *s)
{
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};

	if (sf_doc_parse("out", s, strlen(s), SF_DOC_JSON, 0, &doc, &err) < 0)
		fail_msg("invalid JSON (%s): %s", err.msg, s);
	return doc;
}

static const char *jstr(const struct sf_node *o, const char *key)
{
	const struct sf_node *n = sf_node_get(o, key);
	if (!n)
		fail_msg("no key %s", key);
	return n->kind == SF_NODE_STRING || n->kind == SF_NODE_NUMBER ? n->str : NULL;
}

static void json_record_has_stable_keys(void **state)
{
	static const char *const keys[] = {
	    "type",  "file",	"line",		"column",     "form",	"time",
	    "epoch", "serial",	"pid",		"comm",	      "exe",	"abi",
	    "arch",  "syscall", "syscall_text", "syscall_nr", "compat", "action",
	    "code",  "signal",	"signal_nr",	"ip",
	};
	struct sf_buf b = {0};
	struct sf_doc *doc;
	const struct sf_node *o;

	(void)state;
	assert_record("[ 9.1] audit: type=1326 audit(1700000000.123:456): auid=0 uid=0 gid=0 ses=1 "
		      "pid=42 comm=6D792070726F67 exe=\"/bin/x\" sig=31 arch=c000003e syscall=83 "
		      "compat=0 ip=0x7f00 code=0x80000000",
		      "x86_64", "mkdir", SF_AUDIT_ACT_KILL_PROCESS);
	sf_audit_write_event(&ev, SF_AUDIT_OUT_JSON, "dmesg.txt", 7, &b);
	assert_int_equal(b.data[b.len - 1], '\n');
	assert_null(memchr(b.data, '\n', b.len - 1)); /* one line */
	doc = json(b.data);
	o = sf_doc_root(doc);
	assert_int_equal(o->kind, SF_NODE_OBJECT);
	assert_int_equal(o->len, sizeof(keys) / sizeof(keys[0]));
	for (size_t i = 0; i < o->len; i++)
		assert_string_equal(o->members[i].key, keys[i]);
	assert_string_equal(jstr(o, "type"), "record");
	assert_string_equal(jstr(o, "file"), "dmesg.txt");
	assert_string_equal(jstr(o, "line"), "7");
	assert_string_equal(jstr(o, "column"), "15");
	assert_string_equal(jstr(o, "form"), "printk");
	assert_string_equal(jstr(o, "time"), "2023-11-14T22:13:20.123Z");
	assert_string_equal(jstr(o, "epoch"), "1700000000.123");
	assert_string_equal(jstr(o, "serial"), "456");
	assert_string_equal(jstr(o, "pid"), "42");
	assert_string_equal(jstr(o, "comm"), "my prog");
	assert_string_equal(jstr(o, "exe"), "/bin/x");
	assert_string_equal(jstr(o, "abi"), "x86_64");
	assert_string_equal(jstr(o, "arch"), "0xc000003e");
	assert_string_equal(jstr(o, "syscall"), "mkdir");
	assert_string_equal(jstr(o, "syscall_nr"), "83");
	assert_false(sf_node_get(o, "compat")->boolean);
	assert_string_equal(jstr(o, "action"), "KILL_PROCESS");
	assert_string_equal(jstr(o, "code"), "0x80000000");
	assert_string_equal(jstr(o, "signal"), "SIGSYS");
	assert_string_equal(jstr(o, "signal_nr"), "31");
	assert_string_equal(jstr(o, "ip"), "0x7f00");
	sf_doc_free(doc);

	/* Unknown values are null; names with any bytes stay valid JSON. */
	b.len = 0;
	assert_int_equal(parse("Nov 14 audit[1]: SECCOMP comm=FF00 arch=deadbeef syscall=7 "
			       "code=0x50000"),
			 SF_AUDIT_RECORD);
	sf_audit_write_event(&ev, SF_AUDIT_OUT_JSON, NULL, 0, &b);
	doc = json(b.data);
	o = sf_doc_root(doc);
	assert_int_equal(sf_node_get(o, "time")->kind, SF_NODE_NULL);
	assert_int_equal(sf_node_get(o, "pid")->kind, SF_NODE_NULL);
	assert_int_equal(sf_node_get(o, "abi")->kind, SF_NODE_NULL);
	assert_int_equal(sf_node_get(o, "syscall")->kind, SF_NODE_NULL);
	assert_int_equal(sf_node_get(o, "file")->kind, SF_NODE_NULL);
	assert_string_equal(jstr(o, "arch"), "0xdeadbeef");
	assert_string_equal(jstr(o, "form"), "journal");
	sf_doc_free(doc);

	/* Malformed lines and gaps too. */
	b.len = 0;
	parse("audit: type=1326 audit(17000");
	sf_audit_write_event(&ev, SF_AUDIT_OUT_JSON, "f", 3, &b);
	doc = json(b.data);
	assert_string_equal(jstr(sf_doc_root(doc), "type"), "malformed");
	assert_string_equal(jstr(sf_doc_root(doc), "reason"), "truncated in audit(...)");
	sf_doc_free(doc);
	b.len = 0;
	parse("kauditd_printk_skb: 37 callbacks suppressed");
	sf_audit_write_event(&ev, SF_AUDIT_OUT_JSON, "f", 4, &b);
	doc = json(b.data);
	assert_string_equal(jstr(sf_doc_root(doc), "type"), "gap");
	assert_string_equal(jstr(sf_doc_root(doc), "kind"), "suppressed");
	assert_string_equal(jstr(sf_doc_root(doc), "count"), "37");
	sf_doc_free(doc);
	sf_buf_free(&b);
}

static const char *const sample[] = {
    KREC("c000003e", "83", "0x50000"),
    KREC("c000003e", "83", "0x50000"),
    KREC("c000003e", "84", "0x80000000"),
    "audit: type=1326 audit(1700000001.000:1): pid=7 comm=\"echo\" exe=\"/http-echo\" sig=0 "
    "arch=40000003 syscall=192 compat=1 ip=0x1 code=0x7ffc0000",
    "audit: type=1326 audit(1700000001.000:2): pid=7 comm=\"echo\" exe=\"/http-echo\" sig=0 "
    "arch=c000003e syscall=288 compat=0 ip=0x1 code=0x7ffc0000",
    "audit: type=1326 audit(1700000001.000:3): pid=7 comm=\"echo\" exe=\"/http-echo\" sig=0 "
    "arch=c000003e syscall=1073741824 compat=0 ip=0x1 code=0x7ffc0000",
    "audit: type=1326 audit(1700000001.000:4): pid=7 comm=\"echo\" exe=\"/http-echo\" sig=0 "
    "arch=deadbeef syscall=1 compat=0 ip=0x1 code=0x7ffc0000",
    "kauditd_printk_skb: 3 callbacks suppressed",
};

static void summary_groups_by_executable_and_syscall(void **state)
{
	struct sf_audit_log *log = feed(sample, sizeof(sample) / sizeof(sample[0]));
	const struct sf_audit_group *g;
	size_t n;
	struct sf_buf b = {0};

	(void)state;
	assert_int_equal(sf_audit_log_groups(log, &g, &n), 0);
	assert_int_equal(n, 6);
	/* Sorted by executable, then syscall. */
	assert_string_equal(g[0].exe, "/http-echo");
	assert_string_equal(g[0].syscall_name, "accept4");
	assert_string_equal(g[1].syscall_name, "mmap2");
	assert_string_equal(g[1].abi->name, "x86");
	assert_string_equal(g[2].syscall_name, "read");
	assert_string_equal(g[2].abi->name, "x32");
	assert_null(g[3].syscall_name);
	assert_null(g[3].abi);
	assert_int_equal(g[3].audit_arch, 0xdeadbeef);
	assert_string_equal(g[4].exe, "/usr/bin/mkdir");
	assert_string_equal(g[4].syscall_name, "mkdir");
	assert_int_equal(g[4].count, 2);
	assert_int_equal(g[4].action, SF_AUDIT_ACT_ERRNO);
	assert_string_equal(g[5].syscall_name, "rmdir");
	assert_int_equal(g[5].action, SF_AUDIT_ACT_KILL_PROCESS);

	assert_int_equal(sf_audit_write_summary(log, SF_AUDIT_OUT_TEXT, &b), 0);
	assert_string_equal(b.data, "/http-echo (echo)\n"
				    "       1  accept4              x86_64   LOG\n"
				    "       1  mmap2                x86      LOG\n"
				    "       1  read                 x32      LOG\n"
				    "       1  syscall 1            0xdeadbeef LOG\n"
				    "/usr/bin/mkdir (mkdir)\n"
				    "       2  mkdir                x86_64   ERRNO\n"
				    "       1  rmdir                x86_64   KILL_PROCESS\n"
				    "sysfence: 7 records, 0 malformed lines, log incomplete: 3 "
				    "records suppressed\n");
	b.len = 0;
	assert_int_equal(sf_audit_write_summary(log, SF_AUDIT_OUT_JSON, &b), 0);
	struct sf_doc *doc = json(b.data);
	const struct sf_node *o = sf_doc_root(doc);
	assert_string_equal(jstr(o, "type"), "summary");
	assert_string_equal(jstr(o, "records"), "7");
	assert_string_equal(jstr(o, "malformed"), "0");
	assert_true(sf_node_get(o, "incomplete")->boolean);
	assert_string_equal(jstr(o, "suppressed"), "3");
	const struct sf_node *groups = sf_node_get(o, "groups");
	assert_int_equal(groups->len, 6);
	assert_string_equal(jstr(groups->items[4], "exe"), "/usr/bin/mkdir");
	assert_string_equal(jstr(groups->items[4], "syscall"), "mkdir");
	assert_string_equal(jstr(groups->items[4], "abi"), "x86_64");
	assert_string_equal(jstr(groups->items[4], "action"), "ERRNO");
	assert_string_equal(jstr(groups->items[4], "count"), "2");
	sf_doc_free(doc);
	sf_buf_free(&b);
	sf_audit_log_free(log);
}

static void profile_allows_what_the_log_shows(void **state)
{
	struct sf_audit_log *log = feed(sample, sizeof(sample) / sizeof(sample[0]));
	struct sf_profile *p = NULL;
	struct sf_error err = {0};
	struct sf_buf b = {0};

	(void)state;
	assert_int_equal(sf_audit_log_profile(log, &p, &err), 0);
	assert_int_equal(sf_profile_write(p, SF_OUT_JSON, &b, &err), 0);
	assert_string_equal(b.data, "{\n"
				    "\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
				    "\t\"defaultErrnoRet\": 1,\n"
				    "\t\"architectures\": [\n"
				    "\t\t\"SCMP_ARCH_X86\",\n"
				    "\t\t\"SCMP_ARCH_X86_64\",\n"
				    "\t\t\"SCMP_ARCH_X32\"\n"
				    "\t],\n"
				    "\t\"syscalls\": [\n"
				    "\t\t{\n"
				    "\t\t\t\"names\": [\n"
				    "\t\t\t\t\"accept4\",\n"
				    "\t\t\t\t\"mkdir\",\n"
				    "\t\t\t\t\"mmap2\",\n"
				    "\t\t\t\t\"read\",\n"
				    "\t\t\t\t\"rmdir\"\n"
				    "\t\t\t],\n"
				    "\t\t\t\"action\": \"SCMP_ACT_ALLOW\"\n"
				    "\t\t}\n"
				    "\t]\n"
				    "}\n");
	/* It reads back clean. */
	struct sf_findings f;
	struct sf_profile *q = NULL;
	sf_findings_init(&f, "p");
	assert_int_equal(sf_profile_parse("p", b.data, b.len, SF_DOC_JSON, &f, &q, &err), 0);
	sf_profile_check(q, 0, &f);
	assert_int_equal(f.nerrors, 0);
	sf_findings_clear(&f);
	sf_profile_free(q);
	sf_profile_free(p);
	sf_buf_free(&b);
	sf_audit_log_free(log);

	/* Nothing seen: an allowlist of nothing. */
	log = feed(NULL, 0);
	assert_int_equal(sf_audit_log_profile(log, &p, &err), 0);
	assert_int_equal(p->nrules, 0);
	assert_int_equal(p->narchitectures, 0);
	sf_profile_free(p);
	sf_audit_log_free(log);
}

static void merge_extends_a_plain_allow_and_leaves_other_rules(void **state)
{
	const char *text =
	    "{\n"
	    "  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
	    "  \"architectures\": [\"SCMP_ARCH_X86_64\"],\n"
	    "  \"syscalls\": [\n"
	    "    { \"names\": [\"rmdir\"], \"action\": \"SCMP_ACT_ERRNO\" },\n"
	    "    { \"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\" },\n"
	    "    { \"names\": [\"accept4\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
	    "      \"args\": [{ \"index\": 0, \"value\": 3, \"op\": \"SCMP_CMP_EQ\" }] }\n"
	    "  ]\n"
	    "}\n";
	struct sf_audit_log *log = feed(sample, sizeof(sample) / sizeof(sample[0]));
	struct sf_profile *p = NULL;
	struct sf_error err = {0};
	struct sf_findings f;
	struct sf_audit_merge_result res;

	(void)state;
	assert_int_equal(
	    sf_profile_parse("m.json", text, strlen(text), SF_DOC_JSON, NULL, &p, &err), 0);
	sf_findings_init(&f, "m.json");
	assert_int_equal(sf_audit_log_merge(log, p, &f, &res, &err), 0);
	/* mkdir and mmap2 join read and write; read was there; rmdir and accept4 are decided by
	 * their own rules. */
	assert_int_equal(res.added, 2);
	assert_int_equal(res.present, 1);
	assert_int_equal(res.left, 2);
	assert_int_equal(res.arches_added, 2);
	assert_int_equal(p->nrules, 3);
	assert_int_equal(p->rules[1].nnames, 4);
	assert_string_equal(p->rules[1].names[2], "mkdir");
	assert_string_equal(p->rules[1].names[3], "mmap2");
	assert_int_equal(p->narchitectures, 3);
	assert_int_equal(f.n, 2);
	for (size_t i = 0; i < f.n; i++) {
		assert_int_equal(f.v[i].severity, SF_SEV_WARNING);
		assert_string_equal(f.v[i].code, "merge-left");
	}
	/* Located in the file, at the name. */
	bool rmdir_seen = false;
	for (size_t i = 0; i < f.n; i++)
		if (strcmp(f.v[i].path, "syscalls[0].names[0]") == 0) {
			rmdir_seen = true;
			assert_int_equal(f.v[i].line, 5);
			assert_non_null(strstr(f.v[i].msg, "rmdir"));
		}
	assert_true(rmdir_seen);
	sf_findings_clear(&f);
	sf_profile_free(p);

	/* Without a plain ALLOW rule, one is added; a default of ALLOW allows already. */
	const char *bare = "{ \"defaultAction\": \"SCMP_ACT_LOG\", \"syscalls\": [] }";
	assert_int_equal(
	    sf_profile_parse("b.json", bare, strlen(bare), SF_DOC_JSON, NULL, &p, &err), 0);
	assert_int_equal(sf_audit_log_merge(log, p, NULL, &res, &err), 0);
	assert_int_equal(res.added, 5);
	assert_int_equal(res.arches_added, 0); /* no list: the native arch, left so */
	assert_int_equal(p->nrules, 1);
	assert_int_equal(p->rules[0].action, SF_ACT_ALLOW);
	assert_int_equal(p->rules[0].nnames, 5);
	sf_profile_free(p);
	const char *open = "{ \"defaultAction\": \"SCMP_ACT_ALLOW\" }";
	assert_int_equal(
	    sf_profile_parse("o.json", open, strlen(open), SF_DOC_JSON, NULL, &p, &err), 0);
	assert_int_equal(sf_audit_log_merge(log, p, NULL, &res, &err), 0);
	assert_int_equal(res.added, 0);
	assert_int_equal(res.present, 5);
	sf_profile_free(p);
	sf_audit_log_free(log);
}

static void sample_files_read_as_expected(void **state)
{
	static const struct {
		const char *file;
		uint64_t records, malformed, suppressed, missed;
		bool incomplete;
	} v[] = {
	    {"dmesg.txt", 11, 0, 37, 0, true},	   {"syslog.txt", 6, 0, 5, 0, true},
	    {"journal-k.txt", 3, 0, 5, 52, true},  {"audit.log", 4, 0, 0, 0, false},
	    {"ausearch-i.txt", 4, 0, 0, 0, false}, {"kmsg.txt", 2, 0, 3, 0, true},
	    {"malformed.txt", 2, 6, 0, 0, false},
	};
	const char *dir = getenv("SYSFENCE_TEST_DATA");

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char path[4096], *data;
		size_t len;
		struct sf_error err = {0};
		snprintf(path, sizeof(path), "%s/audit/%s", dir ? dir : "tests/data", v[i].file);
		if (sf_read_file(path, &data, &len, &err) < 0)
			fail_msg("%s: %s", path, err.msg);
		struct sf_audit_log *log = sf_audit_log_new();
		for (char *line = data, *end = data + len; line < end;) {
			char *nl = memchr(line, '\n', (size_t)(end - line));
			size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line), pos = 0;
			while (sf_audit_log_next(log, NULL, line, n, &pos, &ev) > 0)
				;
			line += n + 1;
		}
		struct sf_audit_stats st;
		sf_audit_log_stats(log, &st);
		if (st.records != v[i].records || st.malformed != v[i].malformed ||
		    st.suppressed != v[i].suppressed || st.missed != v[i].missed ||
		    st.incomplete != v[i].incomplete)
			fail_msg("%s: %" PRIu64 " records, %" PRIu64 " malformed, %" PRIu64
				 " suppressed, %" PRIu64 " missed",
				 v[i].file, st.records, st.malformed, st.suppressed, st.missed);
		sf_audit_log_free(log);
		free(data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(printk_form_as_dmesg_prints_it),
	    cmocka_unit_test(syslog_kern_log_and_journal_prefixes),
	    cmocka_unit_test(kmsg_records_are_read_past_their_header),
	    cmocka_unit_test(kmsg_sequence_jumps_are_gaps_on_the_device_only),
	    cmocka_unit_test(auditd_raw_form_of_audit_log_and_ausearch),
	    cmocka_unit_test(ausearch_interpreted_form),
	    cmocka_unit_test(journald_audit_transport),
	    cmocka_unit_test(hex_encoded_comm_and_exe),
	    cmocka_unit_test(every_action_class),
	    cmocka_unit_test(errno_is_logged_without_its_value),
	    cmocka_unit_test(x32_is_x86_64_with_the_x32_bit),
	    cmocka_unit_test(i386_and_other_arches),
	    cmocka_unit_test(http_echo_records),
	    cmocka_unit_test(optional_and_unknown_fields),
	    cmocka_unit_test(unrelated_lines_are_no_records),
	    cmocka_unit_test(suppression_markers_are_gaps),
	    cmocka_unit_test(summary_says_the_log_is_incomplete),
	    cmocka_unit_test(malformed_and_truncated_lines),
	    cmocka_unit_test(a_truncated_record_runs_into_the_next),
	    cmocka_unit_test(json_record_has_stable_keys),
	    cmocka_unit_test(summary_groups_by_executable_and_syscall),
	    cmocka_unit_test(profile_allows_what_the_log_shows),
	    cmocka_unit_test(merge_extends_a_plain_allow_and_leaves_other_rules),
	    cmocka_unit_test(sample_files_read_as_expected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
