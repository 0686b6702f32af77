// The `edgejoule airtime` calculator's parsing and output; see airtime_calculator.h.
#include "sim/radio/airtime_calculator.h"

#include <fmt/format.h>

#include <stdexcept>

#include "sim/core/quantity.h"

namespace ej::radio {

LoraModulation modulationFrom(const AirtimeRequest& request) {
  LoraModulation mod;
  mod.spreadingFactor = request.spreadingFactor;
  const auto bw = core::parseQuantity(request.bandwidth);
  if (!bw || bw->dimension != core::Dimension::Frequency || !(bw->value > 0)) {
    throw std::invalid_argument(
        fmt::format("--bw: expected a bandwidth such as 125kHz, got '{}'", request.bandwidth));
  }
  mod.bandwidth = hertz(bw->value);
  const std::string& cr = request.codingRate;
  if (cr.size() != 3 || cr[0] != '4' || cr[1] != '/' || cr[2] < '5' || cr[2] > '8') {
    throw std::invalid_argument(fmt::format("--cr: expected 4/5, 4/6, 4/7 or 4/8, got '{}'", cr));
  }
  mod.codingRateDenominator = cr[2] - '0';
  if (request.preambleSymbols < 6 || request.preambleSymbols > 65535) {
    // SX1276 RegPreambleMsb/Lsb: 6..65535 symbols programmable.
    throw std::invalid_argument(
        fmt::format("--preamble: {} is outside 6..65535 symbols", request.preambleSymbols));
  }
  mod.preambleSymbols = request.preambleSymbols;
  mod.explicitHeader = !request.implicitHeader;
  mod.crc = !request.noCrc;
  if (request.ldro == "auto") {
    mod.ldro = Ldro::Auto;
  } else if (request.ldro == "on") {
    mod.ldro = Ldro::On;
  } else if (request.ldro == "off") {
    mod.ldro = Ldro::Off;
  } else {
    throw std::invalid_argument(
        fmt::format("--ldro: expected auto, on or off, got '{}'", request.ldro));
  }
  if (request.chip == "sx127x") {
    mod.family = LoraFamily::Sx127x;
  } else if (request.chip == "sx126x") {
    mod.family = LoraFamily::Sx126x;
  } else {
    throw std::invalid_argument(
        fmt::format("--chip: expected sx127x or sx126x, got '{}'", request.chip));
  }
  if (request.payloadBytes > 255) {
    // The LoRa FIFO and the explicit header's length field hold at most 255 bytes.
    throw std::invalid_argument(
        fmt::format("--payload: {} bytes is over the 255-byte LoRa maximum", request.payloadBytes));
  }
  const int minSf = mod.family == LoraFamily::Sx126x ? 5 : 6;
  if (mod.spreadingFactor < minSf || mod.spreadingFactor > 12) {
    throw std::invalid_argument(
        fmt::format("--sf: {} is outside {}..12 for {}", mod.spreadingFactor, minSf, request.chip));
  }
  return mod;
}

nlohmann::json airtimeJson(const LoraModulation& mod, std::size_t payloadBytes,
                           const LoraAirtime& a) {
  const double bitsPerSymbol = mod.spreadingFactor;
  // Equivalent bit rate (SX1276 datasheet 4.1.1.3): Rb = SF * (4 / (4 + CR)) / T_sym.
  const double bitRate_bps = bitsPerSymbol * 4.0 / mod.codingRateDenominator / in_s(a.symbolTime);
  return {
      {"spreading_factor", mod.spreadingFactor},
      {"bandwidth_kHz", in_Hz(mod.bandwidth) / 1e3},
      {"coding_rate", codingRateText(mod.codingRateDenominator)},
      {"payload_bytes", payloadBytes},
      {"preamble_symbols_programmed", mod.preambleSymbols},
      {"explicit_header", mod.explicitHeader},
      {"crc", mod.crc},
      {"low_data_rate_optimize", a.lowDataRateOptimize},
      {"symbol_time_ms", in_s(a.symbolTime) * 1e3},
      {"preamble_symbols", a.preambleSymbols},
      {"preamble_time_ms", in_s(a.preambleTime) * 1e3},
      {"payload_symbols", a.payloadSymbols},
      {"payload_time_ms", in_s(a.payloadTime) * 1e3},
      {"time_on_air_ms", in_s(a.total) * 1e3},
      {"equivalent_bit_rate_bps", bitRate_bps},
  };
}

std::string airtimeText(const LoraModulation& mod, std::size_t payloadBytes, const LoraAirtime& a) {
  const auto j = airtimeJson(mod, payloadBytes, a);
  std::string out;
  out += fmt::format("LoRa SF{} BW {:g} kHz CR {}, {} payload bytes, {} header, CRC {}\n",
                     mod.spreadingFactor, in_Hz(mod.bandwidth) / 1e3,
                     codingRateText(mod.codingRateDenominator), payloadBytes,
                     mod.explicitHeader ? "explicit" : "implicit", mod.crc ? "on" : "off");
  out += fmt::format("  low data rate optimisation  {}\n", a.lowDataRateOptimize ? "on" : "off");
  out += fmt::format("  symbol time                 {:.3f} ms\n", in_s(a.symbolTime) * 1e3);
  out += fmt::format("  preamble                    {:g} symbols, {:.3f} ms\n", a.preambleSymbols,
                     in_s(a.preambleTime) * 1e3);
  out += fmt::format("  payload                     {} symbols, {:.3f} ms\n", a.payloadSymbols,
                     in_s(a.payloadTime) * 1e3);
  out += fmt::format("  time on air                 {:.3f} ms\n", in_s(a.total) * 1e3);
  out += fmt::format("  equivalent bit rate         {:.0f} bit/s\n",
                     j["equivalent_bit_rate_bps"].get<double>());
  return out;
}

}  // namespace ej::radio
