package ft.server;

import ft.protocol.ErrorCode;
import ft.protocol.Md5;
import ft.protocol.Request;
import ft.protocol.Response;
import ft.server.storage.Storage;
import ft.server.storage.UploadSession;
import ft.transfer.Body;
import ft.transfer.BoundaryDigest;
import ft.transfer.Md5State;
import ft.transfer.TlsReady;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one put: body into an upload session (hashed while it arrives), verified, then
 * published atomically under the final name. The final name never holds anything but a
 * verified file.
 */
final class ReceiveUpload implements PathLocks.Holder {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveUpload.class);

    private final RequestContext ctx;
    private final Storage storage;
    private final Request.Put request;
    private final SocketAddress client;
    private final InputStream in;
    private final Runnable hangUp;
    private volatile long lastProgressNanos = System.nanoTime();

    private ReceiveUpload(Request.Put request, RequestContext ctx) throws IOException {
        this.ctx = ctx;
        this.storage = ctx.storage();
        this.request = request;
        this.client = ctx.client();
        InputStream body = ctx.wire().bodyIn();
        if (ctx.wire().tlsOut() != null) {
            // SSLSocket counts only decrypted bytes as available (one record at most): without
            // this a TLS upload was written and hashed one 16 KiB record at a time (issue #15).
            body = new TlsReady(body, ctx.wire().channel().socket().getInputStream());
        }
        this.in = body;
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
        LOG.info(
                "{} put {}: taken over by a resumed upload of the same file after {} s without a byte",
                client,
                request.path(),
                TimeUnit.NANOSECONDS.toSeconds(idleNanos()));
        hangUp.run();
    }

    private UploadSession.Identity sessionIdentity() {
        return new UploadSession.Identity(request.size(), request.md5());
    }

    private void receive() throws RefusedException, IOException {
        Md5 stored;
        try (UploadSession session = storage.openUpload(request.path(), sessionIdentity(), request.attributes());
                PathLocks.Held lock = admit(session.key())) {
            long offset = session.begin(true);
            if (offset > 0) {
                ctx.services().metrics().resumed("put");
            }
            long remaining = request.size() - offset;
            reserve(remaining);
            try {
                stored = receiveBody(session, offset, remaining);
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
     * that any refusal leaves the connection in step, and it is verified before it is stored;
     * then stored and published like any other upload. Nothing is kept for a resume: a rerun
     * sends the few bytes again.
     */
    private void receiveEager() throws RefusedException, IOException {
        // Up to 64 KiB each, held until stored: many eager puts at once are held to the budget
        // like other bodies. The body follows the header whatever happens: from here a failure
        // leaves the connection out of step.
        ctx.phase(RequestContext.Phase.RECEIVING);
        ctx.services().buffers().acquire(request.size());
        try {
            receiveEagerBody();
        } finally {
            ctx.services().buffers().release(request.size());
        }
    }

    private void receiveEagerBody() throws RefusedException, IOException {
        byte[] body = in.readNBytes((int) request.size());
        ctx.bytes(body.length);
        lastProgressNanos = System.nanoTime();
        if (body.length < request.size()) {
            throw new java.io.EOFException(
                    "connection closed after " + body.length + " of " + request.size() + " body bytes");
        }
        ctx.phase(RequestContext.Phase.IN_STEP); // the whole body is in: every failure from here is answered
        Md5 actual;
        try (UploadSession session = storage.openUpload(request.path(), sessionIdentity(), request.attributes());
                PathLocks.Held lock = admit(session.key())) {
            MessageDigest digest = Body.newMd5();
            digest.update(body);
            actual = Md5.of(digest.digest());
            if (!actual.equals(request.md5())) {
                throw mismatch(actual);
            }
            reserve(body.length);
            try {
                session.begin(false);
                WritableByteChannel out = session.channel();
                ByteBuffer buf = ByteBuffer.wrap(body);
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
                publish(session, actual);
            } catch (IOException | RefusedException | RuntimeException e) {
                abortQuietly(session, e);
                throw e;
            } finally {
                ctx.services().release(body.length);
            }
        }
        ctx.answer(new Response.PutDone(actual)); // the path free first, as in receive()
    }

    private void reserve(long bytes) throws RefusedException, IOException {
        long usable = storage.usableSpace();
        if (!ctx.services().reserve(bytes, usable)) {
            throw new RefusedException(
                    ErrorCode.NO_SPACE,
                    "the upload needs " + bytes
                            + " bytes but the server has only " + Math.max(0, usable) + " free, some of it promised to "
                            + "uploads in progress");
        }
    }

    /** The path's upload lock, once this upload may go ahead at all (not BUSY, not TOO_LARGE). */
    private PathLocks.Held admit(String key) throws RefusedException, InterruptedIOException {
        PathLocks.Held lock;
        try {
            lock = ctx.services().uploadLocks().tryLock(key, this);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while taking over a stalled upload");
        }
        if (lock == null) {
            throw new RefusedException(ErrorCode.BUSY, "another upload of '" + request.path() + "' is in progress");
        }
        long max = ctx.services().limits().maxFileSize();
        if (request.size() > max) {
            lock.close();
            throw new RefusedException(
                    ErrorCode.TOO_LARGE,
                    "'" + request.path() + "' is " + request.size() + " bytes; this server accepts at most " + max);
        }
        return lock;
    }

    /** Receives, verifies and publishes the body; returns its digest, for the caller to confirm. */
    private Md5 receiveBody(UploadSession session, long offset, long remaining) throws RefusedException, IOException {
        // A resume continues the digest saved with what is held (where parts cannot be read
        // back, as on S3, it must); only without a usable saved state are those bytes read again.
        Md5State md5 = offset > 0 ? resumedDigest(session, offset) : Md5State.create();
        ctx.answer(new Response.PutReady(offset));
        ctx.phase(RequestContext.Phase.RECEIVING);
        lastProgressNanos = System.nanoTime();
        try {
            Body.receive(
                    in,
                    session.channel(),
                    remaining,
                    digestFor(session, md5),
                    n -> {
                        ctx.bytes(n);
                        lastProgressNanos = System.nanoTime();
                    },
                    ctx.services().buffers());
        } catch (IOException | RuntimeException cut) {
            // What arrived stays for a resume; a small upload records what it is only now.
            try {
                session.checkpoint(md5.saveState().orElse(null));
            } catch (IOException e) {
                cut.addSuppressed(e); // not resumable then: the next put starts over
            }
            throw cut;
        }
        ctx.phase(RequestContext.Phase.IN_STEP);
        Md5 actual = Md5.of(md5.digest());
        if (!actual.equals(request.md5())) {
            session.abort();
            throw mismatch(actual);
        }
        publish(session, actual);
        return actual;
    }

    /**
     * What the body is hashed through: {@code md5} itself, or where the backend keeps the state
     * at fixed boundaries (S3's part size), a view of it that hands the session each one.
     */
    private static MessageDigest digestFor(UploadSession session, Md5State md5) {
        long every = session.checkpointInterval();
        return every > 0 && Md5State.canSaveState() ? new BoundaryDigest(md5, every, session::digestAt) : md5;
    }

    /** The digest of the {@code held} bytes: restored from the session's saved state, else hashed again. */
    private Md5State resumedDigest(UploadSession session, long held) throws IOException {
        byte[] saved = session.digestState();
        if (saved != null) {
            try {
                Optional<Md5State> restored = Md5State.restore(saved);
                if (restored.isPresent() && restored.get().length() == held) {
                    LOG.debug(
                            "{} put {}: resumed at {} bytes from the saved MD5 state",
                            ctx.client(),
                            request.path(),
                            held);
                    return restored.get();
                }
            } catch (Md5State.BadStateException e) {
                LOG.warn(
                        "{} put {}: the saved MD5 state is unusable ({}); hashing the {} held bytes again",
                        ctx.client(),
                        request.path(),
                        e.getMessage(),
                        held);
            }
        }
        Md5State md5 = Md5State.create();
        session.hashHeld(md5);
        LOG.debug("{} put {}: resumed at {} bytes by hashing them again", ctx.client(), request.path(), held);
        return md5;
    }

    private RefusedException mismatch(Md5 actual) {
        ctx.services().metrics().checksumMismatch(); // both paths refuse a mismatch through here
        return new RefusedException(
                ErrorCode.CHECKSUM_MISMATCH,
                "the received bytes of '" + request.path() + "' hash to " + actual + ", not " + request.md5()
                        + "; nothing was stored");
    }

    private void publish(UploadSession session, Md5 md5) throws RefusedException, IOException {
        session.publish(md5, UploadSession.Condition.ALWAYS);
    }

    private static void abortQuietly(UploadSession session, Exception cause) {
        try {
            session.abort();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
