/**
 * Checks a nomination's dossier against its list's application form (domain/programme.ts
 * formSchema): every answer typed and within its limits, every declaration affirmed word for word,
 * every attachment in a known slot, of an allowed format, size and count. Nothing unknown is
 * dropped: an unknown answer key, declaration or slot is refused like a malformed one.
 *
 * Hand-written rather than zod for the reason domain/candidate.ts gives: unit workflows run it.
 * Pure and deterministic.
 */
import { isCalendarDate, isEmailAddress } from './candidate';
import { attachmentProblems } from './forms-attachments';
import { invalid, isObject, listed, unknownKeys } from './forms-problems';
import { jsonBytes } from './limits';
import type { Form, FormField, List } from './programme';
import { reject, type Rejection } from './rejections';
import { textIssue } from './text';
import { isUscc } from './forms-uscc';

const DOSSIER_KEYS = ['answers', 'declarations', 'attachments'] as const;
/**
 * A dossier as JSON (UTF-8) is at most this large: it travels in the nomination's update, stays in
 * the unit's state and is carried over by continue-as-new beside every other nomination of the
 * unit, all under the server's 2 MB payload limit. Files travel by reference only.
 */
export const MAX_DOSSIER_BYTES = 24 * 1024;
const DECLARATION_KEYS = ['id', 'text'];
/** Mainland and international numbers with area codes and extensions: "010-68767227", "+86 138…". */
const PHONE_PATTERN = /^\+?[0-9][0-9 -]{4,23}[0-9]$/;

/** The form a nomination to the list (and field) fills in: the list's, plus the field's own. */
export function formFor(list: List, fieldId?: string): Form | undefined {
  const fieldForm = list.fields?.find((f) => f.id === fieldId)?.form;
  if (!list.form) return fieldForm;
  if (!fieldForm) return list.form;
  return {
    fields: [...list.form.fields, ...fieldForm.fields],
    declarations: [...list.form.declarations, ...fieldForm.declarations],
    attachments: [...list.form.attachments, ...fieldForm.attachments],
  };
}

/**
 * Every problem of the dossier against the form, in the order a reader fixes them (answers,
 * declarations, attachments); empty when it passes. Each is an INVALID rejection naming the field
 * (e.g. "dossier.answers.orgCode", "dossier.declarations.no-accident", "dossier.attachments[1]").
 */
export function checkDossier(form: Form, dossier: unknown, at = 'dossier'): Rejection[] {
  if (!isObject(dossier)) {
    return [
      invalid(
        at,
        'type',
        '申报书应为对象 / the dossier must be an object',
        '按 kczg nominate <方案> --list <榜单> --dossier-template 的模板填写 / follow the dossier template',
      ),
    ];
  }
  if (jsonBytes(dossier, MAX_DOSSIER_BYTES) > MAX_DOSSIER_BYTES) {
    return [
      reject(
        'INVALID',
        `申报书超过 ${MAX_DOSSIER_BYTES / 1024} KiB / the dossier is larger than ${MAX_DOSSIER_BYTES / 1024} KiB`,
        {
          field: at,
          rule: 'max-bytes',
          fix: '缩短长文本；详细材料作为附件上传 / shorten long answers; upload details as attachments',
          limit: MAX_DOSSIER_BYTES,
        },
      ),
    ];
  }
  return [
    ...unknownKeys(dossier, DOSSIER_KEYS, at),
    ...answerProblems(form.fields, dossier.answers, `${at}.answers`),
    ...declarationProblems(form, dossier.declarations, `${at}.declarations`),
    ...attachmentProblems(form.attachments, dossier.attachments, `${at}.attachments`),
  ];
}

function answerProblems(fields: FormField[], answers: unknown, at: string): Rejection[] {
  if (answers === undefined) answers = {};
  if (!isObject(answers)) {
    return [
      invalid(
        at,
        'type',
        '答案应为对象 / answers must be an object',
        '{ "字段编号": 答案 } / { "fieldId": answer }',
      ),
    ];
  }
  const problems = unknownKeys(
    answers,
    fields.map((f) => f.id),
    at,
  );
  for (const field of fields) {
    const value = Object.hasOwn(answers, field.id) ? answers[field.id] : undefined;
    const where = `${at}.${field.id}`;
    if (value === undefined || value === null || value === '') {
      if (field.required) {
        problems.push(
          invalid(
            where,
            'required',
            `必填：${field.label.zh} / required: ${field.label.en ?? field.id}`,
            '填写该项 / fill it in',
          ),
        );
      }
      continue;
    }
    const problem = answerProblem(field, value);
    if (problem)
      problems.push(invalid(where, problem.rule, `${field.label.zh}：${problem.message}`, problem.fix));
  }
  return problems;
}

interface AnswerProblem {
  rule: string;
  message: string;
  fix: string;
}

const wrongType = (expected: string, fix: string): AnswerProblem => ({
  rule: 'type',
  message: `应为${expected}`,
  fix,
});

function answerProblem(field: FormField, value: unknown): AnswerProblem | undefined {
  switch (field.type) {
    case 'text':
      return typeof value === 'string'
        ? textProblem(value, field)
        : wrongType('文本 / expected text', '填写文字 / give text');
    case 'number':
      return numberProblem(field, value);
    case 'date':
      if (typeof value !== 'string' || !isCalendarDate(value))
        return wrongType('日期 / expected a date', '写成 YYYY-MM-DD，如 2023-11-30 / as YYYY-MM-DD');
      if ((field.min && value < field.min) || (field.max && value > field.max))
        return {
          rule: 'range',
          message: `超出范围 / out of range`,
          fix: `${field.min ?? '…'} 至 / to ${field.max ?? '…'}`,
        };
      return undefined;
    case 'choice': {
      const values = field.options.map((o) => o.value);
      return typeof value === 'string' && values.includes(value)
        ? undefined
        : {
            rule: 'enum',
            message: '不是可选项 / not one of the options',
            fix: `可选 / one of: ${listed(values)}`,
          };
    }
    case 'choices':
      return choicesProblem(field, value);
    case 'boolean':
      return typeof value === 'boolean'
        ? undefined
        : wrongType('是或否 / expected true or false', 'true 或 false');
    case 'uscc':
      return typeof value === 'string' && isUscc(value)
        ? undefined
        : {
            rule: 'uscc',
            message:
              '统一社会信用代码无效（18位，末位校验码按 GB 32100-2015）/ not a valid unified social credit code',
            fix: '核对营业执照上的18位代码 / copy the 18 characters from the business licence',
          };
    case 'email':
      return typeof value === 'string' && value.length <= 320 && isEmailAddress(value)
        ? undefined
        : {
            rule: 'email',
            message: '不是电子邮件地址 / not an e-mail address',
            fix: '如 / e.g. name@example.org',
          };
    case 'phone':
      return typeof value === 'string' && PHONE_PATTERN.test(value)
        ? undefined
        : {
            rule: 'phone',
            message: '不是电话号码 / not a phone number',
            fix: '如 / e.g. 010-68767227 或 13801237788',
          };
  }
}

function textProblem(value: string, field: Extract<FormField, { type: 'text' }>): AnswerProblem | undefined {
  // The length first: a huge value is refused before anything reads it character by character.
  if (value.length > field.maxLength) {
    return {
      rule: 'max-length',
      message: `最多 ${field.maxLength} 个字符 / at most ${field.maxLength} characters`,
      fix: '缩短该文本 / shorten it',
    };
  }
  if (value.length < (field.minLength ?? 0)) {
    return {
      rule: 'min-length',
      message: `至少 ${field.minLength} 个字符 / at least ${field.minLength} characters`,
      fix: '补充内容 / say more',
    };
  }
  const issue = textIssue(value, field.multiline ? 'free' : 'name');
  return issue ? { rule: issue.rule, message: issue.message, fix: issue.fix } : undefined;
}

function numberProblem(
  field: Extract<FormField, { type: 'number' }>,
  value: unknown,
): AnswerProblem | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value))
    return wrongType('数字 / expected a number', '填写数字，不加引号 / a number, unquoted');
  if (field.integer && !Number.isInteger(value))
    return {
      rule: 'integer',
      message: '应为整数 / expected a whole number',
      fix: '去掉小数 / drop the fraction',
    };
  if ((field.min !== undefined && value < field.min) || (field.max !== undefined && value > field.max)) {
    return {
      rule: 'range',
      message: '超出范围 / out of range',
      fix: `${field.min ?? '…'} 至 / to ${field.max ?? '…'}`,
    };
  }
  return undefined;
}

function choicesProblem(
  field: Extract<FormField, { type: 'choices' }>,
  value: unknown,
): AnswerProblem | undefined {
  const values = field.options.map((o) => o.value);
  if (!Array.isArray(value))
    return wrongType('选项列表 / expected a list of options', `如 / e.g. ["${values[0]}"]`);
  const unknown = value.find((item) => typeof item !== 'string' || !values.includes(item));
  if (unknown !== undefined)
    return {
      rule: 'enum',
      message: '含不可选的项 / holds a value that is not an option',
      fix: `可选 / options: ${listed(values)}`,
    };
  if (new Set(value).size !== value.length)
    return {
      rule: 'unique',
      message: '选项重复 / an option is repeated',
      fix: '每项只选一次 / each option once',
    };
  if (value.length < (field.minItems ?? 0) || value.length > (field.maxItems ?? values.length)) {
    return {
      rule: 'count',
      message: `应选 ${field.minItems ?? 0}–${field.maxItems ?? values.length} 项 / choose ${field.minItems ?? 0} to ${field.maxItems ?? values.length}`,
      fix: '调整所选项 / change the selection',
    };
  }
  return undefined;
}

function declarationProblems(form: Form, given: unknown, at: string): Rejection[] {
  if (given === undefined) given = [];
  if (!Array.isArray(given)) {
    return [invalid(at, 'type', '声明应为列表 / declarations must be a list', '[{ "id": …, "text": … }]')];
  }
  const problems: Rejection[] = [];
  const affirmed = new Map<string, unknown>();
  given.forEach((item: unknown, i) => {
    const where = `${at}[${i}]`;
    if (!isObject(item) || typeof item.id !== 'string') {
      problems.push(
        invalid(
          where,
          'type',
          '声明应为 { id, text } / a declaration is { id, text }',
          '按模板复制声明 / copy it from the template',
        ),
      );
      return;
    }
    problems.push(...unknownKeys(item, DECLARATION_KEYS, where));
    const declaration = form.declarations.find((d) => d.id === item.id);
    if (!declaration) {
      problems.push(
        invalid(
          `${at}.${item.id}`,
          'unknown-declaration',
          '本榜单没有该声明 / no such declaration on this form',
          `可用声明 / declarations: ${listed(form.declarations.map((d) => d.id))}`,
        ),
      );
    } else if (affirmed.has(item.id)) {
      problems.push(
        invalid(
          `${at}.${item.id}`,
          'duplicate',
          '声明重复 / declared twice',
          '每项声明只写一次 / affirm each once',
        ),
      );
    }
    affirmed.set(item.id, item.text);
  });
  for (const declaration of form.declarations) {
    const where = `${at}.${declaration.id}`;
    if (!affirmed.has(declaration.id)) {
      problems.push(
        invalid(
          where,
          'missing-declaration',
          `缺少声明 / missing declaration: ${declaration.text}`,
          '确认符合该条件后加入此声明，原文照录 / affirm it, word for word',
        ),
      );
    } else if (affirmed.get(declaration.id) !== declaration.text) {
      problems.push(
        invalid(
          where,
          'altered-declaration',
          '声明内容与通知条件不一致 / the declaration’s text differs from the form’s',
          `原文照录 / affirm exactly: ${declaration.text}`,
        ),
      );
    }
  }
  return problems;
}
