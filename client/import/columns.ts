/** The import columns: ids, Chinese headings and aliases, hints and examples (no I/O). */
import { headingLookup } from '../../tables/table';

export const IMPORT_COLUMNS = [
  'key',
  'listId',
  'fieldId',
  'name',
  'identity',
  'region',
  'city',
  'foundedOn',
  'birthDate',
  'orgType',
  'focusFields',
  'category',
  'classified',
  'standing',
  'enterpriseFoundedOn',
  'certified',
  'summary',
  'contactEmail',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

interface ColumnInfo {
  /** The Chinese heading the template writes (followed by the column id). */
  zh: string;
  /** Other headings accepted for the column. */
  aliases: string[];
  /** What goes in the cell, Chinese first. */
  hint: string;
  example: string;
}

export const COLUMN_INFO: Record<ImportColumn, ColumnInfo> = {
  key: {
    zh: '幂等键',
    aliases: ['idempotencyKey', '唯一键', '导入键'],
    hint: '选填：本行的唯一键，重新导入时相同键不会重复推荐；留空则按内容自动生成 / optional: a unique key per row; empty: derived from the row',
    example: 'cie-2023-001',
  },
  listId: {
    zh: '榜单',
    aliases: ['list', '榜单编号', '榜单id'],
    hint: '必填：榜单编号，如 pioneer-tech（或用 --list 统一指定）/ required: list id (or --list)',
    example: 'pioneer-tech',
  },
  fieldId: {
    zh: '领域',
    aliases: ['field', '领域编号', '领域id'],
    hint: '分领域的榜单必填：领域编号，如 electronics / field id, for lists with fields',
    example: 'electronics',
  },
  name: {
    zh: '名称',
    aliases: ['候选名称', '候选', '技术名称', '企业名称', '机构名称', '项目名称', '姓名'],
    hint: '必填：候选技术、企业、组织或人员名称 / required: the candidate’s name',
    example: '高性能射频前端芯片关键技术',
  },
  identity: {
    zh: '统一社会信用代码',
    aliases: ['身份标识', '信用代码', '证件号码'],
    hint: '统一社会信用代码或其他稳定标识，用于查重 / registration number or other stable identity',
    example: '91110000MA01ABCD2X',
  },
  region: {
    zh: '注册地区',
    aliases: ['地区', '注册地'],
    hint: '中国大陆、香港、澳门、台湾、境外（或 mainland, hong-kong, macao, taiwan, abroad）',
    example: '中国大陆',
  },
  city: { zh: '所在城市', aliases: ['城市'], hint: '如 / e.g. 宁波市', example: '宁波市' },
  foundedOn: {
    zh: '成立日期',
    aliases: ['成立时间', '注册日期'],
    hint: 'YYYY-MM-DD，也可 2015/3/1、2015年3月1日 / a date',
    example: '2015-03-01',
  },
  birthDate: { zh: '出生日期', aliases: [], hint: 'YYYY-MM-DD', example: '1990-05-20' },
  orgType: {
    zh: '机构类型',
    aliases: ['组织类型', '单位类型'],
    hint: '如 / e.g. 新型研发机构、大学科技园',
    example: '新型研发机构',
  },
  focusFields: {
    zh: '聚焦领域',
    aliases: ['重点领域'],
    hint: '以 ";" 或 "、" 分隔 / separated by ";" or "、"',
    example: '新一代信息技术、新材料',
  },
  category: {
    zh: '类别',
    aliases: ['分类'],
    hint: '如 / e.g. 基础零部件和元器件（产业基础领域）',
    example: '基础材料',
  },
  classified: {
    zh: '是否涉密',
    aliases: ['涉密', '涉密情况'],
    hint: '是 / 否（先导技术榜须填“否”）/ yes or no',
    example: '否',
  },
  standing: {
    zh: '经营与信用状态',
    aliases: ['信用状态', '经营状态'],
    hint: '良好、经营异常、严重失信（或 good, abnormal-operation, serious-dishonesty）',
    example: '良好',
  },
  enterpriseFoundedOn: {
    zh: '创办企业注册日期',
    aliases: ['创办企业成立日期', '企业注册日期'],
    hint: 'YYYY-MM-DD',
    example: '2019-07-01',
  },
  certified: {
    zh: '技术经理人认证',
    aliases: ['技术经理人培训认证', '培训认证', '是否认证', '认证'],
    hint: '是 / 否 / yes or no',
    example: '是',
  },
  summary: {
    zh: '简介',
    aliases: ['摘要', '概述', '简要介绍'],
    hint: '不超过 2000 字 / at most 2000 characters',
    example: '',
  },
  contactEmail: {
    zh: '联系邮箱',
    aliases: ['电子邮箱', '邮箱', 'email'],
    hint: '候选联系人邮箱 / the candidate contact’s e-mail',
    example: 'contact@example.org',
  },
};

/** "榜单 listId": the heading the templates write. */
export function templateHeading(column: ImportColumn): string {
  return `${COLUMN_INFO[column].zh} ${column}`;
}

/** The column a heading names: "listId", "榜单", "榜单 listId", "名称*（name）"… or undefined. */
export const columnOfHeading: (heading: string) => ImportColumn | undefined = headingLookup(
  IMPORT_COLUMNS.flatMap((column) =>
    [column, COLUMN_INFO[column].zh, ...COLUMN_INFO[column].aliases].map(
      (heading): [string, ImportColumn] => [heading, column],
    ),
  ),
);
