/** What Sandpay exports for Node receivers: the webhook verifier and signer. */
export { verifyWebhook, type VerifyOptions, type VerifyResult } from './webhooks/verify.ts';
export { signatureHeaders, signSimple, signStandard } from './webhooks/signature.ts';
