package ft.protocol;

import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread allocates while a piece of code runs, so a fuzz target can check that
 * what a reader allocates follows what it was given, not what a hostile length prefix claims.
 */
final class Allocation {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocation() {}

    /** A body that may throw anything: the measurement does not care how it ends. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /**
     * Bytes allocated on this thread by a second run of {@code body}; whatever it throws is
     * ignored. The first run loads and initialises (and, under Jazzer, instruments) the classes
     * the input reaches, which costs megabytes once per class and says nothing about the input.
     */
    static long during(Body body) {
        measure(body);
        return measure(body);
    }

    private static long measure(Body body) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            body.run();
        } catch (Exception ignored) {
            // Only the allocation is measured here; the caller checks outcomes separately.
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
