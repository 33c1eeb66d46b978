// HAProxy's dot-directives (cfg §2.4): `.if`/`.elif`/`.else`/`.endif` blocks, which decide whether
// the lines inside are read, and `.diag`/`.notice`/`.warning`/`.alert` messages. A condition we
// cannot evaluate without the target's environment (any predicate) is assumed true, and said so.

import type { HaproxyDiagnostics } from './haproxy-diagnostics.js';

const MAX_NESTED_CONDITIONS = 100;

/** One level of `.if` nesting. */
interface ConditionFrame {
  parentActive: boolean;
  active: boolean;
  /** A branch of this block was already taken. */
  taken: boolean;
  seenElse: boolean;
  /** The condition assumed true for the active branch, when it could not be evaluated. */
  assumed?: string;
}

/** `0` / a non-zero integer are decided; any predicate is not (we do not know the target's environment). */
function evaluateCondition(words: string[]): boolean | undefined {
  const expr = words.join(' ').trim();
  if (expr === '') return false;
  if (/^-?\d+$/.test(expr)) return Number(expr) !== 0;
  return undefined;
}

export class ConditionalBlocks {
  private readonly conditions: ConditionFrame[] = [];

  constructor(private readonly report: HaproxyDiagnostics) {}

  /** Lines here are read: no `.if` is open, or the innermost one is in a taken branch. */
  get active(): boolean {
    const { conditions } = this;
    return conditions.length === 0 || conditions[conditions.length - 1].active;
  }

  /** `.if` blocks not closed yet. */
  get open(): number {
    return this.conditions.length;
  }

  /** The conditions assumed true for the lines here (innermost last). */
  assumed(): string[] {
    return this.conditions.flatMap((c) => (c.assumed ? [c.assumed] : []));
  }

  /** `.else` and `.endif` take no argument: HAProxy stops at the first one. True when there is one. */
  private unexpectedArgument(directive: string, args: string[], lineNo: number): boolean {
    if (!args.length) return false;
    this.report.abort('unexpectedArgument', lineNo, "Unexpected argument '{arg}' for '{directive}'.", {
      arg: args[0],
      directive,
    });
    return true;
  }

  /** A line whose keyword starts with `.`: a conditional block directive or a message directive. */
  handle(name: string, args: string[], lineNo: number): void {
    const { conditions } = this;
    const top = conditions[conditions.length - 1];
    switch (name) {
      case '.if': {
        if (conditions.length >= MAX_NESTED_CONDITIONS) {
          this.report.abort('tooManyNestedIf', lineNo, "too many nested '.if', max is {max}.", {
            max: MAX_NESTED_CONDITIONS,
          });
          return;
        }
        conditions.push(
          this.enterBranch({ parentActive: this.active, active: false, taken: false, seenElse: false }, args, lineNo),
        );
        return;
      }
      case '.elif':
        if (!top) return void this.report.abort('loneElif', lineNo, "lone '.elif' with no matching '.if'.");
        if (top.seenElse)
          return void this.report.abort('elifAfterElse', lineNo, "'.elif' after '.else' is not permitted.");
        if (top.taken) {
          top.active = false;
          top.assumed = undefined;
        } else {
          this.enterBranch(top, args, lineNo);
        }
        return;
      case '.else':
        if (!top) return void this.report.abort('loneElse', lineNo, "lone '.else' with no matching '.if'.");
        if (this.unexpectedArgument(name, args, lineNo)) return;
        if (top.seenElse)
          return void this.report.abort('secondElse', lineNo, "'.else' after '.else' is not permitted.");
        top.seenElse = true;
        top.active = top.parentActive && !top.taken;
        top.assumed = undefined;
        top.taken = true;
        return;
      case '.endif':
        if (!top) return void this.report.abort('loneEndif', lineNo, "lone '.endif' with no matching '.if'.");
        if (this.unexpectedArgument(name, args, lineNo)) return;
        conditions.pop();
        return;
      case '.diag':
      case '.notice':
      case '.warning':
      case '.alert':
        if (!this.active) return;
        if (args.length > 1) {
          this.report.diag(
            'error',
            'unexpectedArgument',
            lineNo,
            "Unexpected argument '{arg}' for '{directive}'. Use quotes if the message should contain spaces.",
            { arg: args[1], directive: name },
          );
        } else if (name === '.alert') {
          this.report.abort('alertDirective', lineNo, '{message}', { message: args[0] ?? '' });
        } else if (name === '.warning') {
          this.report.diag('warning', 'warningDirective', lineNo, '{message}', { message: args[0] ?? '' });
        }
        return;
      default:
        if (this.active)
          this.report.abort('unknownDirective', lineNo, "unknown directive '{directive}'.", { directive: name });
    }
  }

  private enterBranch(frame: ConditionFrame, args: string[], lineNo: number): ConditionFrame {
    const value = evaluateCondition(args);
    frame.active = frame.parentActive && value !== false;
    frame.taken = frame.active;
    frame.assumed = undefined;
    if (value === undefined && frame.parentActive) {
      const condition = args.join(' ');
      frame.assumed = condition;
      this.report.diag(
        'warning',
        'conditionAssumed',
        lineNo,
        "cannot evaluate the condition '{condition}' without the target's environment; assuming it is true.",
        { condition },
      );
    }
    return frame;
  }
}
