package ft.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * What this JVM's heap holds, for tests that measure what the server keeps per connection or
 * per upload: the difference of two readings, divided by the number of connections opened
 * between them.
 */
public final class Heap {
    private Heap() {}

    /** Heap in use after full collections (the least of three, to step over a collection that ran short). */
    public static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }
}
