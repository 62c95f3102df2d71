package ft.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.hash.Hashing;
import ft.protocol.Md5;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Interrupted uploads, kept in the hidden state directory until they are resumed.
 *
 * <p>Each destination has a {@code .part} file with the bytes received so far and a
 * {@code .meta} file saying which upload (path, size, md5) they belong to. A put resumes
 * only when all three match; anything else starts over, because appending to the bytes of a
 * different file would only fail the final checksum after a full transfer.
 */
final class PartialStore {
    /** What the meta file records. */
    record Meta(String path, long size, String md5) {}

    /** One destination's partial upload. */
    record Partial(Path data, Path meta) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;

    PartialStore(Path stateDir) throws IOException {
        this.dir = stateDir.resolve("partials");
        Files.createDirectories(dir);
    }

    Path dir() {
        return dir;
    }

    /** The partial for a destination, named by a hash so any client path maps to a safe name. */
    Partial partialFor(Path destination) {
        String key = Hashing.sha256().hashString(destination.toString(), StandardCharsets.UTF_8).toString();
        return new Partial(dir.resolve(key + ".part"), dir.resolve(key + ".meta"));
    }

    /**
     * Prepares to receive an upload and returns the offset it may resume from: the partial's
     * length if it belongs to this very upload, else 0 after discarding it.
     */
    long begin(Partial partial, String clientPath, long size, Md5 md5) throws IOException {
        Meta wanted = new Meta(clientPath, size, md5.hex());
        if (Files.exists(partial.meta()) && Files.exists(partial.data())) {
            try {
                Meta held = JSON.readValue(partial.meta().toFile(), Meta.class);
                long length = Files.size(partial.data());
                if (held.equals(wanted) && length <= size) {
                    // Resuming counts as use: the sweep must not take it from under us.
                    java.nio.file.attribute.FileTime now = java.nio.file.attribute.FileTime.fromMillis(
                            System.currentTimeMillis());
                    Files.setLastModifiedTime(partial.meta(), now);
                    Files.setLastModifiedTime(partial.data(), now);
                    return length;
                }
            } catch (IOException unreadable) {
                // A meta file cut short by a crash: start over, below.
            }
        }
        discard(partial);
        Path tmp = partial.meta().resolveSibling(partial.meta().getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), wanted);
        Files.move(tmp, partial.meta(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.createFile(partial.data());
        return 0;
    }

    /**
     * Deletes interrupted uploads nobody touched for {@code maxAge}: a client that never comes
     * back must not keep disk space forever. A resumed upload refreshes its partial's mtime.
     *
     * @return how many partials were removed
     */
    int sweep(java.time.Duration maxAge) {
        long cutoff = System.currentTimeMillis() - maxAge.toMillis();
        int removed = 0;
        try (var entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                try {
                    if (Files.getLastModifiedTime(p).toMillis() < cutoff
                            && (name.endsWith(".part") || name.endsWith(".meta") || name.endsWith(".tmp"))) {
                        Files.deleteIfExists(p);
                        removed += name.endsWith(".part") ? 1 : 0;
                    }
                } catch (IOException vanished) {
                    // Resumed or removed meanwhile: nothing to sweep.
                }
            }
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(PartialStore.class).warn("sweeping partial uploads failed: {}", e.toString());
        }
        return removed;
    }

    void discard(Partial partial) throws IOException {
        Files.deleteIfExists(partial.data());
        Files.deleteIfExists(partial.meta());
    }
}
