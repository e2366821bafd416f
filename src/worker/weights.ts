// The weights views' data (the LM's Weights tab, a task run's Weights card): one recurrent layer's matrices and
// every parameter tensor's norm, from one readback of the parameters.
import type { LayerTensors, ParamLayout } from '../core/params';
import type { WeightSnapshot } from './protocol';
import type { Run } from './recovery';

/** The recurrent layers a weights view may pick: an encoder's first, then the stack the head reads. */
function recurrentLayers(layout: ParamLayout): { label: string; tensors: LayerTensors }[] {
  const stack = (name: string, layers: LayerTensors[]) =>
    layers.map((tensors, l) => ({ label: `${name} ${l + 1}`, tensors }));
  return [
    ...stack('encoder layer', layout.encoder?.layers ?? []),
    ...stack(layout.encoder ? 'decoder layer' : 'layer', layout.layers),
    ...stack('reverse layer', layout.reverse ?? []),
  ];
}

/** Reads the parameters (one readback) and cuts out a layer's matrices and every tensor's norm. */
export async function weightSnapshot(r: Run, layer: number): Promise<WeightSnapshot> {
  const params = await r.lm.trainer.readParams();
  const layout = r.lm.trainer.layout;
  const all = recurrentLayers(layout);
  const index = Math.max(0, Math.min(layer, all.length - 1));
  const lt = all[index]!.tensors;
  const norms: Record<string, number> = {};
  for (const t of layout.tensors) {
    let s = 0;
    for (let i = 0; i < t.size; i++) s += params[t.offset + i]! ** 2;
    norms[t.name] = Math.sqrt(s);
  }
  return {
    layer: index,
    layers: all.map((x) => x.label),
    wih: params.slice(lt.weightIh.offset, lt.weightIh.offset + lt.weightIh.size),
    whh: params.slice(lt.weightHh.offset, lt.weightHh.offset + lt.weightHh.size),
    inputs: lt.weightIh.shape[1]!,
    norms,
  };
}
