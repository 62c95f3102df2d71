package ft.client;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What listings of remote directories, taken before a batch of uploads, said was there: lets
 * an upload skip asking the server about a file the listing showed absent or of another size,
 * one round trip per file. It only ever saves that question: a file that is in the listing
 * with the same size is still compared by MD5 with the server, and a stale listing costs at
 * most a file sent again that had become identical meanwhile.
 */
public final class RemoteListing {
    /** Listings cover no path: every upload asks the server. */
    public static final RemoteListing NONE = new RemoteListing();

    /** How many files one listing keeps at most; a larger tree is not covered. */
    public static final int MAX_FILES = 200_000;

    private final Set<String> directories = new HashSet<>();
    private final Map<String, Long> files = new HashMap<>();

    /**
     * Records that {@code directory} (a remote path, {@code ""} for the root) was listed whole,
     * with these regular files (remote paths below it) and their sizes; a listing over
     * {@link #MAX_FILES} files is not recorded.
     */
    public synchronized void covered(String directory, Map<String, Long> filesBelow) {
        if (filesBelow.size() > MAX_FILES) {
            return;
        }
        directories.add(directory);
        files.putAll(filesBelow);
    }

    /**
     * The size the listing showed for {@code path}: -1 if it showed no file there, null if
     * no listing covers the path (then only the server can tell).
     */
    public synchronized Long sizeOf(String path) {
        Long size = files.get(path);
        if (size != null) {
            return size;
        }
        for (int slash = path.lastIndexOf('/'); ; slash = path.lastIndexOf('/', slash - 1)) {
            if (directories.contains(slash < 0 ? "" : path.substring(0, slash))) {
                return -1L;
            }
            if (slash <= 0) {
                return null;
            }
        }
    }
}
