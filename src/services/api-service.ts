import { type AppConfig, apiSettings } from '../config';
import { createApp } from '../http/app';
import type { JobRegistry } from '../jobs/registry';
import type { Logger } from '../observability/logger';
import type { JobMetrics } from '../observability/metrics';
import type { QueueDirectory } from '../queues/provisioning';
import type { Backends } from './backends';
import { type HttpServer, startHttpServer } from './http-server';

export interface ApiServiceOptions {
  config: AppConfig;
  registry: JobRegistry;
  directory: QueueDirectory;
  backends: Pick<Backends, 'apiSqs' | 'store'>;
  metrics: JobMetrics;
  logger: Logger;
  version: string;
}

/** The API app from configuration, listening on HOST:PORT. */
export function startApiService(options: ApiServiceOptions): Promise<HttpServer> {
  const { config } = options;
  const app = createApp({
    registry: options.registry,
    directory: options.directory,
    sqs: options.backends.apiSqs,
    store: options.backends.store,
    metrics: options.metrics,
    logger: options.logger,
    ...apiSettings(config),
    version: options.version,
  });
  if (config.API_KEYS.length === 0) options.logger.warn('API_KEYS is not set: the API accepts requests without a key (loopback only)');
  return startHttpServer(app, config.HOST, config.PORT);
}
