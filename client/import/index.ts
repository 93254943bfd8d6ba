/**
 * `kczg import`: a unit's nominations from a spreadsheet (CSV or XLSX), one row per nomination.
 *
 * - Columns (English ids or Chinese headings, any order): key, listId, fieldId, name, identity,
 *   region, city, foundedOn, birthDate, orgType, focusFields, category, classified, standing,
 *   enterpriseFoundedOn, certified, summary, contactEmail. Given the programme, columns named by
 *   a part's form fill its dossier (form-columns.ts); other columns are ignored (and reported).
 * - Each row becomes a NominateRequest, or a local rejection (same codes as the server's).
 * - Re-runnable: a row's idempotency key is its `key` cell, else derived from the programme, the
 *   unit and a hash of the row's normalised fields, so the same file gives the same nominations.
 * - The file is refused as a whole (ImportFileError, code INVALID) only when it cannot be read or
 *   lacks a required column; everything else is reported per row.
 *
 * columns.ts names the columns, file.ts reads a file, rows.ts turns rows into requests (with
 * form-columns.ts), attachments.ts uploads the files they name, run.ts sends them and writes the
 * report, template.ts writes the templates.
 */
export * from './attachments';
export * from './columns';
export * from './file';
export * from './rows';
export * from './run';
export * from './template';
