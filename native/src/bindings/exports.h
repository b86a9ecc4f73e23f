// The exported functions, one hook per kernel family; the module entry (addon.cc) calls them in this order, which
// is the order of the addon's keys.
#pragma once
#include <node_api.h>

namespace tl::binding {

void exportControl(napi_env env, napi_value exports);  // info, setThreads, setGemmBackend
void exportGemm(napi_env env, napi_value exports);     // gemm and the linear layer
void exportConv(napi_env env, napi_value exports);
void exportDepthwise(napi_env env, napi_value exports);  // depthwise convolution
void exportPool(napi_env env, napi_value exports);
void exportNorm(napi_env env, napi_value exports);
void exportElementwise(napi_env env, napi_value exports);  // and embedding lookup
void exportLoss(napi_env env, napi_value exports);
void exportOptim(napi_env env, napi_value exports);
void exportData(napi_env env, napi_value exports);
void exportSparse(napi_env env, napi_value exports);  // sparse linear layers, gather/scatter, transpose
void exportSparseConv(napi_env env, napi_value exports);
void exportTransformer(napi_env env, napi_value exports);  // layer norm, GELU, softmax, attention
void exportStats(napi_env env, napi_value exports);        // two-sample KS statistics of matrix rows

}  // namespace tl::binding
