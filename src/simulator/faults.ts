/**
 * Faults: random ones by rate (seeded dice, for soak tests of retries) and one-shot
 * injections by route (for precise tests). Random faults hit read routes only, so a test
 * that changes the workspace through the write API is never disturbed by them.
 */
import { mulberry32, Random } from './prng.js';
import type { FaultOptions, Injection } from './types.js';

export interface FaultDecision {
  drop: boolean;
  /** Answer this status with an errors envelope instead of the real answer. */
  status?: number;
  malformed: boolean;
  /** Remove this field from one item of the page (or `true`: the list's usual required field). */
  missingField?: string | true;
  cursorLoop: boolean;
  delayMs: number;
}

type Pending = Injection & { remaining: number };

const SERVER_ERRORS = [500, 502, 503] as const;

export class Faults {
  #options: FaultOptions | undefined;
  #dice = new Random(mulberry32(1));
  #pending: Pending[] = [];

  set(options: FaultOptions | undefined): void {
    this.#options = options;
    this.#dice = new Random(mulberry32(options?.seed ?? 1));
  }

  inject(injection: Injection): void {
    const times = injection.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`injection times must be a positive integer`);
    this.#pending.push({ ...injection, remaining: times });
  }

  /** The latency added to every answer, including those decided before the dice (401, 429). */
  latencyMs(): number {
    return this.#options?.latencyMs ?? 0;
  }

  /** Decides what happens to one request; consumes at most one injection. */
  decide(routeKey: string, isRead: boolean): FaultDecision {
    const o = this.#options ?? {};
    const decision: FaultDecision = {
      drop: false,
      malformed: false,
      cursorLoop: false,
      delayMs: o.latencyMs ?? 0,
    };
    const index = this.#pending.findIndex((p) => p.route === routeKey);
    if (index >= 0) {
      const injection = this.#pending[index]!;
      if (--injection.remaining <= 0) this.#pending.splice(index, 1);
      if (injection.kind === 'status') decision.status = injection.status;
      else if (injection.kind === 'drop') decision.drop = true;
      else if (injection.kind === 'malformed') decision.malformed = true;
      else if (injection.kind === 'missing-field') decision.missingField = injection.field;
      else decision.cursorLoop = true;
      return decision;
    }
    if (!isRead || this.#options === undefined) return decision;
    // Every die is rolled on every read, so one rate never shifts another's sequence.
    const drop = this.#dice.next();
    const fail = this.#dice.next();
    const status = this.#dice.pick(SERVER_ERRORS);
    const malformed = this.#dice.next();
    const missing = this.#dice.next();
    const slow = this.#dice.next();
    if (drop < (o.dropRate ?? 0)) decision.drop = true;
    else if (fail < (o.serverErrorRate ?? 0)) decision.status = status;
    else if (malformed < (o.malformedRate ?? 0)) decision.malformed = true;
    else if (missing < (o.missingFieldRate ?? 0)) decision.missingField = true;
    if (slow < (o.slowRate ?? 0)) decision.delayMs += o.slowMs ?? 0;
    return decision;
  }

  /** Injections not yet used (tests can assert that theirs fired). */
  pending(): Injection[] {
    return this.#pending.map(
      ({ remaining, ...injection }) => ({ ...injection, times: remaining }) as Injection,
    );
  }
}
