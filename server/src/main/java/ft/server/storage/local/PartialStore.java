package ft.server.storage.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.hash.Hashing;
import ft.protocol.Md5;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
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
 *
 * <p>An upload of at least {@link #META_FIRST_BYTES} records its meta before the first byte,
 * so that even a server killed mid-body leaves it resumable. A smaller one records it only if
 * its body is cut short ({@link #keep}): most small bodies arrive whole, and the meta file's
 * create, write, rename and delete would cost more than the body itself. A server crash
 * mid-body then costs at most that many bytes sent again (a part without meta is discarded).
 */
final class PartialStore {
    /** What the meta file records. */
    record Meta(String path, long size, String md5) {}

    /** One destination's partial upload. */
    record Partial(Path data, Path meta) {}

    /** Uploads at least this big write their meta up front; smaller ones only when interrupted. */
    static final long META_FIRST_BYTES = 1L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    /**
     * Looked up once: finding a path's file store reads /proc/mounts and walks the path, some
     * twenty system calls that would otherwise be paid by every put.
     */
    private volatile FileStore store;

    PartialStore(Path stateDir) throws IOException {
        this.dir = stateDir.resolve("partials");
        Files.createDirectories(dir);
    }

    Path dir() {
        return dir;
    }

    /** Bytes free for uploads on the file system that holds the partials. */
    long usableSpace() throws IOException {
        FileStore known = store;
        if (known != null) {
            try {
                return known.getUsableSpace();
            } catch (IOException gone) {
                // The directory was removed and made again (perhaps elsewhere): look it up anew.
            }
        }
        known = Files.getFileStore(dir);
        store = known;
        return known.getUsableSpace();
    }

    /** The partial for a destination, named by a hash so any client path maps to a safe name. */
    Partial partialFor(Path destination) {
        String key = Hashing.sha256()
                .hashString(destination.toString(), StandardCharsets.UTF_8)
                .toString();
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
                    java.nio.file.attribute.FileTime now =
                            java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis());
                    Files.setLastModifiedTime(partial.meta(), now);
                    Files.setLastModifiedTime(partial.data(), now);
                    return length;
                }
            } catch (IOException unreadable) {
                // A meta file cut short by a crash: start over, below.
            }
        }
        discard(partial);
        if (size >= META_FIRST_BYTES) {
            writeMeta(partial, wanted);
        }
        Files.createFile(partial.data());
        return 0;
    }

    /** Clears the way for an upload that sends everything from byte 0, whatever was held. */
    void fresh(Partial partial) throws IOException {
        discard(partial);
    }

    /**
     * Makes an interrupted upload's bytes resumable: records its meta if {@link #begin} did
     * not. Call it while still holding the upload's path lock.
     */
    void keep(Partial partial, String clientPath, long size, Md5 md5, byte[] digestState) throws IOException {
        if (size < META_FIRST_BYTES && Files.exists(partial.data())) {
            writeMeta(partial, new Meta(clientPath, size, md5.hex()));
        }
        Path state = stateOf(partial);
        if (digestState == null) {
            Files.deleteIfExists(state);
        } else {
            // Written aside and renamed, so a crash leaves the old state or the new, never half.
            Path tmp = state.resolveSibling(state.getFileName() + ".tmp");
            Files.write(tmp, digestState);
            Files.move(tmp, state, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The running digest's state saved with the partial's bytes, or null. It is only good for
     * exactly the bytes held: a partial longer than what the state covers is told by its size,
     * which the state's owner (ft.transfer) records inside the blob.
     */
    byte[] digestState(Partial partial) throws IOException {
        try {
            return Files.readAllBytes(stateOf(partial));
        } catch (java.nio.file.NoSuchFileException none) {
            return null;
        }
    }

    /** After a publish: the bytes are gone (renamed), so is what described them. */
    void forgetMeta(Partial partial) throws IOException {
        Files.deleteIfExists(partial.meta());
        Files.deleteIfExists(stateOf(partial));
    }

    private static Path stateOf(Partial partial) {
        String meta = partial.meta().getFileName().toString();
        return partial.meta().resolveSibling(meta.substring(0, meta.length() - ".meta".length()) + ".state");
    }

    private static void writeMeta(Partial partial, Meta meta) throws IOException {
        Path tmp = partial.meta().resolveSibling(partial.meta().getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), meta);
        Files.move(tmp, partial.meta(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
                            && (name.endsWith(".part")
                                    || name.endsWith(".meta")
                                    || name.endsWith(".state")
                                    || name.endsWith(".tmp"))) {
                        Files.deleteIfExists(p);
                        removed += name.endsWith(".part") ? 1 : 0;
                    }
                } catch (IOException vanished) {
                    // Resumed or removed meanwhile: nothing to sweep.
                }
            }
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(PartialStore.class)
                    .warn("sweeping partial uploads failed: {}", e.toString());
        }
        return removed;
    }

    void discard(Partial partial) throws IOException {
        Files.deleteIfExists(partial.data());
        Files.deleteIfExists(partial.meta());
        Files.deleteIfExists(stateOf(partial));
    }
}
