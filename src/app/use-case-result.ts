/**
 * What a use case returns to a listener: a value, or an error with a stable code the listener
 * turns into an ephemeral reply. Workers get LifecycleError thrown instead, whose `retryable` the
 * queue adapter maps to a retry or to BullMQ's UnrecoverableError.
 */
export type UseCaseErrorCode =
  | "not-found"
  | "no-incident-here"
  | "invalid-state"
  | "invalid-input"
  | "not-an-approver"
  | "own-request"
  | "already-decided"
  | "already-approved-by-you"
  | "not-an-operator"
  | "expired"
  | "incident-resolved"
  | "unknown-playbook"
  | "no-steps"
  | "unknown-host"
  | "conflict";

export interface UseCaseError {
  ok: false;
  code: UseCaseErrorCode;
  message: string;
}

export type UseCaseResult<T> = { ok: true; value: T } | UseCaseError;

export const succeed = <T>(value: T): UseCaseResult<T> => ({ ok: true, value });
export const fail = (code: UseCaseErrorCode, message: string): UseCaseError => ({
  ok: false,
  code,
  message,
});

export class LifecycleError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "LifecycleError";
  }
}
