// Chat playground: a finished run (or any registered model source) answers a prompt token by token, with
// temperature and top-p; a second model answers the same prompt side by side.
import { api, streamJsonLines } from '../api.js';
import { h } from '../dom.js';

export async function render(main) {
  const models = await api('/api/chat/models');
  const pick = (id, none) => h('select', { id }, none ? h('option', { value: '' }, '(none)') : '', models.map((m) => h('option', { value: m.ref }, m.label)));
  const a = pick('model-a', false);
  const b = pick('model-b', true);
  if (models[1]) b.value = models[1].ref;
  const prompt = h('textarea', { id: 'prompt', rows: 3 }, '类型#裙*颜色#红色*风格#清新');
  const num = (id, value, attrs) => h('input', { type: 'number', id, value, style: 'width:80px', ...attrs });
  const temperature = num('temperature', '0.8', { step: '0.1', min: '0', max: '5' });
  const topP = num('top-p', '0.95', { step: '0.05', min: '0.05', max: '1' });
  const maxNew = num('max-new', '48', { step: '1', min: '1', max: '512' });
  const seed = num('seed', '0', { step: '1', min: '0' });
  const go = h('button', { class: 'primary', id: 'generate' }, 'Generate');
  const cols = h('div', { class: 'grid2', id: 'answers' });
  main.append(
    h('h1', {}, 'Chat playground'),
    models.length ? '' : h('p', { class: 'muted' }, 'No finished run with a model checkpoint yet (finetune runs qualify).'),
    h('div', { class: 'card' },
      h('div', { class: 'toolbar' }, h('label', {}, 'model A ', a), h('label', {}, 'model B ', b)),
      prompt,
      h('div', { class: 'toolbar', style: 'margin-top:8px' }, h('label', {}, 'temperature ', temperature), h('label', {}, 'top-p ', topP), h('label', {}, 'max tokens ', maxNew), h('label', {}, 'seed ', seed), go),
    ),
    cols,
  );
  let abort;
  go.addEventListener('click', async () => {
    abort?.abort();
    abort = new AbortController();
    const chosen = [a.value, b.value].filter(Boolean);
    const body = { prompt: prompt.value, temperature: Number(temperature.value), topP: Number(topP.value), maxNew: Number(maxNew.value), seed: Number(seed.value) };
    cols.replaceChildren();
    go.disabled = true;
    await Promise.all(chosen.map(async (ref, i) => {
      const answer = h('div', { class: 'answer', dataset: { tokens: '0' } });
      const stat = h('div', { class: 'muted' }, 'loading model…');
      cols.append(h('div', { class: 'chat-col', dataset: { model: ref } }, h('div', { class: 'mono', style: 'margin-bottom:6px' }, `${'AB'[i]}: ${ref}`), answer, stat));
      let n = 0;
      try {
        await streamJsonLines('/api/generate', { ...body, model: ref }, (m) => {
          if (m.token !== undefined) { answer.append(m.token); answer.dataset.tokens = String(++n); stat.textContent = `${n} tokens…`; }
          if (m.done) { stat.textContent = `${m.tokens} tokens in ${m.ms} ms`; answer.dataset.done = 'true'; }
          if (m.error) stat.textContent = `error: ${m.error}`;
        }, abort.signal);
      } catch (err) {
        stat.textContent = `error: ${err.message}`;
      }
    }));
    go.disabled = false;
  });
  return () => abort?.abort();
}
