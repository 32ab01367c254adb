import { z } from 'zod';
import { newId } from '../../ids.ts';
import { route } from '../../routing/route.ts';
import { collection } from './api.ts';
import { getCustomer } from './customers.ts';
import { razorpayHttpFace } from './http-face.ts';
import { unix } from './own-objects.ts';
import { collectionOf } from './schemas.ts';
import { insertObject, listObjects, type DbObject } from './store.ts';

/**
 * A customer's bank accounts (Razorpay's fund accounts, account_type bank_account): kept and
 * listed by customer. Nothing pays out to them in the sandbox (refunds go back to the payment).
 */

interface FundAccountData { account_type: 'bank_account'; bank_account: { name: string; ifsc: string; account_number: string; bank_name: string } }
type DbFundAccount = DbObject<FundAccountData>;

const BANK_NAMES: Record<string, string> = { HDFC: 'HDFC Bank', ICIC: 'ICICI Bank', SBIN: 'State Bank of India', UTIB: 'Axis Bank' };

export const rzpFundAccountObject = z
  .strictObject({
    id: z.string(), entity: z.literal('fund_account'), customer_id: z.string(), account_type: z.literal('bank_account'),
    bank_account: z.strictObject({ ifsc: z.string(), bank_name: z.string(), name: z.string(), account_number: z.string(), notes: z.array(z.never()).max(0) }),
    batch_id: z.null(), active: z.boolean(), created_at: z.number().int(),
  })
  .meta({ id: 'RazorpayFundAccount' });

const rzpFundAccount = (f: DbFundAccount): z.output<typeof rzpFundAccountObject> => ({
  id: f.id, entity: 'fund_account', customer_id: f.customer_id!, account_type: 'bank_account', bank_account: { ...f.data.bank_account, notes: [] },
  batch_id: null, active: true, created_at: unix(f.created_at),
});

const createBody = z.strictObject({
  customer_id: z.string().min(1).max(40),
  account_type: z.literal('bank_account', { error: 'Only bank_account fund accounts are supported' }),
  bank_account: z.strictObject({
    name: z.string().trim().min(3, 'The name must be at least 3 characters.').max(120),
    ifsc: z.string().regex(/^[A-Z]{4}0[A-Z0-9]{6}$/, 'The ifsc is invalid.'),
    account_number: z.union([z.string(), z.number().int().nonnegative()]).transform(String).pipe(z.string().regex(/^[0-9A-Za-z]{5,35}$/, 'The account number is invalid.')),
  }),
});

const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;

export const fundAccountRoutes = [
  route({
    ...base, method: 'post', path: '/v1/fund_accounts', write: true, summary: "Add a bank account to a customer (Razorpay's fund account)", body: createBody, response: rzpFundAccountObject,
    example: { customer_id: 'cust_00000000000000000000', account_type: 'bank_account', bank_account: { name: 'Gaurav Kumar', ifsc: 'HDFC0000053', account_number: '765432123456789' } },
    handler: async ({ t, ctx, body }) => {
      const customer = await getCustomer(t, ctx.tenant.id, body.customer_id, 'customer_id');
      const bank = { ...body.bank_account, bank_name: BANK_NAMES[body.bank_account.ifsc.slice(0, 4)] ?? 'Sandpay Test Bank' };
      return rzpFundAccount(await insertObject<FundAccountData>(t, {
        id: newId('rzpFundAccount'), tenantId: ctx.tenant.id, kind: 'fund_account', customerId: customer.id, data: { account_type: 'bank_account', bank_account: bank },
      }));
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/fund_accounts', summary: "A customer's fund accounts (Razorpay)",
    query: z.strictObject({ customer_id: z.string().min(1, 'The customer id field is required.').max(40), count: z.coerce.number().int().min(1).max(100).default(100), skip: z.coerce.number().int().min(0).max(10_000).default(0) }),
    response: collectionOf(rzpFundAccountObject),
    handler: async ({ db, ctx, query: q }) => {
      const customer = await getCustomer(db, ctx.tenant.id, q.customer_id, 'customer_id');
      return collection(await listObjects<FundAccountData, ReturnType<typeof rzpFundAccount>>(db, ctx.tenant.id, 'fund_account', q, rzpFundAccount, { customer_id: customer.id }));
    },
  }),
];
