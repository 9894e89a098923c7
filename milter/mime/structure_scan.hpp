// A second, lenient reading of a message's MIME structure, straight from the raw bytes.
//
// GMime is one reader; a mail client is another. Where they split a body differently, a part
// that the client shows (an attached setup.exe) may never reach the rules. This scan splits
// the way a lenient client would: boundaries compared as the bytes written in the header,
// every boundary value of a field accepted, an outer delimiter closing inner parts. It only
// counts parts and notes oddities; GMime still builds the view.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace aup::mime {

// One multipart Content-Type field.
struct MultipartDecl {
  std::string field_value;              // unfolded, raw bytes
  std::vector<std::string> boundaries;  // raw_boundaries(field_value)
  std::vector<size_t> delimiters;       // delimiter lines found for each, within its body
};

struct StructureScan {
  // Parts below the message: multipart children (empty ones left out) and attached messages'
  // bodies, counted as a GMime tree would be.
  size_t parts = 0;
  std::vector<MultipartDecl> multiparts;  // the first kMaxDeclarations
  size_t unterminated = 0;  // multiparts with delimiters whose closing delimiter never came
  // Multiparts none of whose boundaries delimits a part, while their body holds a "--token"
  // line followed by a Content-* field: parts a reader that guesses would find.
  size_t guessed = 0;
};

constexpr size_t kMaxDeclarations = 1000;

// Reads `raw` once, line by line; nesting beyond `max_depth` is not descended into.
StructureScan scan_structure(std::string_view raw, size_t max_depth);

}  // namespace aup::mime
