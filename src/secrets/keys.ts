import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../core/errors.ts';
import type { Logger } from '../logger.ts';

/**
 * The process's secrets, all derived from one 32-byte master key that Postgres never sees: the
 * audit log's HMAC key, the Ed25519 key that signs audit checkpoints, and an AES-256-GCM key for
 * secrets stored encrypted. Purpose keys come from HKDF, so one leaked purpose key says nothing
 * about the others or the master. Nothing here is ever logged.
 */
export interface KeyStore {
  /** HMAC-SHA256 key of the audit log (row MACs and chain hashes). */
  readonly auditMacKey: Buffer;
  /** Identifies the master key without revealing it (stored in the database to catch a wrong key). */
  readonly fingerprint: string;
  readonly signer: CheckpointSigner;
  /** AES-256-GCM with a random nonce: `v1.` + base64url(nonce | ciphertext | tag). `aad` binds it to a context (e.g. a tenant id). */
  encrypt(plaintext: string, aad?: string): string;
  /** Throws when the ciphertext or its `aad` was altered, or it was made with another key. */
  decrypt(ciphertext: string, aad?: string): string;
}

export interface CheckpointSigner {
  readonly algorithm: 'Ed25519';
  /** First 16 hex digits of SHA-256 over the public key (SPKI DER). */
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly publicKey: KeyObject;
  sign(message: Buffer): Buffer;
}

export const MASTER_KEY_FILE = 'master-key';

/** PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows it (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function derive(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.from('sandpay'), Buffer.from(purpose), 32));
}

/** 32 bytes as 64 hex digits or base64 (standard or url-safe); anything else is null. */
export function parseMasterKey(text: string): Buffer | null {
  const s = text.trim();
  if (/^[0-9a-f]{64}$/i.test(s)) return Buffer.from(s, 'hex');
  if (!/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(s)) return null;
  const bytes = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? bytes : null;
}

export function keyStoreFrom(master: Buffer): KeyStore {
  if (master.length !== 32) throw new Error('the master key must be 32 bytes');
  const auditMacKey = derive(master, 'audit-mac/v1');
  const encKey = derive(master, 'secrets-aes-256-gcm/v1');
  const fingerprint = createHmac('sha256', derive(master, 'fingerprint/v1')).update('sandpay').digest('hex').slice(0, 32);

  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, derive(master, 'audit-checkpoint-ed25519/v1')]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const signer: CheckpointSigner = {
    algorithm: 'Ed25519',
    keyId: createHash('sha256').update(spki).digest('hex').slice(0, 16),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicKey,
    sign: (message) => sign(null, message, privateKey),
  };

  return {
    auditMacKey,
    fingerprint,
    signer,
    encrypt(plaintext, aad) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, nonce);
      if (aad !== undefined) cipher.setAAD(Buffer.from(aad));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}`;
    },
    decrypt(ciphertext, aad) {
      const raw = ciphertext.startsWith('v1.') ? Buffer.from(ciphertext.slice(3), 'base64url') : null;
      if (!raw || raw.length < 28) throw new Error('not a Sandpay ciphertext');
      const decipher = createDecipheriv('aes-256-gcm', encKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      if (aad !== undefined) decipher.setAAD(Buffer.from(aad));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * The master key: SANDPAY_MASTER_KEY if set, else `<DATA_DIR>/master-key`, generated on first
 * start (mode 0600). Every process sharing a database must use the same key, so with several
 * hosts set SANDPAY_MASTER_KEY (the database remembers a fingerprint and refuses another key).
 */
export async function openKeyStore(opts: { masterKey: string | undefined; dataDir: string }, log: Logger): Promise<KeyStore> {
  if (opts.masterKey !== undefined) {
    const key = parseMasterKey(opts.masterKey);
    // The value is never echoed: a near-miss of a real key is still a secret.
    if (!key) throw new ConfigError('Invalid configuration: SANDPAY_MASTER_KEY must be 32 bytes, as 64 hex digits or base64');
    return keyStoreFrom(key);
  }
  return keyStoreFrom(await readOrCreateKeyFile(path.resolve(opts.dataDir, MASTER_KEY_FILE), log));
}

async function readOrCreateKeyFile(file: string, log: Logger): Promise<Buffer> {
  try {
    return await readKeyFile(file, log);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // Written whole to a temporary file, then linked into place: link() fails if the file exists,
  // so two processes starting together on one DATA_DIR agree on the first key, and no reader
  // ever sees half a key.
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, file);
    log.info({ file }, 'generated the master key (keep it with the data: the audit log is verified with it)');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
  return readKeyFile(file, log);
}

async function readKeyFile(file: string, log: Logger): Promise<Buffer> {
  const key = parseMasterKey(await readFile(file, 'utf8'));
  if (!key) throw new ConfigError(`Invalid master key file ${file}: it must hold 32 bytes as 64 hex digits or base64`);
  const { mode } = await stat(file);
  if (process.platform !== 'win32' && (mode & (constants.S_IRWXG | constants.S_IRWXO)) !== 0) {
    log.warn({ file }, 'the master key file is readable by other users; chmod 600 it');
  }
  return key;
}
