package ft.server.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** An open version of a file; positions are from the file's start. */
public interface ReadHandle extends Closeable {
    Version version();

    /** Reads into {@code dst} from {@code position}; -1 at the end. */
    int read(ByteBuffer dst, long position) throws IOException;

    /**
     * Sends up to {@code count} bytes from {@code position} to {@code target}, zero-copy where
     * the backend can; 0 when the target takes nothing now.
     *
     * @throws IOException if the file shrank below {@code position}
     */
    long transferTo(long position, long count, WritableByteChannel target) throws IOException;
}
