// Limits shared by every Host implementation.

/** Files read from hosts larger than this are refused with a clear reason (configs are a few KB). */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
