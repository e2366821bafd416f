// Worker message payload types the UI may name (ui/ imports state/, never worker/ directly).
export type { Inspection, RunInfo, StepPoint, WeightSnapshot } from '../worker/protocol';
