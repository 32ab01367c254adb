import type { AuditServices } from '../audit/services.ts';
import type { TenantCaches } from './caches.ts';

/** What tenants and the capabilities above them need of the wired services: the audit log's, and the tenant caches. */
export interface TenantServices extends AuditServices {
  /** This process's tenant caches (src/tenants/caches.ts); absent in tools that run without them. */
  caches?: TenantCaches;
}
