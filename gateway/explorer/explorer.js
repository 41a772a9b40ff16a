// Boots GraphiQL (served by the gateway from its npm packages, no CDN) against this gateway's /graphql, with the
// saved example operations as the first tabs, in an "Examples" side panel and as links in the page's header, and
// buttons that download the current tab's result as CSV or JSON.
(function () {
  'use strict';
  var h = React.createElement;
  var root = document.getElementById('explorer');
  var endpoint = root.getAttribute('data-endpoint') || '/graphql';
  var examples = JSON.parse(document.getElementById('explorer-examples').textContent || '[]');
  var GraphiQL = window.GraphiQL;
  var useEditorContext = GraphiQL.React.useEditorContext;
  var usePluginStore = GraphiQL.React.usePluginStore;
  var flatten = window.explorerFlatten;

  // The hook for signing in (sign-in.js): it calls setAuthorization('Bearer <token>') once it has a
  // token, and setAuthorization(null) on sign-out. Every request then carries it, unless the Headers tab sets its own.
  var signIn = { authorization: null };
  window.partnershipExplorer = {
    setAuthorization: function (value) {
      signIn.authorization = value || null;
    },
  };

  function fetcher(params, options) {
    var headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    if (signIn.authorization) headers.authorization = signIn.authorization;
    var extra = (options && options.headers) || {};
    Object.keys(extra).forEach(function (name) {
      headers[name.toLowerCase()] = extra[name];
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

  // GraphiQL 4 keeps the tabs in localStorage ("graphiql:tabState") and, on a later visit, restores them only if the
  // editors' initial query and variables equal one of them; otherwise it appends a tab of those values. It reads
  // those from other storage keys that drift from the tabs, which added a stray "AgreementWithParties" tab with
  // empty variables on every reload. So the editors start with the saved active tab's own values (GraphiQL then
  // just reselects it), or, on a first visit, with the first saved operation's, which is tab 0 of defaultTabs.
  var TAB_STATE_KEY = 'graphiql:tabState';

  function savedActiveTab() {
    try {
      var text = window.localStorage.getItem(TAB_STATE_KEY);
      if (!text) return null;
      var state = JSON.parse(text);
      var usable = state && typeof state.activeTabIndex === 'number' && Array.isArray(state.tabs) && state.tabs.length > 0 && state.tabs.every(isSavedTab);
      if (usable) return state.tabs[Math.min(Math.max(state.activeTabIndex, 0), state.tabs.length - 1)];
      // GraphiQL would ignore it too and open defaultTabs: drop it, so the editors and the tabs agree.
      window.localStorage.removeItem(TAB_STATE_KEY);
      return null;
    } catch (error) {
      return null;
    }
  }

  // The shape GraphiQL accepts for a saved tab (its isTabState).
  function isSavedTab(tab) {
    var stringOrNull = function (value) {
      return typeof value === 'string' || value === null;
    };
    return (
      tab !== null &&
      typeof tab === 'object' &&
      typeof tab.id === 'string' &&
      typeof tab.title === 'string' &&
      ['query', 'variables', 'headers', 'operationName', 'response'].every(function (key) {
        return key in tab && stringOrNull(tab[key]);
      })
    );
  }

  function initialEditors() {
    var saved = savedActiveTab();
    if (saved) {
      var values = { query: saved.query || '', variables: saved.variables || '' };
      if (typeof saved.headers === 'string') values.headers = saved.headers;
      return values;
    }
    return examples.length > 0 ? { query: examples[0].query, variables: variablesText(examples[0]) } : {};
  }

  // Set by ExplorerControls (inside GraphiQL, where its state is reachable) for the header's links and the panel.
  var controls = null;

  function download(fileName, type, text) {
    var link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type: type }));
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () {
      URL.revokeObjectURL(link.href);
    }, 0);
  }

  // Under the response: download it as CSV or JSON. Also publishes the controls the page's header uses.
  function ExplorerControls() {
    var editor = useEditorContext({ nonNull: true });
    var setVisiblePlugin = usePluginStore(function (store) {
      return store.setVisiblePlugin;
    });
    var messageState = React.useState('');
    var pendingState = React.useState(null);
    var pending = pendingState[0];

    // A re-opened example's text goes into its new tab once GraphiQL has switched to it.
    React.useEffect(
      function () {
        if (!pending || !editor.queryEditor) return;
        editor.queryEditor.setValue(pending.query);
        if (editor.variableEditor) editor.variableEditor.setValue(variablesText(pending));
        pendingState[1](null);
      },
      [pending, editor.tabs.length],
    );

    controls = {
      // Shows the example's tab; one the analyst closed opens again as a new tab with the saved text.
      openExample: function (name) {
        var example = examples.find(function (e) {
          return e.name === name;
        });
        if (!example) return;
        var index = editor.tabs.findIndex(function (tab) {
          return (tab.operationName || tab.title) === name;
        });
        if (index >= 0) {
          editor.changeTab(index);
        } else {
          editor.addTab();
          pendingState[1](example);
        }
      },
      showDocs: function () {
        setVisiblePlugin('Documentation Explorer');
      },
    };

    function save(format) {
      var text = editor.responseEditor ? editor.responseEditor.getValue() : '';
      var result;
      try {
        result = JSON.parse(text);
      } catch (error) {
        messageState[1]('Run the operation first: there is no result to download.');
        return;
      }
      var tab = editor.tabs[editor.activeTabIndex];
      var name = (tab && (tab.operationName || tab.title)) || 'result';
      name = name.replace(/[^\w.-]+/g, '_');
      messageState[1]('');
      // The byte order mark makes spreadsheet programs read the CSV as UTF-8 (accented and Cyrillic names).
      if (format === 'csv') download(name + '.csv', 'text/csv;charset=utf-8', '\uFEFF' + flatten.toCsv(result));
      else download(name + '.json', 'application/json', JSON.stringify(result, null, 2) + '\n');
    }

    return h(
      'div',
      { className: 'explorer-downloads' },
      h('span', null, 'Download the result:'),
      h('button', { type: 'button', onClick: save.bind(null, 'csv'), title: "One row per node of the result's connection" }, 'CSV'),
      h('button', { type: 'button', onClick: save.bind(null, 'json') }, 'JSON'),
      messageState[0] ? h('span', { className: 'explorer-downloads-message', role: 'status' }, messageState[0]) : null,
    );
  }

  function ExamplesIcon() {
    return h(
      'svg',
      { width: 20, height: 20, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': true },
      h('path', { d: 'M4 5h16M4 10h16M4 15h10M4 20h7' }),
    );
  }

  function ExamplesPanel() {
    return h(
      'div',
      { className: 'explorer-examples' },
      h('div', { className: 'graphiql-doc-explorer-title' }, 'Examples'),
      h('p', null, examples.length > 0 ? 'Questions clients ask this graph. Pick one to open its tab, then run it.' : 'No saved examples for this schema.'),
      examples.map(function (example) {
        return h(
          'button',
          {
            key: example.name,
            type: 'button',
            onClick: function () {
              if (controls) controls.openExample(example.name);
            },
          },
          h('strong', null, example.name),
          h('span', null, example.description),
        );
      }),
    );
  }

  // Constant props: GraphiQL closes the open panel when it gets a new plugins array, and re-applies query/variables
  // to the editors whenever they change.
  var plugins = [{ title: 'Examples', icon: ExamplesIcon, content: ExamplesPanel }];
  var props = Object.assign({ fetcher: fetcher, plugins: plugins, defaultEditorToolsVisibility: true }, initialEditors());
  if (examples.length > 0) {
    props.defaultTabs = examples.map(function (example) {
      return { query: example.query, variables: variablesText(example) };
    });
  }

  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('[data-operation], [data-show-docs]');
    if (!link || !controls) return;
    event.preventDefault();
    if (link.hasAttribute('data-show-docs')) controls.showDocs();
    else controls.openExample(link.getAttribute('data-operation'));
  });

  ReactDOM.createRoot(root).render(h(GraphiQL, props, h(GraphiQL.Footer, null, h(ExplorerControls))));
})();
