/** The one error type users see for their own mistakes: the message says what was wrong and what to do. */
export class DeepVizError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeepVizError";
  }
}

export function fail(message: string): never {
  throw new DeepVizError(message);
}
