#pragma once
/// UTF-8 validation for text wom reads from people (configs, `--set` values, sweep specs) and
/// later writes as JSON (summary.json, manifest.json), which holds UTF-8 only: text is checked
/// when it is read, so a bad byte is reported with its file and line, not as a JSON error after
/// the run.
#include <cstddef>
#include <string_view>

namespace wom {

/// The offset of the first byte of `text` that does not begin a well-formed UTF-8 sequence
/// (RFC 3629, as JSON reads it: no overlong forms, no surrogates, nothing above U+10FFFF), or
/// npos when all of it is UTF-8. A NUL byte is well-formed here.
inline std::size_t utf8_invalid_at(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    const std::size_t len = b < 0x80 ? 1 : b < 0xC2 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF5 ? 4 : 0;
    // The second byte's range rules out overlong forms (E0, F0), surrogates (ED) and code
    // points above U+10FFFF (F4).
    const unsigned lo = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80, hi = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
    bool ok = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      ok = k == 1 ? c >= lo && c <= hi : c >= 0x80 && c <= 0xBF;
    }
    if (!ok) return i;
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace wom
