/** Errors of the customer-base models (RFM summary, BG/NBD, Gamma-Gamma, CLV). */
export class ModelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelError';
  }
}

/** An input a model cannot take: a negative count, a non-finite time, t_x > T … */
export class ModelInputError extends ModelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelInputError';
  }
}

/** A numerical routine that could not reach its accuracy (a series that did not converge). */
export class NumericalError extends ModelError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NumericalError';
  }
}
