// The run store: crash-safe files and their leftovers, checked JSON and safetensors reads, run-directory locks,
// hyperparameter hashing and the SQLite run index.

export { writeFileAtomic, ensureWritableDir, fsyncDir, tempPathFor, isTempName, tempWriterPid } from './atomic.js';
export { removeStaleTempFiles, type StaleTempOptions } from './stale-temp.js';
export { readJsonFile, parseJson, MAX_JSON_BYTES, type JsonValidator, type JsonReadOptions } from './json-file.js';
export {
  encodeSafetensors,
  decodeSafetensors,
  saveSafetensors,
  loadSafetensors,
  assertFiniteTensors,
  type DecodeOptions,
  type Dtype,
  type ReadableDtype,
  type Tensor,
  type DecodedTensor,
  type DecodedSafetensors,
} from './safetensors.js';
export { acquireLock, withLock, LOCK_NAME, LOCK_PID_NAME, type LockOptions, type RunLock } from './lock.js';
export { stableStringify, hparamHash } from './hash.js';
export {
  openIndex,
  RunIndex,
  INDEX_FILE,
  type RunRow,
  type RunUpsert,
  type LevelRow,
  type LevelUpsert,
} from './index-db.js';
