// Writes topology reports to a file as CSV (one row per layer per report) or as JSON lines (one
// object per report, its layers in an array), chosen by the file's extension.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "../core/error.hpp"
#include "controller.hpp"

namespace neuroplastic::topology {

/// A file of topology reports; CSV if its name ends in .csv, JSON lines otherwise.
class log_file {
public:
    explicit log_file(const std::filesystem::path& path)
        : file_(std::fopen(path.c_str(), "w"), &std::fclose), csv_(path.extension() == ".csv") {
        if (!file_) throw io_error(path.string() + ": cannot open the topology log for writing");
        if (csv_) {
            std::fputs(
                "event,epoch,step,drop_fraction,layer,inputs,outputs,sparse,live,density,"
                "pruned,grown,dormant,mean_abs_weight\n",
                file_.get());
        }
        path_ = path.string();
    }

    void write(const report& r) {
        const char* event = r.event == report::kind::update ? "update" : "epoch";
        if (csv_) {
            for (const auto& l : r.layers) {
                std::fprintf(file_.get(),
                             "%s,%zu,%zu,%.6g,%zu,%zu,%zu,%d,%zu,%.6g,%zu,%zu,%zu,%.6g\n", event,
                             r.epoch, r.step, r.drop_fraction, l.layer, l.inputs, l.outputs,
                             l.sparse ? 1 : 0, l.live, l.density, l.pruned, l.grown, l.dormant,
                             l.mean_abs_weight);
            }
        } else {
            std::fprintf(
                file_.get(),
                "{\"event\": \"%s\", \"epoch\": %zu, \"step\": %zu, \"drop_fraction\": %.6g, "
                "\"layers\": [",
                event, r.epoch, r.step, r.drop_fraction);
            for (std::size_t i = 0; i < r.layers.size(); ++i) {
                const auto& l = r.layers[i];
                std::fprintf(
                    file_.get(),
                    "%s{\"layer\": %zu, \"inputs\": %zu, \"outputs\": %zu, \"sparse\": %s, "
                    "\"live\": %zu, \"density\": %.6g, \"pruned\": %zu, \"grown\": %zu, "
                    "\"dormant\": %zu, \"mean_abs_weight\": %.6g}",
                    i == 0 ? "" : ", ", l.layer, l.inputs, l.outputs, l.sparse ? "true" : "false",
                    l.live, l.density, l.pruned, l.grown, l.dormant, l.mean_abs_weight);
            }
            std::fputs("]}\n", file_.get());
        }
        if (std::ferror(file_.get())) throw io_error(path_ + ": writing the topology log failed");
        std::fflush(file_.get());
    }

private:
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
    bool csv_;
    std::string path_;
};

}  // namespace neuroplastic::topology
