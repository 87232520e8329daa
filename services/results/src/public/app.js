// The results portal: plain JS, no build step. Reads the results API (pre-rendered,
// cached by ETag), renders ratings as bars, switches between Kazakh and Russian.
'use strict';
(function () {
  var T = {
    ru: {
      title: 'Праймериз — итоги', updated: 'Обновлено', next: 'следующее обновление', turnout: 'Явка', eligible: 'Имеют право',
      authorized: 'Авторизовались', voted: 'Проголосовали', byRegion: 'Явка по регионам', region: 'Регион', level: 'Уровень',
      all: 'Все', national: 'Республиканский', regionLevel: 'Областной', district: 'Районный / городской', contests: 'Программы',
      ballots: 'бюллетеней', online: 'онлайн', paper: 'на бумаге', overall: 'Общий рейтинг', women: 'Женщины', youth: 'До 35 лет',
      removed: 'снят', woman: 'ж', young: '<35', interim: 'Промежуточные', final: 'Окончательные', upcoming: 'Не начато',
      notReady: 'Итоги ещё не опубликованы. Страница обновится сама.', offline: 'Нет связи с сервером, показаны последние данные.',
      seats: 'мест', quotaWomen: 'Женщин в первых', quotaYouth: 'До 35 лет в первых', need: 'нужно', votes: 'голосов', none: 'Нет программ',
    },
    kk: {
      title: 'Праймериз — қорытынды', updated: 'Жаңартылды', next: 'келесі жаңарту', turnout: 'Келу', eligible: 'Құқығы барлар',
      authorized: 'Авторизацияланғандар', voted: 'Дауыс бергендер', byRegion: 'Өңірлер бойынша келу', region: 'Өңір', level: 'Деңгей',
      all: 'Барлығы', national: 'Республикалық', regionLevel: 'Облыстық', district: 'Аудандық / қалалық', contests: 'Бағдарламалар',
      ballots: 'бюллетень', online: 'онлайн', paper: 'қағазбен', overall: 'Жалпы рейтинг', women: 'Әйелдер', youth: '35 жасқа дейін',
      removed: 'алынып тасталды', woman: 'ә', young: '<35', interim: 'Аралық', final: 'Түпкілікті', upcoming: 'Басталмаған',
      notReady: 'Қорытынды әлі жарияланған жоқ. Бет өздігінен жаңарады.', offline: 'Сервермен байланыс жоқ, соңғы деректер көрсетілген.',
      seats: 'орын', quotaWomen: 'Алғашқы орындардағы әйелдер', quotaYouth: 'Алғашқы орындардағы 35 жасқа дейінгілер', need: 'қажет', votes: 'дауыс', none: 'Бағдарлама жоқ',
    },
  };
  var lang = localStorage.getItem('lang') || ((navigator.language || '').slice(0, 2) === 'kk' ? 'kk' : 'ru');
  if (!T[lang]) lang = 'ru';
  var data = null;
  var turnout = [];
  var contestCache = {};
  var open = {};
  var timer = null;

  function t(key) { return T[lang][key] || key; }
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) { if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); }
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function local(name, nameKk) { return lang === 'kk' && nameKk ? nameKk : name; }
  function fmt(n) { return new Intl.NumberFormat('ru-RU').format(n); }
  // Browsers often lack Kazakh locale data: a fixed dd.mm hh:mm reads the same in both languages.
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function time(iso) { var d = new Date(iso); return two(d.getDate()) + '.' + two(d.getMonth() + 1) + ' ' + two(d.getHours()) + ':' + two(d.getMinutes()); }
  function pct(a, b) { return b > 0 ? Math.round((a / b) * 1000) / 10 : 0; }

  function getJson(url) {
    // The browser's HTTP cache revalidates with If-None-Match; the server answers 304 cheaply.
    return fetch(url, { headers: { accept: 'application/json' } }).then(function (r) {
      if (r.status === 503) { var e = new Error('not ready'); e.notReady = true; throw e; }
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
  }

  function applyLabels() {
    document.documentElement.lang = lang;
    document.title = t('title');
    document.querySelectorAll('[data-t]').forEach(function (n) { n.textContent = t(n.getAttribute('data-t')); });
    document.querySelectorAll('.lang button').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === lang)); });
  }

  function renderHeader() {
    if (!data) return;
    $('election-name').textContent = local(data.election.name, data.election.nameKk);
    var badge = $('state-badge');
    badge.className = 'badge' + (data.final ? ' final' : '');
    badge.textContent = data.final ? t('final') : data.election.state === 'upcoming' ? t('upcoming') : t('interim');
    $('updated-at').textContent = time(data.generatedAt);
    $('updated-at').setAttribute('datetime', data.generatedAt);
    $('next-at').textContent = time(data.nextRefreshAt);
    $('next-at').setAttribute('datetime', data.nextRefreshAt);
  }

  function renderTurnout() {
    if (!data) return;
    $('t-eligible').textContent = fmt(data.turnout.eligible);
    $('t-authorized').textContent = fmt(data.turnout.authorized);
    $('t-voted').textContent = fmt(data.turnout.voted) + ' (' + pct(data.turnout.voted, data.turnout.eligible) + '%)';
    var body = $('turnout-table').querySelector('tbody');
    body.textContent = '';
    turnout.forEach(function (r) {
      body.appendChild(el('tr', null, [
        el('td', { text: local(r.region, r.regionKk) }), el('td', { class: 'n', text: fmt(r.eligible) }),
        el('td', { class: 'n', text: fmt(r.voted) }), el('td', { class: 'n', text: String(pct(r.voted, r.eligible)) }),
      ]));
    });
  }

  function renderFilters() {
    if (!data) return;
    var sel = $('f-region');
    var chosen = sel.value;
    while (sel.options.length > 1) sel.remove(1);
    data.regions.forEach(function (r) { sel.appendChild(el('option', { value: String(r.id), text: local(r.name, r.nameKk) })); });
    sel.value = chosen;
  }

  function levelLabel(level) { return t(level === 'region' ? 'regionLevel' : level); }

  function renderContests() {
    var list = $('contests');
    list.textContent = '';
    if (!data) return;
    var region = $('f-region').value;
    var level = $('f-level').value;
    var shown = data.contests.filter(function (c) {
      return (!level || c.level === level) && (!region || (c.level !== 'national' && String(c.regionId) === region));
    });
    if (!shown.length) list.appendChild(el('li', { class: 'empty', text: t('none') }));
    shown.forEach(function (c) {
      var body = el('div', { class: 'contest-body' });
      var details = el('details', { 'data-contest': String(c.id) }, [
        el('summary', null, [
          el('span', { class: 'cname', text: local(c.name, c.nameKk) }),
          el('span', { class: 'meta', text: levelLabel(c.level) + ' · ' + fmt(c.ballots) + ' ' + t('ballots') }),
        ]),
        body,
      ]);
      details.open = !!open[c.id];
      details.addEventListener('toggle', function () {
        open[c.id] = details.open;
        if (details.open) loadContest(c.id, body);
      });
      if (details.open) loadContest(c.id, body);
      list.appendChild(el('li', null, [details]));
    });
  }

  function loadContest(id, body) {
    var cached = contestCache[id];
    if (cached && cached.version === data.version) return renderContest(cached, body);
    getJson('/api/v1/results/contests/' + id).then(function (c) { contestCache[id] = c; renderContest(c, body); }, showError);
  }

  function renderContest(c, body) {
    body.textContent = '';
    var tab = body.getAttribute('data-tab') || 'overall';
    var byId = {};
    c.candidates.forEach(function (x) { byId[x.id] = x; });
    var tabs = el('div', { class: 'tabs', role: 'tablist' });
    ['overall', 'women', 'youth'].forEach(function (name) {
      var b = el('button', { type: 'button', role: 'tab', 'aria-selected': String(name === tab), text: t(name) });
      b.addEventListener('click', function () { body.setAttribute('data-tab', name); renderContest(c, body); });
      tabs.appendChild(b);
    });
    body.appendChild(el('p', { class: 'quota', text: fmt(c.ballots) + ' ' + t('ballots') + ': ' + fmt(c.online) + ' ' + t('online') + ', ' + fmt(c.paper) + ' ' + t('paper') + ' · ' + c.contest.seats + ' ' + t('seats') }));
    body.appendChild(tabs);
    var rows = tab === 'overall' ? c.candidates : c.ratings[tab].map(function (id) { return byId[id]; });
    var rankKey = tab === 'overall' ? 'rank' : tab === 'women' ? 'womenRank' : 'youthRank';
    var max = Math.max.apply(null, [1].concat(rows.map(function (x) { return x.votes; })));
    var ol = el('ol', { class: 'rating' });
    rows.forEach(function (x) {
      var tags = [];
      if (x.woman) tags.push(el('span', { class: 'tag w', text: t('woman') }));
      if (x.youth) tags.push(el('span', { class: 'tag y', text: t('young') }));
      if (x.removed) tags.push(el('span', { class: 'tag r', text: t('removed') }));
      var bar = el('span');
      bar.style.width = (x.removed ? 0 : (x.votes / max) * 100) + '%';
      ol.appendChild(el('li', { class: x.removed ? 'removed' : '', 'data-candidate': String(x.id) }, [
        el('div', { class: 'cand' }, [
          el('span', { class: 'name' }, [document.createTextNode((x[rankKey] ? x[rankKey] + '. ' : '— ') + x.name)].concat(tags)),
          el('span', { class: 'votes', text: x.removed ? '' : fmt(x.votes) + ' · ' + x.percent + '%' }),
        ]),
        el('div', { class: 'bar' }, [bar]),
      ]));
    });
    body.appendChild(ol);
    var q = c.quotas;
    body.appendChild(el('p', { class: 'quota' }, [
      el('span', { class: q.womenMet ? 'ok' : 'no', text: t('quotaWomen') + ' ' + q.seats + ': ' + q.women + ' (' + t('need') + ' ' + q.womenRequired + ')' }),
      document.createTextNode(' · '),
      el('span', { class: q.youthMet ? 'ok' : 'no', text: t('quotaYouth') + ' ' + q.seats + ': ' + q.youth + ' (' + t('need') + ' ' + q.youthRequired + ')' }),
    ]));
  }

  function showError(err) {
    var m = $('message');
    m.hidden = false;
    m.textContent = err && err.notReady ? t('notReady') : t('offline');
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(load, Math.max(5000, Math.min(ms, 30 * 60 * 1000)));
  }

  function load() {
    Promise.all([getJson('/api/v1/results'), getJson('/api/v1/results/turnout')]).then(function (res) {
      data = res[0];
      turnout = res[1];
      $('message').hidden = true;
      renderAll();
      // Come back a little after the next rebuild is due.
      schedule(Date.parse(data.nextRefreshAt) - Date.now() + 3000);
    }, function (err) { showError(err); schedule(15000); });
  }

  function renderAll() { applyLabels(); renderHeader(); renderTurnout(); renderFilters(); renderContests(); }

  document.querySelectorAll('.lang button').forEach(function (b) {
    b.addEventListener('click', function () { lang = b.getAttribute('data-lang'); localStorage.setItem('lang', lang); contestCache = {}; renderAll(); });
  });
  $('f-region').addEventListener('change', renderContests);
  $('f-level').addEventListener('change', renderContests);
  applyLabels();
  load();
})();
