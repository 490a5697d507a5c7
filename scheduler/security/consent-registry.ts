// The consent registry: per patient pseudonym, the written consent (who recorded it, when,
// which document), a restriction to the patient's own treatment, a withdrawal, and the full
// history of changes. The core holds only the current status (it arrives as a journaled
// event); this is the record an officer or auditor reads.
import type { Database } from 'lmdb';
import type { ConsentStatus } from '../core/index.js';
import type { AuditActor } from './audit.js';

export type ConsentAction = 'grant' | 'restrict' | 'withdraw';

export const STATUS_OF_ACTION: Record<ConsentAction, ConsentStatus> = { grant: 'granted', restrict: 'restricted', withdraw: 'withdrawn' };

export interface ConsentChange {
  action: ConsentAction;
  status: ConsentStatus;
  at: number;
  by: AuditActor;
  /** Reference to the signed consent document (journal number, scan id). */
  documentRef: string | null;
  note: string | null;
}

export interface ConsentRecord {
  pseudonym: string;
  status: ConsentStatus;
  /** The written consent on record, if any: the latest grant or restriction with a document. */
  written: { documentRef: string; recordedBy: AuditActor; recordedAt: number } | null;
  restricted: boolean;
  withdrawn: boolean;
  updatedAt: number;
  history: ConsentChange[];
}

export class ConsentRegistry {
  constructor(private readonly db: Database<ConsentRecord, string>) {}

  get(pseudonym: string): ConsentRecord | undefined {
    return this.db.get(pseudonym);
  }

  /** True if a grant or restriction with a document is on record (written consent). */
  hasWrittenConsent(pseudonym: string): boolean {
    return this.db.get(pseudonym)?.written != null;
  }

  async record(pseudonym: string, change: ConsentChange): Promise<ConsentRecord> {
    const old = this.db.get(pseudonym);
    const written =
      change.documentRef !== null && change.action !== 'withdraw'
        ? { documentRef: change.documentRef, recordedBy: change.by, recordedAt: change.at }
        : (old?.written ?? null);
    const rec: ConsentRecord = {
      pseudonym,
      status: change.status,
      written,
      restricted: change.status === 'restricted',
      withdrawn: change.status === 'withdrawn',
      updatedAt: change.at,
      history: [...(old?.history ?? []), change],
    };
    // Resolves once the record is on disk, not only committed (lmdb syncs after the commit):
    // the answer that acknowledges a consent change must not outlive a power cut.
    await this.db.put(pseudonym, rec);
    await this.db.flushed;
    return rec;
  }

  /** Every record's current status (to reconcile the core after a restart). */
  *statuses(): Iterable<{ pseudonym: string; status: ConsentStatus }> {
    for (const { key, value } of this.db.getRange()) yield { pseudonym: key, status: value.status };
  }
}
