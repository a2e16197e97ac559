// libFuzzer target: the IDX reader on arbitrary files. The input holds both files: a flags byte
// (bit 0: write them compressed with gzip, so the decompressing path is reached too), the
// images file's length as 4 bytes little-endian (clamped to what follows), the images file and
// then the labels file. Any input must load or throw a neuroplastic::error.
#include <unistd.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include <neuroplastic/data/idx.hpp>

namespace {

void write_file(const std::string& path, const std::uint8_t* data, std::size_t size, bool gzip) {
    if (gzip) {
        gzFile f = gzopen(path.c_str(), "wb1");
        if (f == nullptr) return;
        if (size > 0) gzwrite(f, data, static_cast<unsigned>(size));
        gzclose(f);
    } else {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        if (f == nullptr) return;
        if (size > 0) std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 5) return 0;
    static const std::string dir = [] {
        const auto d = std::filesystem::temp_directory_path() /
                       ("neuroplastic_fuzz_idx_" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d.string();
    }();
    const bool gzip = (data[0] & 1) != 0;
    const std::size_t claimed = std::size_t{data[1]} | std::size_t{data[2]} << 8 |
                                std::size_t{data[3]} << 16 | std::size_t{data[4]} << 24;
    const std::size_t rest = size - 5;
    const std::size_t split = claimed < rest ? claimed : rest;
    const std::string images = dir + "/images", labels = dir + "/labels";
    write_file(images, data + 5, split, gzip);
    write_file(labels, data + 5 + split, rest - split, gzip);
    try {
        (void)neuroplastic::read_idx(images, labels, "fuzz", 10);
    } catch (const neuroplastic::error&) {
    }
    return 0;
}
