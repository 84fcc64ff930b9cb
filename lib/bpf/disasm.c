/*
 * sf_bpf_disasm: classic BPF seccomp programs as text, one instruction a line, with seccomp_data
 * fields, arches and syscalls named. Also the raw format: struct sock_filter arrays, host order.
 */
#include <errno.h>
#include <linux/audit.h>
#include <stdio.h>

#include <sysfence/bpf.h>

#include "util/util.h"

#define X32_SYSCALL_BIT 0x40000000u

/* Where the text of an instruction ends and its comment starts. */
#define COMMENT_COLUMN 28

static const struct {
	uint32_t audit_arch;
	const char *name;
} audit_names[] = {
#define A(n) AUDIT_ARCH_##n, "AUDIT_ARCH_" #n
    {A(X86_64)},      {A(I386)},	{A(AARCH64)},  {A(ARM)},      {A(ARMEB)},
    {A(MIPS)},	      {A(MIPSEL)},	{A(MIPS64)},   {A(MIPSEL64)}, {A(MIPS64N32)},
    {A(MIPSEL64N32)}, {A(PARISC)},	{A(PARISC64)}, {A(PPC)},      {A(PPC64)},
    {A(PPC64LE)},     {A(RISCV32)},	{A(RISCV64)},  {A(S390)},     {A(S390X)},
    {A(M68K)},	      {A(SH)},		{A(SHEL)},     {A(SH64)},     {A(SHEL64)},
    {A(IA64)},	      {A(ALPHA)},	{A(CSKY)},     {A(XTENSA)},   {A(OPENRISC)},
#ifdef AUDIT_ARCH_LOONGARCH64
    {A(LOONGARCH32)}, {A(LOONGARCH64)},
#endif
#undef A
};

static const char *audit_name(uint32_t v)
{
	for (size_t i = 0; i < SF_ARRAY_SIZE(audit_names); i++)
		if (audit_names[i].audit_arch == v)
			return audit_names[i].name;
	return NULL;
}

/* What the disassembler knows at an instruction, merged over every path that reaches it. */
enum { A_OTHER, A_NR, A_ARCH };
struct flow {
	bool reached;
	bool arch_known; /* every path here has passed `jeq #arch` as true on this value */
	uint8_t a;	 /* what A holds */
	uint32_t arch;
};

static void merge(struct flow *dst, const struct flow *src)
{
	if (!dst->reached) {
		*dst = *src;
		dst->reached = true;
		return;
	}
	if (dst->a != src->a)
		dst->a = A_OTHER;
	if (dst->arch_known && (!src->arch_known || dst->arch != src->arch))
		dst->arch_known = false;
}

static bool is_cond_jump(uint16_t code)
{
	switch (code) {
	case BPF_JMP | BPF_JEQ | BPF_K:
	case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K:
	case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K:
	case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K:
	case BPF_JMP | BPF_JSET | BPF_X:
		return true;
	}
	return false;
}

/* The arch whose names apply at an instruction: the one established on every path, else the
 * caller's. */
static const struct sf_arch *arch_at(const struct flow *in, const struct sf_arch *arch)
{
	if (in->arch_known)
		return sf_arch_by_audit(in->arch);
	return arch;
}

static bool big_endian_at(const struct flow *in, const struct sf_arch *arch)
{
	const struct sf_arch *a = arch_at(in, arch);
	if (a)
		return a->big_endian;
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
}

/* "nr", "arch", "ip.lo", "args[2].hi"; the offset in hex when it is not a seccomp_data word. */
static void field_name(uint32_t k, bool big_endian, char *buf, size_t size)
{
	const char *half;

	if (k == 0) {
		snprintf(buf, size, "nr");
		return;
	}
	if (k == 4) {
		snprintf(buf, size, "arch");
		return;
	}
	if (k >= sizeof(struct seccomp_data) || (k & 3)) {
		snprintf(buf, size, "0x%x", k);
		return;
	}
	/* The low word of a u64 comes first on little-endian. */
	half = ((k & 4) == 0) != big_endian ? "lo" : "hi";
	if (k < 16)
		snprintf(buf, size, "ip.%s", half);
	else
		snprintf(buf, size, "args[%u].%s", (k - 16) / 8, half);
}

static const char *alu_name(uint16_t op)
{
	switch (op) {
	case BPF_ADD:
		return "add";
	case BPF_SUB:
		return "sub";
	case BPF_MUL:
		return "mul";
	case BPF_DIV:
		return "div";
	case BPF_MOD:
		return "mod";
	case BPF_AND:
		return "and";
	case BPF_OR:
		return "or";
	case BPF_XOR:
		return "xor";
	case BPF_LSH:
		return "lsh";
	case BPF_RSH:
		return "rsh";
	case BPF_NEG:
		return "neg";
	}
	return NULL;
}

static const char *jmp_name(uint16_t op)
{
	switch (op) {
	case BPF_JEQ:
		return "jeq";
	case BPF_JGT:
		return "jgt";
	case BPF_JGE:
		return "jge";
	case BPF_JSET:
		return "jset";
	}
	return NULL;
}

/* The syscall name a compared number means on this path, if any. */
static void syscall_comment(const struct sock_filter *f, const struct sf_arch *arch, char *comment,
			    size_t size)
{
	const struct sf_arch *a = arch;
	const char *name;
	uint32_t k = f->k;
	uint16_t op = BPF_OP(f->code);

	if (!a || op == BPF_JSET)
		return;
	if (a->audit_arch == AUDIT_ARCH_X86_64 && a->nr_offset == 0) {
		/* x32 shares x86_64's AUDIT_ARCH and is told apart by a bit of the number. */
		if ((op == BPF_JGE && k == X32_SYSCALL_BIT) ||
		    (op == BPF_JGT && k == X32_SYSCALL_BIT - 1)) {
			snprintf(comment, size, "x32 syscalls");
			return;
		}
		if (k & X32_SYSCALL_BIT) {
			const struct sf_arch *x32 = sf_arch_find("x32");
			name = x32 ? sf_syscall_name(x32, (long)k) : NULL;
			if (name)
				snprintf(comment, size, "%s (x32)", name);
			return;
		}
	}
	name = sf_syscall_name(a, (long)k);
	if (name)
		snprintf(comment, size, "%s", name);
}

static void jump_label(char *buf, size_t size, uint64_t target, size_t len, bool *past)
{
	snprintf(buf, size, "L%llu", (unsigned long long)target);
	if (target >= len)
		*past = true;
}

/* One instruction's text and comment (empty when none). */
static void insn_text(const struct sock_filter *insns, size_t pc, size_t len, const struct flow *in,
		      const struct sf_arch *arch, char *text, size_t tsize, char *comment,
		      size_t csize)
{
	const struct sock_filter *f = &insns[pc];
	uint16_t code = f->code;
	uint32_t k = f->k;
	char field[32], lt[24], lf[24], rbuf[48];
	const char *name;
	bool past = false;

	comment[0] = 0;
	/* Every classic opcode fits in 8 bits; the kernel refuses anything above. */
	switch (code > 0xff ? 0xff : BPF_CLASS(code)) {
	case BPF_LD:
	case BPF_LDX: {
		const char *ld = BPF_CLASS(code) == BPF_LD ? "ld" : "ldx";
		const char *sz = BPF_SIZE(code) == BPF_W ? "" : BPF_SIZE(code) == BPF_H ? "h" : "b";
		if (BPF_SIZE(code) == 0x18) /* no 64-bit loads in classic BPF */
			break;
		switch (BPF_MODE(code)) {
		case BPF_IMM:
			if (BPF_SIZE(code) != BPF_W)
				break;
			snprintf(text, tsize, "%s #0x%x", ld, k);
			return;
		case BPF_MEM:
			if (BPF_SIZE(code) != BPF_W)
				break;
			snprintf(text, tsize, "%s M[%u]", ld, k);
			return;
		case BPF_LEN:
			if (BPF_SIZE(code) != BPF_W)
				break;
			snprintf(text, tsize, "%s #len", ld);
			snprintf(comment, csize, "= %zu, sizeof(struct seccomp_data)",
				 sizeof(struct seccomp_data));
			return;
		case BPF_ABS:
			if (BPF_CLASS(code) != BPF_LD)
				break;
			if (BPF_SIZE(code) == BPF_W) {
				field_name(k, big_endian_at(in, arch), field, sizeof(field));
				snprintf(text, tsize, "ld [%s]", field);
			} else {
				snprintf(text, tsize, "ld%s [0x%x]", sz, k);
			}
			return;
		case BPF_IND:
			if (BPF_CLASS(code) != BPF_LD)
				break;
			snprintf(text, tsize, "ld%s [x+0x%x]", sz, k);
			return;
		case BPF_MSH:
			if (code != (BPF_LDX | BPF_B | BPF_MSH))
				break;
			snprintf(text, tsize, "ldxb 4*([0x%x]&0xf)", k);
			return;
		}
		break;
	}
	case BPF_ST:
		if (code != BPF_ST)
			break;
		snprintf(text, tsize, "st M[%u]", k);
		return;
	case BPF_STX:
		if (code != BPF_STX)
			break;
		snprintf(text, tsize, "stx M[%u]", k);
		return;
	case BPF_ALU:
		name = alu_name(BPF_OP(code));
		if (!name)
			break;
		if (BPF_OP(code) == BPF_NEG) {
			if (code != (BPF_ALU | BPF_NEG))
				break;
			snprintf(text, tsize, "neg");
		} else if (BPF_SRC(code) == BPF_X) {
			snprintf(text, tsize, "%s x", name);
		} else {
			snprintf(text, tsize, "%s #0x%x", name, k);
		}
		return;
	case BPF_JMP:
		if (code == (BPF_JMP | BPF_JA)) {
			jump_label(lt, sizeof(lt), (uint64_t)pc + 1 + k, len, &past);
			snprintf(text, tsize, "ja %s", lt);
			if (past)
				snprintf(comment, csize, "jumps past the end");
			return;
		}
		name = jmp_name(BPF_OP(code));
		if (!name)
			break;
		jump_label(lt, sizeof(lt), pc + 1 + f->jt, len, &past);
		jump_label(lf, sizeof(lf), pc + 1 + f->jf, len, &past);
		if (BPF_SRC(code) == BPF_X) {
			snprintf(text, tsize, "%s x, %s, %s", name, lt, lf);
		} else {
			snprintf(text, tsize, "%s #0x%x, %s, %s", name, k, lt, lf);
			if (in->a == A_ARCH && BPF_OP(code) != BPF_JSET) {
				const char *an = audit_name(k);
				const struct sf_arch *a = an ? NULL : sf_arch_by_audit(k);
				if (an)
					snprintf(comment, csize, "%s", an);
				else if (a)
					snprintf(comment, csize, "%s", a->name);
			} else if (in->a == A_NR) {
				syscall_comment(f, arch_at(in, arch), comment, csize);
			}
		}
		if (past)
			snprintf(comment, csize, "jumps past the end");
		return;
	case BPF_RET:
		if (code == (BPF_RET | BPF_A)) {
			snprintf(text, tsize, "ret a");
			return;
		}
		if (code != (BPF_RET | BPF_K))
			break;
		snprintf(text, tsize, "ret %s", sf_ret_describe(k, rbuf, sizeof(rbuf)));
		if ((k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO &&
		    (k & SECCOMP_RET_DATA) > 4095)
			snprintf(comment, csize, "the kernel caps the errno at 4095");
		return;
	case BPF_MISC:
		if (code == (BPF_MISC | BPF_TAX)) {
			snprintf(text, tsize, "tax");
			return;
		}
		if (code == (BPF_MISC | BPF_TXA)) {
			snprintf(text, tsize, "txa");
			return;
		}
		break;
	}
	snprintf(text, tsize, "unknown code 0x%04x, jt %u, jf %u, k 0x%x", code, f->jt, f->jf, k);
}

/* Whether an instruction writes A, and what it then holds. */
static bool writes_a(uint16_t code, uint32_t k, uint8_t *what)
{
	*what = A_OTHER;
	switch (BPF_CLASS(code)) {
	case BPF_LD:
		if (code == (BPF_LD | BPF_W | BPF_ABS))
			*what = k == 0 ? A_NR : k == 4 ? A_ARCH : A_OTHER;
		return true;
	case BPF_ALU:
		return true;
	case BPF_MISC:
		return code == (BPF_MISC | BPF_TXA);
	}
	return false;
}

int sf_bpf_disasm(const struct sock_filter *insns, size_t len, const struct sf_arch *arch,
		  struct sf_buf *out)
{
	struct flow *flow;
	bool *target;
	int width = 1;
	char text[96], comment[96];

	if (len && !insns)
		return -EINVAL;
	if (len == 0)
		return 0;
	flow = calloc(len, sizeof(*flow));
	target = calloc(len, sizeof(*target));
	if (!flow || !target) {
		free(flow);
		free(target);
		return -ENOMEM;
	}
	for (size_t n = len - 1; n >= 10; n /= 10)
		width++;

	flow[0].reached = true;
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &insns[pc];
		struct flow in = flow[pc], next;
		bool live = in.reached;
		uint8_t what;

		/* Dead code: nothing is known there, and it must not blur what is known below. */
		if (!live)
			in = (struct flow){.a = A_OTHER};

		insn_text(insns, pc, len, &in, arch, text, sizeof(text), comment, sizeof(comment));
		if (target[pc])
			sf_buf_printf(out, "L%zu:\n", pc);
		if (comment[0])
			sf_buf_printf(out, "  %*zu: %-*s ; %s\n", width, pc, COMMENT_COLUMN, text,
				      comment);
		else
			sf_buf_printf(out, "  %*zu: %s\n", width, pc, text);

		next = in;
		if (writes_a(f->code, f->k, &what))
			next.a = what;
		if (f->code == (BPF_JMP | BPF_JA)) {
			uint64_t t = (uint64_t)pc + 1 + f->k;
			if (t < len) {
				if (live)
					merge(&flow[t], &next);
				target[t] = true;
			}
		} else if (is_cond_jump(f->code)) {
			size_t t = pc + 1 + f->jt, e = pc + 1 + f->jf;
			struct flow taken = next;
			if (f->code == (BPF_JMP | BPF_JEQ | BPF_K) && in.a == A_ARCH) {
				taken.arch_known = true;
				taken.arch = f->k;
			}
			if (t < len) {
				if (live)
					merge(&flow[t], &taken);
				target[t] = true;
			}
			if (e < len) {
				if (live)
					merge(&flow[e], &next);
				target[e] = true;
			}
		} else if (live && BPF_CLASS(f->code) != BPF_RET && pc + 1 < len) {
			merge(&flow[pc + 1], &next);
		}
	}
	free(flow);
	free(target);
	return out->oom ? -ENOMEM : 0;
}

int sf_bpf_from_bytes(const void *data, size_t len, struct sf_prog *out, struct sf_error *err)
{
	size_t n = len / sizeof(struct sock_filter);

	out->insns = NULL;
	out->len = 0;
	if (len == 0)
		return sf_error_set(err, -EINVAL, "empty: a program has at least one instruction");
	if (len % sizeof(struct sock_filter))
		return sf_error_set(err, -EINVAL,
				    "size %zu is not a multiple of %zu bytes (struct sock_filter): "
				    "not a raw BPF program",
				    len, sizeof(struct sock_filter));
	if (n > SF_BPF_MAXINSNS)
		return sf_error_set(err, -EINVAL,
				    "%zu instructions: the kernel accepts at most %d in one filter",
				    n, SF_BPF_MAXINSNS);
	out->insns = malloc(len);
	if (!out->insns)
		return sf_error_set(err, -ENOMEM, "out of memory");
	memcpy(out->insns, data, len);
	out->len = n;
	return 0;
}

int sf_bpf_read_raw(const char *path, struct sf_prog *out, struct sf_error *err)
{
	char *data = NULL;
	size_t len = 0;
	int r;

	out->insns = NULL;
	out->len = 0;
	r = sf_read_file(path, &data, &len, err);
	if (r < 0)
		return r;
	r = sf_bpf_from_bytes(data, len, out, err);
	free(data);
	if (r < 0 && err)
		snprintf(err->file, sizeof(err->file), "%s", strcmp(path, "-") ? path : "<stdin>");
	return r;
}
