/**
 * What every route module gets: the typed client (a Temporal client only), the configuration,
 * who is asking, and the cycle's programme (read once per cycle and instance: it does not change
 * while the cycle runs).
 */
import type { KczgClient } from '../client/api';
import type { Programme } from '../domain/programme';
import { cycleWorkflowId } from '../workflows/ids';
import type { Auth } from './auth';
import type { PortalConfig } from './config';
import { PortalError } from './errors';

export class PortalContext {
  private readonly programmes = new Map<string, Promise<Programme>>();

  constructor(
    readonly api: KczgClient,
    readonly config: PortalConfig,
    readonly auth: Auth,
  ) {}

  /** The running cycle's programme; NOT_FOUND when there is no such cycle. */
  programmeOf(programmeId: string): Promise<Programme> {
    let programme = this.programmes.get(programmeId);
    if (!programme) {
      programme = this.api.reader.setup(cycleWorkflowId(programmeId)).then(
        (setup) => setup.programme,
        () => {
          this.programmes.delete(programmeId);
          throw new PortalError({
            code: 'NOT_FOUND',
            field: 'programme',
            rule: 'cycle',
            message: `没有运行中的周期 ${programmeId} / no cycle ${programmeId}`,
            fix: '核对方案编号 / check the programme id',
          });
        },
      );
      this.programmes.set(programmeId, programme);
    }
    return programme;
  }
}
