// Registry entry for shaders/attention.wgsl: two decoder steps of additive attention, forward (weights, W_q q,
// context) then backward in reverse order (the last step writes dk, the earlier one accumulates onto it), against
// reference/attention.ts. S = 4 encoder steps, H = A = 70 spans several invocation strides.
import { Rng } from '../../core/rng';
import { attentionBackward, attentionForward } from '../../reference/attention';
import { AttentionKernel, attentionOffsets } from './attention';
import { CaseBuffers, perDevice } from './caseUtil';
import { stepUniform } from './pipelines';
import type { CaseOutput, KernelCase, KernelEntry } from './registry';

const kernelFor = perDevice(
  (d) => new AttentionKernel(d, Math.max(16, d.limits.minUniformBufferOffsetAlignment)),
);

function attentionCase(B: number, S: number, H: number, seed: number): KernelCase {
  return {
    label: `B ${B}, S ${S}, H = A ${H}`,
    async run(device) {
      const rng = new Rng(seed);
      const A = H;
      const T = S + 3;
      const steps = [T - 2, T - 1];
      const o = attentionOffsets(T, B, H, A);
      const states = rng.uniformArray(2 * (T + 1) * B * H);
      const keys = rng.uniformArray(S * B * A);
      const wq = rng.uniformArray(A * H, -0.3, 0.3);
      const v = rng.uniformArray(A);
      const dattnInit = rng.uniformArray(o.dattnFloats);
      const dabove = rng.uniformArray(T * B * H, -0.1, 0.1);
      const bufs = new CaseBuffers(device);
      const attn = bufs.zeros('attn', o.attnFloats);
      const dattn = bufs.from('dattn', dattnInit);
      const daboveBuf = bufs.from('dabove', dabove);
      const stepBuf = stepUniform(device, 'case.steps', T).buffer;
      bufs.own(stepBuf);
      const k = kernelFor(device);
      const call = k.prepare(
        { B, H, S, A, T, offWq: 0, offV: A * H },
        {
          params: bufs.from('params', [...wq, ...v]),
          states: bufs.from('states', states),
          keys: bufs.from('keys', keys),
          attn,
          dattn,
          dabove: daboveBuf,
        },
        stepBuf,
        'case.attention',
      );
      bufs.own(call.uniform);
      bufs.run((pass) => {
        for (const t of steps) k.encodeForward(pass, call, t);
        for (const t of [...steps].reverse()) k.encodeBackward(pass, call, t);
      });
      const enc = states.slice(B * H, (S + 1) * B * H);
      const out: CaseOutput[] = [];
      const got = await bufs.read(attn, o.attnFloats);
      const gotD = await bufs.read(dattn, o.dattnFloats);
      const dk = new Float64Array(S * B * A);
      const dab = Float64Array.from(dabove);
      for (const t of steps) {
        const q = states.slice(t * B * H, (t + 1) * B * H);
        const f = attentionForward(B, S, H, A, q, keys, enc, wq, v);
        const dctx = dattnInit.slice(t * B * H, (t + 1) * B * H);
        const g = attentionBackward(B, S, H, A, f, dctx, keys, enc, v);
        g.dkeys.forEach((x, i) => (dk[i] = dk[i]! + x));
        g.denc.forEach((x, i) => (dab[i] = dab[i]! + x));
        out.push(
          { name: `weights t ${t}`, actual: got.slice(t * B * S, (t + 1) * B * S), expected: f.a },
          {
            name: `W_q q t ${t}`,
            actual: got.slice(o.qa + t * B * A, o.qa + (t + 1) * B * A),
            expected: f.qa,
          },
          {
            name: `context t ${t}`,
            actual: got.slice(o.ctx + t * B * H, o.ctx + (t + 1) * B * H),
            expected: f.ctx,
          },
          {
            name: `dq t ${t}`,
            actual: gotD.slice(o.dq + t * B * A, o.dq + (t + 1) * B * A),
            expected: g.dqa,
          },
          { name: `dv t ${t}`, actual: gotD.slice(o.dv + t * B * A, o.dv + (t + 1) * B * A), expected: g.dv },
        );
      }
      out.push(
        { name: 'dk (written, then accumulated)', actual: gotD.slice(o.dk, o.dk + S * B * A), expected: dk },
        { name: 'dabove (+= a_i dctx)', actual: await bufs.read(daboveBuf, T * B * H), expected: dab },
      );
      bufs.destroy();
      return out;
    },
  };
}

export const attentionEntry: KernelEntry = {
  name: 'attention',
  shader: 'attention.wgsl',
  entryPoints: ['attention_forward', 'attention_backward'],
  reference: 'reference/attention.ts: attentionForward, attentionBackward',
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  cases: () => [attentionCase(1, 1, 1, 1), attentionCase(3, 4, 70, 2)],
};
