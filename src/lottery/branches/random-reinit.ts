// The LTH paper's random-reinitialization control: the ticket's mask on a fresh initialization from the same
// distribution, trained from step 0. A ticket that beats it owes its advantage to its initial weights.
import type { Branch } from './branch.js';

export const randomReinit: Branch = {
  name: 'random_reinit',
  series: 'random reinit',
  description: "same mask, fresh initialization (the paper's random-reinitialization control)",
  freshInit: true,
};
