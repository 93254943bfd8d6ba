/**
 * Chains of cycles from the client's side: the check before a child starts (its parent runs, has
 * its unit and lists, and closes after the child decides), opening a child per unit from a
 * template, and the chain's status (what each child forwarded, what the parent refused).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  chainDeadlineRejection,
  childProgrammeFor,
  parentCloseForUnit,
  unmappedParts,
} from '../domain/chain';
import type { Programme, Unit } from '../domain/programme';
import type { Rejection } from '../domain/rejections';
import { programmeDeadlines } from '../domain/timeline';
import { cycleWorkflowId } from '../workflows/ids';
import { chainStatusQuery, type ChainState, type ForwardOutcome } from '../workflows/messages';
import type { KczgClient, StartCycleOptions } from './api';
import { RejectionError } from './requests';

export interface ChildStatus {
  cycleId: string;
  unitId: string;
  deadlines: ChainState['children'][number]['deadlines'];
  forwardedAt?: number;
  accepted: ForwardOutcome[];
  refused: ForwardOutcome[];
}

export interface ChainStatus {
  cycleId: string;
  parent?: ChainState['parent'];
  forwardedAt?: number;
  /** What this cycle forwarded to its parent. */
  accepted: ForwardOutcome[];
  refused: ForwardOutcome[];
  children: ChildStatus[];
}

const byOutcome = (forwarded: ForwardOutcome[]) => ({
  accepted: forwarded.filter((f) => f.outcome === 'accepted'),
  refused: forwarded.filter((f) => f.outcome === 'refused'),
});

export class ChainApi {
  constructor(
    private readonly client: Client,
    private readonly api: Pick<KczgClient, 'reader' | 'status' | 'startCycle'>,
  ) {}

  /** Why a child cannot start under its parent now, or undefined (no parent: nothing to check). */
  async startRejection(child: Programme): Promise<Rejection | undefined> {
    const link = child.parent;
    if (!link) return undefined;
    const parentCycleId = cycleWorkflowId(link.programme);
    let parent: Programme;
    let status: Awaited<ReturnType<KczgClient['status']>>;
    try {
      [{ programme: parent }, status] = await Promise.all([
        this.api.reader.setup(parentCycleId),
        this.api.status(parentCycleId),
      ]);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      return {
        code: 'WRONG_STAGE',
        field: 'parent.programme',
        rule: 'parentRunning',
        message: `上级周期 ${parentCycleId} 未开启 / the parent cycle ${parentCycleId} is not running`,
        fix: `先开启上级周期 / start it first: kczg cycle start ${link.programme}`,
      };
    }
    if (status.stage !== 'collection' && status.stage !== 'collection-pending') {
      return {
        code: 'WRONG_STAGE',
        field: 'parent.programme',
        rule: 'parentCollecting',
        message: `上级周期 ${parentCycleId} 已不再征集（${status.stage}）/ the parent is no longer collecting (${status.stage})`,
      };
    }
    if (!parent.roster.units.some((u) => u.id === link.unit)) {
      return {
        code: 'UNKNOWN_UNIT',
        field: 'parent.unit',
        rule: 'parentRoster',
        message: `上级周期 ${parentCycleId} 的名册中没有单位 ${link.unit} / no unit ${link.unit} on the parent's roster`,
      };
    }
    const unmapped = unmappedParts(child, parent);
    if (unmapped.length > 0) {
      return {
        code: 'UNKNOWN_LIST',
        field: 'parent.lists',
        rule: 'parentParts',
        message: `上级没有对应的榜单或领域 / the parent has no list or field for: ${unmapped.join('; ')}`,
        fix: '在 parent.lists / parent.fields 中写明对应关系 / map them in parent.lists / parent.fields',
      };
    }
    const own = programmeDeadlines(child);
    return chainDeadlineRejection(own, {
      cycleId: parentCycleId,
      collectionClosesAt: parentCloseForUnit(
        status.deadlines.collectionClosesAt,
        status.unitExtensions,
        link.unit,
      ),
    });
  }

  async assertStartable(child: Programme): Promise<void> {
    const refusal = await this.startRejection(child);
    if (refusal) throw new RejectionError(refusal);
  }

  /**
   * Opens a child of a running cycle for one of its units, from a template (a preset naming the
   * parent's programme), with its own units when a roster is given.
   */
  async open(
    parentCycleId: string,
    unitId: string,
    template: Programme,
    options: StartCycleOptions & { units?: Unit[] } = {},
  ): Promise<{ cycleId: string; started: boolean; programme: Programme }> {
    const { units, ...start } = options;
    const { programme: parent } = await this.api.reader.setup(parentCycleId);
    const child = childProgrammeFor(template, parent, unitId, units);
    if ('code' in child) throw new RejectionError(child);
    // The loader (zod schemas, preset files) only for this command, as the CLI loads heavy modules.
    const { validateProgramme } = await import('../programmes/loader');
    const programme = validateProgramme(child, `${template.id} → ${unitId}`);
    return { ...(await this.api.startCycle(programme, start)), programme };
  }

  /** The cycle's chain: what it forwarded, and per child what that child forwarded. */
  async status(cycleId: string): Promise<ChainStatus> {
    const own = await this.chainState(cycleId);
    const children = await Promise.all(
      own.children.map(async (child) => {
        const state = await this.chainState(child.cycleId).catch((error: unknown) => {
          if (error instanceof WorkflowNotFoundError) return undefined;
          throw error;
        });
        return {
          ...child,
          ...(state?.forwardedAt !== undefined ? { forwardedAt: state.forwardedAt } : {}),
          ...byOutcome(state?.forwarded ?? []),
        };
      }),
    );
    return {
      cycleId,
      ...(own.parent ? { parent: own.parent } : {}),
      ...(own.forwardedAt !== undefined ? { forwardedAt: own.forwardedAt } : {}),
      ...byOutcome(own.forwarded),
      children,
    };
  }

  private chainState(cycleId: string): Promise<ChainState> {
    return this.client.workflow.getHandle(cycleId).query(chainStatusQuery);
  }
}
