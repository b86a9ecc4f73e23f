// Errors that a user can act on. The CLI prints their message as one line and exits non-zero;
// anything else is a bug and shows a stack trace only with --debug.

export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Bad or missing input data (files, shapes, values). */
export class DataError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/** An invalid hyperparameter or flag value. */
export class ConfigError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Training diverged (NaN or infinite loss). */
export class DivergenceError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'DivergenceError';
  }
}

/** The user asked to stop (Ctrl-C, SIGTERM); what was finished is kept. */
export class InterruptedError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'InterruptedError';
  }
}
