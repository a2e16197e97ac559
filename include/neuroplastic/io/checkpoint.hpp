// Checkpoints: a network, or a whole training run (the network with its live topology, the
// optimiser's state, the training step and position, the generators), in a versioned binary
// format. This header is opt-in: the umbrella header does not include it.
//
// Format (every number little-endian, floats as their IEEE-754 bits):
//
//   magic       8 bytes  "NPLCKPT" followed by a 0x1a byte
//   version     u32      format_version (a newer file is refused, naming both versions)
//   kind        u32      1: a network, 2: a training checkpoint
//   signature   string   the network's static type (Network::signature()); a file saved from
//                        one architecture refuses to load into another, naming both
//   size        u64      bytes of the body
//   body                 the layers in order, then, for a training checkpoint, the optimiser,
//                        the trainer's progress and the topology controller
//   checksum    u32      CRC-32 (IEEE 802.3) of everything before it
//
// A string is a u32 byte count and the bytes; an array of floats is a u64 count and the values.
//
// Saving is atomic: the bytes go to a temporary file in the same directory, are flushed to disk,
// and the file is renamed over the old one, so a crash leaves the previous checkpoint intact.
// Loading is all or nothing: the file is checked whole and parsed into copies, which replace the
// live objects only when everything has been read; a failed load throws and changes nothing.
// Non-finite values are refused when saving, so a NaN never reaches a checkpoint, and refused
// when loading, so a file that holds one changes nothing.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <unistd.h>
#endif

#include "../core/error.hpp"
#include "../core/layer.hpp"
#include "../core/parameter.hpp"
#include "../kernels/elementwise.hpp"
#include "../layers/activity.hpp"
#include "../topology/connection_table.hpp"
#include "../topology/controller.hpp"
#include "../training/trainer.hpp"

namespace neuroplastic {

/// The version of the checkpoint format this build writes, and the newest it reads.
inline constexpr std::uint32_t checkpoint_format_version = 1;

namespace detail {

inline constexpr std::array<unsigned char, 8> checkpoint_magic{'N', 'P', 'L', 'C',
                                                               'K', 'P', 'T', 0x1a};
inline constexpr std::uint32_t network_checkpoint = 1;
inline constexpr std::uint32_t training_checkpoint = 2;

// CRC-32 with the reflected IEEE 802.3 polynomial, eight bytes at a time ("slicing by 8":
// table k gives the CRC of a byte followed by k zero bytes), which checks a checkpoint of
// 16 MB in a few milliseconds.
inline constexpr std::array<std::array<std::uint32_t, 256>, 8> crc32_tables = [] {
    std::array<std::array<std::uint32_t, 256>, 8> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        t[0][i] = c;
    }
    for (std::size_t k = 1; k < 8; ++k) {
        for (std::size_t i = 0; i < 256; ++i)
            t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xffu];
    }
    return t;
}();

inline std::uint32_t crc32(std::span<const std::byte> bytes) noexcept {
    const auto& t = crc32_tables;
    std::uint32_t c = 0xffffffffu;
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        const auto b = [&](std::size_t k) { return std::uint32_t(bytes[i + k]); };
        const std::uint32_t lo = c ^ (b(0) | b(1) << 8 | b(2) << 16 | b(3) << 24);
        c = t[7][lo & 0xffu] ^ t[6][(lo >> 8) & 0xffu] ^ t[5][(lo >> 16) & 0xffu] ^ t[4][lo >> 24] ^
            t[3][b(4)] ^ t[2][b(5)] ^ t[1][b(6)] ^ t[0][b(7)];
    }
    for (; i < bytes.size(); ++i) c = t[0][(c ^ std::uint32_t(bytes[i])) & 0xffu] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

// Appends little-endian values to a buffer.
class byte_writer {
public:
    void u8(std::uint8_t v) { bytes_.push_back(std::byte{v}); }
    void u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) bytes_.push_back(std::byte(v >> (8 * i)));
    }
    void u64(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) bytes_.push_back(std::byte(v >> (8 * i)));
    }
    void f32(float v) { u32(std::bit_cast<std::uint32_t>(v)); }
    void f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }
    void text(std::string_view s) {
        u32(static_cast<std::uint32_t>(s.size()));
        for (const char c : s) bytes_.push_back(std::byte(c));
    }
    void floats(std::span<const float> v) {
        u64(v.size());
        if constexpr (std::endian::native == std::endian::little) {
            // The bytes of a float are already in file order: copy them in one go.
            const std::size_t at = bytes_.size();
            bytes_.resize(at + v.size() * sizeof(float));
            if (!v.empty()) std::memcpy(bytes_.data() + at, v.data(), v.size() * sizeof(float));
        } else {
            for (const float x : v) f32(x);
        }
    }

    [[nodiscard]] std::vector<std::byte>& bytes() noexcept { return bytes_; }

private:
    std::vector<std::byte> bytes_;
};

// Reads little-endian values from a buffer, refusing to read past its end; every error names
// the source and the byte offset.
class byte_reader {
public:
    byte_reader(std::span<const std::byte> bytes, std::string source, std::size_t base = 0)
        : bytes_(bytes), source_(std::move(source)), base_(base) {}

    std::uint8_t u8() { return std::uint8_t(take(1)[0]); }
    std::uint32_t u32() {
        const auto b = take(4);
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v |= std::uint32_t(b[i]) << (8 * i);
        return v;
    }
    std::uint64_t u64() {
        const auto b = take(8);
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= std::uint64_t(b[i]) << (8 * i);
        return v;
    }
    float f32() { return std::bit_cast<float>(u32()); }
    double f64() { return std::bit_cast<double>(u64()); }
    std::string text() {
        const std::uint32_t n = u32();
        const auto b = take(n);
        return std::string(reinterpret_cast<const char*>(b.data()), b.size());
    }
    // An array of floats whose count must be `expected`; `what` names it in messages.
    std::vector<float> floats(std::size_t expected, std::string_view what) {
        const std::size_t at = offset();
        const std::uint64_t n = u64();
        if (n != expected) {
            fail(at, "expected " + std::to_string(expected) + " values of " + std::string(what) +
                         ", found " + std::to_string(n));
        }
        std::vector<float> v(static_cast<std::size_t>(n));
        const auto b = take(static_cast<std::size_t>(n) * 4);
        if constexpr (std::endian::native == std::endian::little) {
            if (!v.empty()) std::memcpy(v.data(), b.data(), b.size());
        } else {
            for (std::size_t i = 0; i < v.size(); ++i) {
                std::uint32_t bits = 0;
                for (int k = 0; k < 4; ++k) bits |= std::uint32_t(b[i * 4 + k]) << (8 * k);
                v[i] = std::bit_cast<float>(bits);
            }
        }
        // Saving refuses non-finite values, so a file that holds one was not written by us.
        if (!kernels::all_finite(v)) {
            fail(at,
                 "expected finite values of " + std::string(what) + ", found a NaN or an infinity");
        }
        return v;
    }
    // An array of floats of any count up to `limit`.
    std::vector<float> floats_up_to(std::uint64_t limit, std::string_view what) {
        const std::size_t at = offset();
        const std::uint64_t n = u64();
        if (n > limit) {
            fail(at, "expected at most " + std::to_string(limit) + " values of " +
                         std::string(what) + ", found " + std::to_string(n));
        }
        at_ -= 8;
        return floats(static_cast<std::size_t>(n), what);
    }

    // A count that must be at most `limit` (so a corrupt count cannot ask for absurd memory).
    std::uint64_t count(std::uint64_t limit, std::string_view what) {
        const std::size_t at = offset();
        const std::uint64_t n = u64();
        if (n > limit) {
            fail(at, "expected at most " + std::to_string(limit) + " " + std::string(what) +
                         ", found " + std::to_string(n));
        }
        return n;
    }
    void expect_u32(std::uint32_t expected, std::string_view what) {
        const std::size_t at = offset();
        const std::uint32_t v = u32();
        if (v != expected) {
            fail(at, "expected " + std::string(what) + " " + std::to_string(expected) + ", found " +
                         std::to_string(v));
        }
    }

    [[nodiscard]] std::size_t offset() const noexcept { return base_ + at_; }
    [[nodiscard]] std::size_t remaining() const noexcept { return bytes_.size() - at_; }
    [[nodiscard]] const std::string& source() const noexcept { return source_; }

    [[noreturn]] void fail(std::size_t at, const std::string& message) const {
        throw data_error(source_ + ": " + message + " (at byte " + std::to_string(at) + ")");
    }

private:
    std::span<const std::byte> take(std::size_t n) {
        if (n > remaining()) {
            fail(offset(), "truncated: expected " + std::to_string(n) + " more bytes, found " +
                               std::to_string(remaining()));
        }
        const auto b = bytes_.subspan(at_, n);
        at_ += n;
        return b;
    }

    std::span<const std::byte> bytes_;
    std::string source_;
    std::size_t base_;
    std::size_t at_ = 0;
};

template <class L>
concept has_activity = requires(L& l) {
    l.activity();
};

// Layer tags: what follows in the body.
inline constexpr std::uint8_t tag_plain = 'P';   // parameters only (dense, user layers, none)
inline constexpr std::uint8_t tag_sparse = 'S';  // connections, then per-connection parameters

inline void check_finite(std::span<const float> v, const std::string& what) {
    if (!kernels::all_finite(v)) {
        throw numeric_error("checkpoint: " + what +
                            " holds a NaN or an infinity; refusing to "
                            "save it (expected finite values)");
    }
}

inline void write_activity(byte_writer& w, const neuron_activity& a, std::size_t neurons) {
    w.u64(a.observations());
    for (std::size_t i = 0; i < neurons; ++i) w.u8(a.active(i) ? 1 : 0);
}

inline neuron_activity read_activity(byte_reader& r, std::size_t neurons) {
    neuron_activity a(neurons);
    const std::uint64_t observations = r.u64();
    std::vector<std::uint8_t> flags(neurons);
    for (auto& f : flags) f = r.u8();
    a.restore(flags, static_cast<std::size_t>(observations));
    return a;
}

// One parameter: its entries in the order `order` gives (a sparse layer's live slots), or all of
// them in order when `order` is empty and `whole` is set.
inline void write_parameter(byte_writer& w, const parameter& p, std::span<const std::size_t> order,
                            bool whole, const std::string& where) {
    std::vector<float> gathered;
    const auto entries = [&](std::span<const float> all) -> std::span<const float> {
        if (whole) return all;
        gathered.resize(order.size());
        for (std::size_t i = 0; i < order.size(); ++i) gathered[i] = all[order[i]];
        return gathered;
    };
    const auto values = entries(p.value());
    check_finite(values, where + ", parameter " + std::string(p.name()));
    w.text(p.name());
    w.floats(values);
    std::uint32_t states = 0;
    for (std::size_t s = 0; s < parameter::max_state; ++s) states += p.has_state(s) ? 1 : 0;
    w.u32(states);
    for (std::size_t s = 0; s < parameter::max_state; ++s) {
        if (!p.has_state(s)) continue;
        w.u32(static_cast<std::uint32_t>(s));
        const auto state = entries(p.state(s));
        check_finite(state, where + ", optimiser state of " + std::string(p.name()));
        w.floats(state);
    }
}

// Reads one parameter written by write_parameter into `p`, entries going to `order` (or to all
// entries in order when `whole`).
inline void read_parameter(byte_reader& r, parameter& p, std::span<const std::size_t> order,
                           bool whole, const std::string& where) {
    const std::size_t count = whole ? p.size() : order.size();
    const auto place = [&](std::span<const float> from, std::span<float> to) {
        for (std::size_t i = 0; i < count; ++i) to[whole ? i : order[i]] = from[i];
    };
    const std::size_t at = r.offset();
    const std::string name = r.text();
    if (name != p.name()) {
        r.fail(at, where + ": expected parameter " + std::string(p.name()) + ", found " + name);
    }
    place(r.floats(count, where + ", parameter " + name), p.value());
    p.clear_state();
    const std::size_t states_at = r.offset();
    const std::uint32_t states = r.u32();
    if (states > parameter::max_state) {
        r.fail(states_at, where + ": expected at most " + std::to_string(parameter::max_state) +
                              " optimiser states, found " + std::to_string(states));
    }
    for (std::uint32_t k = 0; k < states; ++k) {
        const std::size_t slot_at = r.offset();
        const std::uint32_t slot = r.u32();
        if (slot >= parameter::max_state || p.has_state(slot)) {
            r.fail(slot_at, where + ": optimiser state " + std::to_string(slot) +
                                " is out of range or repeated");
        }
        const auto state = r.floats(count, where + ", optimiser state of " + name);
        place(state, p.state(slot));
    }
}

template <class L>
void write_layer(byte_writer& w, const L& l, std::size_t position) {
    const std::string where =
        "layer " + std::to_string(position) + " (" + layer_signature<L>() + ")";
    std::vector<std::size_t> live;
    if constexpr (topology::plastic_layer<L>) {
        w.u8(tag_sparse);
        const connection_table& t = l.connections();
        w.u64(t.live());
        t.for_each([&](std::size_t row, std::size_t col, std::size_t slot) {
            w.u32(static_cast<std::uint32_t>(row));
            w.u32(static_cast<std::uint32_t>(col));
            live.push_back(slot);
        });
    } else {
        w.u8(tag_plain);
    }
    std::uint32_t parameters = 0;
    for_each_parameter(l, [&](const parameter&) { ++parameters; });
    w.u32(parameters);
    bool first = true;  // a sparse layer's first parameter is its weights, one per slot
    for_each_parameter(l, [&](const parameter& p) {
        write_parameter(w, p, live, !(topology::plastic_layer<L> && first), where);
        first = false;
    });
    if constexpr (has_activity<L>) write_activity(w, l.activity(), L::output_size);
}

template <class L>
void read_layer(byte_reader& r, L& l, std::size_t position) {
    const std::string where =
        "layer " + std::to_string(position) + " (" + layer_signature<L>() + ")";
    const std::size_t tag_at = r.offset();
    const std::uint8_t tag = r.u8();
    std::vector<std::size_t> live;
    if constexpr (topology::plastic_layer<L>) {
        if (tag != tag_sparse)
            r.fail(tag_at, where + ": expected the connections of a sparse layer");
        const std::uint64_t n =
            r.count(std::uint64_t(L::input_size) * L::output_size, "connections in " + where);
        std::vector<std::uint64_t> positions(static_cast<std::size_t>(n));
        for (auto& p : positions) {
            const std::size_t at = r.offset();
            const std::uint64_t row = r.u32(), col = r.u32();
            if (row >= L::output_size || col >= L::input_size) {
                r.fail(at, where + ": connection (" + std::to_string(row) + ", " +
                               std::to_string(col) + ") is outside " +
                               std::to_string(L::output_size) + " x " +
                               std::to_string(L::input_size));
            }
            p = row * L::input_size + col;
            if (&p != positions.data() && p <= *(&p - 1)) {
                r.fail(at, where + ": connections must ascend without repeats");
            }
        }
        l.assign(positions);
        l.connections().for_each(
            [&](std::size_t, std::size_t, std::size_t slot) { live.push_back(slot); });
    } else {
        if (tag != tag_plain) r.fail(tag_at, where + ": expected the parameters of a layer");
    }
    std::uint32_t parameters = 0;
    for_each_parameter(l, [&](const parameter&) { ++parameters; });
    r.expect_u32(parameters, "parameter count of " + where);
    bool first = true;
    for_each_parameter(l, [&](parameter& p) {
        read_parameter(r, p, live, !(topology::plastic_layer<L> && first), where);
        first = false;
    });
    if constexpr (has_activity<L>) l.activity() = read_activity(r, L::output_size);
}

template <class Network>
void write_network(byte_writer& w, const Network& net) {
    std::size_t position = 0;
    net.for_each_layer([&](const auto& l) { write_layer(w, l, position++); });
}

template <class Network>
void read_network(byte_reader& r, Network& net) {
    std::size_t position = 0;
    net.for_each_layer([&](auto& l) { read_layer(r, l, position++); });
}

// The file's header and checksum around a body.
inline std::vector<std::byte> frame(std::uint32_t kind, std::string_view signature,
                                    std::vector<std::byte> body) {
    byte_writer w;
    for (const unsigned char c : checkpoint_magic) w.u8(c);
    w.u32(checkpoint_format_version);
    w.u32(kind);
    w.text(signature);
    w.u64(body.size());
    auto& bytes = w.bytes();
    bytes.insert(bytes.end(), body.begin(), body.end());
    const std::uint32_t sum = crc32(bytes);
    w.u32(sum);
    return std::move(w.bytes());
}

// Checks the header and checksum, and returns a reader over the body.
inline byte_reader unframe(std::span<const std::byte> bytes, const std::string& source,
                           std::uint32_t kind, std::string_view signature) {
    byte_reader r(bytes, source);
    constexpr std::size_t smallest = 8 + 4 + 4 + 4 + 8 + 4;
    if (bytes.size() < smallest) {
        r.fail(0, "truncated: expected a checkpoint of at least " + std::to_string(smallest) +
                      " bytes, found " + std::to_string(bytes.size()));
    }
    for (const unsigned char c : checkpoint_magic) {
        if (r.u8() != c) r.fail(0, "not a neuroplastic checkpoint (wrong magic bytes)");
    }
    const std::uint32_t version = r.u32();
    if (version == 0 || version > checkpoint_format_version) {
        r.fail(8, "format version " + std::to_string(version) + " is not one this build reads " +
                      "(expected 1 to " + std::to_string(checkpoint_format_version) +
                      "; a newer neuroplastic wrote it?)");
    }
    const std::size_t kind_at = r.offset();
    const std::uint32_t found_kind = r.u32();
    if (found_kind != kind) {
        const auto what = [](std::uint32_t k) {
            return k == network_checkpoint    ? std::string("a network")
                   : k == training_checkpoint ? std::string("a training checkpoint")
                                              : "kind " + std::to_string(k);
        };
        r.fail(kind_at, "expected " + what(kind) + ", found " + what(found_kind));
    }
    const std::size_t signature_at = r.offset();
    const std::string found = r.text();
    const std::size_t size_at = r.offset();
    const std::uint64_t size = r.u64();
    if (size != r.remaining() - std::min<std::size_t>(4, r.remaining())) {
        r.fail(size_at, "the body should be " + std::to_string(size) + " bytes, the file holds " +
                            std::to_string(r.remaining() >= 4 ? r.remaining() - 4 : 0) +
                            " (truncated or padded)");
    }
    const std::size_t end = bytes.size() - 4;
    std::uint32_t stored = 0;
    for (int i = 0; i < 4; ++i) stored |= std::uint32_t(bytes[end + std::size_t(i)]) << (8 * i);
    const std::uint32_t computed = crc32(bytes.first(end));
    if (stored != computed) {
        r.fail(end, "checksum mismatch: stored " + std::to_string(stored) + ", computed " +
                        std::to_string(computed) + " (the file is corrupt)");
    }
    if (found != signature) {
        r.fail(signature_at, "saved from another network: expected\n  " + std::string(signature) +
                                 "\nfound\n  " + found);
    }
    return byte_reader(bytes.subspan(r.offset(), static_cast<std::size_t>(size)), source,
                       r.offset());
}

inline void expect_end(const byte_reader& r) {
    if (r.remaining() != 0) {
        r.fail(r.offset(), "expected the end of the body, found " + std::to_string(r.remaining()) +
                               " more bytes");
    }
}

inline std::vector<std::byte> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(path.string() + ": cannot open the checkpoint for reading");
    std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw io_error(path.string() + ": reading the checkpoint failed");
    std::vector<std::byte> bytes(raw.size());
    std::memcpy(bytes.data(), raw.data(), raw.size());
    return bytes;
}

// Writes `bytes` to `path` through a temporary file in the same directory, flushed to disk and
// renamed over `path`: readers see the old file or the new one, never a part of either.
inline void write_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
    const std::filesystem::path directory =
        path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    static std::size_t counter = 0;
#if defined(__unix__) || defined(__APPLE__)
    const std::filesystem::path temporary =
        directory / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                     std::to_string(counter++));
    const auto fail = [&](const std::string& what) {
        const std::string reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        throw io_error(path.string() + ": " + what + ": " + reason);
    };
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw io_error(path.string() + ": cannot create a temporary file in " + directory.string() +
                       ": " + std::strerror(errno));
    }
    std::size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            fail("writing the checkpoint failed");
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        ::close(fd);
        fail("flushing the checkpoint to disk failed");
    }
    if (::close(fd) != 0) fail("closing the checkpoint failed");
    if (::rename(temporary.c_str(), path.c_str()) != 0) fail("renaming the checkpoint failed");
    // The rename itself is durable once the directory is flushed.
    const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
#else
    // Without POSIX: write, then rename; durability against power loss is not promised here.
    const std::filesystem::path temporary =
        directory / ("." + path.filename().string() + ".tmp." + std::to_string(counter++));
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
        out.flush();
        if (!out) throw io_error(path.string() + ": writing the checkpoint failed");
    }
    std::filesystem::rename(temporary, path);
#endif
}

template <class Optimizer>
void write_optimizer(byte_writer& w, const Optimizer& o) {
    if constexpr (requires { o.steps; }) {
        w.u8(1);
        w.u64(o.steps);
    } else {
        w.u8(0);
    }
}

template <class Optimizer>
void read_optimizer(byte_reader& r, Optimizer& o) {
    const std::size_t at = r.offset();
    const std::uint8_t has_steps = r.u8();
    if constexpr (requires { o.steps; }) {
        if (has_steps != 1) r.fail(at, "expected the optimiser's step count");
        o.steps = r.u64();
    } else {
        if (has_steps != 0)
            r.fail(at, "the checkpoint's optimiser keeps a step count, this one none");
    }
}

inline void write_rng(byte_writer& w, const rng& g) {
    for (const std::uint64_t word : g.state()) w.u64(word);
}

inline rng read_rng(byte_reader& r) {
    rng::state_type s{};
    for (auto& word : s) word = r.u64();
    rng g;
    g.set_state(s);
    return g;
}

}  // namespace detail

/// The checkpoint of `net` alone (its layers, live topology and optimiser state per parameter).
template <class Network>
[[nodiscard]] std::vector<std::byte> network_bytes(const Network& net) {
    detail::byte_writer body;
    detail::write_network(body, net);
    return detail::frame(detail::network_checkpoint, Network::signature(), std::move(body.bytes()));
}

/// Replaces `net` by the network in `bytes`; throws data_error, leaving `net` as it was, when
/// the bytes are not a whole, valid checkpoint of this network type. `source` names them in
/// messages.
template <class Network>
void load_network_bytes(std::span<const std::byte> bytes, Network& net, const std::string& source) {
    auto r = detail::unframe(bytes, source, detail::network_checkpoint, Network::signature());
    Network staged = net;
    detail::read_network(r, staged);
    detail::expect_end(r);
    net = std::move(staged);
}

/// Saves `net` to `path` atomically.
template <class Network>
void save_network(const std::filesystem::path& path, const Network& net) {
    detail::write_atomically(path, network_bytes(net));
}

/// Loads `net` from `path`, all or nothing.
template <class Network>
void load_network(const std::filesystem::path& path, Network& net) {
    load_network_bytes(detail::read_file(path), net, path.string());
}

/// The checkpoint of a training run: the network, the optimiser, the trainer's step and
/// position in its epochs, its shuffling generator, and the topology controller's state and
/// policy.
template <class Trainer>
[[nodiscard]] std::vector<std::byte> checkpoint_bytes(const Trainer& t) {
    using Network = std::remove_cvref_t<decltype(t.network())>;
    detail::byte_writer w;
    detail::write_network(w, t.network());
    detail::write_optimizer(w, t.optimizer_state());
    const training_progress& p = t.progress();
    w.u64(t.steps());
    w.u8(p.started ? 1 : 0);
    w.u64(p.epochs_done);
    w.u64(p.batches_done);
    detail::write_rng(w, p.shuffler);
    w.u64(p.order.size());
    for (const std::uint32_t i : p.order) w.u32(i);
    w.f64(p.loss_sum);
    w.u64(p.hits);
    w.u64(p.seen);
    const auto* control = t.topology_controller();
    w.u8(control != nullptr ? 1 : 0);
    if (control != nullptr) {
        w.text(topology::describe(control->settings()));
        detail::write_rng(w, control->generator());
        w.u64(control->momenta().size());
        for (const auto& m : control->momenta()) {
            detail::check_finite(m, "the topology momentum");
            w.floats(m);
        }
    }
    return detail::frame(detail::training_checkpoint, Network::signature(), std::move(w.bytes()));
}

/// Continues training from `bytes`: replaces the trainer's network, optimiser state, progress
/// and topology state. Call `use_topology` with the same policy first if the run had one. Throws
/// data_error, changing nothing, when the bytes are not a whole, valid checkpoint of this
/// network and policy.
template <class Trainer>
void load_checkpoint_bytes(std::span<const std::byte> bytes, Trainer& t,
                           const std::string& source) {
    using Network = std::remove_cvref_t<decltype(t.network())>;
    auto r = detail::unframe(bytes, source, detail::training_checkpoint, Network::signature());
    Network staged = t.network();
    detail::read_network(r, staged);
    auto optimizer = t.optimizer_state();
    detail::read_optimizer(r, optimizer);
    const std::uint64_t steps = r.u64();
    training_progress p;
    p.started = r.u8() != 0;
    p.epochs_done = static_cast<std::size_t>(r.u64());
    p.batches_done = static_cast<std::size_t>(r.u64());
    p.shuffler = detail::read_rng(r);
    const std::uint64_t samples = r.count(r.remaining() / 4, "samples in the epoch's order");
    p.order.resize(static_cast<std::size_t>(samples));
    std::vector<std::uint8_t> seen_sample(p.order.size(), 0);
    for (auto& i : p.order) {
        const std::size_t at = r.offset();
        i = r.u32();
        if (i >= samples || seen_sample[i]++ != 0) {
            r.fail(at, "the epoch's order is not a permutation of " + std::to_string(samples) +
                           " samples");
        }
    }
    p.loss_sum = r.f64();
    p.hits = static_cast<std::size_t>(r.u64());
    p.seen = static_cast<std::size_t>(r.u64());
    const std::size_t topology_at = r.offset();
    const bool has_topology = r.u8() != 0;
    auto* control = t.topology_controller();
    rng growth;
    std::vector<aligned_buffer<float>> momenta;
    if (has_topology != (control != nullptr)) {
        r.fail(topology_at, has_topology
                                ? "the run had a topology policy: call use_topology before loading"
                                : "the run had no topology policy, this trainer has one");
    }
    if (has_topology) {
        const std::size_t policy_at = r.offset();
        const std::string policy = r.text();
        const std::string expected = topology::describe(control->settings());
        if (policy != expected) {
            r.fail(policy_at, "saved under another topology policy: expected\n  " + expected +
                                  "\nfound\n  " + policy);
        }
        growth = detail::read_rng(r);
        const std::uint64_t layers = r.count(control->momenta().size(), "topology momenta");
        momenta.resize(static_cast<std::size_t>(layers));
        for (auto& m : momenta) {
            const std::vector<float> values =
                r.floats_up_to(r.remaining() / 4, "a topology momentum");
            m.assign_zeros(values.size());
            std::copy(values.begin(), values.end(), m.begin());
        }
    }
    detail::expect_end(r);
    // Everything has been read: replace the live state (moves that do not throw).
    t.network() = std::move(staged);
    t.restore(static_cast<std::size_t>(steps), std::move(p), std::move(optimizer));
    if (control != nullptr) control->restore(growth, std::move(momenta));
}

/// Saves a training run to `path` atomically (see checkpoint_bytes).
template <class Trainer>
void save_checkpoint(const std::filesystem::path& path, const Trainer& t) {
    detail::write_atomically(path, checkpoint_bytes(t));
}

/// Continues a training run from `path`, all or nothing (see load_checkpoint_bytes).
template <class Trainer>
void load_checkpoint(const std::filesystem::path& path, Trainer& t) {
    load_checkpoint_bytes(detail::read_file(path), t, path.string());
}

}  // namespace neuroplastic
