export { BullmqJobQueue } from "./bullmq-job-queue";
export { jobIds } from "./job-ids";
export {
  startLifecycleWorkers,
  type JobBindings,
  type LifecycleHandlers,
  type LifecycleWorkers,
} from "./lifecycle-workers";
export { DEFAULT_QUEUE_SETTINGS, QUEUE_NAMES, type QueueSettings } from "./queue-settings";
