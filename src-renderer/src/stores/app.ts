import { plural } from '../model/format';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { AppInfo, EmergencyStopReport } from '../model/contract';
import { describeError, formatProblem } from '../model/problem';
import { onConnectionChange } from '../services/connection';
import { call, isBrowserMode, on } from '../services/ipc';
import { useAttentionStore } from './attention';
import { useAuditStore } from './audit';
import { useAutonomyStore } from './autonomy';
import { useRulesStore } from './rules';
import { useBatchStore } from './batches';
import { useConnectionStore } from './connection';
import { useOutputStore } from './output';
import { useSettingsStore } from './settings';
import { useToastStore } from './toast';

/**
 * Start-up, the event subscriptions that keep every store current, browser mode's connection
 * state, and the emergency stop.
 */
export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null);
  const infoError = ref<string | null>(null);
  const problemsDismissed = ref(false);
  const started = ref(false);
  const connection = useConnectionStore();
  /** Null until the first answer or connection event; see the connection store for why it is false. */
  const connected = computed<boolean | null>(() => (connection.state === 'connecting' ? null : connection.reachable));
  const emergencyReport = ref<EmergencyStopReport | null>(null);
  const emergencyBusy = ref(false);
  let unsubscribe: (() => void)[] = [];

  async function loadInfo(): Promise<void> {
    try {
      info.value = await call('app:info', {});
      infoError.value = null;
      connection.answered();
    } catch (error) {
      infoError.value = formatProblem(describeError(error));
    }
  }

  /** Everything the screens need; run at start and again after browser mode reconnects. */
  async function refresh(): Promise<void> {
    const audit = useAuditStore();
    await Promise.all([loadInfo(), useBatchStore().load(), useAutonomyStore().load(), useSettingsStore().load(), audit.loaded ? audit.load() : undefined]);
    await catchUpRunningOutput();
  }

  /** A page that (re)connects mid-run gets the end of the running entry's output it missed. */
  async function catchUpRunningOutput(): Promise<void> {
    const output = useOutputStore();
    const running = await useBatchStore().running().catch(() => []);
    for (const batch of running) {
      for (const entry of batch.entries.filter((e) => e.status === 'running' && !output.has(e.id))) {
        try {
          const recent = await call('batch:output', { id: batch.id, entryId: entry.id });
          if (output.has(entry.id)) continue; // live output arrived meanwhile: keep it, do not double it
          if (recent.truncated) output.receive({ batchId: batch.id, entryId: entry.id, stream: 'stderr', text: '[… earlier output not shown: it was printed before this page connected]\n' });
          for (const chunk of recent.chunks) output.receive({ batchId: batch.id, entryId: entry.id, stream: chunk.stream, text: chunk.text });
        } catch {
          // Best effort: the entry's stored output appears when it finishes.
        }
      }
    }
  }

  function subscribe(): void {
    const batches = useBatchStore();
    const output = useOutputStore();
    const autonomy = useAutonomyStore();
    const audit = useAuditStore();
    unsubscribe = [
      on('batch:summary', (summary) => {
        const isNew = batches.receiveSummary(summary);
        if (isNew) useAttentionStore().batchArrived(summary);
        // Batches from agents arrive unasked: say so, whatever screen is open.
        if (isNew && summary.source !== 'paste') {
          useToastStore().push('info', `New batch from ${summary.source}`, `${plural(summary.entryCount, 'command')}, ${summary.status}.`);
        }
      }),
      on('batch:delta', (delta) => batches.receiveDelta(delta)),
      on('entry:output', (event) => output.receive(event)),
      on('autonomy:changed', (status) => autonomy.set(status)),
      on('audit:appended', (record) => {
        audit.append(record);
        if (record.event === 'AUDIT_RECOVERED' || record.event === 'AUDIT_SEALING_STARTED') void audit.loadStatus();
      }),
      on('app:emergencyStopped', (report) => showEmergencyReport(report)),
      on('rules:changed', (list) => useRulesStore().set(list)),
      onConnectionChange((state) => {
        const wasDown = connected.value === false || infoError.value !== null;
        connection.set(state);
        // Events sent while the socket was down are lost (and a failed start left gaps): fetch again.
        if (state === 'connected' && wasDown) void refresh();
      }),
    ];
  }

  async function start(): Promise<void> {
    if (started.value) return;
    started.value = true;
    subscribe();
    await refresh();
    // The full check of the trail runs in main in the background; the header shows a failure.
    const audit = useAuditStore();
    void audit.loadStatus();
    void audit.verify();
  }

  function stopListening(): void {
    for (const off of unsubscribe) off();
    unsubscribe = [];
    started.value = false;
  }

  function dismissProblems(): void {
    problemsDismissed.value = true;
  }

  /**
   * Shows what an emergency stop stopped: one pressed here, or elsewhere (tray, global shortcut,
   * another page). A second stop before the first report is dismissed must not hide what the
   * first one killed, and the same report arriving twice (answer and event) shows once.
   */
  function showEmergencyReport(report: EmergencyStopReport): void {
    const shown = emergencyReport.value;
    emergencyReport.value = shown
      ? {
          killed: report.killed ?? shown.killed,
          cancelledBatches: [...new Set([...shown.cancelledBatches, ...report.cancelledBatches])],
          autonomyWasOn: shown.autonomyWasOn || report.autonomyWasOn,
        }
      : report;
  }

  /**
   * Kills what runs, cancels what waits, turns autonomy off: one press, no confirmation. When
   * Leash cannot be reached it says so at once instead of pretending to try.
   */
  async function emergencyStop(): Promise<void> {
    if (connection.refuseUnreachableStop('Emergency stop')) return;
    emergencyBusy.value = true;
    try {
      showEmergencyReport(await call('app:emergencyStop', {}));
      await useAutonomyStore().load();
    } catch (error) {
      // Lost on the way (the socket dropped before the answer): say what to do instead.
      if (!connection.refuseUnreachableStop('Emergency stop')) useToastStore().failure('Emergency stop failed', error);
    } finally {
      emergencyBusy.value = false;
    }
  }

  function dismissEmergencyReport(): void {
    emergencyReport.value = null;
  }

  return {
    info, infoError, problemsDismissed, started, connected, emergencyReport, emergencyBusy, isBrowserMode,
    start, refresh, stopListening, dismissProblems, emergencyStop, dismissEmergencyReport,
  };
});
