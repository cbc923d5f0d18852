#pragma once
// Article titles without the site's name.

#include <string>
#include <string_view>

namespace wirewatch {

// Removes a site-name suffix or prefix separated by " | ", " - ", " – ", " — ",
// " · ", " • ", " :: ", " » " or " « ": "Wagner instructors | Newsweek" →
// "Wagner instructors". A part is the site's name when it matches `site_name`
// (og:site_name, JSON-LD publisher), or the host name of `url` ("BelTA" for
// belta.by), or — without either — when it is a trailing part of at most four
// words after a "|"-like separator and what is left is longer. The result is
// normalized (text_normalize.hpp); a title that would become empty is kept whole.
std::string strip_site_name(std::string_view title, std::string_view site_name = {},
                            std::string_view url = {});

}  // namespace wirewatch
