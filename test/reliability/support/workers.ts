/**
 * The `kczg worker` processes of a drill: started in turn (kczg-worker-1, -2, …), killed with
 * SIGKILL and replaced by a new process, as an operator's supervisor would, and stopped at the end.
 */
import type { Drill } from './drill';
import { sleep, type LoggedProcess } from './processes';

export class WorkerPool {
  readonly alive: LoggedProcess[] = [];
  readonly killed: LoggedProcess[] = [];
  private count = 0;

  constructor(private readonly drill: Drill) {}

  async start(): Promise<LoggedProcess> {
    const worker = await this.drill.startWorker(`kczg-worker-${++this.count}`);
    this.alive.push(worker);
    return worker;
  }

  /** The live worker whose SDK identity (`<pid>@<host>`) this is. */
  byIdentity(identity: string): LoggedProcess | undefined {
    return this.alive.find((w) => identity.startsWith(`${w.pid}@`));
  }

  /** SIGKILLs `worker` (its whole process group); throws unless it died of it. */
  async kill(worker: LoggedProcess): Promise<void> {
    const status = await worker.kill('SIGKILL');
    if (status.signal !== 'SIGKILL')
      throw new Error(`${worker.name} exited with ${JSON.stringify(status)}, not by SIGKILL`);
    this.alive.splice(this.alive.indexOf(worker), 1);
    this.killed.push(worker);
  }

  /** SIGKILLs `worker`, and `downMs` later starts a new one in its place. */
  async replace(worker: LoggedProcess, downMs: number): Promise<LoggedProcess> {
    await this.kill(worker);
    await sleep(downMs);
    return this.start();
  }

  /** Stops every live worker as an operator would (SIGTERM, SIGKILL after 15 s). */
  async stop(): Promise<void> {
    await Promise.all(this.alive.map((w) => w.kill('SIGTERM')));
    this.alive.length = 0;
  }
}

/** When a worker was replaced during an intake, and how far the intake was then. */
export interface IntakeCrash {
  /** Rows acknowledged when the kill was ordered. */
  acknowledged: number;
  /** Requests in flight then. */
  inFlight: number;
  killedAt: number;
  /** When the replacement had started (polling). */
  restartedAt: number;
}

/**
 * SIGKILLs the first live worker once `afterAcks` rows are acknowledged and starts a new one
 * `downMs` later, while the intake goes on: pass `onAcknowledged` to importConcurrently, and once
 * the intake is over await `replaced()` (which throws what went wrong with the kill or restart).
 */
export function replaceDuringIntake(workers: WorkerPool, afterAcks: number, downMs: number) {
  let crash: IntakeCrash | undefined;
  let replacing: Promise<void> | undefined;
  let failure: unknown;
  return {
    onAcknowledged: (acknowledged: number, inFlight: number): void => {
      if (acknowledged < afterAcks || replacing) return;
      const ordered = { acknowledged, inFlight, killedAt: Date.now(), restartedAt: 0 };
      crash = ordered;
      replacing = workers.replace(workers.alive[0], downMs).then(
        () => {
          ordered.restartedAt = Date.now();
        },
        (error: unknown) => {
          failure = error;
        },
      );
    },
    replaced: async (): Promise<IntakeCrash> => {
      await replacing;
      if (failure) throw failure;
      if (!crash)
        throw new Error(`the intake ended before ${afterAcks} acknowledgements: no worker was killed`);
      return crash;
    },
  };
}
