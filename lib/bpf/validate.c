/*
 * sf_bpf_validate: the kernel's acceptance rules for a seccomp filter, as SECCOMP_SET_MODE_FILTER
 * applies them (net/core/filter.c bpf_check_classic, then kernel/seccomp.c seccomp_check_filter).
 */
#include <errno.h>
#include <stdio.h>

#include <sysfence/bpf.h>

#include "util/util.h"

enum insn_kind {
	K_OK,	   /* accepted as is */
	K_ABS,	   /* ld [k]: seccomp_data word */
	K_DIV_K,   /* k must not be 0 */
	K_SHIFT_K, /* k must be below 32 */
	K_MEM,	   /* k indexes scratch memory */
	K_JA,	   /* k is the forward offset */
	K_JCOND,   /* jt and jf are the forward offsets */
	K_CLASSIC, /* classic BPF has it, seccomp refuses it */
	K_UNKNOWN, /* not a classic BPF instruction at all */
};

static enum insn_kind kind_of(uint16_t code, const char **what)
{
	*what = NULL;
	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
		return K_ABS;
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_ALU | BPF_ADD | BPF_K:
	case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K:
	case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K:
	case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K:
	case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K:
	case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K:
	case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
		return K_OK;
	case BPF_ALU | BPF_DIV | BPF_K:
		return K_DIV_K;
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_K:
		return K_SHIFT_K;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
		return K_MEM;
	case BPF_JMP | BPF_JA:
		return K_JA;
	case BPF_JMP | BPF_JEQ | BPF_K:
	case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K:
	case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K:
	case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K:
	case BPF_JMP | BPF_JSET | BPF_X:
		return K_JCOND;
	/* Socket-filter instructions: the classic checker knows them, seccomp's list does not. */
	case BPF_LD | BPF_H | BPF_ABS:
		*what = "a 16-bit load (ldh)";
		return K_CLASSIC;
	case BPF_LD | BPF_B | BPF_ABS:
		*what = "an 8-bit load (ldb)";
		return K_CLASSIC;
	case BPF_LD | BPF_W | BPF_IND:
	case BPF_LD | BPF_H | BPF_IND:
	case BPF_LD | BPF_B | BPF_IND:
		*what = "an indirect load ([x+k])";
		return K_CLASSIC;
	case BPF_LDX | BPF_B | BPF_MSH:
		*what = "the IP header length load (ldxb 4*([k]&0xf))";
		return K_CLASSIC;
	case BPF_ALU | BPF_MOD | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_X:
		/* Never added to seccomp_check_filter's list (it was proposed and declined). */
		*what = "modulo (mod)";
		return K_CLASSIC;
	default:
		return K_UNKNOWN;
	}
}

static int at(struct sf_error *err, size_t pc, const char *why)
{
	return sf_error_set(err, -EINVAL, "instruction %zu: %s", pc, why);
}

/*
 * check_load_and_stores: scratch word i may be read only when every path to the read has written
 * it. Jumps are forward only, so one pass in order suffices: each jump narrows its targets' set.
 * Like the kernel, the set is not reset after a return: code after a return is reached only by
 * jumps, whose sets it is intersected with, so this stays sound.
 */
static int check_memory(const struct sock_filter *insns, size_t len, struct sf_error *err)
{
	uint16_t masks[SF_BPF_MAXINSNS];
	uint16_t valid = 0;
	char why[160];

	memset(masks, 0xff, len * sizeof(masks[0]));
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &insns[pc];

		valid &= masks[pc];
		switch (f->code) {
		case BPF_ST:
		case BPF_STX:
			valid |= (uint16_t)(1u << f->k);
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (!(valid & (1u << f->k))) {
				snprintf(why, sizeof(why),
					 "%s M[%u] reads scratch memory that is not written on "
					 "every path to it",
					 BPF_CLASS(f->code) == BPF_LD ? "ld" : "ldx", f->k);
				return at(err, pc, why);
			}
			break;
		case BPF_JMP | BPF_JA:
			masks[pc + 1 + f->k] &= valid;
			valid = 0xffff;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JEQ | BPF_X:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_X:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_X:
		case BPF_JMP | BPF_JSET | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_X:
			masks[pc + 1 + f->jt] &= valid;
			masks[pc + 1 + f->jf] &= valid;
			valid = 0xffff;
			break;
		}
	}
	return 0;
}

int sf_bpf_validate(const struct sock_filter *insns, size_t len, struct sf_error *err)
{
	char why[200];

	if (len == 0)
		return sf_error_set(err, -EINVAL,
				    "empty program: the kernel needs 1 to %d instructions",
				    SF_BPF_MAXINSNS);
	if (len > SF_BPF_MAXINSNS)
		return sf_error_set(err, -EINVAL,
				    "%zu instructions: the kernel accepts at most %d in one filter",
				    len, SF_BPF_MAXINSNS);
	if (!insns)
		return sf_error_set(err, -EINVAL, "no instructions given");

	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &insns[pc];
		const char *what;

		switch (kind_of(f->code, &what)) {
		case K_OK:
			break;
		case K_ABS:
			if (f->k >= sizeof(struct seccomp_data)) {
				snprintf(why, sizeof(why),
					 "ld [0x%x] is past the end of seccomp_data (%zu bytes)",
					 f->k, sizeof(struct seccomp_data));
				return at(err, pc, why);
			}
			if (f->k & 3) {
				snprintf(
				    why, sizeof(why),
				    "ld [0x%x] is not 4-byte aligned: seccomp loads whole 32-bit "
				    "words",
				    f->k);
				return at(err, pc, why);
			}
			break;
		case K_DIV_K:
			if (f->k == 0)
				return at(err, pc, "division by the constant 0");
			break;
		case K_SHIFT_K:
			if (f->k >= 32) {
				snprintf(why, sizeof(why),
					 "shift by the constant %u (must be below 32)", f->k);
				return at(err, pc, why);
			}
			break;
		case K_MEM:
			if (f->k >= BPF_MEMWORDS) {
				snprintf(why, sizeof(why),
					 "scratch memory index %u out of range (M[0] to M[%d])",
					 f->k, BPF_MEMWORDS - 1);
				return at(err, pc, why);
			}
			break;
		case K_JA:
			if (f->k >= len - pc - 1) {
				snprintf(why, sizeof(why),
					 "ja +%u jumps to %llu, past the last instruction (%zu)",
					 f->k, (unsigned long long)pc + 1 + f->k, len - 1);
				return at(err, pc, why);
			}
			break;
		case K_JCOND:
			if (pc + 1 + f->jt >= len || pc + 1 + f->jf >= len) {
				bool t = pc + 1 + f->jt >= len;
				unsigned off = t ? f->jt : f->jf;
				snprintf(
				    why, sizeof(why),
				    "the %s branch (+%u) jumps to %zu, past the last instruction "
				    "(%zu)",
				    t ? "true" : "false", off, pc + 1 + off, len - 1);
				return at(err, pc, why);
			}
			break;
		case K_CLASSIC:
			snprintf(why, sizeof(why),
				 "%s (opcode 0x%02x) is classic BPF that seccomp does not allow",
				 what, f->code);
			return at(err, pc, why);
		case K_UNKNOWN:
			snprintf(why, sizeof(why), "unknown opcode 0x%04x", f->code);
			return at(err, pc, why);
		}
	}

	/* Every opcode is known by now, so a RET class means ret #k or ret a. */
	if (BPF_CLASS(insns[len - 1].code) != BPF_RET)
		return sf_error_set(err, -EINVAL,
				    "instruction %zu: the last instruction must be a return (ret)",
				    len - 1);

	return check_memory(insns, len, err);
}
