/** What Sandpay exports for Node receivers: the webhook verifier and signer. */
export { verifyWebhook, type Scheme, type VerifyOptions, type VerifyResult } from './webhooks/verify.ts';
export { signatureHeaders, signSimple, signStandard } from './webhooks/signature.ts';
/** And for a checkout's signed result (handler(result) or the success_url query). */
export { signCheckoutResult, verifyCheckoutResult } from './checkout/signature.ts';
