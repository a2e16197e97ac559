// libFuzzer target: the checkpoint loader on arbitrary bytes, both as a network and as a whole
// training run (with a topology policy, so every section of the format is reached). Any input
// must either load or throw a neuroplastic::error, without crashing, leaking or hanging, and a
// load that throws must leave the network and the training run exactly as they were (checked
// by comparing their saved bytes; a difference aborts).
//
// Random bytes almost never carry a valid checksum, which would keep the fuzzer at the door;
// so each input is also tried with its last four bytes replaced by the checksum of the rest,
// which lets malformed bodies reach the parser.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include <neuroplastic/io/checkpoint.hpp>
#include <neuroplastic/neuroplastic.hpp>

#include "fuzz_network.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace npl = neuroplastic;
    static fuzz::network net(1);
    static auto trainer = fuzz::make_trainer(net);
    const std::span<const std::byte> raw(reinterpret_cast<const std::byte*>(data), size);
    std::vector<std::byte> fixed(raw.begin(), raw.end());
    if (fixed.size() >= 4) {
        const std::uint32_t sum = npl::detail::crc32(std::span(fixed).first(fixed.size() - 4));
        for (std::size_t i = 0; i < 4; ++i) fixed[fixed.size() - 4 + i] = std::byte(sum >> (8 * i));
    }
    for (const std::span<const std::byte> bytes : {raw, std::span<const std::byte>(fixed)}) {
        const std::vector<std::byte> network_before = npl::network_bytes(net);
        try {
            npl::load_network_bytes(bytes, net, "fuzz input");
        } catch (const npl::error&) {
            if (npl::network_bytes(net) != network_before) std::abort();
        }
        const std::vector<std::byte> run_before = npl::checkpoint_bytes(trainer);
        try {
            npl::load_checkpoint_bytes(bytes, trainer, "fuzz input");
        } catch (const npl::error&) {
            if (npl::checkpoint_bytes(trainer) != run_before) std::abort();
        }
    }
    return 0;
}
