// ELF32 parsing (TIS "Executable and Linking Format" 1.2, Book I, ch. 1-2).
#include "sim/nn/elf_image.h"

#include <cstring>
#include <stdexcept>

namespace ej::nn {
namespace {

template <class T>
T read(const unsigned char* data, std::size_t size, std::size_t offset) {
  if (offset + sizeof(T) > size) throw std::runtime_error("ELF file truncated");
  T v;
  std::memcpy(&v, data + offset, sizeof(T));
  return v;
}

}  // namespace

std::uint32_t ElfImage::symbol(const std::string& name) const {
  auto it = symbols.find(name);
  if (it == symbols.end()) throw std::runtime_error("ELF image has no symbol " + name);
  return it->second;
}

ElfImage parseElf(const unsigned char* d, std::size_t n) {
  if (n < 52 || std::memcmp(d, "\177ELF", 4) != 0 || d[4] != 1 || d[5] != 1) {
    throw std::runtime_error("not an ELF32 little-endian file");
  }
  ElfImage img;
  img.machine = read<std::uint16_t>(d, n, 18);
  const auto phoff = read<std::uint32_t>(d, n, 28);
  const auto shoff = read<std::uint32_t>(d, n, 32);
  const auto phentsize = read<std::uint16_t>(d, n, 42);
  const auto phnum = read<std::uint16_t>(d, n, 44);
  const auto shentsize = read<std::uint16_t>(d, n, 46);
  const auto shnum = read<std::uint16_t>(d, n, 48);
  for (std::uint32_t i = 0; i < phnum; ++i) {
    const std::size_t ph = phoff + std::size_t(i) * phentsize;
    if (read<std::uint32_t>(d, n, ph) != 1) continue;  // PT_LOAD
    const auto offset = read<std::uint32_t>(d, n, ph + 4);
    const auto paddr = read<std::uint32_t>(d, n, ph + 12);
    const auto filesz = read<std::uint32_t>(d, n, ph + 16);
    const auto memsz = read<std::uint32_t>(d, n, ph + 20);
    if (memsz == 0) continue;
    if (std::size_t(offset) + filesz > n) throw std::runtime_error("ELF segment outside the file");
    ElfSegment seg;
    seg.address = paddr;
    seg.bytes.assign(d + offset, d + offset + filesz);
    seg.bytes.resize(memsz, 0);
    img.segments.push_back(std::move(seg));
  }
  for (std::uint32_t i = 0; i < shnum; ++i) {
    const std::size_t sh = shoff + std::size_t(i) * shentsize;
    if (read<std::uint32_t>(d, n, sh + 4) != 2) continue;  // SHT_SYMTAB
    const auto symoff = read<std::uint32_t>(d, n, sh + 16);
    const auto symsize = read<std::uint32_t>(d, n, sh + 20);
    const auto link = read<std::uint32_t>(d, n, sh + 24);
    const std::size_t strsh = shoff + std::size_t(link) * shentsize;
    const auto stroff = read<std::uint32_t>(d, n, strsh + 16);
    for (std::uint32_t s = 0; s + 16 <= symsize; s += 16) {
      const auto nameoff = read<std::uint32_t>(d, n, symoff + s);
      const auto value = read<std::uint32_t>(d, n, symoff + s + 4);
      if (nameoff == 0 || stroff + nameoff >= n) continue;
      const char* name = reinterpret_cast<const char*>(d + stroff + nameoff);
      img.symbols[std::string(name, strnlen(name, n - stroff - nameoff))] = value;
    }
  }
  return img;
}

}  // namespace ej::nn
