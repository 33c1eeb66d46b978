// Errors the user can act on: printed as one clear line, exit code 2 (usage or input error).
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: 2 | 3 = 2,
  ) {
    super(message);
  }
}
