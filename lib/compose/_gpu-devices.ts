import type { GpuAgentDeployment } from '../workloads/gpu-agent-deployment';

/**
 * Docker gives a service that reserves GPUs by count the first GPUs of the machine. The devices each GPU
 * workload reserving by count gets instead: distinct indices in workload order (`0`, `1`, ...), passing over
 * the ids other workloads give in `gpuDeviceIds`. The stack renders these, and its rule checks the same ones
 * against the machine's GPU count.
 */
export function pinGpuDevices(
  workloads: readonly GpuAgentDeployment[],
  deviceIdsOf: (workload: GpuAgentDeployment) => readonly string[] | undefined,
): Map<GpuAgentDeployment, string[]> {
  const pinned = new Map<GpuAgentDeployment, string[]>();
  const taken = new Set(workloads.flatMap((w) => deviceIdsOf(w) ?? []));
  let next = 0;
  for (const w of workloads) {
    if (!w.gpu || deviceIdsOf(w)) continue;
    const ids: string[] = [];
    while (ids.length < w.gpu.count) {
      if (!taken.has(String(next))) ids.push(String(next));
      next++;
    }
    pinned.set(w, ids);
  }
  return pinned;
}
