// Unicorn runner (Unicorn 2: UC_ARCH_ARM + UC_MODE_THUMB|UC_MODE_MCLASS with the CPU model
// of the core, UC_ARCH_RISCV + UC_MODE_RISCV32). One UC_HOOK_BLOCK callback per executed
// block adds the block's cost, decoded once and cached; a conditional branch's taken
// penalty is added when the next block is not its fall-through.
#include "sim/nn/emulator.h"

#include <fmt/format.h>
#include <unicorn/unicorn.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <unordered_map>

#include "sim/firmware/firmware_images.h"
#include "sim/nn/elf_image.h"

namespace ej::nn {
namespace {

// The memory map of sim/firmware/ej_kernels.ld.
constexpr std::uint32_t kFlashBase = 0x08000000, kFlashSize = 8u << 20;
constexpr std::uint32_t kRamBase = 0x20000000, kRamSize = 4u << 20;
constexpr std::uint32_t kStopPage = 0x0F000000;  // return address: the run ends here

void check(uc_err err, const char* what) {
  if (err != UC_ERR_OK)
    throw std::runtime_error(fmt::format("unicorn: {}: {}", what, uc_strerror(err)));
}

std::uint32_t align16(std::uint32_t v) { return (v + 15u) & ~15u; }

double threadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

}  // namespace

struct Emulator::State {
  uc_engine* uc = nullptr;
  std::unique_ptr<CycleModel> model;
  // Decoded blocks: a direct table indexed by halfword offset into the code (the hot path),
  // and a map for blocks that start elsewhere or that the emulator cut at another size.
  struct Entry {
    std::uint32_t size = 0;
    BlockCost cost;
  };
  std::vector<Entry> table;
  std::unordered_map<std::uint64_t, Entry> blocks;
  bool thumb = true;
  std::uint32_t entry = 0;
  std::vector<std::uint32_t> descAddress;
  std::uint32_t flashEnd = 0;
  // Counters of the current call.
  std::uint64_t cycles = 0, instructions = 0, flashReads = 0;
  BlockCost previous;
  std::uint64_t previousFallthrough = 0;

  static void onBlock(uc_engine* uc, std::uint64_t address, std::uint32_t size, void* user) {
    auto* s = static_cast<State*>(user);
    if (s->previous.conditionalEnd && address != s->previousFallthrough)
      s->cycles += s->previous.takenExtra;
    const std::uint64_t slot = (address - kFlashBase) >> 1;
    const bool inTable = address >= kFlashBase && slot < s->table.size();
    Entry* e = nullptr;
    if (inTable && s->table[slot].size == size) {
      e = &s->table[slot];
    } else if (auto it = s->blocks.find(address);
               it != s->blocks.end() && it->second.size == size) {
      e = &it->second;
    } else {
      std::vector<std::uint8_t> code(size);
      uc_mem_read(uc, address, code.data(), size);
      const Entry fresh{size, s->model->cost(code.data(), size, address)};
      e = (inTable && s->table[slot].size == 0) ? &(s->table[slot] = fresh)
                                                : &(s->blocks[address] = fresh);
    }
    s->cycles += e->cost.cycles;
    s->instructions += e->cost.instructions;
    s->previous = e->cost;
    s->previousFallthrough = address + size;
  }
  static void onFlashRead(uc_engine*, uc_mem_type, std::uint64_t, int, std::int64_t, void* user) {
    ++static_cast<State*>(user)->flashReads;
  }
};

Emulator::Emulator(Core core, const QuantModel& model, int flashWaitStates, KernelLibrary library)
    : m_model(model), m_plan(planActivations(model)), m_state(std::make_unique<State>()) {
  const auto* image = firmware::findImage(coreName(core), kernelLibraryName(library));
  if (!image)
    throw std::invalid_argument(fmt::format("no emulated firmware for {}", coreName(core)));
  State& s = *m_state;
  s.model = makeCycleModel(core);
  s.thumb = core != Core::Rv32imc;
  if (s.thumb) {
    check(uc_open(UC_ARCH_ARM, uc_mode(UC_MODE_THUMB | UC_MODE_MCLASS), &s.uc), "open");
    const int cpu = core == Core::CortexM0Plus ? UC_CPU_ARM_CORTEX_M0
                    : core == Core::CortexM7   ? UC_CPU_ARM_CORTEX_M7
                    : core == Core::CortexM33  ? UC_CPU_ARM_CORTEX_M33
                                               : UC_CPU_ARM_CORTEX_M4;
    check(uc_ctl_set_cpu_model(s.uc, cpu), "cpu model");
  } else {
    check(uc_open(UC_ARCH_RISCV, UC_MODE_RISCV32, &s.uc), "open");
  }
  check(uc_mem_map(s.uc, kFlashBase, kFlashSize, UC_PROT_READ | UC_PROT_EXEC), "map flash");
  check(uc_mem_map(s.uc, kRamBase, kRamSize, UC_PROT_READ | UC_PROT_WRITE), "map ram");
  check(uc_mem_map(s.uc, kStopPage, 0x1000, UC_PROT_READ | UC_PROT_EXEC), "map stop page");

  const ElfImage elf = parseElf(image->elf, image->size);
  for (const auto& seg : elf.segments) {
    check(uc_mem_write(s.uc, seg.address, seg.bytes.data(), seg.bytes.size()), "load segment");
  }
  s.entry = elf.symbol("ej_run_layer");
  const std::uint32_t codeEnd = elf.symbol("__ej_flash_end");
  m_codeBytes = codeEnd - kFlashBase;
  s.table.resize(m_codeBytes / 2 + 1);

  // The constants of every layer after the code, each array 16-byte aligned.
  std::vector<std::uint8_t> blob;
  auto place = [&](const void* data, std::size_t bytes) -> std::uint32_t {
    if (bytes == 0) return 0;
    blob.resize(align16(std::uint32_t(blob.size())), 0);
    const std::uint32_t at = codeEnd + std::uint32_t(blob.size());
    blob.insert(blob.end(), static_cast<const std::uint8_t*>(data),
                static_cast<const std::uint8_t*>(data) + bytes);
    return at;
  };
  std::vector<ej_layer_t> descs;
  for (const auto& l : model.layers) {
    ej_layer_t d = l.desc;
    const std::vector<std::int8_t> weights = storedWeights(l, core, library);
    d.weights = l.table.empty() ? place(weights.data(), weights.size())
                                : place(l.table.data(), l.table.size() * 4);
    d.bias = place(l.kernelBias.data(), l.kernelBias.size() * 4);
    d.mult = place(l.mult.data(), l.mult.size() * 4);
    d.shift = place(l.shift.data(), l.shift.size() * 4);
    d.row_ptr = place(l.rowPtr.data(), l.rowPtr.size() * 4);
    d.col_idx = place(l.colIdx.data(), l.colIdx.size() * 2);
    d.taps = place(l.taps.data(), l.taps.size() * 2);
    d.in0 = kRamBase + std::uint32_t(m_plan.offset[std::size_t(l.in0)]);
    d.in1 = l.in1 >= 0 ? kRamBase + std::uint32_t(m_plan.offset[std::size_t(l.in1)]) : 0;
    d.out = kRamBase + std::uint32_t(m_plan.offset[std::size_t(l.out)]);
    descs.push_back(d);
  }
  if (codeEnd + blob.size() > kFlashBase + kFlashSize)
    throw std::runtime_error("model larger than the emulated flash");
  if (!blob.empty())
    check(uc_mem_write(s.uc, codeEnd, blob.data(), blob.size()), "write constants");
  s.flashEnd = codeEnd + std::uint32_t(blob.size());
  std::uint32_t descAt = kRamBase + align16(std::uint32_t(m_plan.peakBytes));
  for (const auto& d : descs) {
    check(uc_mem_write(s.uc, descAt, &d, sizeof d), "write descriptor");
    s.descAddress.push_back(descAt);
    descAt += align16(sizeof d);
  }

  uc_hook hook;
  check(uc_hook_add(s.uc, &hook, UC_HOOK_BLOCK, reinterpret_cast<void*>(&State::onBlock), &s, 1, 0),
        "block hook");
  if (flashWaitStates > 0) {
    check(uc_hook_add(s.uc, &hook, UC_HOOK_MEM_READ, reinterpret_cast<void*>(&State::onFlashRead),
                      &s, kFlashBase, kFlashBase + kFlashSize - 1),
          "flash read hook");
  }
  m_waitStates = flashWaitStates;
}

Emulator::~Emulator() {
  if (m_state && m_state->uc) uc_close(m_state->uc);
}

std::vector<LayerCount> Emulator::run(const std::vector<std::int8_t>& input,
                                      const std::function<void(std::size_t)>& afterLayer) {
  State& s = *m_state;
  if (int(input.size()) != m_model.shapes[std::size_t(m_model.input)].size()) {
    throw std::invalid_argument("input size does not match the model");
  }
  check(uc_mem_write(s.uc, kRamBase + std::uint32_t(m_plan.offset[std::size_t(m_model.input)]),
                     input.data(), input.size()),
        "write input");
  std::vector<LayerCount> counts;
  const std::uint32_t stack = kRamBase + kRamSize - 64;
  for (std::size_t i = 0; i < m_model.layers.size(); ++i) {
    s.cycles = s.instructions = s.flashReads = 0;
    s.previous = BlockCost{};
    std::uint32_t arg = s.descAddress[i];
    if (s.thumb) {
      std::uint32_t lr = kStopPage | 1u;
      uc_reg_write(s.uc, UC_ARM_REG_R0, &arg);
      uc_reg_write(s.uc, UC_ARM_REG_LR, &lr);
      uc_reg_write(s.uc, UC_ARM_REG_SP, &stack);
    } else {
      std::uint32_t ra = kStopPage;
      uc_reg_write(s.uc, UC_RISCV_REG_A0, &arg);
      uc_reg_write(s.uc, UC_RISCV_REG_RA, &ra);
      uc_reg_write(s.uc, UC_RISCV_REG_SP, &stack);
    }
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = threadCpuSeconds();
    check(uc_emu_start(s.uc, s.thumb ? (s.entry | 1u) : s.entry, kStopPage, 0, 0),
          fmt::format("running layer '{}'", m_model.layers[i].name).c_str());
    m_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m_cpuSeconds += threadCpuSeconds() - c0;
    std::int32_t status = 0;
    uc_reg_read(s.uc, s.thumb ? int(UC_ARM_REG_R0) : int(UC_RISCV_REG_A0), &status);
    if (status != 0)
      throw std::runtime_error(fmt::format("firmware refused layer '{}'", m_model.layers[i].name));
    LayerCount c;
    c.instructions = s.instructions;
    c.flashReads = s.flashReads;
    c.cycles = s.cycles + std::uint64_t(m_waitStates) * s.flashReads;
    m_totalInstructions += c.instructions;
    counts.push_back(c);
    if (afterLayer) afterLayer(i);
  }
  return counts;
}

std::vector<std::int8_t> Emulator::value(int valueId) const {
  std::vector<std::int8_t> v(std::size_t(m_model.shapes[std::size_t(valueId)].size()));
  check(uc_mem_read(m_state->uc, kRamBase + std::uint32_t(m_plan.offset[std::size_t(valueId)]),
                    v.data(), v.size()),
        "read value");
  return v;
}

}  // namespace ej::nn
