// A reader of numeric CSV files: one sample per row, a class label or target values in fixed
// columns, every other field a feature. Fields are numbers; quoting is not supported, so a
// header row is skipped but never split on anything but the delimiter. Lines may end in LF or
// CRLF; blank lines are skipped; spaces and tabs around a field are ignored.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "dataset.hpp"
#include "detail/input_file.hpp"

namespace neuroplastic {

/// What a CSV row holds besides its features.
enum class csv_task {
    classification,  ///< one column of integer class labels
    regression,      ///< `csv_options::targets` columns of target values, at the end of the row
};

/// Where a CSV row's class label is.
enum class csv_label_column { first, last };

/// How to read a CSV file.
struct csv_options {
    /// Class labels or target values.
    csv_task task = csv_task::classification;
    /// Classification: the column of the label. Regression targets are always the last columns.
    csv_label_column label = csv_label_column::first;
    /// Classification: the number of classes; 0 infers it as the largest label plus one.
    std::size_t classes = 0;
    /// Regression: the number of target values that end each row.
    std::size_t targets = 1;
    /// The first non-blank line names the columns: it sets the row width and is skipped.
    bool header = false;
    /// The character between fields.
    char delimiter = ',';
    /// Every feature value is multiplied by this (1.0f / 255 for pixel values, say).
    float scale = 1.0f;
};

namespace detail {

// Field text longer than this is cut short in messages.
inline constexpr std::size_t csv_quoted_length = 40;

/// `text` for a message: in quotes, control and non-ASCII bytes escaped, long text cut short.
inline std::string csv_quote(std::string_view text) {
    constexpr std::string_view digits = "0123456789abcdef";
    std::string quoted = "'";
    for (const char c : text.substr(0, csv_quoted_length)) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f) {
            quoted += "\\x";
            quoted += digits[byte >> 4];
            quoted += digits[byte & 0xfU];
        } else {
            quoted += c;
        }
    }
    quoted += "'";
    if (text.size() > csv_quoted_length) {
        quoted += "... (" + std::to_string(text.size()) + " characters)";
    }
    return quoted;
}

/// `value` in the fewest digits that read back as it, as in 1e+10 or 0.003921569.
inline std::string csv_shortest(float value) {
    std::array<char, 32> text{};
    const auto result = std::to_chars(text.data(), text.data() + text.size(), value);
    return std::string(text.data(), result.ptr);
}

inline std::string_view csv_trim(std::string_view text) noexcept {
    const auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    return text;
}

/// Reads CSV text row by row into the columns a data set is built from.
class csv_parser {
public:
    csv_parser(const csv_options& options, std::string name)
        : options_(options), name_(std::move(name)) {
        const char d = options.delimiter;
        if (d == '\n' || d == '\r' || d == '.' || d == '+' || d == '-' || (d >= '0' && d <= '9')) {
            throw argument_error(name_ + ": expected a delimiter that cannot be part of a number " +
                                 "or a line end, found " + csv_quote(std::string_view(&d, 1)));
        }
        if (!std::isfinite(options.scale)) {
            throw argument_error(name_ + ": expected a finite scale factor for the features, " +
                                 "found " + csv_shortest(options.scale));
        }
        if (options.task == csv_task::regression && options.targets == 0) {
            throw argument_error(name_ + ": expected at least 1 target column for regression, " +
                                 "found 0");
        }
    }

    dataset parse(std::string_view text) {
        // A UTF-8 byte order mark, as spreadsheet programs write, is not part of the first field.
        if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);

        std::size_t line = 0;
        bool header_seen = false;
        while (!text.empty()) {
            const std::size_t end = text.find('\n');
            std::string_view row = text.substr(0, end);
            text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
            ++line;
            if (row.ends_with('\r')) row.remove_suffix(1);
            if (csv_trim(row).empty()) continue;

            split(row);
            if (options_.header && !header_seen) {
                header_seen = true;
                set_width(line, "in the header on line ");
                continue;
            }
            if (width_ == 0) {
                set_width(line, "on line ");
            } else if (fields_.size() != width_) {
                throw data_error(where(line) + ": expected " + std::to_string(width_) +
                                 " fields (as " + width_source_ + "), found " +
                                 std::to_string(fields_.size()));
            }
            read_row(line);
        }

        if (rows_ == 0) {
            throw data_error(name_ + ": expected at least one row of data, found " +
                             (header_seen ? "only a header" : "an empty file"));
        }
        return build();
    }

private:
    void split(std::string_view row) {
        fields_.clear();
        while (true) {
            const std::size_t end = row.find(options_.delimiter);
            fields_.push_back(csv_trim(row.substr(0, end)));
            if (end == std::string_view::npos) break;
            row.remove_prefix(end + 1);
        }
    }

    [[nodiscard]] bool classification() const noexcept {
        return options_.task == csv_task::classification;
    }

    void set_width(std::size_t line, const char* source) {
        const std::size_t needed = classification() ? 2 : options_.targets + 1;
        if (fields_.size() < needed) {
            const std::string labels = classification()
                                           ? std::string("a label")
                                           : std::to_string(options_.targets) + " target values";
            throw data_error(where(line) + ": expected at least " + std::to_string(needed) +
                             " fields (" + labels + " and one feature or more), found " +
                             std::to_string(fields_.size()));
        }
        width_ = fields_.size();
        width_source_ = source + std::to_string(line);
        features_ = width_ - (classification() ? 1 : options_.targets);
    }

    void read_row(std::size_t line) {
        if (classification()) {
            const std::size_t label_at = options_.label == csv_label_column::first ? 0 : width_ - 1;
            labels_.push_back(read_label(line, label_at));
            for (std::size_t c = 0; c < width_; ++c) {
                if (c != label_at) read_feature(line, c);
            }
        } else {
            for (std::size_t c = 0; c < features_; ++c) read_feature(line, c);
            for (std::size_t c = features_; c < width_; ++c) {
                target_values_.push_back(read_number(line, c));
            }
        }
        ++rows_;
    }

    void read_feature(std::size_t line, std::size_t column) {
        const float value = read_number(line, column) * options_.scale;
        if (!std::isfinite(value)) {
            throw data_error(where(line, column) + ": expected a feature that stays finite when " +
                             "scaled by " + csv_shortest(options_.scale) + ", found " +
                             csv_quote(fields_[column]));
        }
        feature_values_.push_back(value);
    }

    float read_number(std::size_t line, std::size_t column) const {
        std::string_view field = fields_[column];
        if (field.empty()) {
            throw data_error(where(line, column) + ": expected a number, found an empty field");
        }
        // from_chars takes a minus sign but not a plus sign.
        if (field.size() > 1 && field[0] == '+' && field[1] != '-' && field[1] != '+') {
            field.remove_prefix(1);
        }

        float value = 0;
        const char* const end = field.data() + field.size();
        auto [stop, code] = std::from_chars(field.data(), end, value);
        if (code == std::errc::result_out_of_range) {
            // Too small for a float is still a number: it reads as zero, or as a subnormal.
            double wide = 0;
            const auto [wide_stop, wide_code] = std::from_chars(field.data(), end, wide);
            if (wide_code == std::errc{} && wide_stop == end &&
                std::abs(wide) < std::numeric_limits<float>::min()) {
                return static_cast<float>(wide);
            }
            throw data_error(where(line, column) + ": expected a number within the range of " +
                             "float (magnitude below 3.4e38), found " + csv_quote(fields_[column]));
        }
        if (code != std::errc{} || stop != end) {
            throw data_error(where(line, column) + ": expected a number, found " +
                             csv_quote(fields_[column]));
        }
        if (!std::isfinite(value)) {
            throw data_error(where(line, column) + ": expected a finite number, found " +
                             csv_quote(fields_[column]));
        }
        return value;
    }

    std::uint32_t read_label(std::size_t line, std::size_t column) {
        const std::string_view field = fields_[column];
        std::uint64_t label = 0;
        const char* const end = field.data() + field.size();
        const auto [stop, code] = std::from_chars(field.data(), end, label);
        if (field.empty() || code == std::errc::invalid_argument || stop != end) {
            throw data_error(where(line, column) + ": expected a non-negative integer label, " +
                             "found " + (field.empty() ? "an empty field" : csv_quote(field)));
        }
        if (code != std::errc{} || label > std::numeric_limits<std::uint32_t>::max() - 1) {
            throw data_error(where(line, column) + ": expected a label below " +
                             std::to_string(std::numeric_limits<std::uint32_t>::max()) +
                             ", found " + csv_quote(field));
        }
        if (options_.classes != 0 && label >= options_.classes) {
            throw data_error(where(line, column) + ": expected a label below " +
                             std::to_string(options_.classes) + " (classes 0 to " +
                             std::to_string(options_.classes - 1) + "), found " +
                             std::to_string(label));
        }
        largest_label_ = std::max(largest_label_, static_cast<std::uint32_t>(label));
        return static_cast<std::uint32_t>(label);
    }

    dataset build() const {
        if (classification()) {
            const std::size_t classes =
                options_.classes != 0 ? options_.classes : std::size_t{largest_label_} + 1;
            dataset result(name_, features_, classes);
            result.reserve(rows_);
            for (std::size_t i = 0; i < rows_; ++i) {
                result.add(std::span(feature_values_).subspan(i * features_, features_),
                           labels_[i]);
            }
            return result;
        }
        dataset result(name_, features_, 0, options_.targets);
        result.reserve(rows_);
        for (std::size_t i = 0; i < rows_; ++i) {
            result.add(std::span(feature_values_).subspan(i * features_, features_),
                       std::span(target_values_).subspan(i * options_.targets, options_.targets));
        }
        return result;
    }

    [[nodiscard]] std::string where(std::size_t line) const {
        return name_ + ", line " + std::to_string(line);
    }
    [[nodiscard]] std::string where(std::size_t line, std::size_t column) const {
        return where(line) + ", column " + std::to_string(column + 1);
    }

    csv_options options_;
    std::string name_;
    std::vector<std::string_view> fields_;
    std::size_t width_ = 0;
    std::string width_source_;
    std::size_t features_ = 0;
    std::size_t rows_ = 0;
    std::uint32_t largest_label_ = 0;
    std::vector<float> feature_values_;
    std::vector<std::uint32_t> labels_;
    std::vector<float> target_values_;
};

}  // namespace detail

/// Reads CSV text into a data set; `name` names the data set and the text in messages.
/// Throws `data_error` for malformed text, naming the line (from 1) and the column (from 1).
[[nodiscard]] inline dataset read_csv_string(std::string_view text, const csv_options& options,
                                             std::string name) {
    return detail::csv_parser(options, std::move(name)).parse(text);
}

/// Reads a CSV file into a data set named after the file. Throws `io_error` if the file cannot
/// be read, `data_error` for malformed content, naming the file, the line and the column.
[[nodiscard]] inline dataset read_csv(const std::filesystem::path& file,
                                      const csv_options& options = {}) {
    detail::check_input_file(file, "a CSV file");
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw io_error(file.string() + ": expected a readable file, found one that cannot be " +
                       "opened");
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw io_error(file.string() + ": expected to read the whole file, found a read error");
    }
    return read_csv_string(text.view(), options, file.string());
}

}  // namespace neuroplastic
