// A reader of the IDX format of MNIST and Fashion-MNIST: a big-endian magic number
// 0x0000TTDD (TT the type of the values, DD the number of dimensions), DD big-endian 32-bit
// sizes, then the values. Images files have three dimensions (count, rows, columns) and labels
// files one, both of unsigned bytes. Files are read through zlib, gzip-compressed or plain.
//
// This header needs zlib, so the umbrella header neuroplastic.hpp leaves it out: include it by
// itself and link ZLIB::ZLIB (find_package(ZLIB)).
//
// The header of a file is never trusted with memory: every size it announces is checked against
// limits and against what a file of that size can hold before anything is allocated, and the
// values are read image by image, so a truncated file is found without allocating for the data
// it claims to have.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "dataset.hpp"
#include "detail/input_file.hpp"

namespace neuroplastic {

/// The most pixels an image of an IDX file may have (4096 x 4096); larger headers are rejected.
inline constexpr std::size_t idx_max_pixels = std::size_t{1} << 24;

namespace detail {

// The most one deflate stream can expand: a 258-byte match costs at least two bits, and no
// gzip member is smaller than its deflate stream, so a gzip file's data is at most this many
// times its size. It bounds what a compressed file can hold without decompressing it.
inline constexpr std::uint64_t deflate_max_expansion = 1032;

// The most memory read_idx reserves ahead of the data; beyond it the storage grows as data
// arrives, so a header that overstates a compressed file's contents costs no memory.
inline constexpr std::size_t idx_max_reserved_bytes = std::size_t{1} << 28;

/// Reads the bytes of a gzip-compressed or plain file through zlib.
class gz_reader {
public:
    explicit gz_reader(const std::filesystem::path& path)
        : where_(path.string()), size_(check_input_file(path, "an IDX file")) {
        errno = 0;
#if defined(_WIN32)
        file_ = gzopen_w(path.c_str(), "rb");
#else
        file_ = gzopen(path.c_str(), "rb");
#endif
        if (file_ == nullptr) {
            const int reason = errno;
            throw io_error(where_ + ": expected a readable file, found one that cannot be " +
                           "opened (" +
                           (reason != 0 ? std::strerror(reason) : "zlib could not allocate") + ")");
        }
        // A larger buffer than zlib's 8 KiB default halves the time spent in system calls.
        gzbuffer(file_, 1U << 17);
    }

    gz_reader(const gz_reader&) = delete;
    gz_reader& operator=(const gz_reader&) = delete;
    ~gz_reader() { gzclose_r(file_); }

    /// Reads up to `count` bytes into `out`; fewer only where the data ends.
    std::size_t read(unsigned char* out, std::size_t count) {
        std::size_t done = 0;
        while (done < count) {
            // gzread takes an unsigned length and fails beyond INT_MAX.
            const auto chunk = static_cast<unsigned>(std::min<std::size_t>(count - done, 1U << 30));
            const int got = gzread(file_, out + done, chunk);
            if (got < 0) fail();
            if (got == 0) break;
            done += static_cast<std::size_t>(got);
        }
        offset_ += done;
        if (done < count) {
            int code = Z_OK;
            gzerror(file_, &code);
            // zlib reports a gzip stream that breaks off as a short read with Z_BUF_ERROR, and
            // drops what it had decompressed in that call: the count read is a lower bound.
            cut_off_ = code == Z_BUF_ERROR;
        }
        return done;
    }

    /// True if the data is gzip-compressed, false if the file is read as it is.
    [[nodiscard]] bool compressed() { return gzdirect(file_) == 0; }

    /// The most bytes the file's data can hold, if the file has a size to go by.
    [[nodiscard]] std::optional<std::uint64_t> capacity() {
        if (!size_) return std::nullopt;
        const auto size = static_cast<std::uint64_t>(*size_);
        return compressed() ? size * deflate_max_expansion : size;
    }

    [[nodiscard]] std::optional<std::uintmax_t> file_size() const noexcept { return size_; }

    /// Bytes of (decompressed) data read so far.
    [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }

    /// Words for the end of a message about a short read: why the count may be low.
    [[nodiscard]] std::string short_read_note() const {
        return cut_off_ ? " before the gzip stream breaks off" : "";
    }

    [[nodiscard]] const std::string& where() const noexcept { return where_; }

private:
    [[noreturn]] void fail() const {
        int code = Z_OK;
        std::string message = gzerror(file_, &code);
        // zlib starts its messages with the path it was given, which ours already names.
        if (message.starts_with(where_ + ": ")) message.erase(0, where_.size() + 2);
        if (code == Z_ERRNO) {
            throw io_error(where_ + ": expected to read past byte " + std::to_string(offset_) +
                           ", found a read error (" + message + ")");
        }
        throw data_error(where_ + ": expected gzip-compressed data, found a corrupt stream after " +
                         std::to_string(offset_) + " bytes of data (zlib: " + message + ")");
    }

    std::string where_;
    std::optional<std::uintmax_t> size_;
    gzFile file_ = nullptr;
    std::uint64_t offset_ = 0;
    bool cut_off_ = false;
};

/// `value` in hexadecimal with `digits` digits, as in 0x00000803.
inline std::string idx_hex(std::uint32_t value, std::size_t digits = 8) {
    constexpr std::string_view symbols = "0123456789abcdef";
    std::string text(2 + digits, '0');
    text[1] = 'x';
    for (std::size_t i = 0; i < digits; ++i) {
        text[1 + digits - i] = symbols[(value >> (4 * i)) & 0xfU];
    }
    return text;
}

inline std::string idx_type_name(std::uint32_t code) {
    switch (code) {
        case 0x08:
            return "unsigned byte";
        case 0x09:
            return "signed byte";
        case 0x0b:
            return "16-bit integer";
        case 0x0c:
            return "32-bit integer";
        case 0x0d:
            return "32-bit float";
        case 0x0e:
            return "64-bit float";
        default:
            return "no IDX type";
    }
}

/// The sizes an IDX header announces, each up to 2^32 - 1.
struct idx_shape {
    std::array<std::uint64_t, 3> sizes{};
    std::size_t header_bytes = 0;
};

/// "1 dimension", "3 dimensions".
inline std::string idx_dimensions(std::size_t count) {
    return std::to_string(count) + (count == 1 ? " dimension" : " dimensions");
}

/// Reads and checks the header of an IDX file of unsigned bytes with `dimensions` (1 to 3)
/// dimensions; `kind` names what the file holds ("images" or "labels").
inline idx_shape read_idx_header(gz_reader& in, std::size_t dimensions, std::string_view kind) {
    assert(dimensions >= 1 && dimensions <= 3);
    idx_shape shape;
    shape.header_bytes = 4 * (1 + dimensions);
    const auto expected_magic = static_cast<std::uint32_t>(0x0800U | dimensions);
    const std::string expected_kind = "an IDX file of " + std::string(kind) + " with " +
                                      idx_dimensions(dimensions) + " (magic number " +
                                      idx_hex(expected_magic) + ")";

    std::array<unsigned char, 16> bytes{};
    const auto big_endian = [&](std::size_t at) {
        return std::uint32_t{bytes[at]} << 24 | std::uint32_t{bytes[at + 1]} << 16 |
               std::uint32_t{bytes[at + 2]} << 8 | std::uint32_t{bytes[at + 3]};
    };
    const auto truncated = [&](std::size_t found) {
        return data_error(in.where() + ": expected a header of " +
                          std::to_string(shape.header_bytes) + " bytes for " + expected_kind +
                          ", found only " + std::to_string(found) + " bytes" +
                          in.short_read_note());
    };

    // The magic number alone first: a file of another kind may have a shorter header.
    if (const std::size_t got = in.read(bytes.data(), 4); got < 4) throw truncated(got);
    const std::uint32_t magic = big_endian(0);
    if ((magic >> 16) != 0) {
        throw data_error(in.where() + ": expected the IDX magic number " + idx_hex(expected_magic) +
                         " (" + std::string(kind) + ": " + idx_dimensions(dimensions) +
                         " of unsigned bytes), found " + idx_hex(magic) +
                         ", which is not an IDX magic number");
    }
    const std::uint32_t type = (magic >> 8) & 0xffU;
    if (type != 0x08) {
        throw data_error(in.where() + ": expected the IDX type code 0x08 (unsigned byte) in " +
                         "the magic number, found " + idx_hex(type, 2) + " (" +
                         idx_type_name(type) + ") in " + idx_hex(magic) +
                         "; only unsigned bytes are read");
    }
    const std::uint32_t found_dimensions = magic & 0xffU;
    if (found_dimensions != dimensions) {
        std::string hint;
        if (found_dimensions == 1) hint = "; this looks like a labels file";
        if (found_dimensions == 3) hint = "; this looks like an images file";
        throw data_error(in.where() + ": expected " + expected_kind + ", found " +
                         idx_dimensions(found_dimensions) + " (magic number " + idx_hex(magic) +
                         hint + ")");
    }

    const std::size_t size_bytes = 4 * dimensions;
    if (const std::size_t got = in.read(bytes.data() + 4, size_bytes); got < size_bytes) {
        throw truncated(4 + got);
    }
    for (std::size_t d = 0; d < dimensions; ++d) shape.sizes[d] = big_endian(4 + 4 * d);
    return shape;
}

/// Throws unless the file's data holds no more than `expected_bytes` after its header, as the
/// header says; a longer file is likely not the file its header describes.
inline void expect_idx_end(gz_reader& in, std::uint64_t data_bytes, std::size_t header_bytes) {
    unsigned char extra = 0;
    if (in.read(&extra, 1) == 0) return;
    std::string found = "more";
    if (const auto size = in.file_size(); size && !in.compressed()) {
        found = std::to_string(*size - header_bytes);
    }
    throw data_error(in.where() + ": expected " + std::to_string(data_bytes) +
                     " bytes of data after the " + std::to_string(header_bytes) +
                     "-byte header, as the header announces, found " + found +
                     ": the file goes on past its end");
}

/// Throws unless `data_bytes` of data after the header fit in what the file can hold: for a
/// plain file, exactly what is there; for a compressed one, the most its size can expand to.
inline void check_idx_capacity(gz_reader& in, std::uint64_t data_bytes, std::size_t header_bytes,
                               const std::string& announced) {
    const auto capacity = in.capacity();
    if (!capacity || data_bytes + header_bytes <= *capacity) return;
    if (!in.compressed()) {
        throw data_error(in.where() + ": expected " + std::to_string(data_bytes) +
                         " bytes of data after the " + std::to_string(header_bytes) +
                         "-byte header (" + announced + "), found " +
                         std::to_string(*capacity - header_bytes) + " bytes");
    }
    throw data_error(in.where() + ": expected " + std::to_string(data_bytes) +
                     " bytes of data after the header (" + announced + "), found a gzip file of " +
                     std::to_string(*in.file_size()) + " bytes, which can hold at most " +
                     std::to_string(*capacity) + " bytes");
}

}  // namespace detail

/// Reads an images file and a labels file of the IDX format into a labelled data set: one
/// sample per image, its pixels row after row, scaled from 0..255 to [0, 1]. Labels must be
/// below `classes`. Files may be gzip-compressed or plain. `name` appears in messages.
/// Throws `io_error` if a file cannot be opened or read, `data_error` if one is malformed.
[[nodiscard]] inline dataset read_idx(const std::filesystem::path& images,
                                      const std::filesystem::path& labels, std::string name,
                                      std::size_t classes = 10) {
    if (classes == 0) {
        throw argument_error("read_idx: expected at least 1 class for " + images.string() +
                             ", found 0");
    }

    // Both headers first, so that a missing or mismatched labels file is reported before
    // the images are read.
    detail::gz_reader image_in(images);
    const detail::idx_shape image_shape = detail::read_idx_header(image_in, 3, "images");
    detail::gz_reader label_in(labels);
    const detail::idx_shape label_shape = detail::read_idx_header(label_in, 1, "labels");

    const auto [count, rows, columns] = image_shape.sizes;
    const std::string announced = std::to_string(count) + " images of " + std::to_string(rows) +
                                  " x " + std::to_string(columns) + " pixels";
    if (rows == 0 || columns == 0) {
        throw data_error(image_in.where() + ": expected images of at least 1 x 1 pixels, found " +
                         announced);
    }
    // Each size is below 2^32, so the products below fit in 64 bits.
    const std::uint64_t pixels = rows * columns;
    if (pixels > idx_max_pixels) {
        throw data_error(image_in.where() + ": expected images of at most " +
                         std::to_string(idx_max_pixels) + " pixels, found " + announced + " (" +
                         std::to_string(pixels) + " pixels each)");
    }
    const std::uint64_t image_bytes = count * pixels;
    detail::check_idx_capacity(image_in, image_bytes, image_shape.header_bytes, announced);
    if (image_bytes > std::numeric_limits<std::size_t>::max() / sizeof(float)) {
        throw data_error(image_in.where() + ": expected images that fit in memory, found " +
                         announced);
    }

    const std::uint64_t label_count = label_shape.sizes[0];
    if (label_count != count) {
        throw data_error(image_in.where() + " and " + label_in.where() +
                         ": expected as many labels as images, found " + std::to_string(count) +
                         " images and " + std::to_string(label_count) + " labels");
    }
    detail::check_idx_capacity(label_in, label_count, label_shape.header_bytes,
                               std::to_string(label_count) + " labels");

    // The labels are read in chunks, so the vector grows only as far as the data goes.
    std::vector<std::uint32_t> label_values;
    {
        std::array<unsigned char, 1U << 16> chunk{};
        while (label_values.size() < count) {
            const auto want = static_cast<std::size_t>(
                std::min<std::uint64_t>(chunk.size(), count - label_values.size()));
            const std::size_t got = label_in.read(chunk.data(), want);
            for (std::size_t i = 0; i < got; ++i) {
                if (chunk[i] >= classes) {
                    const std::size_t sample = label_values.size();
                    throw data_error(label_in.where() + ": expected labels below " +
                                     std::to_string(classes) + ", found " +
                                     std::to_string(chunk[i]) + " for sample " +
                                     std::to_string(sample) + " (byte " +
                                     std::to_string(label_shape.header_bytes + sample) + ")");
                }
                label_values.push_back(chunk[i]);
            }
            if (got < want) {
                throw data_error(label_in.where() + ": expected " + std::to_string(count) +
                                 " labels after the " + std::to_string(label_shape.header_bytes) +
                                 "-byte header, found " + std::to_string(label_values.size()) +
                                 label_in.short_read_note());
            }
        }
    }
    detail::expect_idx_end(label_in, label_count, label_shape.header_bytes);

    const auto features = static_cast<std::size_t>(pixels);
    // Pixels stay bytes in memory (a quarter of the floats' size), read as v / 255.
    dataset result = dataset::of_bytes(std::move(name), features, classes, 255.0f);
    const std::size_t reservable = detail::idx_max_reserved_bytes / features;
    result.reserve(std::min(static_cast<std::size_t>(count), std::max<std::size_t>(reservable, 1)));

    // Sized only once there is an image to read: a file of no images may claim any size.
    std::vector<std::uint8_t> raw(count > 0 ? features : 0);
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t got = image_in.read(raw.data(), features);
        if (got < features) {
            throw data_error(image_in.where() + ": expected " + std::to_string(image_bytes) +
                             " bytes of data after the " +
                             std::to_string(image_shape.header_bytes) + "-byte header (" +
                             announced + "), found " + std::to_string(i * features + got) +
                             " bytes" + image_in.short_read_note() + " (image " +
                             std::to_string(i) + " is incomplete)");
        }
        result.add(std::span<const std::uint8_t>(raw.data(), raw.size()), label_values[i]);
    }
    detail::expect_idx_end(image_in, image_bytes, image_shape.header_bytes);
    return result;
}

/// Where Debian's dataset-fashion-mnist package installs the four Fashion-MNIST files.
[[nodiscard]] inline std::filesystem::path default_fashion_mnist_dir() {
    return "/usr/share/datasets/fashion-mnist";
}

namespace detail {

inline constexpr std::array<std::string_view, 4> fashion_mnist_files = {
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz"};

}  // namespace detail

/// True if `dir` holds the four files of Fashion-MNIST (it does not check their contents).
[[nodiscard]] inline bool fashion_mnist_available(
    const std::filesystem::path& dir = default_fashion_mnist_dir()) {
    std::error_code code;
    return std::all_of(
        detail::fashion_mnist_files.begin(), detail::fashion_mnist_files.end(),
        [&](std::string_view file) { return std::filesystem::is_regular_file(dir / file, code); });
}

/// Reads Fashion-MNIST (60000 training and 10000 test images of 28 x 28 pixels, 10 classes)
/// from the gzip-compressed IDX files in `dir`. MNIST's files have the same names, so a
/// directory of MNIST reads as well.
[[nodiscard]] inline dataset_split load_fashion_mnist(
    const std::filesystem::path& dir = default_fashion_mnist_dir()) {
    for (std::string_view file : detail::fashion_mnist_files) {
        std::error_code code;
        if (!std::filesystem::exists(dir / file, code)) {
            throw io_error((dir / file).string() + ": expected a file of Fashion-MNIST, found " +
                           "nothing at this path (Debian's dataset-fashion-mnist package " +
                           "installs the four files in " + default_fashion_mnist_dir().string() +
                           ")");
        }
    }
    const auto file = [&](std::size_t i) { return dir / detail::fashion_mnist_files[i]; };
    return {read_idx(file(0), file(1), "fashion-mnist train", 10),
            read_idx(file(2), file(3), "fashion-mnist test", 10)};
}

}  // namespace neuroplastic
