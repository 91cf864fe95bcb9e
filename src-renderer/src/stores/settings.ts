import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { IpcError, PatternCheck, Settings, SettingsPatch } from '../model/contract';
import { describeError, formatProblem } from '../model/problem';
import { call } from '../services/ipc';
import { useToastStore } from './toast';

/** The settings as main has them, and saving a patch of the fields a person may change. */
export const useSettingsStore = defineStore('settings', () => {
  const toast = useToastStore();
  const settings = ref<Settings | null>(null);
  const loadError = ref<string | null>(null);
  const saving = ref(false);
  const saveError = ref<IpcError | null>(null);
  const savedAt = ref<number | null>(null);

  async function load(): Promise<void> {
    try {
      settings.value = await call('settings:get', {});
      loadError.value = null;
    } catch (error) {
      loadError.value = formatProblem(describeError(error));
    }
  }

  async function save(patch: SettingsPatch): Promise<boolean> {
    saving.value = true;
    saveError.value = null;
    try {
      settings.value = await call('settings:update', { patch });
      savedAt.value = Date.now();
      toast.success('Settings saved');
      return true;
    } catch (error) {
      saveError.value = describeError(error);
      toast.failure('Settings were not saved', error);
      return false;
    } finally {
      saving.value = false;
    }
  }

  /** Checks allow patterns without saving them. */
  function checkPatterns(patterns: string[]): Promise<PatternCheck> {
    return call('settings:checkPatterns', { patterns });
  }

  return { settings, loadError, saving, saveError, savedAt, load, save, checkPatterns };
});
