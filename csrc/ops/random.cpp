#include "ops/random.h"

#include <cmath>
#include <limits>

#include "autograd/grad_mode.h"
#include "core/error.h"
#include "core/iter.h"
#include "cpu/random.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/elementwise.h"
#include "ops/factory.h"

namespace pt::ops {

static void require_floating(DType dtype, const char* op) {
  PT_CHECK(is_floating(dtype), NotImplementedError, "\"", op, "\" not implemented for '", dtype,
           "' (it needs a floating point dtype)");
}

static void require_cpu(const Tensor& t, const char* op) {
  PT_CHECK(t->device().is_cpu(), NotImplementedError, op, ": tensors on ", t->device().str(),
           " are not supported yet");
}

// The generator for a tensor on `device`: `gen` when given, else the device's default one.
static Generator& generator_for(const GeneratorPtr& gen, Device device) {
  return gen ? *gen : device.is_cuda() ? cuda::generator() : *default_generator();
}

// Calls the CPU or the CUDA sampler `name` for out's device: both take (out, args..., gen).
#define PT_SAMPLE(name, out, gen, ...)                                              \
  ((out)->device().is_cuda()                                                       \
       ? cuda::name(out, __VA_ARGS__, generator_for(gen, (out)->device()))         \
       : cpu::name(out, __VA_ARGS__, generator_for(gen, (out)->device())))

// Runs kernel(out) on a contiguous tensor on t's device: `t` itself when it is one, else a
// staging tensor that is then copied into `t` (strided views).
template <class F>
static const Tensor& sample_into(const Tensor& t, const char* op, const F& kernel) {
  if (t->is_contiguous()) {
    t->bump_version();
    kernel(t);
    return t;
  }
  Tensor tmp = pt::empty(t->sizes(), t->dtype(), t->device());
  kernel(tmp);
  return copy_(t, tmp, op);
}

// A new tensor of `size` on `device` filled by kernel(out).
template <class F>
static Tensor sample_new(const DimVec& size, DType dtype, Device device, const F& kernel) {
  check_size(size);
  Tensor t = pt::empty(size, dtype, device);
  kernel(t);
  return t;
}

// The values [lowest, highest] a random integer of `dtype` may take (floats: the integers
// they hold exactly).
static std::pair<int64_t, int64_t> integer_bounds(DType dtype) {
  switch (dtype) {
    case DType::Bool: return {0, 1};
    case DType::UInt8: return {0, 255};
    case DType::Int32: return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case DType::Int64: return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
    case DType::Float32: return {-(int64_t{1} << 24), int64_t{1} << 24};
    case DType::Float64: return {-(int64_t{1} << 53), int64_t{1} << 53};
  }
  return {0, 0};
}

// Checks [from, to) against dtype and returns its width (0 stands for 2**64).
static uint64_t checked_range(int64_t from, std::optional<int64_t> to, DType dtype, const char* op) {
  const auto [lo, hi] = integer_bounds(dtype);
  PT_CHECK(from >= lo && from <= hi, RuntimeError, op, ": from=", from, " is out of bounds for ", dtype);
  if (!to) return static_cast<uint64_t>(hi) - static_cast<uint64_t>(from) + 1;
  PT_CHECK(from < *to, RuntimeError, op, " expects 'from' to be less than 'to', but got from=",
           from, " >= to=", *to);
  PT_CHECK(*to - 1 <= hi, RuntimeError, op, ": to - 1 = ", *to - 1, " is out of bounds for ", dtype);
  return static_cast<uint64_t>(*to) - static_cast<uint64_t>(from);
}

Tensor rand(const DimVec& size, DType dtype, Device device, const GeneratorPtr& gen) {
  require_floating(dtype, "rand");
  return sample_new(size, dtype, device,
                    [&](const Tensor& t) { PT_SAMPLE(uniform, t, gen, 0.0, 1.0); });
}

Tensor randn(const DimVec& size, DType dtype, Device device, const GeneratorPtr& gen) {
  return normal(0.0, 1.0, size, dtype, device, gen);
}

Tensor randint(int64_t low, int64_t high, const DimVec& size, DType dtype, Device device,
               const GeneratorPtr& gen) {
  const uint64_t range = checked_range(low, high, dtype, "random_");
  return sample_new(size, dtype, device,
                    [&](const Tensor& t) { PT_SAMPLE(random_range, t, gen, low, range); });
}

Tensor randperm(int64_t n, DType dtype, Device device, const GeneratorPtr& gen) {
  check_size(DimVec{n});
  PT_CHECK(n == 0 || n - 1 <= integer_bounds(dtype).second, RuntimeError, "randperm: n=", n,
           " is too large for dtype ", dtype);
  Tensor perm = sample_new(DimVec{n}, DType::Int64, cpu_device(),
                           [&](const Tensor& t) { cpu::randperm(t, generator_or_default(gen)); });
  return to(perm, dtype, device);
}

// out = mean + std * out with mean and std broadcast to out; false when some std < 0.
static bool shift_scale_(const Tensor& out, const Tensor& mean, const Tensor& std) {
  const DimVec ms = broadcast_strides(mean, out->sizes(), "normal");
  const DimVec ss = broadcast_strides(std, out->sizes(), "normal");
  const Operand ops[3] = {{static_cast<char*>(out->raw_data()), &out->strides(), out->itemsize()},
                          {static_cast<char*>(mean->raw_data()), &ms, mean->itemsize()},
                          {static_cast<char*>(std->raw_data()), &ss, std->itemsize()}};
  StridedLoop loop(out->sizes(), 3, ops);
  std::atomic<bool> ok{true};
  PT_DISPATCH_FLOAT(out->dtype(), "normal", [&] {
    loop.run([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        auto* o = reinterpret_cast<scalar_t*>(p[0] + i * s[0]);
        const scalar_t m = *reinterpret_cast<const scalar_t*>(p[1] + i * s[1]);
        const scalar_t sd = *reinterpret_cast<const scalar_t*>(p[2] + i * s[2]);
        if (!(sd >= 0)) ok.store(false, std::memory_order_relaxed);
        *o = m + sd * *o;
      }
    });
  });
  return ok.load();
}

// A device std is checked on the host (one copy back), then mean + std * z runs as the
// device's elementwise ops.
static Tensor shift_scale_cuda(const Tensor& z, const Tensor& mean, const Tensor& std) {
  const Tensor host = to(std, DType::Float64, cpu_device());
  const Tensor hc = contiguous(host);
  const double* v = hc->data<double>();
  for (int64_t i = 0; i < hc->numel(); ++i)
    PT_CHECK(v[i] >= 0, RuntimeError, "normal expects all elements of std >= 0.0");
  autograd::GradModeGuard no_grad(false);
  return add(mean, mul(std, z));
}

Tensor normal(const Tensor& mean, const Tensor& std, const GeneratorPtr& gen) {
  const Device dev = same_device("normal", {&mean, &std});
  const DType dtype = promote_types(mean->dtype(), std->dtype());
  require_floating(dtype, "normal");
  const DimVec shape = broadcast_shapes(mean->sizes(), std->sizes(), "normal");
  Tensor out = pt::empty(shape, dtype, dev);
  PT_SAMPLE(normal, out, gen, 0.0, 1.0);
  if (dev.is_cuda()) return shift_scale_cuda(out, to(mean, dtype, dev), to(std, dtype, dev));
  PT_CHECK(shift_scale_(out, to(mean, dtype, cpu_device()), to(std, dtype, cpu_device())),
           RuntimeError, "normal expects all elements of std >= 0.0");
  return out;
}

static void check_std(double std) {
  PT_CHECK(std >= 0.0, RuntimeError, "normal expects std >= 0.0, but found std ", std);
}

Tensor normal(double mean, double std, const DimVec& size, DType dtype, Device device,
              const GeneratorPtr& gen) {
  require_floating(dtype, "normal");
  check_std(std);
  return sample_new(size, dtype, device,
                    [&](const Tensor& t) { PT_SAMPLE(normal, t, gen, mean, std); });
}

// p as a contiguous float64 tensor of `shape` on `device`, checked to hold probabilities
// (on the host: a device p is copied back once for the check).
static Tensor probabilities(const Tensor& p, const DimVec& shape, Device device, const char* op) {
  Tensor pd = pt::empty(shape, DType::Float64, device);
  copy_(pd, p, op);
  const Tensor host = device.is_cpu() ? pd : to(pd, DType::Float64, cpu_device());
  const double* v = host->data<double>();
  for (int64_t i = 0; i < pd->numel(); ++i)
    PT_CHECK(v[i] >= 0 && v[i] <= 1, RuntimeError, op,
             ": expected all probabilities to be in [0, 1] (p_in >= 0 && p_in <= 1), but found ", v[i]);
  return pd;
}

Tensor bernoulli(const Tensor& p, const GeneratorPtr& gen) {
  require_floating(p->dtype(), "bernoulli");
  Tensor pd = probabilities(p, p->sizes(), p->device(), "bernoulli");
  Tensor out = pt::empty(p->sizes(), p->dtype(), p->device());
  PT_SAMPLE(bernoulli, out, gen, pd);
  return out;
}

Tensor bernoulli(const Tensor& input, double p, const GeneratorPtr& gen) {
  Tensor out = pt::empty(input->sizes(), input->dtype(), input->device());
  return bernoulli_(out, p, gen);
}

const Tensor& bernoulli_(const Tensor& t, double p, const GeneratorPtr& gen) {
  PT_CHECK(p >= 0 && p <= 1, RuntimeError, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  return sample_into(t, "bernoulli_",
                     [&](const Tensor& o) { PT_SAMPLE(bernoulli, o, gen, p); });
}

const Tensor& bernoulli_(const Tensor& t, const Tensor& p, const GeneratorPtr& gen) {
  require_floating(p->dtype(), "bernoulli_");
  Tensor pd = probabilities(p, t->sizes(), same_device("bernoulli_", {&t, &p}), "bernoulli_");
  return sample_into(t, "bernoulli_",
                     [&](const Tensor& o) { PT_SAMPLE(bernoulli, o, gen, pd); });
}

Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement,
                   const GeneratorPtr& gen) {
  require_cpu(probs, "multinomial");
  PT_CHECK(probs->dim() == 1 || probs->dim() == 2, RuntimeError,
           "multinomial: prob_dist must be 1 or 2 dim, got shape ", probs->sizes());
  PT_CHECK(is_floating(probs->dtype()), RuntimeError,
           "multinomial only supports floating-point dtypes for input, got: ", probs->dtype());
  PT_CHECK(num_samples > 0, RuntimeError, "cannot sample n_sample <= 0 samples");
  const int64_t n = probs->sizes()[probs->dim() - 1];
  const int64_t rows = probs->dim() == 2 ? probs->sizes()[0] : 1;
  PT_CHECK(replacement || num_samples <= n, RuntimeError,
           "cannot sample n_sample > prob_dist.size(-1) samples without replacement (n_sample ",
           num_samples, ", ", n, " categories)");
  Tensor w = pt::empty({rows, n}, DType::Float64);
  copy_(w, probs->dim() == 2 ? probs : make_view(probs, {1, n}, {0, probs->strides()[0]}, probs->offset()),
        "multinomial");
  const double* wv = w->data<double>();
  for (int64_t r = 0; r < rows; ++r) {
    double total = 0;
    int64_t positive = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double x = wv[r * n + i];
      PT_CHECK(std::isfinite(x) && x >= 0, RuntimeError,
               "multinomial: probability tensor contains either `inf`, `nan` or element < 0");
      total += x;
      positive += x > 0;
    }
    PT_CHECK(total > 0, RuntimeError, "multinomial: invalid multinomial distribution (sum of probabilities <= 0)");
    PT_CHECK(replacement || positive >= num_samples, RuntimeError,
             "multinomial: invalid multinomial distribution (with replacement=False, not enough "
             "non-negative category to sample)");
  }
  Tensor out = pt::empty({rows, num_samples}, DType::Int64);
  if (rows > 0) cpu::multinomial(out, w, replacement, generator_or_default(gen));
  return probs->dim() == 2 ? out : make_view(out, {num_samples}, {1}, 0);
}

const Tensor& uniform_(const Tensor& t, double from, double to, const GeneratorPtr& gen) {
  require_floating(t->dtype(), "uniform_");
  PT_CHECK(from <= to, RuntimeError, "uniform_ expects to return a [from, to) range, but found from=",
           from, " > to=", to);
  PT_CHECK(std::isfinite(to - from), RuntimeError, "uniform_ expects to-from to be finite, but got from=",
           from, ", to=", to);
  return sample_into(t, "uniform_",
                     [&](const Tensor& o) { PT_SAMPLE(uniform, o, gen, from, to); });
}

const Tensor& normal_(const Tensor& t, double mean, double std, const GeneratorPtr& gen) {
  require_floating(t->dtype(), "normal_");
  check_std(std);
  return sample_into(t, "normal_",
                     [&](const Tensor& o) { PT_SAMPLE(normal, o, gen, mean, std); });
}

const Tensor& random_(const Tensor& t, int64_t from, std::optional<int64_t> to,
                      const GeneratorPtr& gen) {
  const uint64_t range = checked_range(from, to, t->dtype(), "random_");
  return sample_into(t, "random_",
                     [&](const Tensor& o) { PT_SAMPLE(random_range, o, gen, from, range); });
}

const Tensor& exponential_(const Tensor& t, double lambd, const GeneratorPtr& gen) {
  require_floating(t->dtype(), "exponential_");
  PT_CHECK(lambd > 0, RuntimeError, "exponential_ expects lambda > 0.0, but found lambda=", lambd);
  return sample_into(t, "exponential_",
                     [&](const Tensor& o) { PT_SAMPLE(exponential, o, gen, lambd); });
}

}  // namespace pt::ops
