// libFuzzer target: the CSV reader on arbitrary text. The first byte picks the options (label
// column, header, task, delimiter), the rest is the file. Any input must load or throw a
// neuroplastic::error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <neuroplastic/data/csv.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace npl = neuroplastic;
    if (size == 0) return 0;
    const std::uint8_t pick = data[0];
    npl::csv_options options;
    options.label = (pick & 1) ? npl::csv_label_column::last : npl::csv_label_column::first;
    options.header = (pick & 2) != 0;
    options.task = (pick & 4) ? npl::csv_task::regression : npl::csv_task::classification;
    options.targets = 1 + ((pick >> 3) & 1);
    options.delimiter = (pick & 16) ? ';' : ',';
    options.classes = (pick & 32) ? 10 : 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        (void)npl::read_csv_string(text, options, "fuzz");
    } catch (const npl::error&) {
    }
    return 0;
}
