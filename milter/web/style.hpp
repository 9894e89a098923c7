// The pages' one stylesheet, served as /static/style.css (no inline styles: the
// Content-Security-Policy allows only this file).
#pragma once

namespace aup::web {
extern const char* const kStyleSheet;
}
