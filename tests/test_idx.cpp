// Tests of the IDX reader: small files written here, gzip-compressed and plain, read back
// exactly; corrupt files rejected with messages that name the file and the numbers involved;
// the fixtures in tests/data/idx; and, where it is installed, the real Fashion-MNIST.
#include <neuroplastic/data/idx.hpp>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "error_message.hpp"

namespace fs = std::filesystem;
using neuroplastic::argument_error;
using neuroplastic::data_error;
using neuroplastic::dataset;
using neuroplastic::io_error;
using neuroplastic::read_idx;
using neuroplastic::test::contains;
using neuroplastic::test::error_message;

namespace {

using bytes = std::vector<unsigned char>;

/// A directory of its own under the system's temporary directory, removed afterwards.
class scratch_dir {
public:
    scratch_dir() {
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path_ = fs::temp_directory_path() / ("neuroplastic-idx-" + std::to_string(stamp));
        fs::create_directories(path_);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    ~scratch_dir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }

    [[nodiscard]] fs::path operator/(const std::string& name) const { return path_ / name; }
    [[nodiscard]] const fs::path& path() const noexcept { return path_; }

private:
    fs::path path_;
};

void put_big_endian(bytes& out, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<unsigned char>(value >> shift));
    }
}

/// An IDX file: the magic number, the sizes, then `data`.
bytes idx_file(std::uint32_t magic, const std::vector<std::uint32_t>& sizes, const bytes& data) {
    bytes out;
    put_big_endian(out, magic);
    for (const std::uint32_t size : sizes) put_big_endian(out, size);
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

void write_plain(const fs::path& path, const bytes& content) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(content.data()),
              static_cast<std::streamsize>(content.size()));
    REQUIRE(out.good());
}

void write_gz(const fs::path& path, const bytes& content) {
    gzFile out = gzopen(path.string().c_str(), "wb");
    REQUIRE(out != nullptr);
    if (!content.empty()) {
        REQUIRE(gzwrite(out, content.data(), static_cast<unsigned>(content.size())) ==
                static_cast<int>(content.size()));
    }
    REQUIRE(gzclose(out) == Z_OK);
}

bytes first_bytes(const bytes& all, std::size_t count) {
    return {all.begin(), all.begin() + static_cast<std::ptrdiff_t>(count)};
}

bytes read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Three images of 2 x 3 pixels, covering the ends of the byte range, and their labels.
const bytes three_images = {0,   255, 1,   128, 64,  254,  // image 0
                            10,  20,  30,  40,  50,  60,   // image 1
                            255, 0,   255, 0,   255, 0};   // image 2
const bytes three_labels = {2, 0, 9};

bytes images_file(const bytes& pixels = three_images, std::uint32_t count = 3) {
    return idx_file(0x00000803, {count, 2, 3}, pixels);
}
bytes labels_file(const bytes& labels = three_labels) {
    return idx_file(0x00000801, {static_cast<std::uint32_t>(labels.size())}, labels);
}

void check_three(const dataset& d) {
    REQUIRE(d.size() == 3);
    REQUIRE(d.features() == 6);
    CHECK(d.classes() == 10);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(d.label(i) == three_labels[i]);
        for (std::size_t p = 0; p < 6; ++p) {
            INFO("image " << i << ", pixel " << p);
            CHECK(d.sample(i)[p] == static_cast<float>(three_images[i * 6 + p]) / 255.0f);
        }
    }
}

/// The message of the data_error that reading `images` with `labels` throws.
std::string idx_failure(const fs::path& images, const fs::path& labels, std::size_t classes = 10) {
    return error_message<data_error>([&] { (void)read_idx(images, labels, "bad", classes); });
}

}  // namespace

TEST_CASE("read_idx reads small files back exactly", "[idx]") {
    scratch_dir dir;
    write_gz(dir / "images.gz", images_file());
    write_gz(dir / "labels.gz", labels_file());
    write_plain(dir / "images", images_file());
    write_plain(dir / "labels", labels_file());

    SECTION("gzip-compressed") {
        const dataset d = read_idx(dir / "images.gz", dir / "labels.gz", "tiny");
        CHECK(d.name() == "tiny");
        check_three(d);
    }
    SECTION("plain") { check_three(read_idx(dir / "images", dir / "labels", "tiny")); }
    SECTION("one of each") { check_three(read_idx(dir / "images.gz", dir / "labels", "tiny")); }
    SECTION("pixel values are scaled to [0, 1]") {
        const dataset d = read_idx(dir / "images", dir / "labels", "tiny");
        CHECK(d.sample(0)[0] == 0.0f);
        CHECK(d.sample(0)[1] == 1.0f);
    }
    SECTION("an empty set of images") {
        write_plain(dir / "none", idx_file(0x00000803, {0, 28, 28}, {}));
        write_plain(dir / "no-labels", idx_file(0x00000801, {0}, {}));
        const dataset d = read_idx(dir / "none", dir / "no-labels", "none");
        CHECK(d.empty());
        CHECK(d.features() == 784);
    }
}

TEST_CASE("read_idx reports files that cannot be opened", "[idx]") {
    scratch_dir dir;
    write_gz(dir / "images.gz", images_file());
    write_gz(dir / "labels.gz", labels_file());

    SECTION("a missing images file") {
        const auto message = error_message<io_error>(
            [&] { (void)read_idx(dir / "absent.gz", dir / "labels.gz", "x"); });
        INFO(message);
        CHECK(contains(message, (dir / "absent.gz").string()));
        CHECK(contains(message, "expected an IDX file, found nothing"));
    }
    SECTION("a missing labels file") {
        const auto message = error_message<io_error>(
            [&] { (void)read_idx(dir / "images.gz", dir / "absent.gz", "x"); });
        INFO(message);
        CHECK(contains(message, (dir / "absent.gz").string()));
    }
    SECTION("a directory") {
        const auto message =
            error_message<io_error>([&] { (void)read_idx(dir.path(), dir / "labels.gz", "x"); });
        INFO(message);
        CHECK(contains(message, dir.path().string()));
        CHECK(contains(message, "found a directory"));
    }
    SECTION("no classes") {
        CHECK_THROWS_AS(read_idx(dir / "images.gz", dir / "labels.gz", "x", 0), argument_error);
    }
}

TEST_CASE("read_idx rejects malformed headers", "[idx]") {
    scratch_dir dir;
    write_gz(dir / "labels.gz", labels_file());
    const fs::path labels = dir / "labels.gz";

    SECTION("a wrong magic number") {
        write_gz(dir / "magic.gz", idx_file(0x12345678, {3, 2, 3}, three_images));
        const auto message = idx_failure(dir / "magic.gz", labels);
        INFO(message);
        CHECK(contains(message, (dir / "magic.gz").string()));
        CHECK(contains(message, "expected the IDX magic number 0x00000803"));
        CHECK(contains(message, "found 0x12345678"));
    }
    SECTION("a type other than unsigned bytes") {
        write_plain(dir / "floats", idx_file(0x00000d03, {3, 2, 3}, three_images));
        const auto message = idx_failure(dir / "floats", labels);
        INFO(message);
        CHECK(contains(message, (dir / "floats").string()));
        CHECK(contains(message, "expected the IDX type code 0x08 (unsigned byte)"));
        CHECK(contains(message, "found 0x0d (32-bit float)"));
    }
    SECTION("an unknown type code") {
        write_plain(dir / "strange", idx_file(0x00002a03, {3, 2, 3}, three_images));
        const auto message = idx_failure(dir / "strange", labels);
        INFO(message);
        CHECK(contains(message, "found 0x2a (no IDX type)"));
    }
    SECTION("a labels file given as the images") {
        const auto message = idx_failure(labels, labels);
        INFO(message);
        CHECK(contains(message, labels.string()));
        CHECK(contains(message, "expected an IDX file of images with 3 dimensions"));
        CHECK(contains(message, "found 1 dimension (magic number 0x00000801"));
        CHECK(contains(message, "looks like a labels file"));
    }
    SECTION("an images file given as the labels") {
        write_gz(dir / "images.gz", images_file());
        const auto message = idx_failure(dir / "images.gz", dir / "images.gz");
        INFO(message);
        CHECK(contains(message, "expected an IDX file of labels with 1 dimension"));
        CHECK(contains(message, "found 3 dimensions (magic number 0x00000803"));
    }
    SECTION("a header cut short in its sizes") {
        bytes header = images_file();
        header.resize(10);
        write_plain(dir / "short", header);
        write_gz(dir / "short.gz", header);
        for (const char* name : {"short", "short.gz"}) {
            const auto message = idx_failure(dir / name, labels);
            INFO(message);
            CHECK(contains(message, (dir / name).string()));
            CHECK(contains(message, "expected a header of 16 bytes"));
            CHECK(contains(message, "found only 10 bytes"));
        }
    }
    SECTION("a header cut short in its magic number") {
        write_plain(dir / "two", {0, 0});
        const auto message = idx_failure(dir / "two", labels);
        INFO(message);
        CHECK(contains(message, "found only 2 bytes"));
    }
    SECTION("an empty file") {
        write_plain(dir / "empty", {});
        const auto message = idx_failure(dir / "empty", labels);
        INFO(message);
        CHECK(contains(message, "found only 0 bytes"));
    }
    SECTION("images of no pixels") {
        write_plain(dir / "flat", idx_file(0x00000803, {3, 0, 3}, {}));
        const auto message = idx_failure(dir / "flat", labels);
        INFO(message);
        CHECK(contains(message, "expected images of at least 1 x 1 pixels"));
        CHECK(contains(message, "found 3 images of 0 x 3 pixels"));
    }
}

TEST_CASE("read_idx rejects sizes the file cannot hold, before allocating for them", "[idx]") {
    scratch_dir dir;
    write_gz(dir / "labels.gz", labels_file());
    const fs::path labels = dir / "labels.gz";

    SECTION("images larger than the limit") {
        write_gz(dir / "wide.gz", idx_file(0x00000803, {3, 0xffffffff, 0xffffffff}, {}));
        const auto message = idx_failure(dir / "wide.gz", labels);
        INFO(message);
        CHECK(contains(message, (dir / "wide.gz").string()));
        CHECK(contains(message, "expected images of at most 16777216 pixels"));
        CHECK(contains(message, "found 3 images of 4294967295 x 4294967295 pixels"));
    }
    SECTION("a count far beyond what a small gzip file can hold") {
        write_gz(dir / "many.gz", idx_file(0x00000803, {0xffffffff, 28, 28}, three_images));
        const auto message = idx_failure(dir / "many.gz", labels);
        INFO(message);
        CHECK(contains(message, (dir / "many.gz").string()));
        // 4294967295 * 784 bytes.
        CHECK(contains(message, "expected 3367254359280 bytes of data"));
        CHECK(contains(message, "4294967295 images of 28 x 28 pixels"));
        CHECK(contains(message, "which can hold at most"));
    }
    SECTION("the largest sizes in a plain file") {
        write_plain(dir / "many", idx_file(0x00000803, {0xffffffff, 4096, 4096}, three_images));
        const auto message = idx_failure(dir / "many", labels);
        INFO(message);
        // 4294967295 * 4096 * 4096 bytes, without overflow; the file has 18 after its header.
        CHECK(contains(message, "expected 72057594021150720 bytes of data"));
        CHECK(contains(message, "found 18 bytes"));
    }
    SECTION("a labels count far beyond the file") {
        write_gz(dir / "images.gz", images_file(bytes(0xffff * 6), 0xffff));
        write_plain(dir / "labels", idx_file(0x00000801, {0xffff}, three_labels));
        const auto message = idx_failure(dir / "images.gz", dir / "labels");
        INFO(message);
        CHECK(contains(message, (dir / "labels").string()));
        CHECK(contains(message, "expected 65535 bytes of data after the 8-byte header"));
        CHECK(contains(message, "found 3 bytes"));
    }
}

TEST_CASE("read_idx rejects data that disagrees with the header", "[idx]") {
    scratch_dir dir;
    write_gz(dir / "images.gz", images_file());
    write_gz(dir / "labels.gz", labels_file());

    SECTION("truncated images, plain") {
        write_plain(dir / "cut", images_file(first_bytes(three_images, 10)));
        const auto message = idx_failure(dir / "cut", dir / "labels.gz");
        INFO(message);
        CHECK(contains(message, (dir / "cut").string()));
        CHECK(contains(message, "expected 18 bytes of data after the 16-byte header"));
        CHECK(contains(message, "3 images of 2 x 3 pixels"));
        CHECK(contains(message, "found 10 bytes"));
    }
    SECTION("truncated images, compressed") {
        write_gz(dir / "cut.gz", images_file(first_bytes(three_images, 10)));
        const auto message = idx_failure(dir / "cut.gz", dir / "labels.gz");
        INFO(message);
        CHECK(contains(message, (dir / "cut.gz").string()));
        CHECK(contains(message, "expected 18 bytes of data"));
        CHECK(contains(message, "found 10 bytes (image 1 is incomplete)"));
    }
    SECTION("truncated labels, compressed") {
        write_gz(dir / "cut.gz", idx_file(0x00000801, {3}, {2, 0}));
        const auto message = idx_failure(dir / "images.gz", dir / "cut.gz");
        INFO(message);
        CHECK(contains(message, (dir / "cut.gz").string()));
        CHECK(contains(message, "expected 3 labels after the 8-byte header, found 2"));
    }
    SECTION("a gzip stream that breaks off") {
        bytes pixels(50 * 28 * 28);
        std::uint32_t state = 12345;
        for (auto& p : pixels) {
            state = state * 1664525U + 1013904223U;
            p = static_cast<unsigned char>(state >> 24);
        }
        write_gz(dir / "whole.gz", idx_file(0x00000803, {50, 28, 28}, pixels));
        write_gz(dir / "labels50.gz", labels_file(bytes(50, 1)));
        bytes compressed = read_all(dir / "whole.gz");
        compressed.resize(compressed.size() / 2);
        write_plain(dir / "broken.gz", compressed);
        CHECK(read_idx(dir / "whole.gz", dir / "labels50.gz", "whole").size() == 50);
        const auto message = idx_failure(dir / "broken.gz", dir / "labels50.gz");
        INFO(message);
        CHECK(contains(message, (dir / "broken.gz").string()));
        CHECK(contains(message, "expected 39200 bytes of data"));
        CHECK(contains(message, "before the gzip stream breaks off"));
    }
    SECTION("a corrupt gzip stream") {
        bytes compressed = read_all(dir / "images.gz");
        // The deflate data starts after the 10-byte gzip header; a changed block type is
        // invalid in every stream zlib writes, so the error does not depend on zlib's version.
        compressed[10] = static_cast<unsigned char>(compressed[10] | 0x06);
        write_plain(dir / "corrupt.gz", compressed);
        const auto message = idx_failure(dir / "corrupt.gz", dir / "labels.gz");
        INFO(message);
        CHECK(contains(message, (dir / "corrupt.gz").string()));
        CHECK(contains(message, "corrupt stream"));
    }
    SECTION("more data than the header announces") {
        bytes longer = three_images;
        longer.insert(longer.end(), {1, 2, 3, 4, 5});
        write_plain(dir / "long", images_file(longer));
        write_gz(dir / "long.gz", images_file(longer));
        const auto plain = idx_failure(dir / "long", dir / "labels.gz");
        INFO(plain);
        CHECK(contains(plain, (dir / "long").string()));
        CHECK(contains(plain, "expected 18 bytes of data after the 16-byte header"));
        CHECK(contains(plain, "found 23"));
        const auto compressed = idx_failure(dir / "long.gz", dir / "labels.gz");
        INFO(compressed);
        CHECK(contains(compressed, "expected 18 bytes of data"));
        CHECK(contains(compressed, "found more"));
    }
    SECTION("image and label counts that differ") {
        write_gz(dir / "two-labels.gz", labels_file({2, 0}));
        const auto message = idx_failure(dir / "images.gz", dir / "two-labels.gz");
        INFO(message);
        CHECK(contains(message, (dir / "images.gz").string()));
        CHECK(contains(message, (dir / "two-labels.gz").string()));
        CHECK(contains(message, "expected as many labels as images"));
        CHECK(contains(message, "found 3 images and 2 labels"));
    }
    SECTION("a label outside the classes") {
        write_gz(dir / "ten.gz", labels_file({2, 10, 0}));
        const auto message = idx_failure(dir / "images.gz", dir / "ten.gz");
        INFO(message);
        CHECK(contains(message, (dir / "ten.gz").string()));
        CHECK(contains(message, "expected labels below 10, found 10 for sample 1 (byte 9)"));
    }
    SECTION("a label outside fewer classes") {
        const auto message = idx_failure(dir / "images.gz", dir / "labels.gz", 3);
        INFO(message);
        CHECK(contains(message, "expected labels below 3, found 9 for sample 2"));
    }
}

TEST_CASE("the IDX fixtures in tests/data/idx read as their names say", "[idx]") {
    const fs::path data = fs::path(NEUROPLASTIC_TEST_DATA) / "idx";
    const auto image_files = {"three-images-idx3-ubyte", "three-images-idx3-ubyte.gz"};
    const auto label_files = {"three-labels-idx1-ubyte", "three-labels-idx1-ubyte.gz"};
    for (const char* images : image_files) {
        for (const char* labels : label_files) {
            INFO(images << " with " << labels);
            check_three(read_idx(data / images, data / labels, "fixture"));
        }
    }

    const fs::path labels = data / "three-labels-idx1-ubyte";
    const std::array corrupt_images = {"bad-magic-idx3-ubyte", "bad-type-idx3-ubyte",
                                       "truncated-header-idx3-ubyte",
                                       "truncated-data-idx3-ubyte.gz", "huge-count-idx3-ubyte.gz"};
    for (const char* images : corrupt_images) {
        INFO(images);
        CHECK_THROWS_AS(read_idx(data / images, labels, "fixture"), data_error);
    }
    CHECK_THROWS_AS(
        read_idx(data / "three-images-idx3-ubyte", data / "label-too-large-idx1-ubyte", "fixture"),
        data_error);
}

TEST_CASE("load_fashion_mnist reports a directory without the files", "[idx]") {
    scratch_dir dir;
    CHECK_FALSE(neuroplastic::fashion_mnist_available(dir.path()));
    const auto message =
        error_message<io_error>([&] { (void)neuroplastic::load_fashion_mnist(dir.path()); });
    INFO(message);
    CHECK(contains(message, (dir / "train-images-idx3-ubyte.gz").string()));
    CHECK(contains(message, "dataset-fashion-mnist"));
}

TEST_CASE("load_fashion_mnist reads the installed Fashion-MNIST", "[idx][slow]") {
    if (!neuroplastic::fashion_mnist_available()) {
        WARN("Fashion-MNIST is not installed in "
             << neuroplastic::default_fashion_mnist_dir().string()
             << " (Debian package dataset-fashion-mnist); skipping");
        return;
    }
    const auto [train, test] = neuroplastic::load_fashion_mnist();
    CHECK(train.name() == "fashion-mnist train");
    REQUIRE(train.size() == 60000);
    REQUIRE(test.size() == 10000);
    CHECK(train.features() == 784);
    CHECK(test.features() == 784);
    CHECK(train.classes() == 10);

    // The classes are balanced: 6000 training and 1000 test images each.
    std::array<std::size_t, 10> train_counts{};
    for (const std::uint32_t label : train.labels()) {
        REQUIRE(label < 10);
        ++train_counts[label];
    }
    std::array<std::size_t, 10> test_counts{};
    for (const std::uint32_t label : test.labels()) {
        REQUIRE(label < 10);
        ++test_counts[label];
    }
    for (std::size_t c = 0; c < 10; ++c) {
        CHECK(train_counts[c] == 6000);
        CHECK(test_counts[c] == 1000);
    }

    // The first image of each set is an ankle boot (class 9).
    CHECK(train.label(0) == 9);
    CHECK(test.label(0) == 9);
    const auto first = train.sample(0);
    CHECK(std::all_of(first.begin(), first.end(), [](float v) { return v >= 0 && v <= 1; }));
    double sum = 0;
    for (const float v : first) sum += v * 255.0;
    CHECK(sum == Approx(76247).margin(0.01));
}
