package ft.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The files a download keeps beside its target until it is verified: {@code .NAME.ftpart}
 * with the bytes so far and {@code .NAME.ftpart.meta} saying which server file they are from.
 *
 * <p>A body of at least {@link #META_FIRST_BYTES} has its meta written before its first byte,
 * so that even a killed client resumes it. A smaller one gets a meta only when it is cut
 * short: most arrive whole, and writing, renaming and deleting the meta would cost more than
 * the body. A client killed mid-body then leaves a partial without meta, which the next run
 * does not trust and fetches whole: at most that many bytes again.
 */
final class PartialDownload {
    /** Bodies at least this long record their meta up front; smaller ones only when interrupted. */
    static final long META_FIRST_BYTES = 1L << 20;

    /** Which remote file, as the server described it when the partial was started. */
    record Meta(String server, String path, long size, String md5) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path data;
    final Path meta;

    PartialDownload(Path target) {
        Path name = target.getFileName();
        this.data = target.resolveSibling("." + name + ".ftpart");
        this.meta = target.resolveSibling("." + name + ".ftpart.meta");
    }

    /** The recorded meta, or null when there is no usable partial. */
    Meta read() {
        if (!Files.isRegularFile(data) || !Files.isRegularFile(meta)) {
            return null;
        }
        try {
            return JSON.readValue(meta.toFile(), Meta.class);
        } catch (IOException corrupt) {
            return null; // a meta cut short by a crash: the partial cannot be trusted, start over
        }
    }

    long length() throws IOException {
        return Files.size(data);
    }

    void write(Meta m) throws IOException {
        Path tmp = meta.resolveSibling(meta.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), m);
        Files.move(tmp, meta, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** As {@link #write}, for a transfer already failing: a failure here is added to {@code cause}. */
    void writeQuietly(Meta m, Exception cause) {
        try {
            write(m);
        } catch (IOException e) {
            cause.addSuppressed(e); // the next run fetches the file whole
        }
    }

    void discardMeta() throws IOException {
        Files.deleteIfExists(meta);
    }

    /**
     * Removes a meta file whose partial is gone: left behind when a run was killed between
     * renaming the verified partial into place and deleting its meta.
     */
    void discardOrphanMeta() {
        if (!Files.exists(data) && Files.exists(meta)) {
            try {
                Files.deleteIfExists(meta);
            } catch (IOException e) {
                // Harmless clutter; the next run tries again.
            }
        }
    }

    void discard() throws IOException {
        Files.deleteIfExists(data);
        Files.deleteIfExists(meta);
    }
}
