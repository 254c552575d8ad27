#include "telemetry/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace berth::telemetry {

namespace detail {
std::atomic<bool> metrics_enabled_flag{true};
}  // namespace detail

void set_metrics_enabled(bool enabled) {
  detail::metrics_enabled_flag.store(enabled, std::memory_order_relaxed);
}

void gauge_presence::set(bool present) {
  if (present == counted_now_) return;
  counted_now_ = present;
  counted_->add_always(present ? 1 : -1);
}

histogram::histogram(const std::vector<double>& upper_bounds)
    : bounds_(upper_bounds),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds.size() + 1)) {}

void histogram::observe(double value) {
  if (!metrics_enabled()) return;
  // `le` is inclusive: the first bound not below the value; past the last one is +Inf.
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

histogram::snapshot histogram::read() const {
  snapshot copy;
  copy.bucket_counts.reserve(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i)
    copy.bucket_counts.push_back(counts_[i].load(std::memory_order_relaxed));
  copy.sum = sum_.load(std::memory_order_relaxed);
  return copy;
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                          0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return bounds;
}

const std::vector<double>& size_buckets() {
  static const std::vector<double> bounds{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
  return bounds;
}

// --- Collectors ----------------------------------------------------------------------------

void metric_sink::gauge(std::string_view name, std::string_view help,
                        const std::vector<std::string>& label_names, label_values values,
                        double value) {
  add(metric_type::gauge, name, help, label_names, std::move(values), value);
}

void metric_sink::counter(std::string_view name, std::string_view help,
                          const std::vector<std::string>& label_names, label_values values,
                          double value) {
  add(metric_type::counter, name, help, label_names, std::move(values), value);
}

void metric_sink::add(metric_type type, std::string_view name, std::string_view help,
                      const std::vector<std::string>& label_names, label_values values,
                      double value) {
  auto found = families_.find(name);
  if (found == families_.end()) {
    found = families_
                .emplace(std::string(name), sample_family{type, std::string(help), label_names, {}})
                .first;
  }
  values.resize(found->second.label_names.size());
  found->second.samples[std::move(values)] = value;
}

collector_registration::collector_registration(collector_registration&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), id_(other.id_) {}

collector_registration& collector_registration::operator=(collector_registration&& other) noexcept {
  if (this != &other) {
    if (owner_) owner_->remove_collector(id_);
    owner_ = std::exchange(other.owner_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

collector_registration::~collector_registration() {
  if (owner_) owner_->remove_collector(id_);
}

collector_registration metric_registry::add_collector(metric_collector collect) {
  std::lock_guard lock(collectors_mutex_);
  const auto id = next_collector_id_++;
  collectors_.emplace(id, std::move(collect));
  return {this, id};
}

void metric_registry::remove_collector(std::uint64_t id) {
  std::lock_guard lock(collectors_mutex_);
  collectors_.erase(id);
}

// --- Families ------------------------------------------------------------------------------

metric_registry::entry& metric_registry::find_or_add(metric_type type, std::string_view name,
                                                     std::string_view help,
                                                     std::vector<std::string> label_names,
                                                     const std::vector<double>& bounds) {
  std::lock_guard lock(families_mutex_);
  if (auto found = families_.find(name); found != families_.end()) {
    // Two meanings under one name is a programming error, found at start-up.
    if (found->second.type != type) {
      throw std::logic_error("metric " + std::string(name) + " registered with another type");
    }
    return found->second;
  }
  entry added{type, nullptr, nullptr, nullptr};
  std::string owned_name(name);
  std::string owned_help(help);
  switch (type) {
    case metric_type::counter:
      added.counters = std::make_unique<counter_family>(owned_name, owned_help, label_names);
      break;
    case metric_type::gauge:
      added.gauges = std::make_unique<gauge_family>(owned_name, owned_help, label_names);
      break;
    case metric_type::histogram:
      added.histograms =
          std::make_unique<histogram_family>(owned_name, owned_help, label_names, bounds);
      break;
  }
  return families_.emplace(std::move(owned_name), std::move(added)).first->second;
}

counter_family& metric_registry::counter(std::string_view name, std::string_view help,
                                         std::vector<std::string> label_names) {
  return *find_or_add(metric_type::counter, name, help, std::move(label_names), {}).counters;
}

gauge_family& metric_registry::gauge(std::string_view name, std::string_view help,
                                     std::vector<std::string> label_names) {
  return *find_or_add(metric_type::gauge, name, help, std::move(label_names), {}).gauges;
}

histogram_family& metric_registry::histogram(std::string_view name, std::string_view help,
                                             std::vector<std::string> label_names,
                                             const std::vector<double>& bounds) {
  return *find_or_add(metric_type::histogram, name, help, std::move(label_names), bounds)
              .histograms;
}

metric_registry& metrics() {
  static metric_registry registry;
  return registry;
}

// --- Text format ---------------------------------------------------------------------------

void append_label_value_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

std::string format_metric_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  // Shortest text that reads back as the same double; integers have no fraction.
  const auto written = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, written.ptr);
}

namespace {

const char* type_name(metric_type type) {
  switch (type) {
    case metric_type::counter:
      return "counter";
    case metric_type::gauge:
      return "gauge";
    case metric_type::histogram:
      return "histogram";
  }
  return "untyped";
}

void append_help(std::string& out, std::string_view name, std::string_view help, metric_type type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type_name(type);
  out += '\n';
}

/// `{a="x",b="y"}` (with `le` last when given), or nothing for no labels.
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const label_values& values, const std::string* le = nullptr) {
  if (names.empty() && !le) return;
  out += '{';
  bool first = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += names[i];
    out += "=\"";
    append_label_value_escaped(out, i < values.size() ? values[i] : std::string());
    out += '"';
  }
  if (le) {
    if (!first) out += ',';
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, const std::vector<std::string>& names,
                   const label_values& values, double value, const std::string* le = nullptr) {
  out += name;
  append_labels(out, names, values, le);
  out += ' ';
  out += format_metric_value(value);
  out += '\n';
}

void append_histogram(std::string& out, const histogram_family& family) {
  const auto& names = family.label_names();
  std::vector<std::string> bounds;
  for (double bound : family.bounds())
    bounds.push_back(format_metric_value(bound));
  bounds.push_back("+Inf");
  const auto bucket_name = family.name() + "_bucket";
  family.each([&](const label_values& values, const histogram& series) {
    const auto copy = series.read();
    // Cumulative from one copy, so +Inf equals _count even while others observe.
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < copy.bucket_counts.size(); ++i) {
      cumulative += copy.bucket_counts[i];
      append_sample(out, bucket_name, names, values, static_cast<double>(cumulative), &bounds[i]);
    }
    append_sample(out, family.name() + "_sum", names, values, copy.sum);
    append_sample(out, family.name() + "_count", names, values, static_cast<double>(cumulative));
  });
}

}  // namespace

std::string metric_registry::render() const {
  metric_sink collected;
  {
    std::lock_guard lock(collectors_mutex_);
    for (const auto& [id, collect] : collectors_)
      collect(collected);
  }
  auto& extra = collected.families();
  std::map<std::string, std::string, std::less<>> blocks;
  {
    std::lock_guard lock(families_mutex_);
    for (const auto& [name, family] : families_) {
      std::string block;
      if (family.type == metric_type::histogram) {
        append_help(block, name, family.histograms->help(), family.type);
        append_histogram(block, *family.histograms);
        extra.erase(name);  // a collector cannot add samples to a histogram
      } else {
        std::map<label_values, double> samples;
        const std::vector<std::string>* names = nullptr;
        const std::string* help = nullptr;
        if (family.type == metric_type::counter) {
          family.counters->each([&](const label_values& values, const telemetry::counter& c) {
            samples[values] = static_cast<double>(c.value());
          });
          names = &family.counters->label_names();
          help = &family.counters->help();
        } else {
          family.gauges->each([&](const label_values& values, const telemetry::gauge& g) {
            samples[values] = g.value();
          });
          names = &family.gauges->label_names();
          help = &family.gauges->help();
        }
        if (auto found = extra.find(name); found != extra.end()) {
          if (found->second.label_names == *names) {
            for (auto& [values, value] : found->second.samples)
              samples[values] = value;
          }
          extra.erase(found);
        }
        append_help(block, name, *help, family.type);
        for (const auto& [values, value] : samples)
          append_sample(block, name, *names, values, value);
      }
      blocks.emplace(name, std::move(block));
    }
  }
  for (const auto& [name, family] : extra) {
    std::string block;
    append_help(block, name, family.help, family.type);
    for (const auto& [values, value] : family.samples)
      append_sample(block, name, family.label_names, values, value);
    blocks.emplace(name, std::move(block));
  }
  std::string out;
  for (const auto& [name, block] : blocks)
    out += block;
  return out;
}

}  // namespace berth::telemetry
