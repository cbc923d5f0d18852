#include "wirewatch/common/units.hpp"

#include <gtest/gtest.h>

using namespace wirewatch;
using namespace std::chrono_literals;

TEST(Units, DurationsCarryTheirUnit) {
  EXPECT_EQ(parse_duration("30s"), std::chrono::milliseconds(30s));
  EXPECT_EQ(parse_duration("5m"), std::chrono::milliseconds(5min));
  EXPECT_EQ(parse_duration("6h"), std::chrono::milliseconds(6h));
  EXPECT_EQ(parse_duration("30d"), std::chrono::milliseconds(30 * 24h));
  EXPECT_EQ(parse_duration("250ms"), 250ms);
}

TEST(Units, DurationWithoutUnitOrWithJunkIsRejected) {
  EXPECT_FALSE(parse_duration("30"));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration("-5s"));
  EXPECT_FALSE(parse_duration("5 weeks"));
  EXPECT_FALSE(parse_duration("99999999999999999999d"));
}

TEST(Units, Sizes) {
  EXPECT_EQ(parse_size("100B"), 100u);
  EXPECT_EQ(parse_size("10MiB"), 10u * 1024 * 1024);
  EXPECT_EQ(parse_size("1GiB"), 1024u * 1024 * 1024);
  EXPECT_EQ(parse_size("64KiB"), 64u * 1024);
  EXPECT_EQ(parse_size("2MB"), 2'000'000u);
  EXPECT_FALSE(parse_size("10"));
  EXPECT_FALSE(parse_size("10mb"));
}
