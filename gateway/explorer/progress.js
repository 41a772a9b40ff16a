// The progress page: asks this gateway's GraphQL endpoint for the training programmes (public fields only, no
// sign-in), then draws one Chart.js chart per programme (served by the gateway, no CDN) with a table of the same
// figures under it, for screen readers and for anyone who wants the numbers.
(function () {
  'use strict';
  const root = document.getElementById('progress');
  const endpoint = root.getAttribute('data-endpoint') || '/graphql';
  // Programmes are fetched a page at a time; a generated data set may hold thousands, and this page charts the first.
  const pageSize = 20;
  const maxProgrammes = 100;
  // The saved operation supergraph/operations/progress-page/programmes-progress.graphql, printed as the trusted
  // documents manifest holds it: the page runs under TRUSTED_DOCUMENTS=only too.
  const query = root.getAttribute('data-query');

  const colours = { target: '#6b6b6b', planned: '#0b5cad', enrolled: '#d9822b', completed: '#2e8540' };
  const dayMs = 86_400_000;
  const today = new Date().toISOString().slice(0, 10);
  const time = (isoDay) => Date.parse(`${isoDay}T00:00:00Z`);
  const monthYear = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });

  async function graphql(variables) {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const answer = await response.json().catch(() => ({ errors: [{ message: `HTTP ${response.status}` }] }));
    if (answer.errors?.length && !answer.data?.trainingPrograms) throw new Error(answer.errors.map((e) => e.message).join('; '));
    return answer.data.trainingPrograms;
  }

  async function programmes() {
    const all = [];
    let after = null;
    let totalCount = 0;
    do {
      const page = await graphql({ first: pageSize, after });
      all.push(...page.nodes);
      totalCount = page.totalCount;
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after && all.length < maxProgrammes);
    return { nodes: all, totalCount };
  }

  function element(name, attributes, ...children) {
    const node = document.createElement(name);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    for (const child of children) node.append(child);
    return node;
  }

  function row(heading, ...cells) {
    return element('tr', null, element('th', { scope: 'row' }, heading), ...cells.map((cell) => element('td', null, String(cell))));
  }

  /** Where the straight line to the target starts: the agreement's conclusion, else the programme's start, else its first cohort. */
  function lineStart(programme, cohorts) {
    const concluded = programme.agreement?.concludedOn;
    if (concluded) return { day: concluded.earliest, label: `${programme.agreement.title}, concluded ${concluded.label}` };
    if (programme.startsOn) return { day: programme.startsOn.earliest, label: `The programme's start, ${programme.startsOn.label}` };
    if (cohorts.length) return { day: cohorts[0].startsOn.earliest, label: `Its first cohort, ${cohorts[0].startsOn.label}` };
    return null;
  }

  /** The cohorts with a start date, earliest first, each with the places planned up to and including it. */
  function datedCohorts(programme) {
    let total = 0;
    return programme.cohorts
      .filter((cohort) => cohort.startsOn)
      .sort((a, b) => a.startsOn.earliest.localeCompare(b.startsOn.earliest))
      .map((cohort) => {
        total += cohort.plannedSize ?? 0;
        return { ...cohort, plannedSoFar: total };
      });
  }

  function lineFromText(programme, start) {
    if (programme.progress.target === null || !programme.targetDate) return 'No line: there is no target to draw it to';
    return start ? `${start.label} (${start.day})` : 'No start known';
  }

  function figuresTable(programme, start) {
    const { progress } = programme;
    const target = programme.targetDate;
    const onPace = { true: 'Yes', false: 'No', null: 'Not known (no target, target date or start)' }[String(progress.onTrack)];
    return element(
      'table',
      { class: 'progress-figures' },
      element('caption', null, `${programme.title}: figures`),
      element('tbody', null,
        row('Target', progress.target === null ? 'No number given in the sources' : `${progress.target} trainees`),
        row('Target date', target ? `${target.label} (until ${target.latest})` : 'None given'),
        row('Straight line from', lineFromText(programme, start)),
        row('Places planned in cohorts', progress.planned),
        row('Trainees enrolled today', progress.enrolled),
        row('Trainees completed today', progress.completed),
        row('Still to train', progress.remaining ?? '–'),
        row('On pace for the target', onPace),
      ),
    );
  }

  function cohortsTable(programme, cohorts) {
    const undated = programme.cohorts.filter((cohort) => !cohort.startsOn);
    const body = element('tbody');
    for (const cohort of [...cohorts, ...undated]) {
      body.append(
        element('tr', null,
          element('th', { scope: 'row' }, cohort.startsOn ? cohort.startsOn.label : 'Date not known'),
          element('td', null, cohort.hostInstitution?.name ?? 'Not known'),
          element('td', null, String(cohort.plannedSize ?? '–')),
          element('td', null, cohort.plannedSoFar === undefined ? '–' : String(cohort.plannedSoFar)),
        ),
      );
    }
    return element(
      'table',
      { class: 'progress-cohorts' },
      element('caption', null, `${programme.title}: cohorts, earliest first`),
      element('thead', null,
        element('tr', null, ...['Starts', 'Host institution', 'Places planned', 'Places planned so far'].map((h) => element('th', { scope: 'col' }, h))),
      ),
      body,
    );
  }

  function chart(canvas, programme, start, cohorts) {
    const { progress } = programme;
    const startTime = time(start.day);
    const lastCohort = cohorts.length ? time(cohorts.at(-1).startsOn.earliest) : startTime;
    const end = Math.max(programme.targetDate ? time(programme.targetDate.latest) : lastCohort, time(today), lastCohort);
    const planned = [{ x: startTime, y: 0 }, ...cohorts.map((c) => ({ x: time(c.startsOn.earliest), y: c.plannedSoFar }))];
    // Planned places stay planned: the line runs on to today once the last cohort is in the past.
    if (time(today) > planned.at(-1).x) planned.push({ x: time(today), y: planned.at(-1).y });
    const datasets = [
      { label: 'Places planned (cohorts, added up)', data: planned, stepped: 'before', borderColor: colours.planned, backgroundColor: colours.planned },
      { label: 'Enrolled (today)', data: [{ x: time(today), y: progress.enrolled }], showLine: false, pointStyle: 'rect', pointRadius: 6, borderColor: colours.enrolled, backgroundColor: colours.enrolled },
      { label: 'Completed (today)', data: [{ x: time(today), y: progress.completed }], showLine: false, pointStyle: 'triangle', pointRadius: 7, borderColor: colours.completed, backgroundColor: colours.completed },
    ];
    if (progress.target !== null && programme.targetDate) {
      datasets.unshift({
        label: `Target: ${progress.target} ${programme.targetDate.label}`,
        data: [{ x: startTime, y: 0 }, { x: time(programme.targetDate.latest), y: progress.target }],
        borderDash: [6, 4],
        pointRadius: 0,
        borderColor: colours.target,
        backgroundColor: colours.target,
      });
    }
    const firstYear = new Date(startTime).getUTCFullYear();
    const lastYear = new Date(end).getUTCFullYear();
    return new Chart(canvas, {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: {
            type: 'linear',
            min: startTime,
            max: end + dayMs,
            // A tick on each 1 January, labelled with the year.
            afterBuildTicks: (axis) => {
              axis.ticks = [];
              for (let year = firstYear; year <= lastYear + 1; year++) {
                const value = Date.UTC(year, 0, 1);
                if (value >= axis.min && value <= axis.max) axis.ticks.push({ value });
              }
            },
            ticks: { callback: (value) => String(new Date(value).getUTCFullYear()) },
          },
          y: { beginAtZero: true, suggestedMax: progress.target ?? undefined, title: { display: true, text: 'Trainees / places' }, ticks: { precision: 0 } },
        },
        plugins: {
          tooltip: { callbacks: { title: (items) => monthYear.format(new Date(items[0].parsed.x)) } },
        },
      },
    });
  }

  function section(programme) {
    const cohorts = datedCohorts(programme);
    const start = lineStart(programme, cohorts);
    const heading = element('h2', { id: programme.id }, programme.title);
    const node = element('section', { class: 'progress-programme', 'data-programme': programme.id, 'aria-labelledby': programme.id }, heading);
    if (programme.summary) node.append(element('p', { class: 'progress-summary' }, programme.summary));
    if (start && (programme.progress.target !== null || cohorts.length)) {
      const canvas = element('canvas', {
        role: 'img',
        'aria-label': `Chart of ${programme.title}: places planned, trainees enrolled and completed, against the target. The tables below give the same figures.`,
      });
      node.append(element('div', { class: 'progress-chart' }, canvas));
      node.chartCanvas = canvas;
    } else {
      node.append(element('p', { class: 'progress-no-chart' }, 'Nothing to chart yet: the sources give this programme no numeric target and no dated cohort.'));
    }
    node.append(figuresTable(programme, start));
    if (programme.cohorts.length) node.append(cohortsTable(programme, cohorts));
    node.draw = () => node.chartCanvas && chart(node.chartCanvas, programme, start, cohorts);
    return node;
  }

  async function show() {
    try {
      const { nodes, totalCount } = await programmes();
      root.replaceChildren();
      if (totalCount > nodes.length) root.append(element('p', { class: 'progress-status' }, `Showing the first ${nodes.length} of ${totalCount} programmes.`));
      if (!nodes.length) root.append(element('p', { class: 'progress-status' }, 'No training programme is recorded yet.'));
      // Programmes with something to chart first, in the order the graph gives (by id).
      const sections = nodes.map(section).sort((a, b) => Number(Boolean(b.chartCanvas)) - Number(Boolean(a.chartCanvas)));
      root.append(...sections);
      // Charts are drawn once their sections are in the page, so that they take the page's width.
      for (const node of sections) node.draw();
      root.setAttribute('data-ready', 'true');
    } catch (error) {
      root.replaceChildren(element('p', { class: 'progress-status progress-error', role: 'alert' }, `The programmes could not be loaded: ${error.message}`));
      root.setAttribute('data-ready', 'error');
    }
  }

  show();
})();
