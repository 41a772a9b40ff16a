// Turns a GraphQL result into a table and CSV text for the explorer's "Download CSV" button. Pure functions, loaded
// by the page as a plain script (window.explorerFlatten) and by the unit tests with require().
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.explorerFlatten = factory();
})(this, function () {
  'use strict';

  var LIST_SEPARATOR = '; ';

  function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  /**
   * The rows of a result's data: the `nodes` of its first root field that is a connection, or the items of its first
   * root field that is a list of objects; else the data as one row (one record, its lists joined in its cells).
   */
  function rowsOf(data) {
    if (!isObject(data)) return [];
    for (var key in data) {
      var field = data[key];
      if (isObject(field) && Array.isArray(field.nodes)) return field.nodes;
      if (Array.isArray(field) && field.every(isObject)) return field;
    }
    return [data];
  }

  /**
   * One row's cells by column name: nested objects as dotted columns (`institution.name`), lists joined with "; ",
   * position by position, so `parties.role` and `parties.institution.name` line up. An empty list adds no cell.
   */
  function flattenRow(value) {
    var cells = {};
    put(cells, '', value);
    return cells;
  }

  function put(cells, column, value) {
    if (value === null || value === undefined) {
      cells[column] = '';
    } else if (Array.isArray(value)) {
      var items = value.map(flattenRow);
      var columns = columnsOf(items);
      columns.forEach(function (name) {
        cells[join(column, name)] = items
          .map(function (item) {
            return Object.hasOwn(item, name) ? item[name] : '';
          })
          .join(LIST_SEPARATOR);
      });
    } else if (isObject(value)) {
      Object.keys(value).forEach(function (key) {
        put(cells, join(column, key), value[key]);
      });
    } else {
      cells[column] = String(value);
    }
  }

  function join(prefix, name) {
    if (prefix === '') return name;
    return name === '' ? prefix : prefix + '.' + name;
  }

  /** Every column of these flattened rows, in the order they first appear. */
  function columnsOf(rows) {
    var seen = {};
    var columns = [];
    rows.forEach(function (row) {
      Object.keys(row).forEach(function (name) {
        if (!Object.hasOwn(seen, name)) {
          seen[name] = true;
          columns.push(name);
        }
      });
    });
    return columns;
  }

  /** The table of a GraphQL result (`{ data, errors }`): its columns, and its rows as arrays of strings. */
  function tableOf(result) {
    // A node that failed to resolve (null, with an error) is an empty row.
    var rows = rowsOf(result && result.data).map(function (node) {
      return isObject(node) ? flattenRow(node) : {};
    });
    var columns = columnsOf(rows);
    return {
      columns: columns,
      rows: rows.map(function (row) {
        return columns.map(function (name) {
          return Object.hasOwn(row, name) ? row[name] : '';
        });
      }),
    };
  }

  // RFC 4180: a cell with a comma, a quote or a line break is quoted, its quotes doubled.
  function csvCell(text) {
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  /** CSV text (header line, CRLF line ends) of a GraphQL result. */
  function toCsv(result) {
    var table = tableOf(result);
    return [table.columns]
      .concat(table.rows)
      .map(function (cells) {
        return cells.map(csvCell).join(',') + '\r\n';
      })
      .join('');
  }

  return { tableOf: tableOf, toCsv: toCsv };
});
