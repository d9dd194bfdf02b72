// The pages' few enhancements. Every page works without them: the server
// decides and recomputes everything when a form is sent; this only spares
// the reader a round trip.
'use strict';

(() => {
  const form = document.getElementById('cra-form');
  const grid = form && form.querySelector('table.cra-grid');
  if (!grid) return;

  // A select's value in half days ('' none, '0,5' a half, '1' a day).
  const halves = (v) => (v === '1' ? 2 : v === '0,5' ? 1 : 0);
  // Days as the server writes them: '12', '12,5' in French, '12.5' in English.
  const comma = document.documentElement.lang !== 'en';
  const days = (h) => {
    const s = String(h / 2);
    return comma ? s.replace('.', ',') : s;
  };

  // The activity totals and each day's total, live.
  const totals = document.getElementById('cra-totals');
  const recount = () => {
    const sums = new Map();
    for (const row of grid.tBodies[0].rows) {
      const cell = row.querySelector('td.total');
      let day = Number(cell?.dataset.leave || 0);
      for (const select of row.querySelectorAll('td[data-key] select')) {
        const h = halves(select.value);
        const key = select.closest('td').dataset.key;
        sums.set(key, (sums.get(key) || 0) + h);
        day += h;
      }
      if (cell) cell.textContent = day ? days(day) : '';
      row.classList.toggle('over', day > 2);
    }
    if (!totals) return;
    for (const [key, h] of sums) {
      let stat = totals.querySelector(`.stat[data-key="${CSS.escape(key)}"]`);
      if (!stat && h) {
        // A new activity: a tile named as its column.
        const th = grid.tHead.querySelector(`th[data-key="${CSS.escape(key)}"]`);
        stat = document.createElement('div');
        stat.className = 'stat';
        stat.dataset.key = key;
        stat.innerHTML = '<div class="n"></div><div class="l"></div>';
        stat.querySelector('.l').textContent = th ? th.textContent : key;
        totals.append(stat);
      }
      if (stat) stat.querySelector('.n').textContent = days(h);
    }
  };
  grid.addEventListener('change', recount);

  // Several missions on a phone: one column at a time, chosen above.
  const pick = document.getElementById('cra-mission-pick');
  if (pick) {
    document.getElementById('cra-pick').hidden = false;
    const show = () => {
      grid.classList.add('picking');
      for (const cell of grid.querySelectorAll('[data-key]')) {
        cell.classList.toggle('unpicked', cell.dataset.key !== pick.value);
      }
    };
    pick.addEventListener('change', show);
    show();
  }
})();

// A draft's line order: buttons that move a line up or down and number
// the lines again, beside the numbers one may still type.
(() => {
  const box = document.getElementById('edit-order');
  if (!box) return;
  const lines = () => [...box.querySelectorAll('.order-line')];
  const renumber = () => {
    lines().forEach((line, i) => {
      line.querySelector('input[name=rank]').value = String(i + 1);
    });
  };
  for (const line of lines()) {
    const name = line.querySelector('label')?.textContent || '';
    for (const [dir, label] of [['up', box.dataset.up], ['down', box.dataset.down]]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `secondary move-${dir}`;
      b.textContent = dir === 'up' ? '↑' : '↓';
      b.title = label;
      b.setAttribute('aria-label', `${label} — ${name}`);
      b.addEventListener('click', () => {
        const sibling = dir === 'up' ? line.previousElementSibling : line.nextElementSibling;
        if (!sibling || !sibling.classList.contains('order-line')) return;
        if (dir === 'up') sibling.before(line);
        else sibling.after(line);
        renumber();
        b.focus();
      });
      line.append(b);
    }
  }
})();
