// The MCU figures inference profiling needs, read from a hw/mcu/*.yaml part file.
#pragma once

#include <cstdint>
#include <string>

#include "sim/core/config.h"
#include "sim/core/units.h"
#include "sim/nn/cycle_model.h"
#include "sim/nn/kernel_library.h"

namespace ej::nn {

struct McuTarget {
  std::string name;                                  // part name, for reports
  Core core = Core::CortexM4F;                       // instruction set and timing model
  Frequency clock = hertz(64e6);                     // core clock
  int flashWaitStates = 0;                           // cycles added per data read from flash
  std::int64_t sramBytes = 0;                        // on-chip SRAM
  std::int64_t flashBytes = 0;                       // program flash
  Voltage supply = volts(3.0);                       // the datasheet's condition for `active`
  Current active = milliamperes(1.0);                // running from flash at `clock`
  KernelLibrary kernels = KernelLibrary::Optimized;  // which kernel library the part runs

  // Reads core, clock, flash_wait_states, sram_bytes, flash_bytes, supply_voltage,
  // states.active and the optional `kernels` (reference | optimized, default optimized;
  // other keys of the part, e.g. states.sleep, are left to their readers).
  static McuTarget fromConfig(const core::Config& cfg);
};

}  // namespace ej::nn
