// Corpus statistics for the corpus panel: size in characters (code points), vocabulary, the rarest
// characters (often stray symbols worth removing), and the first problem that stops training.
import { checkCorpusText } from '../core/corpus';

export interface CorpusStats {
  chars: number;
  vocab: number;
  rare: { ch: string; count: number }[];
  problem: string | null;
}

export function corpusStats(text: string): CorpusStats {
  const counts = new Map<string, number>();
  let chars = 0;
  for (const ch of text) {
    chars++;
    counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  const rare = [...counts.entries()]
    .sort((a, b) => a[1] - b[1])
    .slice(0, 6)
    .filter(([, n]) => n <= Math.max(2, chars / 10_000))
    .map(([ch, count]) => ({ ch, count }));
  return { chars, vocab: counts.size, rare, problem: checkCorpusText(text)[0] ?? null };
}
