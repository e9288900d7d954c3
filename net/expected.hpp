// Expected<T, E>: a value or an error that says what went wrong (a small stand-in
// for C++23 std::expected, which gcc 12 lacks in C++20). Plain value type; any thread.
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

namespace koe {

// Wraps an error so `return Failure{err};` converts to any Expected<T, E>.
template <class E>
struct Failure {
  E error;
};
template <class E>
Failure(E) -> Failure<E>;

template <class T, class E>
class Expected {
 public:
  Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  template <class F>
  Expected(Failure<F> failure) : state_(std::in_place_index<1>, std::move(failure.error)) {}
  // An error converts directly where it cannot be mistaken for a value (as in
  // `return DecodeError::kTruncated;`).
  Expected(E error)
    requires(!std::is_convertible_v<E, T>)
      : state_(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const { return state_.index() == 0; }
  bool ok() const { return has_value(); }
  explicit operator bool() const { return has_value(); }

  // Reading the wrong alternative throws std::bad_variant_access (never UB).
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, E> state_;
};

}  // namespace koe
