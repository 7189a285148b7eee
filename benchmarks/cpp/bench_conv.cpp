// conv2d forward, input gradient and weight gradient (NCHW, float32, no bias) for the
// tutorials' layers; the gradients run through the autograd node, which computes only the
// gradient asked for.
#include "bench_util.h"
#include "ops/conv.h"

namespace ptbench {
namespace {

struct Layer {
  const char* name;
  int64_t n, c, o, h, w, k, pad;
};

// The MNIST CNN (1->32 3x3 on 28x28, then 32->32 on the pooled 13x13; bench_conv.py's
// 32->64 on 26x26 too, to compare with the Python suite), LeNet's two convolutions and a
// ResNet 3x3 block layer.
const Layer kLayers[] = {
    {"mnist_c1_1x32_k3_28", 64, 1, 32, 28, 28, 3, 0},
    {"mnist_c2_32x32_k3_13", 64, 32, 32, 13, 13, 3, 0},
    {"mnist_c2_32x64_k3_26", 64, 32, 64, 26, 26, 3, 0},
    {"lenet_c1_3x6_k5_32", 64, 3, 6, 32, 32, 5, 0},
    {"lenet_c2_6x16_k5_14", 64, 6, 16, 14, 14, 5, 0},
    {"resnet_64x64_k3_56", 8, 64, 64, 56, 56, 3, 1},
};

enum class Pass { Forward, GradInput, GradWeight };

Tensor conv(const Layer& l, const Tensor& x, const Tensor& w) {
  return pt::ops::conv2d(x, w, std::nullopt, {1}, {{l.pad}, false}, {1}, 1);
}

void layer(const Layer& l, Pass pass) {
  const char* what = pass == Pass::Forward ? "fwd" : pass == Pass::GradInput ? "bwd_input" : "bwd_weight";
  const int64_t oh = l.h + 2 * l.pad - l.k + 1, ow = l.w + 2 * l.pad - l.k + 1;
  const Work work{2.0 * l.n * l.o * oh * ow * l.c * l.k * l.k, 0, DType::Float32};
  add(std::string("conv2d_") + what + "/" + l.name + "/n" + std::to_string(l.n), [=](benchmark::State& st) {
    const DimVec xs{l.n, l.c, l.h, l.w}, ws{l.o, l.c, l.k, l.k};
    const Tensor x = pass == Pass::GradInput ? leaf(xs) : randn(xs);
    const Tensor w = pass == Pass::GradWeight ? leaf(ws) : randn(ws);
    if (pass == Pass::Forward) {
      measure(st, work, [&] { benchmark::DoNotOptimize(conv(l, x, w)); });
    } else {
      measure_backward(st, work, conv(l, x, w), randn({l.n, l.o, oh, ow}),
                       pass == Pass::GradInput ? x : w);
    }
  });
}

const bool registered = [] {
  for (const Layer& l : kLayers)
    for (Pass p : {Pass::Forward, Pass::GradInput, Pass::GradWeight}) layer(l, p);
  return true;
}();

}  // namespace
}  // namespace ptbench
