import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';

/**
 * A saved client operation: a `.graphql` file holding one operation, opened by comment lines —
 * a description, then `# variables: { ...json }` with example variables.
 */
export interface SavedOperation {
  file: string;
  name: string;
  description: string;
  variables: Record<string, unknown>;
  text: string;
  document: DocumentNode;
}

/**
 * The operations in a folder and its subfolders (front-ends register theirs in a subfolder of their own:
 * `supergraph/operations/<front-end>/*.graphql`); `file` is the path inside the folder.
 */
export function loadOperations(dir: string): SavedOperation[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((file) => file.split(sep).join('/'))
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const document = parse(text);
      const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
      const comments = text
        .split('\n')
        .filter((line) => line.startsWith('#'))
        .map((line) => line.slice(1).trim());
      const variablesLine = comments.find((line) => line.startsWith('variables:'));
      return {
        file,
        name: operation && 'name' in operation && operation.name ? operation.name.value : file,
        description: comments.filter((line) => !line.startsWith('variables:')).join(' '),
        variables: variablesLine ? (JSON.parse(variablesLine.slice('variables:'.length)) as Record<string, unknown>) : {},
        text,
        document,
      };
    });
}

/** The saved operations a schema no longer serves, each with the validation messages that say why. */
export function brokenOperations(schema: GraphQLSchema, operations: SavedOperation[]): Array<{ operation: SavedOperation; messages: string[] }> {
  return operations
    .map((operation) => ({ operation, messages: validate(schema, operation.document).map((e) => e.message) }))
    .filter((result) => result.messages.length > 0);
}
