/**
 * Small ZIP archives written byte by byte for the attachment tests: real DOCX-shaped documents,
 * and hostile ones (a bomb, a directory that lies about its sizes, encrypted or nested entries)
 * that no library would write.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data?: Buffer;
  /** Stored as is (no deflate) instead of this entry's deflated data. */
  raw?: Buffer;
  /** Claimed in the headers instead of the data's real length. */
  claimedSize?: number;
  encrypted?: boolean;
}

export function zip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = entry.data ?? Buffer.alloc(0);
    const body = entry.raw ?? deflateRawSync(data);
    const name = Buffer.from(entry.name, 'utf8');
    const size = entry.claimedSize ?? data.length;
    const flags = (entry.encrypted ? 0x1 : 0) | 0x800;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const xml = (text: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${text}`);

/** The entries of a minimal Word document. */
export const DOCX_ENTRIES: ZipEntry[] = [
  {
    name: '[Content_Types].xml',
    data: xml(
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
  },
  {
    name: '_rels/.rels',
    data: xml(
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    ),
  },
  {
    name: 'word/document.xml',
    data: xml(
      '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>申报书</w:t></w:r></w:p></w:body></w:document>',
    ),
  },
];

export const docx = (extra: readonly ZipEntry[] = []): Buffer => zip([...DOCX_ENTRIES, ...extra]);

/** A Word document with a 32 MiB part of zeros deflated ~1000:1. */
export const docxBomb = (): Buffer =>
  docx([{ name: 'word/media/image1.png', data: Buffer.alloc(32 * 1024 * 1024) }]);

/**
 * A Word document whose directory claims a 4 GiB part backed by 1 KiB that is not even deflate
 * data: refused from the claim alone; inflating it would fail with a data error instead.
 */
export const docxClaimingBomb = (): Buffer =>
  docx([{ name: 'word/media/image2.png', raw: Buffer.alloc(1024, 0xff), claimedSize: 0xffff_fffe }]);
