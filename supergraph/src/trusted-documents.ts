import { join } from 'node:path';
import { persistedQueryManifest, type OperationType } from '@partnership/gateway';
import { Kind, print } from 'graphql';
import { supergraphPackageDir } from './compose';
import type { SavedOperation } from './operations';

/** The trusted documents manifest the gateway reads (TRUSTED_DOCUMENTS=allow or only), built from supergraph/operations. */
export const trustedDocumentsFile = join(supergraphPackageDir, 'trusted-documents.json');

/**
 * The manifest file's text for the saved operations: each body is the printed document (without the file's comments),
 * the text a client sends when it prints the operation it imports, and the text whose sha256 is the id.
 */
export function trustedDocumentsText(operations: SavedOperation[]): string {
  const manifest = persistedQueryManifest(
    operations.map(({ name, document }) => {
      const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
      return { name, type: (operation?.operation ?? 'query') as OperationType, body: print(document) };
    }),
  );
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
