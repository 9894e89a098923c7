// One pass over the raw lines with a stack of open multiparts, as a streaming client reads.
#include "mime/structure_scan.hpp"

#include <cstring>

#include "mime/boundary_params.hpp"
#include "mime/gmime_strings.hpp"

namespace aup::mime {
namespace {

constexpr size_t kMaxFieldBytes = 64 * 1024;  // a Content-Type value; more is not a boundary
constexpr size_t kMaxTypeFields = 8;          // Content-Type fields read per part

bool only_space(std::string_view text) {
  return text.find_first_not_of(" \t") == std::string_view::npos;
}

bool blank(std::string_view line) {
  return only_space(line);
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

enum class Mode { header, body, preamble };

struct Frame {
  std::vector<std::string> boundaries;  // of every multipart field of the part
  std::vector<size_t> declarations;     // indices into StructureScan::multiparts
  size_t depth = 0;                     // of the part that declared it
  bool matched = false;
  bool dash_then_header = false;
};

class Scanner {
 public:
  explicit Scanner(size_t max_depth) : max_depth_(max_depth) {}

  void line(std::string_view line) {
    if (line.starts_with("--") && !frames_.empty() && delimiter(line)) return;
    if (pending_ && !blank(line)) {
      ++scan_.parts;
      pending_ = false;
    }
    if (mode_ == Mode::header) return header_line(line);
    if (mode_ == Mode::preamble) note_guess(line);
  }

  StructureScan finish() {
    if (mode_ == Mode::header) end_header();
    while (!frames_.empty())
      close_frame(false);
    return std::move(scan_);
  }

 private:
  // A line "--b" or "--b--" (then white space only) for a boundary b of an open multipart,
  // the innermost first, as GMime and clients compare them.
  bool delimiter(std::string_view line) {
    const std::string_view rest = line.substr(2);
    for (size_t k = frames_.size(); k-- > 0;) {
      for (const std::string& boundary : frames_[k].boundaries) {
        if (!rest.starts_with(boundary)) continue;
        const std::string_view tail = rest.substr(boundary.size());
        const bool closing = tail.starts_with("--") && only_space(tail.substr(2));
        if (!closing && !only_space(tail)) continue;
        at_delimiter(k, boundary, closing);
        return true;
      }
    }
    return false;
  }

  void at_delimiter(size_t k, const std::string& boundary, bool closing) {
    while (frames_.size() > k + 1)
      close_frame(false);
    Frame& frame = frames_[k];
    frame.matched = true;
    for (size_t index : frame.declarations) {
      MultipartDecl& declaration = scan_.multiparts[index];
      for (size_t i = 0; i < declaration.boundaries.size(); ++i)
        declaration.delimiters[i] += declaration.boundaries[i] == boundary;
    }
    fields_.clear();
    if (closing) {
      depth_ = frame.depth;
      close_frame(true);
      mode_ = Mode::body;  // the epilogue
      pending_ = false;
    } else {
      depth_ = frame.depth + 1;
      mode_ = Mode::header;
      pending_ = true;
    }
  }

  void close_frame(bool closed) {
    const Frame& frame = frames_.back();
    if (frame.matched && !closed) ++scan_.unterminated;
    if (!frame.matched && frame.dash_then_header) ++scan_.guessed;
    frames_.pop_back();
  }

  // In the body of a multipart that no delimiter has split (yet): "--token" then "Content-".
  void note_guess(std::string_view line) {
    if (previous_dash_ && starts_with_nocase(line, "content-") &&
        line.find(':') != std::string_view::npos) {
      frames_.back().dash_then_header = true;
    }
    previous_dash_ = line.size() > 2 && line.starts_with("--") &&
                     line.find_first_of(" \t") == std::string_view::npos;
  }

  void header_line(std::string_view line) {
    if (blank(line)) return end_header();
    if (line.front() == ' ' || line.front() == '\t') {
      if (in_type_field_ && fields_.back().size() < kMaxFieldBytes) fields_.back() += line;
      return;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {  // body text without the blank line
      end_header();
      return this->line(line);
    }
    const std::string_view name = line.substr(0, colon);
    in_type_field_ = iequals(name, "content-type") && fields_.size() < kMaxTypeFields;
    if (in_type_field_) fields_.emplace_back(line.substr(colon + 1, kMaxFieldBytes));
    if (iequals(name, "content-transfer-encoding"))
      encoded_ = raw_media_type(line.substr(colon + 1)) != "7bit" &&
                 raw_media_type(line.substr(colon + 1)) != "8bit" &&
                 raw_media_type(line.substr(colon + 1)) != "binary";
  }

  void end_header() {
    Frame frame;
    bool multipart = false;
    bool message = false;
    for (const std::string& value : fields_) {
      const std::string type = raw_media_type(value);
      message = message || type == "message/rfc822";
      if (!type.starts_with("multipart/")) continue;
      multipart = true;
      declare(value, frame);
    }
    fields_.clear();
    in_type_field_ = false;
    const bool descend = depth_ < max_depth_;
    mode_ = Mode::body;
    if (multipart && descend) {
      frame.depth = depth_++;
      frames_.push_back(std::move(frame));
      mode_ = Mode::preamble;
      previous_dash_ = false;
    } else if (message && !encoded_ && descend) {
      ++depth_;
      mode_ = Mode::header;  // the attached message's own header
      pending_ = true;
    }
    encoded_ = false;
  }

  void declare(const std::string& value, Frame& frame) {
    std::vector<std::string> boundaries = raw_boundaries(value);
    for (const std::string& boundary : boundaries)
      frame.boundaries.push_back(boundary);
    if (scan_.multiparts.size() >= kMaxDeclarations) return;
    frame.declarations.push_back(scan_.multiparts.size());
    const size_t count = boundaries.size();
    scan_.multiparts.push_back({value, std::move(boundaries), std::vector<size_t>(count, 0)});
  }

  const size_t max_depth_;
  StructureScan scan_;
  std::vector<Frame> frames_;
  Mode mode_ = Mode::header;
  std::vector<std::string> fields_;  // Content-Type values of the part being read
  bool in_type_field_ = false;
  bool encoded_ = false;  // base64 or quoted-printable: an attached message is not read
  bool pending_ = false;  // a part has begun; counted once a line shows it holds something
  bool previous_dash_ = false;
  size_t depth_ = 0;
};

}  // namespace

StructureScan scan_structure(std::string_view raw, size_t max_depth) {
  Scanner scanner(max_depth);
  for (size_t start = 0; start < raw.size();) {
    const void* found = std::memchr(raw.data() + start, '\n', raw.size() - start);
    const size_t end = found != nullptr
                           ? static_cast<size_t>(static_cast<const char*>(found) - raw.data())
                           : raw.size();
    std::string_view line = raw.substr(start, end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    scanner.line(line);
    start = end + 1;
  }
  return scanner.finish();
}

}  // namespace aup::mime
