// Unicorn runner (Unicorn 2: UC_ARCH_ARM + UC_MODE_THUMB|UC_MODE_MCLASS with the CPU model
// of the core, UC_ARCH_RISCV + UC_MODE_RISCV32). One UC_HOOK_BLOCK callback per executed
// block adds the block's cost, decoded once and cached; a conditional branch's taken
// penalty is added when the next block is not its fall-through.
//
// Guest stores. In Unicorn 2.0.1 (Debian 12) every RAM page keeps QEMU's TLB_NOTDIRTY flag
// (its dirty-memory bitmap is a stub that always answers "clean"), so every guest store to
// RAM takes the slow path through notdirty_write(), which builds and frees a GLib tree
// (page_collection_lock) to look for translated code to invalidate: about half of the Arm
// cores' emulation time (sim/nn/README.md, "Emulation speed"). The RAM is therefore host
// memory (uc_mem_map_ptr) made read-only for the guest (uc_mem_protect), and a
// UC_HOOK_MEM_WRITE_PROT callback over the RAM range does each store into that memory
// itself; QEMU then drops the write (TLB_DISCARD_WRITE) instead of running notdirty_write.
// Loads keep the inline fast path. The RAM never holds code, so no translated block can go
// stale. The counted cycles are the same (every row of tests/bench/infer/run, 0 WS and with
// wait states, before and after).
#include "sim/nn/emulator.h"

#include <fmt/format.h>
#include <sys/mman.h>
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
// The return address (the run ends there): a page mapped right after the flash, so that
// the map has two regions (Unicorn looks up the region of every slow-path access).
constexpr std::uint32_t kStopPage = kFlashBase + kFlashSize;
// Kept free for the kernels' stack at the top of RAM (their largest frames hold 4 kB of
// im2col columns and 2 kB of FC input).
constexpr std::uint32_t kStackBytes = 64u << 10;

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
  ~State() {
    if (uc) uc_close(uc);
    if (ram) munmap(ram, kRamSize);
  }
  uc_engine* uc = nullptr;
  std::unique_ptr<CycleModel> model;
  // Decoded blocks: a direct table indexed by halfword offset into the code (the hot path),
  // and a map for blocks that start elsewhere or that the emulator cut at another size.
  // A block's cost as the hook uses it: 16 bytes; `taken` is the taken-branch penalty of a
  // block that ends in a conditional branch, 0 for any other block.
  struct Entry {
    std::uint32_t size = 0;
    std::uint32_t cycles = 0;
    std::uint32_t taken = 0;
    std::uint32_t instructions = 0;
  };
  std::vector<Entry> table;
  std::uint64_t tableSlots = 0;
  std::unordered_map<std::uint64_t, Entry> blocks;
  bool thumb = true;
  std::uint32_t entry = 0;
  std::vector<std::uint32_t> descAddress;
  std::uint32_t flashEnd = 0;
  // The guest RAM (kRamSize bytes at kRamBase), host memory from mmap.
  std::uint8_t* ram = nullptr;
  // Counters of the current call.
  std::uint64_t cycles = 0, flashReads = 0;
  std::uint64_t previousTaken = 0;  // the previous block's `taken`
  std::uint64_t previousFallthrough = 0;
  std::uint64_t instructions = 0;

  // The hot path: one table look-up. (Kept small: with the decoding inlined GCC spilled the
  // counters through the stack, and merging two counter updates into one vector store made
  // the next call wait on store forwarding; perf annotate.)
  static void onBlock(uc_engine* uc, std::uint64_t address, std::uint32_t size, void* user) {
    auto* s = static_cast<State*>(user);
    // Below kFlashBase the subtraction wraps to a slot past the table.
    const std::uint64_t slot = (address - kFlashBase) >> 1;
    const Entry* e = (slot < s->tableSlots && s->table[slot].size == size)
                         ? &s->table[slot]
                         : s->decode(uc, address, size, slot);
    const std::uint64_t taken = address != s->previousFallthrough ? s->previousTaken : 0;
    s->cycles += e->cycles + taken;
    s->instructions += e->instructions;
    s->previousTaken = e->taken;
    s->previousFallthrough = address + size;
  }
  // A block not in the table yet (or cut at another size): decoded once.
  [[gnu::noinline]] const Entry* decode(uc_engine* uc, std::uint64_t address, std::uint32_t size,
                                        std::uint64_t slot) {
    if (auto it = blocks.find(address); it != blocks.end() && it->second.size == size)
      return &it->second;
    std::vector<std::uint8_t> code(size);
    uc_mem_read(uc, address, code.data(), size);
    const BlockCost c = model->cost(code.data(), size, address);
    const Entry fresh{size, c.cycles, c.conditionalEnd ? c.takenExtra : 0u, c.instructions};
    return (slot < tableSlots && table[slot].size == 0) ? &(table[slot] = fresh)
                                                        : &(blocks[address] = fresh);
  }
  // A guest store to RAM (read-only to QEMU, see the top of this file): done here.
  static bool onRamWrite(uc_engine*, uc_mem_type, std::uint64_t address, int size,
                         std::int64_t value, void* user) {
    auto* s = static_cast<State*>(user);
    std::uint8_t* p = s->ram + (address - kRamBase);
    const auto v = std::uint64_t(value);  // the little-endian bytes of the stored value
    switch (size) {
      case 1:
        *p = std::uint8_t(v);
        break;
      case 2:
        std::memcpy(p, &v, 2);
        break;
      case 4:
        std::memcpy(p, &v, 4);
        break;
      default:
        std::memcpy(p, &v, std::size_t(size));
        break;
    }
    return true;
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
  check(uc_mem_map(s.uc, kFlashBase, kFlashSize + 0x1000, UC_PROT_READ | UC_PROT_EXEC),
        "map flash and stop page");
  void* ram = mmap(nullptr, kRamSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ram == MAP_FAILED) throw std::runtime_error("unicorn: no memory for the guest RAM");
  s.ram = static_cast<std::uint8_t*>(ram);
  check(uc_mem_map_ptr(s.uc, kRamBase, kRamSize, UC_PROT_READ, s.ram), "map ram");
  // uc_mem_map_ptr records the permissions for Unicorn's checks only; uc_mem_protect also
  // marks the region read-only for QEMU, whose TLB then discards the stores (after the hook).
  check(uc_mem_protect(s.uc, kRamBase, kRamSize, UC_PROT_READ), "protect ram");

  const ElfImage elf = parseElf(image->elf, image->size);
  for (const auto& seg : elf.segments) {
    check(uc_mem_write(s.uc, seg.address, seg.bytes.data(), seg.bytes.size()), "load segment");
  }
  s.entry = elf.symbol("ej_run_layer");
  const std::uint32_t codeEnd = elf.symbol("__ej_flash_end");
  m_codeBytes = codeEnd - kFlashBase;
  s.table.resize(m_codeBytes / 2 + 1);
  s.tableSlots = s.table.size();

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
  // The arena, then the descriptors, below the stack.
  const std::uint64_t arena = (std::uint64_t(m_plan.peakBytes) + 15) / 16 * 16;
  if (arena + descs.size() * align16(sizeof(ej_layer_t)) > kRamSize - kStackBytes)
    throw std::runtime_error("model larger than the emulated RAM (4 MB less 64 kB of stack)");
  std::uint32_t descAt = kRamBase + std::uint32_t(arena);
  for (const auto& d : descs) {
    std::memcpy(s.ram + (descAt - kRamBase), &d, sizeof d);
    s.descAddress.push_back(descAt);
    descAt += align16(sizeof d);
  }

  uc_hook hook;
  check(
      uc_hook_add(s.uc, &hook, UC_HOOK_MEM_WRITE_PROT, reinterpret_cast<void*>(&State::onRamWrite),
                  &s, kRamBase, kRamBase + kRamSize - 1),
      "ram write hook");
  check(uc_hook_add(s.uc, &hook, UC_HOOK_BLOCK, reinterpret_cast<void*>(&State::onBlock), &s, 1, 0),
        "block hook");
  if (flashWaitStates > 0) {
    check(uc_hook_add(s.uc, &hook, UC_HOOK_MEM_READ, reinterpret_cast<void*>(&State::onFlashRead),
                      &s, kFlashBase, kFlashBase + kFlashSize - 1),
          "flash read hook");
  }
  m_waitStates = flashWaitStates;
}

Emulator::~Emulator() = default;

std::vector<LayerCount> Emulator::run(const std::vector<std::int8_t>& input,
                                      const std::function<void(std::size_t)>& afterLayer) {
  State& s = *m_state;
  if (int(input.size()) != m_model.shapes[std::size_t(m_model.input)].size()) {
    throw std::invalid_argument("input size does not match the model");
  }
  std::memcpy(s.ram + m_plan.offset[std::size_t(m_model.input)], input.data(), input.size());
  std::vector<LayerCount> counts;
  const std::uint32_t stack = kRamBase + kRamSize - 64;
  for (std::size_t i = 0; i < m_model.layers.size(); ++i) {
    s.cycles = s.instructions = s.flashReads = 0;
    s.previousTaken = 0;
    s.previousFallthrough = 0;
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
  const std::int8_t* p =
      reinterpret_cast<const std::int8_t*>(m_state->ram) + m_plan.offset[std::size_t(valueId)];
  return std::vector<std::int8_t>(p, p + m_model.shapes[std::size_t(valueId)].size());
}

}  // namespace ej::nn
