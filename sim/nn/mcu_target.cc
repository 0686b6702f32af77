// McuTarget from a part file.
#include "sim/nn/mcu_target.h"

namespace ej::nn {

McuTarget McuTarget::fromConfig(const core::Config& cfg) {
  McuTarget t;
  t.name = cfg.text("name", cfg.file().stem().string());
  t.core = coreFromName(cfg.choice("core", coreNames()));
  t.clock = cfg.quantity<Frequency>("clock", core::Range::Positive);
  t.flashWaitStates = int(cfg.integer("flash_wait_states", 0, 0, 31));
  t.sramBytes = cfg.integer("sram_bytes", 1, 1L << 40);
  t.flashBytes = cfg.integer("flash_bytes", 1, 1L << 40);
  t.supply = cfg.quantity<Voltage>("supply_voltage", core::Range::Positive);
  t.active = cfg.child("states").quantity<Current>("active", core::Range::Positive);
  t.kernels = kernelLibraryFromName(cfg.choice("kernels", kernelLibraryNames(), "optimized"));
  return t;
}

}  // namespace ej::nn
