// The malformed-model corpus (tests/nn/malformed_corpus.h): no crash, every malformed model
// refused with an error naming its node, tensor or input, every genuinely valid one accepted.
// Run standalone (e.g. in the asan build) with nn_malformed_corpus.
#include <gtest/gtest.h>

#include "tests/nn/malformed_corpus.h"

namespace ej::nn::testing {
namespace {

TEST(MalformedModelTest, EveryMalformedModelIsRefusedNamingItsCulprit) {
  const auto corpus = malformedCorpus();
  // The probe used 387 models; the corpus is meant to be larger.
  ASSERT_GE(corpus.size(), 400u);
  const CorpusResult r = runCorpus(corpus);
  std::string failures;
  for (const auto& f : r.failures) failures += f + "\n";
  EXPECT_EQ(r.silentAcceptances, 0) << failures;
  EXPECT_EQ(r.refusedUnnamed, 0) << failures;
  EXPECT_EQ(r.validRefused, 0) << failures;
  EXPECT_EQ(r.models, r.refused + r.validAccepted) << failures;
  // The unchanged bases and the explicit-default controls.
  EXPECT_GE(r.validAccepted, 4);
}

}  // namespace
}  // namespace ej::nn::testing
