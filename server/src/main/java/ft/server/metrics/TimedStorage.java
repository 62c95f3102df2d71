package ft.server.metrics;

import ft.protocol.FileAttributes;
import ft.protocol.Md5;
import ft.server.RefusedException;
import ft.server.storage.Capabilities;
import ft.server.storage.Entry;
import ft.server.storage.ListPage;
import ft.server.storage.ReadHandle;
import ft.server.storage.Storage;
import ft.server.storage.UploadSession;
import ft.server.storage.Version;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.time.Duration;

/**
 * A {@link Storage} that times each call of the one it wraps into {@code
 * ft_storage_request_seconds{backend, op}}, op being the method's name; a call that fails is
 * timed too (a NOT_FOUND stat is a storage request like any other).
 *
 * <p>An upload session's {@code begin}, {@code checkpoint}, {@code publish} and {@code abort}
 * are timed as well (publish is where a local file is synced and renamed). Bytes read and
 * written are not: a get's {@code transferTo} includes the client's pace, and a body's writes
 * are the transfer, which {@code ft_transfer_duration_seconds} times. {@code walk} includes the
 * time its visitor takes (sending find's results).
 *
 * <p>For backends that time their own requests (S3, per API call) the server does not use this.
 */
final class TimedStorage implements Storage {
    private final Storage inner;
    private final ServerMetrics metrics;
    private final String backend;

    TimedStorage(Storage inner, ServerMetrics metrics) {
        this.inner = inner;
        this.metrics = metrics;
        this.backend = inner.backendName();
    }

    /** A storage call that may fail like the Storage methods do. */
    @FunctionalInterface
    private interface Call<T> {
        T run() throws RefusedException, IOException;
    }

    @FunctionalInterface
    private interface VoidCall {
        void run() throws RefusedException, IOException;
    }

    private <T> T time(String op, Call<T> call) throws RefusedException, IOException {
        long start = System.nanoTime();
        try {
            return call.run();
        } finally {
            metrics.storageRequest(backend, op, System.nanoTime() - start);
        }
    }

    private void timeVoid(String op, VoidCall call) throws RefusedException, IOException {
        long start = System.nanoTime();
        try {
            call.run();
        } finally {
            metrics.storageRequest(backend, op, System.nanoTime() - start);
        }
    }

    /** The same, for the few calls that cannot be refused. */
    private <T> T timeIo(String op, Call<T> call) throws IOException {
        try {
            return time(op, call);
        } catch (RefusedException e) {
            throw new IllegalStateException("not refusable", e);
        }
    }

    @Override
    public Capabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public Entry stat(String path) throws RefusedException, IOException {
        return time("stat", () -> inner.stat(path));
    }

    @Override
    public ListPage list(String directory, String pageToken, int limit) throws RefusedException, IOException {
        return time("list", () -> inner.list(directory, pageToken, limit));
    }

    @Override
    public void walk(String directory, String startBelow, Walker walker) throws RefusedException, IOException {
        timeVoid("walk", () -> inner.walk(directory, startBelow, walker));
    }

    @Override
    public Md5 digest(String path, Version version, Progress progress) throws RefusedException, IOException {
        return time("digest", () -> inner.digest(path, version, progress));
    }

    @Override
    public ReadHandle openRead(String path, Version version, long offset) throws RefusedException, IOException {
        return time("openRead", () -> inner.openRead(path, version, offset));
    }

    @Override
    public UploadSession openUpload(String path, UploadSession.Identity identity, FileAttributes attributes)
            throws RefusedException, IOException {
        return new TimedSession(time("openUpload", () -> inner.openUpload(path, identity, attributes)));
    }

    @Override
    public void remove(String path, boolean recursive) throws RefusedException, IOException {
        timeVoid("remove", () -> inner.remove(path, recursive));
    }

    @Override
    public void move(String from, String to) throws RefusedException, IOException {
        timeVoid("move", () -> inner.move(from, to));
    }

    @Override
    public void makeDirectory(String path, boolean parents) throws RefusedException, IOException {
        timeVoid("makeDirectory", () -> inner.makeDirectory(path, parents));
    }

    @Override
    public long usableSpace() throws IOException {
        return timeIo("usableSpace", inner::usableSpace);
    }

    @Override
    public void probe() throws IOException {
        timeIo("probe", () -> {
            inner.probe();
            return null;
        });
    }

    @Override
    public String backendName() {
        return backend;
    }

    @Override
    public int expireUploads(Duration maxAge) {
        long start = System.nanoTime();
        try {
            return inner.expireUploads(maxAge);
        } finally {
            metrics.storageRequest(backend, "expireUploads", System.nanoTime() - start);
        }
    }

    /** Forwards every method, the defaults too (S3 overrides checkpointInterval and digestAt). */
    private final class TimedSession implements UploadSession {
        private final UploadSession session;

        TimedSession(UploadSession session) {
            this.session = session;
        }

        @Override
        public String key() {
            return session.key();
        }

        @Override
        public long begin(boolean resume) throws IOException {
            return timeIo("begin", () -> session.begin(resume));
        }

        @Override
        public long held() throws IOException {
            return session.held();
        }

        @Override
        public byte[] digestState() throws IOException {
            return session.digestState();
        }

        @Override
        public void hashHeld(MessageDigest md5) throws IOException {
            session.hashHeld(md5);
        }

        @Override
        public WritableByteChannel channel() throws IOException {
            return session.channel();
        }

        @Override
        public long checkpointInterval() {
            return session.checkpointInterval();
        }

        @Override
        public void digestAt(long offset, byte[] state) {
            session.digestAt(offset, state);
        }

        @Override
        public void checkpoint(byte[] digestState) throws IOException {
            timeIo("checkpoint", () -> {
                session.checkpoint(digestState);
                return null;
            });
        }

        @Override
        public Version publish(Md5 md5, Condition condition) throws RefusedException, IOException {
            return time("publish", () -> session.publish(md5, condition));
        }

        @Override
        public void abort() throws IOException {
            timeIo("abort", () -> {
                session.abort();
                return null;
            });
        }

        @Override
        public void close() throws IOException {
            session.close();
        }
    }
}
