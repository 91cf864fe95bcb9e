import { describe, expect, it } from 'vitest';
import { takeSessionToken, type TokenPlace } from '../../src-renderer/src/services/sessionToken';

function place(href: string, stored: Record<string, string> = {}, options: { storageThrows?: boolean } = {}) {
  const replaced: string[] = [];
  const storage = { ...stored };
  const value: TokenPlace = {
    location: { href },
    history: { state: null, replaceState: (_state: unknown, _title: string, url?: string | URL | null) => void replaced.push(String(url)) },
    sessionStorage: {
      getItem: (key) => {
        if (options.storageThrows) throw new Error('blocked');
        return storage[key] ?? null;
      },
      setItem: (key, item) => {
        if (options.storageThrows) throw new Error('blocked');
        storage[key] = item;
      },
    },
  };
  return { value, replaced, storage };
}

describe('the page\'s session token', () => {
  it('is taken from the URL once, kept for the tab, and removed from the address bar', () => {
    const first = place('http://127.0.0.1:7777/?token=abc&view=audit#x');
    expect(takeSessionToken(first.value)).toBe('abc');
    expect(first.replaced).toEqual(['/?view=audit#x']);
    expect(Object.values(first.storage)).toEqual(['abc']);
    const reload = place('http://127.0.0.1:7777/?view=audit#x', first.storage);
    expect(takeSessionToken(reload.value)).toBe('abc');
    expect(reload.replaced).toEqual([]);
  });

  it('prefers a newer URL over what the tab kept (serve restarted, its new URL opened)', () => {
    const tab = place('http://127.0.0.1:7777/?token=new', { 'leash.sessionToken': 'old' });
    expect(takeSessionToken(tab.value)).toBe('new');
    expect(tab.storage['leash.sessionToken']).toBe('new');
  });

  it('is null for a page opened without one', () => {
    expect(takeSessionToken(place('http://127.0.0.1:7777/').value)).toBeNull();
    expect(takeSessionToken(place('http://127.0.0.1:7777/?token=').value)).toBeNull();
  });

  it('still works for the page\'s life when storage is blocked', () => {
    const blocked = place('http://127.0.0.1:7777/?token=abc', {}, { storageThrows: true });
    expect(takeSessionToken(blocked.value)).toBe('abc');
    expect(blocked.replaced).toEqual(['/']);
  });
});
