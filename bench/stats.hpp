#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace berth::bench {

/// The `q` quantile (0..1) of `samples` by nearest rank; 0 when there are none.
inline double percentile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
  const auto index = std::min(samples.size() - 1, rank == 0 ? 0 : rank - 1);
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(index),
                   samples.end());
  return samples[index];
}

}  // namespace berth::bench
