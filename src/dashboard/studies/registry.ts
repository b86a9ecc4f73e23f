// The study kinds the dashboard has a page for, by experiment directory prefix.
import { grokkingView } from './grokking.js';
import { superticketsView } from './supertickets.js';
import { plantedView } from './planted.js';
import type { StudyView } from './view.js';

export const STUDY_VIEWS: readonly StudyView[] = [plantedView, grokkingView, superticketsView];

export function studyView(kind: string): StudyView | undefined {
  return STUDY_VIEWS.find((v) => v.kind === kind);
}
