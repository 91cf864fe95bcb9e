/**
 * Browser mode's wire protocol over its WebSocket, shared by `leash serve` (src-main/server) and
 * the page (src-renderer/src/services/socketApi.ts). Pure values: the renderer bundles this file.
 *
 * 1. The page opens `ws://<host>/ws` (Host and Origin are checked at the upgrade).
 * 2. Its first message is `{"auth": "<per-run token>"}`; serve answers `{"auth": "ok"}`, or closes
 *    with `CLOSE_TOKEN_REJECTED` (the token belongs to another run of serve) or, when no token
 *    came in time, `CLOSE_AUTH_TIMEOUT`.
 * 3. Then each request `{id, channel, payload}` gets one answer `{id, result}`; events arrive as
 *    `{event, payload}`.
 */
export const SOCKET_PATH = '/ws';
/** The largest message either side sends; serve closes a socket that sends more (code 1009). */
export const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
export const CLOSE_TOKEN_REJECTED = 4401;
export const CLOSE_AUTH_TIMEOUT = 4408;
/** WebSocket's own code for a message over the limit. */
export const CLOSE_TOO_LARGE = 1009;

export interface AuthRequest {
  auth: string;
}
export const AUTH_ACCEPTED = { auth: 'ok' } as const;
