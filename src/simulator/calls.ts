/**
 * Call counters and a log of (action, params) for every request that passed authentication and
 * named a known action, whatever happened next (faults, throttling, validation or business errors
 * are recorded in `outcome`).
 */
export interface CallRecord {
  seq: number;
  /** Server wall-clock time (ms) when the call was received. */
  at: number;
  action: string;
  /** The parsed JSON body (undefined when it was not valid JSON). */
  params: Record<string, unknown> | undefined;
  requestId: string;
  secretId: string;
  region?: string;
  /** `ok`, an error code, or `fault:<kind>[:after]`. Updated when the call completes. */
  outcome: string;
}

export interface CallFilter {
  action?: string;
  outcome?: string;
}

export class CallRecorder {
  private countsByAction = new Map<string, number>();
  private records: CallRecord[] = [];
  private seq = 0;

  constructor(private readonly maxLog = 10_000) {}

  record(entry: Omit<CallRecord, 'seq' | 'outcome'>): CallRecord {
    this.countsByAction.set(entry.action, (this.countsByAction.get(entry.action) ?? 0) + 1);
    const rec: CallRecord = { ...entry, seq: ++this.seq, outcome: 'pending' };
    this.records.push(rec);
    if (this.records.length > this.maxLog) this.records.splice(0, this.records.length - this.maxLog);
    return rec;
  }

  /** `{ "DescribeCertificates": 3, ... }` */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.countsByAction.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  count(action: string): number {
    return this.countsByAction.get(action) ?? 0;
  }

  total(): number {
    let n = 0;
    for (const v of this.countsByAction.values()) n += v;
    return n;
  }

  log(filter: CallFilter = {}): CallRecord[] {
    return this.records
      .filter((r) => (filter.action ? r.action === filter.action : true))
      .filter((r) => (filter.outcome ? r.outcome === filter.outcome : true))
      .map((r) => ({ ...r }));
  }

  /** Params of every call of `action`, in order (handy to assert batching). */
  params(action: string): Record<string, unknown>[] {
    return this.records.filter((r) => r.action === action).map((r) => r.params ?? {});
  }

  reset(): void {
    this.countsByAction.clear();
    this.records = [];
  }
}
