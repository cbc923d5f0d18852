#include "wirewatch/normalizer/title.hpp"

#include <gtest/gtest.h>

using namespace wirewatch;

TEST(Title, RemovesSiteNameSuffixByName) {
  EXPECT_EQ(strip_site_name("Belarus Eyes Joint Training With Wagner | Newsweek", "Newsweek"),
            "Belarus Eyes Joint Training With Wagner");
  EXPECT_EQ(strip_site_name("Lukashenko meets the governors - BelTA", "", "https://www.belta.by/president/"),
            "Lukashenko meets the governors");
  EXPECT_EQ(strip_site_name("Port strike enters second week — The Harbour Ledger", "The Harbour Ledger"),
            "Port strike enters second week");
}

TEST(Title, RemovesSiteNamePrefix) {
  EXPECT_EQ(strip_site_name("BelTA | Lukashenko meets the governors", "", "https://belta.by/x"),
            "Lukashenko meets the governors");
}

TEST(Title, RemovesShortTrailingPartWithoutSiteInfo) {
  EXPECT_EQ(strip_site_name("Water main break closes Elm Street | Valley Courier"),
            "Water main break closes Elm Street");
}

TEST(Title, KeepsTitlesWithoutSiteName) {
  EXPECT_EQ(strip_site_name("Review of military events in Belarus on November 20-26"),
            "Review of military events in Belarus on November 20-26");
  // A hyphenated phrase is not a separator, and a long tail is part of the title.
  EXPECT_EQ(strip_site_name("Russia - Belarus talks continue as both sides seek a new agreement", "Newsweek"),
            "Russia - Belarus talks continue as both sides seek a new agreement");
  EXPECT_EQ(strip_site_name("Newsweek", "Newsweek"), "Newsweek");
}

TEST(Title, Normalizes) { EXPECT_EQ(strip_site_name("  Two\u00A0spaces \n here  "), "Two spaces here"); }
