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
        "src/gemm.cc",
        "src/conv.cc",
        "src/convk.cc",
        "src/pool.cc",
        "src/norm.cc",
        "src/elementwise.cc",
        "src/loss.cc",
        "src/optim.cc",
        "src/data.cc",
        "src/sparse.cc",
        "src/sparse_conv.cc",
        "src/parallel.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
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
