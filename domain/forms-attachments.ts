/**
 * A dossier's attachment references against the form's slots: each in a known slot, of an allowed
 * format and size, as many as the slot takes. Only references: the files themselves are checked
 * by content where they are stored. Pure.
 */
import { ATTACHMENT_FORMATS, type AttachmentRef } from './dossier';
import { invalid, isObject, listed, unknownKeys } from './forms-problems';
import type { AttachmentSlot } from './programme';
import { reject, type Rejection } from './rejections';
import { textIssue } from './text';

const ATTACHMENT_KEYS = ['sha256', 'name', 'slot', 'format', 'size', 'pages'];
/** An attachment's file name, as the store sanitised it. */
const MAX_FILE_NAME = 255;

export function attachmentProblems(slots: AttachmentSlot[], given: unknown, at: string): Rejection[] {
  if (given === undefined) given = [];
  if (!Array.isArray(given))
    return [
      invalid(
        at,
        'type',
        '附件应为列表 / attachments must be a list',
        '[{ sha256, name, slot, format, size }]',
      ),
    ];
  const problems: Rejection[] = [];
  const counts = new Map<string, number>();
  given.forEach((item: unknown, i) => {
    const problem = attachmentProblem(slots, item, `${at}[${i}]`);
    if (problem) problems.push(problem);
    // A malformed file still fills its slot: the count speaks only of files missing or too many.
    const slot = isObject(item) && typeof item.slot === 'string' ? item.slot : undefined;
    if (slot) counts.set(slot, (counts.get(slot) ?? 0) + 1);
  });
  for (const slot of slots) {
    const count = counts.get(slot.id) ?? 0;
    const least = slot.required ? Math.max(1, slot.minCount) : count > 0 ? slot.minCount : 0;
    if (count < least || count > slot.maxCount) {
      problems.push(
        invalid(
          `${at}.${slot.id}`,
          'count',
          `${slot.label.zh}：应有 ${least}–${slot.maxCount} 个文件，实有 ${count} / ${least} to ${slot.maxCount} files, ${count} given`,
          count > slot.maxCount
            ? '删去多余的文件 / remove the extra files'
            : '上传所需文件 / upload the required files',
        ),
      );
    }
  }
  return problems;
}

function attachmentProblem(slots: AttachmentSlot[], item: unknown, where: string): Rejection | undefined {
  if (!isObject(item))
    return invalid(
      where,
      'type',
      '附件引用应为对象 / an attachment reference is an object',
      '使用上传后返回的引用 / use the reference the upload returned',
    );
  const [unknown] = unknownKeys(item, ATTACHMENT_KEYS, where);
  if (unknown) return unknown;
  const slot = slots.find((s) => s.id === item.slot);
  if (!slot)
    return invalid(
      `${where}.slot`,
      'unknown-slot',
      '本榜单没有该附件项 / no such attachment slot',
      `附件项 / slots: ${listed(slots.map((s) => s.id))}`,
    );
  const fromUpload = '使用上传后返回的引用 / use the reference the upload returned';
  if (typeof item.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(item.sha256))
    return invalid(
      `${where}.sha256`,
      'sha256',
      '应为64位小写十六进制 / 64 lower-case hex digits',
      fromUpload,
    );
  if (
    typeof item.name !== 'string' ||
    item.name.length === 0 ||
    item.name.length > MAX_FILE_NAME ||
    textIssue(item.name, 'identifier')
  )
    return invalid(
      `${where}.name`,
      'file-name',
      `文件名应为 1–${MAX_FILE_NAME} 个可见字符 / a file name of 1 to ${MAX_FILE_NAME} visible characters`,
      fromUpload,
    );
  if (
    typeof item.format !== 'string' ||
    !(ATTACHMENT_FORMATS as readonly string[]).includes(item.format) ||
    !slot.formats.includes(item.format as AttachmentRef['format'])
  )
    return invalid(
      `${where}.format`,
      'format',
      `${slot.label.zh}：格式不符 / wrong format`,
      `可用格式 / formats: ${listed(slot.formats)}`,
    );
  if (typeof item.size !== 'number' || !Number.isInteger(item.size) || item.size < 0)
    return invalid(`${where}.size`, 'type', '大小应为字节数 / size is a whole number of bytes', fromUpload);
  if (item.size > slot.maxBytes)
    return reject('INVALID', `${slot.label.zh}：文件过大 / file too large`, {
      field: `${where}.size`,
      rule: 'max-bytes',
      fix: `不超过 / at most ${slot.maxBytes} 字节 / bytes`,
      limit: slot.maxBytes,
    });
  if (
    item.pages !== undefined &&
    (typeof item.pages !== 'number' || !Number.isInteger(item.pages) || item.pages < 0)
  )
    return invalid(`${where}.pages`, 'type', '页数应为整数 / pages is a whole number', fromUpload);
  return undefined;
}
