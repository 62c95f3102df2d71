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

    private final RequestContext ctx;
    private final Share share;
    private final Request.Put request;
    private final SocketAddress client;
    private final InputStream in;
    private final Runnable hangUp;
    private volatile long received;
    private volatile long lastProgressNanos = System.nanoTime();

    private ReceiveUpload(Request.Put request, RequestContext ctx) {
        this.ctx = ctx;
        this.share = ctx.share();
        this.request = request;
        this.client = ctx.client();
        this.in = ctx.wire().bodyIn();
        this.hangUp = ctx.wire().hangUp();
    }

    static void handle(Request.Put request, RequestContext ctx) throws RefusedException, IOException {
        ReceiveUpload upload = new ReceiveUpload(request, ctx);
        if (request.eager()) {
            upload.receiveEager();
        } else {
            upload.receive();
        }
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

    private void receive() throws RefusedException, IOException {
        Path destination = share.jail().resolveForWrite(request.path());
        Md5 stored;
        try (PathLocks.Held lock = admit(destination)) {
            PartialStore store = share.partials();
            PartialStore.Partial partial = store.partialFor(destination);
            long offset = store.begin(partial, request.path(), request.size(), request.md5());
            long remaining = request.size() - offset;
            long usable = store.usableSpace();
            if (!ctx.services().reserve(remaining, usable)) {
                throw new RefusedException(ErrorCode.NO_SPACE, "the upload needs " + remaining
                        + " bytes but the server has only " + Math.max(0, usable) + " free, some of it promised to "
                        + "uploads in progress");
            }
            try {
                stored = receiveBody(destination, partial, offset, remaining);
            } finally {
                ctx.services().release(remaining);
            }
        }
        // Only once the path is free again: a client that puts the same path right after this
        // answer must not find the lock still held (BUSY).
        ctx.answer(new Response.PutDone(stored));
    }

    /**
     * An eager put: the whole (small) body came right behind the header. It is read first, so
     * that any refusal leaves the connection in step, and it is verified before it touches the
     * disk; then written, synced and moved into place like any other upload. Nothing is kept
     * for a resume: a rerun sends the few bytes again.
     */
    private void receiveEager() throws RefusedException, IOException {
        ctx.phase(RequestContext.Phase.RECEIVING);
        byte[] body = in.readNBytes((int) request.size());
        received = body.length;
        ctx.bytes(received);
        lastProgressNanos = System.nanoTime();
        if (body.length < request.size()) {
            throw new java.io.EOFException("connection closed after " + body.length + " of " + request.size()
                    + " body bytes");
        }
        ctx.phase(RequestContext.Phase.IN_STEP); // the whole body is in: every failure from here is answered
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
            if (!ctx.services().reserve(body.length, usable)) {
                throw new RefusedException(ErrorCode.NO_SPACE, "the upload needs " + body.length
                        + " bytes but the server has only " + Math.max(0, usable) + " free, some of it promised to "
                        + "uploads in progress");
            }
            try {
                store.fresh(partial);
                writeSynced(partial.data(), body);
                publish(partial, destination);
            } finally {
                ctx.services().release(body.length);
            }
        }
        ctx.answer(new Response.PutDone(actual)); // the path free first, as in receive()
    }

    /** Writes and fsyncs a whole small body; a failure discards it and refuses the put. */
    private void writeSynced(Path file, byte[] body) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(body);
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            out.force(false);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw NoSpaceException.classify(e, file);
        }
    }

    /** The path's upload lock, once this upload may go ahead at all (not BUSY, not TOO_LARGE). */
    private PathLocks.Held admit(Path destination) throws RefusedException, InterruptedIOException {
        PathLocks.Held lock = lock(destination);
        if (lock == null) {
            throw new RefusedException(ErrorCode.BUSY, "another upload of '" + request.path() + "' is in progress");
        }
        if (request.size() > ctx.services().limits().maxFileSize()) {
            lock.close();
            throw new RefusedException(ErrorCode.TOO_LARGE, "'" + request.path() + "' is " + request.size()
                    + " bytes; this server accepts at most " + ctx.services().limits().maxFileSize());
        }
        return lock;
    }

    private PathLocks.Held lock(Path destination) throws InterruptedIOException {
        try {
            return ctx.services().uploadLocks().tryLock(destination, this);
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
            ctx.answer(new Response.PutReady(offset));
            ctx.phase(RequestContext.Phase.RECEIVING);
            lastProgressNanos = System.nanoTime();
            try (WriteBehind sink = WriteBehind.of(file)) {
                Body.receive(in, new NoSpaceClassifying(sink, partial.data()), remaining, md5, n -> {
                    received = n;
                    ctx.bytes(n);
                    lastProgressNanos = System.nanoTime();
                });
                ctx.phase(RequestContext.Phase.IN_STEP);
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
        ctx.services().directorySync().sync(destination.getParent());
        // Stat after the chmod, touch and rename, each of which moved the ctime: the version as it is now.
        ctx.services().digests().remember(FileVersions.of(destination), request.md5());
    }

    /** Writes through to the partial, telling a full disk by asking the file system, once. */
    private record NoSpaceClassifying(java.nio.channels.WritableByteChannel out, Path where)
            implements java.nio.channels.WritableByteChannel {
        @Override
        public int write(java.nio.ByteBuffer src) throws IOException {
            try {
                return out.write(src);
            } catch (IOException e) {
                throw NoSpaceException.classify(e, where);
            }
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() {
            // The caller closes the channel it wrapped.
        }
    }
}
