// Cycle cost of executed instructions, per core, from the cores' published timings; see
// README.md for the tables, their sources and what is estimated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ej::nn {

enum class Core { CortexM0Plus, CortexM4F, CortexM7, CortexM33, Rv32imc, XtensaLx6 };

// "cortex-m0plus", "cortex-m4f", "cortex-m7", "cortex-m33", "rv32imc", "xtensa-lx6" (the hw/mcu
// names).
Core coreFromName(const std::string& name);
const char* coreName(Core core);
std::vector<std::string> coreNames();

// The cost of one basic block as the emulator reports it (straight-line code ending at a
// branch or wherever the emulator cut it).
struct BlockCost {
  std::uint32_t cycles = 0;      // everything, with a final conditional branch not taken
  std::uint32_t takenExtra = 0;  // added when the final conditional branch is taken
  std::uint32_t instructions = 0;
  bool conditionalEnd = false;  // the last instruction is a conditional branch
};

// Decodes a block once (Capstone for Thumb, the project's own RV32IMC decoder since
// Capstone 4 has no RISC-V) and prices each instruction.
class CycleModel {
 public:
  virtual ~CycleModel() = default;
  virtual BlockCost cost(const std::uint8_t* code, std::size_t size, std::uint64_t address) = 0;
};

// Throws std::invalid_argument for a core without an instruction-level model (xtensa-lx6).
std::unique_ptr<CycleModel> makeCycleModel(Core core);

}  // namespace ej::nn
