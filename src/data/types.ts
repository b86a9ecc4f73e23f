// What training and evaluation need of a dataset: its size, the shape of one sample, and batches by index.
// Image datasets (MNIST, CIFAR-10) and in-memory vector tasks (the planted study's) both provide it.

/** Class labels (classification) or target values, `targetSize` per sample (regression). */
export type Targets = Int32Array | Float32Array;

export interface Dataset {
  readonly name: string;
  readonly size: number;
  /** Shape of one input sample, e.g. [1, 28, 28] or [2]. */
  readonly sampleShape: readonly number[];
  /** Samples `indices` as [n, ...sampleShape] floats and their targets. */
  batch(indices: Int32Array): { x: Float32Array; y: Targets };
}
