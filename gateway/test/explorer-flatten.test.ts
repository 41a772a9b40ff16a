// The explorer's CSV export: the browser script's pure functions, loaded as the page loads them (a plain script).
const { tableOf, toCsv } = require('../explorer/flatten.js') as {
  tableOf(result: unknown): { columns: string[]; rows: string[][] };
  toCsv(result: unknown): string;
};

describe('the CSV of a result', () => {
  test("a connection's nodes are the rows; nested objects are dotted columns; lists are joined, position by position", () => {
    const result = {
      data: {
        institutions: {
          totalCount: 2,
          nodes: [
            {
              id: 'paul-strauss-center',
              city: { name: 'Strasbourg', country: 'FR' },
              areas: ['oncology', 'surgery'],
              agreements: {
                nodes: [
                  { id: 'a1', parties: [{ role: 'host' }] },
                  { id: 'a2', parties: [] },
                ],
              },
            },
            {
              id: 'vakhidov-surgery-center',
              city: null,
              areas: [],
              agreements: { nodes: [] },
              people: [{ fullName: 'A' }, { fullName: null }, { fullName: 'C' }],
            },
          ],
        },
      },
    };
    expect(tableOf(result)).toEqual({
      columns: ['id', 'city.name', 'city.country', 'areas', 'agreements.nodes.id', 'agreements.nodes.parties.role', 'city', 'people.fullName'],
      rows: [
        ['paul-strauss-center', 'Strasbourg', 'FR', 'oncology; surgery', 'a1; a2', 'host; ', '', ''],
        ['vakhidov-surgery-center', '', '', '', '', '', '', 'A; ; C'],
      ],
    });
  });

  test('a single record is one row; a root list of objects is one row per item; a null node is an empty row', () => {
    expect(
      tableOf({
        data: {
          agreement: {
            id: 'x',
            parties: [
              { role: 'a', institution: { name: 'P' } },
              { role: 'b', institution: { name: 'Q' } },
            ],
          },
        },
      }),
    ).toEqual({
      columns: ['agreement.id', 'agreement.parties.role', 'agreement.parties.institution.name'],
      rows: [['x', 'a; b', 'P; Q']],
    });
    expect(tableOf({ data: { people: [{ id: 1 }, { id: 2, ok: true }] } })).toEqual({
      columns: ['id', 'ok'],
      rows: [
        ['1', ''],
        ['2', 'true'],
      ],
    });
    expect(tableOf({ data: { things: { nodes: [{ id: 'a' }, null] } } })).toEqual({ columns: ['id'], rows: [['a'], ['']] });
    expect(tableOf({ errors: [{ message: 'no' }] })).toEqual({ columns: [], rows: [] });
  });

  test('CSV text: a header line, CRLF line ends, cells with commas, quotes or line breaks quoted', () => {
    const result = {
      data: {
        notes: {
          nodes: [
            { id: 'n1', text: 'plain' },
            { id: 'n2', text: 'say "hi", then\nleave' },
          ],
        },
      },
    };
    expect(toCsv(result)).toBe('id,text\r\nn1,plain\r\nn2,"say ""hi"", then\nleave"\r\n');
  });
});
