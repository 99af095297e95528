/** Language tagging by script: counts CJK ideographs against Latin letters. */
import type { Lang } from './types.ts';

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;
const LATIN = /[A-Za-z]/;

/**
 * 'zh' when CJK characters dominate, 'en' when Latin letters do, 'mixed' when the minority script is at least
 * 15% of the letters (one brand name in Chinese copy stays 'zh').
 *
 * @example
 * detectLang('简约的牛仔外套');          // 'zh'
 * detectLang('A slim denim jacket');   // 'en'
 * detectLang('这款 denim jacket 很百搭'); // 'mixed'
 */
export function detectLang(text: string): Lang {
  let cjk = 0;
  let latin = 0;
  for (const ch of text) {
    if (CJK.test(ch)) cjk++;
    else if (LATIN.test(ch)) latin++;
  }
  // A Latin letter carries less meaning than a hanzi; weigh a word (~5 letters) like one or two characters.
  const latinWeight = latin / 4;
  const total = cjk + latinWeight;
  if (total === 0) return 'en';
  const minority = Math.min(cjk, latinWeight) / total;
  if (minority >= 0.15) return 'mixed';
  return cjk > latinWeight ? 'zh' : 'en';
}
