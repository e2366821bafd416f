// Corpus statistics for the corpus panel, computed in slices between frames so a 50 MB text never blocks the
// page: size in characters (code points), vocabulary, the rarest characters, and the first problem.
import { charCounts, countProblems } from '../core/corpus';

export interface CorpusStats {
  chars: number;
  vocab: number;
  rare: { ch: string; count: number }[];
  problem: string | null;
}

/** UTF-16 units per slice: a few milliseconds of counting. */
const SLICE = 1 << 16;

export async function corpusStatsAsync(
  text: string,
  cancelled: () => boolean = () => false,
): Promise<CorpusStats | null> {
  const counts = new Map<string, number>();
  const pause = () => new Promise((r) => setTimeout(r, 0));
  // Not in the task that delivered the text (it already decoded and rendered it).
  if (text.length > SLICE) await pause();
  for (let a = 0; a < text.length;) {
    let b = Math.min(text.length, a + SLICE);
    // Never split a surrogate pair between slices.
    const last = text.charCodeAt(b - 1);
    if (b < text.length && last >= 0xd800 && last <= 0xdbff) b++;
    charCounts(text.slice(a, b), counts);
    a = b;
    if (a < text.length) {
      await pause();
      if (cancelled()) return null;
    }
  }
  let chars = 0;
  for (const k of counts.values()) chars += k;
  const rare = [...counts.entries()]
    .sort((x, y) => x[1] - y[1])
    .slice(0, 6)
    .filter(([, n]) => n <= Math.max(2, chars / 10_000))
    .map(([ch, count]) => ({ ch, count }));
  return { chars, vocab: counts.size, rare, problem: countProblems(counts)[0] ?? null };
}
