import { ValueType, type Attributes } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import type { MetricReader, ResourceMetrics, ScopeMetrics } from '@opentelemetry/sdk-metrics';

/*
 * At the `exit` event nothing asynchronous runs any more, and the SDK's only way to read the meter
 * provider, MetricReader.collect(), is async (it awaits the observable callbacks). Its parts are not:
 * each metric storage's collect() is synchronous, and so are nearly all observable callbacks. This walks
 * the same structures the SDK's MetricCollector walks (@opentelemetry/sdk-metrics 2.x/3.x internals,
 * checked before use), for one reader, so the delta it reads continues that reader's stream: nothing is
 * counted twice, and what an async collect already took is not read again.
 */

interface AttrMap { set(key: Attributes, value: number): void }
interface Storage {
  collect(collector: unknown, time: [number, number]): ScopeMetrics['metrics'][number] | undefined;
  record?(measurements: AttrMap, time: [number, number]): void;
  _deltaMetricStorage?: { _cumulativeMemoStorage?: { constructor: new () => AttrMap } };
}
interface Observable { _descriptor: { name: string; valueType: ValueType }; _metricStorages: Storage[] }
interface MeterState {
  _instrumentationScope: ScopeMetrics['scope'];
  metricStorageRegistry: { getStorages(collector: unknown): Storage[] };
  observableRegistry: {
    _callbacks: Array<{ callback: (r: unknown) => unknown; instrument: Observable }>;
    _batchCallbacks: Array<{ callback: (r: unknown) => unknown; instruments: Set<Observable> }>;
  };
}
interface Collector { _sharedState: { resource: ResourceMetrics['resource']; meterSharedStates: Map<string, MeterState> } }

function collectorOf(reader: MetricReader): Collector | undefined {
  const c = (reader as unknown as { _sdkMetricProducer?: Collector })._sdkMetricProducer;
  const states = c?._sharedState?.meterSharedStates;
  if (!(states instanceof Map)) return undefined;
  for (const s of states.values()) {
    if (typeof s.metricStorageRegistry?.getStorages !== 'function' || !Array.isArray(s.observableRegistry?._callbacks)) return undefined;
  }
  return c;
}

/** What an observable callback reports, as the SDK would keep it (number values only, INT truncated). */
function accept(inst: Observable, value: unknown): number | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) return undefined;
  return inst._descriptor.valueType === ValueType.INT ? Math.trunc(value) : value;
}

/** A fresh map of the kind the SDK's async storages take (their own class: its hashing must match). */
function newMap(inst: Observable): AttrMap | undefined {
  const Ctor = inst._metricStorages[0]?._deltaMetricStorage?._cumulativeMemoStorage?.constructor;
  return Ctor ? new Ctor() : undefined;
}

function record(inst: Observable, map: AttrMap, time: [number, number]): void {
  for (const s of inst._metricStorages) s.record?.(map, time);
}

/** Calls the observable callbacks synchronously; a callback that returns a promise gives what it observed before. */
function observeSync(state: MeterState, time: [number, number]): void {
  for (const { callback, instrument } of state.observableRegistry._callbacks) {
    const map = newMap(instrument);
    if (!map) continue;
    try {
      const r = callback({ observe: (v: unknown, attrs: Attributes = {}) => { const n = accept(instrument, v); if (n !== undefined) map.set(attrs, n); } });
      if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(undefined, () => {});
    } catch { /* a failing callback observes nothing, as in the SDK */ }
    record(instrument, map, time);
  }
  for (const { callback, instruments } of state.observableRegistry._batchCallbacks) {
    const maps = new Map<Observable, AttrMap>();
    try {
      const r = callback({
        observe: (inst: Observable, v: unknown, attrs: Attributes = {}) => {
          if (!instruments.has(inst)) return;
          const n = accept(inst, v);
          if (n === undefined) return;
          let map = maps.get(inst);
          if (!map) { map = newMap(inst); if (!map) return; maps.set(inst, map); }
          map.set(attrs, n);
        },
      });
      if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(undefined, () => {});
    } catch { /* as above */ }
    for (const [inst, map] of maps) record(inst, map, time);
  }
}

/**
 * The data points `reader` would export now, read synchronously; undefined when the SDK's internals are
 * not the ones this was written against (then nothing is read, and the caller says so).
 */
export function collectMetricsSync(reader: MetricReader): ResourceMetrics | undefined {
  const collector = collectorOf(reader);
  if (!collector) return undefined;
  const time = millisToHrTime(Date.now());
  const scopeMetrics: ScopeMetrics[] = [];
  for (const state of collector._sharedState.meterSharedStates.values()) {
    observeSync(state, time);
    const metrics: ScopeMetrics['metrics'] = [];
    for (const storage of state.metricStorageRegistry.getStorages(collector)) {
      const data = storage.collect(collector, time);
      if (data) metrics.push(data);
    }
    if (metrics.length) scopeMetrics.push({ scope: state._instrumentationScope, metrics });
  }
  return { resource: collector._sharedState.resource, scopeMetrics };
}
