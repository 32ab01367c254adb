import { verify } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCheckpoint, openCheckpointToken, checkpointToken } from '../../src/audit/checkpoint-sig.ts';
import { chainHash, rowMac, type AuditContent } from '../../src/audit/mac.ts';
import { createLogger } from '../../src/logger.ts';
import { keyStoreFrom, MASTER_KEY_FILE, openKeyStore, parseMasterKey } from '../../src/secrets/keys.ts';

const log = createLogger('silent');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sandpay-keys-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the master key', () => {
  it('reads 32 bytes as hex or base64, and nothing else', () => {
    const bytes = Buffer.alloc(32, 7);
    expect(parseMasterKey(bytes.toString('hex'))).toEqual(bytes);
    expect(parseMasterKey(bytes.toString('base64'))).toEqual(bytes);
    expect(parseMasterKey(bytes.toString('base64url'))).toEqual(bytes);
    expect(parseMasterKey(` ${bytes.toString('base64')}\n`)).toEqual(bytes);
    expect(parseMasterKey(Buffer.alloc(31).toString('base64'))).toBeNull();
    expect(parseMasterKey('correct horse battery staple')).toBeNull();
  });

  it('refuses a bad SANDPAY_MASTER_KEY without echoing it', async () => {
    const bad = 'not-a-key-but-secret-looking-0123456789';
    await expect(openKeyStore({ masterKey: bad, dataDir: dir }, log)).rejects.toThrow(/^Invalid configuration: SANDPAY_MASTER_KEY must be 32 bytes/);
    await expect(openKeyStore({ masterKey: bad, dataDir: dir }, log)).rejects.not.toThrow(bad);
  });

  it('is generated once into DATA_DIR/master-key with mode 0600, then reused', async () => {
    const dataDir = path.join(dir, 'generated');
    const [a, b] = await Promise.all([openKeyStore({ masterKey: undefined, dataDir }, log), openKeyStore({ masterKey: undefined, dataDir }, log)]);
    expect(a.fingerprint).toBe(b.fingerprint);
    const file = path.join(dataDir, MASTER_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await openKeyStore({ masterKey: undefined, dataDir }, log);
    expect(again.fingerprint).toBe(a.fingerprint);
    expect(again.signer.publicKeyPem).toBe(a.signer.publicKeyPem);
    expect(parseMasterKey(await readFile(file, 'utf8'))).not.toBeNull();
  });

  it('refuses a damaged key file', async () => {
    const dataDir = path.join(dir, 'damaged');
    await openKeyStore({ masterKey: undefined, dataDir }, log);
    await writeFile(path.join(dataDir, MASTER_KEY_FILE), 'oops\n');
    await expect(openKeyStore({ masterKey: undefined, dataDir }, log)).rejects.toThrow(/Invalid master key file/);
  });
});

describe('derived keys', () => {
  const keys = keyStoreFrom(Buffer.alloc(32, 1));
  const other = keyStoreFrom(Buffer.alloc(32, 2));

  it('are deterministic per master key and differ between purposes and masters', () => {
    expect(keyStoreFrom(Buffer.alloc(32, 1)).signer.publicKeyPem).toBe(keys.signer.publicKeyPem);
    expect(keys.auditMacKey.equals(other.auditMacKey)).toBe(false);
    expect(keys.fingerprint).not.toBe(other.fingerprint);
    expect(keys.signer.publicKeyPem).not.toBe(other.signer.publicKeyPem);
  });

  it('encrypt/decrypt with AES-256-GCM, refusing tampering, a wrong context or another key', () => {
    const c1 = keys.encrypt('rzp_secret_123', 'ten_1');
    const c2 = keys.encrypt('rzp_secret_123', 'ten_1');
    expect(c1).not.toBe(c2); // fresh nonce each time
    expect(c1).not.toContain('rzp_secret_123');
    expect(keys.decrypt(c1, 'ten_1')).toBe('rzp_secret_123');
    expect(() => keys.decrypt(c1, 'ten_2')).toThrow();
    expect(() => other.decrypt(c1, 'ten_1')).toThrow();
    const raw = Buffer.from(c1.slice(3), 'base64url');
    raw[14]! ^= 1;
    expect(() => keys.decrypt(`v1.${raw.toString('base64url')}`, 'ten_1')).toThrow();
    expect(keys.decrypt(keys.encrypt(''))).toBe('');
  });

  it('MAC an audit row over every column, canonically', () => {
    const row: AuditContent = {
      chain: 'ten_1', tenant_id: 'ten_1', object_type: 'payment', object_id: 'pay_1', action: 'payment.created', old_status: null,
      new_status: 'pending', actor_type: 'api_key', actor_id: 'key_1', request_id: 'req_1', metadata: { b: 1, a: { d: 2, c: 3 } },
      created_at: '2026-01-02T03:04:05.678000Z',
    };
    const mac = rowMac(keys.auditMacKey, row);
    expect(rowMac(keys.auditMacKey, { ...row, metadata: { a: { c: 3, d: 2 }, b: 1 } })).toBe(mac); // key order is not content
    for (const [k, v] of Object.entries({ new_status: 'failed', created_at: '2026-01-02T03:04:05.678001Z', metadata: { b: 2, a: { d: 2, c: 3 } }, actor_id: null })) {
      expect(rowMac(keys.auditMacKey, { ...row, [k]: v }), k).not.toBe(mac);
    }
    expect(rowMac(other.auditMacKey, row)).not.toBe(mac);
    expect(chainHash(keys.auditMacKey, 'ten_1', 2, 'p', mac)).not.toBe(chainHash(keys.auditMacKey, 'ten_1', 3, 'p', mac));
  });

  it('sign checkpoints that node:crypto verifies with the PEM alone, and reject altered tokens', () => {
    const cp = signCheckpoint(keys.signer, { chain: 'ten_1', seq: 5, head_hash: 'ab'.repeat(32), row_count: 5, created_at: '2026-01-01T00:00:00.000Z' });
    expect(verify(null, Buffer.from(cp.payload), keys.signer.publicKeyPem, Buffer.from(cp.signature, 'base64url'))).toBe(true);
    expect(openCheckpointToken(keys.signer, checkpointToken(cp))).toMatchObject({ chain: 'ten_1', seq: 5, head_hash: cp.head_hash });
    expect(openCheckpointToken(other.signer, checkpointToken(cp))).toBeNull();
    expect(openCheckpointToken(keys.signer, 'garbage')).toBeNull();
  });
});
