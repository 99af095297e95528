/**
 * A Datanet of real records: AdvertiseGen ad copy and E2E restaurant descriptions as honest contributions
 * (each record one item, prompt → text, dealt to honest contributors), queries from held-out prompts, and
 * four attackers that each add items:
 *   duplicate   — exact copies of honest items (same prompt, same text), a new owner;
 *   paraphrase  — honest items reworded (paraphrase.ts): the free-rider keeps the content, drops the spans;
 *   boilerplate — boilerplate farming: many items each made of the Datanet's most frequent long phrases (what a
 *                 model trained on it emits most), under real prompts;
 *   stuffing    — n-gram stuffing: items packed with as many distinct frequent n-grams as fit.
 * The attackers see the honest Datanet (it is public), not the model's outputs; frequent Datanet phrases are
 * their proxy for what the model will emit.
 */
import { loadDataset, type Example } from '../../data/index.ts';
import { Rng } from '../../util/index.ts';
import { paraphrase } from './paraphrase.ts';

export const TEXT_ATTACKS = ['duplicate', 'paraphrase', 'boilerplate', 'stuffing'] as const;
export type TextAttack = (typeof TEXT_ATTACKS)[number];
export type ItemKind = 'honest' | TextAttack;

export interface TextItem {
  index: number;
  /** Identity that registered it: honest-<i> or the attack's name. */
  owner: string;
  kind: ItemKind;
  prompt: string;
  text: string;
  /** For duplicates and paraphrases: the honest item copied. */
  copyOf?: number;
  lang: 'zh' | 'en';
}

export interface TextDatanet { items: TextItem[]; queries: Example[]; sources: string[] }

export interface DatanetOptions {
  advertisegen: string;
  e2e: string;
  /** Honest records per source, and held-out query prompts per source. */
  perSource: number;
  queriesPerSource: number;
  honest: number;
  /** Items per attacker. */
  attackItems: number;
  attacks: readonly TextAttack[];
  seed: number;
}

/** Phrases of 3–8 words (E2E) or 4–10 characters (Chinese) by count × length, most frequent first. */
export function frequentPhrases(texts: readonly string[], lang: 'zh' | 'en', n: number): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) {
    const units = lang === 'en' ? t.split(/\s+/).filter(Boolean) : [...t];
    const [lo, hi] = lang === 'en' ? [3, 8] : [4, 10];
    const seen = new Set<string>();
    for (let len = lo; len <= hi; len++) {
      for (let i = 0; i + len <= units.length; i++) {
        const g = units.slice(i, i + len).join(lang === 'en' ? ' ' : '');
        // Words and CJK characters only: no placeholders (<UNK>, BRAND) or punctuation runs.
        if (seen.has(g) || !(lang === 'en' ? /^[A-Za-z][A-Za-z' -]*[A-Za-z]$/ : /^[\u4e00-\u9fff]+$/).test(g)) continue;
        seen.add(g);
        counts.set(g, (counts.get(g) ?? 0) + 1);
      }
    }
  }
  return [...counts.entries()].filter(([, c]) => c >= 2)
    .sort((a, b) => b[1] * b[0].length - a[1] * a[0].length || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([g]) => g);
}

function distinctRecords(exs: readonly Example[]): Example[] {
  const seen = new Set<string>();
  return exs.filter((e) => (seen.has(e.target) ? false : (seen.add(e.target), true)));
}

export async function buildTextDatanet(o: DatanetOptions): Promise<TextDatanet> {
  const rng = new Rng(`datanet:${o.seed}`);
  const sources: [string, 'zh' | 'en'][] = [[o.advertisegen, 'zh'], [o.e2e, 'en']];
  const items: TextItem[] = [];
  const queries: Example[] = [];
  const byLang = new Map<'zh' | 'en', TextItem[]>();
  for (const [path, lang] of sources) {
    const all = distinctRecords(await loadDataset(path));
    // Queries are prompts the Datanet has no record for (E2E: unseen meaning representations).
    const prompts = [...new Set(all.map((e) => e.source))];
    const heldOut = new Set(prompts.filter((_, i) => i % 5 === 4).slice(0, o.queriesPerSource));
    // Every k-th record, so the sample spans the file (E2E is sorted by restaurant).
    const rest = all.filter((e) => !heldOut.has(e.source));
    const stride = Math.max(1, Math.floor(rest.length / o.perSource));
    const train = rest.filter((_, i) => i % stride === 0).slice(0, o.perSource);
    const mine: TextItem[] = train.map((e) => ({ index: 0, owner: '', kind: 'honest', prompt: e.source, text: e.target, lang }));
    byLang.set(lang, mine);
    items.push(...mine);
    const q = new Map<string, Example>();
    for (const e of all) if (heldOut.has(e.source) && !q.has(e.source)) q.set(e.source, e);
    queries.push(...q.values());
  }
  items.forEach((it, i) => { it.index = i; it.owner = `honest-${i % o.honest}`; });
  const honest = items.slice();
  const add = (it: Omit<TextItem, 'index'>) => items.push({ ...it, index: items.length });
  for (const a of o.attacks) {
    const r = rng.fork(a);
    for (let j = 0; j < o.attackItems; j++) {
      const target = honest[r.int(honest.length)];
      switch (a) {
        case 'duplicate':
          add({ owner: a, kind: a, prompt: target.prompt, text: target.text, copyOf: target.index, lang: target.lang });
          break;
        case 'paraphrase':
          add({ owner: a, kind: a, prompt: target.prompt, text: paraphrase(target.text), copyOf: target.index, lang: target.lang });
          break;
        case 'boilerplate':
        case 'stuffing': {
          const lang = j % 2 === 0 ? 'zh' : 'en';
          const pool = byLang.get(lang)!;
          // Boilerplate: a few of the very top phrases per item; stuffing: many distinct ones, deeper in the list.
          const phrases = frequentPhrases(pool.map((p) => p.text), lang, a === 'boilerplate' ? 12 : 120);
          const pick = a === 'boilerplate' ? phrases.slice(0, 6) : Array.from({ length: 16 }, (_, k) => phrases[(j * 16 + k) % phrases.length]);
          const sep = lang === 'en' ? ' ' : '，';
          add({ owner: a, kind: a, prompt: pool[r.int(pool.length)].prompt, text: pick.join(sep) + (lang === 'en' ? '.' : '。'), lang });
          break;
        }
      }
    }
  }
  return { items, queries, sources: sources.map(([p]) => p) };
}
