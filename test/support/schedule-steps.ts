// A move schedule's steps, made (the schedule makes them on request): copies by wave, then deletes. Also the
// shape a version-1 journal stored.
import type { CopyStep, DeleteStep, MoveSchedule } from "../../src/engine/move-order";

export function stepsOf(schedule: MoveSchedule): { waves: CopyStep[][]; deletes: DeleteStep[] } {
  return {
    waves: schedule.waves.map((wave) => wave.map((id) => schedule.copy(id))),
    deletes: Array.from({ length: schedule.deletes }, (_, index) => schedule.delete(index)),
  };
}
