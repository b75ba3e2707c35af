// rig serve's pages: one script renders each from the JSON API
// (docs/serve.md). Text comes from the server's table for the browser's
// language; data is only ever set as text, never as markup.
'use strict';

const T = JSON.parse(document.getElementById('strings').textContent);
const page = document.body.dataset.page;
const pageArg = document.body.dataset.arg;
let config = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

async function api(method, url, body) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && config) headers['X-CSRF-Token'] = config.csrf;
  const r = await fetch(url, { method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body) });
  if (r.status === 401 && page !== 'login') { location.href = '/login'; throw new Error('401'); }
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(data.error || r.statusText);
  return data;
}

function nav() {
  const h = document.getElementById('nav');
  const links = [['/', T.nav_station, 'station'], ['/history', T.nav_history, 'history'],
                 ['/trend', T.nav_trend, 'trend']];
  h.append(el('nav', {}, ...links.map(([href, label, p]) =>
    el('a', { href, 'aria-current': p === page ? 'page' : null, text: label }))),
    el('span', { class: 'who', text: config.user + ' (' + config.role + ')' }),
    el('button', { type: 'button', id: 'logout', text: T.logout, onclick: async () => {
      await api('POST', '/api/logout'); location.href = '/login'; } }));
}

function stateText(s) { return T['state_' + s] || s; }

// ---- login ----

function loginPage(main) {
  const user = el('input', { id: 'user', name: 'user', autocomplete: 'username', required: true,
                             autofocus: true });
  const pw = el('input', { id: 'password', name: 'password', type: 'password',
                           autocomplete: 'current-password', required: true });
  const msg = el('p', { id: 'login-error', role: 'alert' });
  const form = el('form', { class: 'card login' },
    el('h1', { text: T.title }),
    el('label', { for: 'user', text: T.user }), user,
    el('label', { for: 'password', text: T.password }), pw,
    el('button', { type: 'submit', id: 'login', class: 'big', text: T.login }), msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', '/api/login', { user: user.value, password: pw.value });
      location.href = '/';
    } catch (e) { msg.textContent = T.login_failed; pw.value = ''; pw.focus(); }
  });
  main.append(form);
}

// ---- station ----

// What a run's journal lines say, folded as they arrive (the server's
// GET /api/runs/ID computes the same from the whole journal).
function foldEvent(st, e) {
  st.lines = (st.lines || 0) + 1;
  const last = st.steps[st.steps.length - 1];
  switch (e.event) {
  case 'uut': st.unit_serial = e.serial; st.firmware = e.firmware; break;
  case 'step_start':
    st.steps.push({ step: e.step, requirement: e.requirement, label: e.label, verdict: '', shots: 0 });
    st.current_step = e.step; st.state = 'running'; break;
  case 'burst': st.shots += e.measured || 0; if (last) last.shots += e.measured || 0; break;
  case 'measurement':
    if ((e.verdict === 'FAIL' || e.verdict === 'INDETERMINATE') && e.requirement &&
        !st.failing.includes(e.requirement)) st.failing.push(e.requirement);
    break;
  case 'step_end': st.steps_done++; if (last) last.verdict = e.verdict; st.current_step = ''; break;
  case 'prompt_open':
    st.prompt = { message: e.message, image: e.image ? e.image.path : null }; st.state = 'prompt'; break;
  case 'prompt': st.prompt = null; st.state = 'running'; break;
  // the verdict is known; the socket is free once the reports are written
  // and the process has ended (the stream's "end")
  case 'run_end': st.verdict = e.verdict; st.error = e.error; st.prompt = null; break;
  }
}

class Socket {
  constructor(n, root) {
    this.n = n; this.run = null; this.es = null;
    const p = 's' + n + '-';
    this.serial = el('input', { id: p + 'serial', class: 'serial', autocomplete: 'off',
                                placeholder: T.serial_hint, inputmode: 'text', 'aria-label': T.serial });
    this.script = el('select', { id: p + 'script', 'aria-label': T.procedure },
      ...config.scripts.map((s) => el('option', { value: s, text: s })));
    if (config.scripts.includes('certify.lua')) this.script.value = 'certify.lua';
    this.unit = el('select', { id: p + 'unit', 'aria-label': T.sim_unit },
      el('option', { value: '', text: T.nominal }),
      ...config.units.map((u) => el('option', { value: u, text: u })));
    this.start = el('button', { type: 'submit', id: p + 'start', class: 'big start', text: T.start });
    this.abort = el('button', { type: 'button', id: p + 'abort', class: 'big abort', text: T.abort,
                                onclick: () => this.doAbort() });
    this.msg = el('p', { id: p + 'error', class: 'error', role: 'alert' });
    const form = el('form', { class: 'controls' },
      el('label', { for: p + 'serial', text: T.serial }), this.serial,
      el('label', { for: p + 'script', text: T.procedure }), this.script,
      config.units.length ? el('label', { for: p + 'unit', text: T.sim_unit }) : null,
      config.units.length ? this.unit : null,
      el('div', { class: 'buttons' }, this.start, this.abort));
    // a scanner types the serial and presses Enter: that submits
    form.addEventListener('submit', (ev) => { ev.preventDefault(); this.doStart(); });
    this.status = el('div', { id: p + 'status', class: 'status', 'aria-live': 'polite' });
    this.promptBox = el('div', { id: p + 'prompt', class: 'prompt', hidden: true });
    this.banner = el('div', { id: p + 'verdict', class: 'verdict', hidden: true, role: 'status' });
    this.stepList = el('ol', { id: p + 'steps', class: 'steps' });
    root.append(el('section', { class: 'card socket', 'aria-label': T.socket + ' ' + n },
      config.sockets > 1 ? el('h2', { text: T.socket + ' ' + n }) : null,
      form, this.msg, this.banner, this.promptBox, this.status, this.stepList));
  }

  async doStart() {
    this.msg.textContent = '';
    const serial = this.serial.value.trim();
    if (!serial) { this.serial.focus(); return; }
    try {
      const r = await api('POST', '/api/runs', { script: this.script.value, serial,
        socket: this.n, unit: this.unit.value || undefined });
      this.serial.value = '';
      this.attach(r.id);
    } catch (e) { this.msg.textContent = T.error + ': ' + e.message; }
  }

  async doAbort() {
    if (!this.run || !confirm(T.confirm_abort)) return;
    try { await api('POST', '/api/runs/' + this.run.id + '/abort'); }
    catch (e) { this.msg.textContent = T.error + ': ' + e.message; }
  }

  async answer(text) {
    try { await api('POST', '/api/runs/' + this.run.id + '/answer', { answer: text }); }
    catch (e) { this.msg.textContent = T.error + ': ' + e.message; }
  }

  async attach(id) {
    if (this.es) this.es.close();
    const token = this.token = (this.token || 0) + 1;
    const base = await api('GET', '/api/runs/' + id);
    if (token !== this.token) return;  // a newer attach (a new run) took the socket
    // a run seen while it ran may take the focus when it ends; one replayed
    // finished (a page load) must not pull the scanner away from socket 1
    this.live = base.state !== 'done';
    // replayed from the first journal line: the fold rebuilds the state
    const run = this.run = Object.assign(base, { steps: [], failing: [], shots: 0, steps_done: 0,
                                     lines: 0, prompt: null, verdict: null, current_step: '',
                                     state: base.state === 'done' ? 'running' : base.state });
    this.render();
    const es = new EventSource('/api/runs/' + id + '/events');
    this.es = es;
    es.onmessage = (m) => { foldEvent(run, JSON.parse(m.data)); this.render(); };
    es.addEventListener('end', async () => {
      es.close();
      const fin = await api('GET', '/api/runs/' + id);
      // the operator may have started the next unit meanwhile: never
      // write this run's end into that one
      if (this.run !== run) return;
      Object.assign(run, fin);
      this.render();
    });
    es.onerror = () => { if (es.readyState === EventSource.CONNECTING) this.render(true); };
    es.onopen = () => this.render();
  }

  render(lost) {
    const r = this.run;
    const active = r && ['starting', 'running', 'prompt'].includes(r.state);
    this.start.disabled = !!active;
    this.abort.disabled = !active;
    this.status.replaceChildren();
    if (!r) { this.status.append(el('p', { text: T.ready })); return; }
    this.status.append(el('dl', {},
      el('dt', { text: T.serial }), el('dd', { id: 's' + this.n + '-run-serial', text: r.serial }),
      el('dt', { text: T.state }), el('dd', { id: 's' + this.n + '-state', 'data-state': r.state,
                                              text: stateText(r.state) }),
      el('dt', { text: T.step }), el('dd', { id: 's' + this.n + '-current', text: r.current_step || '-' }),
      el('dt', { text: T.steps }), el('dd', { id: 's' + this.n + '-steps-done', text: String(r.steps_done) }),
      el('dt', { text: T.shots }), el('dd', { id: 's' + this.n + '-shots', text: String(r.shots) })),
      el('p', {}, el('a', { href: '/run/' + r.id, id: 's' + this.n + '-link', text: T.run + ' ' + r.id })));
    if (lost) this.status.append(el('p', { class: 'error', text: T.connection_lost }));
    if (r.error && r.state !== 'running') this.status.append(el('p', { class: 'error', text: r.error }));
    this.stepList.replaceChildren(...r.steps.map((s) =>
      el('li', { class: 'v-' + (s.verdict || 'running').toLowerCase() },
        el('span', { text: s.step }), el('span', { text: (s.shots || 0) + ' ' + T.shots }),
        el('strong', { text: s.verdict || '…' }))));
    if (r.prompt && r.state !== 'done') {
      const promptKey = r.prompt.message + '\n' + (r.prompt.image || '');
      if (this.promptBox.hidden || this.promptBox.dataset.message !== promptKey) {
        const ok = el('button', { type: 'button', id: 's' + this.n + '-continue', class: 'big start',
                                  text: T.continue, onclick: () => this.answer('continue') });
        // the picture lives in the run directory, served like its reports
        const img = r.prompt.image
          ? el('img', { id: 's' + this.n + '-prompt-image', class: 'prompt-image', alt: r.prompt.message,
                        src: '/runs/' + encodeURIComponent(r.id) + '/' +
                             r.prompt.image.split('/').map(encodeURIComponent).join('/') })
          : null;
        this.promptBox.replaceChildren(el('div', {}, el('h2', { text: T.prompt }),
          el('p', { id: 's' + this.n + '-prompt-message', text: r.prompt.message }), img),
          el('div', { class: 'buttons' }, ok,
             el('button', { type: 'button', class: 'big abort', text: T.abort,
                            onclick: () => this.answer('abort') })));
        this.promptBox.dataset.message = promptKey;
        this.promptBox.hidden = false;
        // only a shown element takes the focus; a finished run replayed on
        // page load flashes its old prompts and must not take it
        if (this.live) ok.focus();
      }
    } else {
      this.promptBox.hidden = true;
      this.promptBox.replaceChildren();
      delete this.promptBox.dataset.message;
    }
    if (r.verdict) {
      this.banner.className = 'verdict v-' + r.verdict.toLowerCase();
      this.banner.replaceChildren(el('span', { class: 'word', text: r.verdict }),
        el('span', { id: 's' + this.n + '-failing', class: 'failing',
                     text: r.failing.length ? T.failing + ': ' + r.failing.join(', ') : '' }));
      // the run just ended: back to the scanner, unless an open prompt has the focus
      if (this.live && this.banner.hidden && !document.querySelector('.prompt:not([hidden])'))
        this.serial.focus();
      this.banner.hidden = false;
    } else this.banner.hidden = true;
    // nothing has the focus (its element was redrawn, or an answered prompt
    // closed): an open prompt takes it, else the first socket's scanner field
    if (!document.activeElement || document.activeElement === document.body) {
      const open = document.querySelector('.prompt:not([hidden]) button');
      (open || document.querySelector('input.serial')).focus();
    }
  }
}

async function stationPage(main) {
  const runs = (await api('GET', '/api/runs')).runs;
  let first = null;
  for (let n = 1; n <= config.sockets; n++) {
    const s = new Socket(n, main);
    const latest = runs.find((r) => r.socket === n);
    if (n === 1) { first = s; s.serial.focus(); }
    if (latest) await s.attach(latest.id); else s.render();
  }
  // the scanner's field has the focus once every socket is drawn, unless a
  // prompt took it
  if (!document.querySelector('.prompt:not([hidden])')) first.serial.focus();
}

// ---- history ----

async function historyPage(main) {
  const q = new URLSearchParams(location.search);
  const f = (id, label, attrs) => [el('label', { for: id, text: label }),
    el('input', Object.assign({ id, name: id, value: q.get(id) || '' }, attrs || {}))];
  const verdict = el('select', { id: 'verdict', name: 'verdict' },
    ...['', 'PASS', 'FAIL', 'INDETERMINATE', 'INCOMPLETE', 'ABORTED', 'ERROR'].map((v) =>
      el('option', { value: v, text: v || T.any, selected: q.get('verdict') === v && v !== '' })));
  main.append(el('form', { class: 'card filters', method: 'get', action: '/history' },
    ...f('serial', T.serial), el('label', { for: 'verdict', text: T.verdict }), verdict,
    ...f('from', T.from, { type: 'date' }), ...f('to', T.to, { type: 'date' }),
    el('button', { type: 'submit', class: 'big', text: T.filter })));
  const data = await api('GET', '/api/history?' + q.toString());
  if (!data.runs.length) { main.append(el('p', { id: 'no-runs', text: T.no_runs })); return; }
  main.append(el('table', { id: 'history', class: 'card' },
    el('thead', {}, el('tr', {}, ...[T.started, T.serial, T.unit_serial, T.firmware, T.script,
                                     T.verdict, T.run].map((h) => el('th', { text: h })))),
    el('tbody', {}, ...data.runs.map((r) => el('tr', { class: 'v-' + r.verdict.toLowerCase() },
      el('td', { text: r.started }), el('td', { text: r.serial || '' }),
      el('td', { text: r.unit_serial }), el('td', { text: r.firmware }),
      el('td', { text: r.script.split('/').pop() }), el('td', {}, el('strong', { text: r.verdict })),
      el('td', {}, r.id ? el('a', { href: '/run/' + r.id, text: r.run_id }) : r.run_id))))));
}

// ---- one run ----

async function runPage(main) {
  const r = await api('GET', '/api/runs/' + pageArg);
  const row = (k, v, id) => [el('dt', { text: k }), el('dd', { id, text: v === null ? '-' : String(v) })];
  main.append(el('div', { class: 'verdict v-' + (r.verdict || r.state).toLowerCase(), id: 'run-verdict' },
    el('span', { class: 'word', text: r.verdict || stateText(r.state) }),
    r.failing.length ? el('span', { class: 'failing', text: T.failing + ': ' + r.failing.join(', ') }) : null));
  main.append(el('dl', { class: 'card summary' },
    ...row(T.run, r.run_id || r.id), ...row(T.serial, r.serial), ...row(T.unit_serial, r.unit_serial || null),
    ...row(T.firmware, r.firmware || null), ...row(T.script, r.script), ...row(T.operator, r.user),
    ...row(T.started, r.started), ...row(T.state, stateText(r.state)),
    ...row(T.shots, r.shots)));
  if (r.error) main.append(el('p', { class: 'error', text: r.error }));
  main.append(el('table', { class: 'card', id: 'steps' },
    el('thead', {}, el('tr', {}, ...[T.step, T.requirement, T.shots, T.verdict].map((h) => el('th', { text: h })))),
    el('tbody', {}, ...r.steps.map((s) => el('tr', { class: 'v-' + (s.verdict || 'running').toLowerCase() },
      el('td', { text: s.step }), el('td', { text: s.requirement }), el('td', { text: String(s.shots) }),
      el('td', {}, el('strong', { text: s.verdict || '…' })))))));
  if (r.state === 'done') {
    const files = ['report.html', 'report.pdf', 'junit.xml', 'result.json', 'shots.csv', 'journal.jsonl'];
    main.append(el('section', { class: 'card' }, el('h2', { text: T.reports }),
      el('ul', { class: 'files' }, ...files.map((f) => el('li', {},
        el('a', { href: '/runs/' + r.id + '/' + f, text: f }))))));
    const v = el('p', { id: 'verify', text: '…' });
    main.append(el('section', { class: 'card' }, el('h2', { text: T.verify }), v));
    api('GET', '/api/runs/' + r.id + '/verify').then((x) => {
      v.textContent = x.status === 'intact' ? T.verify_ok : x.status === 'tampered' ? T.verify_bad : T.verify_unknown;
      v.dataset.status = x.status;
      v.title = x.output;
    });
    if (config.role === 'qa' || config.role === 'admin') {
      const m = el('span', { id: 'baseline-msg', role: 'status' });
      main.append(el('p', {}, el('button', { type: 'button', id: 'set-baseline', class: 'big',
        text: T.set_baseline, onclick: async () => {
          try { await api('POST', '/api/runs/' + r.id + '/baseline', {}); m.textContent = T.baseline_set; }
          catch (e) { m.textContent = T.error + ': ' + e.message; } } }), m));
    }
  } else setTimeout(() => location.reload(), 2000);
}

// ---- trends ----

function trendPage(main) {
  const q = new URLSearchParams(location.search);
  const req = el('input', { id: 'requirement', name: 'requirement', value: q.get('requirement') || 'DEPTH-ACC',
                            list: 'requirements' });
  main.append(el('form', { class: 'card filters', method: 'get', action: '/trend' },
    el('label', { for: 'requirement', text: T.requirement }), req,
    el('datalist', { id: 'requirements' }, ...['DEPTH-ACC', 'DOSE-ACC', 'RATE-ACC', 'DOSE-GRAV']
      .map((v) => el('option', { value: v }))),
    el('button', { type: 'submit', class: 'big', text: T.show })));
  if (q.get('requirement'))
    main.append(el('img', { id: 'trend', class: 'chart', alt: T.nav_trend + ' ' + q.get('requirement'),
                            src: '/api/trend.svg?requirement=' + encodeURIComponent(q.get('requirement')) }));
}

(async () => {
  const main = document.getElementById('main');
  document.title = T.title;
  if (page === 'login') { loginPage(main); return; }
  config = await api('GET', '/api/config');
  nav();
  ({ station: stationPage, history: historyPage, run: runPage, trend: trendPage })[page](main);
})();
