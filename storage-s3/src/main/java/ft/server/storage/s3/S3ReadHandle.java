package ft.server.storage.s3;

import ft.server.storage.ReadHandle;
import ft.server.storage.Version;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * One version of an object, read with ranged GETs conditional on its ETag ({@code If-Match}: a
 * replaced object answers 412, a {@link ft.server.storage.VersionChangedException}). One
 * response stream stays open while reads follow each other; a read elsewhere reopens it there.
 */
final class S3ReadHandle implements ReadHandle {
    private static final int CHUNK = 256 * 1024;

    private final S3Storage storage;
    private final String key;
    private final String path;
    private final Version version;
    private ResponseInputStream<GetObjectResponse> in;
    /** Where {@link #in} is in the file. */
    private long streamAt;

    private final byte[] chunk = new byte[CHUNK];
    /** Bytes read from the stream that a non-blocking target did not take yet, and where they are. */
    private ByteBuffer pending;

    private long pendingAt;

    S3ReadHandle(S3Storage storage, String key, String path, Version version, long offset) throws IOException {
        this.storage = storage;
        this.key = key;
        this.path = path;
        this.version = version;
        open(Math.min(offset, version.size()));
    }

    private void open(long position) throws IOException {
        closeStream();
        var shared = storage.shared();
        try {
            if (position >= version.size()) {
                // Nothing to read from here (a range there is unsatisfiable): still check the version.
                shared.s3.headObject(b -> b.bucket(shared.bucket).key(key).ifMatch(version.tag()));
                in = null;
            } else {
                in = shared.s3.getObject(b ->
                        b.bucket(shared.bucket).key(key).ifMatch(version.tag()).range("bytes=" + position + "-"));
            }
            streamAt = position;
        } catch (S3Exception e) {
            throw storage.changedOr(e, path, "read " + key);
        } catch (SdkException e) {
            throw S3Storage.io("read " + key, e);
        }
    }

    @Override
    public Version version() {
        return version;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        pending = null; // it may share chunk
        if (position >= version.size()) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (in == null || position != streamAt) {
            open(position);
        }
        int want = (int) Math.min(Math.min(dst.remaining(), CHUNK), version.size() - position);
        int n;
        try {
            if (dst.hasArray()) {
                n = in.read(dst.array(), dst.arrayOffset() + dst.position(), want);
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
            } else {
                n = in.read(chunk, 0, want);
                if (n > 0) {
                    dst.put(chunk, 0, n);
                }
            }
        } catch (SdkException e) {
            closeStream();
            throw S3Storage.io("read " + key, e);
        } catch (IOException e) {
            closeStream();
            throw e;
        }
        if (n < 0) {
            closeStream();
            throw new IOException(
                    "S3 ended the body of " + key + " at " + streamAt + " of " + version.size() + " bytes");
        }
        streamAt += n;
        return n;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        if (position > version.size()) {
            throw new IOException("'" + path + "' has " + version.size() + " bytes, fewer than " + position);
        }
        if (count <= 0 || position == version.size()) {
            return 0;
        }
        if (pending == null || pendingAt != position || !pending.hasRemaining()) {
            ByteBuffer buf = ByteBuffer.wrap(chunk, 0, (int) Math.min(CHUNK, count));
            int n = read(buf, position); // a heap buffer: read() fills chunk directly
            if (n <= 0) {
                return 0;
            }
            buf.flip();
            pending = buf;
            pendingAt = position;
        }
        ByteBuffer view = pending.duplicate();
        if (view.remaining() > count) {
            view.limit(view.position() + (int) count);
        }
        int written = target.write(view);
        pending.position(pending.position() + written);
        pendingAt += written;
        return written;
    }

    private void closeStream() {
        ResponseInputStream<GetObjectResponse> s = in;
        in = null;
        if (s != null) {
            // abort, not close: close would read the rest of the body to reuse the connection
            s.abort();
        }
    }

    @Override
    public void close() {
        closeStream();
    }
}
