// The one way both parsers say where something was read: which file, which line, and that line.

/**
 * A place in a configuration file: its path, the 1-based physical line, and that line as written (without its line
 * end).
 */
export interface SourceRef {
  file: string;
  line: number;
  text: string;
}
