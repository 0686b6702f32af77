// report.html: plain HTML and CSS, no script, every figure inline, so the page opens
// anywhere (mail, an archive) without its folder.
#include "sim/report/html_report.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "sim/core/config.h"
#include "sim/report/plot_data.h"

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
void collectSources(const YAML::Node& node, const std::string& path, std::vector<PartSource>& out) {
  if (!node.IsMap()) return;
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
    collectSources(kv.second, path.empty() ? key : path + "." + key, out);
  }
}

void findParts(const YAML::Node& node, const fs::path& referrer, std::vector<PartSources>& out) {
  if (node.IsSequence()) {
    for (const auto& item : node) findParts(item, referrer, out);
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
          collectSources(part, "", p.values);
          out.push_back(p);
          findParts(part, p.file, out);
          continue;
        } catch (const YAML::Exception&) {
          p.name = "(not valid YAML)";
        }
      }
      out.push_back(p);
    } else {
      findParts(kv.second, referrer, out);
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

std::string runBody(const fs::path& dir, const PlotSet& plots) {
  std::ifstream in(dir / "summary.json");
  const json s = json::parse(in);
  const json& d = s.at("daily");
  std::string html = fmt::format("<h1>{}</h1>\n", escapeHtml(s.value("scenario", "run")));
  html += "<h2>Summary</h2>\n<table>\n";
  html += row({"battery life", s["battery_life_days"].is_null()
                                   ? std::string("the battery never emptied within the horizon")
                                   : number(s["battery_life_days"], "{:.4f} days")});
  html += row({"energy neutral", number(s.value("energy_neutral", json(nullptr)))});
  html += row({"consumed", number(d.value("consumed_mAh", json(nullptr)), "{:.3f} mAh/day")});
  html += row({"harvested", number(d.value("harvested_mAh", json(nullptr)), "{:.3f} mAh/day")});
  html += row({"net", number(d.value("net_mAh", json(nullptr)), "{:+.3f} mAh/day")});
  html += row({"wasted (offered, not stored)",
               number(d.value("wasted_mAh", json(nullptr)), "{:.3f} mAh/day")});
  html += row({"daily figures are", number(d.value("basis", json(nullptr)))});
  html += row({"start (UTC)", number(s.value("start_utc", json(nullptr)))});
  html += row({"simulated / horizon",
               number(s.value("simulated_days", json(nullptr)), "{:.4f} days") + " / " +
                   number(s.value("horizon_days", json(nullptr)), "{:g} days")});
  html += row({"basis", number(s.value("basis", json(nullptr)))});
  html += "</table>\n";
  html += figures(plots);

  html += "<h2>Where the charge goes</h2>\n<table>\n" +
          row({"part", "flow", "state", "current (mA)", "time (%)", "charge (mAh/day)",
               "charge over the run (mAh)", "energy over the run (J)"},
              "th");
  for (const auto& [name, c] : s.at("components").items()) {
    for (const auto& [state, v] : c.at("states").items()) {
      html += row({escapeHtml(name), number(c.value("flow", json(nullptr))), escapeHtml(state),
                   number(v.value("current_mA", json(nullptr)), "{:.6g}"),
                   number(json(v.value("time_fraction", 0.0) * 100), "{:.3f}"),
                   number(v.value("charge_per_day_mAh", json(nullptr)), "{:.4f}"),
                   number(v.value("charge_mAh", json(nullptr)), "{:.4f}"),
                   number(v.value("energy_J", json(nullptr)), "{:.4f}")});
    }
    html += row({"<b>" + escapeHtml(name) + "</b>", "", "<b>total</b>", "", "",
                 "<b>" + number(c.value("charge_per_day_mAh", json(nullptr)), "{:.4f}") + "</b>",
                 "<b>" + number(c.value("charge_mAh", json(nullptr)), "{:.4f}") + "</b>",
                 "<b>" + number(c.value("energy_J", json(nullptr)), "{:.4f}") + "</b>"});
  }
  html += "</table>\n";
  if (s.contains("battery")) {
    html += "<h2>Battery</h2>\n<table>\n";
    for (const auto& [k, v] : s["battery"].items()) html += row({escapeHtml(k), number(v)});
    html += "</table>\n";
  }
  if (s.contains("jobs") && !s["jobs"].empty()) {
    html += "<h2>Jobs</h2>\n<table>\n" + row({"job", "triggers", "runs", "merged"}, "th");
    for (const auto& [k, v] : s["jobs"].items()) {
      html += row({escapeHtml(k), number(v.value("triggers", json(nullptr)), "{:.0f}"),
                   number(v.value("runs", json(nullptr)), "{:.0f}"),
                   number(v.value("merged", json(nullptr)), "{:.0f}")});
    }
    html += "</table>\n";
  }
  const auto [text, file] = loadScenarioText(s.value("scenario_file", std::string()));
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
  html += "<h2>Points</h2>\n<table>\n";
  std::vector<std::string> head;
  for (const auto& h : table.header) head.push_back(escapeHtml(h));
  html += row(head, "th");
  for (const auto& r : table.rows) {
    std::vector<std::string> cells;
    for (const auto& c : r) cells.push_back(escapeHtml(c));
    html += row(cells);
  }
  html += "</table>\n";
  const std::string text = m.value("scenario_text", std::string());
  return html + scenarioSection(text, m.value("scenario", std::string()));
}

constexpr const char* kStyle = R"(body{font-family:sans-serif;max-width:1150px;margin:1em auto;
padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left;font-size:.9em}
th{background:#f0f0f0}figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.9em;color:#555}pre{background:#f7f7f7;padding:.8em;overflow:auto}
.note{color:#8a5a00})";

}  // namespace

std::vector<PartSources> partSources(const std::string& scenarioText, const fs::path& file) {
  std::vector<PartSources> parts;
  findParts(YAML::Load(scenarioText), file, parts);
  return parts;
}

fs::path writeHtmlReport(const fs::path& dir, const PlotSet& plots, const fs::path& shownAs) {
  const fs::path shown = shownAs.empty() ? dir : shownAs;
  const bool sweep = fs::exists(dir / "sweep.csv");
  const std::string body = sweep ? sweepBody(dir, plots) : runBody(dir, plots);
  const std::string page = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>edgejoule report: {}</title>\n<style>{}</style>\n</head>\n<body>\n{}"
      "<p class=\"note\">Written by edgejoule from <code>{}</code>.</p>\n</body>\n</html>\n",
      escapeHtml(shown.filename().string()), kStyle, body, escapeHtml(shown.string()));
  const fs::path file = dir / "report.html";
  writeFileAtomically(file, page);
  return file;
}

}  // namespace ej::report
