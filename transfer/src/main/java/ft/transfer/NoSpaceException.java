package ft.transfer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A write failed because the file system holding it has no room left.
 *
 * <p>The JDK reports ENOSPC as a plain {@link IOException} whose only trace is its message, and
 * that message is the C library's, in the system's language. So the failure is classified by
 * asking the file system instead: a write that failed where less than one buffer is free ran
 * out of space. Every write path passes its failure through {@link #classify} once; everything
 * above it decides by type.
 */
public final class NoSpaceException extends IOException {
    /** Below this much usable space, a failed write is taken for a full disk. */
    static final long FULL_BELOW_BYTES = Body.BUFFER_BYTES;

    public NoSpaceException(String message, IOException cause) {
        super(message, cause);
    }

    /**
     * {@code failure} as a {@code NoSpaceException} when the file system at {@code where} is full,
     * else {@code failure} itself.
     */
    public static IOException classify(IOException failure, Path where) {
        if (failure instanceof NoSpaceException || where == null) {
            return failure;
        }
        try {
            Path probe = Files.isDirectory(where) || where.getParent() == null ? where : where.getParent();
            if (Files.getFileStore(probe).getUsableSpace() < FULL_BELOW_BYTES) {
                return new NoSpaceException("no space left on the file system of " + probe, failure);
            }
        } catch (IOException | SecurityException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }
}
