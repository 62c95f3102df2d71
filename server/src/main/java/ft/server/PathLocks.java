package ft.server;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Which destination paths have an upload in progress; a second one is told BUSY, not queued. */
final class PathLocks {
    /** A held path; closing releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private final Set<Path> held = ConcurrentHashMap.newKeySet();

    /** @return a handle to release, or null if another upload holds the path */
    Held tryLock(Path path) {
        if (!held.add(path)) {
            return null;
        }
        return () -> held.remove(path);
    }
}
