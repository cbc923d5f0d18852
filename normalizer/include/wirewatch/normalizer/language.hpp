#pragma once
// Language of a text: a cheap detector for when a page does not declare one.

#include <string>
#include <string_view>

namespace wirewatch {

// The lowercase primary subtag of a language tag: "en-US" → "en", "de_DE" → "de";
// empty when the tag is not one.
std::string normalize_language_tag(std::string_view tag);

// Guesses the language of UTF-8 text from its script and its most frequent
// function words: en, de, fr, es, it, pt, nl, pl, cs, sv, tr for Latin script;
// ru, uk, be, bg for Cyrillic; el, ar, he, zh, ja, ko by script. Empty when the
// text is too short or nothing fits.
std::string detect_language(std::string_view text);

}  // namespace wirewatch
