// What a training run's curve says: final, best and early-stop test accuracy. The early-stop step is the one of
// minimum validation loss (test loss when no validation set is held out), as in the LTH paper.
import type { CurvePoint } from './callbacks.js';

export interface CurveSummary {
  finalTestAccuracy: number | null;
  finalTestLoss: number;
  bestTestAccuracy: number | null;
  earlyStopStep: number;
  earlyStopTestAccuracy: number | null;
}

export function summarizeCurve(curve: readonly CurvePoint[]): CurveSummary {
  if (curve.length === 0) throw new Error('summarizeCurve: empty curve');
  const last = curve[curve.length - 1]!;
  let best = curve[0]!;
  for (const p of curve) if ((p.val_loss ?? p.test_loss) < (best.val_loss ?? best.test_loss)) best = p;
  const accuracies = curve.map((p) => p.test_accuracy).filter((a): a is number => a !== null);
  return {
    finalTestAccuracy: last.test_accuracy,
    finalTestLoss: last.test_loss,
    bestTestAccuracy: accuracies.length ? Math.max(...accuracies) : null,
    earlyStopStep: best.step,
    earlyStopTestAccuracy: best.test_accuracy,
  };
}
