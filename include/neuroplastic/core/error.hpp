// The exception family the library throws. Every message says what was expected, what was found
// and where (file, layer, line or byte offset), so a user can act on it without a debugger.
#pragma once

#include <stdexcept>
#include <string>

namespace neuroplastic {

/// The base of every exception neuroplastic throws.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A size known only at run time (a batch, a data set's width, a class label) does not fit.
class shape_error : public error {
public:
    using error::error;
};

/// A data file or data in memory is malformed: wrong magic, truncated, inconsistent counts.
class data_error : public error {
public:
    using error::error;
};

/// A file could not be opened, read or written.
class io_error : public error {
public:
    using error::error;
};

/// A NaN or an infinity turned up in a loss, a gradient or a weight.
class numeric_error : public error {
public:
    using error::error;
};

/// An argument is outside the range a function accepts (a negative learning rate, say).
class argument_error : public error {
public:
    using error::error;
};

}  // namespace neuroplastic
