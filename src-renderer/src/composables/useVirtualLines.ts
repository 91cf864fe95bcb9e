import { computed, onBeforeUnmount, onMounted, ref, watch, type ComputedRef, type Ref } from 'vue';

export interface VirtualLinesOptions {
  viewport: Readonly<Ref<HTMLElement | null>>;
  lineCount: Readonly<Ref<number>>;
  /** Changes whenever lines were added. */
  revision: Readonly<Ref<number>>;
  lineHeight: number;
  /** Used until the viewport can be measured (and where layout reports 0). */
  fallbackHeight: number;
  overscan?: number;
}

/**
 * The window of fixed-height lines to render for a scrolling viewport, and "follow the end"
 * behaviour: new lines keep the view at the bottom until the person scrolls up; scrolling back
 * to the bottom (or `jumpToLatest`) resumes following.
 */
export function useVirtualLines(options: VirtualLinesOptions): {
  first: ComputedRef<number>;
  last: ComputedRef<number>;
  contentHeight: ComputedRef<number>;
  following: Ref<boolean>;
  onScroll(): void;
  jumpToLatest(): void;
} {
  const { viewport, lineCount, revision, lineHeight } = options;
  const overscan = options.overscan ?? 10;
  const scrollTop = ref(0);
  const viewportHeight = ref(options.fallbackHeight);
  const following = ref(true);
  /** Where we last scrolled to ourselves: a scroll event at or below it is not the person's doing. */
  let ownScrollTop = -1;
  let observer: ResizeObserver | undefined;

  const contentHeight = computed(() => lineCount.value * lineHeight);
  const first = computed(() => Math.max(0, Math.floor(scrollTop.value / lineHeight) - overscan));
  const last = computed(() => Math.min(lineCount.value, Math.ceil((scrollTop.value + viewportHeight.value) / lineHeight) + overscan));

  function scrollToEnd(): void {
    const top = Math.max(0, contentHeight.value - viewportHeight.value);
    ownScrollTop = top;
    scrollTop.value = top;
    if (viewport.value) viewport.value.scrollTop = top;
  }

  function onScroll(): void {
    const element = viewport.value;
    if (!element) return;
    const top = element.scrollTop;
    scrollTop.value = top;
    if (following.value && top >= ownScrollTop - 1) return;
    following.value = top + viewportHeight.value >= contentHeight.value - 2 * lineHeight;
    if (following.value) ownScrollTop = top;
  }

  function jumpToLatest(): void {
    following.value = true;
    scrollToEnd();
  }

  // After the DOM update, once per change: the scroll write then shares the layout the update needs anyway.
  watch(
    revision,
    () => {
      if (following.value) scrollToEnd();
    },
    { flush: 'post' },
  );

  onMounted(() => {
    const element = viewport.value;
    if (!element) return;
    const measure = (): void => {
      viewportHeight.value = element.clientHeight || options.fallbackHeight;
    };
    measure();
    if (typeof ResizeObserver === 'function') {
      observer = new ResizeObserver(measure);
      observer.observe(element);
    }
    scrollToEnd();
  });

  onBeforeUnmount(() => observer?.disconnect());

  return { first, last, contentHeight, following, onScroll, jumpToLatest };
}
