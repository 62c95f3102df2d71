package ft.server.storage.s3;

import com.fasterxml.jackson.databind.ObjectMapper;
import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.FileAttributes;
import ft.protocol.Md5;
import ft.server.RefusedException;
import ft.server.storage.Capabilities;
import ft.server.storage.Entry;
import ft.server.storage.ListPage;
import ft.server.storage.ReadHandle;
import ft.server.storage.Storage;
import ft.server.storage.StoreUnavailableException;
import ft.server.storage.UploadSession;
import ft.server.storage.Version;
import ft.server.storage.VersionChangedException;
import ft.transfer.Body;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;

/**
 * ft's {@link Storage} on an S3-compatible object store: one bucket, an optional key prefix.
 *
 * <p>Object key = prefix + client path. Directories are zero-byte marker objects {@code dir/}
 * (made by mkdir) or exist implicitly while any key lies below them. ft's own state lives under
 * {@code PREFIX/.ft/} (upload sidecars, leases, digests of foreign objects, tree-move journals),
 * never listed; client paths whose first segment is {@code .ft} are refused at the store's top.
 *
 * <p>Every object ft writes carries its MD5 as user metadata {@code ft-md5} (an ETag is not an
 * MD5 for multipart uploads), and {@code ft-mtime}/{@code ft-mode} when the client gave them.
 * Files up to the part size are one PutObject with Content-MD5; larger ones a multipart upload
 * that any server sharing the bucket can resume (see {@link S3Upload}), guarded by a lease
 * object so that two servers never feed one name at once.
 *
 * <p>Credentials and region come from the AWS SDK's default providers only.
 */
public final class S3Storage implements Storage, Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(S3Storage.class);

    static final String MD5_META = "ft-md5";
    static final String MTIME_META = "ft-mtime";
    static final String MODE_META = "ft-mode";
    /** The largest object one CopyObject can copy; beyond it, UploadPartCopy. */
    static final long COPY_LIMIT = 5L * 1024 * 1024 * 1024;

    /** What the store's top instance and its user roots share: one client, one state area, one lease table. */
    static final class Shared {
        final S3Client s3;
        final S3Settings settings;
        final String bucket;
        /** {@code PREFIX/.ft/}: ft's own objects. */
        final String statePrefix;
        /** Who this server is in lease objects: unique per process start. */
        final String serverId;

        final S3Clients.Timing timing;
        final ObjectMapper json = new ObjectMapper();
        final ScheduledExecutorService scheduler;
        final Leases leases;
        /** Tests only: called after each copy of a tree move, to interrupt it there. */
        volatile IntConsumer treeMoveCopied = n -> {};

        Shared(S3Client s3, S3Settings settings, String bucket, String statePrefix, S3Clients.Timing timing) {
            this.s3 = s3;
            this.settings = settings;
            this.bucket = bucket;
            this.statePrefix = statePrefix;
            this.timing = timing;
            this.serverId = hostName() + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID();
            this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ft-s3-leases");
                t.setDaemon(true);
                return t;
            });
            this.leases = new Leases(this);
        }

        String sidecarKey(String uploadId) {
            return statePrefix + "uploads/" + sha256(uploadId) + ".json";
        }

        String digestKey(String key) {
            return statePrefix + "md5/" + key;
        }

        String journalKey(String fromPrefix) {
            return statePrefix + "moves/" + sha256(fromPrefix) + ".json";
        }

        // ------------------------------------------------------------------ small JSON objects under .ft/

        <T> T readJson(String key, Class<T> type) throws IOException {
            byte[] body = readSmall(key);
            return body == null ? null : json.readValue(body, type);
        }

        /** A small object's bytes, or null if there is none. */
        byte[] readSmall(String key) throws IOException {
            try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(key))) {
                return in.readAllBytes();
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    return null;
                }
                throw io("read " + key, e);
            } catch (SdkException e) {
                throw io("read " + key, e);
            }
        }

        void writeJson(String key, Object value) throws IOException {
            byte[] body = json.writeValueAsBytes(value);
            try {
                s3.putObject(
                        b -> b.bucket(bucket).key(key).contentType("application/json"), RequestBody.fromBytes(body));
            } catch (SdkException e) {
                throw io("write " + key, e);
            }
        }

        /** HeadObject, or null when there is no such object. */
        HeadObjectResponse head(String key) throws IOException {
            try {
                return s3.headObject(b -> b.bucket(bucket).key(key));
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    return null;
                }
                throw io("stat " + key, e);
            } catch (SdkException e) {
                throw io("stat " + key, e);
            }
        }

        void deleteObject(String key) throws IOException {
            try {
                s3.deleteObject(b -> b.bucket(bucket).key(key));
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw io("delete " + key, e);
                }
            } catch (SdkException e) {
                throw io("delete " + key, e);
            }
        }
    }

    private final Shared shared;
    /** "" or "some/prefix/": prepended to client paths. */
    private final String keyPrefix;

    private final boolean top;
    private final S3DigestStore digests;

    private S3Storage(Shared shared, String keyPrefix, boolean top) {
        this.shared = shared;
        this.keyPrefix = keyPrefix;
        this.top = top;
        this.digests = new S3DigestStore(shared);
    }

    /**
     * Opens the store at {@code location}: builds the client (credentials and region from the SDK's
     * default providers) without contacting the store; {@link #probe()} does.
     */
    public static S3Storage open(S3Location location, S3Settings settings) {
        S3Clients.Timing timing = new S3Clients.Timing();
        S3Client s3 = S3Clients.create(settings, timing);
        String prefix = location.prefix().isEmpty() ? "" : location.prefix() + "/";
        return new S3Storage(new Shared(s3, settings, location.bucket(), prefix + ".ft/", timing), prefix, true);
    }

    /**
     * A user's root: the sub-prefix {@code relative} of this store, sharing its client, state and
     * leases.
     *
     * @throws IllegalArgumentException for an empty, absolute or '..'-bearing path
     */
    public S3Storage userRoot(String relative) {
        if (relative == null || relative.isEmpty() || relative.startsWith("/") || relative.endsWith("/")) {
            throw new IllegalArgumentException(
                    "a user root is a relative path like 'users/ann', not '" + relative + "'");
        }
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException(
                        "the user root '" + relative + "' has an empty, '.' or '..' segment");
            }
        }
        if (top && relative.split("/", -1)[0].equals(".ft")) {
            throw new IllegalArgumentException("'.ft' holds ft's own state and cannot be a user root");
        }
        return new S3Storage(shared, keyPrefix + relative + "/", false);
    }

    /**
     * Tells {@code listener} the S3 operation's name ("PutObject", ...) and its duration in
     * nanoseconds after each S3 call of this store and its user roots, successful or not.
     */
    public void onRequest(BiConsumer<String, Long> listener) {
        shared.timing.add(listener);
    }

    /** Tests: told (S3 operation, object key) before each call. */
    void onRequestKey(BiConsumer<String, String> listener) {
        shared.timing.addKeyListener(listener);
    }

    /** Tests: told each HTTP request as it is sent. */
    void onHttpRequest(java.util.function.Consumer<software.amazon.awssdk.http.SdkHttpRequest> listener) {
        shared.timing.addHttpListener(listener);
    }

    S3Settings settings() {
        return shared.settings;
    }

    Shared shared() {
        return shared;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(false, false, shared.settings.partSize(), false);
    }

    @Override
    public String backendName() {
        return "s3";
    }

    @Override
    public long usableSpace() {
        // S3 answers no quota question; report plenty, as a bucket has no size limit of its own.
        return Long.MAX_VALUE / 4;
    }

    @Override
    public void probe() throws IOException {
        try {
            shared.s3.listObjectsV2(
                    b -> b.bucket(shared.bucket).prefix(keyPrefix).maxKeys(1));
        } catch (SdkException e) {
            throw io("reach s3://" + shared.bucket + "/" + keyPrefix, e);
        }
    }

    // ------------------------------------------------------------------ paths

    /** The object key of a client path; refuses what the store cannot hold. */
    String key(String path) throws RefusedException {
        check(path);
        return keyPrefix + path;
    }

    /** The key prefix of the directory at {@code path} ("" is this store's top). */
    String dirPrefix(String path) throws RefusedException {
        check(path);
        return path.isEmpty() ? keyPrefix : keyPrefix + path + "/";
    }

    private void check(String path) throws RefusedException {
        if (path == null) {
            throw new RefusedException(ErrorCode.BAD_REQUEST, "no path given");
        }
        if (path.isEmpty()) {
            return;
        }
        String[] segments = path.split("/", -1);
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new RefusedException(ErrorCode.BAD_REQUEST, "'" + path + "' is not a valid path");
            }
        }
        if (top && segments[0].equals(".ft")) {
            throw new RefusedException(ErrorCode.ACCESS_DENIED, "'" + path + "' is reserved for the server's state");
        }
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    private static String join(String dir, String name) {
        if (name.isEmpty()) {
            return dir;
        }
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    // ------------------------------------------------------------------ stat

    HeadObjectResponse head(String key) throws IOException {
        return shared.head(key);
    }

    void deleteObject(String key) throws IOException {
        shared.deleteObject(key);
    }

    <T> T readJson(String key, Class<T> type) throws IOException {
        return shared.readJson(key, type);
    }

    void writeJson(String key, Object value) throws IOException {
        shared.writeJson(key, value);
    }

    /** Whether any key starts with {@code prefix} (a directory's marker or content). */
    private boolean anyKeyUnder(String prefix) throws IOException {
        try {
            return shared.s3
                            .listObjectsV2(
                                    b -> b.bucket(shared.bucket).prefix(prefix).maxKeys(1))
                            .keyCount()
                    > 0;
        } catch (SdkException e) {
            throw io("list " + prefix, e);
        }
    }

    @Override
    public Entry stat(String path) throws RefusedException, IOException {
        Entry e = statOrNull(path);
        if (e == null) {
            throw new RefusedException(ErrorCode.NOT_FOUND, "'" + path + "' does not exist");
        }
        return e;
    }

    /** What {@code path} is, or null if nothing. A file wins over a directory of the same name. */
    private Entry statOrNull(String path) throws RefusedException, IOException {
        if (path.isEmpty()) {
            check(path);
            return new Entry("", EntryType.DIR, 0, 0, null, null);
        }
        HeadObjectResponse h = head(key(path));
        if (h != null) {
            return fileEntry(name(path), h);
        }
        if (anyKeyUnder(dirPrefix(path))) {
            return new Entry(name(path), EntryType.DIR, 0, 0, null, null);
        }
        return null;
    }

    static Entry fileEntry(String name, HeadObjectResponse h) {
        Map<String, String> meta = h.metadata();
        long lastModified = h.lastModified().toEpochMilli();
        long mtime = parseLong(meta.get(MTIME_META), lastModified);
        Integer mode = null;
        String m = meta.get(MODE_META);
        if (m != null) {
            try {
                mode = Integer.parseInt(m, 8) & FileAttributes.PERMISSION_BITS;
            } catch (NumberFormatException ignored) {
                // Not ft's: no mode then.
            }
        }
        return new Entry(
                name,
                EntryType.FILE,
                h.contentLength(),
                mtime,
                mode,
                version(h.contentLength(), h.lastModified(), h.eTag()));
    }

    /**
     * A version from what both HeadObject and a listing tell: size, last modification in whole seconds
     * (HTTP dates have no more) and the ETag.
     */
    static Version version(long size, Instant lastModified, String etag) {
        return new Version(size, lastModified.getEpochSecond() * 1000, etag);
    }

    private static long parseLong(String s, long otherwise) {
        if (s == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    // ------------------------------------------------------------------ list and walk

    @Override
    public ListPage list(String directory, String pageToken, int limit) throws RefusedException, IOException {
        String prefix = dirPrefix(directory);
        ListObjectsV2Response r;
        try {
            r = shared.s3.listObjectsV2(b -> b.bucket(shared.bucket)
                    .prefix(prefix)
                    .delimiter("/")
                    .maxKeys(Math.max(1, Math.min(limit, 1000)))
                    .continuationToken(pageToken));
        } catch (SdkException e) {
            throw io("list " + prefix, e);
        }
        List<Entry> entries = new ArrayList<>();
        for (CommonPrefix cp : r.commonPrefixes()) {
            String name = cp.prefix().substring(prefix.length(), cp.prefix().length() - 1);
            if (top && directory.isEmpty() && name.equals(".ft")) {
                continue; // ft's own state, never listed
            }
            if (!name.isEmpty()) {
                entries.add(new Entry(name, EntryType.DIR, 0, 0, null, null));
            }
        }
        for (S3Object o : r.contents()) {
            if (o.key().equals(prefix)) {
                continue; // the directory's own marker
            }
            String name = o.key().substring(prefix.length());
            entries.add(new Entry(
                    name,
                    EntryType.FILE,
                    o.size(),
                    o.lastModified().toEpochMilli(),
                    null,
                    version(o.size(), o.lastModified(), o.eTag())));
        }
        entries.sort(Comparator.comparing(Entry::name));
        if (pageToken == null && r.keyCount() == 0 && !directory.isEmpty()) {
            // Nothing below, not even a marker: no directory here.
            if (head(key(directory)) != null) {
                throw new RefusedException(ErrorCode.NOT_A_DIRECTORY, "'" + directory + "' is a file");
            }
            throw new RefusedException(ErrorCode.NOT_FOUND, "'" + directory + "' does not exist");
        }
        return new ListPage(entries, Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null);
    }

    @Override
    public void walk(String directory, String startBelow, Walker walker) throws RefusedException, IOException {
        Entry base = stat(directory);
        if (base.type() != EntryType.DIR) {
            throw new RefusedException(ErrorCode.NOT_A_DIRECTORY, "'" + directory + "' is not a directory");
        }
        boolean startExists = startBelow.isEmpty() || isDirectory(join(directory, startBelow));
        walker.begin();
        if (startExists) {
            walkDirectory(join(directory, startBelow), startBelow, walker, 0);
        }
    }

    private boolean isDirectory(String path) throws RefusedException, IOException {
        return head(key(path)) == null && anyKeyUnder(dirPrefix(path));
    }

    private void walkDirectory(String path, String relative, Walker walker, int depth)
            throws RefusedException, IOException {
        if (depth > 1000) {
            throw new IOException("the tree below '" + path + "' is more than 1000 levels deep");
        }
        String token = null;
        do {
            ListPage page = list(path, token, 1000);
            for (Entry e : page.entries()) {
                String r = join(relative, e.name());
                boolean into = walker.visit(r, e);
                if (e.type() == EntryType.DIR && into) {
                    walkDirectory(join(path, e.name()), r, walker, depth + 1);
                }
            }
            token = page.nextToken();
        } while (token != null);
    }

    // ------------------------------------------------------------------ read

    @Override
    public Md5 digest(String path, Version version, Progress progress) throws RefusedException, IOException {
        String key = key(path);
        HeadObjectResponse h;
        try {
            h = shared.s3.headObject(b -> b.bucket(shared.bucket).key(key).ifMatch(version.tag()));
        } catch (S3Exception e) {
            throw changedOr(e, path, "stat " + key);
        } catch (SdkException e) {
            throw io("stat " + key, e);
        }
        String own = h.metadata().get(MD5_META);
        if (own != null && Md5.isValid(own)) {
            return new Md5(own);
        }
        Md5 known = digests.find(key, version.tag());
        if (known != null) {
            return known;
        }
        Md5 computed = hashObject(key, path, version, progress);
        digests.save(key, version.tag(), computed);
        return computed;
    }

    /** Reads the whole object (that version only) once to hash it: a foreign object has no ft-md5. */
    private Md5 hashObject(String key, String path, Version version, Progress progress) throws IOException {
        MessageDigest md5 = Body.newMd5();
        long done = 0;
        long every =
                progress == null ? Long.MAX_VALUE : Math.max(1, progress.every().toNanos());
        long next = System.nanoTime() + every;
        try (ResponseInputStream<GetObjectResponse> in =
                shared.s3.getObject(b -> b.bucket(shared.bucket).key(key).ifMatch(version.tag()))) {
            byte[] buf = new byte[256 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md5.update(buf, 0, n);
                done += n;
                if (progress != null && System.nanoTime() > next) {
                    progress.reporter().stillHashing(done, version.size());
                    next = System.nanoTime() + every;
                }
            }
        } catch (S3Exception e) {
            throw changedOr(e, path, "read " + key);
        } catch (SdkException e) {
            throw io("read " + key, e);
        }
        LOG.debug("s3: hashed the foreign object {} ({} bytes) once", key, done);
        return Md5.of(md5.digest());
    }

    @Override
    public ReadHandle openRead(String path, Version version, long offset) throws RefusedException, IOException {
        return new S3ReadHandle(this, key(path), path, version, offset);
    }

    /** A 412 or 404 on a conditional request: the version asked for is no longer there. */
    IOException changedOr(S3Exception e, String path, String what) {
        if (e.statusCode() == 412 || e.statusCode() == 404) {
            return new VersionChangedException("'" + path + "' changed or is gone since it was looked at");
        }
        return io(what, e);
    }

    // ------------------------------------------------------------------ upload

    @Override
    public UploadSession openUpload(String path, UploadSession.Identity identity, FileAttributes attributes)
            throws RefusedException, IOException {
        if (path.isEmpty()) {
            throw new RefusedException(ErrorCode.IS_A_DIRECTORY, "'' is a directory");
        }
        String key = key(path);
        if (anyKeyUnder(key + "/")) {
            throw new RefusedException(ErrorCode.IS_A_DIRECTORY, "'" + path + "' is a directory");
        }
        boolean multipart = identity.size() > shared.settings.partSize();
        if (identity.size() > S3Upload.MAX_PARTS * S3Upload.MAX_PART_SIZE) {
            throw new RefusedException(
                    ErrorCode.TOO_LARGE,
                    "'" + path + "' is " + identity.size() + " bytes; an S3 upload of this server holds at most "
                            + S3Upload.MAX_PARTS + " parts of " + S3Upload.MAX_PART_SIZE + " bytes");
        }
        if (multipart) {
            shared.leases.acquire(key, path);
        }
        return new S3Upload(this, path, key, identity, attributes, multipart);
    }

    // ------------------------------------------------------------------ tree edits

    @Override
    public void remove(String path, boolean recursive) throws RefusedException, IOException {
        if (path.isEmpty()) {
            check(path);
            throw new RefusedException(ErrorCode.ACCESS_DENIED, "'' may not be removed");
        }
        String key = key(path);
        if (head(key) != null) {
            deleteObject(key);
            digests.drop(key);
            return;
        }
        String prefix = dirPrefix(path);
        ListObjectsV2Response r;
        try {
            r = shared.s3.listObjectsV2(
                    b -> b.bucket(shared.bucket).prefix(prefix).maxKeys(2));
        } catch (SdkException e) {
            throw io("list " + prefix, e);
        }
        if (r.keyCount() == 0) {
            throw new RefusedException(ErrorCode.NOT_FOUND, "'" + path + "' does not exist");
        }
        boolean onlyMarker =
                r.contents().size() == 1 && r.contents().get(0).key().equals(prefix);
        if (!onlyMarker && !recursive) {
            throw new RefusedException(
                    ErrorCode.NOT_EMPTY, "'" + path + "' is a directory that is not empty; remove it recursively");
        }
        deleteAllUnder(prefix);
        deleteAllUnder(shared.digestKey(prefix));
    }

    /** Every key below {@code prefix}, all pages. */
    private List<S3Object> listAll(String prefix) throws IOException {
        List<S3Object> all = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response r;
            try {
                r = shared.s3.listObjectsV2(
                        b -> b.bucket(shared.bucket).prefix(prefix).continuationToken(t));
            } catch (SdkException e) {
                throw io("list " + prefix, e);
            }
            all.addAll(r.contents());
            token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
        } while (token != null);
        return all;
    }

    private void deleteAllUnder(String prefix) throws IOException {
        deleteKeys(listAll(prefix).stream().map(S3Object::key).toList());
    }

    /** DeleteObjects, 1000 keys a request (S3's limit). */
    private void deleteKeys(List<String> keys) throws IOException {
        for (int i = 0; i < keys.size(); i += 1000) {
            List<ObjectIdentifier> batch = keys.subList(i, Math.min(keys.size(), i + 1000)).stream()
                    .map(k -> ObjectIdentifier.builder().key(k).build())
                    .toList();
            DeleteObjectsResponse r;
            try {
                r = shared.s3.deleteObjects(b -> b.bucket(shared.bucket)
                        .delete(Delete.builder().objects(batch).quiet(true).build()));
            } catch (SdkException e) {
                throw io("delete " + batch.size() + " keys", e);
            }
            if (r.hasErrors() && !r.errors().isEmpty()) {
                var first = r.errors().get(0);
                throw new IOException("S3 could not delete " + r.errors().size() + " keys, the first " + first.key()
                        + ": " + first.code() + " " + first.message());
            }
        }
    }

    /** What a tree move records before it starts, so that a rerun finishes it. */
    record MoveJournal(String from, String to, String dest) {}

    @Override
    public void move(String from, String to) throws RefusedException, IOException {
        if (from.isEmpty()) {
            check(from);
            throw new RefusedException(ErrorCode.ACCESS_DENIED, "'' may not be moved");
        }
        String fromPrefix = dirPrefix(from);
        String toKey = key(to);
        MoveJournal unfinished = readJson(shared.journalKey(fromPrefix), MoveJournal.class);
        if (unfinished != null) {
            LOG.info("s3: finishing the interrupted move of {} to {}", unfinished.from(), unfinished.dest());
            finishTreeMove(unfinished);
            if (!unfinished.to().equals(toKey)) {
                throw new RefusedException(
                        ErrorCode.NOT_FOUND,
                        "'" + from + "' was moved elsewhere by an earlier interrupted move, which is now finished");
            }
            return;
        }
        Entry source = stat(from);
        String dest = to;
        Entry there = statOrNull(to);
        if (there != null && there.type() == EntryType.DIR) {
            dest = join(to, name(from));
            there = statOrNull(dest);
        }
        if (dest.equals(from)) {
            return;
        }
        if (source.type() == EntryType.DIR && dest.startsWith(from + "/")) {
            throw new RefusedException(ErrorCode.BAD_REQUEST, "cannot move '" + from + "' into itself");
        }
        if (there != null && there.type() == EntryType.DIR) {
            throw new RefusedException(ErrorCode.EXISTS, "the destination of '" + from + "' is an existing directory");
        }
        if (source.type() == EntryType.DIR && there != null) {
            throw new RefusedException(
                    ErrorCode.NOT_A_DIRECTORY,
                    "cannot put the directory '" + from + "' in place of the file '" + to + "'");
        }
        String destParent = parent(dest);
        if (!destParent.isEmpty()) {
            Entry p = statOrNull(destParent);
            if (p == null) {
                throw new RefusedException(ErrorCode.NOT_FOUND, "'" + destParent + "' does not exist");
            }
            if (p.type() != EntryType.DIR) {
                throw new RefusedException(ErrorCode.NOT_A_DIRECTORY, "'" + destParent + "' is not a directory");
            }
        }
        if (source.type() == EntryType.FILE) {
            moveFile(key(from), key(dest));
            return;
        }
        MoveJournal journal = new MoveJournal(fromPrefix, toKey, dirPrefix(dest));
        writeJson(shared.journalKey(fromPrefix), journal);
        finishTreeMove(journal);
    }

    /** Copy (metadata with it) then delete: S3 has no rename. The MD5 of a foreign object goes along. */
    private void moveFile(String fromKey, String toKey) throws IOException {
        HeadObjectResponse h = head(fromKey);
        if (h == null) {
            throw new VersionChangedException("'" + fromKey + "' disappeared while being moved");
        }
        String newEtag = copyObject(fromKey, toKey, h);
        if (!h.metadata().containsKey(MD5_META)) {
            Md5 known = digests.find(fromKey, h.eTag());
            if (known != null && newEtag != null) {
                digests.save(toKey, newEtag, known);
            }
        }
        deleteObject(fromKey);
        digests.drop(fromKey);
    }

    /** Copies one object with its metadata; returns the copy's ETag. */
    private String copyObject(String fromKey, String toKey, HeadObjectResponse h) throws IOException {
        try {
            if (h.contentLength() <= COPY_LIMIT) {
                CopyObjectResponse r = shared.s3.copyObject(b -> b.sourceBucket(shared.bucket)
                        .sourceKey(fromKey)
                        .destinationBucket(shared.bucket)
                        .destinationKey(toKey)
                        .metadataDirective(MetadataDirective.COPY)
                        .copySourceIfMatch(h.eTag()));
                return r.copyObjectResult().eTag();
            }
            return copyLarge(fromKey, toKey, h);
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 404) {
                throw new VersionChangedException("'" + fromKey + "' changed while being moved");
            }
            throw io("copy " + fromKey + " to " + toKey, e);
        } catch (SdkException e) {
            throw io("copy " + fromKey + " to " + toKey, e);
        }
    }

    /** Beyond CopyObject's 5 GiB: a multipart upload of UploadPartCopy ranges. */
    private String copyLarge(String fromKey, String toKey, HeadObjectResponse h) {
        long size = h.contentLength();
        long part = Math.max(shared.settings.partSize(), 1L << 30);
        CreateMultipartUploadResponse created = shared.s3.createMultipartUpload(
                b -> b.bucket(shared.bucket).key(toKey).metadata(h.metadata()));
        String uploadId = created.uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long start = 0; start < size; start += part, number++) {
                long end = Math.min(size, start + part) - 1;
                int n = number;
                String range = "bytes=" + start + "-" + end;
                UploadPartCopyResponse r = shared.s3.uploadPartCopy(b -> b.sourceBucket(shared.bucket)
                        .sourceKey(fromKey)
                        .copySourceIfMatch(h.eTag())
                        .copySourceRange(range)
                        .destinationBucket(shared.bucket)
                        .destinationKey(toKey)
                        .uploadId(uploadId)
                        .partNumber(n));
                parts.add(CompletedPart.builder()
                        .partNumber(n)
                        .eTag(r.copyPartResult().eTag())
                        .build());
            }
            return shared.s3
                    .completeMultipartUpload(b -> b.bucket(shared.bucket)
                            .key(toKey)
                            .uploadId(uploadId)
                            .multipartUpload(m -> m.parts(parts)))
                    .eTag();
        } catch (SdkException e) {
            shared.s3.abortMultipartUpload(
                    b -> b.bucket(shared.bucket).key(toKey).uploadId(uploadId));
            throw e;
        }
    }

    /**
     * Copies every key below the journal's source not yet at its destination, deletes the sources,
     * then the journal. A crash anywhere leaves files at one place or both, never at neither, and
     * the journal makes a rerun of the same move come back here.
     */
    private void finishTreeMove(MoveJournal journal) throws IOException {
        List<S3Object> sources = listAll(journal.from());
        Set<String> present = new HashSet<>();
        for (S3Object o : listAll(journal.dest())) {
            present.add(o.key());
        }
        int copied = 0;
        for (S3Object o : sources) {
            String target = journal.dest() + o.key().substring(journal.from().length());
            if (present.contains(target)) {
                continue; // copied by the interrupted run (a copy is whole or absent)
            }
            HeadObjectResponse h = head(o.key());
            if (h == null) {
                continue;
            }
            copyObject(o.key(), target, h);
            copied++;
            shared.treeMoveCopied.accept(copied);
        }
        deleteKeys(sources.stream().map(S3Object::key).toList());
        deleteAllUnder(shared.digestKey(journal.from()));
        deleteObject(shared.journalKey(journal.from()));
    }

    @Override
    public void makeDirectory(String path, boolean parents) throws RefusedException, IOException {
        Entry e = statOrNull(path);
        if (e != null) {
            if (e.type() == EntryType.DIR && parents) {
                return;
            }
            throw new RefusedException(ErrorCode.EXISTS, "'" + path + "' exists");
        }
        String parent = parent(path);
        if (!parents) {
            Entry p = statOrNull(parent);
            if (p == null) {
                throw new RefusedException(ErrorCode.NOT_FOUND, "'" + parent + "' does not exist");
            }
            if (p.type() != EntryType.DIR) {
                throw new RefusedException(ErrorCode.NOT_A_DIRECTORY, "'" + parent + "' is not a directory");
            }
        } else {
            for (String a = parent; !a.isEmpty(); a = parent(a)) {
                if (head(key(a)) != null) {
                    throw new RefusedException(ErrorCode.NOT_A_DIRECTORY, "'" + a + "' is a file");
                }
            }
        }
        String marker = dirPrefix(path);
        try {
            shared.s3.putObject(b -> b.bucket(shared.bucket).key(marker), RequestBody.empty());
        } catch (SdkException ex) {
            throw io("mkdir " + marker, ex);
        }
    }

    // ------------------------------------------------------------------ expiry

    @Override
    public int expireUploads(Duration maxAge) {
        Instant cutoff = Instant.now().minus(maxAge);
        int expired = 0;
        Set<String> live = new HashSet<>();
        try {
            for (MultipartUpload u : listUploads(keyPrefix)) {
                if (u.key().startsWith(shared.statePrefix)) {
                    continue;
                }
                String sidecar = shared.sidecarKey(u.uploadId());
                HeadObjectResponse h = head(sidecar);
                Instant touched = h != null ? h.lastModified() : u.initiated();
                if (!touched.isBefore(cutoff)) {
                    live.add(sidecar);
                } else {
                    abortUpload(u.key(), u.uploadId());
                    deleteObject(sidecar);
                    expired++;
                    LOG.info("s3: dropped the upload of {} untouched since {}", u.key(), touched);
                }
            }
            if (top) {
                shared.leases.dropExpired();
                for (S3Object o : listAll(shared.statePrefix + "uploads/")) {
                    // A sidecar whose upload is gone (completed or aborted by a server that died before
                    // deleting it) is only rubbish; its age says so.
                    if (!live.contains(o.key()) && o.lastModified().isBefore(cutoff)) {
                        deleteObject(o.key());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("s3: expiring old uploads failed: {}", e.toString());
        }
        return expired;
    }

    /** Every unfinished multipart upload whose key starts with {@code prefix}. */
    List<MultipartUpload> listUploads(String prefix) throws IOException {
        List<MultipartUpload> all = new ArrayList<>();
        String keyMarker = null;
        String idMarker = null;
        for (int pages = 0; pages < 100_000; pages++) {
            String km = keyMarker;
            String im = idMarker;
            ListMultipartUploadsResponse r;
            try {
                r = shared.s3.listMultipartUploads(b ->
                        b.bucket(shared.bucket).prefix(prefix).keyMarker(km).uploadIdMarker(im));
            } catch (SdkException e) {
                throw io("list uploads " + prefix, e);
            }
            all.addAll(r.uploads());
            if (!Boolean.TRUE.equals(r.isTruncated())) {
                break;
            }
            keyMarker = r.nextKeyMarker();
            idMarker = r.nextUploadIdMarker();
        }
        return all;
    }

    void abortUpload(String key, String uploadId) throws IOException {
        try {
            shared.s3.abortMultipartUpload(b -> b.bucket(shared.bucket).key(key).uploadId(uploadId));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw io("abort the upload of " + key, e);
            }
        } catch (SdkException e) {
            throw io("abort the upload of " + key, e);
        }
    }

    /** An SDK failure as the IOException storage callers expect, saying what was being done. */
    static IOException io(String what, SdkException e) {
        if (e instanceof S3Exception s3 && s3.statusCode() >= 500) {
            // 500 InternalError, 503 SlowDown / ServiceUnavailable: the store's to recover from.
            return new StoreUnavailableException("S3 " + what + ": HTTP " + s3.statusCode(), e);
        }
        if (e instanceof S3Exception s3 && s3.awsErrorDetails() != null) {
            return new IOException(
                    "S3 " + what + ": HTTP " + s3.statusCode() + " "
                            + s3.awsErrorDetails().errorCode() + " "
                            + s3.awsErrorDetails().errorMessage(),
                    e);
        }
        if (Thread.currentThread().isInterrupted()) {
            InterruptedIOException i = new InterruptedIOException("S3 " + what + ": interrupted");
            i.initCause(e);
            return i;
        }
        if (e instanceof SdkClientException) {
            // No answer at all: refused, reset, timed out. Another try (or server) may get one.
            return new StoreUnavailableException("S3 " + what + ": " + e.getMessage(), e);
        }
        return new IOException("S3 " + what + ": " + e.getMessage(), e);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    /** The top store closes its client and stops lease heartbeats; a user root closes nothing. */
    @Override
    public void close() {
        if (!top) {
            return;
        }
        shared.scheduler.shutdownNow();
        try {
            shared.scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shared.s3.close();
    }

    @Override
    public String toString() {
        return "s3://" + shared.bucket + "/" + keyPrefix;
    }

    /** Unused-import guard for maps built here. */
    static Map<String, String> metadata(Md5 md5, FileAttributes attributes) {
        Map<String, String> meta = new HashMap<>();
        meta.put(MD5_META, md5.hex());
        if (attributes != null) {
            meta.put(MTIME_META, Long.toString(attributes.mtime()));
            if (attributes.mode() != null) {
                meta.put(MODE_META, Integer.toOctalString(attributes.mode()));
            }
        }
        return meta;
    }
}
