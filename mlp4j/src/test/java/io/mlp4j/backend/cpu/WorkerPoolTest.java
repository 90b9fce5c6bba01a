package io.mlp4j.backend.cpu;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerPoolTest {

    /**
     * Many tiny back-to-back runs: the hand-over between runs is where races live (a lost completion once hung
     * training forever). Every row must be covered exactly once per run, and nothing may hang.
     */
    @Test
    void everyRowRunsExactlyOnceAcrossManyQuickRuns() {
        for (int threads : new int[] {2, 3, 4}) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                try (WorkerPool pool = new WorkerPool(threads)) {
                    int runs = 20_000;
                    for (int total : new int[] {7, 32, 128}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(total);
                        WorkerPool.RangeTask task = (from, to) -> {
                            for (int i = from; i < to; i++) {
                                hits.incrementAndGet(i);
                            }
                        };
                        for (int r = 0; r < runs; r++) {
                            pool.run(task, total, 1);
                        }
                        for (int i = 0; i < total; i++) {
                            assertEquals(runs, hits.get(i), "threads " + threads + ", total " + total + ", row " + i);
                        }
                    }
                }
            });
        }
    }

    /**
     * Back-to-back runs whose chunk counts differ (packing by panels, then computing by rows): a thread leaving one
     * run must never run a chunk of the next with the wrong bounds (this once hung the big model's training).
     */
    @Test
    void runsWithDifferentChunkCountsDoNotInterfere() {
        for (int threads : new int[] {2, 3}) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                try (WorkerPool pool = new WorkerPool(threads)) {
                    int[] totals = {3, 8, 120, 16, 1, 512};
                    int runs = 3_000 * totals.length;
                    AtomicIntegerArray[] hits = new AtomicIntegerArray[totals.length];
                    for (int r = 0; r < runs; r++) {
                        int t = r % totals.length;
                        AtomicIntegerArray h = hits[t] == null ? hits[t] = new AtomicIntegerArray(totals[t]) : hits[t];
                        pool.run((from, to) -> {
                            for (int i = from; i < to; i++) {
                                h.incrementAndGet(i);
                            }
                        }, totals[t], t == 5 ? 6 : 1);
                    }
                    for (int t = 0; t < totals.length; t++) {
                        for (int i = 0; i < totals[t]; i++) {
                            assertEquals(runs / totals.length, hits[t].get(i), "total " + totals[t] + ", row " + i);
                        }
                    }
                }
            });
        }
    }

    @Test
    void chunksDependOnlyOnTheRange() {
        assertEquals(8, WorkerPool.chunkSize(128, 4));
        assertEquals(4, WorkerPool.chunkSize(32, 4));
        assertEquals(4, WorkerPool.chunkSize(5, 4));
        assertEquals(64, WorkerPool.chunkSize(1024, 4));
    }

    @Test
    void aFailingTaskIsReportedNotSwallowed() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run((from, to) -> {
                if (from > 0) {
                    throw new ArithmeticException("boom");
                }
            }, 64, 1));
            assertTrue(e.getMessage().contains("boom"), e.getMessage());
            pool.run((from, to) -> { }, 64, 1); // still usable
        }
    }
}
