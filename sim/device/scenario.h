// A scenario: the node's parts, what it does, where and for how long. Loading it checks
// every value (units, ranges, unknown keys) before anything is simulated.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/results.h"
#include "sim/device/mcu_params.h"
#include "sim/device/motion_source.h"
#include "sim/device/pir_sensor.h"
#include "sim/harvest/harvester_spec.h"
#include "sim/nn/mcu_target.h"
#include "sim/power/battery_factory.h"
#include "sim/power/battery_model.h"
#include "sim/power/regulator/regulator.h"
#include "sim/power/regulator/supply_range.h"
#include "sim/radio/radio_module.h"

namespace ej::device {

struct Scenario {
  std::string name;  // `name`, else the file's stem
  std::filesystem::path file;
  std::string text;              // the file as written, for reports
  double startEpochSeconds = 0;  // `start`, UTC
  Time horizon;                  // `horizon` (with `until_empty`: `horizon_cap`)
  // `horizon: until_empty`: the run ends when the battery first empties or browns out,
  // harvester or not, at the latest at `horizon_cap` (default 50 years).
  bool untilEmpty = false;
  Time timeseriesInterval;  // `output.timeseries_interval`
  // `output.timeseries`: false takes no samples and writes no timeseries.csv (mc's default:
  // a thousand samples' hourly series are hundreds of MB that nothing reads).
  bool timeseries = true;

  McuParams mcu;
  std::vector<JobParams> jobs;
  std::optional<PirParams> pir;
  std::unique_ptr<MotionSource> motion;
  std::optional<harvest::HarvesterSpec> harvester;  // `node.harvester`
  std::optional<radio::RadioSpec> radio;            // `node.radio`; send steps name it `radio`
  // The MCU's figures for inference profiling; set when the part names a core.
  std::optional<nn::McuTarget> mcuTarget;
  // One entry per distinct (model, backend) the jobs run, as it goes into summary.json;
  // filled by profileInferences() (inference_steps.h), not by load().
  struct Inference {
    std::string key;  // model path | backend
    core::InferenceResult result;
  };
  std::vector<Inference> inferences;
  std::string batteryModelName;
  std::unique_ptr<power::BatteryModel> battery;
  Ratio restartSoc = ratio(0.1);  // `node.battery.restart_soc`: back on after an outage
  // `node.regulator`: between the battery and the loads; none: the loads draw the battery.
  std::optional<regulator::RegulatorSpec> regulator;
  // The supply ranges of the powered parts that declare one (mcu, radio, pir).
  std::vector<regulator::SupplyRange> supplies;
  // `node.radio.includes_cpu`: the radio's currents include the MCU's (the ESP32-C3's WiFi
  // figures): the MCU is not counted while the radio draws current.
  bool radioIncludesCpu = false;

  // Time zero's offset from the UTC midnight before it.
  Time phase() const;

  // Reads and checks FILE with OVERRIDES (--set): validation only, nothing is emulated
  // (profileInferences() in inference_steps.h does that). Throws core::ConfigError.
  static Scenario load(const std::filesystem::path& file, const core::Overrides& overrides = {});
};

}  // namespace ej::device
