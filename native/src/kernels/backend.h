// Process-wide settings of the kernels: which GEMM runs (OpenBLAS or the portable loop) and how many threads
// the threaded kernels use.
#pragma once
#include <string>

namespace tl {

bool gemmCompiledWithBlas();
bool gemmUsesBlas();
void gemmSetBackend(bool useBlas);  // ignored (stays fallback) when built without OpenBLAS
std::string blasConfig();

void setThreads(int n);  // at least 1
int getThreads();

}  // namespace tl
