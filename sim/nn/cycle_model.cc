// Per-instruction cycle tables.
//  Cortex-M4: Cortex-M4 Technical Reference Manual r0p1 (ARM DDI 0439B), section 3.3,
//    Table 3-1 "Cortex-M4 instruction set summary" (also TI SWCU192, Table 3-25).
//  Cortex-M0+: Cortex-M0+ Technical Reference Manual r0p1 (ARM DDI 0484C), section 3.3,
//    Table 3-1 "Cortex-M0+ instruction summary" (also NXP UM10601 LPC800, Table
//    "Cortex-M0+ instruction summary"), with the single-cycle multiplier option.
//  Cortex-M7: ARM publishes no cycle table (Cortex-M7 TRM r1p2, ARM DDI 0489F, describes
//    a six-stage in-order dual-issue pipeline with branch prediction); modelled as greedy
//    dual issue of independent neighbours, single-cycle loads (TCM or cache hit) and
//    predicted direct branches. An estimate: see README.md, Limits.
//  Cortex-M33: the Cortex-M33 TRM (Arm 100230) publishes no instruction timing table; the
//    core is, like the M4, a three-stage in-order single-issue Armv8-M Mainline pipeline
//    with the same DSP extension, so it is priced with the Cortex-M4 table. An estimate.
//  RV32IMC (ESP32-C3): Espressif publishes no cycle table (ESP32-C3 TRM v1.0, ch. 1, gives
//    a 4-stage in-order pipeline); modelled as 1 cycle per instruction, +1 on a load-use
//    hazard, taken branches and jumps +2 (refill of the fetch stages), division 34 cycles
//    (WLED issue #4206: 4.63 M divisions/s at 160 MHz). An estimate: see README.md.
#include "sim/nn/cycle_model.h"

#include <capstone/capstone.h>

#include <stdexcept>

namespace ej::nn {

Core coreFromName(const std::string& name) {
  if (name == "cortex-m0plus") return Core::CortexM0Plus;
  if (name == "cortex-m4f") return Core::CortexM4F;
  if (name == "cortex-m7") return Core::CortexM7;
  if (name == "cortex-m33") return Core::CortexM33;
  if (name == "rv32imc") return Core::Rv32imc;
  if (name == "xtensa-lx6") return Core::XtensaLx6;
  throw std::invalid_argument("unknown core '" + name +
                              "' (cortex-m0plus, cortex-m4f, cortex-m7, cortex-m33, rv32imc, "
                              "xtensa-lx6)");
}

const char* coreName(Core core) {
  switch (core) {
    case Core::CortexM0Plus:
      return "cortex-m0plus";
    case Core::CortexM4F:
      return "cortex-m4f";
    case Core::CortexM7:
      return "cortex-m7";
    case Core::CortexM33:
      return "cortex-m33";
    case Core::Rv32imc:
      return "rv32imc";
    case Core::XtensaLx6:
      return "xtensa-lx6";
  }
  return "?";
}

std::vector<std::string> coreNames() {
  return {"cortex-m0plus", "cortex-m4f", "cortex-m7", "cortex-m33", "rv32imc", "xtensa-lx6"};
}

namespace {

enum class Kind { Alu, Load, Store, Dual, Multi, Mul, Div, Branch, CondBranch, Indirect, Table };

struct ArmInsn {
  Kind kind = Kind::Alu;
  int regs = 0;           // registers transferred by LDM/STM/PUSH/POP
  bool writesPc = false;  // a load or data-processing instruction that writes PC
  bool link = false;      // BL
  std::vector<std::uint16_t> reads, writes;
};

bool isOneOf(unsigned id, std::initializer_list<unsigned> ids) {
  for (unsigned i : ids) {
    if (i == id) return true;
  }
  return false;
}

class ThumbModel : public CycleModel {
 public:
  explicit ThumbModel(Core core) : m_core(core) {
    const auto mode = cs_mode(CS_MODE_THUMB | CS_MODE_MCLASS);
    if (cs_open(CS_ARCH_ARM, mode, &m_cs) != CS_ERR_OK)
      throw std::runtime_error("Capstone: cannot open ARM");
    cs_option(m_cs, CS_OPT_DETAIL, CS_OPT_ON);
  }
  ~ThumbModel() override { cs_close(&m_cs); }

  BlockCost cost(const std::uint8_t* code, std::size_t size, std::uint64_t address) override {
    cs_insn* insn = nullptr;
    const std::size_t n = cs_disasm(m_cs, code, size, address, 0, &insn);
    std::vector<ArmInsn> decoded;
    for (std::size_t i = 0; i < n; ++i) decoded.push_back(classify(insn[i]));
    cs_free(insn, n);
    BlockCost b;
    b.instructions = std::uint32_t(decoded.size());
    if (m_core == Core::CortexM7) {
      priceM7(decoded, b);
    } else {
      for (std::size_t i = 0; i < decoded.size(); ++i) {
        const bool afterSingle =
            i > 0 && (decoded[i - 1].kind == Kind::Load || decoded[i - 1].kind == Kind::Store);
        b.cycles += m_core == Core::CortexM0Plus ? priceM0(decoded[i], b)
                                                 : priceM4(decoded[i], afterSingle, b);
      }
    }
    b.conditionalEnd = !decoded.empty() && decoded.back().kind == Kind::CondBranch;
    return b;
  }

 private:
  ArmInsn classify(const cs_insn& in) const {
    ArmInsn a;
    const cs_arm& arm = in.detail->arm;
    const unsigned id = in.id;
    cs_regs r, w;
    std::uint8_t nr = 0, nw = 0;
    if (cs_regs_access(m_cs, &in, r, &nr, w, &nw) == CS_ERR_OK) {
      a.reads.assign(r, r + nr);
      a.writes.assign(w, w + nw);
    }
    for (auto reg : a.writes) a.writesPc = a.writesPc || reg == ARM_REG_PC;
    if (isOneOf(id, {ARM_INS_LDR, ARM_INS_LDRB, ARM_INS_LDRH, ARM_INS_LDRSB, ARM_INS_LDRSH,
                     ARM_INS_LDRT, ARM_INS_LDRBT, ARM_INS_LDRHT, ARM_INS_LDRSBT, ARM_INS_LDRSHT,
                     ARM_INS_LDREX, ARM_INS_LDREXB, ARM_INS_LDREXH})) {
      a.kind = Kind::Load;
    } else if (isOneOf(id, {ARM_INS_STR, ARM_INS_STRB, ARM_INS_STRH, ARM_INS_STRT, ARM_INS_STRBT,
                            ARM_INS_STRHT, ARM_INS_STREX, ARM_INS_STREXB, ARM_INS_STREXH})) {
      a.kind = Kind::Store;
    } else if (isOneOf(id, {ARM_INS_LDRD, ARM_INS_STRD})) {
      a.kind = Kind::Dual;
    } else if (isOneOf(id, {ARM_INS_LDM, ARM_INS_LDMDB, ARM_INS_STM, ARM_INS_STMDB})) {
      a.kind = Kind::Multi;
      a.regs = arm.op_count - 1;  // operand 0 is the base register
    } else if (isOneOf(id, {ARM_INS_PUSH, ARM_INS_POP})) {
      a.kind = Kind::Multi;
      a.regs = arm.op_count;
    } else if (isOneOf(id, {ARM_INS_SDIV, ARM_INS_UDIV})) {
      a.kind = Kind::Div;
    } else if (isOneOf(id, {ARM_INS_MUL,    ARM_INS_MLA,    ARM_INS_MLS,    ARM_INS_SMULL,
                            ARM_INS_UMULL,  ARM_INS_SMLAL,  ARM_INS_UMLAL,  ARM_INS_SMLAD,
                            ARM_INS_SMLADX, ARM_INS_SMUAD,  ARM_INS_SMUADX, ARM_INS_SMLSD,
                            ARM_INS_SMMUL,  ARM_INS_SMMLA,  ARM_INS_SMLABB, ARM_INS_SMLABT,
                            ARM_INS_SMLATB, ARM_INS_SMLATT, ARM_INS_SMULBB, ARM_INS_SMULBT,
                            ARM_INS_SMULTB, ARM_INS_SMULTT, ARM_INS_SMLAWB, ARM_INS_SMLAWT,
                            ARM_INS_SMULWB, ARM_INS_SMULWT, ARM_INS_SMLALD, ARM_INS_UMAAL})) {
      a.kind = Kind::Mul;
    } else if (isOneOf(id, {ARM_INS_CBZ, ARM_INS_CBNZ})) {
      a.kind = Kind::CondBranch;
    } else if (id == ARM_INS_B) {
      a.kind = (arm.cc == ARM_CC_AL || arm.cc == ARM_CC_INVALID) ? Kind::Branch : Kind::CondBranch;
    } else if (id == ARM_INS_BL) {
      a.kind = Kind::Branch;
      a.link = true;
    } else if (isOneOf(id, {ARM_INS_BX, ARM_INS_BLX})) {
      a.kind = Kind::Indirect;
    } else if (isOneOf(id, {ARM_INS_TBB, ARM_INS_TBH})) {
      a.kind = Kind::Table;
    }
    return a;
  }

  // Cortex-M4 TRM Table 3-1. P (pipeline refill) is 1 to 3; we take 1 for direct branches,
  // whose target the fetch unit speculates, and 2 for indirect ones. Neighbouring single
  // loads/stores pipeline (TRM 3.3.2): the second costs 1. Division is 2-12 by operand
  // size: 7 taken.
  static std::uint32_t priceM4(const ArmInsn& a, bool afterSingle, BlockCost& b) {
    const std::uint32_t pDirect = 1, pIndirect = 2;
    switch (a.kind) {
      case Kind::Load:
        return a.writesPc ? 2 + pIndirect : (afterSingle ? 1 : 2);
      case Kind::Store:
        return afterSingle ? 1 : 2;
      case Kind::Dual:
        return 3;
      case Kind::Multi:
        return 1 + std::uint32_t(a.regs) + (a.writesPc ? pIndirect : 0);
      case Kind::Div:
        return 7;
      case Kind::Branch:
        return 1 + pDirect;
      case Kind::CondBranch:
        b.takenExtra = pDirect;
        return 1;
      case Kind::Indirect:
        return 1 + pIndirect;
      case Kind::Table:
        return 2 + pIndirect;
      case Kind::Mul:
      case Kind::Alu:
        return a.writesPc ? 1 + pIndirect : 1;
    }
    return 1;
  }

  // Cortex-M0+ TRM Table 3-1: loads/stores 2, LDM/STM/PUSH 1+N, POP {..,pc} 3+N, B 2,
  // B<cond> 2 taken / 1 not, BL 3, BX/BLX 2, MOV/ADD to PC 2, MULS 1.
  static std::uint32_t priceM0(const ArmInsn& a, BlockCost& b) {
    switch (a.kind) {
      case Kind::Load:
        return a.writesPc ? 3 : 2;
      case Kind::Store:
      case Kind::Dual:
        return 2;
      case Kind::Multi:
        return 1 + std::uint32_t(a.regs) + (a.writesPc ? 2 : 0);
      case Kind::Branch:
        return a.link ? 3 : 2;
      case Kind::CondBranch:
        b.takenExtra = 1;
        return 1;
      case Kind::Indirect:
        return 2;
      case Kind::Div:
      case Kind::Table:
        return 1;  // not in ARMv6-M
      case Kind::Mul:
      case Kind::Alu:
        return a.writesPc ? 2 : 1;
    }
    return 1;
  }

  // Cortex-M7 estimate: each instruction one issue slot; two neighbours issue together when
  // neither is a branch, division or multiple transfer, they are not both memory accesses
  // nor both multiplies, and the second does not read what the first writes.
  static void priceM7(const std::vector<ArmInsn>& d, BlockCost& b) {
    auto memory = [](Kind k) {
      return k == Kind::Load || k == Kind::Store || k == Kind::Dual || k == Kind::Multi;
    };
    auto single = [](const ArmInsn& a) {
      return a.kind == Kind::Alu || a.kind == Kind::Mul || a.kind == Kind::Load ||
             a.kind == Kind::Store;
    };
    std::size_t i = 0;
    while (i < d.size()) {
      const ArmInsn& a = d[i];
      if (i + 1 < d.size() && single(a) && single(d[i + 1]) && !a.writesPc && !d[i + 1].writesPc &&
          !(memory(a.kind) && memory(d[i + 1].kind)) &&
          !(a.kind == Kind::Mul && d[i + 1].kind == Kind::Mul)) {
        bool dependent = false;
        for (auto w : a.writes) {
          for (auto r : d[i + 1].reads) dependent = dependent || (w == r && w != ARM_REG_CPSR);
        }
        if (!dependent) {
          b.cycles += 1;
          i += 2;
          continue;
        }
      }
      switch (a.kind) {
        case Kind::Dual:
          b.cycles += 2;
          break;
        case Kind::Multi:
          b.cycles += std::uint32_t(a.regs + 1) / 2 + (a.writesPc ? 3 : 0);
          break;
        case Kind::Div:
          b.cycles += 7;
          break;
        case Kind::Indirect:
        case Kind::Table:
          b.cycles += 4;
          break;
        case Kind::CondBranch:
          b.cycles += 1;
          break;  // predicted: no penalty either way
        default:
          b.cycles += a.writesPc ? 4 : 1;
          break;
      }
      ++i;
    }
  }

  Core m_core;
  csh m_cs = 0;
};

// RV32IMC (ESP32-C3 estimate, see the file header).
class RiscvModel : public CycleModel {
 public:
  BlockCost cost(const std::uint8_t* code, std::size_t size, std::uint64_t) override {
    BlockCost b;
    std::size_t pc = 0;
    int pendingLoadRd = 0;  // destination of the previous instruction if it was a load
    while (pc + 2 <= size) {
      std::uint32_t insn = std::uint32_t(code[pc]) | (std::uint32_t(code[pc + 1]) << 8);
      const bool wide = (insn & 3) == 3;
      if (wide) {
        if (pc + 4 > size) break;
        insn |= (std::uint32_t(code[pc + 2]) << 16) | (std::uint32_t(code[pc + 3]) << 24);
      }
      pc += wide ? 4 : 2;
      ++b.instructions;
      std::uint32_t cycles = 1;
      int loadRd = 0;
      bool cond = false;
      // Registers this instruction may read (every candidate field, so hazards are never
      // missed; an instruction that does not read a field can only be overcharged).
      int reads[4] = {0, 0, 0, 0};
      if (wide) {
        const std::uint32_t opcode = insn & 0x7f;
        reads[0] = int((insn >> 15) & 31), reads[1] = int((insn >> 20) & 31);
        if (opcode == 0x03)
          loadRd = int((insn >> 7) & 31);
        else if (opcode == 0x63)
          cond = true;
        else if (opcode == 0x6f || opcode == 0x67)
          cycles = 3;
        else if (opcode == 0x33 && (insn >> 25) == 1 && ((insn >> 12) & 7) >= 4)
          cycles = 34;
        if (opcode == 0x6f || opcode == 0x37 || opcode == 0x17) reads[0] = reads[1] = 0;
      } else {
        const std::uint32_t quadrant = insn & 3, f3 = insn >> 13;
        reads[0] = 8 + int((insn >> 7) & 7), reads[1] = 8 + int((insn >> 2) & 7);
        reads[2] = int((insn >> 7) & 31), reads[3] = int((insn >> 2) & 31);
        if (quadrant == 0 && f3 == 2)
          loadRd = 8 + int((insn >> 2) & 7);  // C.LW
        else if (quadrant == 2 && f3 == 2)
          loadRd = int((insn >> 7) & 31);  // C.LWSP
        else if (quadrant == 1 && (f3 == 1 || f3 == 5))
          cycles = 3;  // C.JAL, C.J
        else if (quadrant == 1 && (f3 == 6 || f3 == 7))
          cond = true;  // C.BEQZ/BNEZ
        else if (quadrant == 2 && f3 == 4 && ((insn >> 2) & 31) == 0 && ((insn >> 7) & 31) != 0) {
          cycles = 3;  // C.JR, C.JALR
        }
      }
      if (pendingLoadRd != 0) {
        for (int r : reads) {
          if (r == pendingLoadRd) {
            ++cycles;
            break;
          }
        }
      }
      pendingLoadRd = loadRd;
      b.cycles += cycles;
      b.conditionalEnd = cond;
      b.takenExtra = cond ? 2 : 0;
    }
    return b;
  }
};

}  // namespace

std::unique_ptr<CycleModel> makeCycleModel(Core core) {
  if (core == Core::Rv32imc) return std::make_unique<RiscvModel>();
  if (core == Core::XtensaLx6) {
    throw std::invalid_argument("xtensa-lx6 has no emulator here: use the analytic backend");
  }
  return std::make_unique<ThumbModel>(core);
}

}  // namespace ej::nn
