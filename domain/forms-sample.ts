/**
 * A dossier that passes a form: the template `kczg nominate --template --list` prints, and the
 * synthetic nominations of rehearsals and tests. Pure.
 */
import type { AttachmentRef, Dossier, FormAnswer } from './dossier';
import { usccCheckCharacter } from './forms-uscc';
import type { Form, FormField } from './programme';

/** A valid 统一社会信用代码 for sample number `n` (an enterprise registered in Beijing). */
export function sampleUscc(n: number): string {
  const first17 = `91110000${String(Math.abs(Math.trunc(n)) % 1e9).padStart(9, '0')}`;
  return `${first17}${usccCheckCharacter(first17)}`;
}

function sampleAnswer(field: FormField, n: number): FormAnswer {
  switch (field.type) {
    case 'text': {
      const text = `示例${field.label.zh}`.padEnd(field.minLength ?? 0, '。');
      return text.slice(0, field.maxLength);
    }
    case 'number':
      return Math.max(field.min ?? 0, Math.min(field.max ?? 10, 10));
    case 'date':
      return field.min && field.min > '2015-06-01' ? field.min : '2015-06-01';
    case 'choice':
      return field.options[0].value;
    case 'choices':
      return field.options.slice(0, Math.max(1, field.minItems ?? 1)).map((o) => o.value);
    case 'boolean':
      return false;
    case 'uscc':
      return sampleUscc(n);
    case 'email':
      return 'contact@example.org';
    case 'phone':
      return '010-68767227';
  }
}

/**
 * References to no stored file, one per required slot (or its minimum count), of the slot's first
 * format: enough for a dossier to pass its form where no attachment store is at hand. Callers with
 * one (the rehearsal, through storage/) pass the references of real uploads instead.
 */
export function placeholderAttachments(form: Form): AttachmentRef[] {
  return form.attachments.flatMap((slot) =>
    Array.from({ length: slot.required ? Math.max(1, slot.minCount) : 0 }, (_, i) => ({
      sha256: (slot.id + i)
        .replace(/[^0-9a-f]/g, '0')
        .padEnd(64, '0')
        .slice(0, 64),
      name: `${slot.label.zh}${i + 1}.${slot.formats[0]}`,
      slot: slot.id,
      format: slot.formats[0],
      size: Math.min(slot.maxBytes, 1024),
    })),
  );
}

/**
 * Every field answered with a sample value (`answers` overrides some), every declaration
 * affirmed word for word, and `attachments` (by default placeholders) attached. `n` varies the
 * organisation codes between candidates.
 */
export function sampleDossier(
  form: Form,
  {
    n = 1,
    answers = {},
    attachments = placeholderAttachments(form),
  }: { n?: number; answers?: Record<string, FormAnswer>; attachments?: AttachmentRef[] } = {},
): Dossier {
  return {
    answers: {
      ...Object.fromEntries(form.fields.map((field) => [field.id, sampleAnswer(field, n)])),
      ...answers,
    },
    declarations: form.declarations.map(({ id, text }) => ({ id, text })),
    attachments,
  };
}
