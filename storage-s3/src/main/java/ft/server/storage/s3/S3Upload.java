package ft.server.storage.s3;

import com.fasterxml.jackson.annotation.JsonProperty;
import ft.protocol.ErrorCode;
import ft.protocol.FileAttributes;
import ft.protocol.Md5;
import ft.server.RefusedException;
import ft.server.storage.UploadSession;
import ft.server.storage.Version;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * One upload to an S3 key.
 *
 * <p>Up to the part size: the bytes are kept in memory and sent as one PutObject at publish, with
 * Content-MD5 (the store checks them too) and ft's metadata. Nothing to resume: a single PUT is
 * atomic and a cut one sends its few bytes again.
 *
 * <p>Larger: a multipart upload created with ft's metadata (the MD5 the whole file must have),
 * parts of exactly the part size cut from the stream and uploaded by a worker while the next
 * fills (two part buffers at most). Once a part is uploaded and the digest state at its end is
 * known ({@link #digestAt}), the sidecar {@code .ft/uploads/<sha256(uploadId)>.json} records how
 * many parts are whole and that state, so that any server can resume: it finds the upload with
 * ListMultipartUploads, checks the sidecar's identity and ListParts, and continues after the last
 * part both agree on. Publish completes the upload (atomic); the lease ({@link Leases}) is
 * checked before each sidecar write and before completing.
 */
final class S3Upload implements UploadSession {
    private static final Logger LOG = LoggerFactory.getLogger(S3Upload.class);

    /** What a sidecar holds: the upload's identity and how far it may be resumed. */
    record Sidecar(
            String key,
            @JsonProperty("upload_id") String uploadId,
            long size,
            String md5,
            @JsonProperty("part_size") long partSize,
            int parts,
            String state,
            Long mtime,
            Integer mode) {}

    private final S3Storage storage;
    private final S3Storage.Shared shared;
    private final String path;
    private final String key;
    private final Identity identity;
    private final FileAttributes attributes;
    private final boolean multipart;
    private final long partSize;

    // A small upload's bytes.
    private byte[] small;
    private int smallLength;

    // A multipart upload's state. Guarded by this: etags, states, savedParts, savedState.
    private String uploadId;
    /** Part number -> ETag of every whole part uploaded (or found on resume). */
    private final TreeMap<Integer, String> etags = new TreeMap<>();
    /** Digest states at part boundaries not yet recorded in the sidecar. */
    private final TreeMap<Long, byte[]> states = new TreeMap<>();

    private int savedParts;
    private byte[] savedState;
    /** Bytes of the file received (resumed ones included). */
    private long written;

    private byte[] buffer;
    private int fill;
    private ExecutorService worker;
    /** One part on its way to S3 while the next fills. */
    /**
     * Parts on their way to S3 at once, each on its own virtual thread: one request at a time
     * left the put at about the speed of one S3 request stream (the AWS CLI sends 10). Each holds
     * its part's buffer, so an upload holds at most this many plus the one filling.
     */
    static final int PARTS_IN_FLIGHT = 3;

    private final Semaphore uploading = new Semaphore(PARTS_IN_FLIGHT);

    /**
     * Part buffers back from S3, filled again rather than dropped: a new 8 MiB array per part
     * grew the server's heap to 3.8 GiB over one 1 GiB put (the serial collector let the
     * garbage pile up); this keeps an upload at its {@code PARTS_IN_FLIGHT + 1} buffers.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> spare =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private volatile Throwable failure;
    private boolean finished;
    private volatile boolean closed;

    S3Upload(
            S3Storage storage,
            String path,
            String key,
            Identity identity,
            FileAttributes attributes,
            boolean multipart) {
        this.storage = storage;
        this.shared = storage.shared();
        this.path = path;
        this.key = key;
        this.identity = identity;
        this.attributes = attributes;
        this.multipart = multipart;
        this.partSize = partSizeFor(identity.size(), shared.settings.partSize());
    }

    /** S3's limit on parts per upload. */
    static final long MAX_PARTS = 10_000;

    /** The largest part ft cuts (one byte array; S3 itself allows 5 GiB). */
    static final long MAX_PART_SIZE = 1L << 30;

    /**
     * The part size of an upload of {@code size} bytes: the configured one, or for a file that
     * would need more than {@link #MAX_PARTS} of those, the smallest whole number of MiB that
     * fits it in that many. It depends on nothing but the two, so every server sharing the
     * store's settings cuts the same parts and can resume the others' uploads.
     */
    static long partSizeFor(long size, long configured) {
        if (size <= configured * MAX_PARTS) {
            return configured;
        }
        long mib = 1L << 20;
        long needed = (size + MAX_PARTS - 1) / MAX_PARTS;
        return (needed + mib - 1) / mib * mib;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public long checkpointInterval() {
        return multipart ? partSize : 0;
    }

    String uploadId() {
        return uploadId;
    }

    @Override
    public long begin(boolean resume) throws IOException {
        if (!multipart) {
            small = new byte[(int) identity.size()];
            smallLength = 0;
            written = 0;
            return 0;
        }
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(
                    Thread.ofVirtual().name("ft-s3-parts").factory());
        }
        buffer = null;
        fill = 0;
        MultipartUpload best = null;
        Sidecar bestSidecar = null;
        List<MultipartUpload> others = new ArrayList<>();
        for (MultipartUpload u : storage.listUploads(key)) {
            if (!u.key().equals(key)) {
                continue; // a longer key with this one as prefix
            }
            Sidecar sc = resume ? readSidecar(u.uploadId()) : null;
            if (sc != null && matches(sc) && (bestSidecar == null || sc.parts() > bestSidecar.parts())) {
                if (best != null) {
                    others.add(best);
                }
                best = u;
                bestSidecar = sc;
            } else {
                others.add(u);
            }
        }
        // We hold the name's lease: uploads of other identities (or older copies of this one) are
        // nobody's any more.
        for (MultipartUpload u : others) {
            LOG.info("s3: aborting an abandoned upload of {} ({})", key, u.uploadId());
            storage.abortUpload(key, u.uploadId());
            shared.deleteObject(shared.sidecarKey(u.uploadId()));
        }
        if (best != null && resumeFrom(best.uploadId(), bestSidecar)) {
            return written;
        }
        if (best != null) {
            storage.abortUpload(key, best.uploadId());
            shared.deleteObject(shared.sidecarKey(best.uploadId()));
        }
        create();
        return 0;
    }

    private boolean matches(Sidecar sc) {
        return key.equals(sc.key())
                && sc.size() == identity.size()
                && identity.md5().hex().equalsIgnoreCase(String.valueOf(sc.md5()))
                && sc.partSize() == partSize
                && Objects.equals(sc.mtime(), attributes == null ? null : attributes.mtime())
                && Objects.equals(sc.mode(), attributes == null ? null : attributes.mode());
    }

    /** Continues {@code id} after the whole parts that both ListParts and the sidecar vouch for. */
    private boolean resumeFrom(String id, Sidecar sc) throws IOException {
        Map<Integer, Part> parts = listParts(id);
        int whole = 0;
        while (whole < sc.parts()) {
            Part p = parts.get(whole + 1);
            if (p == null || p.size() == null || p.size() != partSize) {
                break;
            }
            whole++;
        }
        if (whole < sc.parts()) {
            // The saved state is for sc.parts() parts; without them it is of no use.
            LOG.warn("s3: the upload of {} lacks parts its sidecar recorded; starting over", key);
            return false;
        }
        synchronized (this) {
            uploadId = id;
            etags.clear();
            for (int i = 1; i <= whole; i++) {
                etags.put(i, parts.get(i).eTag());
            }
            savedParts = whole;
            savedState = sc.state() == null ? null : Base64.getDecoder().decode(sc.state());
            states.clear();
        }
        written = (long) whole * partSize;
        LOG.debug("s3: resuming the upload of {} at part {} ({} bytes)", key, whole + 1, written);
        return true;
    }

    private Map<Integer, Part> listParts(String id) throws IOException {
        Map<Integer, Part> all = new TreeMap<>();
        Integer marker = null;
        for (int pages = 0; pages < 1000; pages++) {
            Integer m = marker;
            ListPartsResponse r;
            try {
                r = shared.s3.listParts(
                        b -> b.bucket(shared.bucket).key(key).uploadId(id).partNumberMarker(m));
            } catch (SdkException e) {
                throw S3Storage.io("list the parts of " + key, e);
            }
            for (Part p : r.parts()) {
                all.put(p.partNumber(), p);
            }
            if (!Boolean.TRUE.equals(r.isTruncated())) {
                break;
            }
            marker = r.nextPartNumberMarker();
        }
        return all;
    }

    private void create() throws IOException {
        String id;
        try {
            id = shared.s3
                    .createMultipartUpload(b ->
                            b.bucket(shared.bucket).key(key).metadata(S3Storage.metadata(identity.md5(), attributes)))
                    .uploadId();
        } catch (SdkException e) {
            throw S3Storage.io("start the upload of " + key, e);
        }
        synchronized (this) {
            uploadId = id;
            etags.clear();
            states.clear();
            savedParts = 0;
            savedState = null;
        }
        written = 0;
        writeSidecar(0, null);
    }

    private Sidecar readSidecar(String id) throws IOException {
        try {
            return shared.readJson(shared.sidecarKey(id), Sidecar.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            return null; // unreadable: not resumable
        }
    }

    private void writeSidecar(int parts, byte[] state) throws IOException {
        shared.writeJson(
                shared.sidecarKey(uploadId),
                new Sidecar(
                        key,
                        uploadId,
                        identity.size(),
                        identity.md5().hex(),
                        partSize,
                        parts,
                        state == null ? null : Base64.getEncoder().encodeToString(state),
                        attributes == null ? null : attributes.mtime(),
                        attributes == null ? null : attributes.mode()));
    }

    @Override
    public long held() {
        return multipart ? written : smallLength;
    }

    @Override
    public synchronized byte[] digestState() {
        return savedState == null ? null : savedState.clone();
    }

    @Override
    public void hashHeld(MessageDigest md5) throws IOException {
        if (held() > 0) {
            throw new IOException("the parts of an S3 upload cannot be read back before it completes; "
                    + "resuming needs the digest state saved with them");
        }
    }

    @Override
    public WritableByteChannel channel() {
        return new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                return S3Upload.this.write(src);
            }

            @Override
            public boolean isOpen() {
                return !closed;
            }

            @Override
            public void close() {}
        };
    }

    private int write(ByteBuffer src) throws IOException {
        throwIfFailed();
        int n = src.remaining();
        if (written + n > identity.size()) {
            throw new IOException("more bytes for " + path + " than the " + identity.size() + " announced");
        }
        if (!multipart) {
            src.get(small, smallLength, n);
            smallLength += n;
            written += n;
            return n;
        }
        while (src.hasRemaining()) {
            if (buffer == null) {
                byte[] reused = spare.poll();
                buffer = reused != null ? reused : new byte[(int) partSize];
                fill = 0;
            }
            int k = (int) Math.min(src.remaining(), partSize - fill);
            src.get(buffer, fill, k);
            fill += k;
            written += k;
            if (fill == partSize) {
                submitPart();
            }
        }
        return n;
    }

    /**
     * Sends the filled buffer on a thread of its own, waiting while {@link #PARTS_IN_FLIGHT} are
     * on their way; the sidecar is then brought up to date on the worker, in order.
     */
    private void submitPart() throws IOException {
        byte[] data = buffer;
        int length = fill;
        int number = (int) ((written - length) / partSize) + 1;
        buffer = null;
        fill = 0;
        try {
            uploading.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for part " + (number - 1) + " to upload");
        }
        Thread.ofVirtual().name("ft-s3-part").start(() -> {
            try {
                uploadPart(number, data, length);
                if (!closed) {
                    spare.offer(data);
                }
                // Queued before the permit goes back: whoever waits for the parts (close, drain)
                // then finds the sidecar's update already on the worker, ahead of its shutdown.
                worker.execute(this::saveSidecarQuietly);
            } catch (RejectedExecutionException closedMeanwhile) {
                // The session ended: nothing more to record.
            } catch (Throwable t) {
                fail(t);
            } finally {
                uploading.release();
            }
        });
    }

    private void uploadPart(int number, byte[] data, int length) throws IOException {
        String id = uploadId;
        UploadPartResponse r;
        try {
            r = shared.s3.uploadPart(
                    b -> {
                        b.bucket(shared.bucket)
                                .key(key)
                                .uploadId(id)
                                .partNumber(number)
                                .contentLength((long) length);
                        if (shared.settings.checksumsWhenRequired()) {
                            // No SDK checksum then: let the store check the part's MD5 instead.
                            MessageDigest md5 = ft.transfer.Body.newMd5();
                            md5.update(data, 0, length);
                            b.contentMD5(Base64.getEncoder().encodeToString(md5.digest()));
                        }
                    },
                    RequestBody.fromContentProvider(
                            () -> new ByteArrayInputStream(data, 0, length), length, "application/octet-stream"));
        } catch (SdkException e) {
            throw S3Storage.io("upload part " + number + " of " + key, e);
        }
        if (length == partSize) {
            synchronized (this) {
                etags.put(number, r.eTag());
            }
        } else {
            synchronized (this) {
                lastPart = number;
                lastEtag = r.eTag();
            }
        }
    }

    /** The short last part, which never counts for a resume. */
    private int lastPart;

    private String lastEtag;

    private void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
    }

    private void throwIfFailed() throws IOException {
        Throwable t = failure;
        if (t instanceof IOException io) {
            throw new IOException(io.getMessage(), io);
        }
        if (t != null) {
            throw new IOException("uploading to S3 failed: " + t, t);
        }
    }

    @Override
    public void digestAt(long offset, byte[] state) {
        if (!multipart || finished || state == null) {
            return;
        }
        synchronized (this) {
            if (offset <= (long) savedParts * partSize) {
                return;
            }
            states.put(offset, state.clone());
        }
        try {
            worker.execute(this::saveSidecarQuietly);
        } catch (RejectedExecutionException closedMeanwhile) {
            // The session ended: nothing more to record.
        }
    }

    private void saveSidecarQuietly() {
        try {
            saveSidecar();
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    /**
     * Records the furthest boundary up to which every part is uploaded and whose digest state is
     * known (on the worker, so sidecar writes follow the part uploads in order).
     */
    private void saveSidecar() throws IOException {
        long boundary;
        byte[] state;
        synchronized (this) {
            if (finished || uploadId == null) {
                return;
            }
            int contiguous = savedParts;
            while (etags.containsKey(contiguous + 1)) {
                contiguous++;
            }
            Map.Entry<Long, byte[]> e = states.floorEntry((long) contiguous * partSize);
            if (e == null || e.getKey() <= (long) savedParts * partSize) {
                return;
            }
            boundary = e.getKey();
            state = e.getValue();
        }
        shared.leases.verify(key);
        int parts = (int) (boundary / partSize);
        writeSidecar(parts, state);
        synchronized (this) {
            savedParts = parts;
            savedState = state;
            states.headMap(boundary, true).clear();
        }
    }

    /** Waits until every part sent so far is uploaded and the worker has recorded it in the sidecar. */
    private void drain() throws IOException {
        if (worker == null) {
            return;
        }
        try {
            awaitParts(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while parts of " + path + " were uploading");
        }
        Future<?> done;
        try {
            done = worker.submit(this::saveSidecarQuietly);
        } catch (RejectedExecutionException e) {
            throw new IOException("the upload of " + path + " is closed", e);
        }
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while parts of " + path + " were uploading");
        } catch (ExecutionException e) {
            throw new IOException("uploading to S3 failed", e.getCause());
        }
    }

    @Override
    public void checkpoint(byte[] digestState) throws IOException {
        if (!multipart || finished) {
            return; // a small upload is sent whole or not at all
        }
        synchronized (this) {
            if (digestState != null && fill == 0 && written % partSize == 0 && written > (long) savedParts * partSize) {
                states.put(written, digestState.clone());
            }
        }
        drain();
        throwIfFailed();
    }

    @Override
    public Version publish(Md5 md5, Condition condition) throws RefusedException, IOException {
        throwIfFailed();
        if (finished) {
            throw new IllegalStateException("the upload of " + path + " is already published or aborted");
        }
        return multipart ? publishMultipart(md5, condition) : publishSmall(md5, condition);
    }

    private Version publishSmall(Md5 md5, Condition condition) throws RefusedException, IOException {
        int length = smallLength;
        byte[] body = small;
        String contentMd5 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(md5.hex()));
        PutObjectRequest.Builder request = PutObjectRequest.builder()
                .bucket(shared.bucket)
                .key(key)
                .metadata(S3Storage.metadata(md5, attributes))
                .contentMD5(contentMd5)
                .contentLength((long) length);
        applyCondition(condition, request::ifNoneMatch, request::ifMatch);
        try {
            shared.s3.putObject(
                    request.build(),
                    RequestBody.fromContentProvider(
                            () -> new ByteArrayInputStream(body, 0, length), length, "application/octet-stream"));
        } catch (S3Exception e) {
            RefusedException refused = conditionFailed(e, condition);
            if (refused != null) {
                throw refused;
            }
            throw S3Storage.io("store " + key, e);
        } catch (SdkException e) {
            throw S3Storage.io("store " + key, e);
        }
        finished = true;
        small = null;
        return publishedVersion();
    }

    private Version publishMultipart(Md5 md5, Condition condition) throws RefusedException, IOException {
        if (!md5.equals(identity.md5())) {
            abort();
            throw new IOException("the upload of " + path + " was started for MD5 " + identity.md5() + ", not " + md5);
        }
        if (written != identity.size()) {
            throw new IOException("the upload of " + path + " holds " + written + " of " + identity.size() + " bytes");
        }
        if (fill > 0) {
            submitPart();
        }
        drain();
        throwIfFailed();
        shared.leases.verify(key);
        List<CompletedPart> parts = new ArrayList<>();
        int count = (int) ((identity.size() + partSize - 1) / partSize);
        synchronized (this) {
            for (int i = 1; i <= count; i++) {
                String etag = etags.get(i);
                if (etag == null && i == lastPart) {
                    etag = lastEtag;
                }
                if (etag == null) {
                    throw new IOException("part " + i + " of " + path + " is missing from its S3 upload");
                }
                parts.add(CompletedPart.builder().partNumber(i).eTag(etag).build());
            }
        }
        CompleteMultipartUploadRequest.Builder request = CompleteMultipartUploadRequest.builder()
                .bucket(shared.bucket)
                .key(key)
                .uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts));
        applyCondition(condition, request::ifNoneMatch, request::ifMatch);
        try {
            shared.s3.completeMultipartUpload(request.build());
        } catch (S3Exception e) {
            RefusedException refused = conditionFailed(e, condition);
            if (refused != null) {
                throw refused;
            }
            throw S3Storage.io("complete the upload of " + key, e);
        } catch (SdkException e) {
            throw S3Storage.io("complete the upload of " + key, e);
        }
        finished = true;
        shared.deleteObject(shared.sidecarKey(uploadId));
        return publishedVersion();
    }

    private static void applyCondition(
            Condition condition,
            java.util.function.Consumer<String> ifNoneMatch,
            java.util.function.Consumer<String> ifMatch) {
        switch (condition) {
            case Condition.Always a -> {}
            case Condition.CreateOnly c -> ifNoneMatch.accept("*");
            case Condition.IfVersion v -> ifMatch.accept(v.version().tag());
        }
    }

    /**
     * A conditional write the store turned down: 412 (or 404 for If-Match on a missing key) is the
     * condition failing; the upload is aborted, since it cannot be published under it.
     */
    private RefusedException conditionFailed(S3Exception e, Condition condition) {
        boolean failed = e.statusCode() == 412
                || (condition instanceof Condition.IfVersion
                        && e.statusCode() == 404
                        && !"NoSuchUpload".equals(errorCode(e)));
        if (!failed) {
            return null;
        }
        try {
            abort();
        } catch (IOException ex) {
            e.addSuppressed(ex);
        }
        return switch (condition) {
            case Condition.CreateOnly c -> new RefusedException(ErrorCode.EXISTS, "'" + path + "' exists");
            default -> new RefusedException(ErrorCode.BUSY, "'" + path + "' changed while it was being uploaded");
        };
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private Version publishedVersion() throws IOException {
        HeadObjectResponse h = shared.head(key);
        if (h == null) {
            throw new IOException("'" + path + "' vanished right after it was stored");
        }
        return S3Storage.version(h.contentLength(), h.lastModified(), h.eTag());
    }

    @Override
    public void abort() throws IOException {
        boolean wasFinished = finished;
        finished = true;
        small = null;
        buffer = null;
        if (!multipart || wasFinished) {
            return;
        }
        stopWorker();
        if (uploadId != null) {
            storage.abortUpload(key, uploadId);
            shared.deleteObject(shared.sidecarKey(uploadId));
        }
    }

    /** Waits (at most {@code seconds}) until no part is on its way; false if some still are. */
    private boolean awaitParts(long seconds) throws InterruptedException {
        if (!uploading.tryAcquire(PARTS_IN_FLIGHT, seconds, TimeUnit.SECONDS)) {
            return false;
        }
        uploading.release(PARTS_IN_FLIGHT);
        return true;
    }

    private void stopWorker() {
        if (worker == null) {
            return;
        }
        try {
            awaitParts(120);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.shutdown();
        try {
            if (!worker.awaitTermination(2, TimeUnit.MINUTES)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.shutdownNow();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        small = null;
        buffer = null;
        spare.clear();
        if (multipart) {
            // What reached S3 and the sidecar stays for a resume (any server's); the lease goes.
            stopWorker();
            shared.leases.release(key);
        }
    }
}
