// Tests of the CSV reader: labels first or last, headers, CRLF, regression targets, and
// malformed text reported with its line, column and what was found; plus the fixtures in
// tests/data/csv.
#include <neuroplastic/data/csv.hpp>

#include <cstddef>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>

#include "catch.hpp"
#include "error_message.hpp"

namespace fs = std::filesystem;
using neuroplastic::argument_error;
using neuroplastic::csv_label_column;
using neuroplastic::csv_options;
using neuroplastic::csv_task;
using neuroplastic::data_error;
using neuroplastic::dataset;
using neuroplastic::io_error;
using neuroplastic::read_csv;
using neuroplastic::read_csv_string;
using neuroplastic::test::contains;
using neuroplastic::test::error_message;

namespace {

/// The message of the data_error that reading `text` as "table" throws.
std::string csv_failure(std::string_view text, const csv_options& options = {}) {
    return error_message<data_error>([&] { (void)read_csv_string(text, options, "table"); });
}

csv_options labels_last() {
    csv_options options;
    options.label = csv_label_column::last;
    return options;
}

csv_options regression(std::size_t targets) {
    csv_options options;
    options.task = csv_task::regression;
    options.targets = targets;
    return options;
}

// The three rows every good fixture holds, in one layout or another.
void check_three_rows(const dataset& d) {
    REQUIRE(d.size() == 3);
    REQUIRE(d.features() == 2);
    CHECK(d.classes() == 3);
    CHECK(d.label(0) == 1);
    CHECK(d.label(1) == 0);
    CHECK(d.label(2) == 2);
    CHECK(d.sample(0)[0] == 0.5f);
    CHECK(d.sample(0)[1] == 0.25f);
    CHECK(d.sample(1)[1] == 2.0f);
    CHECK(d.sample(2)[0] == -3.5f);
    CHECK(d.sample(2)[1] == 0.4f);
}

}  // namespace

TEST_CASE("read_csv_string reads labels in the first column by default", "[csv]") {
    const dataset d = read_csv_string("1,0.5,0.25\n0,1,2\n2,-3.5,4e-1\n", {}, "table");
    CHECK(d.name() == "table");
    check_three_rows(d);
}

TEST_CASE("read_csv_string reads labels in the last column", "[csv]") {
    check_three_rows(read_csv_string("0.5,0.25,1\n1,2,0\n-3.5,0.4,2", labels_last(), "table"));
}

TEST_CASE("read_csv_string takes headers, CRLF, blanks and a byte order mark", "[csv]") {
    csv_options options = labels_last();
    options.header = true;
    const std::string_view text =
        "\xef\xbb\xbfwidth, height ,class\r\n"
        "\r\n"
        "  0.5 ,\t0.25, 1\r\n"
        "1,2,0\r\n"
        "   \r\n"
        "-3.5 , 0.4 ,2\r\n"
        "\r\n";
    check_three_rows(read_csv_string(text, options, "table"));
}

TEST_CASE("read_csv_string takes the number of classes or infers it", "[csv]") {
    CHECK(read_csv_string("0,1\n3,2\n", {}, "t").classes() == 4);
    csv_options options;
    options.classes = 10;
    CHECK(read_csv_string("0,1\n3,2\n", options, "t").classes() == 10);
}

TEST_CASE("read_csv_string reads regression targets from the last columns", "[csv]") {
    const dataset d = read_csv_string("1,2,3,4\n5,6,7,8\n", regression(2), "curve");
    REQUIRE(d.size() == 2);
    CHECK_FALSE(d.labelled());
    CHECK(d.features() == 2);
    CHECK(d.targets() == 2);
    CHECK(d.sample(1)[0] == 5.0f);
    CHECK(d.sample(1)[1] == 6.0f);
    CHECK(d.target(0)[0] == 3.0f);
    CHECK(d.target(1)[1] == 8.0f);
}

TEST_CASE("read_csv_string applies the delimiter and the scale factor", "[csv]") {
    csv_options options;
    options.delimiter = ';';
    options.scale = 1.0f / 255;
    const dataset d = read_csv_string("1;255;51\n0;0;127.5\n", options, "pixels");
    CHECK(d.sample(0)[0] == 255 * (1.0f / 255));
    CHECK(d.sample(0)[1] == 51 * (1.0f / 255));
    CHECK(d.sample(1)[1] == 127.5f * (1.0f / 255));

    options.delimiter = '\t';
    options.scale = 2;
    CHECK(read_csv_string("1\t3 \t 4\n", options, "tabs").sample(0)[1] == 8.0f);
}

TEST_CASE("read_csv_string reads the usual spellings of numbers", "[csv]") {
    const dataset d = read_csv_string("0,+1.5,.5,5.,-0,1E3,1e-50,-2.5e-3\n", {}, "t");
    REQUIRE(d.features() == 7);
    CHECK(d.sample(0)[0] == 1.5f);
    CHECK(d.sample(0)[1] == 0.5f);
    CHECK(d.sample(0)[2] == 5.0f);
    CHECK(d.sample(0)[3] == 0.0f);
    CHECK(d.sample(0)[4] == 1000.0f);
    // Too small for a float is not out of range: it reads as zero.
    CHECK(d.sample(0)[5] == 0.0f);
    CHECK(d.sample(0)[6] == -2.5e-3f);
}

TEST_CASE("read_csv_string reports rows of the wrong width", "[csv]") {
    SECTION("a short row after blank lines") {
        const auto message = csv_failure("1,2,3\n\n4,5,6\n7,8\n");
        INFO(message);
        CHECK(contains(message, "table, line 4"));
        CHECK(contains(message, "expected 3 fields (as on line 1), found 2"));
    }
    SECTION("a long row, measured against the header") {
        csv_options options;
        options.header = true;
        const auto message = csv_failure("a,b,c\r\n1,2,3\r\n4,5,6,7\r\n", options);
        INFO(message);
        CHECK(contains(message, "table, line 3"));
        CHECK(contains(message, "expected 3 fields (as in the header on line 1), found 4"));
    }
    SECTION("a trailing delimiter") {
        const auto message = csv_failure("1,2,3\n4,5,6,\n");
        INFO(message);
        CHECK(contains(message, "line 2"));
        CHECK(contains(message, "found 4"));
    }
    SECTION("a row with a label and no features") {
        const auto message = csv_failure("1\n2\n");
        INFO(message);
        CHECK(contains(message, "table, line 1"));
        CHECK(contains(message, "expected at least 2 fields (a label and one feature or more)"));
        CHECK(contains(message, "found 1"));
    }
    SECTION("a row with targets and no features") {
        const auto message = csv_failure("1,2\n", regression(2));
        INFO(message);
        CHECK(contains(message, "expected at least 3 fields (2 target values"));
        CHECK(contains(message, "found 2"));
    }
}

TEST_CASE("read_csv_string reports fields that are not numbers", "[csv]") {
    SECTION("a word") {
        const auto message = csv_failure("1,2,3\n0,abc,3\n");
        INFO(message);
        CHECK(contains(message, "table, line 2, column 2"));
        CHECK(contains(message, "expected a number, found 'abc'"));
    }
    SECTION("a number followed by text") {
        const auto message = csv_failure("1,2,3.5x\n");
        INFO(message);
        CHECK(contains(message, "line 1, column 3"));
        CHECK(contains(message, "found '3.5x'"));
    }
    SECTION("an empty field") {
        const auto message = csv_failure("1, ,3\n");
        INFO(message);
        CHECK(contains(message, "column 2"));
        CHECK(contains(message, "expected a number, found an empty field"));
    }
    SECTION("a long field, cut short") {
        const std::string field(100, 'z');
        const auto message = csv_failure("1,2," + field + "\n");
        INFO(message);
        CHECK(contains(message, "'" + std::string(40, 'z') + "'... (100 characters)"));
        CHECK_FALSE(contains(message, std::string(41, 'z')));
    }
    SECTION("control bytes, escaped") {
        const auto message = csv_failure(std::string_view("1,2,a\x01\xff\n"));
        INFO(message);
        CHECK(contains(message, "found 'a\\x01\\xff'"));
    }
    SECTION("NaN and infinity") {
        for (const char* value : {"nan", "inf", "-infinity", "NaN"}) {
            const auto message = csv_failure(std::string("1,2,") + value + "\n");
            INFO(message);
            CHECK(contains(message, "column 3"));
            CHECK(contains(message, std::string("expected a finite number, found '") + value));
        }
    }
    SECTION("a number beyond the range of float") {
        const auto message = csv_failure("1,2,1e39\n");
        INFO(message);
        CHECK(contains(message, "expected a number within the range of float"));
        CHECK(contains(message, "found '1e39'"));
    }
    SECTION("a feature that scaling makes infinite") {
        csv_options options;
        options.scale = 1e10f;
        const auto message = csv_failure("1,2,3e30\n", options);
        INFO(message);
        CHECK(contains(message, "column 3"));
        CHECK(contains(message, "scaled by 1e+10, found '3e30'"));
    }
    SECTION("a target value that is not a number") {
        const auto message = csv_failure("1,2,3\n4,5,six\n", regression(1));
        INFO(message);
        CHECK(contains(message, "line 2, column 3"));
        CHECK(contains(message, "found 'six'"));
    }
}

TEST_CASE("read_csv_string reports labels that are not class numbers", "[csv]") {
    SECTION("a negative label") {
        const auto message = csv_failure("1,2\n-1,2\n");
        INFO(message);
        CHECK(contains(message, "table, line 2, column 1"));
        CHECK(contains(message, "expected a non-negative integer label, found '-1'"));
    }
    SECTION("a fractional label") {
        const auto message = csv_failure("1.5,2\n");
        INFO(message);
        CHECK(contains(message, "found '1.5'"));
    }
    SECTION("an empty label in the last column") {
        const auto message = csv_failure("1,2,\n", labels_last());
        INFO(message);
        CHECK(contains(message, "column 3"));
        CHECK(contains(message, "expected a non-negative integer label, found an empty field"));
    }
    SECTION("a label beyond 32 bits") {
        const auto message = csv_failure("99999999999,2\n");
        INFO(message);
        CHECK(contains(message, "expected a label below 4294967295, found '99999999999'"));
    }
    SECTION("a label outside the given classes") {
        csv_options options;
        options.classes = 10;
        const auto message = csv_failure("1,2\n\n12,3\n", options);
        INFO(message);
        CHECK(contains(message, "table, line 3, column 1"));
        CHECK(contains(message, "expected a label below 10 (classes 0 to 9), found 12"));
    }
}

TEST_CASE("read_csv_string reports text without data", "[csv]") {
    CHECK(
        contains(csv_failure(""), "table: expected at least one row of data, found an empty file"));
    CHECK(contains(csv_failure("\n  \r\n\n"), "found an empty file"));
    csv_options options;
    options.header = true;
    CHECK(contains(csv_failure("a,b\n", options), "found only a header"));
}

TEST_CASE("read_csv_string rejects options it cannot follow", "[csv]") {
    const auto rejects = [](const csv_options& options) {
        return error_message<argument_error>([&] { (void)read_csv_string("1,2\n", options, "t"); });
    };
    csv_options options;
    options.delimiter = '.';
    CHECK(contains(rejects(options), "found '.'"));
    options.delimiter = '\n';
    CHECK(contains(rejects(options), "found '\\x0a'"));
    options = regression(0);
    CHECK(contains(rejects(options), "expected at least 1 target column"));
    options = {};
    options.scale = std::numeric_limits<float>::infinity();
    CHECK(contains(rejects(options), "expected a finite scale factor"));
}

TEST_CASE("read_csv reads the fixtures in tests/data/csv", "[csv]") {
    const fs::path data = fs::path(NEUROPLASTIC_TEST_DATA) / "csv";

    SECTION("good files") {
        const dataset first = read_csv(data / "labels-first.csv");
        CHECK(first.name() == (data / "labels-first.csv").string());
        check_three_rows(first);

        csv_options options = labels_last();
        options.header = true;
        check_three_rows(read_csv(data / "labels-last-header-crlf.csv", options));

        options = regression(2);
        options.header = true;
        options.delimiter = ';';
        const dataset curve = read_csv(data / "regression.csv", options);
        CHECK(curve.size() == 2);
        CHECK(curve.target(1)[0] == 7.0f);
    }
    SECTION("corrupt files name the file and the line") {
        const auto failure = [&](const char* name) {
            return error_message<data_error>([&] { (void)read_csv(data / name); });
        };
        const auto width = failure("wrong-width.csv");
        INFO(width);
        CHECK(contains(width, (data / "wrong-width.csv").string() + ", line 3"));
        CHECK(contains(width, "expected 3 fields (as on line 1), found 2"));

        const auto word = failure("not-a-number.csv");
        INFO(word);
        CHECK(contains(word, "not-a-number.csv, line 2, column 2: expected a number, found 'one'"));

        const auto label = failure("bad-label.csv");
        INFO(label);
        CHECK(contains(label, "bad-label.csv, line 2, column 1"));

        CHECK(contains(failure("nan.csv"), "nan.csv, line 1, column 3: expected a finite number"));
        CHECK(contains(failure("empty.csv"), "empty.csv: expected at least one row of data"));
    }
    SECTION("a missing file") {
        const auto message = error_message<io_error>([&] { (void)read_csv(data / "absent.csv"); });
        INFO(message);
        CHECK(contains(message, (data / "absent.csv").string()));
        CHECK(contains(message, "expected a CSV file, found nothing"));
    }
}
