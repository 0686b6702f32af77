// A corpus of malformed ONNX models, generated from well-formed ones by mutation: every
// window attribute at 0, negative and huge (and of the wrong length), every tensor's data
// short and long, its dims zero, negative, huge or inconsistent, its type changed, non-finite
// values, the input's dims and the Reshape targets broken, quantisation parameters invalid,
// nodes unwired. Each case says whether it is genuinely valid (a few controls are) and which
// name (node, tensor or input) the refusal must mention.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace ej::nn::testing {

struct MalformedCase {
  std::string label;  // "lenet5-s-13x.onnx: node conv1: strides[0] = 0"
  onnx::ModelProto model;
  bool valid = false;   // genuinely valid: must be accepted
  std::string culprit;  // must appear in the refusal
};

// The cases generated from BASE (named NAME in labels).
std::vector<MalformedCase> malformedCases(const onnx::ModelProto& base, const std::string& name);

// The whole corpus: the shipped models/*.onnx (float and int8) and the test fixtures.
std::vector<MalformedCase> malformedCorpus();

struct CorpusResult {
  int models = 0;
  int refused = 0;                    // refused, naming the culprit
  int refusedUnnamed = 0;             // refused, but the message does not name the culprit
  int validAccepted = 0;              // genuinely valid and accepted
  int validRefused = 0;               // genuinely valid but refused
  int silentAcceptances = 0;          // malformed, yet accepted
  std::vector<std::string> failures;  // one line per case of the last three kinds
};

// Imports every case (from a file, as the program does), runs the float reference on any
// model it accepts, and tallies the outcomes. A crash is the process dying here.
CorpusResult runCorpus(const std::vector<MalformedCase>& corpus);

}  // namespace ej::nn::testing
