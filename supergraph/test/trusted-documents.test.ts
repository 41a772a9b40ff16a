import { readFileSync } from 'node:fs';
import { operationsDir } from '../src/compose';
import { loadOperations } from '../src/operations';
import { trustedDocumentsFile, trustedDocumentsText } from '../src/trusted-documents';
import { loadTrustedDocuments } from '@partnership/gateway';

describe('the committed trusted documents manifest', () => {
  test('equals one built from supergraph/operations (run `npm run compose` when this fails)', () => {
    expect(readFileSync(trustedDocumentsFile, 'utf8')).toBe(trustedDocumentsText(loadOperations(operationsDir)));
  });

  test('is a manifest the gateway accepts, with one document per saved operation, by name and type', () => {
    const operations = loadOperations(operationsDir);
    const trusted = loadTrustedDocuments({ mode: 'only', manifests: [trustedDocumentsFile] });
    expect([...trusted!.byId.values()].map(({ name, type }) => ({ name, type }))).toEqual(
      operations.map(({ name }) => ({ name, type: 'query' })).sort((a, b) => a.name.localeCompare(b.name)),
    );
  });
});
