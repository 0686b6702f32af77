#include <gtest/gtest.h>

#include <vector>

#include "sim/device/recorder.h"

namespace ej::device {
namespace {

TimeseriesRow rowNumber(std::size_t i) {
  const double x = static_cast<double>(i);
  return {x * 3600, 1 - x * 1e-6, 2000 - x * 1e-3, 3.7, 0.005 + x * 1e-9, x * 1e-4};
}

TEST(TimeseriesStoreTest, ARunOfManyChunksReadsBackInOrderWithTwoChunksInMemory) {
  TimeseriesStore store;
  const std::size_t n = 5 * TimeseriesStore::kChunkRows + 17;
  for (std::size_t i = 0; i < n; ++i) {
    store.push(rowNumber(i));
    ASSERT_LE(store.rowsInMemory(), 2 * TimeseriesStore::kChunkRows) << "after row " << i;
  }
  ASSERT_EQ(store.size(), n);
  EXPECT_EQ(store.back().time_s, rowNumber(n - 1).time_s);
  // Spilled rows come back byte for byte: exact equality of every field.
  std::size_t i = 0;
  store.forEach([&](const TimeseriesRow& r) {
    const TimeseriesRow want = rowNumber(i++);
    EXPECT_EQ(r.time_s, want.time_s);
    EXPECT_EQ(r.state_of_charge, want.state_of_charge);
    EXPECT_EQ(r.remaining_mAh, want.remaining_mAh);
    EXPECT_EQ(r.voltage_V, want.voltage_V);
    EXPECT_EQ(r.load_mA, want.load_mA);
    EXPECT_EQ(r.harvest_mA, want.harvest_mA);
  });
  EXPECT_EQ(i, n);
}

TEST(TimeseriesStoreTest, AYearOfHourlyRowsKeepsTwoChunksInMemory) {
  TimeseriesStore store;
  const std::size_t n = 8761;  // 365 days of hours, and the last instant
  for (std::size_t i = 0; i < n; ++i) store.push(rowNumber(i));
  // 8,761 = 8 x 1,024 + 569: seven chunks spilled, the eighth and the partial ninth held.
  static_assert(TimeseriesStore::kChunkRows == 1024);
  EXPECT_EQ(store.rowsInMemory(), 1024u + 569u);
  EXPECT_EQ(store.size(), n);
  std::size_t seen = 0;
  store.forEach([&](const TimeseriesRow& r) { EXPECT_EQ(r.time_s, rowNumber(seen++).time_s); });
  EXPECT_EQ(seen, n);
}

TEST(TimeseriesStoreTest, CopiesShareTheSpilledRows) {
  TimeseriesStore store;
  const std::size_t n = 3 * TimeseriesStore::kChunkRows + 1;
  for (std::size_t i = 0; i < n; ++i) store.push(rowNumber(i));
  const TimeseriesStore copy = store;
  // The original goes on and spills more rows to the file the copy shares: the copy still
  // reads back its own N rows, and the original all of its rows.
  const std::size_t more = 2 * TimeseriesStore::kChunkRows;
  for (std::size_t i = n; i < n + more; ++i) store.push(rowNumber(i));
  std::size_t seen = 0;
  copy.forEach([&](const TimeseriesRow& r) { EXPECT_EQ(r.time_s, rowNumber(seen++).time_s); });
  EXPECT_EQ(seen, n);
  seen = 0;
  store.forEach([&](const TimeseriesRow& r) { EXPECT_EQ(r.time_s, rowNumber(seen++).time_s); });
  EXPECT_EQ(seen, n + more);
}

}  // namespace
}  // namespace ej::device
