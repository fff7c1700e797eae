import type { PipelineSpec } from './pipeline.ts';
import { descriptorOf, kindOf } from './stages/catalogue.ts';
import type { AnyStageDescriptor } from './stages/descriptor.ts';

/** What a Pipeline knows of its spec before any kernel exists: the same for every key, so worked out once per spec. */
export interface PipelineShape {
  readonly descriptors: readonly AnyStageDescriptor[];
  readonly rateChanger: string | undefined;
  readonly eventKinds: readonly string[] | undefined;
  readonly inPlace: readonly boolean[];
  readonly declaredRates: readonly { readonly stage: string; readonly rate: number; readonly factor: number }[];
  /** Per stage: its kind id and state version, as snapshots hold them. */
  readonly kinds: readonly number[];
  readonly stateVersions: readonly number[];
  /** The spec's config hash as a snapshot holds it: two little-endian u32 (read without a BigInt). */
  readonly hashLow: number;
  readonly hashHigh: number;
}

const shapes = new WeakMap<PipelineSpec, PipelineShape>();

export function shapeOf(spec: PipelineSpec): PipelineShape {
  const known = shapes.get(spec);
  if (known !== undefined) return known;
  const descriptors = spec.stages.map((stage) => descriptorOf(stage.name));
  const lastRate = descriptors[descriptors.length - 1]?.rate;
  const declaredRates: { stage: string; rate: number; factor: number }[] = [];
  let factor = 1;
  descriptors.forEach((d, i) => {
    const params = spec.stages[i]!.params;
    const rate = d.inputRate?.(params);
    if (rate !== undefined) declaredRates.push({ stage: d.name, rate, factor });
    if (d.rate.kind === 'ratio') {
      const { up, down } = d.rate.ratio(params);
      factor = (factor * up) / down;
    }
  });
  const shape: PipelineShape = {
    descriptors,
    rateChanger: descriptors.find((d) => d.rate.kind === 'ratio')?.name,
    eventKinds: lastRate?.kind === 'events' ? lastRate.kinds : undefined,
    inPlace: descriptors.map((d) => d.inPlace !== false),
    declaredRates,
    kinds: descriptors.map((d) => kindOf(d.name)),
    stateVersions: descriptors.map((d) => d.stateVersion),
    hashLow: Number(spec.configHash & 0xffffffffn),
    hashHigh: Number(spec.configHash >> 32n),
  };
  shapes.set(spec, shape);
  return shape;
}
