import type { Logger } from '../logger.ts';
import { describeError } from '../logger.ts';
import type { LogoutDeliveryEvents } from './logout-delivery.ts';

/** Log lines for back-channel logout deliveries; `isOutage` keeps a database outage from logging an error per tick. */
export function logLogoutDelivery(logger: Logger, isOutage: (error: unknown) => boolean): LogoutDeliveryEvents {
  return {
    delivered: (logout, uri) =>
      logger.info('back-channel logout delivered', { client_id: logout.clientId, reason: logout.reason, attempts: logout.attempts, uri }),
    retrying: (logout, error, nextAttemptAt) =>
      logger.warn('back-channel logout failed; will retry', {
        client_id: logout.clientId,
        attempts: logout.attempts,
        error,
        next_attempt_at: nextAttemptAt.toISOString(),
      }),
    gaveUp: (logout, error) =>
      logger.error('back-channel logout given up', { client_id: logout.clientId, attempts: logout.attempts, error }),
    failed: (error) => {
      if (!isOutage(error)) logger.error('back-channel logout delivery failed', describeError(error));
    },
  };
}
