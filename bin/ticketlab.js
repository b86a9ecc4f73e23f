#!/usr/bin/env -S node --initial-old-space-size=128
// The flag: see src/util/node-flags.ts.
import '../dist/src/cli/main.js';
