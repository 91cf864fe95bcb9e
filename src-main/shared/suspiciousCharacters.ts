/**
 * Characters that make what a person sees differ from what bash runs: format characters
 * (zero-width, bidirectional controls, tags), control characters other than tab and newline,
 * any whitespace other than the plain space, private-use and unassigned code points, variation
 * selectors and blank-looking letters (Hangul fillers, braille blank).
 *
 * Shared by the policy (which asks a person about them) and the renderer (which shows them as
 * escapes), so the two can never disagree. No dependencies: the renderer bundles it.
 */
export const SUSPICIOUS_CHARACTER =
  // Control characters and combining marks are the point of this pattern.
  // eslint-disable-next-line no-control-regex, no-misleading-character-class
  /[\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Variation_Selector}\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\u034F\u115F\u1160\u180E\u2800\u3164\uFFA0]/gu;

const NAMES: Record<number, string> = {
  0x0000: 'NUL',
  0x000d: 'carriage return',
  0x001b: 'escape',
  0x00a0: 'no-break space',
  0x200b: 'zero width space',
  0x200c: 'zero width non-joiner',
  0x200d: 'zero width joiner',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2060: 'word joiner',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0xfeff: 'zero width no-break space',
};

/** `U+200B`. */
export function formatCodePoint(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `U+200B (zero width space)` style description of a code point. */
export function describeCodePoint(codePoint: number): string {
  const name = NAMES[codePoint];
  return name ? `${formatCodePoint(codePoint)} (${name})` : formatCodePoint(codePoint);
}

/** The visible escape for a code point: `\u{200B}`. */
export function escapeFor(codePoint: number): string {
  return `\\u{${codePoint.toString(16).toUpperCase()}}`;
}

/**
 * Letters and signs from other scripts drawn like printable ASCII, by what they look like. The
 * common ones by hand (Cyrillic, Greek, Armenian and punctuation that reads as `-`, `'`, `"`,
 * `/`); compatibility forms (fullwidth `ｓ`, mathematical `𝐬`, ligatures) by NFKC in
 * `lookAlikeOf`.
 */
const LOOK_ALIKES: Record<string, string> = {
  // Cyrillic
  '\u0430': 'a', '\u0435': 'e', '\u043E': 'o', '\u0440': 'p', '\u0441': 'c', '\u0443': 'y', '\u0445': 'x',
  '\u0455': 's', '\u0456': 'i', '\u0458': 'j', '\u0501': 'd', '\u051B': 'q', '\u051D': 'w', '\u04BB': 'h',
  '\u04CF': 'l', '\u0410': 'A', '\u0412': 'B', '\u0415': 'E', '\u041A': 'K', '\u041C': 'M', '\u041D': 'H',
  '\u041E': 'O', '\u0420': 'P', '\u0421': 'C', '\u0422': 'T', '\u0425': 'X', '\u0405': 'S', '\u0406': 'I',
  '\u0408': 'J', '\u051A': 'Q', '\u051C': 'W', '\u04C0': 'I',
  // Greek
  '\u03B1': 'a', '\u03BF': 'o', '\u03BD': 'v', '\u03C1': 'p', '\u03C4': 't', '\u03B9': 'i', '\u03BA': 'k',
  '\u03C5': 'u', '\u03C7': 'x', '\u0391': 'A', '\u0392': 'B', '\u0395': 'E', '\u0396': 'Z', '\u0397': 'H',
  '\u0399': 'I', '\u039A': 'K', '\u039C': 'M', '\u039D': 'N', '\u039F': 'O', '\u03A1': 'P', '\u03A4': 'T',
  '\u03A5': 'Y', '\u03A7': 'X',
  // Armenian, Latin extensions (script g, dotless i and j, click l), Hebrew paseq, Arabic zeros
  '\u0585': 'o', '\u057D': 'u', '\u0581': 'g', '\u0261': 'g', '\u0131': 'i', '\u0237': 'j', '\u01C0': 'l',
  '\u05C0': 'l', '\u0660': '.', '\u06F0': '.',
  // Punctuation that reads as ASCII in a command line
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-', '\u2043': '-',
  '\u2018': "'", '\u2019': "'", '\u201A': ',', '\u201B': "'", '\u2032': "'", '\u00B4': "'", '\u02B9': "'", '\u02BC': "'",
  '\u201C': '"', '\u201D': '"', '\u201E': '"', '\u2033': '"', '\u02BA': '"',
  '\u2044': '/', '\u2215': '/', '\u29F8': '/', '\u2216': '\\', '\u29F9': '\\',
  '\u2024': '.', '\u2027': '.', '\u00B7': '.', '\u2219': '.', '\u02D0': ':', '\u0589': ':', '\u2236': ':', '\u037E': ';',
  '\u2217': '*', '\u066D': '*', '\u2223': '|', '\u01C3': '!', '\u02C2': '<', '\u02C3': '>', '\u2039': '<', '\u203A': '>',
};

/**
 * The printable ASCII text a character is drawn like (`ѕ` → `s`, `ｓ` → `s`, `−` → `-`), or
 * undefined if it does not pass for ASCII.
 */
export function lookAlikeOf(char: string): string | undefined {
  const known = LOOK_ALIKES[char];
  if (known !== undefined) return known;
  if (/^[\x20-\x7E]$/.test(char)) return undefined;
  const folded = char.normalize('NFKC');
  return folded !== char && /^[\x21-\x7E]+$/.test(folded) ? folded : undefined;
}

/** Any code point outside printable ASCII other than tab and newline. */
export const NON_ASCII_CHARACTER = /[^\x20-\x7E\t\n]/gu;

/**
 * Text for a message a person reads (a policy reason, an error): every character outside
 * printable ASCII becomes a visible escape (`l\u{200B}s`, `\u{455}`), so a message can never
 * print an invisible, reordering or look-alike character raw. The ellipsis `…` is kept: Leash's
 * own messages use it, and it cannot pass for anything a command needs.
 */
export function escapeForMessage(text: string): string {
  return text.replace(/[^\x20-\x7E\u2026]/gu, (char) => escapeFor(char.codePointAt(0) ?? 0));
}
