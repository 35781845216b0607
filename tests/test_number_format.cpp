// Numbers as the terminal and the report print them (include/chokepoint/number_format.hpp).
#include <gtest/gtest.h>

#include <cmath>

#include "chokepoint/number_format.hpp"

namespace chokepoint {
namespace {

TEST(SiNumber, ThreeSignificantDigitsWithAPrefix) {
  EXPECT_EQ(si_number(25.1e6), "25.1 M");
  EXPECT_EQ(si_number(312e3), "312 k");
  EXPECT_EQ(si_number(999.4), "999");
  EXPECT_EQ(si_number(999.6), "1.00 k");
  EXPECT_EQ(si_number(0.42), "0.42");
  EXPECT_EQ(si_number(-2.18e-11), "0");
  EXPECT_EQ(si_number(0.0), "0");
  EXPECT_EQ(si_number(std::nan("")), "n/a");
}

TEST(QuantityText, ReadsInTheUsersUnits) {
  EXPECT_EQ(quantity_text(25.1e6, "units"), "25.1 M units");
  EXPECT_EQ(quantity_text(61200, "MW"), "61.2 GW");
  EXPECT_EQ(quantity_text(312e9, "USD"), "$312 B");
  EXPECT_EQ(quantity_text(-12e9, "USD"), "−$12.0 B");
  EXPECT_EQ(quantity_text(500, "W"), "500 W");
  EXPECT_EQ(quantity_text(157e15, "tokens"), "157 P tokens");
  EXPECT_EQ(quantity_text(0.0, "units"), "0 units");
  EXPECT_EQ(quantity_text(42.0, ""), "42.0");
}

TEST(QuantityRangeText, SharesThePrefixOfTheUpperEnd) {
  EXPECT_EQ(quantity_range_text(1.19e6, 5.25e6, "units"), "1.19–5.25 M units");
  EXPECT_EQ(quantity_range_text(875e3, 8.72e6, "units"), "0.88–8.72 M units");
  EXPECT_EQ(quantity_range_text(225e9, 425e9, "USD"), "$225–425 B");
  EXPECT_EQ(quantity_range_text(41000, 80300, "MW"), "41.0–80.3 GW");
  EXPECT_EQ(quantity_range_text(0.0, 130e6, "units"), "0–130 M units");
}

TEST(QuantityRangeText, AFarLowerEndKeepsItsOwnPrefix) {
  EXPECT_EQ(quantity_range_text(2.26e18, 4.53e21, "tokens"), "2.26 E–4.53 Z tokens");
  EXPECT_EQ(quantity_range_text(42.8e9, 1.09e12, "USD"), "$42.8 B–$1.09 T");
  EXPECT_EQ(quantity_range_text(500, 2.42e6, "MW"), "500 MW–2.42 TW");
}

TEST(TickText, ShortLabels) {
  EXPECT_EQ(tick_text(2e6, "units"), "2 M");
  EXPECT_EQ(tick_text(2.5e6, "units"), "2.5 M");
  EXPECT_EQ(tick_text(200e9, "USD"), "$200 B");
  EXPECT_EQ(tick_text(10000, "MW"), "10 GW");
  EXPECT_EQ(tick_text(0.0, "units"), "0");
}

TEST(PercentText, ProbabilitiesAndTheirErrors) {
  EXPECT_EQ(percent_text(0.42), "42%");
  EXPECT_EQ(percent_text(0.004), "0.4%");
  EXPECT_EQ(percent_text(0.0), "0%");
  EXPECT_EQ(percent_text(1.0), "100%");
  EXPECT_EQ(percent_text(0.996), "99.6%");
  EXPECT_EQ(percentage_points_text(0.0031), "± 0.3 pp");
  EXPECT_EQ(percentage_points_text(0.0004), "± 0.04 pp");
}

}  // namespace
}  // namespace chokepoint
