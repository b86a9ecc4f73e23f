// Backend settings (backend.h) and OpenBLAS's configuration calls.
#include "kernels/backend.h"

#include <algorithm>
#ifdef TL_HAVE_OPENBLAS
extern "C" {
void openblas_set_num_threads(int);
char* openblas_get_config(void);
}
#endif

namespace tl {

#ifdef TL_HAVE_OPENBLAS
static bool g_useBlas = true;
#else
static bool g_useBlas = false;
#endif
static int g_threads = 1;

bool gemmCompiledWithBlas() {
#ifdef TL_HAVE_OPENBLAS
  return true;
#else
  return false;
#endif
}
bool gemmUsesBlas() { return g_useBlas; }
void gemmSetBackend(bool useBlas) { g_useBlas = useBlas && gemmCompiledWithBlas(); }
void setThreads(int n) {
  g_threads = std::max(1, n);
#ifdef TL_HAVE_OPENBLAS
  openblas_set_num_threads(1);  // threads come from the kernel pool (see gemm.cc)
#endif
}
int getThreads() { return g_threads; }
std::string blasConfig() {
#ifdef TL_HAVE_OPENBLAS
  return std::string(openblas_get_config());
#else
  return std::string("portable fallback (built without OpenBLAS)");
#endif
}

}  // namespace tl
