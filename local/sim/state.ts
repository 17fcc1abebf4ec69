// The live state of the simulated organization: accounts, roles, keys and aliases per account and
// Region, and the credentials AssumeRole issued. Built from a Scenario; the services read and
// change it, and tests inspect and change it through the simulator's accessors.
import {
  DEFAULT_ROTATION_PERIOD_DAYS, normalizeKey, type AccountFields, type KeyInput, type KeyManager, type KeySpec,
  type KeyState, type KeyUsage, type Origin, type Scenario, type ScenarioAccount, type ScenarioKey,
  type ScenarioOrganizationalUnit, type ScenarioRole,
} from './scenario';
import { stableKeyChars, stableSecret, stableUuid } from './ids';

const DAY_MS = 86_400_000;

export interface RotationState {
  enabled: boolean;
  periodInDays: number;
  /** When rotation was (last) turned on: the anchor of the rotation schedule. */
  enabledAt?: Date;
  /** When the last on-demand rotation (RotateKeyOnDemand) started. */
  onDemandStartedAt?: Date;
}

export interface KeyRecord {
  accountId: string;
  region: string;
  keyId: string;
  arn: string;
  description: string;
  keyManager: KeyManager;
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  origin: Origin;
  keyState: KeyState;
  customKeyStoreId?: string;
  creationDate: Date;
  deletionDate?: Date;
  pendingWindowInDays?: number;
  multiRegion: boolean;
  /** Set on a multi-Region replica: the Region of its primary (same account). */
  primaryRegion?: string;
  rotation: RotationState;
  tags: Record<string, string>;
}

export interface AliasRecord {
  name: string;
  targetKeyId?: string;
  creationDate: Date;
  lastUpdatedDate: Date;
}

export interface AccountRecord extends AccountFields {
  roles: ScenarioRole[];
  joinedMethod: 'CREATED' | 'INVITED';
  joinedTimestamp: Date;
  keys: Map<string, KeyRecord[]>;
  aliases: Map<string, AliasRecord[]>;
}

/** Who a request comes from, as its access key id says. */
export interface Identity {
  accessKeyId: string;
  accountId: string;
  arn: string;
  userId: string;
  /** Set for temporary credentials issued by AssumeRole. */
  session?: { sessionToken: string; secretAccessKey: string; roleName: string; expiresAt: Date };
}

export function keyArn(region: string, accountId: string, keyId: string): string {
  return `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
}

export function aliasArn(region: string, accountId: string, alias: string): string {
  return `arn:aws:kms:${region}:${accountId}:${alias}`;
}

function keyRecordFrom(accountId: string, key: ScenarioKey, now: Date): KeyRecord {
  const creationDate = new Date(key.creationDate);
  const record: KeyRecord = {
    accountId, region: key.region, keyId: key.keyId, arn: keyArn(key.region, accountId, key.keyId),
    description: key.description, keyManager: key.keyManager, keySpec: key.keySpec, keyUsage: key.keyUsage,
    origin: key.origin, keyState: key.keyState, creationDate, multiRegion: key.multiRegion,
    rotation: {
      enabled: key.rotation,
      periodInDays: key.keyManager === 'AWS' ? 365 : key.rotationPeriodInDays,
      enabledAt: key.rotation ? creationDate : undefined,
    },
    tags: { ...key.tags },
  };
  if (key.customKeyStoreId) record.customKeyStoreId = key.customKeyStoreId;
  if (key.primaryRegion) record.primaryRegion = key.primaryRegion;
  if (key.keyState === 'PendingDeletion') {
    record.pendingWindowInDays = key.pendingWindowInDays ?? 30;
    record.deletionDate = new Date(now.getTime() + record.pendingWindowInDays * DAY_MS);
  }
  return record;
}

/** The next date on the rotation schedule anchored at `anchor` that is after `now`. */
export function nextRotationDate(anchor: Date, periodInDays: number, now: Date): Date {
  const period = periodInDays * DAY_MS;
  const elapsed = Math.max(0, now.getTime() - anchor.getTime());
  return new Date(anchor.getTime() + (Math.floor(elapsed / period) + 1) * period);
}

export class OrganizationState {
  readonly accounts = new Map<string, AccountRecord>();
  readonly organizationalUnits: ScenarioOrganizationalUnit[];
  private readonly identities = new Map<string, Identity>();
  private issued = 0;
  private created = 0;

  constructor(readonly scenario: Scenario, private readonly clock: () => Date) {
    const now = clock();
    this.organizationalUnits = scenario.organizationalUnits.map((o) => ({ ...o, tags: { ...o.tags } }));
    for (const account of scenario.accounts) this.accounts.set(account.id, this.accountRecord(account, now));
    const m = scenario.managementCredentials;
    this.identities.set(m.accessKeyId, {
      accessKeyId: m.accessKeyId, accountId: scenario.managementAccountId,
      arn: `arn:aws:iam::${scenario.managementAccountId}:user/${m.userName}`, userId: `AIDA${stableKeyChars(m.accessKeyId, 17)}`,
    });
    for (const k of scenario.accessKeys) {
      this.identities.set(k.accessKeyId, {
        accessKeyId: k.accessKeyId, accountId: k.accountId,
        arn: `arn:aws:iam::${k.accountId}:user/${k.userName}`, userId: `AIDA${stableKeyChars(k.accessKeyId, 17)}`,
      });
    }
  }

  private accountRecord(account: ScenarioAccount, now: Date): AccountRecord {
    const keys = new Map<string, KeyRecord[]>();
    const aliases = new Map<string, AliasRecord[]>();
    for (const region of account.regions) {
      keys.set(region, []);
      aliases.set(region, []);
    }
    for (const key of account.keys) {
      keys.get(key.region)!.push(keyRecordFrom(account.id, key, now));
      for (const name of key.aliases) {
        aliases.get(key.region)!.push({ name, targetKeyId: key.keyId, creationDate: new Date(key.creationDate), lastUpdatedDate: new Date(key.creationDate) });
      }
    }
    for (const alias of account.aliases) {
      const at = alias.targetKeyId ? keys.get(alias.region)!.find((k) => k.keyId === alias.targetKeyId)?.creationDate : undefined;
      aliases.get(alias.region)!.push({ name: alias.name, targetKeyId: alias.targetKeyId, creationDate: at ?? now, lastUpdatedDate: at ?? now });
    }
    return {
      id: account.id, name: account.name, email: account.email, state: account.state, parent: account.parent,
      tags: { ...account.tags }, regions: [...account.regions], roles: account.roles.map((r) => ({ ...r, trustedAccounts: [...r.trustedAccounts] })),
      joinedMethod: account.joinedMethod, joinedTimestamp: new Date(account.joinedTimestamp), keys, aliases,
    };
  }

  now(): Date {
    return this.clock();
  }

  get managementAccountId(): string {
    return this.scenario.managementAccountId;
  }

  account(accountId: string): AccountRecord | undefined {
    return this.accounts.get(accountId);
  }

  /** The identity behind an access key id: known keys, issued sessions, else (long-term keys) the management account. */
  identityFor(accessKeyId: string): Identity | undefined {
    const known = this.identities.get(accessKeyId);
    if (known) return known;
    if (accessKeyId.startsWith('ASIA')) return undefined;
    const m = this.scenario.managementCredentials;
    return {
      accessKeyId, accountId: this.scenario.managementAccountId,
      arn: `arn:aws:iam::${this.scenario.managementAccountId}:user/${m.userName}`, userId: `AIDA${stableKeyChars(accessKeyId, 17)}`,
    };
  }

  isKnownAccessKey(accessKeyId: string): boolean {
    return this.identities.has(accessKeyId);
  }

  /** Issues temporary credentials for a role session in an account. */
  issueSession(accountId: string, roleName: string, sessionName: string, durationSeconds: number): Identity {
    this.issued += 1;
    const seed = `${this.scenario.name}/${accountId}/${roleName}/${sessionName}/${this.issued}`;
    const accessKeyId = `ASIA${stableKeyChars(seed, 16)}`;
    const roleId = `AROA${stableKeyChars(`${accountId}/${roleName}`, 17)}`;
    const identity: Identity = {
      accessKeyId, accountId,
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
      session: {
        secretAccessKey: stableSecret(seed),
        sessionToken: Buffer.from(`simulated-session:${seed}:${stableSecret(`token/${seed}`)}`).toString('base64'),
        roleName,
        expiresAt: new Date(this.clock().getTime() + durationSeconds * 1000),
      },
    };
    this.identities.set(accessKeyId, identity);
    return identity;
  }

  /** Every session issued so far (newest last). */
  sessions(): Identity[] {
    return [...this.identities.values()].filter((i) => i.session);
  }

  keysIn(accountId: string, region: string): KeyRecord[] {
    return this.accounts.get(accountId)?.keys.get(region) ?? [];
  }

  aliasesIn(accountId: string, region: string): AliasRecord[] {
    return this.accounts.get(accountId)?.aliases.get(region) ?? [];
  }

  findKey(accountId: string, region: string, keyId: string): KeyRecord | undefined {
    const id = keyId.startsWith('arn:') ? keyId.slice(keyId.lastIndexOf('key/') + 4) : keyId;
    return this.keysIn(accountId, region).find((k) => k.keyId === id);
  }

  /** The key whose rotation a key follows: a replica's primary, else the key itself. */
  rotationOwner(key: KeyRecord): KeyRecord {
    if (!key.primaryRegion) return key;
    return this.findKey(key.accountId, key.primaryRegion, key.keyId) ?? key;
  }

  replicasOf(key: KeyRecord): KeyRecord[] {
    const account = this.accounts.get(key.accountId);
    if (!account || !key.multiRegion || key.primaryRegion) return [];
    const out: KeyRecord[] = [];
    for (const keys of account.keys.values()) {
      for (const k of keys) if (k.keyId === key.keyId && k.primaryRegion === key.region) out.push(k);
    }
    return out;
  }

  /** Creates a key (CreateKey, or a test adding a key between two scans). */
  createKey(accountId: string, region: string, spec: Omit<KeyInput, 'region'> & { region?: string }): KeyRecord {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`no account ${accountId} in the simulated organization`);
    if (!account.regions.includes(region)) throw new Error(`Region ${region} is not enabled for account ${accountId}`);
    this.created += 1;
    const index = 10_000 + this.created;
    const now = this.clock();
    const input: KeyInput = { ...spec, region, creationDate: spec.creationDate ?? now.toISOString() };
    if (!input.keyId) {
      const seed = `${accountId}/${region}/created/${this.created}`;
      if (!(input.multiRegion || input.kind === 'multi-region-primary' || input.replicaRegions)) input.keyId = stableUuid(seed);
    }
    const key = normalizeKey(input, 'key', { accountId, regions: account.regions, index });
    if (this.findKey(accountId, region, key.keyId)) throw new Error(`key ${key.keyId} already exists in ${accountId} ${region}`);
    for (const alias of key.aliases) {
      if (this.aliasesIn(accountId, region).some((a) => a.name === alias)) throw new Error(`alias ${alias} already exists in ${accountId} ${region}`);
    }
    const record = keyRecordFrom(accountId, key, now);
    if (record.rotation.enabled) record.rotation.enabledAt = now;
    account.keys.get(region)!.push(record);
    for (const name of key.aliases) account.aliases.get(region)!.push({ name, targetKeyId: key.keyId, creationDate: now, lastUpdatedDate: now });
    for (const replicaRegion of key.replicaRegions ?? []) {
      const replica: KeyRecord = {
        ...record, region: replicaRegion, arn: keyArn(replicaRegion, accountId, record.keyId), primaryRegion: region,
        rotation: { ...record.rotation }, tags: { ...record.tags },
      };
      account.keys.get(replicaRegion)!.push(replica);
    }
    return record;
  }

  /**
   * UpdatePrimaryRegion: the replica in `region` becomes the primary and the primary (and every
   * other replica) its replicas. Rotation is a shared property of the key set, so the new primary
   * takes the old one's setting.
   */
  movePrimary(primary: KeyRecord, region: string): KeyRecord {
    const target = this.replicasOf(primary).find((k) => k.region === region);
    if (!target) throw new Error(`no replica of ${primary.keyId} in ${region}`);
    const members = [primary, ...this.replicasOf(primary)];
    target.rotation = { ...primary.rotation };
    delete target.primaryRegion;
    for (const key of members) if (key !== target) key.primaryRegion = region;
    return target;
  }

  setRotation(key: KeyRecord, enabled: boolean, periodInDays?: number): void {
    const owner = this.rotationOwner(key);
    const wasEnabled = owner.rotation.enabled;
    owner.rotation.enabled = enabled;
    if (periodInDays !== undefined) owner.rotation.periodInDays = periodInDays;
    else if (enabled && !wasEnabled) owner.rotation.periodInDays = DEFAULT_ROTATION_PERIOD_DAYS;
    if (enabled && (!wasEnabled || periodInDays !== undefined)) owner.rotation.enabledAt = this.clock();
  }

  setKeyState(key: KeyRecord, state: KeyState, pendingWindowInDays = 30): void {
    key.keyState = state;
    if (state === 'PendingDeletion') {
      key.pendingWindowInDays = pendingWindowInDays;
      key.deletionDate = new Date(this.clock().getTime() + pendingWindowInDays * DAY_MS);
    } else {
      delete key.pendingWindowInDays;
      delete key.deletionDate;
    }
  }
}
