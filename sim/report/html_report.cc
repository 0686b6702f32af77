// report.html: plain HTML and CSS, no script, every figure inline, so the page opens
// anywhere (mail, an archive) without its folder.
#include "sim/report/html_report.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "sim/core/config.h"
#include "sim/core/io.h"
#include "sim/core/results.h"
#include "sim/report/mc.h"
#include "sim/report/plot_data.h"
#include "sim/report/yaml_walk.h"

namespace ej::report {
namespace fs = std::filesystem;
using nlohmann::json;

std::string escapeHtml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

namespace {

std::string scalarText(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
}

// Every `{value, source}` mapping under NODE (and a `source:` or `datasheet:` of a mapping
// itself), with its dotted key path.
void collectSources(const YAML::Node& node, const std::string& path, std::vector<PartSource>& out,
                    FirstVisit& first) {
  if (!node.IsMap() || !first(node)) return;
  if (node["value"] && node["source"]) {
    out.push_back({path, scalarText(node["value"]), scalarText(node["source"])});
    return;
  }
  for (const char* doc : {"source", "datasheet"}) {
    if (node[doc] && node[doc].IsScalar()) {
      out.push_back({path.empty() ? std::string("(part)") : path, doc, node[doc].Scalar()});
    }
  }
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (key == "source" || key == "datasheet") continue;
    collectSources(kv.second, path.empty() ? key : path + "." + key, out, first);
  }
}

void findParts(const YAML::Node& node, const fs::path& referrer, std::vector<PartSources>& out,
               FirstVisit& first) {
  if (!first(node)) return;  // an alias of a node already walked
  if (node.IsSequence()) {
    for (const auto& item : node) findParts(item, referrer, out, first);
    return;
  }
  if (!node.IsMap()) return;
  for (const auto& kv : node) {
    if (kv.first.Scalar() == "part" && kv.second.IsScalar()) {
      PartSources p;
      p.reference = kv.second.Scalar();
      for (const fs::path& base : {referrer.parent_path(), core::Config::dataRoot()}) {
        if (fs::exists(base / p.reference)) {
          p.file = base / p.reference;
          break;
        }
      }
      bool seen = false;
      for (const auto& q : out) seen = seen || (!p.file.empty() && q.file == p.file);
      if (seen) continue;
      if (!p.file.empty()) {
        try {
          const YAML::Node part = YAML::LoadFile(p.file.string());
          if (part["name"] && part["name"].IsScalar()) p.name = part["name"].Scalar();
          FirstVisit inPart, inPartForParts;  // one document each
          collectSources(part, "", p.values, inPart);
          out.push_back(p);
          findParts(part, p.file, out, inPartForParts);
          continue;
        } catch (const YAML::Exception&) {
          p.name = "(not valid YAML)";
        }
      }
      out.push_back(p);
    } else {
      findParts(kv.second, referrer, out, first);
    }
  }
}

std::string number(const json& v, const char* format = "{:.6g}") {
  if (v.is_number()) return fmt::format(fmt::runtime(format), v.get<double>());
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_null()) return "—";
  return escapeHtml(v.is_string() ? v.get<std::string>() : v.dump());
}

std::string row(const std::vector<std::string>& cells, const char* tag = "td") {
  std::string r = "<tr>";
  for (const auto& c : cells) r += fmt::format("<{0}>{1}</{0}>", tag, c);
  return r + "</tr>\n";
}

json readJson(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read", file.string()));
  return json::parse(in);
}

// A table of CSV_FILE whole, in a box that scrolls sideways (many columns make a wide table);
// with a SUMMARY, folded away under it (no script: <details>).
std::string csvTable(const fs::path& csvFile, const std::string& summary = "") {
  const CsvTable table = CsvTable::read(csvFile);
  std::string html = summary.empty()
                         ? std::string()
                         : fmt::format("<details><summary>{}</summary>\n", escapeHtml(summary));
  html += "<div class=\"wide\"><table>\n";
  std::vector<std::string> head;
  for (const auto& h : table.header) head.push_back(escapeHtml(h));
  html += row(head, "th");
  for (const auto& r : table.rows) {
    std::vector<std::string> cells;
    for (const auto& c : r) cells.push_back(escapeHtml(c));
    html += row(cells);
  }
  return html + "</table></div>\n" + (summary.empty() ? "" : "</details>\n");
}

std::string figures(const PlotSet& plots) {
  std::string html = "<h2>Figures</h2>\n";
  for (const auto& f : plots.figures) {
    html += fmt::format(
        "<figure><img alt=\"{0}\" src=\"data:image/svg+xml;base64,{1}\">"
        "<figcaption>{0} (<code>plots/{2}.svg</code>, <code>plots/{2}.png</code>)"
        "</figcaption></figure>\n",
        escapeHtml(f.title), base64(readFile(f.svg)), escapeHtml(f.name));
  }
  for (const auto& s : plots.skipped) {
    html += fmt::format("<p class=\"note\">Not drawn: {}</p>\n", escapeHtml(s));
  }
  return html;
}

std::string scenarioSection(const std::string& text, const fs::path& file) {
  std::string html = "<h2>Scenario</h2>\n";
  if (text.empty()) {
    return html + fmt::format(
                      "<p class=\"note\">The scenario file {} was not found from here; "
                      "its YAML is not shown.</p>\n",
                      escapeHtml(file.string()));
  }
  html += fmt::format(
      "<p><code>{}</code>, as written (without any <code>--set</code>):</p>\n"
      "<pre>{}</pre>\n",
      escapeHtml(file.string()), escapeHtml(text));
  std::vector<PartSources> parts;
  try {
    parts = partSources(text, file);
  } catch (const YAML::Exception& e) {
    return html + fmt::format("<p class=\"note\">Parts not listed: {}</p>\n", escapeHtml(e.what()));
  }
  html += "<h2>Sources of the hw parts used</h2>\n";
  if (parts.empty()) html += "<p>The scenario names no part file; its values are its own.</p>\n";
  for (const auto& p : parts) {
    html += fmt::format("<h3><code>{}</code>{}</h3>\n", escapeHtml(p.reference),
                        p.name.empty() ? "" : " — " + escapeHtml(p.name));
    if (p.file.empty()) {
      html += "<p class=\"note\">Not found.</p>\n";
      continue;
    }
    html += "<table>\n" + row({"key", "value", "source"}, "th");
    for (const auto& v : p.values) {
      html += row(
          {"<code>" + escapeHtml(v.key) + "</code>", escapeHtml(v.value), escapeHtml(v.source)});
    }
    html += "</table>\n";
  }
  return html;
}

// The scenario's text and file: FILE as recorded, relative to here or to the data root.
std::pair<std::string, fs::path> loadScenarioText(const fs::path& file) {
  for (const fs::path& candidate : {file, core::Config::dataRoot() / file}) {
    if (!file.empty() && fs::is_regular_file(candidate)) return {readFile(candidate), candidate};
  }
  return {"", file};
}

std::string num(double v, const char* format = "{:.6g}") {
  return fmt::format(fmt::runtime(format), v);
}

// The one-line answer: how long the node lasts (or that it does not need to), and the part
// that drains it most with its share of the consumption.
std::string verdict(const core::RunSummary& s) {
  std::string life;
  if (s.battery_life_days) {
    const double days = *s.battery_life_days;
    life = days >= 365.25
               ? fmt::format("The battery lasts {:.2f} years ({:.1f} days).", days / 365.25, days)
               : fmt::format("The battery lasts {:.2f} days.", days);
  } else if (s.energy_neutral) {
    life = fmt::format(
        "Energy neutral: the harvest covered the consumption over the {:.0f} days "
        "simulated, and the battery never emptied.",
        s.simulated_days);
  } else {
    life = fmt::format("The battery did not empty within the {:.0f} days simulated.",
                       s.simulated_days);
  }
  if (s.outages.count > 0 && s.daily.harvested_mAh > 0) {
    life += fmt::format(" The node went dark {} times ({:.2f} days in all).", s.outages.count,
                        s.outages.total_days);
  }
  const std::string* largest = nullptr;
  double largest_mAh = 0;
  for (const auto& [name, c] : s.components) {
    if (c.isLoad() && c.charge_per_day_mAh > largest_mAh) {
      largest = &name, largest_mAh = c.charge_per_day_mAh;
    }
  }
  if (largest && s.daily.consumed_mAh > 0) {
    life += fmt::format(
        " The largest drain is <code>{}</code>: {:.1f} % of the consumption "
        "({:.4g} of {:.4g} mAh/day).",
        escapeHtml(*largest), 100 * largest_mAh / s.daily.consumed_mAh, largest_mAh,
        s.daily.consumed_mAh);
  }
  return "<p class=\"verdict\">" + life + "</p>\n";
}

// Work the node was asked for but did not do (summary.json's `missed` and `outages`): job
// runs, motion events, inferences and reports that fell in an outage, and reports the duty
// cycle dropped. Shown when there are none too: that is an answer as well.
std::string missedSection(const core::RunSummary& s) {
  const auto& m = s.missed;
  const auto& o = s.outages;
  std::string html = "<h2>Missed work</h2>\n";
  if (o.count == 0 &&
      m.job_runs + m.motion_events + m.inferences + m.reports + m.reports_dropped_duty_cycle == 0) {
    return html +
           "<p>None: the node never browned out, and no report was dropped by the duty "
           "cycle.</p>\n";
  }
  const auto count = [](std::uint64_t n) { return fmt::format("{}", n); };
  html += "<table>\n";
  html += row({"outages", fmt::format("{} ({:.3f} days in all, the longest {:.3f} days)", o.count,
                                      o.total_days, o.longest_days)});
  html += row({"job runs", count(m.job_runs)});
  html += row({"motion events", count(m.motion_events)});
  html += row({"inferences", count(m.inferences)});
  html += row({"reports", count(m.reports)});
  html += row({"reports dropped by the duty cycle", count(m.reports_dropped_duty_cycle)});
  return html + "</table>\n";
}

std::string inferenceSection(const core::RunSummary& s) {
  if (s.inference.empty()) return "";
  std::string html = "<h2>Inference</h2>\n<table>\n" +
                     row({"model", "backend", "cycles", "latency (ms)", "energy (µJ)", "MACs",
                          "SRAM peak (B)", "flash (B)", "int8 accuracy", "basis"},
                         "th");
  for (const auto& i : s.inference) {
    const std::string accuracy =
        i.accuracy_int8
            ? fmt::format("{:.2f} % ({} samples)", *i.accuracy_int8 * 100, i.accuracy_samples)
            : std::string("not measured");
    html += row({escapeHtml(i.model), escapeHtml(i.backend), num(i.cycles, "{:.0f}"),
                 num(i.latency_s * 1e3, "{:.3f}"), num(i.energy_per_inference_J * 1e6, "{:.1f}"),
                 num(static_cast<double>(i.macs), "{:.0f}"),
                 num(static_cast<double>(i.sram_peak_bytes), "{:.0f}"),
                 num(static_cast<double>(i.flash_bytes), "{:.0f}"), accuracy, escapeHtml(i.basis)});
  }
  return html + "</table>\n";
}

std::string radioSection(const core::RunSummary& s) {
  std::string html;
  for (const auto& [name, r] : s.radios) {
    html += fmt::format("<h2>Radio <code>{}</code> ({}, {})</h2>\n<table>\n", escapeHtml(name),
                        escapeHtml(r.protocol), escapeHtml(r.part));
    html += row({"reports submitted", num(double(r.reports_submitted), "{:.0f}")});
    html += row({"messages sent", num(double(r.messages_sent), "{:.0f}")});
    html += row({"dropped by the duty cycle", num(double(r.dropped_duty_cycle), "{:.0f}")});
    html += row({"unacknowledged", num(double(r.unacknowledged), "{:.0f}")});
    html += row({"transmissions (retries)", fmt::format("{} ({})", r.transmissions, r.retries)});
    html += row({"airtime", num(r.airtime_s, "{:.3f} s")});
    if (const auto& l = r.lorawan) {
      html += row(
          {"modulation", fmt::format("SF{}, {:g} kHz, {}, {:g} dBm ({} mA)", l->spreading_factor,
                                     l->bandwidth_kHz, escapeHtml(l->data_rate), l->tx_power_dBm,
                                     num(l->tx_current_mA))});
      html += row({"joins", num(double(l->joins), "{:.0f}")});
      html += row({"duty-cycle waits",
                   fmt::format("{} ({:.1f} s in all)", l->duty_cycle_waits, l->duty_cycle_wait_s)});
    }
    if (const auto& m = r.mqtt) {
      html += row({"policy", escapeHtml(m->policy)});
      html += row({"QoS, TLS", fmt::format("{}, {}", m->qos, m->tls ? "yes" : "no")});
      html += row({"connections", num(double(m->connections), "{:.0f}")});
    }
    double charge_mAh = 0;
    for (const auto& [state, q] : r.charge_mAh_by_state) charge_mAh += q;
    if (r.messages_sent > 0) {
      html += row({"charge per message sent",
                   num(charge_mAh * 3.6e6 / double(r.messages_sent), "{:.1f} µC")});
    }
    html += "</table>\n";
  }
  return html;
}

std::string runBody(const fs::path& dir, const PlotSet& plots) {
  const core::RunSummary s = core::readRunSummary(dir / "summary.json");
  const auto& d = s.daily;
  std::string html = fmt::format("<h1>{}</h1>\n", escapeHtml(s.scenario));
  html += verdict(s);
  html += "<h2>Summary</h2>\n<table>\n";
  html += row({"battery life", s.battery_life_days
                                   ? fmt::format("{:.4f} days ({:.3f} years)", *s.battery_life_days,
                                                 *s.battery_life_days / 365.25)
                                   : std::string("the battery never emptied within the horizon")});
  html += row({"energy neutral", s.energy_neutral ? "yes" : "no"});
  html += row({"consumed", num(d.consumed_mAh, "{:.3f} mAh/day")});
  html += row({"harvested", num(d.harvested_mAh, "{:.3f} mAh/day")});
  html += row({"net", num(d.net_mAh, "{:+.3f} mAh/day")});
  html += row({"wasted (offered, not stored)", num(d.wasted_mAh, "{:.3f} mAh/day")});
  html += row({"daily figures are", escapeHtml(d.basis)});
  html += row({"start (UTC)", escapeHtml(s.start_utc)});
  html += row({"simulated / horizon",
               num(s.simulated_days, "{:.4f} days") + " / " + num(s.horizon_days, "{:g} days")});
  html += row({"basis", escapeHtml(s.basis)});
  html += "</table>\n";
  html += figures(plots);

  html += "<h2>Where the charge goes</h2>\n<table>\n" +
          row({"part", "flow", "state", "current (mA)", "time (%)", "charge (mAh/day)",
               "charge over the run (mAh)", "energy over the run (J)"},
              "th");
  for (const auto& [name, c] : s.components) {
    for (const auto& [state, v] : c.states) {
      html += row({escapeHtml(name), escapeHtml(c.flow), escapeHtml(state), num(v.current_mA),
                   num(v.time_fraction * 100, "{:.3f}"), num(v.charge_per_day_mAh, "{:.4f}"),
                   num(v.charge_mAh, "{:.4f}"), num(v.energy_J, "{:.4f}")});
    }
    html += row({"<b>" + escapeHtml(name) + "</b>", "", "<b>total</b>", "", "",
                 "<b>" + num(c.charge_per_day_mAh, "{:.4f}") + "</b>",
                 "<b>" + num(c.charge_mAh, "{:.4f}") + "</b>",
                 "<b>" + num(c.energy_J, "{:.4f}") + "</b>"});
  }
  html += "</table>\n";
  html += inferenceSection(s);
  html += radioSection(s);
  html += missedSection(s);
  html += "<h2>Battery</h2>\n<table>\n";
  const nlohmann::json battery = s.battery;
  for (const auto& [k, v] : battery.items()) html += row({escapeHtml(k), number(v)});
  html += "</table>\n";
  if (!s.jobs.empty()) {
    html += "<h2>Jobs</h2>\n<table>\n" + row({"job", "triggers", "runs", "merged"}, "th");
    for (const auto& [k, v] : s.jobs) {
      html += row({escapeHtml(k), num(double(v.triggers), "{:.0f}"), num(double(v.runs), "{:.0f}"),
                   num(double(v.merged), "{:.0f}")});
    }
    html += "</table>\n";
  }
  const auto [text, file] = loadScenarioText(s.scenario_file);
  return html + scenarioSection(text, file);
}

std::string sweepBody(const fs::path& dir, const PlotSet& plots) {
  std::ifstream in(dir / "sweep.json");
  const json m = json::parse(in);
  const CsvTable table = CsvTable::read(dir / "sweep.csv");
  std::string html = fmt::format("<h1>Sweep of {}</h1>\n",
                                 escapeHtml(m.value("scenario_name", std::string("a scenario"))));
  html += "<h2>Swept values</h2>\n<table>\n" + row({"key", "values"}, "th");
  for (const auto& set : m.at("sets")) {
    std::string values;
    for (const auto& v : set.at("values")) {
      values += (values.empty() ? "" : ", ") + escapeHtml(v.get<std::string>());
    }
    html += row({"<code>" + escapeHtml(set.at("key").get<std::string>()) + "</code>", values});
  }
  html += "</table>\n";
  html += fmt::format("<p>{} points, {} (each point's results in <code>points/</code>).</p>\n",
                      table.rows.size(),
                      m.value("zip", false) ? "the lists zipped" : "every combination");
  html += figures(plots);
  html += "<h2>Points</h2>\n" + csvTable(dir / "sweep.csv");
  const std::string text = m.value("scenario_text", std::string());
  return html + scenarioSection(text, m.value("scenario", std::string()));
}

// The outputs a reader looks at first, then every other numeric output in mc.csv's order.
std::vector<std::string> mcOutputOrder(const json& outputs) {
  std::vector<std::string> order;
  for (const char* name :
       {"battery_life_days", "projected_life_days", "daily.net_mAh", "daily.consumed_mAh",
        "daily.harvested_mAh", "december.mean_net_mAh", "december.worst_day_net_mAh"}) {
    if (outputs.contains(name)) order.emplace_back(name);
  }
  for (const auto& [name, o] : outputs.items()) {
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
  }
  return order;
}

// The answer to "how long will it last with 90 % confidence": the life that 90 % of the
// samples exceed (P10), with its interval, and the median.
std::string mcVerdict(const json& summary) {
  const json& outputs = summary.at("outputs");
  const char* name = nullptr;
  for (const char* c : {"battery_life_days", "projected_life_days"}) {
    if (!name && outputs.contains(c) && outputs[c].value("observed", 0) > 0) name = c;
  }
  if (!name) {
    return "<p class=\"verdict\">No sample's battery emptied within the run, nor would any at "
           "its run's mean balance.</p>\n";
  }
  const json& o = outputs[name];
  const json& p10 = o["percentiles"]["p10"];
  const json& p50 = o["percentiles"]["p50"];
  const std::string what = std::string(name) == "battery_life_days"
                               ? "battery life"
                               : "projected battery life (no battery emptied within the run)";
  return fmt::format(
      "<p class=\"verdict\">Of {} samples, at least 90 % have a {} of P10 = {} days or more "
      "(the {:g} % confidence interval of P10: [{}, {}]); the median is {} days.</p>\n",
      o["n"].get<std::size_t>(), what, percentileText(name, o, p10, "value"),
      100 * summary.value("confidence_level", 0.95), percentileText(name, o, p10, "ci_lower"),
      percentileText(name, o, p10, "ci_upper"), percentileText(name, o, p50, "value"));
}

std::string mcBody(const fs::path& dir, const PlotSet& plots) {
  const json m = readJson(dir / "mc.json");
  const json s = readJson(dir / "mc_summary.json");
  std::string html = fmt::format("<h1>Monte Carlo of {}</h1>\n",
                                 escapeHtml(m.value("scenario_name", std::string("a scenario"))));
  html += mcVerdict(s);
  html += "<h2>Uncertain inputs</h2>\n<table>\n" + row({"key", "drawn from"}, "th");
  for (const auto& v : m.at("vary")) {
    const std::string text = v.get<std::string>();
    const auto eq = text.find('=');
    html += row({"<code>" + escapeHtml(text.substr(0, eq)) + "</code>",
                 escapeHtml(eq == std::string::npos ? text : text.substr(eq + 1))});
  }
  for (const auto& k : s.value("seed_keys", json::array())) {
    html +=
        row({"<code>" + escapeHtml(k.get<std::string>()) + "</code>", "a random seed per sample"});
  }
  for (const auto& f : m.value("set", json::array())) {
    html += row({"<code>" + escapeHtml(f.get<std::string>()) + "</code>", "fixed (--set)"});
  }
  html += "</table>\n";
  html += fmt::format("<p>{} samples, <code>--seed {}</code>{}: {}.</p>\n",
                      s.at("samples").get<std::size_t>(), s.value("seed", 0),
                      s.value("latin_hypercube", false) ? ", Latin hypercube" : "",
                      escapeHtml(s.value("sampling", std::string())));

  const double level = 100 * s.value("confidence_level", 0.95);
  html += fmt::format(
      "<h2>Percentiles</h2>\n<p>Each cell: the percentile, and below it its {:g} % "
      "confidence interval. <code>&gt;run</code>: among the censored samples (beyond the "
      "run); <code>n/a</code>: too few samples for that bound.</p>\n<div class=\"wide\">"
      "<table>\n",
      level);
  html += row({"output", "n", "censored", "mean", "sd", "P5", "P10", "P50", "P90", "P95"}, "th");
  const json& outputs = s.at("outputs");
  for (const auto& name : mcOutputOrder(outputs)) {
    const json& o = outputs[name];
    std::vector<std::string> cells = {
        "<code>" + escapeHtml(name) + "</code>", number(o.at("n")),
        o.contains("censored") ? number(o["censored"]) : std::string(""), number(o.at("mean")),
        number(o.at("sd"), "{:.4g}")};
    for (const char* p : {"p5", "p10", "p50", "p90", "p95"}) {
      const json& q = o.at("percentiles").at(p);
      cells.push_back(fmt::format("{}<br><small>[{}, {}]</small>",
                                  escapeHtml(percentileText(name, o, q, "value")),
                                  escapeHtml(percentileText(name, o, q, "ci_lower")),
                                  escapeHtml(percentileText(name, o, q, "ci_upper"))));
    }
    html += row(cells);
  }
  html += "</table></div>\n";
  if (outputs.contains("accuracy")) {
    html +=
        "<p><code>accuracy</code>: the int8 top-1 accuracy of the node's (first) network as a "
        "fraction (0.974 is 97.4 %), as in every file edgejoule writes.</p>\n";
  }
  html += "<p class=\"note\">" + escapeHtml(s.value("percentile_method", std::string())) + ".";
  for (const char* c : {"battery_life_days", "projected_life_days"}) {
    if (outputs.contains(c) && outputs[c].contains("censoring")) {
      html += fmt::format(" <code>{}</code>: {}.", c,
                          escapeHtml(outputs[c]["censoring"].get<std::string>()));
    }
  }
  html += "</p>\n";
  html += figures(plots);
  html += "<h2>Samples</h2>\n" +
          csvTable(dir / "mc.csv", fmt::format("All {} samples (mc.csv): the drawn inputs, then "
                                               "the outputs",
                                               s.at("samples").get<std::size_t>()));
  return html + scenarioSection(m.value("scenario_text", std::string()),
                                m.value("scenario", std::string()));
}

std::string sensitivityBody(const fs::path& dir, const PlotSet& plots) {
  const json m = readJson(dir / "sensitivity_points.json");
  const json r = readJson(dir / "sensitivity.json");
  const json& base = r.at("baseline");
  const json& factors = r.at("factors");
  std::string html = fmt::format("<h1>Sensitivity of {}</h1>\n",
                                 escapeHtml(m.value("scenario_name", std::string("a scenario"))));
  auto pct = [](const json& v) {
    return v.is_number() ? fmt::format("{:+.1f} %", v.get<double>()) : std::string("—");
  };
  if (!factors.empty()) {
    const json& f = factors[0];
    html += fmt::format(
        "<p class=\"verdict\">Battery life moves most with <code>{}</code>: {} at {}, {} at {} "
        "(the other factors at the baseline).</p>\n",
        escapeHtml(f["key"].get<std::string>()), pct(f["life_low_pct"]),
        escapeHtml(f["low"].get<std::string>()), pct(f["life_high_pct"]),
        escapeHtml(f["high"].get<std::string>()));
  }
  html += "<h2>Baseline</h2>\n<table>\n";
  html +=
      row({"battery life", base["life_days"].is_number()
                               ? fmt::format("{:.6g} days ({})", base["life_days"].get<double>(),
                                             escapeHtml(base["life_basis"].get<std::string>()))
                               : std::string("never empties")});
  html += row({"daily net", fmt::format("{:+.4g} mAh/day", base["net_mAh"].get<double>())});
  for (const auto& f : m.value("set", json::array())) {
    html += row({"fixed (--set)", "<code>" + escapeHtml(f.get<std::string>()) + "</code>"});
  }
  html += "</table>\n<p class=\"note\">" + escapeHtml(r.value("life", std::string())) + ".</p>\n";

  html += "<h2>One at a time, ranked by the larger change of life</h2>\n<table>\n" +
          row({"rank", "factor", "low", "high", "life at low (days)", "life at high (days)",
               "life at low", "life at high", "net at low (mAh/day)", "net at high (mAh/day)"},
              "th");
  for (const auto& f : factors) {
    html += row({number(f["rank"]), "<code>" + escapeHtml(f["key"].get<std::string>()) + "</code>",
                 escapeHtml(f["low"].get<std::string>()), escapeHtml(f["high"].get<std::string>()),
                 number(f["life_low_days"]), number(f["life_high_days"]), pct(f["life_low_pct"]),
                 pct(f["life_high_pct"]), number(f["net_low_mAh"], "{:+.4g}"),
                 number(f["net_high_mAh"], "{:+.4g}")});
  }
  html += "</table>\n";
  if (r.contains("morris")) {
    const json& mo = r["morris"];
    html += fmt::format(
        "<h2>Morris screening, ranked by mu* of life</h2>\n<p>{} trajectories, {} levels, "
        "delta {:.3g}; {}; {}.</p>\n<table>\n",
        mo["trajectories"].get<std::size_t>(), mo["levels"].get<int>(), mo["delta"].get<double>(),
        escapeHtml(mo["method"].get<std::string>()), escapeHtml(mo["units"].get<std::string>()));
    html += row({"rank", "factor", "life mu* (days)", "life mu (days)", "life sigma (days)",
                 "effects", "net mu* (mAh/day)", "net sigma (mAh/day)"},
                "th");
    for (const auto& f : mo["factors"]) {
      html +=
          row({number(f["rank"]), "<code>" + escapeHtml(f["key"].get<std::string>()) + "</code>",
               number(f["life_mu_star"]), number(f["life_mu"]), number(f["life_sigma"]),
               number(f["life_effects"]), number(f["net_mu_star"]), number(f["net_sigma"])});
    }
    html += "</table>\n";
  }
  html += figures(plots);
  return html + scenarioSection(m.value("scenario_text", std::string()),
                                m.value("scenario", std::string()));
}

constexpr const char* kStyle = R"(body{font-family:sans-serif;max-width:1150px;margin:1em auto;
padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left;font-size:.9em}
th{background:#f0f0f0}figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.9em;color:#555}pre{background:#f7f7f7;padding:.8em;overflow:auto}
.note{color:#8a5a00}.verdict{font-size:1.15em;background:#eef5ee;border-left:4px solid #2ca02c;
padding:.5em .8em}.wide{overflow-x:auto;max-width:100%})";

}  // namespace

std::vector<PartSources> partSources(const std::string& scenarioText, const fs::path& file) {
  std::vector<PartSources> parts;
  FirstVisit first;
  findParts(YAML::Load(scenarioText), file, parts, first);
  return parts;
}

fs::path writeHtmlReport(const fs::path& dir, const PlotSet& plots, const fs::path& shownAs) {
  const fs::path shown = shownAs.empty() ? dir : shownAs;
  const std::string body = fs::exists(dir / "mc_summary.json")    ? mcBody(dir, plots)
                           : fs::exists(dir / "sensitivity.json") ? sensitivityBody(dir, plots)
                           : fs::exists(dir / "sweep.csv")        ? sweepBody(dir, plots)
                                                                  : runBody(dir, plots);
  const std::string page = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>edgejoule report: {}</title>\n<style>{}</style>\n</head>\n<body>\n{}"
      "<p class=\"note\">Written by edgejoule from <code>{}</code>.</p>\n</body>\n</html>\n",
      escapeHtml(shown.filename().string()), kStyle, body, escapeHtml(shown.string()));
  const fs::path file = dir / "report.html";
  core::writeFileAtomically(file, page);
  return file;
}

}  // namespace ej::report
