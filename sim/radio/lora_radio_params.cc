// LoRa radio parameters from a part file and the scenario; see lora_radio_params.h.
#include "sim/radio/lora_radio_params.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ej::radio {

Current PowerAmplifier::currentAt(double power_dBm) const {
  // Below the lowest datasheet point: that point's current (an upper bound, as the supply
  // current falls with the output power). Above it: linear in dBm between neighbouring
  // points, continued along the last segment beyond the highest one.
  if (points.size() == 1 || power_dBm <= points.front().power_dBm) return points.front().current;
  std::size_t i = 0;
  while (i + 2 < points.size() && power_dBm > points[i + 1].power_dBm) ++i;
  const Point& a = points[i];
  const Point& b = points[i + 1];
  const double t = (power_dBm - a.power_dBm) / (b.power_dBm - a.power_dBm);
  return a.current + t * (b.current - a.current);
}

const std::vector<Eu868DataRate>& eu868DataRates() {
  // LoRaWAN Regional Parameters RP002-1.0.3, EU863-870: Table 4 (data rates) and
  // Table 6 (maximum application payload N, not repeater compatible).
  static const std::vector<Eu868DataRate> kRates = {
      {0, 12, 125, 51}, {1, 11, 125, 51}, {2, 10, 125, 51}, {3, 9, 125, 115},
      {4, 8, 125, 242}, {5, 7, 125, 242}, {6, 7, 250, 242},
  };
  return kRates;
}

namespace {

std::vector<PowerAmplifier> readAmplifiers(const core::Config& cfg) {
  std::vector<PowerAmplifier> result;
  for (const auto& item : cfg.items("power_amplifiers")) {
    PowerAmplifier pa;
    pa.name = item.text("name");
    pa.minPower_dBm = item.dBm("min_power");
    pa.maxPower_dBm = item.dBm("max_power");
    if (pa.maxPower_dBm < pa.minPower_dBm) item.fail("max_power", "is below min_power");
    for (const auto& point : item.items("tx_current")) {
      const double p = point.dBm("power");
      if (!pa.points.empty() && p <= pa.points.back().power_dBm) {
        point.fail("power", "tx_current points must be in ascending power");
      }
      pa.points.push_back({p, point.quantity<Current>("current", core::Range::Positive)});
    }
    if (pa.points.empty()) item.fail("tx_current", "needs at least one {power, current} point");
    result.push_back(std::move(pa));
  }
  if (result.empty()) cfg.fail("power_amplifiers", "the part lists no power amplifier");
  return result;
}

Ldro readLdro(const core::Config& cfg) {
  const auto text = cfg.choice("ldro", {"auto", "on", "off"}, "auto");
  return text == "on" ? Ldro::On : text == "off" ? Ldro::Off : Ldro::Auto;
}

// The chip: its name, family, spreading factors, bandwidths, currents and timings.
void readChip(const core::Config& cfg, LoraRadioParams& p) {
  p.part = cfg.text("name", "LoRa radio");
  p.family = cfg.choice("family", {"sx127x", "sx126x"}) == "sx126x" ? LoraFamily::Sx126x
                                                                    : LoraFamily::Sx127x;
  p.minSpreadingFactor = static_cast<int>(cfg.integer("spreading_factor_min", 5, 12));
  p.maxSpreadingFactor =
      static_cast<int>(cfg.integer("spreading_factor_max", p.minSpreadingFactor, 12));
  for (const auto& text : cfg.texts("bandwidths")) {
    const auto q = core::parseQuantity(text);
    if (!q || q->dimension != core::Dimension::Frequency || !(q->value > 0)) {
      cfg.fail("bandwidths", fmt::format("'{}' is not a bandwidth such as 125 kHz", text));
    }
    p.bandwidths_Hz.push_back(q->value);
  }
  if (p.bandwidths_Hz.empty()) cfg.fail("bandwidths", "the part lists no bandwidth");
  p.sleepCurrent = cfg.quantity<Current>("sleep_current", core::Range::NonNegative);
  p.standbyCurrent = cfg.quantity<Current>("standby_current", core::Range::Positive);
  p.synthCurrent = cfg.quantity<Current>("synth_current", core::Range::Positive);
  p.rxCurrent = cfg.quantity<Current>("rx_current", core::Range::Positive);
  p.wakeUpTime = cfg.quantity<Time>("wakeup_time", core::Range::NonNegative);
  p.synthTime = cfg.quantity<Time>("synth_time", core::Range::NonNegative);
  p.amplifiers = readAmplifiers(cfg);
}

// The modulation the node uses, checked against what the chip supports.
void readModulation(const core::Config& cfg, LoraRadioParams& p) {
  LoraModulation& m = p.modulation;
  m.family = p.family;
  // The key's range is the standard's, SF5..SF12 (SX126x has SF5, SX127x starts at SF6), as
  // the schema gives it; a value outside it is refused with the part's own range, like one
  // within it that the part lacks (`SX1276 supports SF6..SF12, not SF13`).
  long sf = 0;
  try {
    sf = cfg.integer("spreading_factor", 5, 12);
  } catch (const core::ConfigError&) {
    // Not a whole number (thrown again, with its own message), or one outside SF5..SF12.
    sf = cfg.integer("spreading_factor", std::numeric_limits<long>::min(),
                     std::numeric_limits<long>::max());
  }
  if (sf < p.minSpreadingFactor || sf > p.maxSpreadingFactor) {
    cfg.fail("spreading_factor", fmt::format("{} supports SF{}..SF{}, not SF{}", p.part,
                                             p.minSpreadingFactor, p.maxSpreadingFactor, sf));
  }
  m.spreadingFactor = static_cast<int>(sf);
  m.bandwidth = cfg.quantity<Frequency>("bandwidth", hertz(125e3), core::Range::Positive);
  const double bw = in_Hz(m.bandwidth);
  const bool bwSupported = std::any_of(p.bandwidths_Hz.begin(), p.bandwidths_Hz.end(),
                                       [bw](double b) { return std::abs(b - bw) < 1.0; });
  if (!bwSupported) {
    std::vector<std::string> list;
    for (double b : p.bandwidths_Hz) list.push_back(fmt::format("{:g}", b / 1e3));
    cfg.fail("bandwidth", fmt::format("{} supports {} kHz, not {:g} kHz", p.part,
                                      fmt::join(list, ", "), bw / 1e3));
  }
  const auto cr = cfg.choice("coding_rate", {"4/5", "4/6", "4/7", "4/8"}, "4/5");
  m.codingRateDenominator = cr[2] - '0';
  m.preambleSymbols = static_cast<int>(cfg.integer("preamble", 8, 6, 65535));
  m.explicitHeader = !cfg.flag("implicit_header", false);
  m.crc = cfg.flag("crc", true);
  m.ldro = readLdro(cfg);
}

// The transmitter: the PA that can give the configured power at the lowest current.
void chooseAmplifier(const core::Config& cfg, LoraRadioParams& p) {
  p.txPower_dBm = cfg.has("tx_power") ? cfg.dBm("tx_power") : 14.0;
  std::vector<std::string> names;
  for (const auto& pa : p.amplifiers) names.push_back(pa.name);
  names.push_back("auto");
  const auto wanted = cfg.choice("power_amplifier", names, "auto");
  const PowerAmplifier* chosen = nullptr;
  double best_A = std::numeric_limits<double>::infinity();
  std::vector<std::string> ranges;
  for (const auto& pa : p.amplifiers) {
    ranges.push_back(fmt::format("{} {:g}..{:g} dBm", pa.name, pa.minPower_dBm, pa.maxPower_dBm));
    if (wanted != "auto" && pa.name != wanted) continue;
    if (p.txPower_dBm < pa.minPower_dBm || p.txPower_dBm > pa.maxPower_dBm) continue;
    const double i_A = in_A(pa.currentAt(p.txPower_dBm));
    if (i_A < best_A) {
      best_A = i_A;
      chosen = &pa;
    }
  }
  if (!chosen) {
    cfg.fail("tx_power", fmt::format("{:g} dBm is beyond what {} can give ({})", p.txPower_dBm,
                                     wanted == "auto" ? p.part : wanted, fmt::join(ranges, "; ")));
  }
  p.amplifier = chosen->name;
  p.txCurrent = chosen->currentAt(p.txPower_dBm);
  if (!(in_A(p.txCurrent) > 0)) {
    cfg.fail("tx_power", "the datasheet points of this PA give no positive current here");
  }
}

// LoRaWAN class A in EU868: the data rate of the modulation, confirmation, join, duty cycle
// and receive windows.
void readLorawan(const core::Config& cfg, LoraRadioParams& p) {
  const LoraModulation& m = p.modulation;
  const double bw = in_Hz(m.bandwidth);
  const auto region = cfg.choice("region", {"eu868"}, "eu868");
  (void)region;  // EU868 is the only region modelled
  for (const auto& dr : eu868DataRates()) {
    if (dr.spreadingFactor == m.spreadingFactor && std::abs(dr.bandwidth_kHz * 1e3 - bw) < 1.0) {
      p.eu868DataRate = dr.dataRate;
      p.maxApplicationPayload = dr.maxApplicationPayload;
    }
  }
  if (p.eu868DataRate < 0) {
    cfg.fail("spreading_factor",
             fmt::format("SF{} at {:g} kHz is not an EU868 LoRaWAN data rate (DR0..DR6: SF12..SF7 "
                         "at 125 kHz, SF7 at 250 kHz)",
                         m.spreadingFactor, bw / 1e3));
  }
  p.confirmed = cfg.flag("confirmed", false);
  p.maxRetries = static_cast<int>(cfg.integer("retries", 7, 0, 15));
  p.ackLoss = cfg.number("ack_loss", 0.0, core::Range::Fraction);
  p.seed = static_cast<std::uint64_t>(cfg.integer("seed", 1, 0, 2147483647));
  p.otaaJoin = cfg.choice("join", {"otaa", "abp"}, "otaa") == "otaa";
  p.dutyCycle = cfg.quantity<Ratio>("duty_cycle", ratio(0.01), core::Range::Fraction);
  if (!(p.dutyCycle.value() > 0)) cfg.fail("duty_cycle", "must be greater than zero");
  p.dutyCyclePolicy = cfg.choice("duty_cycle_policy", {"wait", "drop"}, "wait") == "drop"
                          ? DutyCyclePolicy::Drop
                          : DutyCyclePolicy::Wait;
  p.rx1Delay = cfg.quantity<Time>("rx1_delay", p.rx1Delay, core::Range::Positive);
  p.rx2Delay = p.rx1Delay + seconds(1);  // RP002-1.0.3: RECEIVE_DELAY2 = RECEIVE_DELAY1 + 1 s
  p.rxTimeoutSymbols = static_cast<int>(cfg.integer("rx_timeout_symbols", 8, 1, 1023));
  if (p.rx1Delay < p.wakeUpTime + p.synthTime) {
    cfg.fail("rx1_delay", "is shorter than the radio's wake-up and synthesiser times");
  }
}

}  // namespace

LoraRadioParams LoraRadioParams::fromConfig(const core::Config& cfg) {
  LoraRadioParams p;
  readChip(cfg, p);
  readModulation(cfg, p);
  chooseAmplifier(cfg, p);
  readLorawan(cfg, p);
  return p;
}

}  // namespace ej::radio
