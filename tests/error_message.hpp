// Runs code that must throw, and hands back the message, so that a test can check both the
// exception's type and what its message says.
#pragma once

#include <string>
#include <string_view>

#include "catch.hpp"

namespace neuroplastic::test {

/// The message of the `Error` that `action` throws; fails the test if it throws nothing.
/// An exception of another type propagates, and Catch2 reports it.
template <class Error, class Action>
std::string error_message(Action&& action) {
    try {
        action();
    } catch (const Error& caught) {
        return caught.what();
    }
    FAIL("expected an exception, but none was thrown");
    return {};
}

/// True if `text` contains `part`; with INFO(text), a failed check shows the whole message.
inline bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

}  // namespace neuroplastic::test
