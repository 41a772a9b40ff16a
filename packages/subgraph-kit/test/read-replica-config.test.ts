import { subgraphConfigFromEnv } from '../src/config';
import { createDatabase } from '../src/data-source';
import { createLogger } from '../src/logger';
import { Note } from './fixture-subgraph';

const PRIMARY = 'mysql://writer:secret@db-primary:3306/institutions';
const readUrls = (env: NodeJS.ProcessEnv) => subgraphConfigFromEnv('institutions', 4001, env).databaseReadUrls;

describe('read replica settings', () => {
  test('unset: no read replicas', () => {
    expect(readUrls({ INSTITUTIONS_DATABASE_URL: PRIMARY })).toBeUndefined();
    expect(readUrls({ INSTITUTIONS_DATABASE_URL: PRIMARY, INSTITUTIONS_DATABASE_READ_URLS: ' ' })).toBeUndefined();
  });

  test('a comma-separated list of mysql:// and mariadb:// URLs, spaces around entries ignored', () => {
    const env = {
      INSTITUTIONS_DATABASE_URL: PRIMARY,
      INSTITUTIONS_DATABASE_READ_URLS: ' mysql://reader:pw@replica1/institutions , mariadb://replica2:3307/institutions',
    };
    expect(readUrls(env)).toEqual(['mysql://reader:pw@replica1/institutions', 'mariadb://replica2:3307/institutions']);
  });

  test('DATABASE_READ_URLS serves when the prefixed variable is unset, as DATABASE_URL does', () => {
    expect(readUrls({ DATABASE_URL: PRIMARY, DATABASE_READ_URLS: 'mysql://replica1/institutions' })).toEqual(['mysql://replica1/institutions']);
    expect(readUrls({ DATABASE_URL: PRIMARY, DATABASE_READ_URLS: 'mysql://shared/db', INSTITUTIONS_DATABASE_READ_URLS: 'mysql://own/institutions' })).toEqual([
      'mysql://own/institutions',
    ]);
  });

  test.each([
    ['another scheme', 'mysql://replica1/institutions,postgres://reader:secret@replica2/institutions', 'entry 2', '"postgres:..."'],
    ['an empty entry', 'mysql://replica1/institutions,', 'entry 2', 'an empty entry'],
    ['no URL at all', 'replica1:3306', 'entry 1', '"replica1:..."'],
    ['a URL that does not parse', 'mysql://reader:secret@[replica1/institutions', 'entry 1', '"mysql:..."'],
  ])('%s stops the service, naming the variable and the entry, never the password', (_case, value, entry, got) => {
    const start = () => readUrls({ INSTITUTIONS_DATABASE_URL: PRIMARY, INSTITUTIONS_DATABASE_READ_URLS: value });
    expect(start).toThrow(`INSTITUTIONS_DATABASE_READ_URLS: ${entry} must be a mysql:// or mariadb:// URL`);
    expect(start).toThrow(`(got ${got})`);
    expect(start).not.toThrow(/secret/);
  });

  test.each([
    ['the embedded SQLite file (no database URL)', {}, 'INSTITUTIONS_DATABASE_URL'],
    ['an SQLite file', { INSTITUTIONS_DATABASE_URL: 'sqlite:data/institutions.sqlite' }, 'INSTITUTIONS_DATABASE_URL'],
    ['an SQLite file in DATABASE_URL', { DATABASE_URL: 'sqlite:data/institutions.sqlite' }, 'DATABASE_URL'],
  ])('with %s as the primary they stop the service, naming the primary variable', (_case, primary, primaryVariable) => {
    expect(() => readUrls({ ...primary, INSTITUTIONS_DATABASE_READ_URLS: 'mysql://replica1/institutions' })).toThrow(
      `INSTITUTIONS_DATABASE_READ_URLS needs a MySQL primary: set ${primaryVariable} to a mysql:// URL`,
    );
  });

  test('createDatabase refuses read replicas of an SQLite database too', () => {
    const options = { name: 'fixture', entities: [Note], migrations: [], logger: createLogger('fixture', 'silent'), readUrls: ['mysql://replica1/db'] };
    expect(() => createDatabase({ ...options, url: 'sqlite::memory:' })).toThrow('read replicas need a MySQL database URL, not SQLite');
  });

  test('the database description names the primary and the replicas without credentials', () => {
    const database = createDatabase({
      url: PRIMARY,
      readUrls: ['mysql://reader:secret@replica1/institutions', 'mariadb://replica2:3307/institutions'],
      name: 'fixture',
      entities: [Note],
      migrations: [],
      logger: createLogger('fixture', 'silent'),
    });
    expect(database.describe).toBe(
      'mysql://db-primary:3306/institutions (read replicas: mysql://replica1:3306/institutions, mysql://replica2:3307/institutions)',
    );
  });
});
