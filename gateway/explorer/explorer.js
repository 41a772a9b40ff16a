// Boots GraphiQL (served by the gateway from its npm packages, no CDN) against this gateway's /graphql, with the
// saved example operations as the first tabs and in an "Examples" side panel.
(function () {
  'use strict';
  var h = React.createElement;
  var root = document.getElementById('explorer');
  var endpoint = root.getAttribute('data-endpoint') || '/graphql';
  var examples = JSON.parse(document.getElementById('explorer-examples').textContent || '[]');
  var GraphiQL = window.GraphiQL.GraphiQL || window.GraphiQL;

  function fetcher(params, options) {
    var headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    var extra = (options && options.headers) || {};
    Object.keys(extra).forEach(function (name) {
      headers[name] = extra[name];
    });
    return fetch(endpoint, { method: 'POST', headers: headers, body: JSON.stringify(params), credentials: 'same-origin' }).then(function (response) {
      return response.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (error) {
          return { errors: [{ message: 'HTTP ' + response.status + ' from ' + endpoint + ': ' + text.slice(0, 500) }] };
        }
      });
    });
  }

  function variablesText(example) {
    return Object.keys(example.variables).length > 0 ? JSON.stringify(example.variables, null, 2) : '';
  }

  function ExamplesIcon() {
    return h(
      'svg',
      { width: 20, height: 20, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': true },
      h('path', { d: 'M4 5h16M4 10h16M4 15h10M4 20h7' }),
    );
  }

  // GraphiQL fills the first tab's query from defaultTabs but not its variables: pass them on a first visit
  // (once tabs are saved in the browser, GraphiQL restores them instead).
  var firstVisit = true;
  try {
    firstVisit = !window.localStorage.getItem('graphiql:tabState');
  } catch (error) {
    firstVisit = true;
  }
  var initial = firstVisit && examples.length > 0 ? { variables: variablesText(examples[0]) } : null;

  function Explorer() {
    var state = React.useState(initial);
    var chosen = state[0];
    var choose = state[1];
    // One stable plugins array: GraphiQL closes the open panel when it gets a new one.
    var plugins = React.useMemo(function () {
      return [{
        title: 'Examples',
        icon: ExamplesIcon,
        content: function ExamplesPanel() {
          return h(
            'div',
            { className: 'explorer-examples' },
            h('div', { className: 'graphiql-doc-explorer-title' }, 'Examples'),
            h('p', null, examples.length > 0 ? 'Questions clients ask this graph. Pick one to load it into the editor, then run it.' : 'No saved examples for this schema.'),
            examples.map(function (example) {
              return h(
                'button',
                {
                  key: example.name,
                  type: 'button',
                  onClick: function () {
                    // GraphiQL replaces the editors' contents only when these props change: picking the same
                    // example again after editing it must still reload it, so alternate a trailing newline.
                    choose(function (previous) {
                      var query = previous && previous.query === example.query ? example.query + '\n' : example.query;
                      return { query: query, variables: variablesText(example) + (query === example.query ? '' : '\n') };
                    });
                  },
                },
                h('strong', null, example.name),
                h('span', null, example.description),
              );
            }),
          );
        },
      }];
    }, []);
    var props = {
      fetcher: fetcher,
      plugins: plugins,
      defaultEditorToolsVisibility: true,
    };
    if (examples.length > 0) {
      props.defaultTabs = examples.map(function (example) {
        return { query: example.query, variables: variablesText(example) };
      });
    }
    if (chosen) {
      if (chosen.query !== undefined) props.query = chosen.query;
      props.variables = chosen.variables;
    }
    return h(GraphiQL, props);
  }

  ReactDOM.createRoot(root).render(h(Explorer));
})();
