/** The SQL of co-signatures. Rows are mapped to domain types here. */
import type { Selectable } from 'kysely';
import type { Signature, SignatureKind, SignatureStatus } from './signatures-model.js';
import { SIGNATURE_STATUSES } from './signatures-model.js';
import type { StatementsDb } from './store.js';

export interface SignaturesTable {
  id: string;
  statement_id: string;
  kind: string;
  name: string;
  organisation: string | null;
  role_title: string | null;
  email: string;
  country: string | null;
  status: string;
  token_hash: string;
  created_at: string;
  verified_at: string | null;
  decided_at: string | null;
  decided_by_account_id: string | null;
}

type SignaturesDb = StatementsDb;

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);
const dateOrUndefined = (value: string | null) => (value === null ? undefined : new Date(value));

const columns = [
  'id',
  'statement_id',
  'kind',
  'name',
  'organisation',
  'role_title',
  'email',
  'country',
  'status',
  'created_at',
  'verified_at',
  'decided_at',
  'decided_by_account_id',
] as const;

function toSignature(row: Omit<Selectable<SignaturesTable>, 'token_hash'>): Signature {
  const status = (SIGNATURE_STATUSES as readonly string[]).includes(row.status)
    ? (row.status as SignatureStatus)
    : 'unverified';
  return {
    id: row.id,
    statementId: row.statement_id,
    kind: (row.kind === 'organisation' ? 'organisation' : 'person') satisfies SignatureKind,
    name: row.name,
    organisation: orUndefined(row.organisation),
    roleTitle: orUndefined(row.role_title),
    email: row.email,
    country: orUndefined(row.country),
    status,
    createdAt: new Date(row.created_at),
    verifiedAt: dateOrUndefined(row.verified_at),
    decidedAt: dateOrUndefined(row.decided_at),
    decidedByAccountId: orUndefined(row.decided_by_account_id),
  };
}

export async function insertSignature(
  db: SignaturesDb,
  signature: Signature,
  tokenHash: string,
): Promise<void> {
  await db
    .insertInto('statement_signatures')
    .values({
      id: signature.id,
      statement_id: signature.statementId,
      kind: signature.kind,
      name: signature.name,
      organisation: signature.organisation ?? null,
      role_title: signature.roleTitle ?? null,
      email: signature.email,
      country: signature.country ?? null,
      status: signature.status,
      token_hash: tokenHash,
      created_at: signature.createdAt.toISOString(),
      verified_at: signature.verifiedAt?.toISOString() ?? null,
      decided_at: signature.decidedAt?.toISOString() ?? null,
      decided_by_account_id: signature.decidedByAccountId ?? null,
    })
    .execute();
}

export async function findSignature(db: SignaturesDb, id: string): Promise<Signature | undefined> {
  const row = await db
    .selectFrom('statement_signatures')
    .select(columns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toSignature(row);
}

export async function findSignatureByTokenHash(
  db: SignaturesDb,
  tokenHash: string,
): Promise<Signature | undefined> {
  const row = await db
    .selectFrom('statement_signatures')
    .select(columns)
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row && toSignature(row);
}

export async function findSignatureByEmail(
  db: SignaturesDb,
  statementId: string,
  email: string,
): Promise<Signature | undefined> {
  const row = await db
    .selectFrom('statement_signatures')
    .select(columns)
    .where('statement_id', '=', statementId)
    .where('email', '=', email)
    .executeTakeFirst();
  return row && toSignature(row);
}

/** Marks an unverified signature verified; false when it was not unverified any more. */
export async function markVerified(db: SignaturesDb, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('statement_signatures')
    .set({ status: 'verified', verified_at: at.toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'unverified')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function setDecision(
  db: SignaturesDb,
  id: string,
  input: { status: 'approved' | 'rejected'; at: Date; byAccountId: string },
): Promise<void> {
  await db
    .updateTable('statement_signatures')
    .set({
      status: input.status,
      decided_at: input.at.toISOString(),
      decided_by_account_id: input.byAccountId,
    })
    .where('id', '=', id)
    .execute();
}

/** A statement's signatures, oldest first; `statuses` narrows them. */
export async function listSignatures(
  db: SignaturesDb,
  statementId: string,
  statuses?: readonly SignatureStatus[],
): Promise<Signature[]> {
  const rows = await db
    .selectFrom('statement_signatures')
    .select(columns)
    .where('statement_id', '=', statementId)
    .$if(statuses !== undefined, (q) => q.where('status', 'in', [...(statuses ?? [])]))
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  return rows.map(toSignature);
}
