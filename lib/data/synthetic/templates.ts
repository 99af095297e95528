/**
 * Phrasing for the synthetic copy, in two styles: 'plain' (catalogue copy, the t=0 style) and 'social'
 * (influencer-speak that the `style` drift schedule phases in). Slots: {v} value, {b} its benefit, {t} the
 * product noun, {s}/{sb} the style value and its benefit. The `templates` knob uses the first k of each list.
 */
import type { KeyId } from './lexicon.ts';

export type Style = 'plain' | 'social';
type Lists = { opener: string[]; openerNoStyle: string[]; closer: string[]; clause: Partial<Record<KeyId, string[]>>; anyClause: string[] };

const ZH_PLAIN: Lists = {
  opener: ['这款{s}风格的{t}，{sb}', '{s}风{t}，整体{sb}', '一款{s}的{t}，{sb}', '{t}走{s}路线，{sb}'],
  openerNoStyle: ['这款{t}很有看点', '这件{t}设计感十足', '一款日常百搭的{t}', '这条{t}值得关注'],
  closer: ['轻松穿出好气质。', '日常出行都很合适。', '让你时髦又舒适。', '值得入手。'],
  clause: {
    material: ['{v}面料{b}', '采用{v}材质，{b}', '选用优质{v}，上身{b}', '{v}质地{b}'],
    colour: ['{v}的配色{b}', '{v}设计，{b}', '选用{v}，{b}', '{v}色调{b}'],
    style: ['同时带点{v}气息，{b}', '融入{v}元素，{b}', '兼具{v}感，{b}', '{v}味道{b}'],
    pattern: ['{v}元素{b}', '点缀{v}图案，{b}', '{v}的设计{b}', '饰有{v}，{b}'],
    fit: ['{v}版型{b}', '{v}的剪裁，{b}', '采用{v}设计，{b}', '{v}廓形{b}'],
    length: ['{v}的长度{b}', '{v}设计{b}', '做成{v}，{b}', '{v}{b}'],
    neckline: ['{v}设计{b}', '{v}领口{b}', '精致的{v}，{b}', '领口采用{v}，{b}'],
    sleeve: ['{v}{b}', '搭配{v}，{b}', '{v}设计，{b}', '袖子采用{v}，{b}'],
    detail: ['{v}细节{b}', '加入{v}设计，{b}', '{v}点缀，{b}', '细节处的{v}{b}'],
  },
  anyClause: ['{v}，{b}', '采用{v}，{b}', '主打{v}，{b}', '{v}加持，{b}'],
};

const ZH_SOCIAL: Lists = {
  opener: ['姐妹们！这件{s}{t}真的绝了，{sb}', '谁懂啊，{s}风的{t}太好看了，{sb}', '挖到宝了！{s}{t}，{sb}', '今日份{s}穿搭：{t}，{sb}'],
  openerNoStyle: ['姐妹们！这件{t}真的绝了', '谁懂啊，这条{t}太好看了', '挖到宝了！{t}', '今日份穿搭：{t}'],
  closer: ['冲就完事了！', '闭眼入！', '赶紧收藏～', '谁穿谁好看！'],
  clause: {},
  anyClause: ['{v}真的{b}', '{v}yyds，{b}', '爱了爱了，{v}{b}', '{v}绝绝子，{b}'],
};

const EN_PLAIN: Lists = {
  opener: ['This {s} {t} is {sb}', 'One {s} {t} that feels {sb}', 'Meet the {s} {t}: {sb}', 'Our {s} {t} keeps things {sb}'],
  openerNoStyle: ['This {t} is made for every day', 'Meet our new {t}', 'A {t} worth a closer look', 'Our {t} does it all'],
  closer: ['Easy to style every day.', 'A wardrobe essential.', 'Made for effortless outfits.', 'Wear it anywhere.'],
  clause: {
    material: ['made from {v}, it is {b}', 'the {v} fabric is {b}', 'crafted in {v} that feels {b}', '{v} keeps it {b}'],
    colour: ['the {v} shade is {b}', 'in {v}, it looks {b}', 'a {v} tone that is {b}', '{v} makes it {b}'],
    style: ['a touch of {v} makes it {b}', 'with a {v} twist, it is {b}', 'the {v} mood is {b}', 'a little {v}, {b}'],
    pattern: ['the {v} is {b}', '{v} details feel {b}', 'finished with {v}, it is {b}', 'a {v} motif that is {b}'],
    fit: ['the {v} fit is {b}', 'cut {v} for a shape that is {b}', 'a {v} silhouette, {b}', 'its {v} cut is {b}'],
    length: ['the {v} length is {b}', 'a {v} cut that is {b}', 'in a {v} length, it is {b}', 'going {v} keeps it {b}'],
    neckline: ['a {v} that is {b}', 'the {v} is {b}', 'finished with a {v}, {b}', 'its {v} feels {b}'],
    sleeve: ['{v} that feel {b}', 'with {v}, it is {b}', 'the {v} look {b}', '{v} keep it {b}'],
    detail: ['{v} that feel {b}', 'with {v} for a look that is {b}', 'added {v}: {b}', 'the {v} make it {b}'],
  },
  anyClause: ['{v}, {b}', 'made with {v}, {b}', 'featuring {v}, {b}', '{v} inside: {b}'],
};

const EN_SOCIAL: Lists = {
  opener: ['Obsessed with this {s} {t}! So {sb}', 'OK this {s} {t} is everything, {sb}', 'New fave: a {s} {t}, {sb}', 'POV: you found the perfect {s} {t}, {sb}'],
  openerNoStyle: ['Obsessed with this {t}!', 'OK this {t} is everything', 'New fave: this {t}', 'POV: you found the perfect {t}'],
  closer: ['Run, don\'t walk!', '10/10 would wear.', 'Add to cart now!', 'Trust me on this one.'],
  clause: {},
  anyClause: ['the {v} is sooo {b}', '{v} = {b}', 'literally {b} thanks to the {v}', 'that {v} tho, {b}'],
};

export const PHRASES: Record<'zh' | 'en', Record<Style, Lists>> = {
  zh: { plain: ZH_PLAIN, social: ZH_SOCIAL },
  en: { plain: EN_PLAIN, social: EN_SOCIAL },
};

/** The clause templates for a key (falling back to the style's generic clauses). */
export function clauseTemplates(lang: 'zh' | 'en', style: Style, key: KeyId): string[] {
  const p = PHRASES[lang][style];
  return p.clause[key] ?? p.anyClause;
}

/** Fills {slot} placeholders. */
export function fill(template: string, slots: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => slots[k] ?? '');
}
