{
  "variables": {
    "use_openblas%": "<!(node detect-blas.cjs use)",
    "march%": "<!(node -p \"process.env.TICKETLAB_MARCH || 'native'\")"
  },
  "targets": [
    {
      "target_name": "ticketlab_native",
      "sources": [
        "src/addon.cc",
        "src/bindings/binder.cc",
        "src/bindings/call.cc",
        "src/bindings/control.cc",
        "src/bindings/conv.cc",
        "src/bindings/data.cc",
        "src/bindings/elementwise.cc",
        "src/bindings/gemm.cc",
        "src/bindings/loss.cc",
        "src/bindings/norm.cc",
        "src/bindings/optim.cc",
        "src/bindings/depthwise.cc",
        "src/bindings/pool.cc",
        "src/bindings/sparse.cc",
        "src/bindings/sparse_conv.cc",
        "src/bindings/stats.cc",
        "src/bindings/transformer.cc",
        "src/kernels/attention.cc",
        "src/kernels/backend.cc",
        "src/kernels/conv.cc",
        "src/kernels/convk_correlate.cc",
        "src/kernels/convk_filter.cc",
        "src/kernels/csr.cc",
        "src/kernels/data.cc",
        "src/kernels/elementwise.cc",
        "src/kernels/embedding.cc",
        "src/kernels/gelu.cc",
        "src/kernels/gemm.cc",
        "src/kernels/indexed.cc",
        "src/kernels/ks.cc",
        "src/kernels/layernorm.cc",
        "src/kernels/linear.cc",
        "src/kernels/loss.cc",
        "src/kernels/norm.cc",
        "src/kernels/optim.cc",
        "src/kernels/parallel.cc",
        "src/kernels/peak.cc",
        "src/kernels/depthwise.cc",
        "src/kernels/pool.cc",
        "src/kernels/softmax.cc",
        "src/kernels/sparse.cc",
        "src/kernels/sparse_conv.cc"
      ],
      "include_dirs": ["src", "<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-O2", "-O3"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=<(march)", "-fno-math-errno", "-fno-trapping-math", "-Wall", "-Wno-unused-parameter"],
      "conditions": [
        ["use_openblas==1", {
          "defines": ["TL_HAVE_OPENBLAS=1"],
          "cflags_cc": ["<!@(node detect-blas.cjs cflags)"],
          "libraries": ["<!@(node detect-blas.cjs libs)"]
        }]
      ]
    }
  ]
}
