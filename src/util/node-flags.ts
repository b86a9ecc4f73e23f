// Flags every ticketlab process runs Node with: the CLI's shebang (bin/ticketlab.js), the study grids' child
// processes and the npm scripts that train (bench, repro) pass them. Keep the three in step.
//
// --initial-old-space-size=128: V8 starts incremental marking once the old generation holds over 8 MB of objects
// and the old generation plus the external memory allocated since the last mark-compact nears its allocation limit,
// which for a small heap is 30-50 MB. Training allocates its activations and gradients as Float32Arrays (about
// 0.5 MB per LeNet step, all external memory) and a young-generation GC frees them only every 32 MB, so with the
// CLI's ~11 MB heap almost every such cycle ended in a mark-compact: 404 of them in a 20,000-step IMP run, 10-15%
// of its time. With a 128 MB initial limit the same run has 4, at the same peak RSS (measured: 236 vs 244 MB).
export const NODE_FLAGS = ['--initial-old-space-size=128'] as const;
