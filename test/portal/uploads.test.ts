/**
 * Attachment uploads through the API on a keyed cycle: a real PDF is stored and its reference
 * files a nomination; an executable renamed .pdf and a file over its slot's limit are refused with
 * their code and field, and nothing is stored.
 */
import { generateAttachmentPdf } from '../../client/rehearsal-attachments';
import type { AttachmentRef } from '../../domain/dossier';
import { attachmentKey } from '../../storage/attachments';
import { dossierFor } from '../support/candidates';
import { useTimeSkippingStack } from '../support/time-skipping';
import {
  bearer,
  credential,
  finishKeyedCycle,
  startKeyedCycle,
  attachmentStoreOf,
  startPortal,
  storedAttachments,
  type PortalUnderTest,
} from './portal-kit';

/** The upload's answer: a stored reference, or a refusal. */
interface UploadAnswer {
  ref: AttachmentRef;
  created?: boolean;
  code?: string;
}

const PROGRAMME = 'portal-uploads-2023';
const PART = 'listId=pioneer-tech&fieldId=electronics';
/** pioneer-tech's evidence slot takes up to 10 MiB (national-2023 preset). */
const EVIDENCE_MAX_BYTES = 10 * 1024 * 1024;

describe('attachment uploads through the API', () => {
  let app: PortalUnderTest;
  let cycleId: string;
  const uploadUrl = (slot: string) =>
    `/api/v1/cycles/${PROGRAMME}/units/cie/attachments?${PART}&slot=${slot}`;
  afterAll(async () => {
    await app?.close();
    if (cycleId) await finishKeyedCycle(kit.stack, cycleId);
  });
  const kit = useTimeSkippingStack();

  const storedCount = () => storedAttachments(kit.stack);

  /** Posts one file as multipart/form-data in part "file", as cie. */
  const upload = async (slot: string, name: string, bytes: Buffer) => {
    const body = new FormData();
    body.append('file', new Blob([bytes]), name);
    const response = await fetch(`${app.base}${uploadUrl(slot)}`, {
      method: 'POST',
      headers: bearer(credential(cycleId, 'unit:cie')),
      body,
    });
    return { status: response.status, json: (await response.json()) as UploadAnswer };
  };

  beforeAll(async () => {
    ({ cycleId } = await startKeyedCycle(kit.stack, PROGRAMME));
    app = await startPortal(kit.stack, { attachments: attachmentStoreOf(kit.stack) });
  });

  it('stores a PDF and files a nomination carrying its reference', async () => {
    const pdf = await generateAttachmentPdf('申报书', ['量子芯片 application form']);
    const stored = await upload('application-form', '申报书.pdf', pdf);
    expect(stored.status).toBe(201);
    expect(stored.json).toMatchObject({
      created: true,
      ref: { slot: 'application-form', format: 'pdf', size: pdf.length, name: '申报书.pdf' },
    });
    const sample = dossierFor('national-2023', 'pioneer-tech', 'electronics');
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/cycles/${PROGRAMME}/units/cie/nominations`,
      headers: { ...bearer(credential(cycleId, 'unit:cie')), 'idempotency-key': 'upload-1' },
      payload: {
        listId: 'pioneer-tech',
        fieldId: 'electronics',
        candidate: { name: '带附件的芯片', identity: 'TECH-upload-1', classified: false },
        dossier: { ...sample, attachments: [stored.json.ref] },
      },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().dossier.attachments).toEqual([stored.json.ref]);
    expect(await kit.stack.storage.files.get(attachmentKey(stored.json.ref.sha256))).toBeDefined();
  });

  it('refuses an executable renamed .pdf with INVALID on the file, storing nothing', async () => {
    const before = await storedCount();
    const executable = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(4096, 0x41)]);
    const refused = await upload('application-form', '申报书.pdf', executable);
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 'INVALID', field: 'file', fix: expect.any(String) });
    expect(await storedCount()).toBe(before);
  });

  it('refuses a file over its slot’s limit with 413 TOO_LARGE, storing nothing', async () => {
    const before = await storedCount();
    const oversize = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(EVIDENCE_MAX_BYTES, 0x20)]);
    const refused = await upload('evidence', '证明材料.pdf', oversize);
    expect(refused.status).toBe(413);
    expect(refused.json).toMatchObject({
      code: 'TOO_LARGE',
      field: 'file',
      rule: 'max-bytes',
      limit: EVIDENCE_MAX_BYTES,
    });
    expect(await storedCount()).toBe(before);
  });

  it('refuses a slot the part’s form does not have', async () => {
    const pdf = await generateAttachmentPdf('x', ['x']);
    const refused = await upload('no-such-slot', 'x.pdf', pdf);
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 'INVALID', field: 'slot', rule: 'slot' });
  });

  it('documents the upload in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const route = doc.paths['/api/v1/cycles/{programme}/units/{unit}/attachments'];
    expect(route.post.responses['201']).toBeDefined();
    expect(route.post.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['listId', 'slot']),
    );
  });
});
