#include "simulate/cuda_checks.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "chokepoint/errors.hpp"

namespace chokepoint::cuda {

std::vector<ColumnCopy> batch_column_copies(std::uint64_t columns, std::uint64_t paths, std::uint64_t batch_stride,
                                            std::uint64_t first, std::uint64_t count, std::uint64_t element_bytes) {
  std::vector<ColumnCopy> copies;
  if (count == 0 || columns == 0) return copies;
  if (first + count > paths || count > batch_stride)
    throw std::logic_error("batch_column_copies: the batch does not fit its buffer or the run");
  for (std::uint64_t column = 0; column < columns; ++column) {
    const ColumnCopy copy{column * batch_stride * element_bytes, (column * paths + first) * element_bytes,
                          count * element_bytes};
    ColumnCopy* last = copies.empty() ? nullptr : &copies.back();
    if (last && last->device_offset + last->bytes == copy.device_offset &&
        last->host_offset + last->bytes == copy.host_offset) {
      last->bytes += copy.bytes;
    } else {
      copies.push_back(copy);
    }
  }
  return copies;
}

bool switch_on(const char* variable, const char* value) {
  if (value == nullptr) return false;
  std::string text(value);
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
  if (text.empty() || text == "0" || text == "false" || text == "no" || text == "off") return false;
  throw InputError({InputProblem{"(environment)", variable, "1, true, yes, on, or 0, false, no, off", value}});
}

bool sync_check_requested() {
  static const bool on = switch_on("CHOKEPOINT_CUDA_SYNC_CHECK", std::getenv("CHOKEPOINT_CUDA_SYNC_CHECK"));
  return on;
}

bool poison_requested() {
  static const bool on = switch_on("CHOKEPOINT_CUDA_POISON", std::getenv("CHOKEPOINT_CUDA_POISON"));
  return on;
}

std::string cuda_failure_message(const std::string& what, const std::string& error_name,
                                 const std::string& error_text, bool execution_error, bool sync_checked) {
  std::string message = "CUDA: " + what + ": " + error_name + " (" + error_text + ")";
  if (execution_error && !sync_checked)
    message += "; a kernel failed while it ran, perhaps one launched before this call: rerun with "
               "CHOKEPOINT_CUDA_SYNC_CHECK=1 to name it";
  return message;
}

PoisonedOutputs find_poisoned(const PathResults& results) {
  PoisonedOutputs found;
  for (int v = 0; v < results.variables; ++v)
    for (int y = 0; y < results.years; ++y) {
      const float* column = results.column(v, y);
      for (std::uint64_t p = 0; p < results.paths; ++p) {
        std::uint32_t bits;
        std::memcpy(&bits, column + p, sizeof bits);
        if (bits != 0xFFFFFFFFu) continue;
        if (found.values++ == 0 && found.first.empty())
          found.first = "variable " + std::to_string(v) + " year " + std::to_string(y) + " path " + std::to_string(p);
      }
    }
  for (int code = 0; code < results.binding_codes; ++code)
    for (int y = 0; y < results.years; ++y) {
      const std::uint8_t* column = results.binding_column(code, y);
      for (std::uint64_t p = 0; p < results.paths; ++p) {
        if (column[p] != kPoisonByte) continue;
        if (found.binding_steps++ == 0 && found.first.empty())
          found.first = "binding code " + std::to_string(code) + " year " + std::to_string(y) + " path " +
                        std::to_string(p);
      }
    }
  return found;
}

}  // namespace chokepoint::cuda
