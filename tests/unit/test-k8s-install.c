/*
 * Unit tests of lib/k8s/install.c and lib/k8s/kubelet.c: atomic installation, all-or-nothing
 * installs, sync's ownership rules (add, replace, remove only what it installed; an invalid
 * profile keeps the installed one), ConfigMap generations, the inotify watch; the kubelet's
 * command line and configuration files, with a proc tree of our own.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <sysfence/doc.h>
#include <sysfence/k8s.h>

#define GOOD                                                                                       \
	"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"               \
	"\"action\":\"SCMP_ACT_ALLOW\"}]}"
#define GOOD2 "{\"defaultAction\":\"SCMP_ACT_LOG\"}"
#define BAD   "{\"defaultAction\":\"SCMP_ACT_NOPE\"}"

static char tmp[64];

static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/sf-k8s-install-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *path(const char *rel)
{
	static char buf[64][512]; /* a ring: pointers stay valid for 63 more calls */
	static int i;
	i = (i + 1) % 64;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmp, rel);
	return buf[i];
}

static void put(const char *rel, const char *text)
{
	FILE *f = fopen(path(rel), "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *get(const char *rel)
{
	char *data = NULL;
	size_t len;
	struct sf_error err = {0};
	if (sf_read_file(path(rel), &data, &len, &err) < 0)
		return NULL;
	return data;
}

static bool exists(const char *rel)
{
	struct stat st;
	return lstat(path(rel), &st) == 0;
}

static char *canonical(const char *text)
{
	struct sf_buf b = {0};
	struct sf_error err = {0};
	put("canon.json", text);
	assert_int_equal(sf_k8s_validate(path("canon.json"), NULL, &b, &err), 0);
	unlink(path("canon.json"));
	return b.data;
}

/* Events, as one line each, for checks. */
struct log {
	char text[8192];
};

static void on_event(void *ctx, const struct sf_k8s_event *ev)
{
	struct log *l = ctx;
	size_t n = strlen(l->text);
	snprintf(l->text + n, sizeof(l->text) - n, "%s %s%s\n", sf_k8s_change_name(ev->change),
		 ev->name, ev->kept ? " kept" : "");
}

static void test_install_names(void **state)
{
	static const char *const cases[][2] = {
	    {"a.json", "a.json"},
	    {"/x/y/b.yaml", "b.json"},
	    {"c.yml", "c.json"},
	    {"d", "d.json"},
	    {"@runtime-default", "runtime-default.json"},
	    {"/x/e.f.json", "e.f.json"},
	    {".hidden.json", NULL},
	    {"/x/sp ace.json", NULL},
	    {".json", NULL},
	    {"/x/", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = sf_k8s_install_name(cases[i][0]);
		if (cases[i][1])
			assert_string_equal(got, cases[i][1]);
		else
			assert_null(got);
		free(got);
	}
}

static void test_install_is_atomic_and_all_or_nothing(void **state)
{
	struct sf_error err = {0};
	struct log l = {0};
	put("a.json", GOOD);
	put("b.yaml", "defaultAction: SCMP_ACT_LOG\n");
	put("bad.json", BAD);
	const char *two[] = {path("a.json"), path("b.yaml")};

	/* The root is made when missing. */
	assert_int_equal(sf_k8s_install(path("root/profiles"), two, 2, on_event, &l, &err), 0);
	assert_string_equal(l.text, "added a.json\nadded b.json\n");
	char *a = get("root/profiles/a.json"), *want = canonical(GOOD);
	assert_string_equal(a, want);
	free(a);
	free(want);
	/* YAML in, the runtimes' JSON out. */
	char *b = get("root/profiles/b.json");
	assert_int_equal(b[0], '{');
	free(b);
	struct stat st;
	assert_int_equal(stat(path("root/profiles/a.json"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* Not sync's files. */
	assert_false(exists("root/profiles/" SF_K8S_MANIFEST));

	/* Again: unchanged. */
	l.text[0] = 0;
	assert_int_equal(sf_k8s_install(path("root/profiles"), two, 2, on_event, &l, &err), 0);
	assert_string_equal(l.text, "unchanged a.json\nunchanged b.json\n");

	/* One invalid: nothing installed, the installed a.json kept. */
	put("a.json", GOOD2);
	const char *three[] = {path("a.json"), path("bad.json")};
	l.text[0] = 0;
	assert_int_equal(sf_k8s_install(path("root/profiles"), three, 2, on_event, &l, &err),
			 -EINVAL);
	assert_string_equal(l.text, "invalid bad.json\n");
	assert_false(exists("root/profiles/bad.json"));
	a = get("root/profiles/a.json");
	want = canonical(GOOD);
	assert_string_equal(a, want);
	free(a);
	free(want);

	/* Valid again: replaced; no temporary file left behind. */
	const char *one[] = {path("a.json")};
	l.text[0] = 0;
	assert_int_equal(sf_k8s_install(path("root/profiles"), one, 1, on_event, &l, &err), 0);
	assert_string_equal(l.text, "replaced a.json\n");
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s' | grep tmp)\"", path("root/profiles"));
	assert_int_equal(system(cmd), 0);
	/* Two sources for one name. */
	put("a.yaml", GOOD);
	const char *dup[] = {path("a.json"), path("a.yaml")};
	assert_int_equal(sf_k8s_install(path("root/profiles"), dup, 2, NULL, NULL, &err), -EINVAL);
}

static void test_validation_is_check_s(void **state)
{
	struct sf_buf b = {0};
	struct sf_error err = {0};

	/* A checker error (an unknown syscall), located. */
	put("unk.json", "{\n\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\"syscalls\": [{\"names\": "
			"[\"no_such_call\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	assert_int_equal(sf_k8s_validate(path("unk.json"), "unk.json", &b, &err), -EINVAL);
	assert_string_equal(err.file, "unk.json");
	assert_int_equal(err.line, 3);
	/* A FIFO is refused, not waited on. */
	assert_int_equal(mkfifo(path("fifo.json"), 0644), 0);
	assert_true(sf_k8s_validate(path("fifo.json"), NULL, &b, &err) < 0);
	assert_non_null(strstr(err.msg, "not a regular file"));
	sf_buf_free(&b);
}

static void test_sync_changes_only_its_own_files(void **state)
{
	struct sf_error err = {0};
	struct sf_k8s_sync_stats st;
	struct log l = {0};

	assert_int_equal(mkdir(path("src"), 0755), 0);
	assert_int_equal(mkdir(path("root"), 0755), 0);
	put("src/a.json", GOOD);
	put("src/b.yaml", GOOD2);
	put("src/foreign.json", GOOD);
	put("src/README.md", "not a profile");
	put("src/.hidden.json", BAD);
	put("root/foreign.json", "the admin's own");
	put("root/other.json", "the admin's other");

	assert_int_equal(sf_k8s_sync_once(path("root"), path("src"), on_event, &l, &st, &err), 0);
	assert_string_equal(l.text, "added a.json\nadded b.json\nconflict foreign.json\n");
	assert_int_equal(st.added, 2);
	assert_int_equal(st.conflicts, 1);
	char *m = get("root/" SF_K8S_MANIFEST);
	assert_non_null(strstr(m, "\na.json\nb.json\n"));
	assert_null(strstr(m, "foreign"));
	free(m);
	char *f = get("root/foreign.json");
	assert_string_equal(f, "the admin's own");
	free(f);

	/* Nothing changed: nothing written. */
	l.text[0] = 0;
	assert_int_equal(sf_k8s_sync_once(path("root"), path("src"), on_event, &l, &st, &err), 0);
	assert_int_equal(st.unchanged, 2);
	assert_int_equal(st.added + st.replaced + st.removed, 0);

	/* a changes and stays valid: replaced. b stops validating: the installed one is kept. */
	put("src/a.json", GOOD2);
	put("src/b.yaml", BAD);
	l.text[0] = 0;
	assert_int_equal(sf_k8s_sync_once(path("root"), path("src"), on_event, &l, &st, &err), 0);
	assert_string_equal(l.text,
			    "replaced a.json\ninvalid b.json kept\nconflict foreign.json\n");
	char *b = get("root/b.json"), *want = canonical(GOOD2);
	assert_string_equal(b, want);
	free(b);
	free(want);

	/* Dropped from the source: removed, invalid or not; the admin's files stay. */
	unlink(path("src/a.json"));
	unlink(path("src/b.yaml"));
	unlink(path("src/foreign.json"));
	l.text[0] = 0;
	assert_int_equal(sf_k8s_sync_once(path("root"), path("src"), on_event, &l, &st, &err), 0);
	assert_string_equal(l.text, "removed a.json\nremoved b.json\n");
	assert_false(exists("root/a.json"));
	assert_false(exists("root/b.json"));
	assert_true(exists("root/foreign.json"));
	assert_true(exists("root/other.json"));

	/* Someone else removed a file sync installed: installed again. */
	put("src/c.json", GOOD);
	assert_int_equal(sf_k8s_sync_once(path("root"), path("src"), NULL, NULL, &st, &err), 0);
	unlink(path("root/c.json"));
	l.text[0] = 0;
	assert_int_equal(sf_k8s_sync_once(path("root"), path("src"), on_event, &l, &st, &err), 0);
	assert_string_equal(l.text, "added c.json\n");

	/* Two sources for one name. */
	put("src/c.yaml", GOOD2);
	l.text[0] = 0;
	assert_int_equal(sf_k8s_sync_once(path("root"), path("src"), on_event, &l, &st, &err), 0);
	assert_string_equal(l.text, "unchanged c.json\nconflict c.json\n");
}

static void test_sync_manifest_cannot_reach_outside(void **state)
{
	struct sf_error err = {0};
	struct sf_k8s_sync_stats st;

	assert_int_equal(mkdir(path("src"), 0755), 0);
	assert_int_equal(mkdir(path("root"), 0755), 0);
	put("victim.json", "outside the root");
	put("root/.hidden.json", "hidden");
	put("root/" SF_K8S_MANIFEST, "../victim.json\n/etc/passwd\n.hidden.json\nsub/x.json\n");
	assert_int_equal(sf_k8s_sync_once(path("root"), path("src"), NULL, NULL, &st, &err), 0);
	assert_int_equal(st.removed, 0);
	assert_true(exists("victim.json"));
	assert_true(exists("root/.hidden.json"));
}

static void test_sync_reads_one_configmap_generation(void **state)
{
	struct sf_error err = {0};
	struct sf_k8s_sync_stats st;
	struct log l = {0};

	/* As the kubelet's AtomicWriter lays it out: ..TIMESTAMP/, ..data -> it, KEY -> ..data/KEY.
	 * Keys are read in ..data's directory, whatever links stand beside. */
	assert_int_equal(mkdir(path("cm"), 0755), 0);
	assert_int_equal(mkdir(path("cm/..2024_01_01_00_00_00.1"), 0755), 0);
	put("cm/..2024_01_01_00_00_00.1/p.json", GOOD);
	put("cm/..2024_01_01_00_00_00.1/q.json", GOOD2);
	assert_int_equal(symlink("..2024_01_01_00_00_00.1", path("cm/..data")), 0);
	assert_int_equal(symlink("..data/p.json", path("cm/p.json")), 0);
	assert_int_equal(sf_k8s_sync_once(path("root"), path("cm"), on_event, &l, &st, &err), 0);
	assert_string_equal(l.text, "added p.json\nadded q.json\n");

	/* The next generation drops q and changes p. */
	assert_int_equal(mkdir(path("cm/..2024_01_01_00_00_01.2"), 0755), 0);
	put("cm/..2024_01_01_00_00_01.2/p.json", GOOD2);
	assert_int_equal(symlink("..2024_01_01_00_00_01.2", path("cm/..data_tmp")), 0);
	assert_int_equal(rename(path("cm/..data_tmp"), path("cm/..data")), 0);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path("cm/..2024_01_01_00_00_00.1"));
	assert_int_equal(system(cmd), 0);
	l.text[0] = 0;
	assert_int_equal(sf_k8s_sync_once(path("root"), path("cm"), on_event, &l, &st, &err), 0);
	assert_string_equal(l.text, "replaced p.json\nremoved q.json\n");

	/* ..data pointing out of the volume is refused. */
	assert_int_equal(unlink(path("cm/..data")), 0);
	assert_int_equal(symlink("/etc", path("cm/..data")), 0);
	assert_int_equal(sf_k8s_sync_once(path("root"), path("cm"), NULL, NULL, &st, &err),
			 -EINVAL);
	assert_true(exists("root/p.json"));
}

static void test_sync_removes_stale_temporary_files(void **state)
{
	struct sf_error err = {0};
	struct timespec old[2] = {{.tv_sec = 1000}, {.tv_sec = 1000}};

	assert_int_equal(mkdir(path("src"), 0755), 0);
	assert_int_equal(mkdir(path("root"), 0755), 0);
	put("root/.sysfence-tmp-0123456789abcdef", "half");
	put("root/.sysfence-tmp-fresh", "in progress");
	put("root/.other-tmp", "not ours");
	assert_int_equal(utimensat(AT_FDCWD, path("root/.sysfence-tmp-0123456789abcdef"), old, 0),
			 0);
	assert_int_equal(utimensat(AT_FDCWD, path("root/.other-tmp"), old, 0), 0);
	assert_int_equal(sf_k8s_sync_once(path("root"), path("src"), NULL, NULL, NULL, &err), 0);
	assert_false(exists("root/.sysfence-tmp-0123456789abcdef"));
	assert_true(exists("root/.sysfence-tmp-fresh"));
	assert_true(exists("root/.other-tmp"));
}

static bool wait_for(const char *rel, bool present)
{
	for (int i = 0; i < 300; i++) {
		if (exists(rel) == present)
			return true;
		usleep(10000);
	}
	return false;
}

static void test_sync_watch_follows_changes_until_stopped(void **state)
{
	int stop[2];
	struct sf_error err = {0};

	assert_int_equal(mkdir(path("src"), 0755), 0);
	assert_int_equal(pipe(stop), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(stop[1]);
		/* No periodic pass: only inotify can bring the changes. */
		int r = sf_k8s_sync_watch(path("root"), path("src"), stop[0], 0, NULL, NULL, &err);
		_exit(r == 0 ? 0 : 3);
	}
	close(stop[0]);
	put("src/w.json", GOOD);
	assert_true(wait_for("root/w.json", true));
	put("src/w.json", BAD);
	put("src/v.json", GOOD2);
	assert_true(wait_for("root/v.json", true));
	assert_true(exists("root/w.json")); /* kept */
	unlink(path("src/w.json"));
	assert_true(wait_for("root/w.json", false));
	assert_int_equal(write(stop[1], "x", 1), 1);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(stop[1]);
}

/* ---- the kubelet ---- */

static void test_kubelet_command_line(void **state)
{
	struct sf_k8s_kubelet_flags f;
	struct sf_error err = {0};
	char *a1[] = {"kubelet",
		      "--config=/etc/k.yaml",
		      "--root-dir",
		      "/r",
		      "--seccomp-default",
		      "--feature-gates",
		      "A=true, SeccompDefault=false",
		      NULL};
	assert_int_equal(sf_k8s_kubelet_parse_args(7, a1, &f, &err), 0);
	assert_string_equal(f.config, "/etc/k.yaml");
	assert_string_equal(f.root_dir, "/r");
	assert_int_equal(f.seccomp_default, 1);
	assert_int_equal(f.gate, 0);
	assert_null(f.config_dir);

	/* Booleans take no separate value; '_' is '-'; the last one wins; -- ends flags. */
	char *a2[] = {
	    "kubelet", "--seccomp-default", "false", "--seccomp_default=F", "--root_dir=/x",
	    "--",      "--seccomp-default", NULL};
	assert_int_equal(sf_k8s_kubelet_parse_args(7, a2, &f, &err), 0);
	assert_int_equal(f.seccomp_default, 0);
	assert_string_equal(f.seccomp_default_arg, "--seccomp_default=F");
	assert_string_equal(f.root_dir, "/x");

	char *a3[] = {"kubelet", "--seccomp-default=maybe", NULL};
	assert_int_equal(sf_k8s_kubelet_parse_args(2, a3, &f, &err), -EINVAL);
	char *a4[] = {"kubelet", "--root-dir", NULL};
	assert_int_equal(sf_k8s_kubelet_parse_args(2, a4, &f, &err), -EINVAL);
	/* Unknown flags and single-dash ones are skipped. */
	char *a5[] = {"kubelet", "-v", "2", "--kubeconfig=/k", "--config-dir", "/d", NULL};
	assert_int_equal(sf_k8s_kubelet_parse_args(6, a5, &f, &err), 0);
	assert_int_equal(f.seccomp_default, -1);
	assert_string_equal(f.config_dir, "/d");
}

static void kubelet_file(const char *text, struct sf_k8s_kubelet *k)
{
	struct sf_k8s_kubelet_opts o = {.config = path("kc.yaml"), .pid = -1};
	struct sf_error err = {0};
	put("kc.yaml", text);
	assert_int_equal(sf_k8s_kubelet_check(&o, k, &err), 0);
}

static void test_kubelet_config_file(void **state)
{
	struct sf_k8s_kubelet k;
	const char *head =
	    "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";
	char text[512];

	kubelet_file(head, &k);
	assert_false(k.seccomp_default);
	assert_int_equal(k.seccomp_default_set.from, SF_K8S_FROM_DEFAULT);
	assert_string_equal(k.seccomp_dir, "/var/lib/kubelet/seccomp");
	assert_int_equal(k.nerrors, 0);
	sf_k8s_kubelet_clear(&k);

	snprintf(text, sizeof(text), "%sseccompDefault: true\n", head);
	kubelet_file(text, &k);
	assert_true(k.seccomp_default);
	assert_int_equal(k.seccomp_default_set.from, SF_K8S_FROM_FILE);
	assert_non_null(strstr(k.seccomp_default_set.where, "kc.yaml:3:17"));
	sf_k8s_kubelet_clear(&k);

	/* YAML 1.1, as the kubelet reads it: a note, and its reading. */
	snprintf(text, sizeof(text), "%sseccompDefault: yes\n", head);
	kubelet_file(text, &k);
	assert_true(k.seccomp_default);
	assert_int_equal(k.nerrors, 0);
	assert_true(k.nnotes >= 1);
	assert_non_null(strstr(k.notes[0], "YAML 1.1"));
	sf_k8s_kubelet_clear(&k);

	/* A quoted string is not a boolean: the kubelet refuses the file. */
	snprintf(text, sizeof(text), "%sseccompDefault: \"true\"\n", head);
	kubelet_file(text, &k);
	assert_false(k.seccomp_default);
	assert_int_equal(k.nerrors, 1);
	assert_non_null(strstr(k.errors[0], "kc.yaml:3:17: error: seccompDefault"));
	sf_k8s_kubelet_clear(&k);

	kubelet_file("apiVersion: v1\nkind: Pod\n", &k);
	assert_int_equal(k.nerrors, 2);
	sf_k8s_kubelet_clear(&k);

	snprintf(text, sizeof(text),
		 "%sfeatureGates:\n  SeccompDefault: false\nseccompDefault: "
		 "true\n",
		 head);
	kubelet_file(text, &k);
	assert_int_equal(k.gate, 0);
	assert_true(k.seccomp_default);
	bool said = false;
	for (size_t i = 0; i < k.nnotes; i++)
		said |= strstr(k.notes[i], "feature gate is off") != NULL;
	assert_true(said);
	sf_k8s_kubelet_clear(&k);

	/* Unreadable: an error to the caller. */
	struct sf_k8s_kubelet_opts o = {.config = path("missing.yaml"), .pid = -1};
	struct sf_error err = {0};
	assert_int_equal(sf_k8s_kubelet_check(&o, &k, &err), -ENOENT);
	sf_k8s_kubelet_clear(&k);
}

static void put_bytes(const char *rel, const char *data, size_t len)
{
	FILE *f = fopen(path(rel), "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_kubelet_from_a_proc_tree(void **state)
{
	struct sf_k8s_kubelet k;
	struct sf_error err = {0};
	const char *head =
	    "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";
	char text[512], cmd[1024];
	int n;

	/* Two processes named kubelet (the lowest pid is read), one that is not. */
	assert_int_equal(mkdir(path("proc"), 0755), 0);
	assert_int_equal(mkdir(path("proc/300"), 0755), 0);
	assert_int_equal(mkdir(path("proc/77"), 0755), 0);
	assert_int_equal(mkdir(path("proc/12"), 0755), 0);
	assert_int_equal(mkdir(path("drop"), 0755), 0);
	put("proc/300/comm", "kubelet\n");
	put("proc/77/comm", "kubelet\n");
	put("proc/12/comm", "bash\n");
	put_bytes("proc/300/cmdline", "kubelet\0", 8);
	snprintf(text, sizeof(text), "%sseccompDefault: true\n", head);
	put("kc.yaml", text);
	snprintf(text, sizeof(text), "%sseccompDefault: false\n", head);
	put("drop/10-off.conf", text);
	snprintf(text, sizeof(text), "%sseccompDefault: true\n", head);
	put("drop/20-on.conf", text);
	put("drop/30-ignored.yaml", "not: read");
	/* Subdirectories are walked where their name sorts: 15-sub/ between 10- and 20-. */
	assert_int_equal(mkdir(path("drop/15-sub"), 0755), 0);
	put("drop/15-sub/x.conf", "kind: Pod\n");
	n = snprintf(cmd, sizeof(cmd),
		     "/usr/bin/kubelet%c--config%c%s%c--config-dir=%s%c"
		     "--root-dir%c/srv/kubelet%c",
		     0, 0, path("kc.yaml"), 0, path("drop"), 0, 0, 0);
	put_bytes("proc/77/cmdline", cmd, (size_t)n);

	char procdir[512], config[512];
	snprintf(procdir, sizeof(procdir), "%s", path("proc"));
	snprintf(config, sizeof(config), "%s", path("kc.yaml"));
	struct sf_k8s_kubelet_opts o = {.proc = procdir};
	assert_int_equal(sf_k8s_kubelet_check(&o, &k, &err), 0);
	assert_int_equal(k.pid, 77);
	assert_int_equal(k.nprocesses, 2);
	assert_string_equal(k.exe, "/usr/bin/kubelet");
	assert_string_equal(k.config, path("kc.yaml"));
	assert_int_equal(k.config_from, SF_K8S_FROM_FLAG);
	/* The drop-ins in name order, the last over the others. */
	assert_true(k.seccomp_default);
	assert_int_equal(k.seccomp_default_set.from, SF_K8S_FROM_DROPIN);
	assert_non_null(strstr(k.seccomp_default_set.where, "20-on.conf"));
	assert_string_equal(k.root_dir, "/srv/kubelet");
	assert_int_equal(k.root_dir_set.from, SF_K8S_FROM_FLAG);
	assert_string_equal(k.seccomp_dir, "/srv/kubelet/seccomp");
	/* The drop-in of the subdirectory was read: the kubelet would refuse it. */
	assert_int_equal(k.nerrors, 2);
	assert_non_null(strstr(k.errors[0], "15-sub/x.conf"));
	sf_k8s_kubelet_clear(&k);
	unlink(path("drop/15-sub/x.conf"));

	/* The flag over every file. */
	n = snprintf(cmd, sizeof(cmd), "kubelet%c--config=%s%c--seccomp-default=false%c", 0,
		     path("kc.yaml"), 0, 0);
	put_bytes("proc/77/cmdline", cmd, (size_t)n);
	assert_int_equal(sf_k8s_kubelet_check(&o, &k, &err), 0);
	assert_false(k.seccomp_default);
	assert_int_equal(k.file_seccomp_default, 1);
	assert_int_equal(k.seccomp_default_set.from, SF_K8S_FROM_FLAG);
	assert_string_equal(k.root_dir, "/var/lib/kubelet");
	assert_int_equal(k.root_dir_set.from, SF_K8S_FROM_DEFAULT);
	sf_k8s_kubelet_clear(&k);

	/* No --config: no file is read at all. */
	n = snprintf(cmd, sizeof(cmd), "kubelet%c--seccomp-default%c--seccomp-profile-root=/old%c",
		     0, 0, 0);
	put_bytes("proc/77/cmdline", cmd, (size_t)n);
	assert_int_equal(sf_k8s_kubelet_check(&o, &k, &err), 0);
	assert_null(k.config);
	assert_true(k.seccomp_default);
	assert_string_equal(k.seccomp_dir, "/old");
	sf_k8s_kubelet_clear(&k);

	/* A command line the kubelet would refuse. */
	n = snprintf(cmd, sizeof(cmd), "kubelet%c--seccomp-default=sometimes%c", 0, 0);
	put_bytes("proc/77/cmdline", cmd, (size_t)n);
	assert_int_equal(sf_k8s_kubelet_check(&o, &k, &err), 0);
	assert_int_equal(k.nerrors, 1);
	sf_k8s_kubelet_clear(&k);

	/* JSON: stable keys, read back. */
	o.pid = -1;
	o.config = config;
	assert_int_equal(sf_k8s_kubelet_check(&o, &k, &err), 0);
	struct sf_buf b = {0};
	assert_int_equal(sf_k8s_kubelet_write_json(&k, &b), 0);
	struct sf_doc *doc = NULL;
	assert_int_equal(sf_doc_parse("k.json", b.data, b.len, SF_DOC_JSON, 0, &doc, &err), 0);
	const struct sf_node *sd = sf_node_get(sf_doc_root(doc), "seccompDefault");
	assert_non_null(sd);
	assert_true(sf_node_get(sd, "value")->boolean);
	assert_string_equal(sf_node_get(sd, "from")->str, "config file");
	assert_int_equal(sf_node_get(sf_doc_root(doc), "kubelet")->kind, SF_NODE_NULL);
	sf_doc_free(doc);
	sf_buf_free(&b);
	sf_k8s_kubelet_clear(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_install_names),
	    cmocka_unit_test_setup_teardown(test_install_is_atomic_and_all_or_nothing, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_validation_is_check_s, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sync_changes_only_its_own_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sync_manifest_cannot_reach_outside, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_sync_reads_one_configmap_generation, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_sync_removes_stale_temporary_files, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_sync_watch_follows_changes_until_stopped, setup,
					    teardown),
	    cmocka_unit_test(test_kubelet_command_line),
	    cmocka_unit_test_setup_teardown(test_kubelet_config_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kubelet_from_a_proc_tree, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
