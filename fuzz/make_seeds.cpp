// Writes the checkpoint seed corpus: a fresh network, a trained one, and training checkpoints
// at the start, mid-epoch and after topology updates. Run it from the repository's root:
//   build/.../fuzz/make_seeds fuzz/corpus/checkpoint
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <neuroplastic/io/checkpoint.hpp>
#include <neuroplastic/neuroplastic.hpp>

#include "fuzz_network.hpp"

namespace {

void write(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
    namespace npl = neuroplastic;
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds DIRECTORY\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    npl::dataset data("seeds", 6, 3);
    npl::rng g(1);
    for (int i = 0; i < 40; ++i) {
        const float x[6] = {g.uniform(), g.uniform(), g.uniform(), g.uniform(), g.uniform(), g.uniform()};
        data.add(x, static_cast<std::uint32_t>(g.below(3)));
    }
    fuzz::network net(1);
    auto trainer = fuzz::make_trainer(net);
    write(dir / "network-fresh.ckpt", npl::network_bytes(net));
    write(dir / "run-start.ckpt", npl::checkpoint_bytes(trainer));
    trainer.on_step([&](const npl::step_report& r) {
        if (r.step == 3) trainer.request_stop();
    });
    trainer.fit(data, nullptr, {.epochs = 2, .batch_size = 8, .seed = 2});
    write(dir / "run-mid-epoch.ckpt", npl::checkpoint_bytes(trainer));
    trainer.fit(data, nullptr, {.epochs = 2, .batch_size = 8, .seed = 2});
    write(dir / "run-end.ckpt", npl::checkpoint_bytes(trainer));
    write(dir / "network-trained.ckpt", npl::network_bytes(net));
    return 0;
}
