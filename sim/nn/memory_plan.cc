// Greedy first-fit activation arena.
#include "sim/nn/memory_plan.h"

#include <algorithm>

namespace ej::nn {

MemoryPlan planActivations(const QuantModel& model) {
  const std::size_t nv = model.shapes.size();
  const int nl = int(model.layers.size());
  std::vector<int> first(nv, -2), last(nv, -2);
  first[model.input] = -1, last[model.input] = -1;
  for (int i = 0; i < nl; ++i) {
    const QLayer& l = model.layers[std::size_t(i)];
    first[l.out] = i, last[l.out] = std::max(last[l.out], i);
    for (int v : {l.in0, l.in1}) {
      if (v >= 0) last[v] = std::max(last[v], i);
    }
  }
  last[model.output] = nl;
  MemoryPlan plan;
  plan.offset.assign(nv, -1);
  struct Live {
    std::int64_t begin, end;
    int lastUse;
  };
  std::vector<Live> live;
  auto allocate = [&](int v, int now) {
    live.erase(
        std::remove_if(live.begin(), live.end(), [&](const Live& x) { return x.lastUse < now; }),
        live.end());
    std::sort(live.begin(), live.end(),
              [](const Live& a, const Live& b) { return a.begin < b.begin; });
    const std::int64_t size = (std::int64_t(model.shapes[std::size_t(v)].size()) + 3) / 4 * 4;
    std::int64_t at = 0;
    for (const auto& x : live) {
      if (x.begin >= at + size) break;
      at = std::max(at, x.end);
    }
    live.push_back({at, at + size, last[std::size_t(v)]});
    plan.offset[std::size_t(v)] = at;
    plan.peakBytes = std::max(plan.peakBytes, at + size);
  };
  allocate(model.input, -1);
  for (int i = 0; i < nl; ++i) allocate(model.layers[std::size_t(i)].out, i);
  return plan;
}

}  // namespace ej::nn
