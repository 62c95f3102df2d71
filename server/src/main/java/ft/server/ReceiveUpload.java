package ft.server;

import ft.transfer.Body;
import ft.transfer.NoSpaceException;
import ft.protocol.ErrorCode;
import ft.protocol.FrameWriter;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.transfer.WriteBehind;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one put: body into a hidden partial (hashed while it arrives), verified, then moved
 * atomically over the final name. The final name never holds anything but a verified file.
 */
final class ReceiveUpload implements PathLocks.Holder {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveUpload.class);

    private final FtServer server;
    private final Share share;
    private final Request.Put request;
    private final SocketAddress client;
    private final InputStream in;
    private final FrameWriter writer;
    private final Runnable hangUp;
    private volatile long received;
    private volatile long lastProgressNanos = System.nanoTime();

    ReceiveUpload(FtServer server, Share share, Request.Put request, SocketAddress client, InputStream in,
                  FrameWriter writer, Runnable hangUp) {
        this.server = server;
        this.share = share;
        this.request = request;
        this.client = client;
        this.in = in;
        this.writer = writer;
        this.hangUp = hangUp;
    }

    private record Identity(long size, Md5 md5) {}

    @Override
    public Object identity() {
        return new Identity(request.size(), request.md5());
    }

    @Override
    public long idleNanos() {
        return System.nanoTime() - lastProgressNanos;
    }

    @Override
    public void abandon() {
        LOG.info("{} put {}: taken over by a resumed upload of the same file after {} s without a byte",
                client, request.path(), TimeUnit.NANOSECONDS.toSeconds(idleNanos()));
        hangUp.run();
    }

    void run(long start) throws IOException {
        String result = "ok";
        try {
            if (request.eager()) {
                receiveEager();
            } else {
                receive();
            }
        } catch (RefusedException e) {
            result = e.code().name();
            Connection.answer(writer, new Response.Error(e.code(), e.getMessage()));
        } catch (Body.SinkFailedException e) {
            ErrorCode code = NoSpaceException.classify(e.getCause(), share.jail().stateDir()) instanceof NoSpaceException
                    ? ErrorCode.NO_SPACE : ErrorCode.INTERNAL;
            result = code.name();
            // The client is still sending body bytes we cannot take: answer, then hang up.
            Connection.answer(writer, new Response.Error(code, code == ErrorCode.NO_SPACE
                    ? "the server ran out of disk space after " + received + " bytes"
                    : "the server could not store the upload"));
            throw new Connection.ConnectionEnded("disk write failed: " + e.getCause());
        } catch (IOException e) {
            result = "INTERRUPTED(" + e.getClass().getSimpleName() + ")";
            throw e;
        } finally {
            AccessLog.request(client, share.user(), "put", request.path(), received, start, result);
        }
    }

    private void receive() throws RefusedException, IOException {
        Path destination = share.jail().resolveForWrite(request.path());
        Md5 stored;
        try (PathLocks.Held lock = admit(destination)) {
            PartialStore store = share.partials();
            PartialStore.Partial partial = store.partialFor(destination);
            long offset = store.begin(partial, request.path(), request.size(), request.md5());
            long remaining = request.size() - offset;
            long usable = store.usableSpace();
            if (!server.reserve(remaining, usable)) {
                throw new RefusedException(ErrorCode.NO_SPACE, "the upload needs " + remaining
                        + " bytes but the server has only " + Math.max(0, usable) + " free, some of it promised to "
                        + "uploads in progress");
            }
            try {
                stored = receiveBody(destination, partial, offset, remaining);
            } finally {
                server.release(remaining);
            }
        }
        // Only once the path is free again: a client that puts the same path right after this
        // answer must not find the lock still held (BUSY).
        Connection.answer(writer, new Response.PutDone(stored));
    }

    /**
     * An eager put: the whole (small) body came right behind the header. It is read first, so
     * that any refusal leaves the connection in step, and it is verified before it touches the
     * disk; then written, synced and moved into place like any other upload. Nothing is kept
     * for a resume: a rerun sends the few bytes again.
     */
    private void receiveEager() throws RefusedException, IOException {
        byte[] body = in.readNBytes((int) request.size());
        received = body.length;
        lastProgressNanos = System.nanoTime();
        if (body.length < request.size()) {
            throw new java.io.EOFException("connection closed after " + body.length + " of " + request.size()
                    + " body bytes");
        }
        Path destination = share.jail().resolveForWrite(request.path());
        Md5 actual;
        try (PathLocks.Held lock = admit(destination)) {
            MessageDigest digest = Body.newMd5();
            digest.update(body);
            actual = Md5.of(digest.digest());
            if (!actual.equals(request.md5())) {
                throw new RefusedException(ErrorCode.CHECKSUM_MISMATCH, "the received bytes of '" + request.path()
                        + "' hash to " + actual + ", not " + request.md5() + "; nothing was stored");
            }
            PartialStore store = share.partials();
            PartialStore.Partial partial = store.partialFor(destination);
            long usable = store.usableSpace();
            if (!server.reserve(body.length, usable)) {
                throw new RefusedException(ErrorCode.NO_SPACE, "the upload needs " + body.length
                        + " bytes but the server has only " + Math.max(0, usable) + " free, some of it promised to "
                        + "uploads in progress");
            }
            try {
                store.fresh(partial);
                writeSynced(partial.data(), body);
                publish(partial, destination);
            } finally {
                server.release(body.length);
            }
        }
        Connection.answer(writer, new Response.PutDone(actual)); // the path free first, as in receive()
    }

    /** Writes and fsyncs a whole small body; a failure discards it and refuses the put. */
    private void writeSynced(Path file, byte[] body) throws RefusedException, IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(body);
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            out.force(false);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            boolean full = NoSpaceException.classify(e, file) instanceof NoSpaceException;
            throw new RefusedException(full ? ErrorCode.NO_SPACE : ErrorCode.INTERNAL, full
                    ? "the server ran out of disk space" : "the server could not store the upload");
        }
    }

    /** The path's upload lock, once this upload may go ahead at all (not BUSY, not TOO_LARGE). */
    private PathLocks.Held admit(Path destination) throws RefusedException, InterruptedIOException {
        PathLocks.Held lock = lock(destination);
        if (lock == null) {
            throw new RefusedException(ErrorCode.BUSY, "another upload of '" + request.path() + "' is in progress");
        }
        if (request.size() > server.limits().maxFileSize()) {
            lock.close();
            throw new RefusedException(ErrorCode.TOO_LARGE, "'" + request.path() + "' is " + request.size()
                    + " bytes; this server accepts at most " + server.limits().maxFileSize());
        }
        return lock;
    }

    private PathLocks.Held lock(Path destination) throws InterruptedIOException {
        try {
            return server.uploadLocks().tryLock(destination, this);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while taking over a stalled upload");
        }
    }

    /** Receives, verifies and publishes the body; returns its digest, for the caller to confirm. */
    private Md5 receiveBody(Path destination, PartialStore.Partial partial, long offset, long remaining)
            throws RefusedException, IOException {
        MessageDigest md5 = Body.newMd5();
        try (FileChannel file = FileChannel.open(partial.data(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // Resuming means re-reading what we hold: a digest's state cannot be saved portably.
            Body.hash(file, offset, md5);
            file.position(offset);
            Connection.answer(writer, new Response.PutReady(offset));
            lastProgressNanos = System.nanoTime();
            try (WriteBehind sink = WriteBehind.of(file)) {
                Body.receive(in, sink, remaining, md5, n -> {
                    received = n;
                    lastProgressNanos = System.nanoTime();
                });
                sink.drain();
            } catch (IOException | RuntimeException cut) {
                // What arrived stays for a resume; a small upload records what it is only now.
                keepQuietly(partial, cut);
                throw cut;
            }
            file.force(false);
        }
        Md5 actual = Md5.of(md5.digest());
        if (!actual.equals(request.md5())) {
            share.partials().discard(partial);
            throw new RefusedException(ErrorCode.CHECKSUM_MISMATCH, "the received bytes of '" + request.path()
                    + "' hash to " + actual + ", not " + request.md5() + "; nothing was stored");
        }
        publish(partial, destination);
        return actual;
    }

    /** Sets the put's mtime and mode on the verified partial: the final name never shows it without them. */
    private void preserve(PartialStore.Partial partial) throws RefusedException, IOException {
        try {
            PreservedAttributes.apply(partial.data(), request.attributes());
        } catch (IOException e) {
            LOG.warn("{} put {}: cannot set {}: {}", client, request.path(), request.attributes(), e.toString());
            share.partials().discard(partial);
            throw new RefusedException(ErrorCode.INTERNAL, "the server could not set the modification time and "
                    + "mode of '" + request.path() + "'; nothing was stored");
        }
    }

    private void keepQuietly(PartialStore.Partial partial, Exception cause) {
        try {
            share.partials().keep(partial, request.path(), request.size(), request.md5());
        } catch (IOException e) {
            cause.addSuppressed(e); // not resumable then: the next put starts over
        }
    }

    private void publish(PartialStore.Partial partial, Path destination) throws RefusedException, IOException {
        // The parent may have been swapped for a symlink while the body arrived.
        Path again = share.jail().resolveForWrite(request.path());
        if (!again.equals(destination)) {
            share.partials().discard(partial);
            throw new RefusedException(ErrorCode.ACCESS_DENIED,
                    "'" + request.path() + "' changed location during the upload; nothing was stored");
        }
        if (request.attributes() != null) {
            preserve(partial);
        }
        try {
            Files.move(partial.data(), destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AccessDeniedException e) {
            throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + request.path() + "' is not writable");
        }
        Files.deleteIfExists(partial.meta());
        // Makes the rename itself durable, so a power cut cannot bring the old name back; uploads
        // finishing into the same directory together share one fsync.
        server.directorySync().sync(destination.getParent());
        // Stat after the chmod, touch and rename, each of which moved the ctime: the version as it is now.
        server.digests().remember(FileVersions.of(destination), request.md5());
    }
}
