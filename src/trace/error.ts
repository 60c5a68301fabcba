import { HeapError } from "../core/errors.js";

/** A bad trace: the line (1-based; 0 when the ops did not come from text) and what is wrong with it. */
export class TraceError extends HeapError {
  /** Line of the input the error is about, 1-based; 0 when the operations did not come from text. */
  readonly line: number;

  constructor(message: string, line: number, value?: number) {
    super("ERR_HEAP_BAD_TRACE", message, value);
    this.line = line;
  }
}
