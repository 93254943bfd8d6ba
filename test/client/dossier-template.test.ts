/**
 * `kczg nominate --dossier-template`: the template of a part passes its form once its attachments
 * are added, affirms every declaration in the notice's words, and the guide names every slot.
 */
import { dossierTemplate, formGuide } from '../../client/cli/candidate-template';
import { checkDossier, formFor } from '../../domain/forms';
import { placeholderAttachments } from '../../domain/forms-sample';
import { loadProgramme } from '../../programmes/loader';

describe('dossier template', () => {
  const programme = loadProgramme('national-2023');
  const list = programme.lists.find((l) => l.id === 'emerging-enterprise');
  const form = list && formFor(list);

  it('answers every field, affirms every declaration word for word and leaves attachments to the unit', () => {
    const template = dossierTemplate(programme, 'emerging-enterprise');
    expect(form).toBeDefined();
    if (!form) return;
    expect(Object.keys(template.answers)).toEqual(form.fields.map((f) => f.id));
    expect(template.declarations).toEqual(form.declarations.map(({ id, text }) => ({ id, text })));
    expect(template.attachments).toEqual([]);
    expect(checkDossier(form, template).map((p) => p.field)).toEqual([
      'dossier.attachments.application-form',
      'dossier.attachments.business-licence',
    ]);
    expect(checkDossier(form, { ...template, attachments: placeholderAttachments(form) })).toEqual([]);
  });

  it('guides through answers, declarations and slots', () => {
    const guide = formGuide(programme, 'pioneer-tech', 'industrial-foundation');
    expect(guide).toContain('holderOrgCode* (uscc)');
    expect(guide).toContain('embargoed-or-imported: 被国外禁运或长期依赖进口');
    expect(guide).toContain('application-form* 申报书（盖章扫描件）: pdf, ≤ 20 MiB, ≤ 1');
  });

  it('refuses a list without a form, naming the lists', () => {
    expect(() => dossierTemplate(programme, 'no-such-list')).toThrow(/pioneer-tech, emerging-enterprise/);
  });
});
