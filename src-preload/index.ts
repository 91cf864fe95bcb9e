import { contextBridge } from 'electron';

// Named functions only; the typed IPC contract fills this in.
const api = {
  platform: process.platform,
};

export type LeashApi = typeof api;

contextBridge.exposeInMainWorld('leash', api);
