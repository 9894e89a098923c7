// GMime lifetime: one process-wide initialisation and RAII ownership of GObjects.
#pragma once

#include <gmime/gmime.h>

#include <utility>

namespace aup::mime {

// Initialises GMime exactly once per process; safe to call from any thread.
void ensure_gmime_initialised();

// Owns one reference to a GObject (GMime objects are GObjects) and drops it on destruction.
template <typename T>
class GPtr {
 public:
  GPtr() = default;
  explicit GPtr(T* object) : object_(object) {}
  GPtr(const GPtr&) = delete;
  GPtr& operator=(const GPtr&) = delete;
  GPtr(GPtr&& other) noexcept : object_(std::exchange(other.object_, nullptr)) {}
  GPtr& operator=(GPtr&& other) noexcept {
    std::swap(object_, other.object_);
    return *this;
  }
  ~GPtr() {
    if (object_ != nullptr) g_object_unref(object_);
  }
  T* get() const { return object_; }
  explicit operator bool() const { return object_ != nullptr; }

 private:
  T* object_ = nullptr;
};

// Owns a g_malloc'ed C string.
class GString_ {
 public:
  explicit GString_(char* text) : text_(text) {}
  GString_(const GString_&) = delete;
  GString_& operator=(const GString_&) = delete;
  ~GString_() { g_free(text_); }
  const char* get() const { return text_; }

 private:
  char* text_;
};

}  // namespace aup::mime
