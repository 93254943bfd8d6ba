/**
 * The unit form's co-application choice (Henan 试点市): each answer naming a co-application
 * suggests the unit's own nominations in the required list, says so when there is none yet, and
 * the chosen id travels in the dossier's answers for the workflow to check (domain/bundles.ts).
 */
import type { List } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';
import { dossierFieldset } from '../../portal/pages/dossier-form';
import { dossierFromForm } from '../../portal/routes/dossier-input';

const pilotCity = loadProgramme('henan-2023').lists.find((l) => l.id === 'pilot-city') as List;
const form = pilotCity.form!;
const own = [
  { id: 'zhengzhou-cast.1', listId: 'one-city-one-product', name: '郑州“一市一品”大会 A' },
  { id: 'zhengzhou-cast.2', listId: 'one-city-one-product', name: '郑州“一市一品”大会 B <b>' },
  { id: 'zhengzhou-cast.3', listId: 'hundred-societies', name: '郑州百会链千企' },
];

describe('the co-application choice on the unit form', () => {
  const page = String(dossierFieldset('pilot-city', form, true, {}, own));

  it('offers the unit’s two 一市一品 to choose from, escaped', () => {
    const datalist = /<datalist id="p-pilot-city-co-coOneCityOneProduct">([\s\S]*?)<\/datalist>/.exec(
      page,
    )?.[1];
    expect(datalist).toContain('<option value="zhengzhou-cast.1">郑州“一市一品”大会 A</option>');
    expect(datalist).toContain('郑州“一市一品”大会 B &lt;b&gt;');
    expect(datalist).not.toContain('zhengzhou-cast.3');
    expect(page).toContain('list="p-pilot-city-co-coOneCityOneProduct"');
  });

  it('says when the required co-application is not filed yet', () => {
    const hint = /data-co-application="collaborative-platform"[^>]*>([\s\S]*?)<\/p>/.exec(page)?.[1];
    expect(hint).toContain('本单位尚无该项目的推荐');
  });

  it('sends the chosen nominations as the dossier’s answers', () => {
    const dossier = dossierFromForm(
      form,
      { 'a.coOneCityOneProduct': 'zhengzhou-cast.2', 'a.coHundredSocieties': 'zhengzhou-cast.3' },
      [],
    );
    expect(dossier.answers).toEqual({
      coOneCityOneProduct: 'zhengzhou-cast.2',
      coHundredSocieties: 'zhengzhou-cast.3',
    });
  });
});
