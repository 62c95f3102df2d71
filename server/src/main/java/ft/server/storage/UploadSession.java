package ft.server.storage;

import ft.protocol.Md5;
import ft.server.RefusedException;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;

/**
 * One upload's bytes on their way to a name, like an S3 multipart upload: written as a stream
 * (a backend cuts it into parts of at least {@link Capabilities#minPartSize}), kept across
 * connections for a resume, published atomically, or aborted.
 */
public interface UploadSession extends AutoCloseable {
    /**
     * Which upload this is: a session resumes only the bytes of the same identity.
     *
     * @param size bytes the whole file will have
     * @param md5  what the whole file must hash to
     */
    record Identity(long size, Md5 md5) {}

    /** What a publish must find at the name first. */
    sealed interface Condition {
        /** Anything, or nothing: replace. */
        record Always() implements Condition {}

        /** Nothing: refused EXISTS if the name holds something. */
        record CreateOnly() implements Condition {}

        /** Exactly {@code version}: refused BUSY if it is something else or gone. */
        record IfVersion(Version version) implements Condition {}

        Condition ALWAYS = new Always();
        Condition CREATE_ONLY = new CreateOnly();
    }

    /** The name's key: two client paths with the same key are the same object. */
    String key();

    /**
     * Makes the session ready to receive: with {@code resume}, keeps what an earlier session of
     * the same identity left; otherwise (or for another identity) starts empty.
     *
     * @return bytes held, where the stream continues
     */
    long begin(boolean resume) throws IOException;

    /** Bytes held so far. */
    long held() throws IOException;

    /** The digest state saved with what is held ({@link #checkpoint}), or null if none was. */
    byte[] digestState() throws IOException;

    /**
     * Feeds what is held into {@code md5}; only where {@link Capabilities#partsReadableBeforeComplete}.
     */
    void hashHeld(MessageDigest md5) throws IOException;

    /** Where the bytes after {@link #held} go. */
    WritableByteChannel channel() throws IOException;

    /**
     * Where this backend needs the running digest's state: every this many bytes from the file's
     * start (S3: the part size, because parts cannot be read back to re-hash them), or 0 for
     * nowhere in particular.
     */
    default long checkpointInterval() {
        return 0;
    }

    /**
     * The running digest's state ({@link ft.transfer.Md5State#saveState}) when exactly
     * {@code offset} bytes of the file had been hashed, {@code offset} a multiple of
     * {@link #checkpointInterval}. Called on the hashing thread, in order of offset, before or
     * after those bytes reach {@link #channel}.
     */
    default void digestAt(long offset, byte[] state) {}

    /** Keeps what is held for a resume, with the running digest's state (null if it has none). */
    void checkpoint(byte[] digestState) throws IOException;

    /**
     * Makes what is held the content of the name, atomically: a reader sees the old content or
     * the new, never a mix. Durable before it returns.
     *
     * @param md5 what the held bytes hash to (verified by the caller)
     */
    Version publish(Md5 md5, Condition condition) throws RefusedException, IOException;

    /** Drops what is held; nothing becomes visible. */
    void abort() throws IOException;

    /** Lets go of resources; what is held stays for a resume unless published or aborted. */
    @Override
    void close() throws IOException;
}
