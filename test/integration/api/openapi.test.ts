import { z } from 'zod';
import { defineJob } from '../../../src/jobs/define-job';
import { type TestApi, startTestApi } from '../../helpers/api';

const invoice = defineJob({
  name: 'send-invoice',
  payload: z.object({ invoiceId: z.string().min(1), copies: z.number().int().default(1) }),
  timeoutSeconds: 5,
  handler: () => Promise.resolve(),
});

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> }; responses: Record<string, unknown>; security?: unknown[] }>>;
  components: { securitySchemes: Record<string, { scheme: string }> };
}

describe('HTTP API: OpenAPI document', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi([invoice]);
  });
  afterAll(async () => {
    await api.close();
  });

  it('is generated from the job schemas and the API schemas', async () => {
    const response = await api.get('/api/v1/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as OpenApiDocument;
    expect(doc.openapi).toBe('3.1.0');
    const enqueue = doc.paths['/api/v1/jobs/send-invoice']?.post;
    const schema = enqueue?.requestBody?.content['application/json']?.schema;
    expect(Object.keys(schema?.properties ?? {})).toEqual(['invoiceId', 'copies']);
    expect(schema?.required).toEqual(['invoiceId']);
    expect(Object.keys(enqueue?.responses ?? {})).toEqual(expect.arrayContaining(['202', '400', '401', '404', '413', '503']));
    expect(enqueue?.security).toEqual([{ apiKey: [] }]);
    expect(doc.components.securitySchemes.apiKey?.scheme).toBe('bearer');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/jobs/send-invoice/batch', '/api/v1/jobs/ping', '/api/v1/jobs/{jobId}', '/api/v1/health/ready', '/metrics']),
    );
  });
});
