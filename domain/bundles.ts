/**
 * Linked applications (bundles): a list can require co-applications in other lists, as Henan's
 * 试点市 does — "申报该项目的单位须同时申报“一市一品”…、“百会链千企”…、“科创中原”协同创新服务平台等项目，
 * 入围本项目后，以上项目即自动纳入本项目子项目管理，相关子项目不再参与专项评审；如未入围本项目，相关子项目即
 * 参与专项评审" (002, line 80).
 *
 * A bundle is a nomination to such a list whose form answers name, one per required list, the
 * unit's own nomination that joins it (by nomination id or by the idempotency key it was filed
 * under). The rules here: filing checks the links; a part cannot be withdrawn while a bundle
 * claims it; the final selection decides the bundle first — the parts of a winning bundle are its
 * sub-projects and may not also win their own lists, the parts of a losing bundle compete on
 * their own. Pure: the unit workflow, the cycle's final-results check and publication share it.
 */
import type { FormAnswer } from './dossier';
import type { CoApplications, List, Programme } from './programme';
import { quotaKey } from './quota';
import type { Rejection } from './rejections';

/** What the bundle rules read of a nomination. */
export interface LinkedNomination {
  id: string;
  unitId: string;
  listId: string;
  fieldId?: string;
  idempotencyKey: string;
  dossier?: { answers: Record<string, FormAnswer> };
}

export interface BundlePart {
  listId: string;
  fieldId?: string;
  nominationId: string;
}

/** A filed bundle: the nomination to the bundle's list and the co-applications it names. */
export interface Bundle {
  nominationId: string;
  unitId: string;
  listId: string;
  parts: BundlePart[];
}

/** A part's winners as the final review submits them. */
export interface SelectedPart {
  listId: string;
  fieldId?: string;
  nominationIds: readonly string[];
}

export function coApplicationsOf(programme: Programme, listId: string): CoApplications | undefined {
  return programme.lists.find((l) => l.id === listId)?.form?.coApplications;
}

export function hasBundles(programme: Programme): boolean {
  return programme.lists.some((l) => l.form?.coApplications !== undefined);
}

/** The unit's own nomination a link names: its id, or the idempotency key it was filed under. */
function resolve(ref: string, own: readonly LinkedNomination[]): LinkedNomination | undefined {
  const wanted = ref.trim();
  return own.find((n) => n.id === wanted) ?? own.find((n) => n.idempotencyKey === wanted);
}

function listName(programme: Programme, listId: string): string {
  return programme.lists.find((l) => l.id === listId)?.name.zh ?? listId;
}

/** The bundles other than `except` and the parts they claim. */
function claims(
  programme: Programme,
  own: readonly LinkedNomination[],
  except?: string,
): Map<string, string> {
  const claimed = new Map<string, string>();
  for (const bundle of bundlesOf(programme, own)) {
    if (bundle.nominationId === except) continue;
    for (const part of bundle.parts) claimed.set(part.nominationId, bundle.nominationId);
  }
  return claimed;
}

export interface BundleFiling {
  programme: Programme;
  unitId: string;
  list: List;
  answers: Readonly<Record<string, FormAnswer>> | undefined;
  /** The unit's nominations as they stand. */
  nominations: readonly LinkedNomination[];
  /** The bundle being amended: its own current links do not conflict with it. */
  except?: string;
}

/**
 * A nomination to a list that requires co-applications: every required one named, each the
 * unit's own nomination in the right list, none named twice nor claimed by another bundle.
 */
export function bundleFilingRejection(filing: BundleFiling): Rejection | undefined {
  const { programme, unitId, list, answers, nominations } = filing;
  const required = list.form?.coApplications?.required ?? [];
  const own = nominations.filter((n) => n.unitId === unitId);
  const claimed = claims(programme, own, filing.except);
  const named = new Map<string, string>();
  for (const link of required) {
    const field = `dossier.answers.${link.answer}`;
    const wantedName = listName(programme, link.listId);
    const answer = answers?.[link.answer];
    const ref = typeof answer === 'string' ? answer.trim() : '';
    if (!ref) {
      return {
        code: 'BUNDLE_INCOMPLETE',
        field,
        rule: 'coApplications',
        message: `「${list.name.zh}」须同时申报「${wantedName}」：未注明纳入本项目的是哪一项 / ${list.id} requires a co-application in ${link.listId}: none named`,
        fix: `先推荐「${wantedName}」（${link.listId}），再在 ${link.answer} 中填写其推荐编号或申报键 / nominate to ${link.listId} first, then give its nomination id or key in ${link.answer}`,
      };
    }
    const part = resolve(ref, own);
    if (!part) {
      const foreign = nominations.some(
        (n) => n.unitId !== unitId && (n.id === ref || n.idempotencyKey === ref),
      );
      return foreign || /^[a-z0-9-]+\.\d+$/.test(ref)
        ? {
            code: 'NOT_ALLOWED',
            field,
            rule: 'own-co-applications',
            message: `${ref} 不是本单位的推荐：只能纳入本单位自己的申报 / ${ref} is not this unit's nomination: a bundle joins the unit's own applications only`,
            fix: `填写本单位在「${wantedName}」的推荐编号 / name one of this unit's own nominations to ${link.listId}`,
          }
        : {
            code: 'BUNDLE_INCOMPLETE',
            field,
            rule: 'coApplications',
            message: `本单位没有编号或申报键为 ${ref} 的推荐 / this unit has no nomination with id or key ${ref}`,
            fix: `先推荐「${wantedName}」（${link.listId}），再填写其推荐编号 / nominate to ${link.listId} first, then name it`,
          };
    }
    if (part.listId !== link.listId) {
      return {
        code: 'BUNDLE_INCOMPLETE',
        field,
        rule: 'coApplications',
        message: `${part.id} 推荐在「${listName(programme, part.listId)}」，不是「${wantedName}」/ ${part.id} is a nomination to ${part.listId}, not ${link.listId}`,
        fix: `填写本单位在「${wantedName}」的推荐编号 / name this unit's nomination to ${link.listId}`,
      };
    }
    const conflict = claimed.get(part.id) ?? named.get(part.id);
    if (conflict !== undefined) {
      return {
        code: 'BUNDLE_CONFLICT',
        field,
        rule: 'one-bundle-per-co-application',
        message: `${part.id} 已纳入 ${conflict === '' ? '本申报的另一项' : conflict}，一项申报只能纳入一个项目 / ${part.id} is already claimed${conflict === '' ? ' by another link of this bundle' : ` by ${conflict}`}`,
        fix: `另选本单位在「${wantedName}」的一项推荐 / name another of this unit's nominations to ${link.listId}`,
      };
    }
    named.set(part.id, '');
  }
  return undefined;
}

/** Every filed bundle among the nominations, its links resolved within its own unit. */
export function bundlesOf(programme: Programme, nominations: readonly LinkedNomination[]): Bundle[] {
  const bundles: Bundle[] = [];
  for (const n of nominations) {
    const required = coApplicationsOf(programme, n.listId)?.required;
    if (!required) continue;
    const own = nominations.filter((o) => o.unitId === n.unitId);
    const parts = required.flatMap((link): BundlePart[] => {
      const answer = n.dossier?.answers[link.answer];
      const part = typeof answer === 'string' ? resolve(answer, own) : undefined;
      return part && part.listId === link.listId
        ? [{ listId: part.listId, ...(part.fieldId ? { fieldId: part.fieldId } : {}), nominationId: part.id }]
        : [];
    });
    bundles.push({ nominationId: n.id, unitId: n.unitId, listId: n.listId, parts });
  }
  return bundles;
}

/** A part of a bundle is withdrawn with its bundle, never alone (the bundle would lose it). */
export function partWithdrawalRejection(
  programme: Programme,
  nominations: readonly LinkedNomination[],
  nominationId: string,
): Rejection | undefined {
  const bundle = bundlesOf(programme, nominations).find((b) =>
    b.parts.some((p) => p.nominationId === nominationId),
  );
  if (!bundle) return undefined;
  return {
    code: 'BUNDLE_PART',
    field: 'nominationId',
    rule: 'co-application',
    message: `${nominationId} 已纳入「${listName(programme, bundle.listId)}」申报 ${bundle.nominationId}，不能单独撤回；该项目入围后即为其子项目 / ${nominationId} is a co-application of ${bundle.nominationId}: it cannot be withdrawn alone, and once the bundle wins it is its sub-project`,
    fix: `征集期内先撤回或修改 ${bundle.nominationId} 的纳入项 / during collection, withdraw ${bundle.nominationId} or amend it to name another co-application first`,
  };
}

function selectedIds(winners: readonly SelectedPart[]): Set<string> {
  return new Set(winners.flatMap((w) => w.nominationIds));
}

/** The bundles the selection picks, and the sub-projects they take out of their own lists. */
export function bundleOutcome(
  bundles: readonly Bundle[],
  winners: readonly SelectedPart[],
): { won: Bundle[]; lost: Bundle[]; subProjectOf: Map<string, string> } {
  const selected = selectedIds(winners);
  const won = bundles.filter((b) => selected.has(b.nominationId));
  const lost = bundles.filter((b) => !selected.has(b.nominationId));
  const subProjectOf = new Map(
    won.flatMap((b) => b.parts.map((p) => [p.nominationId, b.nominationId] as const)),
  );
  return { won, lost, subProjectOf };
}

/**
 * The bundle's list is decided first: a part of a winning bundle is its sub-project and leaves its
 * own list's selection, so it may not also be picked there (published or funded twice). The
 * parts of a losing bundle are free to win on their own.
 */
export function bundleSelectionRejection(
  bundles: readonly Bundle[],
  winners: readonly SelectedPart[],
): Rejection | undefined {
  const { subProjectOf } = bundleOutcome(bundles, winners);
  for (const [i, entry] of winners.entries()) {
    const j = entry.nominationIds.findIndex((id) => subProjectOf.has(id));
    if (j < 0) continue;
    const id = entry.nominationIds[j] as string;
    const bundle = subProjectOf.get(id) as string;
    return {
      code: 'BUNDLE_CONFLICT',
      field: `winners[${i}].nominationIds[${j}]`,
      rule: 'sub-project-of-winner',
      message: `${id} 是入围项目 ${bundle} 的子项目，不再参与 ${quotaKey(entry.listId, entry.fieldId)} 的评审 / ${id} is a sub-project of the winning ${bundle} and leaves the selection of ${quotaKey(entry.listId, entry.fieldId)}`,
      fix: `从 ${quotaKey(entry.listId, entry.fieldId)} 的入选名单中去掉 ${id}（可另选一项），或不选 ${bundle} / drop ${id} from that part (pick another), or do not pick ${bundle}`,
    };
  }
  return undefined;
}
