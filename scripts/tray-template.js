#!/usr/bin/env node
// Makes the macOS tray template images (resources/trayTemplate.png, @2x) from the colour tray
// icons: macOS draws a template image from its alpha channel alone, in the menu bar's colour, so
// the glyph (white in the colour icon) becomes a transparent cut-out of the opaque shape.
// Usage: node scripts/tray-template.js   (8-bit RGBA, non-interlaced PNGs only)
import { readFileSync, writeFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { deflateSync, inflateSync, crc32 } from 'node:zlib';

function decode(file) {
  const bytes = readFileSync(file);
  const chunks = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    chunks.push({ type: bytes.toString('latin1', at + 4, at + 8), data: bytes.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  const header = chunks.find((chunk) => chunk.type === 'IHDR').data;
  const [width, height, depth, colour, , , interlace] = [header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9], header[10], header[11], header[12]];
  if (depth !== 8 || colour !== 6 || interlace !== 0) throw new Error(`${file}: only 8-bit RGBA non-interlaced PNGs`);
  const raw = inflateSync(Buffer.concat(chunks.filter((chunk) => chunk.type === 'IDAT').map((chunk) => chunk.data)));
  const stride = width * 4;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x];
      const left = x >= 4 ? pixels[y * stride + x - 4] : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const corner = x >= 4 && y > 0 ? pixels[(y - 1) * stride + x - 4] : 0;
      const paeth = () => {
        const p = left + up - corner;
        const [a, b, c] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - corner)];
        return a <= b && a <= c ? left : b <= c ? up : corner;
      };
      const predicted = [0, left, up, (left + up) >> 1, paeth()][filter];
      pixels[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  return { width, height, pixels };
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

function encode({ width, height, pixels }) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = [];
  for (let y = 0; y < height; y++) rows.push(Buffer.from([0]), pixels.subarray(y * width * 4, (y + 1) * width * 4));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

for (const [from, to] of [['resources/tray.png', 'resources/trayTemplate.png'], ['resources/tray@2x.png', 'resources/trayTemplate@2x.png']]) {
  const image = decode(from);
  for (let at = 0; at < image.pixels.length; at += 4) {
    const [r, g, b, a] = image.pixels.subarray(at, at + 4);
    const whiteness = Math.min(r, g, b) / 255;
    image.pixels.set([0, 0, 0, Math.round(a * (1 - whiteness))], at);
  }
  writeFileSync(to, encode(image));
  console.log(`${to}: ${image.width}x${image.height}`);
}
