#include "core/gil.h"

namespace pt {

GilHooks& gil_hooks() {
  static GilHooks hooks;
  return hooks;
}

}  // namespace pt
