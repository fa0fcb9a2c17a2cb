// quantize's defaults, apart from the heavy modules so the CLI's --help can show them without loading TF.js.
import type { CalibrationMethod } from './calibrate.ts';

export const QUANTIZE_DEFAULTS = {
  calibrationSamples: 200,
  calibration: 'minmax' as CalibrationMethod,
  percentile: 99.99,
  /** The accuracy gate: the largest accepted int8 top-1 drop, in percentage points. */
  maxDrop: 1.0,
  version: '1.0.0',
};
