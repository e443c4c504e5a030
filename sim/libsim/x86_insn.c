/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small x86-64 instruction decoder for trapped device pages.
 *
 * Device models map some pages without access (a DSA portal, a BAR of
 * registers); the access faults and the model emulates it. This decoder
 * knows exactly the instructions that drivers use on such pages: the
 * 64-byte submissions (MOVDIR64B, ENQCMD, ENQCMDS) and the plain moves that
 * compilers emit for volatile register accesses. Anything else is reported
 * as unknown, so the caller can leave the fault to the next handler.
 *
 * Encodings (Intel SDM vol. 2): MOVDIR64B 66 0F 38 F8 /r, ENQCMD
 * F2 0F 38 F8 /r, ENQCMDS F3 0F 38 F8 /r; the ModRM reg field names the
 * destination address register, r/m the 64-byte source in memory.
 *
 * Pure code with no libc calls: usable from a signal handler.
 */
#include <stdbool.h>
#include <stdint.h>

#include "libsim.h"

/* mcontext general registers in x86 register-number order. */
static const int greg_index[16] = {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

uint64_t
sim_insn_get_reg(const mcontext_t *mc, int reg)
{
	return (uint64_t)mc->gregs[greg_index[reg & 15]];
}

void
sim_insn_set_reg(mcontext_t *mc, int reg, uint64_t val)
{
	mc->gregs[greg_index[reg & 15]] = (greg_t)val;
}

struct prefixes {
	bool opsize;    /* 66 */
	bool addrsize;  /* 67 */
	bool rep;       /* F3 */
	bool repne;     /* F2 */
	uint8_t rex;
};

static unsigned int
read_prefixes(const uint8_t *c, struct prefixes *p)
{
	unsigned int i = 0;

	for (; i < 14; i++) {
		switch (c[i]) {
		case 0x66:
			p->opsize = true;
			continue;
		case 0x67:
			p->addrsize = true;
			continue;
		case 0xf2:
			p->repne = true;
			p->rep = false;
			continue;
		case 0xf3:
			p->rep = true;
			p->repne = false;
			continue;
		case 0x2e: case 0x3e: case 0x26: case 0x36:
			/* Null segment overrides in 64-bit mode. */
			continue;
		default:
			break;
		}
		break;
	}
	/* REX must come last, right before the opcode. */
	if ((c[i] & 0xf0) == 0x40)
		p->rex = c[i++];
	return i;
}

/*
 * Decode ModRM (+SIB, displacement) at c. Sets *reg, *mem (effective
 * address) and returns the bytes consumed, or 0 for a register operand
 * (mod == 3), which no trapped access can have.
 */
static unsigned int
decode_modrm(const uint8_t *c, const struct prefixes *p, const mcontext_t *mc,
	     uint64_t next_rip_base, unsigned int tail, int *reg, uint64_t *mem)
{
	uint8_t modrm = c[0];
	unsigned int mod = modrm >> 6, rm = modrm & 7, n = 1;
	uint64_t addr = 0;
	bool riprel = false;

	*reg = (int)(((modrm >> 3) & 7) | ((p->rex & 4) ? 8 : 0));
	if (mod == 3)
		return 0;
	if (rm == 4) {
		uint8_t sib = c[n++];
		unsigned int scale = sib >> 6;
		unsigned int index = ((sib >> 3) & 7) | ((p->rex & 2) ? 8 : 0);
		unsigned int base = (sib & 7) | ((p->rex & 1) ? 8 : 0);

		if (index != 4)
			addr += sim_insn_get_reg(mc, (int)index) << scale;
		if ((sib & 7) == 5 && mod == 0) {
			int32_t d;

			__builtin_memcpy(&d, &c[n], 4);
			n += 4;
			addr += (uint64_t)(int64_t)d;
		} else {
			addr += sim_insn_get_reg(mc, (int)base);
		}
	} else if (rm == 5 && mod == 0) {
		int32_t d;

		__builtin_memcpy(&d, &c[n], 4);
		n += 4;
		addr = (uint64_t)(int64_t)d;
		riprel = true;
	} else {
		addr = sim_insn_get_reg(mc, (int)(rm | ((p->rex & 1) ? 8 : 0)));
	}
	if (mod == 1) {
		addr += (uint64_t)(int64_t)(int8_t)c[n];
		n += 1;
	} else if (mod == 2) {
		int32_t d;

		__builtin_memcpy(&d, &c[n], 4);
		n += 4;
		addr += (uint64_t)(int64_t)d;
	}
	if (riprel)
		/* Relative to the end of the whole instruction. */
		addr += next_rip_base + n + tail;
	if (p->addrsize)
		addr &= 0xffffffffull;
	*mem = addr;
	return n;
}

int
sim_insn_decode(const uint8_t *code, const mcontext_t *mc, struct sim_insn *in)
{
	struct prefixes p = { 0 };
	uint64_t rip = (uint64_t)mc->gregs[REG_RIP];
	unsigned int i, n, tail = 0;
	const uint8_t *c;
	int reg;
	uint64_t mem;

	__builtin_memset(in, 0, sizeof(*in));
	i = read_prefixes(code, &p);
	c = code + i;

	/* 0F 38 F8 /r: the 64-byte stores, told apart by their prefix. */
	if (c[0] == 0x0f && c[1] == 0x38 && c[2] == 0xf8) {
		if (p.opsize)
			in->op = SIM_INSN_MOVDIR64B;
		else if (p.repne)
			in->op = SIM_INSN_ENQCMD;
		else if (p.rep)
			in->op = SIM_INSN_ENQCMDS;
		else
			return -1;
		n = decode_modrm(c + 3, &p, mc, rip + i + 3, 0, &reg, &mem);
		if (n == 0)
			return -1;
		in->len = i + 3 + n;
		in->mem = mem;
		in->size = 64;
		in->dst = sim_insn_get_reg(mc, reg);
		/* With a 67 prefix the destination register is 32 bits. */
		if (p.addrsize)
			in->dst &= 0xffffffffull;
		return 0;
	}
	if (p.rep || p.repne)
		return -1;

	in->size = (p.rex & 8) ? 8 : (p.opsize ? 2 : 4);
	switch (c[0]) {
	case 0x88: /* mov r/m8, r8 */
	case 0x89: /* mov r/m, r */
	case 0x8a: /* mov r8, r/m8 */
	case 0x8b: /* mov r, r/m */
		if (!(c[0] & 1))
			in->size = 1;
		in->op = (c[0] & 2) ? SIM_INSN_LOAD : SIM_INSN_STORE;
		n = decode_modrm(c + 1, &p, mc, rip + i + 1, 0, &reg, &mem);
		if (n == 0)
			return -1;
		in->len = i + 1 + n;
		in->reg = reg;
		in->reg_size = in->size;
		/* Without REX, byte registers 4..7 are AH, CH, DH, BH. */
		if (in->size == 1 && p.rex == 0 && reg >= 4 && reg < 8) {
			in->reg = reg - 4;
			in->reg8_high = true;
		}
		in->mem = mem;
		return 0;
	case 0xc6: /* mov r/m8, imm8 */
	case 0xc7: /* mov r/m, imm16/32 (sign-extended to 64) */
		if ((c[1] & 0x38) != 0)
			return -1;
		if (c[0] == 0xc6)
			in->size = 1;
		tail = in->size == 1 ? 1 : (in->size == 2 ? 2 : 4);
		n = decode_modrm(c + 1, &p, mc, rip + i + 1, tail, &reg, &mem);
		if (n == 0)
			return -1;
		in->op = SIM_INSN_STORE;
		in->reg = -1;
		if (tail == 1) {
			in->imm = c[1 + n];
		} else if (tail == 2) {
			uint16_t v;

			__builtin_memcpy(&v, &c[1 + n], 2);
			in->imm = v;
		} else {
			int32_t v;

			__builtin_memcpy(&v, &c[1 + n], 4);
			in->imm = (uint64_t)(int64_t)v;
		}
		in->len = i + 1 + n + tail;
		in->mem = mem;
		return 0;
	case 0x63: /* movsxd r64, r/m32 */
		if (!(p.rex & 8))
			return -1;
		n = decode_modrm(c + 1, &p, mc, rip + i + 1, 0, &reg, &mem);
		if (n == 0)
			return -1;
		in->op = SIM_INSN_LOAD;
		in->size = 4;
		in->reg_size = 8;
		in->sign_extend = true;
		in->reg = reg;
		in->mem = mem;
		in->len = i + 1 + n;
		return 0;
	case 0x0f:
		/* movzx / movsx r, r/m8 | r/m16 */
		if (c[1] != 0xb6 && c[1] != 0xb7 && c[1] != 0xbe && c[1] != 0xbf)
			return -1;
		n = decode_modrm(c + 2, &p, mc, rip + i + 2, 0, &reg, &mem);
		if (n == 0)
			return -1;
		in->op = SIM_INSN_LOAD;
		in->reg_size = in->size;
		in->size = (c[1] & 1) ? 2 : 1;
		in->sign_extend = c[1] >= 0xbe;
		in->reg = reg;
		in->mem = mem;
		in->len = i + 2 + n;
		return 0;
	default:
		return -1;
	}
}

void
sim_insn_complete_load(mcontext_t *mc, const struct sim_insn *in, uint64_t val)
{
	uint64_t old = sim_insn_get_reg(mc, in->reg), v = val;

	if (in->sign_extend) {
		if (in->size == 1)
			v = (uint64_t)(int64_t)(int8_t)val;
		else if (in->size == 2)
			v = (uint64_t)(int64_t)(int16_t)val;
		else
			v = (uint64_t)(int64_t)(int32_t)val;
	}
	/* x86 register write rules: 32-bit writes zero the upper half,
	 * 8- and 16-bit writes keep the rest of the register.
	 */
	switch (in->reg_size) {
	case 1:
		if (in->reg8_high)
			v = (old & ~0xff00ull) | ((v & 0xff) << 8);
		else
			v = (old & ~0xffull) | (v & 0xff);
		break;
	case 2:
		v = (old & ~0xffffull) | (v & 0xffff);
		break;
	case 4:
		v &= 0xffffffffull;
		break;
	default:
		break;
	}
	sim_insn_set_reg(mc, in->reg, v);
}

uint64_t
sim_insn_store_value(const mcontext_t *mc, const struct sim_insn *in)
{
	uint64_t v;

	if (in->reg < 0)
		v = in->imm;
	else if (in->reg8_high)
		v = sim_insn_get_reg(mc, in->reg) >> 8;
	else
		v = sim_insn_get_reg(mc, in->reg);
	if (in->size < 8)
		v &= (1ull << (in->size * 8)) - 1;
	return v;
}
