#pragma once

// Prometheus metrics: a process-wide registry of counter, gauge and histogram families with
// fixed label names, rendered in the text exposition format 0.0.4 (REFERENCE.md
// "Observability"; prometheus.io/docs/instrumenting/exposition_formats/). Hot paths keep the
// series handle `family.with({...})` returns and update it with atomics; a mutex is taken only
// to find or create a series. Families and series are never removed, so handles stay valid for
// the life of the process.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace berth::telemetry {

namespace detail {
extern std::atomic<bool> metrics_enabled_flag;
}  // namespace detail

/// Turns recording on or off process-wide (the overhead benchmark compares both); when off,
/// `add`, `set` and `observe` do nothing. On by default.
void set_metrics_enabled(bool enabled);
/// Whether observations are recorded.
inline bool metrics_enabled() {
  return detail::metrics_enabled_flag.load(std::memory_order_relaxed);
}

/// The values of a series' labels, in the order of its family's label names.
using label_values = std::vector<std::string>;

/// A monotonically increasing count (one series of a counter family).
class counter {
 public:
  void add(std::uint64_t amount = 1) {
    if (metrics_enabled()) value_.fetch_add(amount, std::memory_order_relaxed);
  }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down (one series of a gauge family).
class gauge {
 public:
  void set(double value) {
    if (metrics_enabled()) value_.store(value, std::memory_order_relaxed);
  }
  void add(double amount) {
    if (metrics_enabled()) add_always(amount);
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  friend class gauge_presence;
  void add_always(double amount) { value_.fetch_add(amount, std::memory_order_relaxed); }
  std::atomic<double> value_{0};
};

/// Counts +1 on a gauge while present (a connection that is open, a session with a client),
/// and takes it back when cleared or destroyed. Balanced even if recording is switched off
/// in between, so the gauge never drifts. Not thread-safe: one owner.
class gauge_presence {
 public:
  explicit gauge_presence(gauge& counted) : counted_(&counted) {}
  ~gauge_presence() { set(false); }
  gauge_presence(const gauge_presence&) = delete;
  gauge_presence& operator=(const gauge_presence&) = delete;
  /// Idempotent: counts once however often it is set.
  void set(bool present);
  bool present() const { return counted_now_; }

 private:
  gauge* counted_;
  bool counted_now_ = false;
};

/// Observations sorted into buckets (one series of a histogram family).
class histogram {
 public:
  /// `upper_bounds` increasing, and outliving the histogram (its family's); a last `+Inf`
  /// bucket is implied.
  explicit histogram(const std::vector<double>& upper_bounds);
  void observe(double value);
  /// Observes the seconds elapsed since `start`.
  void observe_since(std::chrono::steady_clock::time_point start) {
    observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }

  /// A consistent-enough copy: per-bucket (not cumulative) counts, the last for `+Inf`.
  struct snapshot {
    std::vector<std::uint64_t> bucket_counts;
    double sum = 0;
  };
  snapshot read() const;

 private:
  const std::vector<double>& bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

/// Bucket bounds in seconds for latencies from half a millisecond to ten seconds.
const std::vector<double>& latency_buckets();
/// Bucket bounds for sizes 1 to 1,000 (events per batch).
const std::vector<double>& size_buckets();

/// The kind of a family, as its `# TYPE` line says.
enum class metric_type { counter, gauge, histogram };

/// A family: a name, help text, label names and its series by label values.
template <class Series>
class metric_family {
 public:
  metric_family(std::string name, std::string help, std::vector<std::string> label_names,
                std::vector<double> bounds = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        bounds_(std::move(bounds)) {}

  /// The series of these label values (one per label name), created on first use. Keep the
  /// reference on hot paths; it stays valid for the life of the family.
  Series& with(std::initializer_list<std::string_view> values) {
    label_values key;
    key.reserve(values.size());
    for (auto value : values)
      key.emplace_back(value);
    return with(std::move(key));
  }
  Series& with(label_values values) {
    // Only a programmer passes the wrong number of values: pad or cut rather than crash.
    values.resize(label_names_.size());
    {
      std::shared_lock lock(mutex_);
      if (auto found = series_.find(values); found != series_.end()) return *found->second;
    }
    std::unique_lock lock(mutex_);
    auto& slot = series_[std::move(values)];
    if (!slot) slot = make_series();
    return *slot;
  }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  const std::vector<double>& bounds() const { return bounds_; }

  /// Calls `visit(values, series)` for every series, under the family's lock.
  template <class Visit>
  void each(Visit&& visit) const {
    std::shared_lock lock(mutex_);
    for (const auto& [values, series] : series_)
      visit(values, *series);
  }

 private:
  std::unique_ptr<Series> make_series() {
    if constexpr (std::is_same_v<Series, histogram>) {
      return std::make_unique<histogram>(bounds_);
    } else {
      return std::make_unique<Series>();
    }
  }

  std::string name_, help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::shared_mutex mutex_;
  std::map<label_values, std::unique_ptr<Series>> series_;
};

using counter_family = metric_family<counter>;
using gauge_family = metric_family<gauge>;
using histogram_family = metric_family<histogram>;

/// What a scrape-time collector reports: gauge or counter samples read when scraped (rows of
/// a query, a runner's lag). Samples of a family already registered are merged into it; a
/// label set reported twice keeps the last value.
class metric_sink {
 public:
  void gauge(std::string_view name, std::string_view help,
             const std::vector<std::string>& label_names, label_values values, double value);
  void counter(std::string_view name, std::string_view help,
               const std::vector<std::string>& label_names, label_values values, double value);

  struct sample_family {
    metric_type type = metric_type::gauge;
    std::string help;
    std::vector<std::string> label_names;
    std::map<label_values, double> samples;
  };
  std::map<std::string, sample_family, std::less<>>& families() { return families_; }

 private:
  void add(metric_type type, std::string_view name, std::string_view help,
           const std::vector<std::string>& label_names, label_values values, double value);
  std::map<std::string, sample_family, std::less<>> families_;
};

/// Runs at every scrape on the scraping thread; may block briefly (a database query).
using metric_collector = std::function<void(metric_sink&)>;

class metric_registry;

/// Keeps a collector registered; destroying it removes the collector (waiting for a scrape
/// that is running it).
class collector_registration {
 public:
  collector_registration() = default;
  collector_registration(metric_registry* owner, std::uint64_t id) : owner_(owner), id_(id) {}
  collector_registration(collector_registration&& other) noexcept;
  collector_registration& operator=(collector_registration&& other) noexcept;
  ~collector_registration();

 private:
  metric_registry* owner_ = nullptr;
  std::uint64_t id_ = 0;
};

/// Families by name and the scrape-time collectors. Thread-safe.
class metric_registry {
 public:
  /// The family of this name, created on first call; later calls with the same name return
  /// the same family (the help and labels of the first call hold).
  counter_family& counter(std::string_view name, std::string_view help,
                          std::vector<std::string> label_names = {});
  gauge_family& gauge(std::string_view name, std::string_view help,
                      std::vector<std::string> label_names = {});
  histogram_family& histogram(std::string_view name, std::string_view help,
                              std::vector<std::string> label_names,
                              const std::vector<double>& bounds);

  /// Adds a collector, run at every `render`.
  [[nodiscard]] collector_registration add_collector(metric_collector collect);

  /// Every family in the Prometheus text format 0.0.4, ordered by name: one HELP and TYPE
  /// line per family, its samples right after, each label set once, a final newline.
  std::string render() const;

 private:
  friend class collector_registration;
  void remove_collector(std::uint64_t id);

  struct entry {
    metric_type type;
    std::unique_ptr<counter_family> counters;
    std::unique_ptr<gauge_family> gauges;
    std::unique_ptr<histogram_family> histograms;
  };
  entry& find_or_add(metric_type type, std::string_view name, std::string_view help,
                     std::vector<std::string> label_names, const std::vector<double>& bounds);

  mutable std::mutex families_mutex_;
  std::map<std::string, entry, std::less<>> families_;
  mutable std::mutex collectors_mutex_;  ///< held while collectors run, so removal waits
  std::map<std::uint64_t, metric_collector> collectors_;
  std::uint64_t next_collector_id_ = 1;
};

/// The process-wide registry that `GET /metrics` renders.
metric_registry& metrics();

/// Appends a label value escaped for the text format (`\\`, `\"`, `\n`).
void append_label_value_escaped(std::string& out, std::string_view value);
/// Formats a sample value: integers without a fraction, `+Inf`, `-Inf`, `NaN`.
std::string format_metric_value(double value);

}  // namespace berth::telemetry
