/**
 * Browser mode's per-run token. `leash serve` prints a URL with `?token=…`; the page takes it
 * from there once, keeps it for this tab only (sessionStorage: not other tabs, not after the tab
 * closes, never sent anywhere by the browser on its own as a cookie would be) and removes it from
 * the address bar and history. It is presented on the WebSocket (see socketApi.ts), nowhere else.
 */
const STORAGE_KEY = 'leash.sessionToken';

export interface TokenPlace {
  location: Pick<Location, 'href'>;
  history: Pick<History, 'replaceState' | 'state'>;
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
}

/**
 * The token of this tab: from the URL when it carries one (a newer URL wins over what the tab
 * kept), else what the tab kept; null when there is none. Never throws (storage may be blocked:
 * then the token lives as long as the page).
 */
export function takeSessionToken(place: TokenPlace = window): string | null {
  const url = new URL(place.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    try {
      place.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    } catch {
      // Storage blocked: a reload will need the URL again.
    }
    url.searchParams.delete('token');
    place.history.replaceState(place.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return place.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
