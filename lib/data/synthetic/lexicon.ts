/**
 * The synthetic ad-copy world: product categories, attribute keys and their values in Chinese and English,
 * each value with a short "benefit" phrase the copy uses (so the target is learnable from the attributes).
 * Values and keys with `since` > 0 are drift: they only exist once the `newValues` schedule reaches `since`.
 * Key names follow AdvertiseGen (类型, 材质, 颜色, 风格, 图案, 版型, 裙长, 衣领型, ...).
 */

export interface Value {
  zh: string;
  en: string;
  /** Benefit phrase used by the templates. */
  zhB: string;
  enB: string;
  /** Drift: first available when newValues(t) >= since (0 = always). */
  since: number;
}

export type KeyId = 'type' | 'material' | 'colour' | 'style' | 'pattern' | 'fit' | 'length' | 'neckline' | 'sleeve' | 'detail' | 'eco' | 'craft';

export interface Category {
  id: 'dress' | 'top' | 'trousers' | 'coat';
  zh: string;
  en: string;
  /** Noun used in the copy. */
  zhNoun: string;
  enNoun: string;
  /** AdvertiseGen's per-category key prefix (裙长, 衣领型, 裤款式). */
  zhPrefix: string;
  keys: KeyId[];
}

/** 'zh|en|zh benefit|en benefit[|since]' rows keep the tables readable. */
function values(rows: string): Value[] {
  return rows.trim().split('\n').map((r) => {
    const [zh, en, zhB, enB, since] = r.trim().split('|');
    return { zh, en, zhB, enB, since: since ? Number(since) : 0 };
  });
}

export const CATEGORIES: Category[] = [
  { id: 'dress', zh: '裙', en: 'dress', zhNoun: '连衣裙', enNoun: 'dress', zhPrefix: '裙', keys: ['material', 'colour', 'style', 'pattern', 'fit', 'length', 'neckline', 'sleeve', 'detail', 'eco', 'craft'] },
  { id: 'top', zh: '上衣', en: 'top', zhNoun: '上衣', enNoun: 'top', zhPrefix: '衣', keys: ['material', 'colour', 'style', 'pattern', 'fit', 'length', 'neckline', 'sleeve', 'detail', 'eco', 'craft'] },
  { id: 'trousers', zh: '裤', en: 'trousers', zhNoun: '裤子', enNoun: 'pair of trousers', zhPrefix: '裤', keys: ['material', 'colour', 'style', 'pattern', 'fit', 'length', 'detail', 'eco', 'craft'] },
  { id: 'coat', zh: '外套', en: 'coat', zhNoun: '外套', enNoun: 'coat', zhPrefix: '衣', keys: ['material', 'colour', 'style', 'pattern', 'fit', 'length', 'neckline', 'sleeve', 'detail', 'eco', 'craft'] },
];

/** Key names; a leading '*' means "prefix with the category's zhPrefix" (裙长, 衣长, 裤长). */
export const KEY_NAMES: Record<KeyId, { zh: string; en: string; since: number }> = {
  type: { zh: '类型', en: 'type', since: 0 },
  material: { zh: '材质', en: 'material', since: 0 },
  colour: { zh: '颜色', en: 'colour', since: 0 },
  style: { zh: '风格', en: 'style', since: 0 },
  pattern: { zh: '图案', en: 'pattern', since: 0 },
  fit: { zh: '版型', en: 'fit', since: 0 },
  length: { zh: '*长', en: 'length', since: 0 },
  neckline: { zh: '*领型', en: 'neckline', since: 0 },
  sleeve: { zh: '*袖型', en: 'sleeve', since: 0 },
  detail: { zh: '*款式', en: 'detail', since: 0 },
  eco: { zh: '环保', en: 'eco', since: 0.5 },
  craft: { zh: '工艺', en: 'craft', since: 0.6 },
};

const LENGTHS: Record<Category['id'], Value[]> = {
  dress: values(`
    短裙|mini|俏皮显腿长|playful and leg-lengthening
    中长裙|midi|优雅得体|graceful and polished
    长裙|maxi|飘逸大气|flowing and dramatic`),
  top: values(`
    短款|cropped|显高显比例|proportion-boosting
    常规款|regular length|百搭不挑人|easy for everyone
    长款|longline|遮肉有气场|covering and confident`),
  coat: values(`
    短款|cropped|利落显高|neat and lengthening
    中长款|mid-length|保暖有型|warm and shapely
    长款|longline|气场十足|full of presence`),
  trousers: values(`
    九分裤|ankle-length|露出脚踝更显瘦|slimming with a flash of ankle
    长裤|full-length|修饰腿型|leg-flattering
    短裤|shorts|清爽活力|cool and lively
    七分裤|cropped|轻松随性|easy-going`),
};

export const VALUES: Record<Exclude<KeyId, 'type' | 'length'>, Value[]> = {
  material: values(`
    棉|cotton|柔软透气|soft and breathable
    牛仔布|denim|耐穿有型|tough and structured
    雪纺|chiffon|轻盈飘逸|light and floaty
    针织|knit|温柔亲肤|cosy against the skin
    真丝|silk|光泽细腻|smooth with a soft sheen
    羊毛|wool|保暖舒适|warm and comfortable
    亚麻|linen|清爽透气|cool and airy
    蕾丝|lace|精致浪漫|delicate and romantic
    皮革|leather|帅气有质感|sleek and edgy
    灯芯绒|corduroy|复古温暖|warm with a retro texture
    涤纶|polyester|挺括易打理|crisp and easy to care for
    网纱|mesh|朦胧轻盈|sheer and light
    天丝|tencel|凉感顺滑|cool and silky|0.3
    再生纤维|recycled fibre|环保又耐穿|durable and kind to the planet|0.6
    醋酸|acetate|垂坠有光泽|fluid with a glossy drape|0.8`),
  colour: values(`
    白色|white|干净清爽|clean and fresh
    黑色|black|低调显瘦|understated and slimming
    红色|red|热情吸睛|bold and eye-catching
    蓝色|blue|沉静大方|calm and classic
    粉色|pink|甜美温柔|sweet and gentle
    绿色|green|自然清新|fresh and natural
    黄色|yellow|明亮活泼|bright and cheerful
    灰色|grey|高级耐看|refined and easy to wear
    卡其色|khaki|温柔百搭|warm and versatile
    紫色|purple|优雅神秘|elegant and a little mysterious
    米色|beige|温柔知性|soft and polished
    藏青色|navy|稳重经典|classic and composed
    薄荷绿|mint green|清凉减龄|cool and youthful|0.2
    雾霾蓝|haze blue|温柔高级|muted and sophisticated|0.5
    多巴胺橙|dopamine orange|元气满满|full of energy|0.75`),
  style: values(`
    简约|minimalist|干净利落|clean and effortless
    复古|vintage|怀旧有味道|nostalgic with character
    文艺|artsy|文艺气息十足|quietly artistic
    休闲|casual|轻松自在|relaxed and easy
    通勤|office|干练得体|sharp and professional
    甜美|sweet|少女感满满|girlish and charming
    街头|streetwear|酷感十足|cool and street-ready
    优雅|elegant|优雅大方|graceful and refined
    清新|fresh|清新自然|light and breezy
    学院|preppy|青春减龄|youthful and smart
    机能|techwear|实用又有型|functional with an edge|0.4
    多巴胺|dopamine|色彩明快|joyful and colourful|0.7`),
  pattern: values(`
    纯色|solid colour|简洁耐看|simple and timeless
    条纹|stripes|经典有型|classic and sharp
    格子|plaid|复古学院风|retro and preppy
    印花|print|生动有趣|lively and fun
    碎花|floral|浪漫温柔|romantic and soft
    刺绣|embroidery|精致有细节|detailed and refined
    波点|polka dots|俏皮可爱|playful and cute
    字母|lettering|个性潮流|bold and trendy
    撞色|colour blocking|活力抢眼|vivid and striking
    卡通|cartoon|童趣满满|fun and youthful
    扎染|tie-dye|随性艺术|free-spirited and artistic|0.35
    渐变|gradient|层次丰富|softly layered|0.65`),
  fit: values(`
    宽松|loose|舒适不拘束|comfortable and unrestricted
    修身|slim|勾勒身材曲线|figure-shaping
    直筒|straight|利落显高|neat and lengthening
    A字|A-line|遮肉显瘦|flattering and slimming
    收腰|cinched|凸显腰线|waist-defining
    高腰|high-waisted|拉长腿部比例|leg-lengthening`),
  neckline: values(`
    圆领|round neck|百搭修饰脸型|versatile and face-flattering
    V领|V-neck|拉长颈部线条|neck-lengthening
    立领|stand collar|挺括有精神|crisp and polished
    翻领|lapel collar|干练有型|smart and structured
    一字领|off-the-shoulder neckline|露出锁骨|collarbone-baring
    半高领|mock neck|温暖又优雅|warm yet elegant`),
  sleeve: values(`
    泡泡袖|puff sleeves|甜美减龄|sweet and youthful
    喇叭袖|bell sleeves|灵动飘逸|flowing and graceful
    灯笼袖|lantern sleeves|复古浪漫|romantic and retro
    无袖|sleeveless cut|清凉利落|cool and neat
    长袖|long sleeves|保暖百搭|warm and versatile
    短袖|short sleeves|轻松舒适|easy and comfortable`),
  detail: values(`
    拼接|panelling|层次丰富|layered and interesting
    口袋|pockets|实用方便|practical and handy
    系带|tie detail|灵动俏皮|playful and flexible
    破洞|distressing|随性酷感|laid-back and cool
    褶皱|pleats|立体有型|structured and dimensional
    纽扣|buttons|精致复古|neat and a little retro
    荷叶边|ruffles|浪漫甜美|romantic and sweet
    拉链|zip|方便穿脱|easy on and off`),
  eco: values(`
    有机棉|organic cotton|亲肤更安心|gentle and trustworthy
    可回收|recyclable fabric|环保可持续|sustainable
    低碳工艺|low-carbon making|更环保|kinder to the planet`),
  craft: values(`
    手工编织|hand-knitting|温暖有温度|warm and handmade
    激光切割|laser cutting|精准利落|precise and modern
    3D印花|3D printing|立体吸睛|dimensional and eye-catching`),
};

/** The values of `key` for a category (length depends on the category). */
export function valuesOf(key: Exclude<KeyId, 'type'>, cat: Category): Value[] {
  return key === 'length' ? LENGTHS[cat.id] : VALUES[key];
}

/** AdvertiseGen-style key name for a category, in the given language. */
export function keyName(key: KeyId, cat: Category, lang: 'zh' | 'en'): string {
  const n = KEY_NAMES[key][lang];
  return lang === 'zh' && n.startsWith('*') ? cat.zhPrefix + n.slice(1) : n;
}

/** Modifiers that grow the vocabulary past the base values (vocabulary > 1): 浅+蓝色 = 浅蓝色 / light blue. */
const MODIFIERS: Partial<Record<KeyId, [string, string][]>> = {
  colour: [['浅', 'light '], ['深', 'dark '], ['亮', 'bright '], ['雾', 'dusty '], ['奶', 'creamy ']],
  material: [['水洗', 'washed '], ['重磅', 'heavyweight '], ['精梳', 'combed '], ['双面', 'double-faced ']],
  pattern: [['大', 'large '], ['小', 'small '], ['细', 'fine '], ['满版', 'all-over ']],
  style: [['法式', 'French '], ['日系', 'Japanese '], ['韩系', 'Korean '], ['英伦', 'British ']],
  fit: [['微', 'slightly '], ['超', 'very ']],
};

/**
 * Base values of `key`, scaled by the vocabulary knob: below 1 the first ceil(n * v) values (at least 2);
 * above 1, modifier + value compounds are appended (up to (1 + modifiers) * n values for keys that have
 * modifiers; other keys stay at n).
 */
export function scaledValues(key: KeyId, base: readonly Value[], vocab: number): Value[] {
  if (vocab <= 1) return base.slice(0, Math.max(2, Math.ceil(base.length * vocab)));
  const mods = MODIFIERS[key] ?? [];
  const extra: Value[] = [];
  for (const [mz, me] of mods) for (const b of base) extra.push({ ...b, zh: mz + b.zh, en: me + b.en });
  return [...base, ...extra.slice(0, Math.round((vocab - 1) * base.length))];
}
