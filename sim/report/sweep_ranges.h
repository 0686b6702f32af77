// Ranges in a sweep's --set lists: `a:b:step`, `linspace(a, b, n)` and `logspace(a, b, n)`,
// with units (`10 uA:30 uA:5 uA`, `linspace(7.5 uA, 30 uA, 4)`).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ej::report {

// The values of TEXT when it is a range, as --set text in the unit of its first bound;
// nullopt when it is a plain value (`80 mA`, `models/a.onnx`, `08:00`). Throws
// std::invalid_argument (one line, without the key) for a malformed range: a zero or
// wrong-signed step, n < 2, units of different dimensions, logspace bounds not positive,
// more than 100,000 values.
//  - a:b:step  from a to b inclusive (b when it is reached within 1e-9 of a step);
//  - linspace(a, b, n)  n values evenly spaced, a and b included (numpy.linspace);
//  - logspace(a, b, n)  n values evenly spaced in log, from a to b included (the values
//    themselves, as numpy.geomspace; not numpy.logspace's exponents).
std::optional<std::vector<std::string>> expandRange(const std::string& text);

}  // namespace ej::report
