/*
 * Installing profiles into the kubelet's seccomp directory: validated, written atomically, and
 * kept in step with a directory (a mounted ConfigMap) by `sync`, which changes only the files it
 * installed itself (listed in the root's manifest).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sysfence/k8s.h>
#include <sysfence/profile.h>

#include "util/util.h"

/* Larger sources are refused: a ConfigMap holds 1 MiB, the biggest real profiles ~100 KiB. */
#define SOURCE_MAX (16u << 20)
#define TMP_PREFIX ".sysfence-tmp-"
/* Temporary files of a crashed run older than this are removed by sync. */
#define TMP_STALE_SECONDS 600
/* A swap seen during a pass: read again, at most this many times, then wait for the event. */
#define SNAPSHOT_TRIES 8
/* Quiet time that ends a burst of inotify events, and the longest a burst may delay a pass. */
#define DEBOUNCE_MS	50
#define DEBOUNCE_MAX_MS 1000

const char *sf_k8s_change_name(enum sf_k8s_change c)
{
	static const char *const names[] = {
	    [SF_K8S_ADDED] = "added",	      [SF_K8S_REPLACED] = "replaced",
	    [SF_K8S_UNCHANGED] = "unchanged", [SF_K8S_REMOVED] = "removed",
	    [SF_K8S_INVALID] = "invalid",     [SF_K8S_CONFLICT] = "conflict",
	    [SF_K8S_FAILED] = "failed",
	};
	return (unsigned)c < SF_ARRAY_SIZE(names) ? names[c] : "?";
}

static bool valid_file_name(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= NAME_MAX && s[0] != '.' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_profile_name(const char *s)
{
	return s[0] != '.' &&
	       (ends_with(s, ".json") || ends_with(s, ".yaml") || ends_with(s, ".yml"));
}

char *sf_k8s_install_name(const char *path)
{
	const char *base = path[0] == '@' ? path + 1 : strrchr(path, '/');
	size_t n;
	char *out;

	base = base ? (path[0] == '@' ? base : base + 1) : path;
	n = strlen(base);
	if (ends_with(base, ".json"))
		n -= 5;
	else if (ends_with(base, ".yaml"))
		n -= 5;
	else if (ends_with(base, ".yml"))
		n -= 4;
	if (n == 0 || !(out = malloc(n + 6)))
		return NULL;
	memcpy(out, base, n);
	memcpy(out + n, ".json", 6);
	if (!valid_file_name(out)) {
		free(out);
		return NULL;
	}
	return out;
}

/* A regular file only (a FIFO would block, a device is not a profile), bounded. Closes fd. */
static int read_fd(int fd, const char *display, char **data, size_t *len, struct sf_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0, cap;
	int r = 0;

	*data = NULL;
	*len = 0;
	if (fstat(fd, &st) < 0) {
		r = sf_error_set_at(err, -errno, display, 0, 0, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = sf_error_set_at(err, -EINVAL, display, 0, 0, "not a regular file");
		goto out;
	}
	if ((uint64_t)st.st_size > SOURCE_MAX) {
		r = sf_error_set_at(err, -EFBIG, display, 0, 0,
				    "%" PRIu64 " bytes: larger than %u MiB, refused",
				    (uint64_t)st.st_size, SOURCE_MAX >> 20);
		goto out;
	}
	/* Room for one byte more than the size, to see a file that grew. */
	cap = (size_t)st.st_size + 2;
	if (!(buf = malloc(cap))) {
		r = sf_error_set_at(err, -ENOMEM, display, 0, 0, "out of memory");
		goto out;
	}
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > SOURCE_MAX) {
				r = sf_error_set_at(err, -EFBIG, display, 0, 0,
						    "larger than %u MiB, refused",
						    SOURCE_MAX >> 20);
				goto out;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				r = sf_error_set_at(err, -ENOMEM, display, 0, 0, "out of memory");
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t k = read(fd, buf + n, cap - n - 1);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			r = sf_error_set_at(err, -errno, display, 0, 0, "cannot read: %s",
					    strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	buf[n] = 0;
	*data = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

static int read_regular(const char *path, const char *display, char **data, size_t *len,
			struct sf_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return sf_error_set_at(err, -errno, display, 0, 0, "cannot open: %s",
				       strerror(errno));
	return read_fd(fd, display, data, len, err);
}

/* The first error in the file is the one to fix first (as `sysfence check` reports). */
static int first_error(const struct sf_findings *f, const char *file, struct sf_error *err)
{
	const struct sf_finding *x = NULL;

	for (size_t i = 0; i < f->n; i++) {
		const struct sf_finding *y = &f->v[i];
		if (y->severity == SF_SEV_ERROR &&
		    (!x || y->line < x->line || (y->line == x->line && y->col < x->col)))
			x = y;
	}
	if (!x)
		return 0;
	return sf_error_set_at(err, -EINVAL, file, x->line, x->col, "%s%s%s%s%s%s", x->path,
			       x->path[0] ? ": " : "", x->msg, x->hint ? " (" : "",
			       x->hint ? x->hint : "", x->hint ? ")" : "");
}

/* Validate a profile read from display and write its canonical JSON. */
static int validate_profile(struct sf_profile *p, int r, const char *display, struct sf_findings *f,
			    struct sf_buf *json, struct sf_error *err)
{
	if (p && r != -ENOMEM) {
		sf_profile_check(p, 0, f);
		if (f->nerrors)
			r = first_error(f, display, err);
	}
	if (r == 0) {
		r = sf_profile_write(p, SF_OUT_JSON, json, err);
		if (r == 0 && json->oom)
			r = sf_error_set(err, -ENOMEM, "out of memory");
	}
	return r;
}

static int validate_data(const char *display, const char *data, size_t len, struct sf_buf *json,
			 struct sf_error *err)
{
	struct sf_findings f;
	struct sf_profile *p = NULL;
	int r;

	sf_findings_init(&f, display);
	r = sf_profile_parse(display, data, len, SF_DOC_AUTO, &f, &p, err);
	r = validate_profile(p, r, display, &f, json, err);
	sf_profile_free(p);
	sf_findings_clear(&f);
	return r;
}

int sf_k8s_validate(const char *path, const char *display, struct sf_buf *json,
		    struct sf_error *err)
{
	char *data;
	size_t len;
	int r;

	if (!display)
		display = path;
	if (path[0] == '@') {
		struct sf_profile *p = NULL;
		r = sf_profile_builtin(path, &p, err);
		if (r == 0) {
			r = sf_profile_write(p, SF_OUT_JSON, json, err);
			if (r == 0 && json->oom)
				r = sf_error_set(err, -ENOMEM, "out of memory");
		}
		sf_profile_free(p);
		return r;
	}
	r = read_regular(path, display, &data, &len, err);
	if (r < 0)
		return r;
	r = validate_data(display, data, len, json, err);
	free(data);
	return r;
}

/* mkdir -p, 0755. */
static int make_dirs(const char *path, struct sf_error *err)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return sf_error_set(err, -ENAMETOOLONG, "%s: path too long", path);
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == 0) {
			char c = *p;
			*p = 0;
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return sf_error_set(err, -errno, "cannot create %s: %s", buf,
						    strerror(errno));
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

/* Open (creating it when missing) and lock the root: one pass at a time on one root. */
static int open_root(const char *root, int *fd, struct sf_error *err)
{
	int d = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0 && errno == ENOENT) {
		int r = make_dirs(root, err);
		if (r < 0)
			return r;
		d = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (d < 0)
		return sf_error_set(err, -errno, "cannot open the root %s: %s", root,
				    strerror(errno));
	while (flock(d, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		close(d);
		return sf_error_set(err, -e, "cannot lock the root %s: %s", root, strerror(e));
	}
	*fd = d;
	return 0;
}

static void close_root(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

/* root/name <- data, atomically and durably. */
static int write_atomic(int rootfd, const char *root, const char *name, const char *data,
			size_t len, struct sf_error *err)
{
	char tmp[64];
	uint64_t rnd = 0;
	int fd = -1, r = 0;

	for (int tries = 0; fd < 0; tries++) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL) ^ (uint64_t)tries;
		snprintf(tmp, sizeof(tmp), TMP_PREFIX "%016" PRIx64, rnd);
		fd =
		    openat(rootfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0 && (errno != EEXIST || tries > 16))
			return sf_error_set(err, -errno, "cannot create a file in %s: %s", root,
					    strerror(errno));
	}
	r = sf_write_all(fd, data, len);
	/* The mode is the runtimes' business to read, not the umask's. */
	if (r == 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(rootfd, tmp, rootfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(rootfd, tmp, 0);
		return sf_error_set(err, r, "cannot write %s/%s: %s", root, name, strerror(-r));
	}
	/* The rename itself must survive a crash: sync the directory. */
	if (fsync(rootfd) < 0)
		return sf_error_set(err, -errno, "cannot sync %s: %s", root, strerror(errno));
	return 0;
}

/* Whether root/name exists (as anything, a symlink not followed). */
static bool exists_at(int rootfd, const char *name)
{
	struct stat st;
	return fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Whether root/name is a regular file holding exactly data. */
static bool same_content(int rootfd, const char *name, const char *data, size_t len)
{
	int fd = openat(rootfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	bool same = false;
	char buf[8192];
	size_t off = 0;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == len) {
		same = true;
		for (;;) {
			ssize_t k = read(fd, buf, sizeof(buf));
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0 || (size_t)k > len - off || memcmp(buf, data + off, (size_t)k)) {
				same = false;
				break;
			}
			if (k == 0) {
				same = off == len;
				break;
			}
			off += (size_t)k;
		}
	}
	close(fd);
	return same;
}

static void emit(sf_k8s_event_fn *fn, void *ctx, enum sf_k8s_change c, const char *name,
		 const char *source, bool kept, const struct sf_error *err)
{
	struct sf_k8s_event ev = {
	    .change = c, .name = name, .source = source, .kept = kept, .err = err};
	if (fn)
		fn(ctx, &ev);
}

int sf_k8s_install(const char *root, const char *const *paths, size_t n, sf_k8s_event_fn *fn,
		   void *ctx, struct sf_error *err)
{
	struct sf_buf *json = calloc(n ? n : 1, sizeof(*json));
	char **names = calloc(n ? n : 1, sizeof(*names));
	size_t invalid = 0;
	int rootfd = -1, r = 0;

	if (!json || !names) {
		r = sf_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct sf_error e = {0};
		names[i] = sf_k8s_install_name(paths[i]);
		if (!names[i]) {
			sf_error_set_at(&e, -EINVAL, paths[i], 0, 0,
					"no file name can be made of it: use letters, digits, '.', "
					"'_' and '-' (the installed name is NAME.json)");
		} else {
			for (size_t j = 0; j < i; j++)
				if (names[j] && strcmp(names[i], names[j]) == 0)
					sf_error_set_at(&e, -EINVAL, paths[i], 0, 0,
							"installs as %s, as %s does", names[i],
							paths[j]);
		}
		if (e.code == 0 && sf_k8s_validate(paths[i], NULL, &json[i], &e) == 0)
			continue;
		if (e.code == -ENOMEM) {
			*err = e;
			r = -ENOMEM;
			goto out;
		}
		invalid++;
		emit(fn, ctx, SF_K8S_INVALID, names[i] ? names[i] : paths[i], paths[i], false, &e);
	}
	if (invalid) {
		r = sf_error_set(err, -EINVAL, "%zu of %zu profile%s invalid: nothing installed",
				 invalid, n, n == 1 ? "" : "s");
		goto out;
	}
	if ((r = open_root(root, &rootfd, err)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct sf_error e = {0};
		bool existed = exists_at(rootfd, names[i]);
		if (existed && same_content(rootfd, names[i], json[i].data, json[i].len)) {
			emit(fn, ctx, SF_K8S_UNCHANGED, names[i], paths[i], false, NULL);
			continue;
		}
		if (write_atomic(rootfd, root, names[i], json[i].data, json[i].len, &e) < 0) {
			emit(fn, ctx, SF_K8S_FAILED, names[i], paths[i], false, &e);
			*err = e;
			r = e.code;
			goto out;
		}
		emit(fn, ctx, existed ? SF_K8S_REPLACED : SF_K8S_ADDED, names[i], paths[i], false,
		     NULL);
	}
out:
	close_root(rootfd);
	for (size_t i = 0; json && names && i < n; i++) {
		sf_buf_free(&json[i]);
		free(names[i]);
	}
	free(json);
	free(names);
	return r;
}

/* ---- sync ---- */

/* A sorted set of names. */
struct names {
	char **v;
	size_t n, cap;
};

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static ssize_t names_find(const struct names *s, const char *name)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->v[mid], name);
		if (c == 0)
			return (ssize_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(ssize_t)lo - 1;
}

static bool names_has(const struct names *s, const char *name)
{
	return names_find(s, name) >= 0;
}

static int names_add(struct names *s, const char *name)
{
	ssize_t at = names_find(s, name);
	if (at >= 0)
		return 0;
	size_t i = (size_t)(-at - 1);
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof(*s->v));
	s->v[i] = copy;
	s->n++;
	return 0;
}

static void names_del(struct names *s, const char *name)
{
	ssize_t at = names_find(s, name);
	if (at < 0)
		return;
	free(s->v[at]);
	memmove(s->v + at, s->v + at + 1, (s->n - (size_t)at - 1) * sizeof(*s->v));
	s->n--;
}

static const char manifest_header[] =
    "# sysfence k8s install --sync: the profiles it installed in this directory, one a line.\n"
    "# It replaces and removes only these. Do not edit while it runs.\n";

/* Lines that are not plain profile names are ignored: never ours to remove. */
static int manifest_read(int rootfd, const char *root, struct names *out, struct sf_error *err)
{
	int fd = openat(rootfd, SF_K8S_MANIFEST, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	char *data = NULL;
	size_t len = 0;
	int r;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return sf_error_set(err, -errno, "cannot open %s/%s: %s", root, SF_K8S_MANIFEST,
				    strerror(errno));
	}
	r = read_fd(fd, SF_K8S_MANIFEST, &data, &len, err);
	if (r < 0)
		return r;
	for (char *line = data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (valid_file_name(line) && ends_with(line, ".json") && names_add(out, line) < 0) {
			free(data);
			return sf_error_set(err, -ENOMEM, "out of memory");
		}
	}
	free(data);
	return 0;
}

static int manifest_write(int rootfd, const char *root, const struct names *s, struct sf_error *err)
{
	struct sf_buf b = {0};
	int r;

	sf_buf_puts(&b, manifest_header);
	for (size_t i = 0; i < s->n; i++) {
		sf_buf_puts(&b, s->v[i]);
		sf_buf_putc(&b, '\n');
	}
	if (b.oom)
		r = sf_error_set(err, -ENOMEM, "out of memory");
	else
		r = write_atomic(rootfd, root, SF_K8S_MANIFEST, b.data, b.len, err);
	sf_buf_free(&b);
	return r;
}

/* One profile of dir, as read in one generation. */
struct source {
	char *file;    /* entry name in dir */
	char *name;    /* the name in the root */
	char *display; /* dir/file, for messages */
	struct sf_buf json;
	struct sf_error err; /* code != 0: invalid or unreadable */
};

struct snapshot {
	struct source *v;
	size_t n;
};

static void snapshot_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].file);
		free(s->v[i].name);
		free(s->v[i].display);
		sf_buf_free(&s->v[i].json);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int cmp_source(const void *a, const void *b)
{
	const struct source *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->file, y->file);
}

/* The target of dir/..data ("" when dir is a plain directory), or -errno. */
static int data_link(const char *dir, char *buf, size_t size)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/..data", dir) >= sizeof(path))
		return -ENAMETOOLONG;
	ssize_t k = readlink(path, buf, size - 1);
	if (k < 0) {
		buf[0] = 0;
		return errno == ENOENT || errno == EINVAL ? 0 : -errno;
	}
	buf[k] = 0;
	return 0;
}

/*
 * Read every profile of one generation of dir. 1 when the generation changed while reading (read
 * again), 0 when done, < 0 on error.
 */
static int snapshot_read(const char *dir, struct snapshot *s, struct sf_error *err)
{
	char gen[PATH_MAX], gen2[PATH_MAX], base[PATH_MAX * 2];
	DIR *d;
	struct dirent *de;
	int r, changed = 0;

	if ((r = data_link(dir, gen, sizeof(gen))) < 0)
		return sf_error_set(err, r, "cannot read %s/..data: %s", dir, strerror(-r));
	/* A ConfigMap volume: its files are links into ..data; read that generation's directory
	 * itself, so that every file comes from it. */
	if (gen[0] && (strchr(gen, '/') || strcmp(gen, ".") == 0 || strcmp(gen, "..") == 0))
		return sf_error_set(err, -EINVAL,
				    "%s/..data points to \"%s\", not to a directory beside it", dir,
				    gen);
	snprintf(base, sizeof(base), "%s%s%s", dir, gen[0] ? "/" : "", gen);
	if (!(d = opendir(base))) {
		if (gen[0] && errno == ENOENT)
			return 1; /* swapped and removed since readlink */
		return sf_error_set(err, -errno, "cannot read the directory %s: %s", dir,
				    strerror(errno));
	}
	while ((de = readdir(d))) {
		if (!is_profile_name(de->d_name))
			continue;
		struct source *v = realloc(s->v, (s->n + 1) * sizeof(*v));
		if (!v) {
			closedir(d);
			return sf_error_set(err, -ENOMEM, "out of memory");
		}
		s->v = v;
		struct source *src = &s->v[s->n];
		memset(src, 0, sizeof(*src));
		src->file = strdup(de->d_name);
		src->name = sf_k8s_install_name(de->d_name);
		src->display = sf_strdup_printf("%s/%s", dir, de->d_name);
		if (!src->file || !src->display) {
			free(src->file);
			free(src->name);
			free(src->display);
			closedir(d);
			return sf_error_set(err, -ENOMEM, "out of memory");
		}
		s->n++;
		if (!src->name) {
			src->name = strdup(src->file);
			sf_error_set_at(&src->err, -EINVAL, src->display, 0, 0,
					"not a name to install: use letters, digits, '.', '_' and "
					"'-'");
			if (!src->name) {
				closedir(d);
				return sf_error_set(err, -ENOMEM, "out of memory");
			}
			continue;
		}
		char path[PATH_MAX * 2 + NAME_MAX + 2];
		char *data;
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", base, de->d_name);
		r = read_regular(path, src->display, &data, &len, &src->err);
		if (r == -ENOENT && gen[0]) {
			changed = 1;
			continue;
		}
		if (r == -ENOMEM) {
			closedir(d);
			*err = src->err;
			return r;
		}
		if (r == 0) {
			r = validate_data(src->display, data, len, &src->json, &src->err);
			free(data);
			if (r == -ENOMEM) {
				closedir(d);
				*err = src->err;
				return r;
			}
		}
	}
	closedir(d);
	if ((r = data_link(dir, gen2, sizeof(gen2))) < 0)
		return sf_error_set(err, r, "cannot read %s/..data: %s", dir, strerror(-r));
	if (changed || strcmp(gen, gen2) != 0)
		return 1;
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_source);
	return 0;
}

/* Remove temporary files a crashed run left (old enough not to be another run's). */
static void remove_stale_tmp(int rootfd)
{
	int fd = dup(rootfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	time_t now = time(NULL);

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0 &&
		    fstatat(rootfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && now - st.st_mtime > TMP_STALE_SECONDS)
			unlinkat(rootfd, de->d_name, 0);
	}
	closedir(d);
}

int sf_k8s_sync_once(const char *root, const char *dir, sf_k8s_event_fn *fn, void *ctx,
		     struct sf_k8s_sync_stats *stats, struct sf_error *err)
{
	struct sf_k8s_sync_stats dummy;
	struct snapshot snap = {0};
	struct names owned = {0}, keep = {0};
	int rootfd = -1, r = 0;
	struct stat st;

	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	if (stat(dir, &st) < 0)
		return sf_error_set(err, -errno, "cannot read the directory %s: %s", dir,
				    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return sf_error_set(err, -ENOTDIR, "%s is not a directory", dir);
	for (int tries = 0;; tries++) {
		r = snapshot_read(dir, &snap, err);
		if (r <= 0)
			break;
		snapshot_free(&snap);
		if (tries + 1 == SNAPSHOT_TRIES) {
			/* Changing faster than it can be read: the next event brings another pass.
			 */
			r = sf_error_set(err, -EAGAIN, "%s changed %d times while it was read", dir,
					 SNAPSHOT_TRIES);
			break;
		}
	}
	if (r < 0)
		goto out;

	if ((r = open_root(root, &rootfd, err)) < 0)
		goto out;
	remove_stale_tmp(rootfd);
	if ((r = manifest_read(rootfd, root, &owned, err)) < 0)
		goto out;

	/* Claim the new names first: a crash after a file is written then leaves a name listed
	 * with no file, which the next pass repairs, never a file of ours that looks foreign. */
	bool grow = false;
	for (size_t i = 0; i < snap.n; i++) {
		struct source *s = &snap.v[i];
		if (s->err.code || names_has(&owned, s->name) || exists_at(rootfd, s->name) ||
		    (i > 0 && strcmp(snap.v[i - 1].name, s->name) == 0))
			continue;
		if ((r = names_add(&owned, s->name)) < 0) {
			r = sf_error_set(err, r, "out of memory");
			goto out;
		}
		grow = true;
	}
	if (grow && (r = manifest_write(rootfd, root, &owned, err)) < 0)
		goto out;

	for (size_t i = 0; i < snap.n; i++) {
		struct source *s = &snap.v[i];
		struct sf_error e = {0};
		bool mine = names_has(&owned, s->name);

		if (i > 0 && strcmp(snap.v[i - 1].name, s->name) == 0) {
			sf_error_set_at(&e, -EEXIST, s->display, 0, 0,
					"installs as %s, as %s does: only the first is installed",
					s->name, snap.v[i - 1].display);
			emit(fn, ctx, SF_K8S_CONFLICT, s->name, s->display, false, &e);
			stats->conflicts++;
			continue;
		}
		if (names_add(&keep, s->name) < 0) {
			r = sf_error_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		bool existed = exists_at(rootfd, s->name);
		if (s->err.code) {
			emit(fn, ctx, SF_K8S_INVALID, s->name, s->display, mine && existed,
			     &s->err);
			stats->invalid++;
			continue;
		}
		if (!mine) {
			sf_error_set_at(
			    &e, -EEXIST, s->display, 0, 0,
			    "%s/%s exists and was not installed by sysfence: left alone "
			    "(remove it, or rename the profile)",
			    root, s->name);
			emit(fn, ctx, SF_K8S_CONFLICT, s->name, s->display, false, &e);
			stats->conflicts++;
			continue;
		}
		if (existed && same_content(rootfd, s->name, s->json.data, s->json.len)) {
			emit(fn, ctx, SF_K8S_UNCHANGED, s->name, s->display, false, NULL);
			stats->unchanged++;
			continue;
		}
		if (write_atomic(rootfd, root, s->name, s->json.data, s->json.len, &e) < 0) {
			emit(fn, ctx, SF_K8S_FAILED, s->name, s->display, existed, &e);
			stats->failed++;
			continue;
		}
		emit(fn, ctx, existed ? SF_K8S_REPLACED : SF_K8S_ADDED, s->name, s->display, false,
		     NULL);
		if (existed)
			stats->replaced++;
		else
			stats->added++;
	}

	/* What sync installed and dir no longer holds. */
	bool shrink = false;
	for (size_t i = 0; i < owned.n;) {
		const char *name = owned.v[i];
		if (names_has(&keep, name)) {
			i++;
			continue;
		}
		if (unlinkat(rootfd, name, 0) == 0) {
			emit(fn, ctx, SF_K8S_REMOVED, name, NULL, false, NULL);
			stats->removed++;
		} else if (errno != ENOENT) {
			struct sf_error e = {0};
			sf_error_set(&e, -errno, "cannot remove %s/%s: %s", root, name,
				     strerror(errno));
			emit(fn, ctx, SF_K8S_FAILED, name, NULL, true, &e);
			stats->failed++;
			i++;
			continue;
		}
		names_del(&owned, name);
		shrink = true;
	}
	if (shrink) {
		if (fsync(rootfd) < 0) {
			r = sf_error_set(err, -errno, "cannot sync %s: %s", root, strerror(errno));
			goto out;
		}
		r = manifest_write(rootfd, root, &owned, err);
	}
out:
	close_root(rootfd);
	snapshot_free(&snap);
	names_free(&owned);
	names_free(&keep);
	return r;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read every pending event; whether the watch is gone (dir removed or moved). */
static int drain(int ifd, bool *gone)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t k = read(ifd, buf, sizeof(buf));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -errno;
		}
		for (char *p = buf; p < buf + k;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT))
				*gone = true;
			p += sizeof(*ev) + ev->len;
		}
	}
}

#define WATCH_MASK                                                                                 \
	(IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_ATTRIB |        \
	 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

static void pass(const char *root, const char *dir, sf_k8s_event_fn *fn, void *ctx)
{
	struct sf_error e = {0};
	if (sf_k8s_sync_once(root, dir, fn, ctx, NULL, &e) < 0)
		emit(fn, ctx, SF_K8S_FAILED, "", dir, true, &e);
}

int sf_k8s_sync_watch(const char *root, const char *dir, int stop_fd, unsigned interval_ms,
		      sf_k8s_event_fn *fn, void *ctx, struct sf_error *err)
{
	int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	int wd, r = 0;
	bool gone = false;

	if (ifd < 0)
		return sf_error_set(err, -errno, "inotify: %s", strerror(errno));
	/* Watch first, then read: a change made in between is not missed. */
	wd = inotify_add_watch(ifd, dir, WATCH_MASK);
	if (wd < 0) {
		r = sf_error_set(err, -errno, "cannot watch %s: %s", dir, strerror(errno));
		close(ifd);
		return r;
	}
	pass(root, dir, fn, ctx);
	int64_t next = interval_ms ? now_ms() + interval_ms : -1;
	for (;;) {
		struct pollfd pfd[2] = {{.fd = stop_fd, .events = POLLIN},
					{.fd = ifd, .events = POLLIN}};
		int timeout = next < 0 ? -1 : (int)(next - now_ms() > 0 ? next - now_ms() : 0);
		/* Without a watch (dir gone), look again now and then. */
		if (gone && (timeout < 0 || timeout > 1000))
			timeout = 1000;
		int k = poll(pfd, 2, timeout);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			r = sf_error_set(err, -errno, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents)
			break;
		bool change = false;
		if (pfd[1].revents) {
			/* A burst (a ConfigMap update is several events): wait for quiet. */
			int64_t until = now_ms() + DEBOUNCE_MAX_MS;
			for (;;) {
				if ((r = drain(ifd, &gone)) < 0) {
					r = sf_error_set(err, r, "inotify: %s", strerror(-r));
					goto out;
				}
				struct pollfd q[2] = {{.fd = stop_fd, .events = POLLIN},
						      {.fd = ifd, .events = POLLIN}};
				int64_t left = until - now_ms();
				if (left <= 0 ||
				    poll(q, 2, left < DEBOUNCE_MS ? (int)left : DEBOUNCE_MS) <= 0 ||
				    q[0].revents)
					break;
			}
			change = true;
		}
		if (gone) {
			int w = inotify_add_watch(ifd, dir, WATCH_MASK);
			if (w >= 0) {
				gone = false;
				change = true;
			}
		}
		if (change || (next >= 0 && now_ms() >= next)) {
			pass(root, dir, fn, ctx);
			if (interval_ms)
				next = now_ms() + interval_ms;
		}
	}
out:
	close(ifd);
	return r;
}
