// The `emu` backend's engine: the cross-compiled kernels (sim/firmware) executed in Unicorn
// on the model's real int8 weights and inputs, each executed basic block charged the cycles
// of its instructions (cycle_model.h), plus flash wait states on data reads from flash.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "sim/nn/cycle_model.h"
#include "sim/nn/kernel_library.h"
#include "sim/nn/memory_plan.h"
#include "sim/nn/quantize.h"

namespace ej::nn {

struct LayerCount {
  std::uint64_t cycles = 0;        // core cycles including flash wait states
  std::uint64_t instructions = 0;  // guest instructions executed
  std::uint64_t flashReads = 0;    // data reads from flash (weights, tables)
};

class Emulator {
 public:
  // FLASH_WAIT_STATES cycles are added to every data read from flash. Instruction fetch is
  // taken as hidden by the part's prefetch buffer or cache (see README.md, Limits). LIBRARY
  // picks the kernel image; the weights are stored as its kernels read them.
  Emulator(Core core, const QuantModel& model, int flashWaitStates,
           KernelLibrary library = KernelLibrary::Optimized);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // One inference on INPUT (int8, the model's input size); counts per layer. AFTER_LAYER, if
  // given, is called after each layer with its index (value() then reads its output, which
  // a later layer may overwrite: the arena reuses memory).
  std::vector<LayerCount> run(const std::vector<std::int8_t>& input,
                              const std::function<void(std::size_t)>& afterLayer = {});
  // A value (tensor) now in the target's RAM.
  std::vector<std::int8_t> value(int valueId) const;

  const MemoryPlan& plan() const { return m_plan; }
  // Bytes of kernel code and constants in flash (the ELF's loadable size).
  std::uint64_t codeBytes() const { return m_codeBytes; }
  // Guest instructions executed and host seconds spent in uc_emu_start, over all runs.
  std::uint64_t totalInstructions() const { return m_totalInstructions; }
  double emulationSeconds() const { return m_seconds; }
  // The same in CPU time of the calling thread (what the emulation cost, whatever the load).
  double emulationCpuSeconds() const { return m_cpuSeconds; }

  struct State;

 private:
  const QuantModel& m_model;
  MemoryPlan m_plan;
  std::unique_ptr<State> m_state;
  std::uint64_t m_codeBytes = 0;
  std::uint64_t m_totalInstructions = 0;
  double m_seconds = 0;
  double m_cpuSeconds = 0;
  int m_waitStates = 0;
};

}  // namespace ej::nn
