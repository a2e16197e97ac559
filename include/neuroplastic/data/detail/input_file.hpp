// What the data readers share about their input files: the check, before anything is opened,
// that a path names a readable file, so that a missing file or a directory is reported in words
// rather than as whatever the opening call makes of it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "../../core/error.hpp"

namespace neuroplastic::detail {

/// Throws `io_error` unless `path` names something that can be opened as a file; `kind` says
/// what was expected ("an IDX file"). Returns the file's size when it is a regular file.
inline std::optional<std::uintmax_t> check_input_file(const std::filesystem::path& path,
                                                      std::string_view kind) {
    std::error_code code;
    const auto status = std::filesystem::status(path, code);
    if (status.type() == std::filesystem::file_type::not_found) {
        throw io_error(path.string() + ": expected " + std::string(kind) +
                       ", found nothing at this path");
    }
    if (code) {
        throw io_error(path.string() + ": expected " + std::string(kind) +
                       ", found a path that cannot be inspected (" + code.message() + ")");
    }
    if (std::filesystem::is_directory(status)) {
        throw io_error(path.string() + ": expected " + std::string(kind) + ", found a directory");
    }

    // Pipes and devices have no size to check against; they are still read.
    if (!std::filesystem::is_regular_file(status)) return std::nullopt;
    const std::uintmax_t size = std::filesystem::file_size(path, code);
    if (code) return std::nullopt;
    return size;
}

}  // namespace neuroplastic::detail
