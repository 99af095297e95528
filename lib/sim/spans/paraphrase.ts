/**
 * Deterministic rewording for the paraphrase free-rider: an honest item reworded phrase by phrase (synonym
 * tables for E2E English and AdvertiseGen Chinese ad copy) and, for Chinese, its clauses rotated, so the
 * exact token spans a model learnt from it no longer occur in the copy. A stand-in for an LLM paraphraser:
 * what matters to span attribution is that the exact n-grams change while the content stays.
 */

const EN: [RegExp, string][] = [
  [/\brestaurant\b/g, 'eatery'], [/\bcoffee shop\b/g, 'café'], [/\blocated\b/g, 'situated'], [/\bnear\b/g, 'close to'],
  [/\bcity centre\b/g, 'centre of town'], [/\briverside\b/g, 'riverbank'], [/\bfamily[- ]friendly\b/g, 'good for kids'],
  [/\bserves\b/g, 'offers'], [/\bserving\b/g, 'offering'], [/\bfood\b/g, 'dishes'], [/\bprice range\b/g, 'prices'],
  [/\bcustomer rating\b/g, 'rating from diners'], [/\bhigh\b/g, 'excellent'], [/\blow\b/g, 'poor'], [/\bcheap\b/g, 'inexpensive'],
  [/\bmoderate\b/g, 'mid-range'], [/\bThere is\b/g, 'You will find'], [/\bis a\b/g, 'is one'], [/\bwith a\b/g, 'having a'],
  [/\bnot\b/g, 'never'], [/\band\b/g, 'plus'], [/\bin the\b/g, 'within the'], [/\bthe\b/g, 'this'], [/\bpub\b/g, 'tavern'],
];

const ZH: [string, string][] = [
  ['这款', '这件'], ['设计', '打造'], ['时尚', '潮流'], ['简约', '简洁'], ['百搭', '好搭'], ['显瘦', '修身'], ['搭配', '配搭'],
  ['展现', '彰显'], ['穿着', '上身'], ['舒适', '舒服'], ['女性', '女生'], ['气质', '韵味'], ['优雅', '雅致'], ['可以', '能够'],
  ['非常', '十分'], ['更加', '更为'], ['采用', '选用'], ['面料', '布料'], ['柔软', '柔和'], ['亲肤', '贴肤'], ['休闲', '闲适'],
  ['的', '之'], ['了', '啦'], ['很', '挺'],
];

const hasCjk = (s: string) => /[\u4e00-\u9fff]/.test(s);

export function paraphrase(text: string): string {
  if (hasCjk(text)) {
    let t = text;
    for (const [a, b] of ZH) t = t.split(a).join(b);
    // Rotate the clauses of each sentence by one, so the spans across clause boundaries change too.
    const clauses = t.split(/(?<=[，。！；])/).filter((c) => c.length > 0);
    return clauses.length > 1 ? [...clauses.slice(1), clauses[0]].join('') : t;
  }
  let t = text;
  for (const [re, b] of EN) t = t.replace(re, b);
  return t;
}
