import { customerRoutes } from './customers.ts';
import { disputeRoutes } from './disputes.ts';
import { fundAccountRoutes } from './fund-accounts.ts';
import { invoiceRoutes } from './invoices.ts';
import { itemRoutes } from './items.ts';
import { iinRoutes } from './iins.ts';
import { hostedRoutes } from './payable.ts';
import { paymentLinkRoutes } from './payment-links.ts';
import { paymentMethodRoutes } from './payment-methods.ts';
import { qrCodeRoutes } from './qr-codes.ts';
import { settlementRoutes } from './settlements.ts';
import { tokenRoutes } from './tokens.ts';
import { virtualAccountRoutes } from './virtual-accounts.ts';
import { webhookApiRoutes } from './webhooks-api.ts';

/** The routes of Razorpay's own objects (issue 23), each resource's in its own file. */
export const razorpayOwnRoutes = [
  ...customerRoutes, ...tokenRoutes, ...itemRoutes, ...invoiceRoutes, ...paymentLinkRoutes, ...qrCodeRoutes, ...paymentMethodRoutes, ...settlementRoutes,
  ...iinRoutes, ...virtualAccountRoutes, ...disputeRoutes, ...fundAccountRoutes, ...webhookApiRoutes,
  ...hostedRoutes,
];
