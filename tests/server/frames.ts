import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import type { Target } from './client.js';

/**
 * Hand-made WebSocket frames over a raw TCP connection, for what a well-behaved client library
 * never sends: reserved opcodes and bits, unmasked frames, lying lengths, invalid UTF-8.
 */
export interface FrameOptions {
  opcode: number;
  payload?: Buffer;
  fin?: boolean;
  rsv?: number;
  mask?: boolean;
  /** The length written in the header, when it should lie about the payload. */
  declaredLength?: bigint;
}

export function frame({ opcode, payload = Buffer.alloc(0), fin = true, rsv = 0, mask = true, declaredLength }: FrameOptions): Buffer {
  const length = declaredLength ?? BigInt(payload.length);
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = mask ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65536n) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(Number(length));
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(length);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), extended, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (key[i % 4] as number)));
  return Buffer.concat([Buffer.from(head), extended, key, masked]);
}

export const text = (value: string): Buffer => frame({ opcode: 1, payload: Buffer.from(value) });

export interface RawSocket {
  socket: Socket;
  /** The server's frames so far, decoded (opcode, payload; close frames with their code). */
  frames: { opcode: number; payload: Buffer; code?: number }[];
  closed: Promise<void>;
}

/** Completes the WebSocket handshake by hand (from our own origin) and parses what the server sends back. */
export function rawWebSocket(target: Target): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port: target.port });
    const frames: RawSocket['frames'] = [];
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      socket.write(
        [`GET /ws HTTP/1.1`, `Host: 127.0.0.1:${target.port}`, `Origin: http://127.0.0.1:${target.port}`, 'Upgrade: websocket', 'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', '', ''].join('\r\n'),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffer.subarray(0, end).toString('latin1');
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve({ socket, frames, closed });
      }
      while (buffer.length >= 2) {
        const opcode = (buffer[0] as number) & 0x0f;
        let length = (buffer[1] as number) & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + length) return;
        const payload = buffer.subarray(offset, offset + length);
        frames.push({ opcode, payload, code: opcode === 8 && payload.length >= 2 ? payload.readUInt16BE(0) : undefined });
        buffer = buffer.subarray(offset + length);
      }
    });
  });
}
