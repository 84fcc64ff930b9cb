/*
 * The kubelet's seccomp settings, as the kubelet itself decides them: its KubeletConfiguration
 * file, the drop-ins of --config-dir over it, and its command line over both (read from
 * /proc/PID/cmdline of a running kubelet). docs/k8s.md cites each rule.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sysfence/k8s.h>

#include "util/util.h"

#define CMDLINE_MAX (1u << 20)
#define MAX_DROPINS 256

const char *sf_k8s_origin_name(enum sf_k8s_origin o)
{
	switch (o) {
	case SF_K8S_FROM_DEFAULT:
		return "default";
	case SF_K8S_FROM_FILE:
		return "config file";
	case SF_K8S_FROM_DROPIN:
		return "drop-in file";
	case SF_K8S_FROM_FLAG:
		return "command line";
	case SF_K8S_FROM_ARGUMENT:
		return "argument";
	}
	return "?";
}

/* Go's strconv.ParseBool, which pflag uses. */
static int parse_go_bool(const char *s)
{
	static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True", NULL};
	static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False", NULL};
	for (size_t i = 0; t[i]; i++)
		if (strcmp(s, t[i]) == 0)
			return 1;
	for (size_t i = 0; f[i]; i++)
		if (strcmp(s, f[i]) == 0)
			return 0;
	return -1;
}

/* --feature-gates=A=true,B=false: SeccompDefault's value, or -1 (-2 when malformed). */
static int gate_value(const char *list, int prev)
{
	int v = prev;
	const char *p = list;

	while (*p) {
		const char *end = strchrnul(p, ',');
		const char *eq = memchr(p, '=', (size_t)(end - p));
		/* Spaces around names and values are trimmed by the kubelet's parser. */
		const char *k = p, *ke = eq ? eq : end;
		while (k < ke && isspace((unsigned char)*k))
			k++;
		while (ke > k && isspace((unsigned char)ke[-1]))
			ke--;
		if ((size_t)(ke - k) == strlen("SeccompDefault") &&
		    memcmp(k, "SeccompDefault", (size_t)(ke - k)) == 0) {
			char val[16];
			const char *vs = eq ? eq + 1 : end, *ve = end;
			while (vs < ve && isspace((unsigned char)*vs))
				vs++;
			while (ve > vs && isspace((unsigned char)ve[-1]))
				ve--;
			if (!eq || (size_t)(ve - vs) >= sizeof(val))
				return -2;
			memcpy(val, vs, (size_t)(ve - vs));
			val[ve - vs] = 0;
			v = parse_go_bool(val);
			if (v < 0)
				return -2;
		}
		p = *end ? end + 1 : end;
	}
	return v;
}

int sf_k8s_kubelet_parse_args(int argc, char *const *argv, struct sf_k8s_kubelet_flags *f,
			      struct sf_error *err)
{
	static const char *const string_flags[] = {
	    "config", "config-dir", "root-dir", "seccomp-profile-root", "feature-gates", NULL};

	memset(f, 0, sizeof(*f));
	f->seccomp_default = -1;
	f->gate = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char name[64];
		const char *eq, *value = NULL;
		size_t n;

		if (strcmp(a, "--") == 0)
			break;
		if (strncmp(a, "--", 2) != 0)
			continue; /* an argument, or -v / -h shorthands */
		a += 2;
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a) : strlen(a);
		if (n == 0 || n >= sizeof(name))
			continue;
		/* The kubelet's flag set reads '_' as '-' (WordSepNormalizeFunc). */
		for (size_t k = 0; k < n; k++)
			name[k] = a[k] == '_' ? '-' : a[k];
		name[n] = 0;
		if (strcmp(name, "seccomp-default") == 0) {
			int b = eq ? parse_go_bool(eq + 1) : 1;
			if (b < 0)
				return sf_error_set(
				    err, -EINVAL,
				    "%s: invalid boolean \"%s\": the kubelet refuses to "
				    "start",
				    argv[i], eq + 1);
			f->seccomp_default = b;
			f->seccomp_default_arg = argv[i];
			continue;
		}
		size_t k;
		for (k = 0; string_flags[k] && strcmp(string_flags[k], name) != 0; k++)
			;
		if (!string_flags[k])
			continue;
		if (eq) {
			value = eq + 1;
		} else if (i + 1 < argc) {
			value = argv[++i]; /* pflag takes the next argument, whatever it is */
		} else {
			return sf_error_set(
			    err, -EINVAL, "--%s needs a value: the kubelet refuses to start", name);
		}
		switch (k) {
		case 0:
			f->config = value;
			break;
		case 1:
			f->config_dir = value;
			break;
		case 2:
			f->root_dir = value;
			break;
		case 3:
			f->seccomp_profile_root = value;
			break;
		case 4: {
			int g = gate_value(value, f->gate);
			if (g == -2)
				return sf_error_set(
				    err, -EINVAL,
				    "--feature-gates %s: SeccompDefault needs true or "
				    "false",
				    value);
			f->gate = g;
			break;
		}
		}
	}
	return 0;
}

/* ---- building the result ---- */

static char *xstrdup(const char *s, int *oom)
{
	char *d = s ? strdup(s) : NULL;
	if (s && !d)
		*oom = 1;
	return d;
}

static void add_line(char ***v, size_t *n, int *oom, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add_line(char ***v, size_t *n, int *oom, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	char **nv = s ? realloc(*v, (*n + 1) * sizeof(**v)) : NULL;
	if (!nv) {
		free(s);
		*oom = 1;
		return;
	}
	nv[(*n)++] = s;
	*v = nv;
}

static void setting(struct sf_k8s_setting *s, enum sf_k8s_origin from, int *oom, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));
static void setting(struct sf_k8s_setting *s, enum sf_k8s_origin from, int *oom, const char *fmt,
		    ...)
{
	va_list ap;
	free(s->where);
	s->where = NULL;
	s->from = from;
	if (!fmt)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s->where, fmt, ap) < 0) {
		s->where = NULL;
		*oom = 1;
	}
	va_end(ap);
}

void sf_k8s_kubelet_clear(struct sf_k8s_kubelet *k)
{
	free(k->exe);
	free(k->config);
	free(k->seccomp_default_set.where);
	free(k->gate_set.where);
	free(k->root_dir);
	free(k->root_dir_set.where);
	free(k->seccomp_dir);
	free(k->seccomp_dir_set.where);
	for (size_t i = 0; i < k->nnotes; i++)
		free(k->notes[i]);
	free(k->notes);
	for (size_t i = 0; i < k->nerrors; i++)
		free(k->errors[i]);
	free(k->errors);
	memset(k, 0, sizeof(*k));
}

/* ---- the running kubelet ---- */

struct cmdline {
	char *buf;
	char **argv;
	int argc;
	char *cwd;
};

static void cmdline_free(struct cmdline *c)
{
	free(c->buf);
	free(c->argv);
	free(c->cwd);
	memset(c, 0, sizeof(*c));
}

static int read_small(const char *path, char **out, size_t *len, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t n = 0, cap = 4096;
	char *buf;

	*out = NULL;
	if (fd < 0)
		return -errno;
	if (!(buf = malloc(cap + 1))) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= max)
				break;
			char *nb = realloc(buf, cap * 2 + 1);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			int e = k < 0 ? -errno : 0;
			if (e) {
				free(buf);
				close(fd);
				return e;
			}
			break;
		}
		n += (size_t)k;
	}
	close(fd);
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

static int read_cmdline(const char *proc, int pid, struct cmdline *c)
{
	char path[PATH_MAX];
	size_t len;
	int r;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/%d/cmdline", proc, pid);
	if ((r = read_small(path, &c->buf, &len, CMDLINE_MAX)) < 0)
		return r;
	for (size_t i = 0; i < len; i++)
		c->argc += c->buf[i] == 0;
	if (len && c->buf[len - 1] != 0)
		c->argc++;
	if (!(c->argv = calloc((size_t)c->argc + 1, sizeof(*c->argv)))) {
		cmdline_free(c);
		return -ENOMEM;
	}
	int k = 0;
	for (size_t i = 0; i < len && k < c->argc; i += strlen(c->buf + i) + 1)
		c->argv[k++] = c->buf + i;
	c->argc = k;
	/* Relative paths on its command line are relative to its working directory. */
	snprintf(path, sizeof(path), "%s/%d/cwd", proc, pid);
	char cwd[PATH_MAX];
	ssize_t n = readlink(path, cwd, sizeof(cwd) - 1);
	if (n > 0) {
		cwd[n] = 0;
		c->cwd = strdup(cwd);
	}
	return 0;
}

static bool is_kubelet(const char *proc, int pid)
{
	char path[PATH_MAX], *comm = NULL;
	size_t len;
	bool yes;

	snprintf(path, sizeof(path), "%s/%d/comm", proc, pid);
	if (read_small(path, &comm, &len, 64) < 0)
		return false;
	yes = strcmp(comm, "kubelet\n") == 0 || strcmp(comm, "kubelet") == 0;
	free(comm);
	return yes;
}

/* The lowest pid named kubelet (0 when none), and how many there are. */
static int find_kubelet(const char *proc, size_t *count)
{
	DIR *d = opendir(proc);
	struct dirent *de;
	int best = 0;

	*count = 0;
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid > INT_MAX || !is_kubelet(proc, (int)pid))
			continue;
		(*count)++;
		if (!best || pid < best)
			best = (int)pid;
	}
	closedir(d);
	return best;
}

/* ---- configuration files ---- */

struct reader {
	struct sf_k8s_kubelet *k;
	int *oom;
};

static void file_error(struct reader *rd, const char *file, const struct sf_node *n,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void file_error(struct reader *rd, const char *file, const struct sf_node *n,
		       const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n && n->line)
		add_line(&rd->k->errors, &rd->k->nerrors, rd->oom, "%s:%u:%u: error: %s", file,
			 n->line, n->col, msg);
	else
		add_line(&rd->k->errors, &rd->k->nerrors, rd->oom, "%s: error: %s", file, msg);
}

/* A boolean field as the kubelet's YAML 1.1 reader takes it: -1 when it is not one. */
static int read_bool(struct reader *rd, const char *file, const char *field,
		     const struct sf_node *v)
{
	static const char *const yes[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", NULL};
	static const char *const no[] = {"n", "N", "no", "No", "NO", "off", "Off", "OFF", NULL};

	if (v->kind == SF_NODE_BOOL)
		return v->boolean;
	if (v->kind == SF_NODE_STRING && !v->quoted) {
		for (int i = 0; yes[i] || no[i]; i++) {
			const char *w = yes[i] && strcmp(v->str, yes[i]) == 0 ? "true"
					: no[i] && strcmp(v->str, no[i]) == 0 ? "false"
									      : NULL;
			if (w) {
				add_line(
				    &rd->k->notes, &rd->k->nnotes, rd->oom,
				    "%s:%u:%u: %s: the kubelet reads YAML 1.1 and takes \"%s\" "
				    "for %s; write %s",
				    file, v->line, v->col, field, v->str, w, w);
				return strcmp(w, "true") == 0;
			}
		}
	}
	file_error(rd, file, v,
		   "%s: expected true or false, found %s: the kubelet refuses the file", field,
		   v->kind == SF_NODE_STRING ? "a string" : sf_node_kind_name(v->kind));
	return -1;
}

/* Go's filepath.Ext(name) == ".conf" (".conf" alone included). */
static bool ends_with_conf(const char *s)
{
	size_t n = strlen(s);
	return n >= 5 && strcmp(s + n - 5, ".conf") == 0;
}

/* Read one KubeletConfiguration (the file, or a drop-in). */
static int read_config(struct reader *rd, const char *path, enum sf_k8s_origin from,
		       struct sf_error *err)
{
	struct sf_k8s_kubelet *k = rd->k;
	struct sf_doc *doc = NULL;
	const struct sf_node *root, *v;
	/* Drop-ins are .conf files; the kubelet reads them as YAML (or JSON). */
	int r =
	    sf_doc_read_file(path, ends_with_conf(path) ? SF_DOC_YAML : SF_DOC_AUTO, 0, &doc, err);

	if (r < 0) {
		if (r == -EINVAL || r == -EILSEQ) {
			char buf[SF_ERROR_MSG_MAX + SF_ERROR_FILE_MAX + 64];
			sf_error_format(err, buf, sizeof(buf));
			add_line(&k->errors, &k->nerrors, rd->oom, "%s", buf);
			sf_error_clear(err);
			return 0;
		}
		return r;
	}
	root = sf_doc_root(doc);
	if (!root || root->kind != SF_NODE_OBJECT) {
		file_error(rd, path, root, "expected a KubeletConfiguration object");
		goto out;
	}
	v = sf_node_get(root, "kind");
	if (!v || v->kind != SF_NODE_STRING || strcmp(v->str, "KubeletConfiguration") != 0)
		file_error(rd, path, v ? v : root,
			   "kind: expected KubeletConfiguration: the kubelet refuses the file");
	v = sf_node_get(root, "apiVersion");
	if (!v || v->kind != SF_NODE_STRING || strncmp(v->str, "kubelet.config.k8s.io/", 22) != 0)
		file_error(rd, path, v ? v : root,
			   "apiVersion: expected kubelet.config.k8s.io/v1beta1: the kubelet "
			   "refuses the file");
	if ((v = sf_node_get(root, "seccompDefault"))) {
		int b = read_bool(rd, path, "seccompDefault", v);
		if (b >= 0) {
			k->file_seccomp_default = b;
			k->seccomp_default = b;
			setting(&k->seccomp_default_set, from, rd->oom, "%s:%u:%u", path, v->line,
				v->col);
		}
	}
	if ((v = sf_node_get(root, "featureGates"))) {
		const struct sf_node *g;
		if (v->kind != SF_NODE_OBJECT)
			file_error(rd, path, v, "featureGates: expected an object of booleans");
		else if ((g = sf_node_get(v, "SeccompDefault"))) {
			int b = read_bool(rd, path, "featureGates.SeccompDefault", g);
			if (b >= 0) {
				k->gate = b;
				setting(&k->gate_set, from, rd->oom, "%s:%u:%u", path, g->line,
					g->col);
			}
		}
	}
	/* The seccomp directory is not a configuration field: say so when one is written. */
	if ((v = sf_node_get(root, "seccompProfileRoot")) || (v = sf_node_get(root, "rootDir")))
		add_line(&k->notes, &k->nnotes, rd->oom,
			 "%s:%u:%u: the kubelet has no such configuration field; the seccomp "
			 "directory comes from the --root-dir flag",
			 path, v->line, v->col);
out:
	sf_doc_free(doc);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * --config-dir: every file named *.conf, each over the ones before, in the order of Go's
 * filepath.WalkDir (entries by name, subdirectories walked where they come, links not followed
 * into directories), as the kubelet's mergeKubeletConfigurations does.
 */
static int read_dropins(struct reader *rd, const char *dir, unsigned depth, struct sf_error *err)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int r = 0;

	if (depth > 16)
		return 0;
	if (!(d = opendir(dir))) {
		add_line(&rd->k->errors, &rd->k->nerrors, rd->oom, "%s: error: cannot read: %s",
			 dir, strerror(errno));
		return 0;
	}
	while ((de = readdir(d)) && n < MAX_DROPINS) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char **nv = realloc(names, (n + 1) * sizeof(*names));
		char *name = sf_strdup_printf("%s/%s", dir, de->d_name);
		if (nv)
			names = nv;
		if (!nv || !name) {
			free(name);
			*rd->oom = 1;
			break;
		}
		names[n++] = name;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (r == 0 && lstat(names[i], &st) == 0) {
			if (S_ISDIR(st.st_mode))
				r = read_dropins(rd, names[i], depth + 1, err);
			else if (ends_with_conf(names[i]))
				r = read_config(rd, names[i], SF_K8S_FROM_DROPIN, err);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

/* A path of the kubelet's command line, as it sees it. */
static char *kubelet_path(const struct cmdline *c, const char *p, int *oom)
{
	char *s;
	if (p[0] == '/' || !c->cwd)
		return xstrdup(p, oom);
	if (!(s = sf_strdup_printf("%s/%s", c->cwd, p)))
		*oom = 1;
	return s;
}

int sf_k8s_kubelet_check(const struct sf_k8s_kubelet_opts *o, struct sf_k8s_kubelet *k,
			 struct sf_error *err)
{
	const char *proc = o->proc ? o->proc : "/proc";
	struct sf_k8s_kubelet_flags fl;
	struct cmdline c = {0};
	struct sf_error perr = {0};
	struct reader rd = {.k = k};
	int oom = 0, r = 0;
	bool have_flags = false;

	rd.oom = &oom;
	memset(k, 0, sizeof(*k));
	k->file_seccomp_default = -1;
	k->gate = -1;
	sf_k8s_kubelet_parse_args(0, NULL, &fl, &perr);

	/* The running kubelet. */
	if (o->pid > 0) {
		k->pid = o->pid;
		k->nprocesses = is_kubelet(proc, o->pid) ? 1 : 0;
	} else if (o->pid == 0) {
		k->pid = find_kubelet(proc, &k->nprocesses);
	}
	if (k->pid) {
		r = read_cmdline(proc, k->pid, &c);
		if (r < 0) {
			r = sf_error_set(err, r, "cannot read %s/%d/cmdline: %s", proc, k->pid,
					 strerror(-r));
			goto out;
		}
		k->exe = xstrdup(c.argc ? c.argv[0] : "", &oom);
		if (sf_k8s_kubelet_parse_args(c.argc, c.argv, &fl, &perr) < 0) {
			add_line(&k->errors, &k->nerrors, &oom, "%s/%d/cmdline: error: %s", proc,
				 k->pid, perr.msg);
			sf_k8s_kubelet_parse_args(0, NULL, &fl, &perr);
		}
		have_flags = true;
		if (k->nprocesses > 1)
			add_line(&k->notes, &k->nnotes, &oom,
				 "%zu processes are named kubelet: pid %d (the lowest) was read",
				 k->nprocesses, k->pid);
	}

	/* Which configuration file. */
	if (o->config) {
		k->config = xstrdup(o->config, &oom);
		k->config_from = SF_K8S_FROM_ARGUMENT;
		if (have_flags && fl.config) {
			char *theirs = kubelet_path(&c, fl.config, &oom);
			if (theirs && strcmp(theirs, o->config) != 0)
				add_line(&k->notes, &k->nnotes, &oom,
					 "the running kubelet reads %s, not %s", theirs, o->config);
			free(theirs);
		}
	} else if (have_flags && fl.config) {
		k->config = kubelet_path(&c, fl.config, &oom);
		k->config_from = SF_K8S_FROM_FLAG;
	} else if (!have_flags) {
		k->config = xstrdup(SF_K8S_DEFAULT_KUBELET_CONFIG, &oom);
		k->config_from = SF_K8S_FROM_DEFAULT;
	} else {
		add_line(&k->notes, &k->nnotes, &oom,
			 "the running kubelet has no --config: it reads no configuration file");
	}
	setting(&k->seccomp_default_set, SF_K8S_FROM_DEFAULT, &oom,
		"false in every release; the setting exists from 1.22");
	if (k->config && (r = read_config(&rd, k->config, SF_K8S_FROM_FILE, err)) < 0)
		goto out;
	if (have_flags && fl.config_dir) {
		char *dir = kubelet_path(&c, fl.config_dir, &oom);
		if (dir)
			r = read_dropins(&rd, dir, 0, err);
		free(dir);
		if (r < 0)
			goto out;
	}

	/* The command line over the files. */
	if (have_flags && fl.seccomp_default >= 0) {
		k->seccomp_default = fl.seccomp_default;
		setting(&k->seccomp_default_set, SF_K8S_FROM_FLAG, &oom, "%s",
			fl.seccomp_default_arg);
	}
	if (have_flags && fl.gate >= 0) {
		k->gate = fl.gate;
		setting(&k->gate_set, SF_K8S_FROM_FLAG, &oom, "--feature-gates SeccompDefault=%s",
			fl.gate ? "true" : "false");
	}
	if (have_flags && fl.root_dir) {
		k->root_dir = kubelet_path(&c, fl.root_dir, &oom);
		setting(&k->root_dir_set, SF_K8S_FROM_FLAG, &oom, "--root-dir=%s", fl.root_dir);
	} else {
		k->root_dir = xstrdup(SF_K8S_DEFAULT_KUBELET_ROOT, &oom);
		setting(&k->root_dir_set, SF_K8S_FROM_DEFAULT, &oom, NULL);
	}
	if (have_flags && fl.seccomp_profile_root) {
		k->seccomp_dir = kubelet_path(&c, fl.seccomp_profile_root, &oom);
		setting(&k->seccomp_dir_set, SF_K8S_FROM_FLAG, &oom, "--seccomp-profile-root=%s",
			fl.seccomp_profile_root);
		add_line(
		    &k->notes, &k->nnotes, &oom,
		    "--seccomp-profile-root is honoured by kubelets before 1.23 only (deprecated "
		    "in 1.19, removed in 1.23): later ones refuse to start with it, and use "
		    "<root-dir>/seccomp");
	} else if (k->root_dir) {
		size_t n = strlen(k->root_dir);
		k->seccomp_dir = sf_strdup_printf("%s%sseccomp", k->root_dir,
						  n && k->root_dir[n - 1] == '/' ? "" : "/");
		if (!k->seccomp_dir)
			oom = 1;
		setting(&k->seccomp_dir_set, k->root_dir_set.from, &oom, "<root-dir>/seccomp");
	}

	if (k->seccomp_default && k->gate == 0)
		add_line(
		    &k->notes, &k->nnotes, &oom,
		    "the SeccompDefault feature gate is off: kubelets 1.22 to 1.26 then ignore "
		    "seccompDefault, and kubelets from 1.27 (where the gate is locked on) refuse "
		    "to start");
	else if (k->seccomp_default && k->gate < 0)
		add_line(&k->notes, &k->nnotes, &oom,
			 "kubelets 1.22 to 1.24 also need --feature-gates SeccompDefault=true (on "
			 "by default from 1.25, always from 1.27)");
	if (!k->seccomp_default)
		add_line(&k->notes, &k->nnotes, &oom,
			 "containers and pods that set no seccompProfile run Unconfined on this "
			 "node; seccompDefault: true makes them RuntimeDefault");
out:
	cmdline_free(&c);
	if (oom && r == 0)
		r = sf_error_set(err, -ENOMEM, "out of memory");
	return r;
}

/* ---- output ---- */

static void jstr(struct sf_buf *b, const char *s)
{
	if (s)
		sf_json_put_string(b, s, strlen(s));
	else
		sf_buf_puts(b, "null");
}

static void jsetting(struct sf_buf *b, const char *key, const char *value_json,
		     const struct sf_k8s_setting *s)
{
	sf_buf_printf(b, ",\"%s\":{\"value\":%s,\"from\":", key, value_json);
	jstr(b, sf_k8s_origin_name(s->from));
	sf_buf_puts(b, ",\"where\":");
	jstr(b, s->where);
	sf_buf_putc(b, '}');
}

static void jlist(struct sf_buf *b, const char *key, char *const *v, size_t n)
{
	sf_buf_printf(b, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sf_buf_putc(b, ',');
		jstr(b, v[i]);
	}
	sf_buf_putc(b, ']');
}

int sf_k8s_kubelet_write_json(const struct sf_k8s_kubelet *k, struct sf_buf *b)
{
	struct sf_buf tmp = {0};

	sf_buf_puts(b, "{\"kubelet\":");
	if (k->pid) {
		sf_buf_printf(b, "{\"pid\":%d,\"exe\":", k->pid);
		jstr(b, k->exe);
		sf_buf_printf(b, ",\"processes\":%zu}", k->nprocesses);
	} else {
		sf_buf_puts(b, "null");
	}
	sf_buf_puts(b, ",\"config\":");
	if (k->config) {
		sf_buf_puts(b, "{\"path\":");
		jstr(b, k->config);
		sf_buf_puts(b, ",\"from\":");
		jstr(b, sf_k8s_origin_name(k->config_from));
		sf_buf_putc(b, '}');
	} else {
		sf_buf_puts(b, "null");
	}
	jsetting(b, "seccompDefault", k->seccomp_default ? "true" : "false",
		 &k->seccomp_default_set);
	sf_buf_printf(b, ",\"configSeccompDefault\":%s",
		      k->file_seccomp_default < 0 ? "null"
		      : k->file_seccomp_default	  ? "true"
						  : "false");
	jsetting(b, "featureGate", k->gate < 0 ? "null" : k->gate ? "true" : "false", &k->gate_set);
	jstr(&tmp, k->root_dir);
	jsetting(b, "rootDir", tmp.data ? tmp.data : "null", &k->root_dir_set);
	tmp.len = 0;
	jstr(&tmp, k->seccomp_dir);
	jsetting(b, "seccompDir", tmp.data ? tmp.data : "null", &k->seccomp_dir_set);
	sf_buf_free(&tmp);
	jlist(b, "errors", k->errors, k->nerrors);
	jlist(b, "notes", k->notes, k->nnotes);
	sf_buf_puts(b, "}\n");
	return b->oom ? -ENOMEM : 0;
}
